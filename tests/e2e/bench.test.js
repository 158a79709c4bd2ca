// Training throughput in the page (WASM SIMD in the Worker) for the reference models:
//   B1: VAE 784-400-20, batch 128
//   B2: AE 784-512-256-2, batch 256
//   B3: conv VAE c32k4s2p1,c64k4s2p1-20 (the peer's --model convvae), batch 128
// on Fashion-MNIST, in each build of the page: the threaded one (served with COOP/COEP, ae-mt.js) on each
// thread count of AE_BENCH_THREADS (default: the page's default), and the single-threaded one (served
// without those headers, ae.js). AE_BENCH_MODES picks them (default "threaded,single"), AE_BENCH_MODELS the
// models (default "B1,B2,B3"). Samples/s = (steps * batch) over the wall time between two readings taken
// after a warm-up; the WASM memory (heapBytes) is read at the second one. Prints the figures (compare with
// native `ae bench` in the same sitting); asserts only sanity.
'use strict';
const {openPage, waitForData, setField, run, assert} = require('./common.js');

const SECONDS = Number(process.env.AE_BENCH_SECONDS || 8);
const MODES = (process.env.AE_BENCH_MODES || 'threaded,single').split(',');
const MODELS = (process.env.AE_BENCH_MODELS || 'B1,B2,B3').split(',');
const THREADS = process.env.AE_BENCH_THREADS ? process.env.AE_BENCH_THREADS.split(',').map(Number) : [0];

const FIELDS = {
  B1: [['model.type', 'vae'], ['model.encoder', '400'], ['model.latent', '20'], ['train.batch', '128']],
  B2: [['model.type', 'ae'], ['model.encoder', '512,256'], ['model.latent', '2'], ['train.batch', '256']],
  B3: [['model.type', 'vae'], ['model.encoder', 'c32k4s2p1,c64k4s2p1'], ['model.latent', '20'], ['train.batch', '128']],
};

async function measure(page, name, fields, label) {
  // The model type first: the form fills in that type's defaults (asynchronously, a check in the worker);
  // the other fields after that check is done.
  const settled = () => page.waitForFunction(() => !window.aeLab.formChecked || window.aeLab.formChecked(), null, {timeout: 30000});
  for (const [k, v] of fields) {
    if (k !== 'model.type') continue;
    await setField(page, k, v);
    await page.waitForTimeout(300);
    await settled();
  }
  for (const [k, v] of fields) if (k !== 'model.type') await setField(page, k, v);
  await settled();
  // On a busy machine the type's defaults may land after the fields above (B1 ran at batch 256): set them
  // again until the form holds them all.
  const pending = () => page.evaluate((f) => f.filter(([k, v]) => document.querySelector(`[name="${k}"]`).value !== v)
                                                .map(([k]) => k), fields);
  for (let tries = 0; tries < 10 && (await pending()).length; tries++) {
    await page.waitForTimeout(300);
    for (const [k, v] of fields) if (k !== 'model.type') await setField(page, k, v);
  }
  assert.deepStrictEqual(await pending(), [], `${name}: the form did not take the fields`);
  await page.click('#start');
  // Changing the model after training asks first: confirm when asked.
  await page.waitForFunction(() => window.aeLab.running || !document.getElementById('confirm').hidden, null, {timeout: 30000});
  if (await page.locator('#confirm-yes').isVisible()) await page.click('#confirm-yes');
  await page.waitForFunction(() => window.aeLab.running && window.aeLab.steps >= 5, null, {timeout: 60000});
  const read = () => page.evaluate(() => ({steps: window.aeLab.steps, t: performance.now(), heap: window.aeLab.heapBytes,
                                           config: JSON.parse(window.aeLab.sessionConfig)}));
  const a = await read();
  await page.waitForTimeout(SECONDS * 1000);
  const b = await read();
  await page.click('#pause');
  await page.waitForFunction(() => !window.aeLab.running);
  const m = b.config.model, batch = b.config.train.batch;
  const want = Object.fromEntries(fields);
  assert.strictEqual(String(batch), want['train.batch'], `${name}: trained at batch ${batch}`);
  const rate = (b.steps - a.steps) * batch / ((b.t - a.t) / 1000);
  const arch = [784, ...m.encoder, m.latent].join('-');
  console.log(`${name} [${label}, ${b.config.train.threads} thread${b.config.train.threads === 1 ? '' : 's'}]: ${m.type} ${arch}, ` +
              `batch ${batch}: ${Math.round(rate)} samples/s in the page (${b.steps - a.steps} steps in ` +
              `${((b.t - a.t) / 1000).toFixed(1)} s), WASM memory ${(b.heap / 2 ** 20).toFixed(0)} MiB`);
  assert.ok(rate > 10, `${name}: implausible rate ${rate}`);  // sanity only: a loaded machine gives B3 ~100
  return rate;
}

async function bench(mode) {
  const t = await openPage({isolation: mode === 'threaded'});
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await page.waitForTimeout(1500);  // the form asks the core which model types this build has
    const info = await page.evaluate(() => ({threaded: window.aeLab.threaded, threads: window.aeLab.threads,
                                             note: document.getElementById('threads-note').textContent}));
    assert.strictEqual(info.threaded, mode === 'threaded');
    for (const n of mode === 'threaded' ? THREADS : [0]) {
      if (n) {
        await page.selectOption('#threads', String(n));
        await page.waitForFunction((k) => window.aeLab.threads === k, n);
      }
      const label = mode === 'threaded' ? 'threaded build' : 'single-threaded build';
      for (const name of MODELS) await measure(page, name, FIELDS[name], label);
    }
  } finally {
    await t.close();
  }
}

run(async () => {
  for (const mode of MODES) await bench(mode);
});
