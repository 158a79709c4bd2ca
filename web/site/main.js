// The page thread: form, controls, drawing. Training and every computation live in worker.js.
import {LatentMap, drawGrid, images, loadShaders, PALETTE, cssColor} from './gl.js';
import {LossChart} from './chart.js';

const $ = (id) => document.getElementById(id);

// ---- hyperparameter form: driven by the config JSON; this table adds labels and ranges; the choices of
// each string field come from the core (options.h config_choices, sent with the worker's 'ready') ------------
const FIELDS = {
  'model.type': {label: 'model'},
  'model.encoder': {label: 'encoder widths', hint: 'hidden widths, input side first, e.g. 512,256'},
  'model.decoder': {label: 'decoder widths', hint: 'empty = mirror of the encoder'},
  'model.latent': {label: 'latent size', min: 1, max: 512, step: 1},
  'model.activation': {label: 'activation'},
  'model.latent_activation': {label: 'latent activation'},
  'model.output': {label: 'output'},
  'model.loss': {label: 'loss'},
  'model.init': {label: 'init'},
  'model.beta': {label: 'β (KL weight)', min: 0, step: 'any'},
  'model.kl_warmup_epochs': {label: 'β warm-up epochs', min: 0, step: 1},
  'model.corruption': {label: 'corruption'},
  'model.corruption_level': {label: 'corruption level', min: 0, step: 'any'},
  'model.sparsity': {label: 'sparsity penalty'},
  'model.sparsity_weight': {label: 'sparsity λ', min: 0, step: 'any'},
  'model.sparsity_target': {label: 'sparsity target ρ', min: 0, max: 1, step: 'any'},
  'model.contractive_weight': {label: 'contractive λ', min: 0, step: 'any'},
  'train.optimizer': {label: 'optimizer'},
  'train.lr': {label: 'learning rate', min: 0, step: 'any'},
  'train.batch': {label: 'batch size', min: 1, step: 1},
  'train.epochs': {label: 'epochs', min: 1, step: 1},
  'train.seed': {label: 'seed', min: 0, step: 1},
  'train.momentum': {label: 'momentum', min: 0, step: 'any', advanced: true},
  'train.beta1': {label: 'Adam β1', step: 'any', advanced: true},
  'train.beta2': {label: 'Adam β2', step: 'any', advanced: true},
  'train.eps': {label: 'Adam ε', step: 'any', advanced: true},
  'train.weight_decay': {label: 'weight decay', min: 0, step: 'any', advanced: true},
};
const HIDDEN = new Set(['model.input_rows', 'model.input_cols', 'train.threads']);
// When a field applies (others are hidden, keeping their values); absent = always.
const RELEVANT = {
  'model.beta': (m) => m.type === 'vae',
  'model.kl_warmup_epochs': (m) => m.type === 'vae',
  'model.sparsity': (m) => m.type !== 'vae',
  'model.sparsity_weight': (m) => m.type !== 'vae' && m.sparsity !== 'none',
  'model.sparsity_target': (m) => m.type !== 'vae' && m.sparsity === 'kl',
  'model.corruption_level': (m) => m.corruption !== 'none',
  'model.contractive_weight': (m) => m.type === 'contractive',
};
function applyRelevance() {
  const m = formConfig().model;
  for (const el of $('config-form').elements) {
    if (el.name && RELEVANT[el.name]) el.closest('label').hidden = !RELEVANT[el.name](m);
  }
}

const state = {
  worker: null, defaultConfig: null, dataset: null, created: null, running: false, steps: 0, epoch: 0,
  sessionConfig: null, testImages: null, rows: 28, cols: 28, views: null, testLoss: null, testLosses: [],
  samplesPerSec: 0, pending: new Map(), nextId: 1, slowHandlers: [], usedTerms: new Set(), interp: [], errors: [], drawing: false,
};
window.aeLab = state;  // read by the browser tests (tests/e2e)
state.call = (...a) => call(...a);
state.chartSeries = () => chart.series.keys();

function showError(where, message) {
  state.errors.push(`${where}: ${message}`);
  $('error-text').textContent = `${where}: ${message}`;
  $('error').hidden = false;
}
$('error-close').onclick = () => { $('error').hidden = true; };

function call(fn, ...args) {
  const id = state.nextId++;
  return new Promise((resolve, reject) => {
    state.pending.set(id, {resolve, reject});
    const transfer = args.filter(a => a && a.buffer instanceof ArrayBuffer).map(a => a.buffer);
    state.worker.postMessage({type: 'call', id, fn, args}, transfer);
  });
}

// Coalesces calls: at most one in flight per key; the latest request wins.
const inflight = new Map();
function latest(key, fn) {
  const e = inflight.get(key);
  if (e) { e.next = fn; return; }
  const run = async (f) => {
    inflight.set(key, {next: null});
    try { await f(); } catch (err) { showError(key, err.message || err); }
    const n = inflight.get(key).next;
    inflight.delete(key);
    if (n) run(n);
  };
  run(fn);
}

function buildForm(config) {
  const form = $('config-form');
  form.innerHTML = '';
  const adv = document.createElement('details');
  adv.innerHTML = '<summary>more options</summary>';
  const order = Object.keys(FIELDS);
  const rank = (p) => (order.indexOf(p) + order.length + 1) % (order.length + 1);  // unknown fields last
  for (const section of Object.keys(config)) {
    const fs = document.createElement('fieldset');
    fs.innerHTML = `<legend>${section}</legend>`;
    const keys = Object.keys(config[section]).sort((a, b) => rank(`${section}.${a}`) - rank(`${section}.${b}`));
    for (const key of keys) {
      const value = config[section][key];
      const path = `${section}.${key}`;
      if (HIDDEN.has(path)) continue;
      const f = FIELDS[path] || {label: key.replace(/_/g, ' ')};
      const label = document.createElement('label');
      label.textContent = f.label;
      if (f.hint) label.title = f.hint;
      let input;
      if (f.options && typeof value === 'string') {
        input = document.createElement('select');
        const opts = f.options.includes(value) ? f.options : [value, ...f.options];
        for (const o of opts) input.add(new Option(o, o));
        input.value = value;
      } else if (typeof value === 'boolean') {
        input = document.createElement('input');
        input.type = 'checkbox';
        input.checked = value;
      } else {
        input = document.createElement('input');
        if (typeof value === 'number') {
          input.type = 'number';
          for (const a of ['min', 'max', 'step']) if (f[a] !== undefined) input[a] = f[a];
          if (f.step === undefined) input.step = 'any';
        }
        input.value = Array.isArray(value) ? value.join(',') : typeof value === 'number' ? String(Number(value.toPrecision(6))) : value;
      }
      input.name = path;
      input.dataset.kind = Array.isArray(value) ? 'array' : typeof value;
      label.appendChild(input);
      (f.advanced ? adv : fs).appendChild(label);
    }
    form.appendChild(fs);
  }
  form.appendChild(adv);
  form.addEventListener('change', onConfigEdited);
}

// Removes the options the core rejects (model types etc. not in this build), asking the core itself.
async function pruneOptions() {
  const base = JSON.parse(state.defaultConfig);
  for (const sel of $('config-form').querySelectorAll('select')) {
    const [section, key] = sel.name.split('.');
    for (const opt of [...sel.options]) {
      const c = structuredClone(base);
      c[section][key] = opt.value;
      try { await call('check', JSON.stringify(c)); } catch (e) { if (/expected|unknown|one of|not implemented/i.test(e.message)) opt.remove(); }
    }
  }
}

// Shows a config (e.g. a loaded model's) in the form.
function setFormValues(config) {
  for (const el of $('config-form').elements) {
    if (!el.name) continue;
    const [section, key] = el.name.split('.');
    const v = config[section] && config[section][key];
    if (v === undefined) continue;
    if (el.dataset.kind === 'boolean') el.checked = v;
    else if (Array.isArray(v)) el.value = v.join(',');
    else if (typeof v === 'number') el.value = String(Number(v.toPrecision(6)));
    else {
      if (el.tagName === 'SELECT' && ![...el.options].some(o => o.value === v)) el.add(new Option(v, v));
      el.value = v;
    }
  }
}

function formConfig() {
  const c = JSON.parse(state.defaultConfig);
  for (const el of $('config-form').elements) {
    if (!el.name) continue;
    const [section, key] = el.name.split('.');
    const kind = el.dataset.kind;
    let v;
    if (kind === 'array') v = el.value.trim() === '' ? [] : el.value.split(',').map(s => Number(s.trim()));
    else if (kind === 'number') v = el.value.trim() === '' ? NaN : Number(el.value);
    else if (kind === 'boolean') v = el.checked;
    else v = el.value;
    c[section][key] = v;
  }
  if (state.dataset) { c.model.input_rows = state.dataset.rows; c.model.input_cols = state.dataset.cols; }
  return c;
}

async function normalizedFormConfig() {
  try {
    const text = await call('normalize', JSON.stringify(formConfig()));
    $('config-error').textContent = '';
    return text;
  } catch (e) {
    $('config-error').textContent = e.message;
    throw e;
  }
}

async function onConfigEdited(ev) {
  // A new model type brings its own defaults (the core's per-type defaults), training options stay.
  if (ev && ev.target && ev.target.name === 'model.type') {
    const c = formConfig();
    const fresh = {model: {type: c.model.type, input_rows: c.model.input_rows, input_cols: c.model.input_cols},
                   train: c.train};
    try { setFormValues(JSON.parse(await call('normalize', JSON.stringify(fresh)))); } catch (e) { /* shown below */ }
  }
  applyRelevance();
  normalizedFormConfig().then(() => {}, () => {});
  updateButtons();
}

// ---- confirmation (in-page, non-blocking) -----------------------------------------------------------------
function confirmDiscard(text) {
  // Nothing to lose when no step was trained here (a loaded model file continues its own step count).
  if (!state.created || state.steps === (state.stepsLoaded || 0)) return Promise.resolve(true);
  return new Promise((resolve) => {
    $('confirm-text').textContent = text;
    $('confirm').hidden = false;
    $('confirm-yes').onclick = () => { $('confirm').hidden = true; resolve(true); };
    $('confirm-no').onclick = () => { $('confirm').hidden = true; resolve(false); };
  });
}

// ---- controls ---------------------------------------------------------------------------------------------
function updateButtons() {
  const haveData = !!state.dataset;
  $('start').disabled = !haveData || state.running;
  $('pause').disabled = !state.running;
  $('step').disabled = !haveData || state.running;
  $('reset').disabled = !state.created;
  $('save-model').disabled = !state.created;
  $('an-run').disabled = !state.created;
  $('start').textContent = state.created && state.steps > 0 ? 'Resume' : 'Start';
}

async function ensureModel(reason) {
  const config = await normalizedFormConfig();
  if (state.created && config === state.sessionConfig) return true;
  if (state.created && !(await confirmDiscard(`The settings changed: ${reason} discards the trained model (${state.steps} steps).`))) {
    return false;
  }
  await createModel(config);
  return true;
}

function createModel(config) {
  return new Promise((resolve) => {
    state.onCreated = resolve;
    state.worker.postMessage({type: 'create', config});
  });
}

$('start').onclick = async () => {
  try { if (await ensureModel('starting')) state.worker.postMessage({type: 'run'}); } catch (e) { /* shown in the form */ }
};
$('pause').onclick = () => state.worker.postMessage({type: 'pause'});
$('step').onclick = async () => {
  try { if (await ensureModel('stepping')) state.worker.postMessage({type: 'step', n: 1}); } catch (e) { /* shown */ }
};
$('reset').onclick = async () => {
  if (!(await confirmDiscard(`Reset discards the trained model (${state.steps} steps).`))) return;
  try { await createModel(await normalizedFormConfig()); } catch (e) { /* shown */ }
};

// ---- data -------------------------------------------------------------------------------------------------
function beginLoad(text) {
  $('load-status').textContent = text;
  $('load-progress').hidden = false;
  $('load-progress').value = 0;
  state.loadTotals = {};
}
$('load-data').onclick = async () => {
  if (!(await confirmDiscard(`Loading other data discards the trained model (${state.steps} steps).`))) return;
  beginLoad('loading…');
  state.worker.postMessage({type: 'load', dataset: $('dataset').value});
};
$('load-idx').onclick = async () => {
  const f = (id) => $(id).files[0] || null;
  if (!f('idx-images')) { showError('data', 'choose an IDX image file first'); return; }
  if (!(await confirmDiscard(`Loading other data discards the trained model (${state.steps} steps).`))) return;
  beginLoad('reading IDX files…');
  state.worker.postMessage({type: 'userIdx', trainImages: f('idx-images'), trainLabels: f('idx-labels'),
                            testImages: f('idx-test-images'), testLabels: f('idx-test-labels')});
};
$('png-folder').onchange = async () => {
  const files = [...$('png-folder').files];
  if (!files.length) return;
  if (!(await confirmDiscard(`Loading other data discards the trained model (${state.steps} steps).`))) return;
  beginLoad('reading PNG files…');
  state.worker.postMessage({type: 'userPngs', files});
};

// ---- views ------------------------------------------------------------------------------------------------
const chart = new LossChart($('loss-chart'));
let map = null;

function testPixels(i) {
  const D = state.rows * state.cols;
  return Float32Array.from(state.testImages.subarray(i * D, (i + 1) * D), v => v / 255);
}

function drawRecon(v) {
  const D = v.rows * v.cols, both = new Float32Array(2 * v.k * D);
  both.set(v.inputs, 0);
  both.set(v.reconstructions, v.k * D);
  drawGrid($('recon'), both, 2 * v.k, v.rows, v.cols, v.k, 48);
}

function drawLegend(names) {
  $('legend').innerHTML = names.map((n, i) =>
    `<span><i style="background:${cssColor(PALETTE[Math.min(i, 14)])}"></i>${n}</span>`).join('');
}

function onViews(v) {
  state.views = v;
  drawRecon(v);
  map.setPoints(v.points, v.codeLabels);
  drawLegend(v.classNames);
  $('map-note').textContent = v.latent > 2 ? `(PCA projection of the ${v.latent}-D codes: first two principal components, ` +
      `${Math.round(100 * v.explained)}% of their variance)`
    : v.latent === 2 ? '(the 2-D codes themselves)' : '(1-D codes on the x axis)';
  refreshDependentViews();
}

function refreshDependentViews() {
  refreshManifold();
  refreshSamples();
  if (state.interp.length === 2) refreshInterpolation();
  if (state.drawn) refreshDrawing();
  refreshDenoise();
}

function refreshManifold() {
  if (!state.created) return;
  latest('manifold', async () => {
    const n = Math.max(2, Math.min(32, Number($('mf-n').value) || 12));
    // The core's one manifold definition (manifold.h) over the map's plane, range from quantiles q .. 1 - q.
    const q = Math.min(0.49, Math.max(0.001, Number($('mf-q').value) || 0.01));
    const r = await call('manifold', n, $('mf-spacing').value, 'map', q, 1 - q);
    drawGrid($('manifold'), r.images, n * n, state.rows, state.cols, n, Math.max(16, Math.floor(400 / n) - 2), 1);
  });
}
for (const id of ['mf-spacing', 'mf-n', 'mf-q']) $(id).addEventListener('change', refreshManifold);

function refreshInterpolation() {
  const [a, b] = state.interp;
  latest('interpolation', async () => {
    const steps = Math.max(2, Math.min(32, Number($('ip-steps').value) || 10));
    const r = await call('interpolate', a.x, b.x, steps, $('ip-mode').value);
    drawGrid($('interp'), r.decoded, steps, state.rows, state.cols, steps, 40);
    drawGrid($('blend'), r.blend, steps, state.rows, state.cols, steps, 40);
    state.extraPath = r.points;
    showExtras();
    const name = (p) => typeof p.i === 'number' ? `test image #${p.i}` : p.i;
    $('interp-note').textContent = `(${name(a)} → ${name(b)})`;
  });
}
for (const id of ['ip-mode', 'ip-steps']) $(id).addEventListener('change', () => state.interp.length === 2 && refreshInterpolation());
// Clicking an image in the reconstructions grid also picks an interpolation end (its test image).
$('recon').addEventListener('click', (e) => {
  const v = state.views;
  if (!v) return;
  const c = $('recon'), r = c.getBoundingClientRect();
  const col = Math.floor((e.clientX - r.left) * c.width / r.width / 50);
  if (col < 0 || col >= v.k) return;
  const D = v.rows * v.cols;
  const pick = {i: `grid ${col + 1}`, x: v.inputs.slice(col * D, (col + 1) * D)};
  state.interp = state.interp.length === 1 ? [state.interp[0], pick] : [pick];
  if (state.interp.length === 2) refreshInterpolation();
  else $('interp-note').textContent = `(first image: reconstructions grid ${col + 1}; click a second image)`;
});

$('ip-random').onclick = () => {
  if (!state.views) return;
  const m = state.views.m;
  const i = Math.floor(Math.random() * m), j = (i + 1 + Math.floor(Math.random() * (m - 1))) % m;
  state.interp = [{i, x: testPixels(i)}, {i: j, x: testPixels(j)}];
  refreshInterpolation();
};

// Hover and click on the latent map.
function installMapInput() {
  const c = $('latent-map');
  c.addEventListener('pointermove', (e) => {
    if (e.buttons || !state.views) return;
    const r = c.getBoundingClientRect();
    const i = map.pick(e.clientX - r.left, e.clientY - r.top);
    if (i === map.highlight) return;
    map.highlight = i;
    map.draw();
    if (i < 0) { $('hover').hidden = true; return; }
    latest('hover', async () => {
      const res = await call('inspect', testPixels(i));
      const both = new Float32Array(2 * state.rows * state.cols);
      both.set(testPixels(i), 0);
      both.set(res.reconstruction, state.rows * state.cols);
      drawGrid($('hover-img'), both, 2, state.rows, state.cols, 2, 56);
      const label = state.views.codeLabels[i];
      $('hover-text').textContent = `#${i} ${state.views.classNames[label] ?? label}: input, reconstruction`;
      // The preview sits in the corner away from the cursor.
      const left = e.clientX - r.left < r.width / 2;
      $('hover').style.left = left ? 'auto' : '4px';
      $('hover').style.right = left ? '4px' : 'auto';
      $('hover').hidden = false;
    });
  });
  c.addEventListener('pointerleave', () => { $('hover').hidden = true; map.highlight = -1; map.draw(); });
  c.addEventListener('click', (e) => {
    if (map.wasDrag() || !state.views) return;
    const r = c.getBoundingClientRect();
    const i = map.pick(e.clientX - r.left, e.clientY - r.top);
    if (i < 0) return;
    state.interp = state.interp.length === 1 ? [state.interp[0], {i, x: testPixels(i)}] : [{i, x: testPixels(i)}];
    if (state.interp.length === 2) refreshInterpolation();
    else $('interp-note').textContent = `(first image #${i}; click a second point)`;
  });
  $('map-fit').onclick = () => map.resetView();
}

// Draw canvas: strokes at 224 px, scaled to the image size by the browser, sent to the core.
function installDraw() {
  const c = $('draw'), ctx = c.getContext('2d');
  const small = document.createElement('canvas');
  const clear = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, c.width, c.height); };
  clear();
  let last = null, timer = 0;
  const pos = (e) => { const r = c.getBoundingClientRect(); return [(e.clientX - r.left) * c.width / r.width, (e.clientY - r.top) * c.height / r.height]; };
  c.addEventListener('pointerdown', (e) => { c.setPointerCapture(e.pointerId); last = pos(e); stroke(last, last); });
  c.addEventListener('pointermove', (e) => { if (!last) return; const p = pos(e); stroke(last, p); last = p; });
  c.addEventListener('pointerup', () => { last = null; state.drawn = true; refreshDrawing(); });
  function stroke(a, b) {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = c.width / 11;
    ctx.lineCap = 'round';
    ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
    state.drawn = true;
    const now = performance.now();
    if (now - timer > 60) { timer = now; refreshDrawing(); }
  }
  state.drawnPixels = () => {
    small.width = state.cols; small.height = state.rows;
    const s = small.getContext('2d', {willReadFrequently: true});
    s.drawImage(c, 0, 0, small.width, small.height);
    const px = s.getImageData(0, 0, small.width, small.height).data;
    return Float32Array.from({length: small.width * small.height}, (_, k) => px[4 * k] / 255);
  };
  $('draw-clear').onclick = () => { clear(); state.drawn = false; state.extraDraw = null; showExtras(); drawGrid($('draw-recon'), new Float32Array(state.rows * state.cols), 1, state.rows, state.cols, 1, 168); };
}

// Marked points on the map: the interpolation path, then the drawn image's code (emphasised, last).
function showExtras() {
  const parts = [state.extraPath, state.extraDraw].filter(Boolean);
  const n = parts.reduce((a, p) => a + p.length, 0);
  if (!n) { map.setExtra(null); return; }
  const all = new Float32Array(n);
  let o = 0;
  for (const p of parts) { all.set(p, o); o += p.length; }
  map.setExtra(all);
}

function refreshDrawing() {
  if (!state.created || !state.drawn) return;
  latest('draw', async () => {
    const r = await call('inspect', state.drawnPixels());
    drawGrid($('draw-recon'), r.reconstruction, 1, state.rows, state.cols, 1, 168);
    state.drawnReconstruction = r.reconstruction;
    state.extraDraw = r.point;
    showExtras();
  });
}

// Denoise / inpaint: a test image, a painted mask (pixels set to 0) and noise; the core repairs it.
function installDenoise() {
  const c = $('dn-input');
  state.mask = null;
  let painting = false;
  const paint = (e) => {
    const r = c.getBoundingClientRect();
    const x = Math.floor((e.clientX - r.left) / r.width * state.cols), y = Math.floor((e.clientY - r.top) / r.height * state.rows);
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx, yy = y + dy;
      if (xx >= 0 && yy >= 0 && xx < state.cols && yy < state.rows) state.mask[yy * state.cols + xx] = 1;
    }
    refreshDenoise();
  };
  c.addEventListener('pointerdown', (e) => { if (!state.mask) return; painting = true; c.setPointerCapture(e.pointerId); paint(e); });
  c.addEventListener('pointermove', (e) => { if (painting) paint(e); });
  c.addEventListener('pointerup', () => { painting = false; });
  $('dn-clear').onclick = () => { if (state.mask) state.mask.fill(0); refreshDenoise(); };
  $('dn-random').onclick = () => { if (state.views) { $('dn-index').value = Math.floor(Math.random() * state.views.m); refreshDenoise(); } };
  $('dn-kind').addEventListener('change', () => {
    // Sensible level per kind (block: a side length in pixels).
    $('dn-level').value = {gaussian: 0.3, salt_pepper: 0.2, masking: 0.3, block: 12, none: 0}[$('dn-kind').value];
    refreshDenoise();
  });
  for (const id of ['dn-index', 'dn-level']) $(id).addEventListener('change', refreshDenoise);
}

function refreshDenoise() {
  if (!state.created || !state.testImages) return;
  latest('denoise', async () => {
    const D = state.rows * state.cols;
    if (!state.mask || state.mask.length !== D) state.mask = new Uint8Array(D);
    const i = Math.max(0, Math.min(state.views.m - 1, Number($('dn-index').value) || 0));
    const x = testPixels(i);
    for (let k = 0; k < D; k++) if (state.mask[k]) x[k] = 0;
    const r = await call('corruptRepair', x, $('dn-kind').value, Number($('dn-level').value) || 0, i + 1);
    images($('dn-input')).draw([{pixels: r.corrupted, x: 0, y: 0, w: 168, h: 168}], state.rows, state.cols);
    drawGrid($('dn-repair'), r.repaired, 1, state.rows, state.cols, 1, 168);
  });
}

$('an-run').onclick = () => latest('anomaly', async () => {
  $('an-note').textContent = 'computing…';
  const r = await call('anomaly', 40, 16);
  drawHistogram($('an-hist'), r.counts, r.maxError);
  const D = state.rows * state.cols, k = r.worst.length, both = new Float32Array(2 * k * D);
  both.set(r.inputs, 0);
  both.set(r.reconstructions, k * D);
  drawGrid($('an-worst'), both, 2 * k, state.rows, state.cols, k, 40);
  $('an-note').textContent = `${r.errors.length} test images; worst: ${Array.from(r.worstErrors.slice(0, 3), e => e.toFixed(4)).join(', ')}…`;
  const kn = await call('knn', 5, 10000);
  const fmt = (v, d) => Number.isFinite(v) ? v.toFixed(d) : '–';
  const rows = [['test MSE per pixel', fmt(r.mse, 5)], ['PSNR (dB, mean per image)', fmt(r.psnr, 2)],
                [`SSIM (first ${r.ssimImages} images)`, fmt(r.ssim, 4)],
                [`5-NN accuracy of the codes (${kn.nTrain} train → ${kn.nTest} test)`, fmt(kn.accuracy, 4)]];
  const au = Array.from(r.aurocByClass, (a, c) => `${r.classNames[c]} ${fmt(a, 3)}`).join(', ');
  $('an-metrics').innerHTML = rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('') +
    `<tr><th>AUROC of the error, each class as the anomaly</th><td>${au}</td></tr>`;
  state.anomaly = {n: r.errors.length, k, mse: r.mse, psnr: r.psnr, ssim: r.ssim, knn: kn.accuracy};
});

function drawHistogram(c, counts, maxError) {
  const dpr = window.devicePixelRatio || 1;
  c.width = c.clientWidth * dpr; c.height = c.clientHeight * dpr;
  const ctx = c.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const W = c.clientWidth, H = c.clientHeight, B = 18, top = Math.max(...counts, 1);
  ctx.clearRect(0, 0, W, H);
  const bw = W / counts.length;
  ctx.fillStyle = '#47a';
  counts.forEach((n, i) => { const h = n / top * (H - B - 4); ctx.fillRect(i * bw + 1, H - B - h, bw - 2, h); });
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  ctx.fillText('0', 2, H - 4);
  ctx.fillText(maxError.toPrecision(3), W - 40, H - 4);
  ctx.fillText(`max count ${top}`, 4, 12);
}

$('save-model').onclick = async () => {
  try {
    const bytes = await call('saveModel');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([bytes], {type: 'application/octet-stream'}));
    a.download = 'model.safetensors';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (e) { showError('save', e.message); }
};
$('load-model').onchange = async () => {
  const f = $('load-model').files[0];
  if (!f) return;
  if (!state.dataset) { showError('model file', 'load a data set first'); return; }
  if (!(await confirmDiscard(`Loading ${f.name} discards the trained model (${state.steps} steps).`))) return;
  const bytes = await f.arrayBuffer();
  state.worker.postMessage({type: 'loadModel', bytes, name: f.name}, [bytes]);
  $('load-model').value = '';
};

// Samples: from the prior for a VAE, else from a Gaussian fitted to the test codes (decided by the core).
let sampleSeed = 1;
function refreshSamples() {
  if (!state.created) return;
  latest('samples', async () => {
    const r = await call('samples', 32, sampleSeed);
    drawGrid($('samples'), r.images, 32, state.rows, state.cols, 16, 40);
    $('samples-note').textContent = `(decoded draws from the ${r.source})`;
  });
}
$('samples-new').onclick = () => { sampleSeed++; refreshSamples(); };

// ---- messages from the worker -----------------------------------------------------------------------------
const TERM_NAMES = {};  // name -> label, from the core (options.h loss_terms, sent with 'ready')
const TERM_COLORS = {total: '#222', reconstruction: '#2a8', kl: '#a3c', sparsity: '#d80', contractive: '#38c'};
// The total always; the reconstruction and each KL / penalty term once any of them is non-zero.
function shownTerms() {
  return state.usedTerms.size ? ['total', 'reconstruction', ...state.usedTerms] : ['total'];
}
function addTestPoint(step, terms) {
  for (const term of shownTerms()) chart.add(`test ${TERM_NAMES[term]}`, TERM_COLORS[term], true, step, terms[term]);
}

function onProgress(p) {
  state.epoch = p.epoch;
  state.steps = p.steps;
  state.samplesPerSec = p.samplesPerSec;
  const first = p.steps - p.newLosses.length;
  const T = p.newTerms;
  for (const k of ['kl', 'sparsity', 'contractive']) if (T[k].some(v => v !== 0)) state.usedTerms.add(k);
  for (let i = 0; i < p.newLosses.length; i++) {
    for (const term of shownTerms()) chart.add(`train ${TERM_NAMES[term]}`, TERM_COLORS[term], false, first + i + 1, T[term][i]);
  }
  state.epochStats = p.epochStats;
  for (const s of p.epochStats) {
    if (!state.testLosses.some(t => t.epoch === s.epoch && t.fromEpoch)) {
      state.testLosses.push({step: s.epoch * p.batchesPerEpoch, loss: s.testLoss, terms: s.testTerms, epoch: s.epoch, fromEpoch: true});
      addTestPoint(s.epoch * p.batchesPerEpoch, s.testTerms);
    }
  }
  chart.compact();
  scheduleChart();
  $('st-epoch').textContent = `${p.epoch} (${p.batchInEpoch}/${p.batchesPerEpoch})`;
  $('st-step').textContent = String(p.steps);
  $('st-rate').textContent = p.samplesPerSec ? Math.round(p.samplesPerSec).toLocaleString('en') : '–';
  $('st-message').textContent = p.message || '';
  if (p.diverged && !state.divergedShown) {
    state.divergedShown = true;
    showError('training stopped', p.message);
  }
  updateButtons();
}
let chartQueued = false;
function scheduleChart() {
  if (chartQueued) return;
  chartQueued = true;
  requestAnimationFrame(() => { chartQueued = false; chart.draw(); });
}

async function evaluateTest() {
  const r = await call('evaluate');
  state.testLoss = r.loss;
  state.testLosses.push({step: state.steps, loss: r.loss, terms: r.terms});
  addTestPoint(state.steps, r.terms);
  scheduleChart();
  $('st-test').textContent = r.loss.toFixed(4);
}

function onMessage(ev) {
  const m = ev.data;
  switch (m.type) {
    case 'ready':
      state.defaultConfig = m.defaultConfig;
      for (const [path, values] of Object.entries(m.choices)) FIELDS[path] = {...(FIELDS[path] || {}), options: values};
      for (const t of m.terms) TERM_NAMES[t.name] = t.label;
      $('simd').textContent = `WebAssembly SIMD: ${m.simd}`;
      buildForm(JSON.parse(m.defaultConfig));
      applyRelevance();
      pruneOptions().catch(e => showError('form', e.message));
      $('load-data').click();
      break;
    case 'loadProgress': {
      state.loadTotals[m.what] = [m.loaded, m.total];
      let l = 0, t = 0;
      for (const [a, b] of Object.values(state.loadTotals)) { l += a; t += b; }
      $('load-progress').value = t ? l / t : 0;
      $('load-status').textContent = `loading ${(l / 1e6).toFixed(1)} / ${(t / 1e6).toFixed(1)} MB`;
      break;
    }
    case 'dataset':
      state.dataset = m.info;
      state.created = false;
      state.steps = 0;
      $('load-progress').hidden = true;
      $('load-status').textContent = `${m.info.name}: ${m.info.trainCount.toLocaleString('en')} train / ` +
        `${m.info.testCount.toLocaleString('en')} test, ${m.info.rows}×${m.info.cols}, ${m.info.classNames.length} classes`;
      updateButtons();
      break;
    case 'created':
      state.created = true;
      state.stepsLoaded = m.fromFile ? m.fromFile.step : 0;
      state.usedTerms = new Set();
      state.divergedShown = false;
      state.sessionConfig = m.config;
      state.unit = m.unit;
      $('loss-unit').textContent = m.unit;
      if (m.fromFile) {
        setFormValues(JSON.parse(m.config));
        applyRelevance();
        $('model-status').textContent = `${m.fromFile.name}: trained ${m.fromFile.epoch} epochs, ${m.fromFile.step} steps`;
        state.loadedModel = m.fromFile;
      } else {
        $('model-status').textContent = '';
      }
      state.testImages = m.testImages;
      state.rows = m.rows;
      state.cols = m.cols;
      state.steps = 0;
      state.testLosses = [];
      state.testLoss = null;
      state.interp = [];
      state.mask = null;
      state.extraPath = state.extraDraw = null;
      showExtras();
      map.autoFit = true;
      chart.clear();
      $('st-test').textContent = '–';
      evaluateTest();
      if (state.onCreated) { state.onCreated(); state.onCreated = null; }
      updateButtons();
      break;
    case 'progress':
      onProgress(m);
      break;
    case 'views':
      onViews(m);
      break;
    case 'state':
      if (state.running && !m.running && state.created) evaluateTest().catch(e => showError('evaluate', e.message));
      state.running = m.running;
      updateButtons();
      break;
    case 'reply': {
      const p = state.pending.get(m.id);
      state.pending.delete(m.id);
      if (p) m.error ? p.reject(new Error(m.error)) : p.resolve(m.result);
      break;
    }
    case 'error':
      if (m.where === 'load' || m.where === 'userIdx' || m.where === 'userPngs') {
        $('load-progress').hidden = true;
        $('load-status').textContent = state.dataset ? `still using ${state.dataset.name}` : 'not loaded';
      }
      if (m.where === 'create' && state.onCreated) { $('config-error').textContent = m.message; }
      showError(m.place || m.where, m.message);
      break;
  }
}

const IMAGE_CANVASES = ['samples', 'recon', 'manifold', 'interp', 'blend', 'draw-recon', 'dn-input', 'dn-repair', 'an-worst', 'hover-img'];

async function main() {
  try {
    await loadShaders();
    map = new LatentMap($('latent-map'));
    state.map = map;
    // Every image view's WebGL2 context now, while nothing runs: creating a context and compiling its
    // shaders blocks the page thread for 50-800 ms under a software GL, which must not happen mid-training.
    // Also at their default sizes: resizing a WebGL canvas makes Chromium wait for the GPU process.
    const blank = (id, k, perRow, cell, gap = 2) => {
      const c = $(id);
      c.width = perRow * (cell + gap) + gap;
      c.height = Math.ceil(k / perRow) * (cell + gap) + gap;
      images(c).draw([], 28, 28, 0.96);
    };
    blank('recon', 32, 16, 48);
    blank('manifold', 144, 12, Math.max(16, Math.floor(400 / 12) - 2), 1);
    blank('interp', 10, 10, 40);
    blank('blend', 10, 10, 40);
    blank('draw-recon', 1, 1, 168);
    blank('samples', 32, 16, 40);
    blank('dn-repair', 1, 1, 168);
    blank('an-worst', 32, 16, 40);
    blank('hover-img', 2, 2, 56);
    images($('dn-input')).draw([], 28, 28, 0);
    installMapInput();
    installDraw();
    installDenoise();
    window.addEventListener('resize', () => { map.draw(); chart.draw(); });
  } catch (e) {
    showError('page', e.message);
  }
  state.worker = new Worker('worker.js');
  state.worker.onmessage = (ev) => {
    const t0 = performance.now();
    onMessage(ev);
    const dt = performance.now() - t0;
    if (dt > 30) state.slowHandlers.push([ev.data.type, Math.round(dt)]);  // read by the tests
  };
  state.worker.onerror = (e) => showError('worker', e.message);
}
main();
