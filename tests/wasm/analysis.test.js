// The same model file and seed give the same samples, manifold, interpolation and anomaly ranking in the
// native core (`ae analyze`, native/cli/tools.cpp) and in the WebAssembly module (web/bindings.cpp), within
// 1e-6: both hosts call the one analysis API of the core (anomaly.h, sampling.h, interpolation.h, manifold.h); and a
// hashing model's Hamming-ball retrieval in the page equals `ae eval --radius`'s (retrieval.h).
// Needs the native `ae` (AE_CLI, default build/release/native/cli/ae); exits 77 (ctest: skipped) without it.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const assert = require('assert');
const {execFileSync} = require('child_process');
const {loadModule, run} = require('./common');

const AE_CLI = path.resolve(process.env.AE_CLI || path.join(__dirname, '../../build/release/native/cli/ae'));
const FASHION = '/usr/share/datasets/fashion-mnist';
const N_TRAIN = 1000, N_TEST = 300, TOL = 1e-6;

function head(d, n) {
  const D = d.rows * d.cols;
  return {...d, name: d.name, count: n, images: d.images.slice(0, n * D), labels: d.labels.slice(0, n)};
}

function close(name, a, b) {
  assert.strictEqual(a.length, b.length, `${name}: ${a.length} values in WASM, ${b.length} native`);
  let worst = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) { worst = d; at = i; }
  }
  assert.ok(worst <= TOL, `${name}: |wasm - native| = ${worst} at ${at} (${a[at]} vs ${b[at]}) > ${TOL}`);
  return worst;
}

run(async () => {
  if (!fs.existsSync(AE_CLI)) {
    console.log(`skipped: no native ae at ${AE_CLI} (build the release preset's ae target first)`);
    process.exit(77);
  }
  const ae = await loadModule();
  const gz = f => new Uint8Array(zlib.gunzipSync(fs.readFileSync(path.join(FASHION, f))));
  const train = head(ae.idxDataset(gz('train-images-idx3-ubyte.gz'), gz('train-labels-idx1-ubyte.gz'), 'train'), N_TRAIN);
  const test = head(ae.idxDataset(gz('t10k-images-idx3-ubyte.gz'), gz('t10k-labels-idx1-ubyte.gz'), 'test'), N_TEST);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-analysis-'));
  const limits = ['--limit-train', String(N_TRAIN), '--limit-test', String(N_TEST)];
  for (const [type, extra] of [['ae', ['--encoder', '64', '--latent', '4']], ['vae', ['--encoder', '64', '--latent', '3']]]) {
    const out = path.join(dir, type);
    execFileSync(AE_CLI, ['train', '--data', 'fashion-mnist', '--model', type, ...extra, '--epochs', '1', '--batch', '100',
                          '--threads', '1', '--quiet', '--out', out, ...limits], {stdio: ['ignore', 'ignore', 'inherit']});
    const modelPath = path.join(out, 'model.safetensors');
    execFileSync(AE_CLI, ['analyze', modelPath, '--seed', '5', '--n', '8', '--grid', '5', '--steps', '6', '--a', '0',
                          '--b', '1', '--worst', '16', '--out', path.join(out, 'analysis.json'), ...limits],
                 {stdio: ['ignore', 'ignore', 'inherit']});
    const native = JSON.parse(fs.readFileSync(path.join(out, 'analysis.json'), 'utf8'));

    const bytes = new Uint8Array(fs.readFileSync(modelPath));
    const file = ae.modelFileConfig(bytes, 'model.safetensors');
    assert.strictEqual(file.data.name, 'fashion-mnist');
    assert.ok(file.hasOptimizerState, 'ae train saves the optimizer state');
    const s = new ae.Session(file.config, train, test);
    const loaded = s.loadWeights(bytes);
    assert.ok(loaded.optimizerRestored);
    s.publishViews();
    let worst = 0;
    const smp = s.samples(8, 5);
    worst = Math.max(worst, close(`${type} samples codes`, smp.codes, native.samples.codes));
    worst = Math.max(worst, close(`${type} samples images`, smp.images, native.samples.images));
    for (const plane of ['latent', 'pca']) {
      const g = s.manifold(5, 'auto', plane, 0.01, 0.99);
      worst = Math.max(worst, close(`${type} manifold ${plane} range`, g.range, native.manifold[plane].range));
      worst = Math.max(worst, close(`${type} manifold ${plane} points`, g.coords, native.manifold[plane].points));
      worst = Math.max(worst, close(`${type} manifold ${plane} images`, g.images, native.manifold[plane].images));
    }
    const xa = s.testImagesUnit(0, 1), xb = s.testImagesUnit(1, 1);
    for (const mode of ['lerp', 'slerp']) {
      const st = s.interpolate(xa, xb, 6, mode);
      worst = Math.max(worst, close(`${type} ${mode} codes`, st.codes, native.interpolation[mode].codes));
      worst = Math.max(worst, close(`${type} ${mode} decoded`, st.decoded, native.interpolation[mode].decoded));
      worst = Math.max(worst, close(`${type} ${mode} blend`, st.blend, native.interpolation[mode].blend));
    }
    const an = s.anomaly(40, 16);
    worst = Math.max(worst, close(`${type} anomaly errors`, an.errors, native.anomaly.errors));
    assert.deepStrictEqual(Array.from(an.worst), native.anomaly.worst, `${type}: the anomaly ranking differs`);
    worst = Math.max(worst, close(`${type} worst errors`, an.worstErrors, native.anomaly.worst_errors));
    assert.deepStrictEqual(Array.from(an.counts), native.anomaly.counts, `${type}: the histogram differs`);
    worst = Math.max(worst, close(`${type} AUROC per class`, an.aurocByClass, native.anomaly.auroc_by_class));
    console.log(`${type}: samples, manifold (latent, pca), lerp/slerp, anomaly ranking agree; largest |wasm - native| ${worst.toExponential(2)}`);
    s.delete();
  }

  // Semantic hashing (retrieval.h): the page's hashing() over the published test codes (all N_TEST) gives `ae eval
  // --radius`'s numbers (the same codes, each test image a query), and hammingBall of a test image agrees with it.
  const out = path.join(dir, 'hashing');
  execFileSync(AE_CLI, ['train', '--data', 'fashion-mnist', '--model', 'hashing', '--encoder', '64', '--latent', '16',
                        '--epochs', '20', '--batch', '100', '--threads', '1', '--quiet', '--out', out, ...limits],
               {stdio: ['ignore', 'ignore', 'inherit']});
  const modelPath = path.join(out, 'model.safetensors');
  execFileSync(AE_CLI, ['eval', modelPath, '--radius', '3', '--threads', '1', '--out', path.join(out, 'eval.json'), ...limits],
               {stdio: ['ignore', 'ignore', 'inherit']});
  const native = JSON.parse(fs.readFileSync(path.join(out, 'eval.json'), 'utf8')).hashing;
  const bytes = new Uint8Array(fs.readFileSync(modelPath));
  const s = new ae.Session(ae.modelFileConfig(bytes, 'model.safetensors').config, train, test);
  s.loadWeights(bytes);
  s.publishViews();
  const h = s.hashing(3, N_TEST, 40);
  assert.strictEqual(h.m, N_TEST);
  assert.strictEqual(h.bits, 16);
  assert.strictEqual(h.mean.queries, native.queries);
  assert.strictEqual(h.mean.emptyQueries, native.empty_queries);
  close('hashing precision, recall, ball size, binariness', [h.mean.precision, h.mean.recall, h.mean.meanBallSize, h.binariness],
        [native.precision, native.recall, native.mean_ball_size, native.binariness]);
  assert.strictEqual(h.image.rows, 40);
  assert.strictEqual(h.image.bits.length, 40 * 16);
  const b = s.hammingBall(s.testImagesUnit(5, 1), 3, 5, test.labels[5]);
  assert.ok(!Array.from(b.indices).includes(5) && Array.from(b.distances).every((d) => d <= 3));
  if (b.indices.length) assert.strictEqual(b.precision, Array.from(b.indices).filter((j) => test.labels[j] === test.labels[5]).length / b.indices.length);
  console.log(`hashing: ae eval and the page agree at radius 3: precision ${h.mean.precision.toFixed(4)}, recall ` +
              `${h.mean.recall.toFixed(4)}, binariness ${h.binariness.toFixed(4)}; image 5's ball ${b.indices.length}`);
  s.delete();
  fs.rmSync(dir, {recursive: true, force: true});
});
