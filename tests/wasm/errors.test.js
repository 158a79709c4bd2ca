// Test 3: bad input becomes a readable JavaScript Error (the core's ae::Error message), never an abort
// or an opaque WebAssembly.Exception, and the module keeps working afterwards.
'use strict';
const assert = require('assert');
const {loadModule, run} = require('./common');

function expectError(fn, pattern, what) {
  let caught = null;
  try { fn(); } catch (e) { caught = e; }
  assert.ok(caught, `${what}: expected an exception`);
  assert.ok(caught instanceof Error, `${what}: expected a JS Error, got ${Object.prototype.toString.call(caught)}`);
  assert.match(caught.message, pattern, `${what}: unexpected message`);
  console.log(`${what}: ${caught.message}`);
}

// A tiny data object (n random images, rows x cols).
function tinyData(n, rows, cols, name) {
  const images = new Uint8Array(n * rows * cols);
  for (let i = 0; i < images.length; i++) images[i] = (i * 37) % 256;
  return {name, count: n, rows, cols, images, labels: new Uint8Array(n), classNames: ['a']};
}

run(async () => {
  const ae = await loadModule();
  const train = tinyData(64, 28, 28, 'tiny/train'), test = tinyData(16, 28, 28, 'tiny/test');
  const bad = '{"model":{"latent":-1}}';

  expectError(() => new ae.Session(bad, train, test), /model\.latent/, 'Session(bad config)');
  expectError(() => ae.normalizeConfigJson(bad), /model\.latent/, 'normalizeConfigJson(bad config)');
  expectError(() => new ae.Session('{"model":', train, test), /invalid JSON/, 'Session(truncated JSON)');
  expectError(() => new ae.Session('{"modle":{}}', train, test), /modle/, 'Session(unknown key)');
  expectError(() => new ae.Session('{}', tinyData(4, 10, 10, 'small'), test), /10x10/, 'Session(wrong image size)');
  expectError(() => new ae.Session('{}', {count: 2, rows: 28, cols: 28, images: new Uint8Array(5),
                                          labels: new Uint8Array(2), classNames: ['a']}, test),
              /train\.images/, 'Session(short images)');
  expectError(() => ae.idxDataset(new Uint8Array([0, 0, 8, 3, 0, 0]), null, 'user.idx'), /user\.idx/,
              'idxDataset(truncated header)');

  // The page's bounds (memory.h, uploads.h): a model beyond the WebAssembly heap's share, files too large.
  expectError(() => new ae.Session('{"model":{"encoder":[8192],"latent":2048}}', train, test),
              /needs [0-9.]+ GB .*the page's limit is 1 GB/, 'Session(model beyond the page memory limit)');
  expectError(() => ae.checkPageFile('big.idx', 600 * 2 ** 20), /big\.idx is 600 MB; the page reads files of at most 512 MB/,
              'checkPageFile(600 MB)');
  ae.checkPageFile('ok.idx', 512 * 2 ** 20);
  expectError(() => ae.checkPageGunzip('bomb.gz', 512 * 2 ** 20 + 1), /bomb\.gz expands to more than 512 MB/,
              'checkPageGunzip(past 512 MB)');
  expectError(() => ae.checkPageData('a.idx', 1.5 * 2 ** 30), /a\.idx: the data set's files hold 1\.5 GB/,
              'checkPageData(1.5 GB)');
  expectError(() => ae.checkPngFolder('shoes', 100001, 'shoes/a.png', 100), /shoes holds 100001 PNG files/,
              'checkPngFolder(100,001 files)');
  ae.checkPngFolder('shoes', 100000, 'shoes/a.png', 100);

  // Errors must not leak: many of them in a row, then the module still trains.
  const sp0 = ae.stackPointer();
  for (let i = 0; i < 200; i++) {
    try { new ae.Session(bad, train, test); } catch (e) { /* expected */ }
  }
  const leak = (sp0 - ae.stackPointer()) / 200;
  // Emscripten 3.1.6 does not restore the shadow-stack pointer when a JS exception unwinds the wasm
  // frames of the embind call (32 bytes per error at the time of writing; the stack is 16 MiB).
  console.log(`shadow stack not restored per thrown error: ${leak} bytes`);
  assert.ok(leak <= 256, `each thrown error leaks ${leak} bytes of the 16 MiB stack`);

  const s = new ae.Session('{"model":{"encoder":[32],"latent":2},"train":{"batch":16}}', train, test);
  assert.strictEqual(s.step(5), 5);
  assert.strictEqual(s.steps(), 5);
  assert.ok(!s.diverged());
  const losses = s.trainLosses();
  assert.strictEqual(losses.length, 5);
  assert.ok(losses.every(Number.isFinite));
  expectError(() => s.encode(new Float32Array(10), 1), /encode: expected n \* 784/, 'encode(wrong length)');
  assert.strictEqual(s.encode(new Float32Array(784 * 3), 3).length, 6);
  s.delete();
  console.log('PASS');
});
