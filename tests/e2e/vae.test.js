// A VAE in the page, as a visitor would start one: pick the model type "vae" (the form loads the core's
// VAE defaults: 784-400-20), Start, and within a minute the ELBO terms fall and the views follow: the map
// is a PCA projection of the 20-D means, samples come from the prior N(0, I), and the loss chart plots the
// reconstruction and KL terms separately (unit: nats per image).
'use strict';
const {openPage, waitForData, setField, screenshot, screenshotStats, run, assert} = require('./common.js');

const STEPS = 200;

run(async () => {
  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await page.waitForFunction(() => [...document.querySelector('[name="model.type"]').options].some(o => o.value === 'vae'),
                               null, {timeout: 20000});
    await setField(page, 'model.type', 'vae');
    await page.waitForFunction(() => document.querySelector('[name="model.latent"]').value === '20', null, {timeout: 10000});
    const form = await page.evaluate(() => ({encoder: document.querySelector('[name="model.encoder"]').value,
                                             betaShown: !document.querySelector('[name="model.beta"]').closest('label').hidden}));
    console.log('VAE defaults in the form:', form);
    assert.strictEqual(form.encoder, '400');
    assert.ok(form.betaShown, 'β is offered for the VAE');
    await setField(page, 'train.batch', '128');
    await page.click('#start');
    // (The page made a model for the data at load; Start replaces it with the VAE.)
    await page.waitForFunction(() => window.aeLab.created && JSON.parse(window.aeLab.sessionConfig).model.type === 'vae' &&
                               window.aeLab.testLosses.length >= 1);
    const initial = await page.evaluate(() => window.aeLab.testLosses[0]);
    await page.waitForFunction((n) => window.aeLab.steps >= n, STEPS, {timeout: 120000});
    await page.click('#pause');
    await page.waitForFunction(() => !window.aeLab.running && window.aeLab.testLosses.length >= 2);
    await page.waitForFunction(() => window.aeLab.testLosses.some(l => l.step === window.aeLab.steps && !l.fromEpoch));
    const s = await page.evaluate(() => ({last: window.aeLab.testLosses[window.aeLab.testLosses.length - 1],
                                         unit: window.aeLab.unit, steps: window.aeLab.steps,
                                         note: document.getElementById('map-note').textContent,
                                         samples: document.getElementById('samples-note').textContent,
                                         series: [...window.aeLab.chartSeries()], errors: window.aeLab.errors}));
    const f = (x) => x.toFixed(1);
    console.log(`unit ${s.unit}; untrained: total ${f(initial.terms.total)} = recon ${f(initial.terms.reconstruction)} + KL ` +
                `${f(initial.terms.kl)}; after ${s.steps} steps: total ${f(s.last.terms.total)} = recon ` +
                `${f(s.last.terms.reconstruction)} + KL ${f(s.last.terms.kl)}`);
    console.log(`map: ${s.note}; samples: ${s.samples}; chart series: ${s.series.join(', ')}`);
    assert.deepStrictEqual(s.errors, []);
    assert.strictEqual(s.unit, 'nats per image');
    // Stated margin: -ELBO per image (nats) falls by at least 40% in 200 steps of batch 128.
    assert.ok(s.last.terms.total < 0.6 * initial.terms.total, 'the VAE test loss did not fall by 40%');
    assert.ok(s.last.terms.kl > 0, 'KL term is reported');
    assert.match(s.note, /PCA projection of the 20-D codes/);
    assert.match(s.samples, /prior N\(0, I\)/);
    assert.ok(s.series.includes('train KL') && s.series.includes('test reconstruction'), 'per-term series are plotted');
    const mapStats = await screenshotStats(page, '#latent-map');
    assert.ok(mapStats.nonWhite > 0.01 && mapStats.colours >= 8, 'the VAE latent map shows no coloured points');
    const samples = await screenshotStats(page, '#samples');
    assert.ok(samples.std > 20, 'the prior samples did not render');
    await screenshot(page, 'page-vae.png');
    assert.deepStrictEqual(t.consoleErrors, [], 'console errors');
  } finally {
    await t.close();
  }
});
