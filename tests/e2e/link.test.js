// Shareable state (issue 14): the URL hash carries the data set and every option that applies to the model
// type. A link opens the page with that data and that model (its first model is the link's), the hash follows
// the form as it is edited, and a link with unknown or bad values says which in the error banner and falls back
// to the defaults.
'use strict';
const {openPage, waitForData, setField, run, assert} = require('./common.js');

run(async () => {
  const t = await openPage();
  try {
    const open = async (hash) => {
      const page = await t.context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(t.server.url + hash);
      return {page, errors};
    };
    // A good link: MNIST digits, a VAE with a 3-D code and another learning rate.
    const a = await open('#data=mnist&model.type=vae&model.latent=3&train.lr=0.002');
    await waitForData(a.page, 'mnist', 90000);
    await a.page.waitForFunction(() => window.aeLab.created && window.aeLab.sessionConfig, null, {timeout: 60000});
    const cfg = await a.page.evaluate(() => JSON.parse(window.aeLab.sessionConfig));
    console.log(`link model: ${cfg.model.type}, latent ${cfg.model.latent}, lr ${cfg.train.lr}, encoder ${cfg.model.encoder}`);
    assert.strictEqual(cfg.model.type, 'vae');
    assert.strictEqual(cfg.model.latent, 3);
    assert.ok(Math.abs(cfg.train.lr - 0.002) < 1e-9);
    assert.deepStrictEqual(cfg.model.encoder, [400], 'the other fields are the VAE defaults');
    assert.deepStrictEqual(await a.page.evaluate(() => window.aeLab.errors), []);
    // The hash follows the form.
    await setField(a.page, 'model.latent', '5');
    await a.page.waitForFunction(() => location.hash.includes('model.latent=5'), null, {timeout: 10000});
    const hash = await a.page.evaluate(() => location.hash);
    console.log(`hash after an edit: ${hash}`);
    assert.match(hash, /^#data=mnist&/);
    assert.match(hash, /model\.type=vae/);
    assert.ok(!hash.includes('model.sparsity'), 'options that do not apply to the type stay out of the link');
    // The edited link reproduces the setup in a fresh page.
    const b = await open(hash);
    await waitForData(b.page, 'mnist', 90000);
    await b.page.waitForFunction(() => window.aeLab.created && JSON.parse(window.aeLab.sessionConfig).model.latent === 5, null,
                                 {timeout: 60000});
    await b.page.close();
    await a.page.close();

    // A bad link: each problem named, the defaults used instead.
    const c = await open('#data=cifar&model.type=vae&model.latent=abc&model.zzz=1&model.loss=huber&train.lr=0.003');
    await waitForData(c.page, 'fashion-mnist', 90000);
    await c.page.waitForFunction(() => window.aeLab.created && window.aeLab.errors.length > 0, null, {timeout: 60000});
    const r = await c.page.evaluate(() => ({errors: window.aeLab.errors, config: JSON.parse(window.aeLab.sessionConfig),
                                           banner: document.getElementById('error').hidden}));
    console.log(`bad link: ${r.errors.join(' | ')}`);
    const msg = r.errors.join(' ');
    assert.match(msg, /^link: /);
    assert.match(msg, /data 'cifar' is not one of fashion-mnist, mnist \(loading fashion-mnist\)/);
    assert.match(msg, /model\.latent: .*abc.* \(using the default 20\)/);
    assert.match(msg, /unknown setting 'model\.zzz' \(ignored\)/);
    assert.match(msg, /model\.loss: 'huber' is not one of bce, mse/);
    assert.strictEqual(r.banner, false, 'the banner shows');
    assert.strictEqual(r.config.model.type, 'vae');
    assert.strictEqual(r.config.model.latent, 20);
    assert.ok(Math.abs(r.config.train.lr - 0.003) < 1e-9, 'the good values of a bad link are kept');
    assert.deepStrictEqual(c.errors, []);
    assert.deepStrictEqual(t.consoleErrors, []);
  } finally {
    await t.close();
  }
});
