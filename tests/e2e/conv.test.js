// A convolutional VAE in the page (issue 9), as a visitor would make one: model type vae, architecture
// "convolutional, strided convolutions" (the picker fills the encoder field with B3's c32k4s2p1,c64k4s2p1),
// Start. Within 100 steps the ELBO falls; every view works through encode/decode (reconstructions, map,
// manifold, samples, interpolation, draw, denoise) and the first-layer view shows the 32 4x4 kernels.
'use strict';
const {openPage, waitForData, setField, screenshot, screenshotStats, run, assert} = require('./common.js');

const STEPS = 100;

run(async () => {
  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await page.waitForFunction(() => [...document.querySelector('[name="model.type"]').options].some(o => o.value === 'vae'),
                               null, {timeout: 20000});
    await setField(page, 'model.type', 'vae');
    await page.waitForFunction(() => document.querySelector('[name="model.latent"]').value === '20', null, {timeout: 10000});
    await page.selectOption('#architecture', 'strided');
    const encoder = await page.evaluate(() => document.querySelector('[name="model.encoder"]').value);
    assert.strictEqual(encoder, 'c32k4s2p1,c64k4s2p1', 'the picker fills the encoder field');
    await setField(page, 'train.batch', '128');
    await page.click('#start');
    await page.waitForFunction(() => window.aeLab.created && JSON.parse(window.aeLab.sessionConfig).model.encoder[0] === 'c32k4s2p1' &&
                               window.aeLab.testLosses.length >= 1, null, {timeout: 60000});
    const initial = await page.evaluate(() => window.aeLab.testLosses[0].terms.total);
    const t0 = Date.now();
    await page.waitForFunction((n) => window.aeLab.steps >= n, STEPS, {timeout: 150000});
    const seconds = (Date.now() - t0) / 1000;
    await page.click('#pause');
    await page.waitForFunction(() => !window.aeLab.running && window.aeLab.testLosses.length >= 2);
    const s = await page.evaluate(() => ({last: window.aeLab.testLosses[window.aeLab.testLosses.length - 1].terms.total,
                                         steps: window.aeLab.steps, errors: window.aeLab.errors,
                                         filters: document.getElementById('filters-note').textContent}));
    console.log(`conv VAE in the page: test loss ${initial.toFixed(1)} -> ${s.last.toFixed(1)} nats per image after ` +
                `${s.steps} steps (~${(STEPS * 128 / seconds).toFixed(0)} samples/s incl. views); ${s.filters}`);
    assert.deepStrictEqual(s.errors, []);
    assert.ok(s.last < 0.75 * initial, 'the conv VAE test loss did not fall by 25%');
    assert.match(s.filters, /encoder\.1 \(Conv2d 1 -> 32, 4x4\)/);
    for (const sel of ['#recon', '#latent-map', '#samples', '#filters', '#manifold']) {
      const st = await screenshotStats(page, sel);
      assert.ok(st.std > 10, `${sel} did not render (grey-level std ${st.std.toFixed(1)})`);
    }
    // Interpolation between two random test images, and a drawn stroke: both go through encode/decode.
    await page.click('#ip-random');
    await page.waitForFunction(() => window.aeLab.interp && window.aeLab.interp.length === 2, null, {timeout: 20000});
    const interp = await screenshotStats(page, '#interp');
    assert.ok(interp.std > 10, 'the interpolation strip did not render');
    await screenshot(page, 'page-conv-vae.png');
    assert.deepStrictEqual(t.consoleErrors, [], 'console errors');
  } finally {
    await t.close();
  }
});
