// The Web Worker that owns the WebAssembly module and the TrainingSession. All training and every
// computation of the views (projections, grids, paths, errors) run here, through the core's bindings;
// the page thread only draws. Messages are small; typed arrays are fresh copies from the bindings and
// their buffers are transferred.
//
// page -> worker: {type: 'load', dataset} | {type: 'userIdx', ...} | {type: 'userPngs', files, ...} | {type: 'loadModel', file, name} |
//                 {type: 'create', config, excludeClass} | {type: 'run'} | {type: 'pause'} | {type: 'step', n} |
//                 {type: 'call', id, fn, args} | {type: 'threads', n} |
//                 {type: 'tsne', method ('tsne' | 'umap'), perplexity, learningRate, exaggeration, iterations, seed,
//                  neighbors, minDist} | {type: 'tsneStop'} |
//                 {type: 'field', data, types} | {type: 'fieldStop'}
// worker -> page: {type: 'ready', defaultConfig, simd, threaded, maxThreads, threads, heapBytes, buildNote} |
//                 {type: 'threads', threaded, maxThreads, threads} | {type: 'loadProgress', ...} | {type: 'dataset', info} |
//                 {type: 'created', ...} | {type: 'progress', ...} | {type: 'views', ...} |
//                 {type: 'state', running, finished, epochs} | {type: 'reply', id, result | error} |
//                 {type: 'error', where, message} |
//                 {type: 'tsne', method, points, kl (t-SNE), iteration, iterations, done, learningRate, step} |
//                 {type: 'field', data, steps, totalSteps, done, views: [FieldLab.view(i, 24, 0.5) per model]}
// t-SNE or UMAP (the map's other projections, core tsne.h, umap.h): 'tsne' embeds the codes of the last published views and
// runs a few iterations per slice (~30 ms, interleaved with training slices), posting the map after each,
// so the map animates as it converges; it stops after its iterations or at 'tsneStop'.
// The vector field (core field_comparison.h): 'field' trains 1-4 small models on a 2-D toy set side by side,
// apart from the session, in slices as t-SNE does, posting each model's field about every 100 ms and at the end.
// Training stops by itself after the config's epochs (as `ae train` does): 'state' then says finished;
// a 'run' of a finished model trains one more epoch (the desktop app's rule). Loading data stops training
// and drops the model (the page creates one for the new data).
//
// Two builds of the module (web/CMakeLists.txt): ae-mt.js (-pthread: the core's thread pool on pthread
// Workers) needs SharedArrayBuffer, which a page has only when cross-origin isolated (served with COOP/COEP,
// as web/serve.py does); otherwise, or if it fails to start, ae.js (one thread). train.threads is the
// worker's `threads` (the page's thread control, {type: 'threads'}): it replaces the config's value in every
// config the worker passes on, so the page's form never sees a difference, and applies from the next minibatch.
'use strict';

let ae = null;          // the module
let data = null;        // {train, test} data objects
let source = {name: ''}; // where `data` came from (recorded in saved model files): {name, trainImages, ...}
let session = null;
let running = false;
let chunk = 1;          // minibatches per slice, adapted to ~40 ms
let lastProgress = 0, lastViews = 0;
let epochs = 10;        // stop after this many epochs (config train.epochs, changed live by setTrain)
let excludedClass = -1; // class left out of the training set (-1: none)
let threads = 1;        // train.threads of every session (1..ae.maxThreads())
let tsne = null;        // the running t-SNE: {chunk, learningRate, step (training step of its codes)} or null
let field = null;       // the vector-field lab: {lab (ae.FieldLab), data, chunk, posted (time)} or null
let fieldChain = 0;
const MIN_IMAGES = 4;   // a data set needs 2 test images (the map, the fitted Gaussian) and 2 to train on

const post = (msg, transfer) => self.postMessage(msg, transfer || []);

// Runs f after the messages already queued (the page's commands are handled between slices). Not
// setTimeout(f, 0): nested timers are clamped to 4 ms, which took 15-20% of the wall time from training
// slices of 20-60 ms (B1 in the page, 2026-12-04: 79% of the worker's time in session.step).
const soonChannel = new MessageChannel();
const soonQueue = [];
soonChannel.port1.onmessage = () => { const f = soonQueue.shift(); if (f) f(); };
function soon(f) { soonQueue.push(f); soonChannel.port2.postMessage(0); }
const PLACES = {load: 'data', loadModel: 'model file', userIdx: 'your IDX files', userPngs: 'your PNG folder', create: 'model', run: 'training',
                step: 'training', module: 'WebAssembly module', tsne: 't-SNE', field: 'vector field'};
const fail = (where, err) => post({type: 'error', where, place: PLACES[where] || where,
                                   message: String(err && err.message || err)});
const buffers = (...arrays) => arrays.filter(a => a && a.buffer).map(a => a.buffer);

async function fetchBytes(url, what, expected) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const total = expected || Number(res.headers.get('content-length')) || 0;
  let loaded = 0;
  const counter = new TransformStream({
    transform(c, ctl) {
      loaded += c.byteLength;
      post({type: 'loadProgress', what, loaded, total});
      ctl.enqueue(c);
    }
  });
  let stream = res.body.pipeThrough(counter);
  if (url.endsWith('.gz')) stream = stream.pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Gunzips when the bytes start with the gzip magic (user files may be .gz or plain). The decompressed size
// is bounded as the stream runs (core: uploads.h check_page_gunzip), so a gzip bomb stops at the limit.
async function maybeGunzip(bytes, name) {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    let out = 0, bound = null;
    const counter = new TransformStream({
      transform(c, ctl) {
        out += c.byteLength;
        try { ae.checkPageGunzip(name, out); } catch (e) { bound = e; throw e; }
        ctl.enqueue(c);
      }
    });
    try {
      const s = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')).pipeThrough(counter);
      return new Uint8Array(await new Response(s).arrayBuffer());
    } catch (e) {
      if (bound) throw bound;
      throw new Error(`${name}: not a valid gzip file (the compressed data is corrupt or ends early)`);
    }
  }
  return bytes;
}

// A picked file's bytes, gunzipped, after the page's bounds on its size (uploads.h check_page_file).
async function readUserFile(f) {
  ae.checkPageFile(f.name, f.size);
  return maybeGunzip(new Uint8Array(await f.arrayBuffer()), f.name);
}

function info(name, note) {
  return {name, trainCount: data.train.count, testCount: data.test.count, rows: data.train.rows,
          cols: data.train.cols, classNames: data.train.classNames, note: note || ''};
}

// New data: training stops and the model of the old data is dropped (the page creates a new one).
function dropSession() {
  running = false;
  tsne = null;
  if (session) { session.delete(); session = null; }
  post({type: 'state', running, finished: false, epochs, dropped: true});
}

// Holds out 10% for testing, at least 2 images (the map's projection and the samples' fitted Gaussian
// need 2 codes); refuses data sets below MIN_IMAGES with a message saying the minimum.
function holdout(all, what) {
  if (all.count < MIN_IMAGES) {
    throw new Error(`${what}: ${all.count} image${all.count === 1 ? '' : 's'}; the page needs at least ${MIN_IMAGES} ` +
                    `(2 to train on, 2 held out for testing)`);
  }
  return ae.holdoutSplit(all, Math.max(0.1, 2 / all.count + 1e-9));
}
function checkCounts(d, what) {
  if (d.train.count < 2 || d.test.count < 2) {
    throw new Error(`${what}: ${d.train.count} training and ${d.test.count} test images; the page needs at least 2 of each`);
  }
}

async function loadBuiltin(name) {
  const manifest = await (await fetch('data/manifest.json')).json();
  const get = f => fetchBytes('data/' + f, f, manifest[f]);
  if (name === 'fashion-mnist') {
    const [xi, yi, xt, yt] = await Promise.all(['train-images', 'train-labels', 'test-images', 'test-labels']
      .map(p => get(`fashion-mnist-${p}.idx.gz`)));
    const classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag',
                     'Ankle boot'];
    const train = ae.idxDataset(xi, yi, 'fashion-mnist/train');
    const test = ae.idxDataset(xt, yt, 'fashion-mnist/test');
    train.classNames = classes;
    test.classNames = classes;
    data = {train, test};
    source = {name};
  } else if (name === 'mnist') {
    const [x, y] = await Promise.all([get('mnist-images.idx.gz'), get('mnist-labels.idx.gz')]);
    data = ae.mnistSplit(ae.idxDataset(x, y, 'mnist'));
    source = {name};
  } else {
    throw new Error(`unknown data set ${name}`);
  }
}

async function loadUserIdx(m) {
  if (!m.trainImages) throw new Error('choose an IDX image file');
  // Every file is checked before it is read, and the decompressed total before the next one is.
  let total = 0;
  const read = async (f) => {
    if (!f) return null;
    const bytes = await readUserFile(f);
    total += bytes.length;
    ae.checkPageData(m.trainImages.name, total);
    return bytes;
  };
  const xi = await read(m.trainImages), yi = await read(m.trainLabels);
  const all = ae.idxDataset(xi, yi, m.trainImages.name);
  let next;
  if (m.testImages) {
    const xt = await read(m.testImages), yt = await read(m.testLabels);
    next = {train: all, test: ae.idxDataset(xt, yt, m.testImages.name)};
  } else {
    next = holdout(all, m.trainImages.name);
  }
  checkCounts(next, m.trainImages.name);
  data = next;
  const fileName = f => f ? f.name : '';
  source = {name: 'idx', trainImages: fileName(m.trainImages), trainLabels: fileName(m.trainLabels),
            testImages: fileName(m.testImages), testLabels: fileName(m.testLabels)};
}

// A folder of PNGs -> 28 x 28 grey (the browser decodes and scales; luminance of the scaled image). The
// class is the name of the file's parent folder when there are several folders, else 0.
async function loadUserPngs(files) {
  const all = files.filter(f => /\.png$/i.test(f.name));
  if (all.length < 2) throw new Error(`the folder holds ${all.length} PNG files; need at least 2`);
  const largest = all.reduce((a, b) => (b.size > a.size ? b : a));
  ae.checkPngFolder(((all[0].webkitRelativePath || '').split('/')[0]) || 'the folder', all.length,
                    largest.webkitRelativePath || largest.name, largest.size);
  const folderOf = f => { const p = (f.webkitRelativePath || f.name).split('/'); return p.length > 2 ? p[p.length - 2] : ''; };
  const folders = [...new Set(all.map(folderOf))].sort();
  // Classes interleaved (first file of each class, then the second, ...) so that the held-out last 10%
  // holds every class.
  const byClass = folders.map(c => all.filter(f => folderOf(f) === c)
    .sort((a, b) => (a.webkitRelativePath || a.name).localeCompare(b.webkitRelativePath || b.name, 'en', {numeric: true})));
  const pngs = [];
  for (let i = 0; pngs.length < all.length; i++) for (const list of byClass) if (i < list.length) pngs.push(list[i]);
  const canvas = new OffscreenCanvas(28, 28);
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const images = new Uint8Array(pngs.length * 784), labels = new Uint8Array(pngs.length);
  let colour = 0, scaled = 0, alpha = 0;
  const sizes = new Set();
  for (let i = 0; i < pngs.length; i++) {
    let bmp;
    try {
      bmp = await createImageBitmap(pngs[i]);
    } catch (e) {
      throw new Error(`${pngs[i].webkitRelativePath || pngs[i].name}: not a readable PNG image`);
    }
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, 28, 28);
    if (bmp.width !== 28 || bmp.height !== 28) { scaled++; sizes.add(`${bmp.width}×${bmp.height}`); }
    ctx.drawImage(bmp, 0, 0, 28, 28);
    const px = ctx.getImageData(0, 0, 28, 28).data;
    // Colour: any pixel whose channels differ (after scaling) is converted by luminance below.
    for (let k = 0; k < 784; k++) if (px[4 * k] !== px[4 * k + 1] || px[4 * k + 1] !== px[4 * k + 2]) { colour++; break; }
    bmp.close();
    for (let k = 0; k < 784; k++) images[i * 784 + k] = Math.round(0.299 * px[4 * k] + 0.587 * px[4 * k + 1] + 0.114 * px[4 * k + 2]);
    labels[i] = Math.min(255, folders.indexOf(folderOf(pngs[i])));
    if (i % 64 === 0) post({type: 'loadProgress', what: 'PNG files', loaded: i, total: pngs.length});
  }
  const pngData = {name: 'png folder', count: pngs.length, rows: 28, cols: 28, images, labels,
                   classNames: folders.map((f, i) => f || String(i))};
  const top = ((all[0].webkitRelativePath || '').split('/')[0]) || 'the folder';
  const next = holdout(pngData, top);
  checkCounts(next, top);
  data = next;
  const notes = [];
  if (scaled) notes.push(`${scaled} of ${pngs.length} images scaled from ${[...sizes].slice(0, 3).join(', ')}${sizes.size > 3 ? ', …' : ''} to 28×28`);
  if (colour) notes.push(`${colour} colour image${colour === 1 ? '' : 's'} converted to grey (luminance 0.299 R + 0.587 G + 0.114 B, transparency on black)`);
  return notes.join('; ');
}

function sendProgress() {
  const p = session.progress();
  post({type: 'progress', epoch: p.epoch, steps: p.steps, batchInEpoch: p.batchInEpoch,
        batchesPerEpoch: p.batchesPerEpoch, samplesPerSec: p.samplesPerSec, diverged: p.diverged,
        message: p.message, newLosses: p.newLosses, newTerms: p.newTerms, unit: p.unit, epochStats: session.epochStats(),
        heapBytes: ae.heapBytes()},
       buffers(p.newLosses, ...Object.values(p.newTerms)));
}

function sendViews() {
  session.publishViews();
  const v = session.views();
  post({type: 'views', ...v}, buffers(v.inputs, v.reconstructions, v.labels, v.codes, v.codeLabels, v.points, v.filters));
}

function stopWith(where, err) {
  running = false;
  post({type: 'state', running});
  fail(where, err);
}

// One slice of training, then yield to the message loop.
function trainSlice() {
  if (!running || !session) return;
  try {
    const remaining = epochs * session.batchesPerEpoch() - session.steps();
    if (remaining <= 0) { finish(); return; }
    const t0 = performance.now();
    const done = session.step(Math.min(chunk, remaining));
    const dt = performance.now() - t0;
    chunk = Math.max(1, Math.min(200, Math.round(chunk * (dt < 20 ? 1.5 : dt > 60 ? 0.6 : 1))));
    const now = performance.now();
    if (now - lastProgress > 100 || done < chunk || done >= remaining) { sendProgress(); lastProgress = now; }
    if (now - lastViews > 800) { sendViews(); lastViews = performance.now(); }
    if (session.diverged()) {
      running = false;
      sendProgress();
      sendViews();
      post({type: 'state', running});
      return;
    }
  } catch (e) {
    stopWith('training', e);
    return;
  }
  soon(trainSlice);
}

// One slice of t-SNE iterations (adapted to ~30 ms), the map to the page, then yield. Each start begins a
// chain of its own generation; a slice of an older chain (still queued after 'tsneStop' + 'tsne') ends it.
let tsneChain = 0;
function tsneSlice(chain) {
  if (!tsne || !session || chain !== tsneChain) return;
  try {
    const t0 = performance.now();
    const r = tsne.method === 'umap' ? session.umapStep(tsne.chunk) : session.tsneStep(tsne.chunk);
    const dt = performance.now() - t0;
    tsne.chunk = Math.max(1, Math.min(100, Math.round(tsne.chunk * (dt < 15 ? 1.5 : dt > 45 ? 0.6 : 1))));
    post({type: 'tsne', method: tsne.method, ...r, learningRate: tsne.learningRate, step: tsne.step}, [r.points.buffer]);
    if (r.done) { tsne = null; session.tsneStop(); return; }
  } catch (e) {
    tsne = null;
    fail('tsne', e);
    return;
  }
  soon(() => tsneSlice(chain));
}

function postField(f) {
  const views = [];
  for (let i = 0; i < f.lab.models(); i++) views.push(f.lab.view(i, 24, 0.5));  // arrows at half length, as the app draws them
  const transfer = [];
  for (const v of views) transfer.push(...buffers(v.points, v.labels, v.reconstructions, v.arrows));
  post({type: 'field', data: f.data, steps: f.lab.steps(), totalSteps: f.lab.totalSteps(), done: f.lab.done(), views},
       transfer);
  f.posted = performance.now();
}

function stopField() {
  if (field) field.lab.delete();
  field = null;
  ++fieldChain;
}

// One slice of vector-field training (adapted to ~30 ms), its views every ~100 ms, then yield.
function fieldSlice(chain) {
  if (!field || chain !== fieldChain) return;
  const f = field;
  try {
    const t0 = performance.now();
    f.lab.step(f.chunk);
    const dt = performance.now() - t0;
    f.chunk = Math.max(1, Math.min(2000, Math.round(f.chunk * (dt < 15 ? 1.5 : dt > 45 ? 0.6 : 1))));
    const done = f.lab.done();
    if (done || performance.now() - f.posted > 100) postField(f);
    if (done) { stopField(); return; }
  } catch (e) {
    stopField();
    fail('field', e);
    return;
  }
  soon(() => fieldSlice(chain));
}

function startField(m) {
  stopField();
  const lab = new ae.FieldLab(m.data, m.types.join(','), 1);
  field = {lab, data: m.data, chunk: 16, posted: 0};
  postField(field);
  const chain = fieldChain;
  soon(() => fieldSlice(chain));
}

function startTsne(m) {
  if (!session) throw new Error('no model yet');
  tsne = null;
  session.tsneStop();
  if (m.method === 'umap') {
    session.umapStart(m.neighbors || 15, m.minDist === undefined ? 0.1 : m.minDist, m.iterations || 500, m.seed || 1);
    tsne = {chunk: 1, method: 'umap', step: session.steps()};
    post({type: 'tsne', method: 'umap', ...session.umapStep(0), step: tsne.step});
  } else {
    const r = session.tsneStart(m.perplexity, m.learningRate || 0, m.exaggeration || 12, m.iterations || 1000, m.seed || 1);
    tsne = {chunk: 1, method: 'tsne', learningRate: r.learningRate, step: session.steps()};
    post({type: 'tsne', method: 'tsne', ...session.tsneStep(0), learningRate: r.learningRate, step: tsne.step});
  }
  const chain = ++tsneChain;
  soon(() => tsneSlice(chain));
}

// The configured epochs are done: stop, publish the views, tell the page.
function finish() {
  running = false;
  sendProgress();
  sendViews();
  post({type: 'state', running, finished: true, epochs});
}

// The config text with train.threads = the worker's thread count.
function withThreads(text) {
  const c = JSON.parse(text);
  c.train = {...(c.train || {}), threads};
  return JSON.stringify(c);
}

const threadsInfo = () => ({threaded: ae.threaded(), maxThreads: ae.maxThreads(), threads});

function setThreads(n) {
  threads = Math.max(1, Math.min(ae.maxThreads(), Math.round(Number(n)) || 1));
  try {
    if (session) session.setThreads(threads);
  } finally {  // a thread that cannot start leaves the session on 1 (the error goes to the page)
    if (session) threads = JSON.parse(session.configJson()).train.threads;
    post({type: 'threads', ...threadsInfo()});
  }
}

function createSession(config, weights, fromFile, exclude) {
  running = false;
  config = withThreads(config);
  if (!data) throw new Error('load a data set first');
  exclude = exclude === undefined || exclude === null ? -1 : exclude;
  const train = exclude >= 0 ? ae.datasetWithoutClass(data.train, exclude) : data.train;
  if (train.count < 2) throw new Error(`leaving class ${exclude} out leaves ${train.count} training images`);
  const next = new ae.Session(config, train, data.test);
  next.setExcludedClass(exclude);
  next.setDataSource(source.name || '', source.trainImages || '', source.trainLabels || '', source.testImages || '',
                     source.testLabels || '');
  if (weights) {
    try {
      next.loadWeights(weights);
    } catch (e) {
      next.delete();
      throw e;
    }
  }
  if (session) session.delete();
  session = next;
  tsne = null;  // of the old model's codes
  excludedClass = exclude;
  epochs = JSON.parse(session.configJson()).train.epochs;
  chunk = 1;
  session.publishViews();
  const v = session.views();
  const testImages = session.testImages(0, v.m);
  post({type: 'created', config: session.configJson(), latent: session.latentDim(), projection: session.projection(),
        batchesPerEpoch: session.batchesPerEpoch(), testImages, rows: v.rows, cols: v.cols, unit: session.lossUnit(),
        trainCount: train.count, excludeClass: exclude, fromFile: fromFile || null}, [testImages.buffer]);
  post({type: 'views', ...v}, buffers(v.inputs, v.reconstructions, v.labels, v.codes, v.codeLabels, v.points, v.filters));
  sendProgress();
  post({type: 'state', running, finished: false, epochs});
}

// Block corruption: where the block lands (the same PCG32 stream as corruptRepair's, probed on an all-ones
// image: the block's pixels become 0). [row, col, side] or null.
function blockRegion(kind, level, seed) {
  if (kind !== 'block') return null;
  const D = session.inputDim(), rows = session.imageRows(), cols = session.imageCols();
  const probe = session.corruptRepair(new Float32Array(D).fill(1), kind, level, seed, -1).corrupted;
  let r0 = rows, c0 = cols, r1 = -1, c1 = -1;
  for (let k = 0; k < D; k++) {
    if (probe[k] !== 0) continue;
    const r = Math.floor(k / cols), c = k % cols;
    r0 = Math.min(r0, r); c0 = Math.min(c0, c); r1 = Math.max(r1, r); c1 = Math.max(c1, c);
  }
  return r1 < 0 ? null : [r0, c0, r1 - r0 + 1, c1 - c0 + 1];
}

const calls = {
  // Optimizer settings and epochs apply at the next minibatch; other changes need a new model:
  // {applied, needs (the fields that need a new model), config (the session's, live values included)}.
  setTrain: (text) => {
    const needs = session.setTrainConfig(withThreads(text));
    if (!needs) epochs = JSON.parse(session.configJson()).train.epochs;
    return {applied: !needs, needs, config: session.configJson(), step: session.steps(), epoch: session.epoch(), epochs};
  },
  // Denoise view on any test image (the whole test set): mask (Uint8Array, 1 = set to 0), then the core's
  // corruption and reconstruction; the block's place for the outline.
  corruptRepairTest: (i, mask, kind, level, seed) => {
    const x = session.testImagesUnit(i, 1);
    if (mask) for (let k = 0; k < x.length; k++) if (mask[k]) x[k] = 0;
    // A test image is reconstructed with its own class (the cvae's condition; ignored by other models).
    const r = session.corruptRepair(x, kind, level, seed, session.testLabels(i, 1)[0]);
    return {...r, region: blockRegion(kind, level, seed)};
  },
  check: (text) => ae.checkConfigJson(withThreads(text)),
  samples: (n, seed) => session.samples(n, seed),
  samplesAround: (x, n, sigma, seed) => session.samplesAround(x, n, sigma, seed),
  setClass: (c) => session.setClass(c),
  likelihood: (first, n, K, seed) => session.likelihood(first, n, K, seed),
  codeIndices: (x, edits) => session.codeIndices(x, edits),
  codebookImages: () => session.codebookImages(),
  classSwap: (first, n) => session.classSwap(first, n),
  traversal: (x, steps, dims) => session.traversal(x, steps, dims),
  histograms: (bins) => session.latentHistograms(bins),
  neighbors: (x, k, metric, exclude, label) => session.neighbors(x, k, metric, exclude, label),
  retrievalPrecision: (k, metric, space, n) => session.retrievalPrecision(k, metric, space, n),
  hammingBall: (x, radius, exclude, label) => session.hammingBall(x, radius, exclude, label),
  hashing: (radius, queries, rows) => session.hashing(radius, queries, rows),
  attributeStrip: (x, from, to, strengths) => session.attributeStrip(x, from, to, strengths),
  compareEmbeddings: (n, perplexity, iterations, seed) => session.compareEmbeddings(n, perplexity, iterations, seed),
  analogyTest: (a, b, c) => session.analogy(a, session.testImagesUnit(b, 1), session.testImagesUnit(c, 1)),
  reconstructTest: (first, n) => session.reconstruct(session.testImagesUnit(first, n), n),
  normalize: (text) => ae.normalizeConfigJson(withThreads(text)),
  checkForm: (base, given) => ae.checkForm(withThreads(base), given),
  evaluate: () => session.evaluateTestTerms(),
  inspect: (x) => session.inspect(x),
  inspectTest: (i) => {
    const x = session.testImagesUnit(i, 1);
    return {input: x, ...session.inspect(x)};
  },
  manifold: (...a) => session.manifold(...a),
  interpolate: (a, b, steps, mode) => session.interpolate(a, b, steps, mode),
  interpolateTest: (i, j, steps, mode) => {
    return session.interpolate(session.testImagesUnit(i, 1), session.testImagesUnit(j, 1), steps, mode);
  },
  corruptRepair: (x, kind, level, seed) => session.corruptRepair(x, kind, level, seed, -1),
  testImage: (i) => session.testImagesUnit(i, 1),
  anomaly: (bins, k) => session.anomaly(bins, k),
  knn: (k, n) => session.knn(k, n),
  saveModel: () => session.saveModel(),
};

// Messages are handled one after the other, each to its end: a call or a 'create' arriving while a data
// set loads waits for it (instead of running against a half-switched state).
let queue = Promise.resolve();
self.onmessage = (ev) => { queue = queue.then(() => handle(ev.data)); };

async function handle(m) {
  try {
    switch (m.type) {
      case 'load':
        dropSession();
        await loadBuiltin(m.dataset);
        post({type: 'dataset', info: info(m.dataset), kind: m.dataset});
        break;
      case 'userIdx':
        if (running) { running = false; post({type: 'state', running, finished: false, epochs}); }
        await loadUserIdx(m);
        dropSession();
        post({type: 'dataset', info: info(data.train.name), kind: 'user'});
        break;
      case 'userPngs': {
        if (running) { running = false; post({type: 'state', running, finished: false, epochs}); }
        const note = await loadUserPngs(m.files);
        source = {name: 'png'};
        dropSession();
        post({type: 'dataset', info: info('png folder', note), kind: 'user'});
        break;
      }
      case 'create': {
        // A cvae's condition is the loaded data's classes (as the app's trainer sets it).
        const c = JSON.parse(m.config);
        if (c.model && c.model.type === 'cvae' && data) c.model.num_classes = data.train.classNames.length;
        createSession(JSON.stringify(c), null, null, m.excludeClass);
        break;
      }
      case 'loadModel': {
        // A model file (e.g. written by `ae train`): its config (strictly checked), a session for it on
        // the loaded data, then its weights.
        // The page passes the picked File: its size is checked before it is read (uploads.h).
        ae.checkPageFile(m.file.name, m.file.size);
        const bytes = new Uint8Array(await m.file.arrayBuffer());
        const file = ae.modelFileConfig(bytes, m.name || '');
        // The file's data set, not whatever is loaded: switch to it (built-in sets) or refuse (user files).
        const want = file.data.name;
        if ((want === 'fashion-mnist' || want === 'mnist') && want !== source.name) {
          await loadBuiltin(want);
          // withModel: the page must not make a fresh model for this data (the file's session follows).
          post({type: 'dataset', info: info(want), kind: want, withModel: true});
        } else if (want && want !== source.name) {
          throw new Error(`${m.name || 'model file'} was trained on ${want} data` +
                          (file.data.trainImages ? ` (${file.data.trainImages})` : '') +
                          `, not on the loaded ${source.name || 'data'}: load that data set first`);
        } else if (want === 'idx' && file.data.trainImages && file.data.trainImages !== source.trainImages) {
          throw new Error(`${m.name || 'model file'} was trained on ${file.data.trainImages}, the loaded images are ` +
                          `${source.trainImages}: load those files first`);
        }
        // The class the file's model was trained without stays left out (its anomaly AUROC means that).
        createSession(file.config, bytes, {name: m.name, epoch: file.epoch, step: file.step}, file.data.excludeClass);
        break;
      }
      case 'run':
        if (!session) throw new Error('no model: press Start after loading data');
        if (!running) {
          // Finished: one more epoch per Start (the desktop app's rule); the page shows the new count.
          if (session.epoch() >= epochs) {
            const c = JSON.parse(session.configJson());
            c.train.epochs = epochs = session.epoch() + 1;
            session.setTrainConfig(JSON.stringify(c));
          }
          running = true;
          post({type: 'state', running, finished: false, epochs});
          lastViews = performance.now();
          trainSlice();
        }
        break;
      case 'pause':
        running = false;
        if (session) { sendProgress(); sendViews(); }
        post({type: 'state', running, finished: false, epochs});
        break;
      case 'threads':
        setThreads(m.n);
        break;
      case 'tsne':
        startTsne(m);
        break;
      case 'tsneStop':
        tsne = null;
        if (session) session.tsneStop();
        break;
      case 'field':
        startField(m);
        break;
      case 'fieldStop':
        stopField();
        break;
      case 'step':
        if (!session) throw new Error('no model');
        running = false;
        session.step(m.n || 1);
        sendProgress();
        sendViews();
        post({type: 'state', running, finished: false, epochs});
        break;
      case 'call': {
        let result, error;
        try {
          if (!session && m.fn !== 'normalize' && m.fn !== 'check' && m.fn !== 'checkForm') throw new Error('no model yet');
          result = calls[m.fn](...(m.args || []));
        } catch (e) {
          error = String(e && e.message || e);
        }
        const transfer = [];
        if (result && typeof result === 'object') {
          if (result.buffer) transfer.push(result.buffer);
          else for (const k of Object.keys(result)) if (result[k] && result[k].buffer) transfer.push(result[k].buffer);
        }
        post({type: 'reply', id: m.id, result, error}, transfer);
        break;
      }
      default:
        throw new Error(`unknown message ${m.type}`);
    }
  } catch (e) {
    fail(m.type, e);
  }
}

// The threaded module when the page is cross-origin isolated, else (or when it fails to start) the
// single-threaded one. A pthread Worker of a module loaded inside a Worker finds the module's script only
// through mainScriptUrlOrBlob (there is no document.currentScript here).
async function loadModule() {
  if (self.crossOriginIsolated) {
    try {
      importScripts('ae-mt.js');
      return {module: await createAeModule({mainScriptUrlOrBlob: new URL('ae-mt.js', self.location.href).href}), note: ''};
    } catch (e) {
      importScripts('ae.js');  // replaces createAeModule
      return {module: await createAeModule(), note: `the threaded build failed to start (${e && e.message || e})`};
    }
  }
  importScripts('ae.js');
  return {module: await createAeModule(), note: ''};
}

loadModule().then(({module, note}) => {
  ae = module;
  // Default thread count: all the module offers (min(4, cores)); measured in the README (tests/e2e/bench.test.js).
  threads = ae.maxThreads();
  post({type: 'ready', defaultConfig: ae.defaultConfigJson(), simd: ae.simdInstructionSets(), fields: ae.configFields(),
        lessons: ae.lessons(), terms: ae.lossTerms(), ...threadsInfo(), heapBytes: ae.heapBytes(), buildNote: note});
}, e => fail('module', e));
