// Training throughput in the page (WASM SIMD in the Worker, single-threaded) for the reference models:
//   B1: VAE 784-400-20, batch 128 (the plain autoencoder 784-400-20 while this build has no VAE)
//   B2: AE 784-512-256-2, batch 256
//   B3: conv VAE c32k4s2p1,c64k4s2p1-20 (the peer's --model convvae), batch 128
// on Fashion-MNIST. Samples/s = (steps * batch) over the wall time between two readings taken after a
// warm-up. Prints the figures (compare with native `ae bench` in the same sitting); asserts only sanity.
'use strict';
const {openPage, waitForData, setField, run, assert} = require('./common.js');

const SECONDS = Number(process.env.AE_BENCH_SECONDS || 8);

async function measure(page, name, fields) {
  for (const [k, v] of fields) {
    await setField(page, k, v);
    if (k === 'model.type') await page.waitForTimeout(500);  // the form loads the type's defaults
  }
  await page.click('#start');
  // Changing the model after training asks first: confirm when asked.
  await page.waitForFunction(() => window.aeLab.running || !document.getElementById('confirm').hidden, null, {timeout: 30000});
  if (await page.locator('#confirm-yes').isVisible()) await page.click('#confirm-yes');
  await page.waitForFunction(() => window.aeLab.running && window.aeLab.steps >= 5, null, {timeout: 60000});
  const read = () => page.evaluate(() => ({steps: window.aeLab.steps, t: performance.now(),
                                           config: JSON.parse(window.aeLab.sessionConfig)}));
  const a = await read();
  await page.waitForTimeout(SECONDS * 1000);
  const b = await read();
  await page.click('#pause');
  await page.waitForFunction(() => !window.aeLab.running);
  const m = b.config.model, batch = b.config.train.batch;
  const rate = (b.steps - a.steps) * batch / ((b.t - a.t) / 1000);
  const arch = [784, ...m.encoder, m.latent].join('-');
  console.log(`${name}: ${m.type} ${arch}, batch ${batch}: ${Math.round(rate)} samples/s in the page ` +
              `(${b.steps - a.steps} steps in ${((b.t - a.t) / 1000).toFixed(1)} s)`);
  assert.ok(rate > 100, `${name}: implausible rate ${rate}`);
  return rate;
}

run(async () => {
  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await page.waitForTimeout(1500);  // the form asks the core which model types this build has
    const types = await page.evaluate(() => [...document.querySelector('[name="model.type"]').options].map(o => o.value));
    const vae = types.includes('vae');
    console.log('model types offered:', types.join(', '));
    await measure(page, 'B1', [...(vae ? [['model.type', 'vae']] : []), ['model.encoder', '400'], ['model.latent', '20'],
                               ['train.batch', '128']]);
    await measure(page, 'B2', [['model.type', 'ae'], ['model.encoder', '512,256'], ['model.latent', '2'],
                               ['train.batch', '256']]);
    if (vae) {
      await measure(page, 'B3', [['model.type', 'vae'], ['model.encoder', 'c32k4s2p1,c64k4s2p1'], ['model.latent', '20'],
                                 ['train.batch', '128']]);
    }
  } finally {
    await t.close();
  }
});
