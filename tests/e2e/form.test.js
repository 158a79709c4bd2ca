// The options form is generated from the core's description of the options (options.h) and checked by
// the core: the same fields, labels and ranges as `ae train --help`; a bad value is marked on its field
// with a message in words and Start stays disabled until it is fixed; fields that do not apply to the
// model type are hidden; a model type brings its defaults.
'use strict';
const {execFileSync} = require('child_process');
const {openPage, waitForData, setField, screenshot, run, assert} = require('./common.js');

run(async () => {
  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    // The model the page makes for the data, and its first views, before the edits.
    await page.waitForFunction(() => window.aeLab.created && window.aeLab.pending.size === 0, null, {timeout: 90000});
    const fieldError = (path) => page.evaluate((p) => {
      const l = document.querySelector(`label[data-field="${p}"]`);
      return {msg: l.querySelector('.field-error').textContent, invalid: l.querySelector('[name]').getAttribute('aria-invalid'),
              hidden: l.hidden};
    }, path);
    const startDisabled = () => page.evaluate(() => document.getElementById('start').disabled);
    const settle = () => page.waitForFunction(() => window.aeLab.formChecked(), null, {timeout: 60000});

    // The same fields as the CLI: every form field is an `ae train` flag with the same label and range.
    const fields = await page.evaluate(() => [...document.querySelectorAll('#config-form label[data-field]')].map(l => ({
      path: l.dataset.field, label: l.querySelector('span').textContent, title: l.title})));
    assert.ok(fields.length >= 25, `only ${fields.length} form fields`);
    if (process.env.AE_CLI) {
      const help = execFileSync(process.env.AE_CLI, ['train', '--help']).toString();
      const table = await page.evaluate(() => window.aeLab.fields());
      for (const f of table.filter(f => f.flag && f.group !== 'compute')) {
        const line = help.split('\n').findIndex(l => l.includes(f.flag + ' '));
        assert.ok(line >= 0, `ae train --help has no ${f.flag}`);
        const text = help.split('\n').slice(line, line + 2).join(' ');
        assert.ok(text.includes(f.label), `${f.flag}: the CLI help does not carry the label '${f.label}'`);
        if (f.kind !== 'choice') assert.ok(text.includes(f.range), `${f.flag}: range '${f.range}' missing from the CLI help`);
        assert.ok(fields.some(x => x.path === f.path), `the page has no field for ${f.path}`);
      }
      console.log(`${table.length} fields: the page form and ae train --help agree on labels and ranges`);
    }

    // A bad value: marked on the field, in words; Start disabled; fixed: cleared and Start enabled.
    assert.strictEqual(await startDisabled(), false, 'Start disabled before any edit');
    await setField(page, 'model.encoder', 'abc');
    await settle();
    let e = await fieldError('model.encoder');
    console.log(`encoder 'abc': "${e.msg}"`);
    assert.ok(/^encoder layers: 'abc' is not a layer spec/.test(e.msg), e.msg);
    assert.strictEqual(e.invalid, 'true');
    assert.strictEqual(await startDisabled(), true, 'Start enabled with a marked field');
    await setField(page, 'model.latent', '5000000');
    await settle();
    e = await fieldError('model.latent');
    assert.strictEqual(e.msg, 'latent size: 5000000 is outside 1..65536');
    await setField(page, 'train.lr', '1e39');
    await settle();
    assert.strictEqual((await fieldError('train.lr')).msg, 'learning rate: 1e39 is outside (0, 1000]');
    await screenshot(page, 'form-errors.png', '#config-form');
    // Typing (no change event yet) marks the field too.
    await page.fill('[name="train.batch"]', '12x');
    await page.waitForFunction(() => /batch size: '12x' is not a whole number/.test(
      document.querySelector('label[data-field="train.batch"] .field-error').textContent), null, {timeout: 5000});
    await setField(page, 'train.batch', '128');
    await setField(page, 'model.encoder', '64');
    await setField(page, 'model.latent', '2');
    await setField(page, 'train.lr', '0.001');
    await settle();
    for (const p of ['model.encoder', 'model.latent', 'train.lr', 'train.batch'])
      assert.strictEqual((await fieldError(p)).msg, '', `${p} still marked`);
    assert.strictEqual(await startDisabled(), false, 'Start still disabled after the fix');

    // A rule between fields lands on the field it names.
    await setField(page, 'model.output', 'identity');
    await settle();
    assert.strictEqual((await fieldError('model.output')).msg, 'output activation: loss bce needs a sigmoid output');
    assert.strictEqual(await startDisabled(), true);
    await setField(page, 'model.output', 'sigmoid');
    await settle();
    assert.strictEqual(await startDisabled(), false);

    // Model types: semantic hashing is one (its code noise σ shown with it, 32 bits by default) ...
    assert.strictEqual((await fieldError('model.code_noise')).hidden, true, 'code noise shown for the plain ae');
    await setField(page, 'model.type', 'hashing');
    await settle();
    assert.strictEqual((await fieldError('model.code_noise')).hidden, false, 'code noise hidden for hashing');
    assert.strictEqual(await page.evaluate(() => document.querySelector('[name="model.latent"]').value), '32');
    assert.strictEqual(await startDisabled(), false, 'Start disabled for the hashing defaults');
    // ... the vae brings its defaults and its fields; the ae's penalties hide.
    assert.strictEqual((await fieldError('model.beta')).hidden, true, 'β shown for hashing');
    await setField(page, 'model.type', 'vae');
    await settle();
    const v = await page.evaluate(() => ({enc: document.querySelector('[name="model.encoder"]').value,
                                           lat: document.querySelector('[name="model.latent"]').value,
                                           batch: document.querySelector('[name="train.batch"]').value}));
    assert.deepStrictEqual(v, {enc: '400', lat: '20', batch: '128'}, 'the vae defaults (training options kept)');
    assert.strictEqual((await fieldError('model.beta')).hidden, false, 'β hidden for the vae');
    assert.strictEqual((await fieldError('model.sparsity')).hidden, true, 'sparsity shown for the vae');
    // Momentum applies to sgd only.
    assert.strictEqual((await fieldError('train.momentum')).hidden, true);
    await setField(page, 'train.optimizer', 'sgd');
    await settle();
    assert.strictEqual((await fieldError('train.momentum')).hidden, false);
    await setField(page, 'train.optimizer', 'adam');
    await settle();

    // And it trains from the form.
    assert.strictEqual(await startDisabled(), false, 'Start disabled before training');
    await page.click('#start');
    await page.waitForFunction(() => window.aeLab.steps > 5, null, {timeout: 120000});
    await page.click('#pause');
    const cfg = await page.evaluate(() => JSON.parse(window.aeLab.sessionConfig));
    assert.strictEqual(cfg.model.type, 'vae');
    assert.deepStrictEqual(cfg.model.encoder, [400]);
    assert.strictEqual(cfg.train.batch, 128);
    await screenshot(page, 'form-vae.png', '#config-form');
    assert.deepStrictEqual(await page.evaluate(() => window.aeLab.errors), []);
  } finally {
    await t.close();
  }
});
