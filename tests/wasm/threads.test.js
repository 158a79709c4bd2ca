// The thread count of a Session (train.threads, setThreads) in either module: ae.js offers 1 thread,
// ae-mt.js (-pthread) min(4, cores). Checks, on the MNIST digits:
//   - threaded() and maxThreads() say which build this is; configs are clamped to 1..maxThreads();
//   - (threaded build) the same seed gives bit-identical minibatch losses and weights on 1 and on
//     maxThreads threads, for a B1-like VAE (784-400-20, batch 128), a B2-like AE (784-512-256-2, batch
//     256) and a conv VAE; switching threads in the middle of a run (setThreads) changes nothing either;
//   - (threaded build) creating a new Session while the old one lives, 12 times, never runs out of pthread
//     Workers (web/threads_pre.js preloads 2 * (maxThreads - 1)).
'use strict';
const assert = require('assert');
const {AE_WASM_JS, loadModule, readDigitTexts, run} = require('./common');

const STEPS = Number(process.env.AE_THREADS_STEPS || 12);
const MODELS = {
  b1: {model: {type: 'vae', encoder: [400], latent: 20}, train: {batch: 128, seed: 5}},
  b2: {model: {type: 'ae', encoder: [512, 256], latent: 2}, train: {batch: 256, seed: 5}},
  conv: {model: {type: 'vae', encoder: ['c8k4s2p1', 'c16k4s2p1'], latent: 8}, train: {batch: 64, seed: 5}},
};

function train(ae, config, threads, data, switchAt) {
  const c = JSON.parse(JSON.stringify(config));
  c.train.threads = threads;
  const s = new ae.Session(JSON.stringify(c), data.train, data.test);
  assert.strictEqual(JSON.parse(s.configJson()).train.threads, Math.min(threads, ae.maxThreads()));
  if (switchAt) {
    s.step(switchAt);
    assert.strictEqual(s.setThreads(threads === 1 ? ae.maxThreads() : 1), threads === 1 ? ae.maxThreads() : 1);
  }
  const t0 = Date.now();
  s.step(STEPS - (switchAt || 0));
  const ms = Date.now() - t0;
  s.publishViews();
  const out = {losses: Array.from(s.trainLosses()), codes: Array.from(s.views().codes), ms};
  s.delete();
  return out;
}

run(async () => {
  const ae = await loadModule();
  const threaded = ae.threaded(), max = ae.maxThreads();
  console.log(`${AE_WASM_JS}: threaded() ${threaded}, maxThreads() ${max}`);
  assert.strictEqual(threaded, /ae-mt\.js$/.test(AE_WASM_JS), 'threaded() must match the module file');
  if (!threaded) assert.strictEqual(max, 1);
  else assert.ok(max >= 1 && max <= 4, `maxThreads ${max}`);

  const data = ae.mnistDatasets(readDigitTexts());
  const small = {train: ae.holdoutSplit(data.train, 0.75).train, test: ae.holdoutSplit(data.test, 0.5).test};
  const s = new ae.Session(JSON.stringify({...MODELS.b2, train: {...MODELS.b2.train, threads: 64}}), small.train, small.test);
  assert.strictEqual(JSON.parse(s.configJson()).train.threads, max, 'threads above maxThreads are clamped');
  assert.strictEqual(s.setThreads(0), 1);
  assert.strictEqual(s.setThreads(99), max);
  // setTrainConfig ignores train.threads (setThreads sets it)
  assert.strictEqual(s.setTrainConfig(JSON.stringify({...MODELS.b2, train: {...MODELS.b2.train, threads: 1, epochs: 3}})), '');
  assert.strictEqual(JSON.parse(s.configJson()).train.threads, max);
  s.delete();

  if (!threaded || max < 2) {
    console.log(threaded ? 'one core: nothing to compare across thread counts' : 'single-threaded build: threads clamped to 1');
    console.log('PASS');
    return;
  }
  for (const [name, cfg] of Object.entries(MODELS)) {
    const one = train(ae, cfg, 1, small), many = train(ae, cfg, max, small);
    assert.strictEqual(one.losses.length, STEPS);
    assert.ok(one.losses.every(Number.isFinite), `${name}: non-finite loss`);
    assert.deepStrictEqual(many.losses, one.losses, `${name}: losses differ between 1 and ${max} threads`);
    assert.deepStrictEqual(many.codes, one.codes, `${name}: test codes differ between 1 and ${max} threads`);
    const switched = train(ae, cfg, 1, small, STEPS >> 1), back = train(ae, cfg, max, small, STEPS >> 1);
    assert.deepStrictEqual(switched.losses, one.losses, `${name}: setThreads(${max}) mid-run changed the losses`);
    assert.deepStrictEqual(back.losses, one.losses, `${name}: setThreads(1) mid-run changed the losses`);
    console.log(`${name}: ${STEPS} steps bit-identical on 1 and ${max} threads (${one.ms} ms vs ${many.ms} ms), ` +
                `also when switching mid-run; last loss ${one.losses[STEPS - 1].toFixed(4)}`);
  }

  // An old and a new Session at once, as the page's worker does when it replaces a model.
  let old = new ae.Session(JSON.stringify({...MODELS.b2, train: {...MODELS.b2.train, threads: max}}), small.train, small.test);
  for (let i = 0; i < 12; i++) {
    const next = new ae.Session(JSON.stringify({...MODELS.b2, train: {...MODELS.b2.train, threads: max}}), small.train, small.test);
    assert.strictEqual(next.step(2), 2);
    old.delete();
    old = next;
  }
  old.delete();
  console.log('12 replacements of a', max, 'thread session: no Worker shortage');
  console.log('PASS');
});
