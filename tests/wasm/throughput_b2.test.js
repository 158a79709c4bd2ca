// Training throughput of model B2 (784 -> 512 -> 256 -> 2 -> 256 -> 512 -> 784, ReLU, sigmoid, BCE,
// Adam 1e-3, batch 256) in the WebAssembly build under Node, on the MNIST digits. Prints steps/s and
// samples/s (5 warm-up steps, then STEPS timed ones; AE_B2_STEPS overrides 50). Only sanity is
// asserted (finite, falling loss): timings on shared machines are noisy, compare them as ratios.
// AE_WASM_THREADS sets train.threads (the threaded module, ae-mt.js; default 1).
'use strict';
const assert = require('assert');
const {loadModule, readDigitTexts, mnistSplitJs, run, mean} = require('./common');

const STEPS = Number(process.env.AE_B2_STEPS || 50);
const CONFIG = {
  model: {encoder: [512, 256], latent: 2, loss: 'bce', output: 'sigmoid'},
  train: {optimizer: 'adam', lr: 1e-3, batch: 256, seed: 1, threads: Number(process.env.AE_WASM_THREADS || 1)},
};

run(async () => {
  const ae = await loadModule();
  const {train, test} = mnistSplitJs(readDigitTexts());
  const s = new ae.Session(JSON.stringify(CONFIG), train, test);
  console.log(`simdInstructionSets(): ${ae.simdInstructionSets()}; threads ${JSON.parse(s.configJson()).train.threads}`);
  s.step(5);  // warm-up: sizes the buffers
  const t0 = process.hrtime.bigint();
  const done = s.step(STEPS);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  assert.strictEqual(done, STEPS);
  const losses = Array.from(s.trainLosses());
  assert.ok(losses.every(Number.isFinite));
  const first = losses[0], last5 = mean(losses.slice(-5));
  console.log(`B2: ${STEPS} steps of 256 in ${seconds.toFixed(2)} s = ${(STEPS / seconds).toFixed(2)} steps/s, ` +
              `${(STEPS * 256 / seconds).toFixed(0)} samples/s (session's own: ${s.samplesPerSec().toFixed(0)})`);
  console.log(`B2 train loss: first ${first.toFixed(4)}, mean of last 5 ${last5.toFixed(4)}`);
  assert.ok(last5 < first, 'B2 loss did not fall');
  s.delete();
  console.log('PASS');
});
