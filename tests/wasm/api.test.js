// The rest of the JavaScript API against the real module: the core's MNIST parser and stratified split
// (checked against the digit files parsed here in JavaScript), IDX buffers, a holdout split, the views
// after publishViews(), progress() streaming, and encode / decode / reconstruct agreeing with each other.
'use strict';
const assert = require('assert');
const {loadModule, readDigitTexts, run} = require('./common');

// The digit files as uint8 images (round(v * 255)), one array of Uint8Array(784) per digit.
function digitImagesJs(texts) {
  return texts.map(text => {
    const data = JSON.parse(text).data;
    const out = [];
    for (let i = 0; i < data.length / 784; i++) {
      out.push(Uint8Array.from(data.slice(i * 784, (i + 1) * 784), v => Math.round(v * 255)));
    }
    return out;
  });
}

// The split must be a stratified partition of the files: per class, the train and test images are each
// a subsequence of the file (file order kept), together covering every item exactly once, with about
// a fifth of the class in the test set and round(N / 5) test images in all.
function checkMnistSplit(split, perDigit) {
  const n = perDigit.reduce((s, a) => s + a.length, 0);
  assert.strictEqual(split.train.count + split.test.count, n);
  assert.strictEqual(split.test.count, Math.round(n / 5), 'test set size');
  for (const part of [split.train, split.test]) {
    assert.deepStrictEqual([part.rows, part.cols], [28, 28]);
    assert.deepStrictEqual(part.classNames, [...Array(10).keys()].map(String));
  }
  perDigit.forEach((file, d) => {
    const used = new Uint8Array(file.length);
    const counts = {};
    for (const [what, part] of [['test', split.test], ['train', split.train]]) {
      let j = 0, c = 0;
      for (let i = 0; i < part.count; i++) {
        if (part.labels[i] !== d) continue;
        const img = part.images.subarray(i * 784, (i + 1) * 784);
        while (j < file.length && (used[j] || Buffer.compare(Buffer.from(file[j]), Buffer.from(img)) !== 0)) j++;
        assert.ok(j < file.length, `${what} image ${i} (digit ${d}) is not in ${d}.json in order`);
        used[j++] = 1;
        c++;
      }
      counts[what] = c;
    }
    assert.ok(used.every(u => u === 1), `digit ${d}: some file items are in neither set`);
    assert.ok(Math.abs(counts.test - file.length / 5) < 1,
              `digit ${d}: ${counts.test} of ${file.length} in the test set, not about a fifth`);
  });
}

// An IDX file (unsigned byte) with the given dimensions and data.
function idx(dims, data) {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

run(async () => {
  const ae = await loadModule();
  const texts = readDigitTexts();

  // Core parser + split (C++) against the files parsed in JavaScript.
  const t0 = Date.now();
  const core = ae.mnistDatasets(texts);
  console.log(`mnistDatasets: ${core.train.count} / ${core.test.count} in ${Date.now() - t0} ms`);
  checkMnistSplit(core, digitImagesJs(texts));
  assert.throws(() => ae.mnistDatasets(texts.slice(0, 9)), /10 digit files/);
  const broken = texts.slice();
  broken[3] = '{"data": [0.5, 2]}';
  assert.throws(() => ae.mnistDatasets(broken), /3\.json/);

  // IDX buffers: 5 images 2x3, labels 0..2; a holdout of 40%.
  const pixels = Uint8Array.from({length: 30}, (_, i) => i * 8);
  const d = ae.idxDataset(idx([5, 2, 3], pixels), idx([5], [0, 1, 2, 1, 0]), 'user-images');
  assert.strictEqual(d.count, 5);
  assert.strictEqual(d.rows, 2);
  assert.strictEqual(d.cols, 3);
  assert.deepStrictEqual(Array.from(d.images), Array.from(pixels));
  assert.deepStrictEqual(d.classNames, ['0', '1', '2']);
  const unlabeled = ae.idxDataset(idx([5, 2, 3], pixels), null, 'no-labels');
  assert.deepStrictEqual(Array.from(unlabeled.labels), [0, 0, 0, 0, 0]);
  assert.throws(() => ae.idxDataset(idx([5, 2, 3], pixels), idx([4], [0, 1, 2, 1]), 'x'), /count mismatch/);
  const split = ae.holdoutSplit(d, 0.4);
  assert.strictEqual(split.train.count, 3);
  assert.strictEqual(split.test.count, 2);
  assert.deepStrictEqual(Array.from(split.test.images), Array.from(pixels.slice(18)));
  assert.deepStrictEqual(Array.from(split.test.labels), [1, 0]);

  // A session on the core's split: progress streaming, views, encode/decode/reconstruct.
  const config = {model: {encoder: [64], latent: 2}, train: {batch: 128, seed: 3, threads: 4}};
  const s = new ae.Session(JSON.stringify(config), core.train, core.test);
  assert.strictEqual(JSON.parse(s.configJson()).train.threads, Math.min(4, ae.maxThreads()),
                     'threads must be clamped to maxThreads() (1 in the single-threaded build)');
  s.step(7);
  let p = s.progress();
  assert.strictEqual(p.newLosses.length, 7);
  s.step(3);
  p = s.progress();
  assert.strictEqual(p.newLosses.length, 3);
  assert.strictEqual(p.steps, 10);
  assert.strictEqual(p.batchesPerEpoch, Math.ceil(core.train.count / 128));
  assert.ok(p.samplesPerSec > 0);

  s.publishViews();
  const [k, rows, cols] = s.viewShape();
  assert.deepStrictEqual([rows, cols], [28, 28]);
  assert.ok(k > 0);
  const inputs = s.viewInputs(), recons = s.viewReconstructions();
  assert.ok(inputs instanceof Float32Array && recons instanceof Float32Array);
  assert.strictEqual(inputs.length, k * 784);
  assert.strictEqual(recons.length, k * 784);
  assert.ok(recons.every(v => v >= 0 && v <= 1), 'reconstructions outside [0, 1]');
  assert.strictEqual(s.viewLabels().length, k);
  const [m, latent] = s.testCodesShape();
  assert.strictEqual(latent, 2);
  assert.ok(m > 0 && m <= core.test.count);
  const codes = s.testCodes();
  assert.strictEqual(codes.length, m * latent);
  assert.strictEqual(s.testLabels().length, m);
  const v = s.views();
  assert.deepStrictEqual(Array.from(v.codes), Array.from(codes));
  assert.strictEqual(v.classNames.length, 10);

  // The view images are the first test images: re-encode them and compare with the published codes
  // and reconstructions (same weights, same arithmetic up to float rounding).
  const x = inputs.slice(0, 3 * 784);
  const z = s.encode(x, 3);
  assert.strictEqual(z.length, 6);
  const y = s.decode(z, 3), r = s.reconstruct(x, 3);
  assert.strictEqual(y.length, 3 * 784);
  let maxDiff = 0, maxRecon = 0;
  for (let i = 0; i < y.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(y[i] - r[i]));
    maxRecon = Math.max(maxRecon, Math.abs(r[i] - recons[i]));
  }
  console.log(`|decode(encode(x)) - reconstruct(x)| <= ${maxDiff}, |reconstruct - view| <= ${maxRecon}`);
  assert.ok(maxDiff < 1e-5);
  assert.ok(maxRecon < 1e-5);

  // Copies, not views: they survive memory growth (a 64 MB allocation through the data path).
  const before = Array.from(codes.slice(0, 4));
  ae.holdoutSplit({count: 2, rows: 4096, cols: 4096, images: new Uint8Array(2 * 4096 * 4096),
                   labels: new Uint8Array(2), classNames: ['a']}, 0.5);
  assert.deepStrictEqual(Array.from(codes.slice(0, 4)), before);
  assert.strictEqual(codes.length, m * latent);

  // Live training settings (the page's setTrain): optimizer settings and epochs apply, and the saved
  // file's config has them; any other field is named as needing a new model and changes nothing.
  const live = JSON.parse(s.configJson());
  live.train.lr = 0.0042; live.train.epochs = 3;
  assert.strictEqual(s.setTrainConfig(JSON.stringify(live)), '');
  const cfg = JSON.parse(s.configJson());
  assert.ok(Math.abs(cfg.train.lr - 0.0042) < 1e-9 && cfg.train.epochs === 3, 'live settings not applied');
  const other = JSON.parse(s.configJson());
  other.model.latent = 3; other.train.batch = 64;
  assert.strictEqual(s.setTrainConfig(JSON.stringify(other)), 'latent size, batch size');
  // The options table and the form check are the core's (the same words as ae train and the app).
  const fields = JSON.parse(ae.configFields());
  assert.ok(fields.some(f => f.path === 'model.latent' && f.flag === '--latent' && f.range === '1..65536'));
  const check = JSON.parse(ae.checkForm(s.configJson(), JSON.stringify([['train.lr', '1e39'], ['model.encoder', 'x']])));
  assert.strictEqual(check.configJson, null);
  assert.strictEqual(check.errors['train.lr'], 'learning rate: 1e39 is outside (0, 1000]');
  assert.match(check.errors['model.encoder'], /^encoder layers: 'x' is not a layer spec/);
  assert.strictEqual(JSON.parse(s.configJson()).model.latent, 2);
  s.setExcludedClass(4);
  const file = s.saveModel();
  const hl = Number(new DataView(file.buffer).getBigUint64(0, true));
  const meta = JSON.parse(Buffer.from(file.subarray(8, 8 + hl)).toString()).__metadata__;
  assert.strictEqual(meta.exclude_class, '4');
  assert.ok(Math.abs(JSON.parse(meta.config).train.lr - 0.0042) < 1e-9);
  // The training set without a class (ae::dataset_without_class).
  const without = ae.datasetWithoutClass(core.train, 4);
  assert.strictEqual(without.count, core.train.count - Array.from(core.train.labels).filter(l => l === 4).length);
  assert.ok(!Array.from(without.labels).includes(4));
  s.delete();
  console.log('PASS');
});
