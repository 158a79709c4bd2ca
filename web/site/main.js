// The page thread: form, controls, drawing. Training and every computation live in worker.js.
import {LatentMap, FieldView, drawGrid, drawGrid2d, images, loadShaders, PALETTE, cssColor} from './gl.js';
import {LossChart} from './chart.js';
import {installThreadControl} from './threads.js';

const $ = (id) => document.getElementById(id);
// Writes text only when it changed: the status fields are set ten times a second while training, and
// every write invalidates the page's layout.
const setText = (id, text) => { const el = $(id); if (el.textContent !== text) el.textContent = text; };

// ---- hyperparameter form: generated from the core's description of the options (options.h
// config_fields, sent with the worker's 'ready'): labels, help, units, ranges, which model types a field
// applies to. Every check is the core's too (ae::form_check through the worker's 'checkForm'): a bad value
// is marked on its field with the core's message, and Start / Step / Reset wait until it is fixed. --------
let FIELDS = [];  // [{path, flag, label, help, unit, kind, choices, range, group, advanced, live, types}]
const formCheck = {result: null, seq: 0, pending: 0};  // the last check: {configJson, errors, applies, values}
const formHasErrors = () => !!formCheck.result && Object.keys(formCheck.result.errors).length > 0;

const state = {
  worker: null, defaultConfig: null, dataset: null, created: null, running: false, steps: 0, epoch: 0,
  sessionConfig: null, testImages: null, rows: 28, cols: 28, views: null, testLoss: null, testLosses: [],
  samplesPerSec: 0, pending: new Map(), nextId: 1, slowHandlers: [], usedTerms: new Set(), interp: [], errors: [], drawing: false,
};
window.aeLab = state;  // read by the browser tests (tests/e2e)
state.call = (...a) => call(...a);
state.chartSeries = () => chart.series.keys();
state.chartScale = () => chart.scale();
state.fields = () => FIELDS;
state.formChecked = () => formCheck.pending === 0;  // no check of the form in flight (tests)
state.testLabel = (i) => state.views && i < state.views.codeLabels.length ? state.views.codeLabels[i] : undefined;

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
    // Arguments are copied (structured clone), never transferred: the page keeps using them (the
    // interpolation ends are sent again on every view update; a transferred buffer would be detached).
    state.worker.postMessage({type: 'call', id, fn, args});
  });
}

// Coalesces calls: at most one in flight per key; the latest request wins.
const inflight = new Map();
function latest(key, fn) {
  const e = inflight.get(key);
  if (e) { e.next = fn; return; }
  const run = async (f) => {
    inflight.set(key, {next: null});
    try { await f(); } catch (err) { if (state.created) showError(key, err.message || err); }
    const n = inflight.get(key).next;
    inflight.delete(key);
    if (n) run(n);
  };
  run(fn);
}

function buildForm() {
  const form = $('config-form');
  form.innerHTML = '';
  const adv = document.createElement('details');
  adv.innerHTML = '<summary>more options</summary>';
  const groups = new Map();
  for (const f of FIELDS) {
    if (f.group === 'data' || f.group === 'compute') continue;  // the data set sets the input size
    if (!f.advanced && !groups.has(f.group)) {
      const fs = document.createElement('fieldset');
      fs.innerHTML = `<legend>${f.group}</legend>`;
      groups.set(f.group, fs);
      form.appendChild(fs);
    }
    const label = document.createElement('label');
    label.dataset.field = f.path;
    const name = document.createElement('span');
    name.textContent = f.label + (f.unit && f.kind !== 'layers' && !f.label.includes(f.unit) ? ` (${f.unit})` : '');
    label.appendChild(name);
    label.title = `${f.help}; ${f.range}${f.live ? '; applies while training' : '; a change needs a new model'}`;
    let input;
    if (f.kind === 'choice') {
      input = document.createElement('select');
      for (const o of f.choices) input.add(new Option(o, o));
    } else {
      // Text, not type=number: the core reads the text and says what is wrong with it ("'abc' is not a
      // number"); a number input would hand it an empty string.
      input = document.createElement('input');
      input.type = 'text';
      input.inputMode = f.kind === 'layers' ? 'text' : 'decimal';
      input.spellcheck = false;
    }
    input.name = f.path;
    const err = document.createElement('span');
    err.className = 'field-error';
    err.id = `err-${f.path.replace('.', '-')}`;
    err.setAttribute('aria-live', 'polite');
    input.setAttribute('aria-describedby', err.id);
    label.append(input, err);
    (f.advanced ? adv : groups.get(f.group)).appendChild(label);
  }
  form.appendChild(adv);
  addArchitecturePicker(form);
  form.addEventListener('change', onConfigEdited);
  // Checked while typing too (the latest text wins), so the mark appears before the field is left.
  form.addEventListener('input', (ev) => { if (ev.target.tagName === 'INPUT') latest('form', () => checkForm()); });
}

// The architecture picker beside the encoder field: fills the (still editable) layer lists.
const ARCHITECTURES = {
  mlp: {label: 'MLP (Dense layers)', encoder: null, decoder: ''},
  strided: {label: 'convolutional, strided convolutions', encoder: 'c32k4s2p1,c64k4s2p1', decoder: ''},
  pooling: {label: 'convolutional, pooling + upsampling', encoder: 'c16k3,m2,c8k3,m2', decoder: ''},
};
function addArchitecturePicker(form) {
  const enc = form.elements['model.encoder'];
  if (!enc) return;
  const label = document.createElement('label');
  label.append('architecture');
  const sel = document.createElement('select');
  sel.id = 'architecture';
  for (const [k, a] of Object.entries(ARCHITECTURES)) sel.add(new Option(a.label, k));
  sel.value = /[a-z]/i.test(enc.value) ? (/m\d/.test(enc.value) ? 'pooling' : 'strided') : 'mlp';
  sel.addEventListener('change', () => {
    const a = ARCHITECTURES[sel.value];
    const type = form.elements['model.type'] ? form.elements['model.type'].value : 'ae';
    enc.value = a.encoder !== null ? a.encoder : (type === 'vae' ? '400' : type === 'linear' || type === 'sparse' || type === 'contractive' ? '' : '512,256');
    form.elements['model.decoder'].value = a.decoder;
    enc.dispatchEvent(new Event('change', {bubbles: true}));
  });
  label.appendChild(sel);
  enc.closest('label').before(label);
}

// The base a form is checked against: the defaults, with the loaded data's image size.
function baseConfig() {
  const c = JSON.parse(state.defaultConfig);
  if (state.dataset) { c.model.input_rows = state.dataset.rows; c.model.input_cols = state.dataset.cols; }
  return JSON.stringify(c);
}
function formTexts() {
  const out = [];
  for (const el of $('config-form').elements) if (el.name && el.name.includes('.')) out.push([el.name, el.value]);
  return out;
}
// Shows the texts of a check's values (the core's formatting) in the form.
function setFormValues(values) {
  for (const el of $('config-form').elements) {
    if (!el.name || values[el.name] === undefined) continue;
    const v = values[el.name];
    if (el.tagName === 'SELECT' && ![...el.options].some(o => o.value === v)) el.add(new Option(v, v));
    el.value = v;
  }
  const arch = $('architecture'), enc = $('config-form').elements['model.encoder'];
  if (arch && enc) arch.value = /[a-z]/i.test(enc.value) ? (/m\d/.test(enc.value) ? 'pooling' : 'strided') : 'mlp';
}
// A config (a loaded model's, JSON text) into the form.
async function setFormConfig(configJson) {
  const r = JSON.parse(await call('checkForm', configJson, '[]'));
  setFormValues(r.values);
  showFormCheck(r);
}
// Checks the form in the core. A new model type starts from its defaults (training options stay), as
// `ae train --model` does. Returns the check of the texts as they were; only the latest check started
// is shown (an older one finishing later must not overwrite it).
async function checkForm(changed) {
  const seq = ++formCheck.seq;
  let given = formTexts();
  if (changed === 'model.type') given = given.filter(([p]) => p === 'model.type' || p.startsWith('train.'));
  formCheck.pending++;
  const p = call('checkForm', baseConfig(), JSON.stringify(given)).then(JSON.parse);
  // A model type's defaults fill the form whatever else is checked meanwhile; Start waits for them.
  if (changed === 'model.type') {
    formCheck.typeChange = p.then(v => {
      setFormValues(v.values);
      if (seq !== formCheck.seq) return checkForm();  // a check of the old texts came in between: redo it
    }).then(() => {}, () => {});
  }
  let r;
  try { r = await p; } finally { formCheck.pending--; }
  if (seq === formCheck.seq) showFormCheck(r);
  return r;
}
function showFormCheck(r) {
  formCheck.result = r;
  for (const label of $('config-form').querySelectorAll('label[data-field]')) {
    const path = label.dataset.field;
    label.hidden = r.applies[path] === false;
    const input = label.querySelector('[name]'), err = label.querySelector('.field-error');
    const msg = r.errors[path] || '';
    if (input.getAttribute('aria-invalid') !== String(!!msg)) input.setAttribute('aria-invalid', String(!!msg));
    if (err.textContent !== msg) err.textContent = msg;
  }
  $('config-error').textContent = r.errors[''] || (formHasErrors() ? 'Fix the marked fields to train.' : '');
  updateButtons();
  writeLink();
}

// ---- shareable state: the data set and every option that applies to the model type in the URL hash
// (#data=mnist&model.type=vae&model.latent=2...), written after each clean check of the form and read at load.
// A link's unknown or bad values are named in the error banner and fall back to the defaults.
const link = {applying: true};  // until the link has been read at load
function writeLink() {
  if (link.applying || !formCheck.result || formHasErrors()) return;
  const p = new URLSearchParams();
  const kind = state.dataset ? state.dataset.kind : $('dataset').value;
  if (state.lesson) p.set('lesson', state.lesson);
  if (kind !== 'user') p.set('data', kind);
  for (const [k, v] of formTexts()) if (formCheck.result.applies[k] !== false) p.set(k, v);
  const hash = '#' + p.toString();
  if (location.hash !== hash) history.replaceState(null, '', hash);
}
// Applies [[key, text], ...] to the data selector ('data') and the form (model.type first, then the rest);
// returns the problems, each naming the key, after falling back to the defaults for them.
async function applySettings(pairs) {
  const problems = [], form = $('config-form');
  const choices = (el) => [...el.options].map((o) => o.value);
  const typeEl = form.elements['model.type'];
  for (const [k, v] of pairs) {
    if (k !== 'data') continue;
    if (choices($('dataset')).includes(v)) $('dataset').value = v;
    else problems.push(`data '${v}' is not one of ${choices($('dataset')).join(', ')} (loading ${$('dataset').value})`);
  }
  const types = pairs.filter(([k]) => k === 'model.type');
  if (types.length) {
    const type = types[types.length - 1][1];
    if (choices(typeEl).includes(type)) {
      typeEl.value = type;
      await checkForm('model.type');
      await formCheck.typeChange;
    } else {
      problems.push(`model.type '${type}' is not a model type (using ${typeEl.value})`);
    }
  }
  for (const [k, v] of pairs) {
    if (k === 'data' || k === 'model.type') continue;
    const el = form.elements[k];
    if (!el || !k.includes('.')) { problems.push(`unknown setting '${k}' (ignored)`); continue; }
    if (el.tagName === 'SELECT' && !choices(el).includes(v)) {
      problems.push(`${k}: '${v}' is not one of ${choices(el).join(', ')} (using ${el.value})`);
      continue;
    }
    el.value = v;
  }
  const r = await checkForm();
  const bad = Object.keys(r.errors).filter((p) => p && form.elements[p]);
  if (bad.length) {
    // The model type's defaults for the fields the core refused (its message names the problem).
    const d = JSON.parse(await call('checkForm', baseConfig(), JSON.stringify([['model.type', typeEl.value]])));
    for (const p of bad) {
      problems.push(`${p}: ${r.errors[p]} (using the default ${d.values[p]})`);
      form.elements[p].value = d.values[p];
    }
    await checkForm();
  }
  return problems;
}
async function applyLink() {
  const text = location.hash.replace(/^#/, '');
  link.applying = true;
  try {
    if (!text) return;
    let pairs = [...new URLSearchParams(text)];
    const problems = [];
    // #lesson=ID: the lesson's data and settings, then whatever else the link says.
    const named = pairs.filter(([k]) => k === 'lesson');
    pairs = pairs.filter(([k]) => k !== 'lesson');
    if (named.length) {
      const id = named[named.length - 1][1], l = LESSONS.find((x) => x.id === id);
      if (l) {
        pairs = [['data', l.data], ...l.settings, ...pairs];
        showLesson(l);
        state.lessonStart = true;  // trains as soon as its model exists
      } else {
        problems.push(`lesson '${id}' is not one of ${LESSONS.map((x) => x.id).join(', ')}`);
      }
    }
    problems.push(...await applySettings(pairs));
    if (problems.length) showError('link', problems.join('; '));
  } finally {
    link.applying = false;
    writeLink();
  }
}

// ---- lessons (the core's table, lessons.h): a data set, settings, a view and what to look for. Choosing one
// (menu or #lesson=ID) fills the form, loads the data, makes the model, trains and shows the view.
let LESSONS = [];
state.lessons = () => LESSONS;  // tests
const LESSON_VIEWS = {loss: 'loss-chart', recon: 'recon', map: 'latent-map', manifold: 'manifold', samples: 'samples',
                      swap: 'swap-note', codes: 'vq-note', denoise: 'dn-input'};
function fillLessons() {
  const sel = $('lesson');
  if (sel.options.length > 1) return;
  for (const l of LESSONS) sel.add(new Option(l.title, l.id));
}
function showLesson(l) {
  state.lesson = l ? l.id : '';
  $('lesson').value = state.lesson;
  const box = $('lesson-text');
  box.replaceChildren();
  if (!l) return;
  const look = document.createElement('div');
  look.textContent = l.lookFor;
  const src = document.createElement('span');
  src.className = 'dim';
  src.textContent = `from the material: ${l.source}`;
  box.append(look, src);
  if (l.view === 'denoise') {  // the denoise view shows the lesson's corruption
    const kind = l.settings.find(([k]) => k === 'model.corruption'), level = l.settings.find(([k]) => k === 'model.corruption_level');
    if (kind) $('dn-kind').value = kind[1];
    if (level) $('dn-level').value = level[1];
  }
}
// After the lesson's model exists: train, and bring its view on screen.
function startLesson() {
  const l = LESSONS.find((x) => x.id === state.lesson);
  if (!l) return;
  state.worker.postMessage({type: 'run'});
  const section = $(LESSON_VIEWS[l.view] || 'loss-chart').closest('section');
  section.scrollIntoView({block: 'start'});
  // Again as the first views arrive: the panels above it take their sizes then.
  state.lessonScroll = {section, left: 3};
}
$('lesson').addEventListener('change', async () => {
  const l = LESSONS.find((x) => x.id === $('lesson').value);
  if (!l) { showLesson(null); writeLink(); return; }
  if (!(await confirmDiscard(`The lesson "${l.title}" discards the trained model (${state.steps} steps).`))) {
    $('lesson').value = state.lesson || '';
    return;
  }
  if (state.running) state.worker.postMessage({type: 'pause'});
  showLesson(l);
  link.applying = true;
  let problems;
  try { problems = await applySettings([['data', l.data], ...l.settings]); } finally { link.applying = false; }
  if (problems.length) showError('lesson', problems.join('; '));
  writeLink();
  state.lessonStart = true;
  if (!state.dataset || state.dataset.kind !== l.data) {
    state.steps = 0;  // confirmed above: the data's model replaces this one
    beginLoad('loading…');
    state.worker.postMessage({type: 'load', dataset: l.data});  // its model follows the form, then 'created'
  } else {
    await createModel(await normalizedFormConfig());
  }
});

// The form's config, normalized by the core (the text the session reports), or an error when a field
// is marked.
async function normalizedFormConfig() {
  if (formCheck.typeChange) await formCheck.typeChange;
  const r = await checkForm();
  if (r.configJson === null) throw new Error(Object.values(r.errors)[0]);
  return r.configJson;
}

async function onConfigEdited(ev) {
  const changed = ev && ev.target && ev.target.name;
  const r = await checkForm(changed);
  if (r.configJson === null || !state.created || r.configJson === state.sessionConfig) {
    $('config-note').textContent = '';
    return;
  }
  const config = r.configJson;
  // Optimizer settings and epochs apply at the next minibatch (as in the desktop app); anything else
  // needs a new model, which Start / Step / Reset create (asking before discarding a trained one).
  try {
    const r = await call('setTrain', config);
    if (r.applied) {
      state.sessionConfig = r.config;
      state.epochs = r.epochs;
      state.finished = !state.running && r.epoch >= r.epochs;  // more epochs: Start trains on to them
      updateButtons();
      $('config-note').textContent = `applied at step ${r.step}` + (r.epoch >= r.epochs ? ` (epoch ${r.epoch} of ${r.epochs}: finished)` : '');
    } else {
      $('config-note').textContent = `${r.needs} changed: needs a new model (Reset, or Start/Step, asks before discarding this one)`;
    }
  } catch (e) { $('config-note').textContent = e.message; }
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
  // A marked form field keeps Start / Step from training another model than the form shows.
  $('start').disabled = !haveData || state.running || formHasErrors();
  $('pause').disabled = !state.running;
  $('step').disabled = !haveData || state.running || formHasErrors();
  $('reset').disabled = !state.created;
  $('save-model').disabled = !state.created;
  $('an-run').disabled = !state.created;
  $('cmp-run').disabled = !state.created;
  if (state.running && lik.active) { ++lik.seq; lik.active = false; setText('lik-text', 'estimate stopped: training changes the weights'); }
  showLikelihood();
  setText('start', state.finished ? 'Continue (+1 epoch)' : state.created && state.steps > 0 ? 'Resume' : 'Start');
}

async function ensureModel(reason) {
  const config = await normalizedFormConfig();
  if (state.created && config === state.sessionConfig) return true;
  if (state.created) {
    const r = await call('setTrain', config);
    if (r.applied) { state.sessionConfig = r.config; state.epochs = r.epochs; return true; }
  }
  if (state.created && !(await confirmDiscard(`The settings changed: ${reason} discards the trained model (${state.steps} steps).`))) {
    return false;
  }
  await createModel(config);
  return true;
}

function createModel(config) {
  return new Promise((resolve) => {
    state.onCreated = resolve;
    state.worker.postMessage({type: 'create', config, excludeClass: Number($('an-exclude').value)});
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
// Keyboard: Space starts or pauses, S steps one minibatch, R resets (as the buttons would: a disabled button
// does nothing). Not while typing in a field or with a modifier held, and not while a dialog asks.
document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
  const t = e.target;
  if (t && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(t.tagName))) return;
  if (!$('confirm').hidden) return;
  const id = e.key === ' ' ? (state.running ? 'pause' : 'start') : {s: 'step', S: 'step', r: 'reset', R: 'reset'}[e.key];
  if (!id) return;
  e.preventDefault();
  if (!$(id).disabled) $(id).click();
});

// ---- data -------------------------------------------------------------------------------------------------
function beginLoad(text) {
  $('load-status').textContent = text;
  $('load-progress').hidden = false;
  $('load-progress').value = 0;
  state.loadTotals = {};
}
async function loadBuiltinData() {
  if (!(await confirmDiscard(`Loading other data discards the trained model (${state.steps} steps).`))) {
    selectDataset();
    return;
  }
  beginLoad('loading…');
  state.worker.postMessage({type: 'load', dataset: $('dataset').value});
}
$('load-data').onclick = loadBuiltinData;
$('dataset').addEventListener('change', () => { if ($('dataset').value !== 'user') loadBuiltinData(); });
// The selector shows the data set in use (your own files: an extra entry with their name).
function selectDataset() {
  const sel = $('dataset');
  let user = sel.querySelector('option[value="user"]');
  if (!state.dataset || state.dataset.kind !== 'user') {
    if (user) user.remove();
    if (state.dataset) sel.value = state.dataset.kind;
    return;
  }
  if (!user) { user = new Option('', 'user'); sel.add(user); }
  user.textContent = `your data: ${state.dataset.name} (${state.dataset.trainCount.toLocaleString('en')} / ${state.dataset.testCount.toLocaleString('en')})`;
  sel.value = 'user';
}
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

function drawLegend(names, id = 'legend') {
  const key = names.join('\n');
  if ($(id).dataset.names === key) return;
  $(id).dataset.names = key;
  $(id).innerHTML = names.map((n, i) =>
    `<span><i style="background:${cssColor(PALETTE[Math.min(i, 14)])}"></i>${n}</span>`).join('');
}

function onViews(v) {
  state.views = v;
  drawRecon(v);
  drawFilters(v);
  if (mapProjection() === 'pca' || !state.tsne) map.setPoints(v.points, v.codeLabels);
  drawLegend(v.classNames);
  setMapNote();
  refreshDependentViews();
  if (state.tsneRestart) { state.tsneRestart = false; startTsne(); }
}

function setMapNote() {
  const v = state.views, t = state.tsne;
  if (!v) return;
  const of = state.dataset && v.m < state.dataset.testCount
    ? `the first ${v.m.toLocaleString('en')} of the ${state.dataset.testCount.toLocaleString('en')} test images`
    : `all ${v.m.toLocaleString('en')} test images`;
  if (mapProjection() === 'tsne' && t) {
    setText('map-note', `(${of}; t-SNE of the ${v.latent}-D codes at step ${t.step.toLocaleString('en')}, perplexity ` +
        `${t.perplexity}, learning rate ${Math.round(t.learningRate)}; axes have no units)`);
    return;
  }
  if (mapProjection() === 'umap' && t) {
    setText('map-note', `(${of}; UMAP of the ${v.latent}-D codes at step ${t.step.toLocaleString('en')}, 15 neighbours, ` +
        `min_dist 0.1; axes have no units)`);
    return;
  }
  setText('map-note', v.latent > 2 ? `(${of}; PCA projection of the ${v.latent}-D codes: first two principal components, ` +
      `${Math.round(100 * v.explained)}% of their variance)`
    : v.latent === 2 ? `(${of}; the 2-D codes themselves)` : `(${of}; 1-D codes on the x axis)`);
}

// ---- t-SNE and UMAP: the map's other projections (core tsne.h, umap.h), run by the Worker a few iterations
// (epochs) per message ----
const mapProjection = () => $('map-projection').value;
const neighbourMap = () => mapProjection() !== 'pca';

function startTsne() {
  if (!state.created || !state.views) return;
  const perplexity = fieldValue('tsne-perplexity', 1, 1000, false, 30);
  state.tsne = null;
  state.tsnePerplexity = perplexity;
  map.autoFit = true;
  if (mapProjection() === 'umap') {
    setText('tsne-status', 'computing the neighbour graph…');
    state.worker.postMessage({type: 'tsne', method: 'umap', neighbors: 15, minDist: 0.1, iterations: 500, seed: 1});
    return;
  }
  setText('tsne-status', 'computing the input affinities…');
  state.worker.postMessage({type: 'tsne', method: 'tsne', perplexity, iterations: 1000, seed: 1});
}

function onTsne(m) {
  if (mapProjection() !== m.method || !state.views || m.points.length !== 2 * state.views.m) return;
  state.tsne = {...m, perplexity: state.tsnePerplexity};
  map.setPoints(m.points, state.views.codeLabels);
  if (m.method === 'umap') {
    setText('tsne-status', `epoch ${m.iteration} / ${m.iterations}` + (m.done ? ', done' : ''));
  } else {
    $('tsne-status').dataset.kl = String(m.kl);
    setText('tsne-status', `iteration ${m.iteration} / ${m.iterations}, KL(P‖Q) = ${m.kl.toFixed(3)} nats` +
        (m.iteration < 250 ? ' (early exaggeration)' : '') + (m.done ? ', done' : ''));
  }
  setMapNote();
}

function setProjection() {
  const tsne = neighbourMap();
  $('tsne-run').disabled = !tsne;
  $('tsne-perplexity').disabled = mapProjection() !== 'tsne';
  if (tsne) { startTsne(); showExtras(); return; }
  state.worker.postMessage({type: 'tsneStop'});
  state.tsne = null;
  setText('tsne-status', '');
  map.autoFit = true;
  if (state.views) map.setPoints(state.views.points, state.views.codeLabels);
  setMapNote();
  showExtras();
}

// The first layer's weights (core: filters.h): grey = 0, white = most positive, black = most negative.
// Drawn into a CPU-backed 2D canvas in one putImageData (no WebGL context of its own: one more context
// made every view update a long task while training).
function drawFilters(v) {
  if (!v.filters || !v.filterCount) return;
  const r = v.filterRows, c = v.filterCols, k = v.filterCount, perRow = 16, gap = 2;
  const s = Math.max(1, Math.floor(28 / Math.max(r, c)));  // screen pixels per weight
  const nr = Math.ceil(k / perRow), W = perRow * (c * s + gap) + gap, H = nr * (r * s + gap) + gap;
  const canvas = $('filters');
  if (canvas.width !== W) canvas.width = W;
  if (canvas.height !== H) canvas.height = H;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const img = ctx.createImageData(W, H);
  img.data.fill(255);
  for (let i = 0; i < k; i++) {
    const ox = gap + (i % perRow) * (c * s + gap), oy = gap + Math.floor(i / perRow) * (r * s + gap);
    for (let y = 0; y < r * s; y++)
      for (let x = 0; x < c * s; x++) {
        const g = Math.round(255 * v.filters[i * r * c + Math.floor(y / s) * c + Math.floor(x / s)]);
        const o = 4 * ((oy + y) * W + ox + x);
        img.data[o] = img.data[o + 1] = img.data[o + 2] = g;
      }
  }
  ctx.putImageData(img, 0, 0);
  setText('filters-note', `(${v.filterLayer}: the first ${k} filters, each scaled to its largest |weight|; grey = 0)`);
}

function refreshDependentViews() {
  refreshManifold();
  refreshSamples();
  refreshSwap();
  refreshVq();
  refreshTraversal();
  refreshHistograms();
  refreshNeighbors();
  refreshHashing();
  refreshArithmetic();
  if (state.interp.length === 2) refreshInterpolation();
  if (state.drawn) refreshDrawing();
  refreshDenoise();
}

// A number field of a view, kept within [lo, hi] (whole numbers if `whole`): an entry outside is corrected
// in the field itself, with its title saying the range, instead of being used silently as another value.
function fieldValue(id, lo, hi, whole, fallback) {
  const el = $(id);
  let v = Number(el.value);
  if (el.value.trim() === '' || !Number.isFinite(v)) v = fallback;
  if (whole) v = Math.round(v);
  v = Math.max(lo, Math.min(hi, v));
  if (String(v) !== el.value.trim()) el.value = String(v);
  el.min = String(lo); el.max = String(hi);
  el.title = `${lo}..${hi}${whole ? ', whole numbers' : ''}`;
  return v;
}

function refreshManifold() {
  if (!state.created) return;
  latest('manifold', async () => {
    const n = fieldValue('mf-n', 2, 32, true, 12);
    // The core's one manifold definition (manifold.h) over the map's plane, range from quantiles q .. 1 - q.
    const q = fieldValue('mf-q', 0.001, 0.49, false, 0.01);
    const r = await call('manifold', n, $('mf-spacing').value, 'map', q, 1 - q);
    drawGrid($('manifold'), r.images, n * n, state.rows, state.cols, n, Math.max(16, Math.floor(400 / n) - 2), 1);
  });
}
for (const id of ['mf-spacing', 'mf-n', 'mf-q']) $(id).addEventListener('change', refreshManifold);

function refreshInterpolation() {
  const [a, b] = state.interp;
  latest('interpolation', async () => {
    const steps = fieldValue('ip-steps', 2, 32, true, 10);
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
  const pick = {i: `grid ${col + 1}`, x: v.inputs.slice(col * D, (col + 1) * D), index: v.indices[col], label: v.labels[col]};
  state.interp = state.interp.length === 1 ? [state.interp[0], pick] : [pick];
  picked();
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
    picked();
    if (state.interp.length === 2) refreshInterpolation();
    else $('interp-note').textContent = `(first image #${i}; click a second point)`;
  });
  $('map-fit').onclick = () => map.resetView();
  $('map-projection').onchange = setProjection;
  $('tsne-run').onclick = startTsne;
  $('tsne-perplexity').onchange = startTsne;
  $('tsne-perplexity').disabled = $('tsne-run').disabled = true;
}

// Draw canvas: strokes at 224 px, scaled to the image size by the browser, sent to the core. Both 2D
// canvases are CPU-backed (willReadFrequently): reading a GPU-backed canvas back (drawImage into another,
// getImageData) waits for the GPU process, which under a software GL is busy with every WebGL view
// (0.3-2 s stalls of the page thread while training). The pixels are read once per stroke segment batch
// and kept, so view updates reuse them.
function installDraw() {
  const c = $('draw'), ctx = c.getContext('2d', {willReadFrequently: true});
  const small = document.createElement('canvas');
  const sctx = small.getContext('2d', {willReadFrequently: true});
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
    cached = null;
    const now = performance.now();
    if (now - timer > 60) { timer = now; refreshDrawing(); }
  }
  let cached = null;  // the drawing at the image size, until the next stroke
  state.drawnPixels = () => {
    if (cached && cached.length === state.rows * state.cols) return cached;
    if (small.width !== state.cols) small.width = state.cols;
    if (small.height !== state.rows) small.height = state.rows;
    sctx.clearRect(0, 0, small.width, small.height);
    sctx.drawImage(c, 0, 0, small.width, small.height);
    const px = sctx.getImageData(0, 0, small.width, small.height).data;
    cached = Float32Array.from({length: small.width * small.height}, (_, k) => px[4 * k] / 255);
    return cached;
  };
  state.drawnChanged = () => { cached = null; };
  $('draw-clear').onclick = () => { clear(); cached = null; state.drawn = false; state.extraDraw = null; showExtras(); drawGrid($('draw-recon'), new Float32Array(state.rows * state.cols), 1, state.rows, state.cols, 1, 168); };
}

// Marked points on the map: the interpolation path, then the drawn image's code (emphasised, last).
function showExtras() {
  // Other codes go through the PCA plane only: t-SNE places just the points it embedded.
  if (neighbourMap()) { map.setExtra(null); return; }
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
    if ($('nn-source').value === 'drawn') refreshNeighbors();
    if ($('hash-source').value === 'drawn') refreshHashing();
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
  $('dn-random').onclick = () => { if (state.dataset) { $('dn-index').value = Math.floor(Math.random() * state.dataset.testCount); refreshDenoise(); } };
  $('dn-kind').addEventListener('change', () => {
    // Sensible level per kind (block: a side length in pixels).
    $('dn-level').value = {gaussian: 0.3, salt_pepper: 0.2, masking: 0.3, block: 12, none: 0}[$('dn-kind').value];
    refreshDenoise();
  });
  for (const id of ['dn-index', 'dn-level']) $(id).addEventListener('change', refreshDenoise);
}

// The test-image index: a whole number in 0..count-1 (any of the test set, not only the map's); an
// entry outside is corrected in the field and said so.
function denoiseIndex() {
  const el = $('dn-index'), n = state.dataset ? state.dataset.testCount : 1;
  el.max = String(n - 1);
  const raw = Number(el.value);
  const i = Number.isFinite(raw) ? Math.max(0, Math.min(n - 1, Math.round(raw))) : 0;
  const note = String(i) !== el.value.trim()
    ? `test image ${el.value.trim() || '(empty)'} does not exist: showing #${i} (the test set has images 0..${(n - 1).toLocaleString('en')})`
    : `test image #${i} of 0..${(n - 1).toLocaleString('en')}`;
  el.value = String(i);
  $('dn-note').textContent = note;
  return i;
}

function refreshDenoise() {
  if (!state.created || !state.testImages) return;
  latest('denoise', async () => {
    const D = state.rows * state.cols;
    if (!state.mask || state.mask.length !== D) state.mask = new Uint8Array(D);
    const i = denoiseIndex();
    const kind = $('dn-kind').value;
    // Level: sigma >= 0, a rate in 0..1, or the block's side in whole pixels that fit the image.
    const level = kind === 'block' ? fieldValue('dn-level', 1, Math.min(state.rows, state.cols), true, 12)
      : kind === 'gaussian' ? fieldValue('dn-level', 0, 5, false, 0.3) : kind === 'none' ? 0 : fieldValue('dn-level', 0, 1, false, 0.2);
    const r = await call('corruptRepairTest', i, state.mask, kind, level, i + 1);
    images($('dn-input')).draw([{pixels: r.corrupted, x: 0, y: 0, w: 168, h: 168}], state.rows, state.cols);
    drawGrid($('dn-repair'), r.repaired, 1, state.rows, state.cols, 1, 168);
    // The corrupted block (zeros: invisible on a black background) is outlined.
    const box = $('dn-block');
    state.denoiseRegion = r.region;
    if (r.region) {
      const [r0, c0, h, w] = r.region, sx = 168 / state.cols, sy = 168 / state.rows;
      Object.assign(box.style, {left: `${c0 * sx}px`, top: `${r0 * sy}px`, width: `${w * sx}px`, height: `${h * sy}px`});
      box.hidden = false;
    } else {
      box.hidden = true;
    }
  });
}

$('an-run').onclick = () => latest('anomaly', async () => {
  $('an-note').textContent = 'computing…';
  const step = state.steps;  // the results are of the model at this step (Compute again to refresh)
  const r = await call('anomaly', 40, 16);
  drawHistogram($('an-hist'), r.counts, r.maxError);
  const D = state.rows * state.cols, k = r.worst.length, both = new Float32Array(2 * k * D);
  both.set(r.inputs, 0);
  both.set(r.reconstructions, k * D);
  drawGrid($('an-worst'), both, 2 * k, state.rows, state.cols, k, 40);
  // Each worst image's error and class under its column (cells of 40 px + 2 px gap).
  $('an-worst-errors').innerHTML = Array.from(r.worstErrors, (e, j) =>
    `<span title="test image #${r.worst[j]}, ${r.classNames[state.testLabel(r.worst[j])] ?? ''}">${e.toFixed(4)}</span>`).join('');
  state.anomalyWorstErrors = Array.from(r.worstErrors);
  const ex = state.excludeClass;
  $('an-note').textContent = `${r.errors.length.toLocaleString('en')} test images, model at step ${step}` +
    (ex >= 0 ? `; ${r.classNames[ex]} was left out of training: its AUROC is the anomaly test` : '');
  const kn = await call('knn', 5, 10000);
  const fmt = (v, d) => Number.isFinite(v) ? v.toFixed(d) : '–';
  const rows = [['test MSE per pixel', fmt(r.mse, 5)], ['PSNR (dB, mean per image)', fmt(r.psnr, 2)],
                [`SSIM (first ${r.ssimImages} images)`, fmt(r.ssim, 4)],
                [`5-NN accuracy of the codes (${kn.nTrain} train → ${kn.nTest} test)`, fmt(kn.accuracy, 4)]];
  const au = Array.from(r.aurocByClass, (a, c) => c === state.excludeClass ? `<b>${r.classNames[c]} ${fmt(a, 3)} (left out)</b>`
                                                                            : `${r.classNames[c]} ${fmt(a, 3)}`).join(', ');
  $('an-metrics').innerHTML = rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('') +
    `<tr><th>AUROC of the error, each class as the anomaly</th><td>${au}</td></tr>`;
  state.anomaly = {n: r.errors.length, k, mse: r.mse, psnr: r.psnr, ssim: r.ssim, knn: kn.accuracy,
                   excluded: state.excludeClass, aurocExcluded: state.excludeClass >= 0 ? r.aurocByClass[state.excludeClass] : null};
});

// Leaving a class out of training (ae train --exclude-class): a new model on the training set without it.
$('an-exclude').addEventListener('change', async () => {
  const c = Number($('an-exclude').value);
  if (!state.created || c === state.excludeClass) return;
  const what = c >= 0 ? `Leaving ${state.dataset.classNames[c]} out of training` : 'Training on every class';
  if (!(await confirmDiscard(`${what} needs a new model: this discards the trained one (${state.steps} steps).`))) {
    $('an-exclude').value = String(state.excludeClass);
    return;
  }
  try { await createModel(await normalizedFormConfig()); } catch (e) { /* shown in the form */ }
});
function fillExcludeOptions() {
  const sel = $('an-exclude');
  sel.innerHTML = '<option value="-1">none (train on every class)</option>' +
    (state.dataset ? state.dataset.classNames.map((n, i) => `<option value="${i}">${n}</option>`).join('') : '');
  sel.value = '-1';
}

// A new model (or new data): the views computed by the previous one are blanked, not left showing.
function clearModelViews() {
  for (const id of ['interp', 'blend']) images($(id)).draw([], 28, 28, 0.96);
  $('interp-note').textContent = '(click two points on the map or two images in the reconstructions grid, or pick at random)';
  images($('an-worst')).draw([], 28, 28, 0.96);
  $('an-worst-errors').innerHTML = '';
  $('an-metrics').innerHTML = '';
  $('an-note').textContent = '';
  const h = $('an-hist');
  h.getContext('2d', {willReadFrequently: true}).clearRect(0, 0, h.width, h.height);
  state.anomaly = null;
}

function drawHistogram(c, counts, maxError) {
  const dpr = window.devicePixelRatio || 1;
  // Resized only when the layout changed; CPU-backed like the loss chart (no wait for the GPU process).
  const w = Math.round(c.clientWidth * dpr), h = Math.round(c.clientHeight * dpr);
  if (c.width !== w) c.width = w;
  if (c.height !== h) c.height = h;
  const ctx = c.getContext('2d', {willReadFrequently: true});
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
  state.worker.postMessage({type: 'loadModel', file: f, name: f.name});
  $('load-model').value = '';
};

// Samples: from the prior for a VAE, else from a Gaussian fitted to the test codes (decided by the core).
let sampleSeed = 1;
// Or (the material's "decode with added noise"): the picked image's code plus N(0, σ² I) latent noise.
function refreshSamples() {
  if (!state.created) return;
  latest('samples', async () => {
    const around = $('samples-source').value === 'around';
    const sigma = fieldValue('samples-sigma', 0, 1000, false, 0.5);
    const p = pickedImage();
    const r = around ? await call('samplesAround', p.x, 32, sigma, sampleSeed) : await call('samples', 32, sampleSeed);
    drawGrid($('samples'), r.images, 32, state.rows, state.cols, 16, 40);
    // The core says "the prior ...", "a Gaussian ..." or "the image's code plus ...".
    setText('samples-note', around ? `(image ${p.name}: ${r.source})` : `(decoded draws from ${r.source})`);
  });
}
$('samples-new').onclick = () => { sampleSeed++; refreshSamples(); };
for (const id of ['samples-source', 'samples-sigma']) $(id).addEventListener('change', refreshSamples);

// Conditional VAE (cvae): the class its decoder reads when a view gives none (the picker in the Samples
// panel; the core's Autoencoder::set_default_class), and the class-swap grid (sampling.h class_swap_grid).
const isConditional = () => !!state.sessionConfig && JSON.parse(state.sessionConfig).model.type === 'cvae';
state.condClass = 0;
// After a new model: the picker lists the data set's classes, keeps the chosen one when it is still a
// class, and tells the worker (a new session starts at class 0; the views then decode again).
async function setupClassPicker() {
  const on = isConditional();
  $('class-label').hidden = !on;
  $('swap-on').hidden = !on;
  $('swap-off').hidden = on;
  if (!on) return;
  const names = state.dataset ? state.dataset.classNames : [];
  const C = JSON.parse(state.sessionConfig).model.num_classes;
  const sel = $('class-pick');
  sel.replaceChildren(...Array.from({length: C}, (_, c) => new Option(names[c] ?? String(c), String(c))));
  if (state.condClass >= C) state.condClass = 0;
  sel.value = String(state.condClass);
  if (state.condClass === 0) return;
  await call('setClass', state.condClass);
  refreshDependentViews();
}
$('class-pick').addEventListener('change', async () => {
  state.condClass = Number($('class-pick').value);
  try {
    await call('setClass', state.condClass);
  } catch (e) {
    showError('class', e.message);
    return;
  }
  refreshDependentViews();
});

const SWAP_CELL = 40;
function refreshSwap() {
  if (!state.created || !isOnScreen('swap') || !isConditional()) return;
  latest('swap', async () => {
    const count = state.dataset ? state.dataset.testCount : 0;
    const n = fieldValue('swap-n', 1, 16, true, 6);
    const first = fieldValue('swap-first', 0, Math.max(0, count - n), true, 0);
    const g = await call('classSwap', first, n);
    drawGrid2d($('swap'), g.images, g.rows * g.cols, state.rows, state.cols, g.cols, SWAP_CELL);
    const names = ['input', ...g.classNames.slice(0, g.cols - 1)];
    const labels = $('swap-labels');
    if (labels.childElementCount !== names.length || labels.textContent !== names.join('')) {
      labels.replaceChildren(...names.map((t) => {
        const sp = document.createElement('span');
        sp.textContent = t;
        sp.title = t;
        sp.style.width = `${SWAP_CELL + 2}px`;
        return sp;
      }));
    }
    const own = Array.from(g.labels, (l) => g.classNames[l] ?? String(l));
    setText('swap-note', `(test images ${first}..${first + n - 1}, left; their codes decoded with each class, ` +
      'right: what the code keeps is the style)');
    const alt = `class swap: ${n} test images (${own.join(', ')}), each then decoded with every class`;
    if ($('swap').getAttribute('aria-label') !== alt) $('swap').setAttribute('aria-label', alt);
  });
}
for (const id of ['swap-first', 'swap-n']) $(id).addEventListener('change', refreshSwap);
$('swap-random').onclick = () => {
  const count = state.dataset ? state.dataset.testCount : 1;
  $('swap-first').value = String(Math.floor(Math.random() * Math.max(1, count - fieldValue('swap-n', 1, 16, true, 6))));
  refreshSwap();
};

// VQ-VAE (codebook_views.h): the picked image's code as a grid of codebook indices (one cell per group, its
// colour the entry's hue), the decodings of the code and of the edited code, and the codebook decoded. A cell
// is selected by clicking it (or with the cell selector); the entry field or a click on a codebook image sets it.
const isVq = () => !!state.sessionConfig && JSON.parse(state.sessionConfig).model.type === 'vqvae';
const vq = {edits: new Map(), cell: 0, view: null, pickedKey: ''};
const VQ_CELL = 30;
function drawCodeGrid(v) {
  const canvas = $('vq-grid'), W = v.cols * VQ_CELL + 1, H = v.rows * VQ_CELL + 1;
  if (canvas.width !== W) canvas.width = W;
  if (canvas.height !== H) canvas.height = H;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, W, H);
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let g = 0; g < v.editedIndices.length; g++) {
    const k = v.editedIndices[g], x = (g % v.cols) * VQ_CELL, y = Math.floor(g / v.cols) * VQ_CELL;
    ctx.fillStyle = `hsl(${Math.round(360 * k / v.K)}, 60%, 72%)`;
    ctx.fillRect(x, y, VQ_CELL, VQ_CELL);
    ctx.fillStyle = '#111';
    ctx.fillText(String(k), x + VQ_CELL / 2, y + VQ_CELL / 2);
    const edited = k !== v.indices[g];
    ctx.lineWidth = g === vq.cell ? 3 : edited ? 2 : 1;
    ctx.strokeStyle = g === vq.cell ? '#000' : edited ? '#b3261e' : '#fff';
    ctx.strokeRect(x + ctx.lineWidth / 2, y + ctx.lineWidth / 2, VQ_CELL - ctx.lineWidth, VQ_CELL - ctx.lineWidth);
  }
  canvas.setAttribute('aria-label', `the code as ${v.editedIndices.length} codebook indices (${v.rows} × ${v.cols}): ` +
    Array.from(v.editedIndices).join(' ') + (vq.edits.size ? ` (edited; the image's own: ${Array.from(v.indices).join(' ')})` : ''));
}
function refreshVq() {
  if (!state.created || !isOnScreen('vq-grid')) return;
  const on = isVq();
  $('vq-on').hidden = !on;
  $('vq-off').hidden = on;
  if (!on) return;
  latest('vq', async () => {
    const p = pickedImage();
    if (p.name !== vq.pickedKey) { vq.edits.clear(); vq.pickedKey = p.name; }
    const edits = new Int32Array([...vq.edits].flat());
    const v = await call('codeIndices', p.x, edits);
    vq.view = v;
    const M = v.indices.length;
    if ($('vq-cell').options.length !== M) {
      $('vq-cell').replaceChildren(...Array.from({length: M}, (_, g) => new Option(`${g} (row ${Math.floor(g / v.cols) + 1}, ` +
        `column ${g % v.cols + 1})`, String(g))));
      vq.cell = Math.min(vq.cell, M - 1);
    }
    $('vq-cell').value = String(vq.cell);
    $('vq-entry').max = String(v.K - 1);
    if (document.activeElement !== $('vq-entry')) $('vq-entry').value = String(v.editedIndices[vq.cell]);
    drawGrid2d($('vq-input'), p.x, 1, state.rows, state.cols, 1, 84);
    drawCodeGrid(v);
    drawGrid2d($('vq-recon'), v.reconstruction, 1, state.rows, state.cols, 1, 84);
    drawGrid2d($('vq-edited'), v.edited, 1, state.rows, state.cols, 1, 84);
    setText('vq-edits', vq.edits.size ? `${vq.edits.size} cell${vq.edits.size === 1 ? '' : 's'} edited (outlined red)` : 'no edits');
    setText('vq-note', `(image ${p.name}: ${M} cells × log2 ${v.K} = ${(M * Math.log2(v.K)).toFixed(0)} bits; edit them and decode)`);
    const b = await call('codebookImages');
    drawGrid2d($('vq-book'), b.images, b.K, state.rows, state.cols, Math.min(b.K, 32), 28);
    const last = state.epochStats && state.epochStats.length ? state.epochStats[state.epochStats.length - 1] : null;
    setText('vq-stats', last ? `epoch ${last.epoch}: ${Math.round(last.codeUsage * v.K)} of the ${v.K} codebook entries used, ` +
      `perplexity ${last.codePerplexity.toFixed(1)} (${v.K} if all were used equally often, 1 if one took everything)`
      : 'codebook usage and perplexity: after the first epoch');
  });
}
function setVqEntry(k) {
  const v = vq.view;
  if (!v) return;
  k = Math.max(0, Math.min(v.K - 1, Math.round(k)));
  if (k === v.indices[vq.cell]) vq.edits.delete(vq.cell); else vq.edits.set(vq.cell, k);
  refreshVq();
}
$('vq-grid').addEventListener('click', (ev) => {
  const v = vq.view;
  if (!v) return;
  const r = $('vq-grid').getBoundingClientRect();
  const c = Math.floor((ev.clientX - r.left) / VQ_CELL), row = Math.floor((ev.clientY - r.top) / VQ_CELL);
  if (c < 0 || c >= v.cols || row < 0 || row >= v.rows) return;
  vq.cell = row * v.cols + c;
  $('vq-entry').value = String(v.editedIndices[vq.cell]);
  refreshVq();
});
$('vq-cell').addEventListener('change', () => { vq.cell = Number($('vq-cell').value); if (vq.view) $('vq-entry').value = String(vq.view.editedIndices[vq.cell]); refreshVq(); });
$('vq-entry').addEventListener('change', () => setVqEntry(fieldValue('vq-entry', 0, vq.view ? vq.view.K - 1 : 0, true, 0)));
$('vq-undo').onclick = () => { vq.edits.clear(); refreshVq(); };
$('vq-book').addEventListener('click', (ev) => {
  const v = vq.view;
  if (!v) return;
  const r = $('vq-book').getBoundingClientRect(), per = Math.min(v.K, 32), step = 28 + 2;
  const k = Math.floor((ev.clientY - r.top - 2) / step) * per + Math.floor((ev.clientX - r.left - 2) / step);
  if (k >= 0 && k < v.K) { $('vq-entry').value = String(k); setVqEntry(k); }
});
state.vq = vq;  // tests

// The image the traversal and "code plus noise" start from: the last one picked on the map or in the
// reconstructions grid (the interpolation's picks), else test image 0.
function picked() {
  refreshTraversal();
  refreshVq();
  if ($('samples-source').value === 'around') refreshSamples();
  if ($('nn-source').value === 'picked') refreshNeighbors();
  if ($('hash-source').value === 'picked') refreshHashing();
  refreshArithmetic();
}
// {x, name, index (its test-set index, -1 if none), label (its class, -1 if none)}.
function pickedImage() {
  const p = state.interp[state.interp.length - 1];
  const labelOf = (i) => state.views?.codeLabels[i] ?? -1;
  if (!p) return {x: testPixels(0), name: '#0', index: 0, label: labelOf(0)};
  if (typeof p.i === 'number') return {x: p.x, name: `#${p.i}`, index: p.i, label: labelOf(p.i)};
  return {x: p.x, name: p.i, index: p.index ?? -1, label: p.label ?? -1};
}

// Traversals (traversal.h): rows = latent dimensions (all, or those of largest code variance), each moved
// over its range (the prior's 1%..99% quantiles for a VAE, the codes' otherwise) with the others at the code.
function refreshTraversal() {
  if (!state.created) return;
  latest('traversal', async () => {
    const steps = fieldValue('trav-steps', 2, 16, true, 9), dims = fieldValue('trav-dims', 1, 32, true, 8);
    const p = pickedImage();
    const r = await call('traversal', p.x, steps, dims);
    const rows = r.dims.length, cell = 40;
    drawGrid($('traversal'), r.images, rows * steps, state.rows, state.cols, steps, cell);
    const lab = $('trav-labels');
    lab.width = 90;
    lab.height = rows * (cell + 2) + 2;
    const ctx = lab.getContext('2d');
    ctx.clearRect(0, 0, lab.width, lab.height);
    ctx.font = '12px sans-serif';
    ctx.fillStyle = '#333';
    for (let i = 0; i < rows; i++) {
      const y = 2 + i * (cell + 2);
      ctx.fillText(`z${r.dims[i] + 1}`, 4, y + 16);
      ctx.fillStyle = '#777';
      ctx.fillText(`${r.lo[i].toFixed(1)}..${r.hi[i].toFixed(1)}`, 4, y + 32);
      ctx.fillStyle = '#333';
    }
    setText('trav-note', `(image ${p.name}; rows: ${rows === state.views?.latent ? 'every latent dimension' :
      `the ${rows} of ${state.views?.latent} dimensions with the largest code variance`}; range: ${r.rangeSource}, left to right)`);
  });
}
for (const id of ['trav-steps', 'trav-dims']) $(id).addEventListener('change', refreshTraversal);

// Nearest neighbours (retrieval.h): the query's k nearest among the map's m test images by code distance and
// by pixel distance, each with its precision@k by class (a drawn image has no class), and below both the mean
// precision@k of 500 of the m images (spread over them) as queries. Clicking a neighbour picks it.
// Views far down the page are refreshed only while on screen (IntersectionObserver): a view update while
// training then costs the worker nothing for them, and scrolling one into view refreshes it.
const onScreen = new Map();  // section element -> visible
function refreshWhenVisible(id, refresh) {
  const section = $(id).closest('section');
  onScreen.set(section, false);
  new IntersectionObserver((entries) => {
    const visible = entries.some((e) => e.isIntersecting), was = onScreen.get(section);
    onScreen.set(section, visible);
    if (visible && !was) refresh();
  }).observe(section);
}
const isOnScreen = (id) => onScreen.get($(id).closest('section')) !== false;

const NN_CELL = 48;
const nnPixelMean = new Map();  // `${m}|${k}|${metric}` -> mean by pixels (the pixels do not change while training)
const nnShown = {code: [], pixels: []};
// The query a view's source selector names: the picked image, or the drawn one (null when nothing is drawn).
function queryFrom(sourceId) {
  if ($(sourceId).value !== 'drawn') return pickedImage();
  return state.drawn ? {x: state.drawnPixels(), name: 'the drawn image', index: -1, label: -1} : null;
}
const neighborQuery = () => queryFrom('nn-source');
function refreshNeighbors() {
  if (!state.created || !state.views || !isOnScreen('nn-query')) return;
  latest('neighbors', async () => {
    const q = neighborQuery();
    if (!q) { setText('nn-note', '(draw an image in the Draw panel first, or query the picked image)'); return; }
    const v = state.views, m = v.m, D = state.rows * state.cols;
    const exclude = q.index >= 0 && q.index < m ? q.index : -1;
    if (m - (exclude >= 0 ? 1 : 0) < 1) { setText('nn-note', `(the test set has ${m} image${m === 1 ? '' : 's'}: no neighbours)`); return; }
    // k is kept below the number of candidates (a small uploaded test set).
    const k = fieldValue('nn-k', 1, Math.max(1, Math.min(32, m - 1)), true, 8), metric = $('nn-metric').value;
    const r = await call('neighbors', q.x, k, metric, exclude, q.label);
    drawGrid2d($('nn-query'), q.x, 1, state.rows, state.cols, 1, NN_CELL);
    const cls = (l) => v.classNames[l] ?? String(l);
    for (const [side, res, what] of [['code', r.byCode, `by code (${v.latent}-D)`], ['pixels', r.byPixels, 'by pixels']]) {
      const n = res.indices.length, pix = new Float32Array(n * D);
      res.indices.forEach((j, t) => pix.set(testPixels(j), t * D));
      drawGrid2d($(`nn-${side}`), pix, n, state.rows, state.cols, n, NN_CELL);
      nnShown[side] = Array.from(res.indices);
      const box = $(side === 'code' ? 'nn-code-labels' : 'nn-pixel-labels');
      box.replaceChildren(...nnShown[side].map((j) => {
        const span = document.createElement('span');
        const l = v.codeLabels[j];
        span.textContent = cls(l);
        span.title = `#${j} ${cls(l)}`;
        if (q.label >= 0) span.className = l === q.label ? 'same' : 'other';
        return span;
      }));
      setText(side === 'code' ? 'nn-code-note' : 'nn-pixel-note', q.label >= 0
        ? `${what}: precision@${n} ${res.precision.toFixed(3)} (${Math.round(res.precision * n)} of ${n} of class ${cls(q.label)})`
        : `${what} (a drawn image has no class: no precision)`);
    }
    setText('nn-note', `(${q.name}${q.label >= 0 ? ` (${cls(q.label)})` : ''}: its ${k} nearest of ${exclude >= 0 ? m - 1 : m} ` +
      `test images, ${metric === 'cosine' ? 'cosine' : 'Euclidean'} distance; click one to query it)`);
    if (m < k + 1) { setText('nn-mean', ''); return; }
    const key = `${m}|${k}|${metric}`, queries = Math.min(500, m);
    const byCode = await call('retrievalPrecision', k, metric, 'codes', queries);
    if (!nnPixelMean.has(key)) nnPixelMean.set(key, await call('retrievalPrecision', k, metric, 'pixels', queries));
    setText('nn-mean', `mean precision@${k} of ${queries} of the ${m} test images as queries (chance ≈ ` +
      `${(1 / v.classNames.length).toFixed(2)}): by code ${byCode.toFixed(3)}, by pixels ${nnPixelMean.get(key).toFixed(3)}`);
  });
}
for (const id of ['nn-source', 'nn-k', 'nn-metric']) $(id).addEventListener('change', refreshNeighbors);
refreshWhenVisible('nn-query', refreshNeighbors);
refreshWhenVisible('swap', refreshSwap);
refreshWhenVisible('vq-grid', refreshVq);
for (const side of ['code', 'pixels']) {
  $(`nn-${side}`).addEventListener('click', (e) => {
    const c = $(`nn-${side}`), r = c.getBoundingClientRect();
    const j = nnShown[side][Math.floor((e.clientX - r.left) * c.width / r.width / (NN_CELL + 2))];
    if (j === undefined) return;
    $('nn-source').value = 'picked';
    state.interp = [{i: j, x: testPixels(j)}];
    picked();
  });
}

// Semantic hashing (retrieval.h), a view of a `hashing` model: the query's code bits (code > 0.5), the test images
// in its Hamming ball of radius r among the map's m test codes (nearest first, each with its distance in bits;
// green: the query's class, red: another), its precision and recall, the mean over every one of the m images as a
// query (hamming_retrieval), the binariness of their codes and the bits of 40 of them by class as an image. Every
// number is the core's; the page draws. Clicking a ball image picks it.
const HASH_CELL = 40, HASH_SHOWN = 24, HASH_ROWS = 40;
const isHashing = () => !!state.sessionConfig && JSON.parse(state.sessionConfig).model.type === 'hashing';
const fmt3 = (x) => (x < 0 ? 'undefined' : x.toFixed(3));
function drawBitsRow(canvas, bits) {
  const cell = 14, k = bits.length, W = k * (cell + 1) + 1, H = cell + 2;
  if (canvas.width !== W) canvas.width = W;
  if (canvas.height !== H) canvas.height = H;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#bbb';
  ctx.fillRect(0, 0, W, H);
  for (let j = 0; j < k; j++) {
    ctx.fillStyle = bits[j] ? '#111' : '#fff';
    ctx.fillRect(1 + j * (cell + 1), 1, cell, cell);
  }
}
// The [rows, k] bits image: a class name and colour at the left of each group of rows, black = 1.
function drawBitsImage(canvas, im, classNames) {
  const cw = Math.max(4, Math.min(12, Math.floor(384 / im.cols))), rh = 6, left = 96;
  const W = left + im.cols * cw, H = im.rows * rh;
  if (canvas.width !== W) canvas.width = W;
  if (canvas.height !== H) canvas.height = H;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.font = '10px sans-serif';
  let nextY = 0;  // a class of few rows: its name goes below the previous one, not over it
  for (let r = 0; r < im.rows; r++) {
    const l = im.labels[r];
    ctx.fillStyle = cssColor(PALETTE[l % PALETTE.length]);
    ctx.fillRect(left - 8, r * rh, 6, rh);
    for (let j = 0; j < im.cols; j++) {
      ctx.fillStyle = im.bits[r * im.cols + j] ? '#111' : '#eee';
      ctx.fillRect(left + j * cw, r * rh, cw - 1, rh - 1);
    }
    if (r === 0 || im.labels[r - 1] !== l) {  // the first row of a class: its name
      let n = 1;
      while (r + n < im.rows && im.labels[r + n] === l) n++;
      ctx.fillStyle = '#333';
      const y = Math.max(nextY + 10, r * rh + Math.min(n * rh, 14) / 2 + 4);
      ctx.fillText(classNames[l] ?? String(l), 2, y, left - 12);
      nextY = y;
    }
  }
}
function refreshHashing() {
  if (!state.created || !state.views || !isOnScreen('hash-query')) return;
  const on = isHashing();
  $('hash-on').hidden = !on;
  $('hash-off').hidden = on;
  if (!on) { state.hash = null; return; }
  latest('hashing', async () => {
    const v = state.views, m = v.m, k = v.latent, D = state.rows * state.cols;
    const cls = (l) => v.classNames[l] ?? String(l);
    const slider = $('hash-radius');
    if (Number(slider.max) !== k) slider.max = String(k);
    const radius = Math.min(k, Math.max(0, Math.round(Number(slider.value))));
    setText('hash-radius-value', String(radius));
    if (m < 2) { setText('hash-note', `(the test set has ${m} image${m === 1 ? '' : 's'}: no retrieval)`); return; }
    const s = await call('hashing', radius, m, HASH_ROWS);
    drawBitsImage($('hash-image'), s.image, v.classNames);
    setText('hash-image-note', `the ${k} bits (columns, black = 1) of ${s.image.rows} of the ${m} test images (rows), spread ` +
      'over them and grouped by class: the bits a class shares show as vertical stripes');
    const mean = s.mean;
    setText('hash-mean', `mean over all ${mean.queries} test images as queries at radius ${radius} (chance ≈ ` +
      `${(1 / v.classNames.length).toFixed(2)}): precision ${mean.precision.toFixed(3)} over the ` +
      `${mean.queries - mean.emptyQueries} non-empty balls, recall ${mean.recall.toFixed(3)}, ` +
      `${mean.meanBallSize.toFixed(1)} images per ball, ${mean.emptyQueries} empty balls; binariness of the codes ` +
      `${s.binariness.toFixed(3)} (fraction of code units within 0.1 of 0 or 1)`);
    const q = queryFrom('hash-source');
    if (!q) { setText('hash-note', '(draw an image in the Draw panel first, or query the picked image)'); return; }
    const exclude = q.index >= 0 && q.index < m ? q.index : -1;
    const b = await call('hammingBall', q.x, radius, exclude, q.label);
    state.hash = {...b, query: exclude, label: q.label, mean, binariness: s.binariness};
    drawGrid2d($('hash-query'), q.x, 1, state.rows, state.cols, 1, 48);
    drawBitsRow($('hash-bits'), b.queryBits);
    const bitText = Array.from(b.queryBits).join('').replace(/(.{8})(?=.)/g, '$1 ');
    setText('hash-query-note', `its ${k} code bits (code > 0.5; black = 1): ${bitText}`);
    const n = b.indices.length, shown = Math.min(n, HASH_SHOWN);
    $('hash-ball').replaceChildren(...Array.from(b.indices.subarray(0, shown), (j, t) => {
      const fig = document.createElement('figure');
      const c = document.createElement('canvas');
      c.setAttribute('role', 'img');
      c.setAttribute('aria-label', `test image ${j} at Hamming distance ${b.distances[t]}`);
      drawGrid2d(c, testPixels(j), 1, state.rows, state.cols, 1, HASH_CELL);
      const cap = document.createElement('figcaption');
      const l = v.codeLabels[j];
      cap.append(`d = ${b.distances[t]}`, document.createElement('br'), cls(l));
      fig.title = `#${j} ${cls(l)}, ${b.distances[t]} bit${b.distances[t] === 1 ? '' : 's'} away`;
      fig.dataset.index = String(j);
      if (q.label >= 0) fig.className = l === q.label ? 'same' : 'other';
      fig.append(c, cap);
      return fig;
    }));
    const pool = exclude >= 0 ? m - 1 : m;
    const which = n === 0 ? '' : n > shown ? ` (the nearest ${shown} shown, each with its distance in bits)` : ' (all shown, each with its distance in bits)';
    let pr;
    if (q.label < 0) pr = 'a drawn image has no class: no precision or recall';
    else if (n === 0) pr = `empty ball: precision undefined, recall 0 (of the ${b.relevant} other ${cls(q.label)} images)`;
    else pr = `precision ${fmt3(b.precision)} (${b.same} of ${n} of class ${cls(q.label)}), recall ${fmt3(b.recall)} ` +
      `(${b.same} of the ${b.relevant} other ${cls(q.label)} images)`;
    setText('hash-ball-note', `Hamming ball of radius ${radius}: ${n} of ${pool} test images within ${radius} bit${radius === 1 ? '' : 's'}${which}; ${pr}`);
    setText('hash-note', `(${q.name}${q.label >= 0 ? ` (${cls(q.label)})` : ''} among the map's ${m} test codes as ${k}-bit ` +
      'addresses; click a ball image to query it)');
  });
}
$('hash-radius').addEventListener('input', refreshHashing);
$('hash-source').addEventListener('change', refreshHashing);
refreshWhenVisible('hash-query', refreshHashing);
$('hash-ball').addEventListener('click', (e) => {
  const fig = e.target.closest('figure');
  if (!fig) return;
  const j = Number(fig.dataset.index);
  $('hash-source').value = 'picked';
  state.interp = [{i: j, x: testPixels(j)}];
  picked();
});

// Latent arithmetic (arithmetic.h): the picked image's code plus s (mean(to) - mean(from)), class means over the
// map's test codes, as a strip of strengths and one image at the slider's s; and the analogy z(A) - z(B) + z(C).
const AR_STRENGTHS = [-1, -0.5, 0, 0.5, 1, 1.5, 2], AR_CELL = 48;
function fillArithmeticClasses(names) {
  const to = $('ar-to'), from = $('ar-from');
  if (to.dataset.names === names.join('|')) return;
  to.dataset.names = names.join('|');
  const opts = (sel, keep) => {
    sel.replaceChildren(...keep, ...names.map((n, i) => { const o = document.createElement('option'); o.value = String(i); o.textContent = n; return o; }));
  };
  opts(to, []);
  opts(from, [from.querySelector('option[value="picked"]')]);
  to.value = String(Math.min(1, names.length - 1));
  from.value = 'picked';
}
function refreshArithmetic() {
  if (!state.created || !state.views || !isOnScreen('ar-strip')) return;
  latest('arithmetic', async () => {
    const v = state.views, p = pickedImage();
    fillArithmeticClasses(v.classNames);
    const from = $('ar-from').value === 'picked' ? Math.max(0, p.label) : Number($('ar-from').value);
    const to = Number($('ar-to').value), s = Number($('ar-s').value);
    $('ar-s-value').textContent = s.toFixed(1);
    const name = (c) => v.classNames[c] ?? String(c);
    // A class without test codes (a small uploaded set) has no mean: say so instead of asking the core.
    const missing = [to, from].find((c) => !v.codeLabels.includes(c));
    if (missing !== undefined) {
      setText('ar-note', `(class ${name(missing)} has no image among the map's ${v.m} test codes: choose another)`);
      return;
    }
    const r = await call('attributeStrip', p.x, from, to, [...AR_STRENGTHS, s]);
    const D = state.rows * state.cols, k = AR_STRENGTHS.length;
    drawGrid2d($('ar-strip'), r.images.subarray(0, k * D), k, state.rows, state.cols, k, AR_CELL);
    drawGrid2d($('ar-live'), r.images.subarray(k * D), 1, state.rows, state.cols, 1, 2 * AR_CELL);
    $('ar-strip-labels').replaceChildren(...AR_STRENGTHS.map((x) => {
      const span = document.createElement('span');
      span.textContent = `s = ${x}`;
      return span;
    }));
    setText('ar-live-label', `s = ${s.toFixed(1)}`);
    setText('ar-note', `(image ${p.name} + s (mean(${name(to)}) − mean(${name(from)})), class means over ${v.m} test codes ` +
      `(${r.counts[to]} and ${r.counts[from]} of them); s = 0 is its reconstruction)`);
    const m = state.dataset ? state.dataset.testCount : v.m;
    const b = fieldValue('ar-b', 0, m - 1, true, 1), c = fieldValue('ar-c', 0, m - 1, true, 2);
    const a = await call('analogyTest', p.x, b, c);
    drawGrid2d($('ar-analogy'), a.images, 4, state.rows, state.cols, 4, AR_CELL);
    const lab = (i) => (state.testLabel(i) !== undefined ? ` (${name(state.testLabel(i))})` : '');
    $('ar-analogy-labels').replaceChildren(...['A', '− B', '+ C', '= decoded'].map((t) => {
      const span = document.createElement('span');
      span.textContent = t;
      return span;
    }));
    setText('ar-analogy-note', `A = ${p.name}${p.label >= 0 ? ` (${name(p.label)})` : ''}, B = #${b}${lab(b)}, ` +
      `C = #${c}${lab(c)}: their reconstructions, then the decoding of z(A) − z(B) + z(C)`);
  });
}
for (const id of ['ar-from', 'ar-to', 'ar-b', 'ar-c']) $(id).addEventListener('change', refreshArithmetic);
$('ar-s').addEventListener('input', refreshArithmetic);
refreshWhenVisible('ar-strip', refreshArithmetic);

// Compare projections (embedding.h): four 2-D maps of the same test images, each a 2D canvas scatter coloured
// by class with its title and 5-NN accuracy. On demand: two t-SNE runs take a few seconds (training waits).
function drawScatter(c, points, labels, title, sub) {
  const ctx = c.getContext('2d');
  const W = c.width, H = c.height, pad = 8, top = 34;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = '#222';
  ctx.font = 'bold 13px sans-serif';
  ctx.fillText(title, pad, 15);
  ctx.font = '12px sans-serif';
  ctx.fillStyle = '#555';
  ctx.fillText(sub, pad, 30);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < labels.length; i++) {
    const x = points[2 * i], y = points[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  ctx.strokeStyle = '#ccc';
  ctx.strokeRect(pad - 0.5, top - 0.5, W - 2 * pad + 1, H - top - pad + 1);
  const sx = (W - 2 * pad - 6) / Math.max(1e-9, x1 - x0), sy = (H - top - pad - 6) / Math.max(1e-9, y1 - y0);
  for (let i = 0; i < labels.length; i++) {
    ctx.fillStyle = cssColor(PALETTE[Math.min(labels[i], 14)]);
    ctx.fillRect(pad + 3 + (points[2 * i] - x0) * sx - 1, H - pad - 3 - (points[2 * i + 1] - y0) * sy - 1, 2.5, 2.5);
  }
}
$('cmp-run').onclick = () => latest('compare', async () => {
  if (!state.views) return;
  if (state.views.m < 100) { setText('cmp-status', `needs at least 100 test images; this data set has ${state.views.m}`); return; }
  const n = fieldValue('cmp-n', 100, Math.min(2000, state.views.m), true, 1000);
  const perplexity = fieldValue('cmp-perplexity', 2, Math.floor((n - 2) / 3), false, 30);
  $('cmp-run').disabled = true;
  setText('cmp-status', `mapping ${n} images four ways (two t-SNE runs of 500 iterations; training waits) ...`);
  const t0 = performance.now();
  try {
    const r = await call('compareEmbeddings', n, perplexity, 500, 1), views = r.views;
    const labels = Array.from(r.indices, (i) => state.views.codeLabels[i]), box = $('cmp-maps');
    const canvases = views.map(() => { const c = document.createElement('canvas'); c.width = 280; c.height = 260; c.className = 'cmp-map'; return c; });
    box.replaceChildren(...canvases);
    drawLegend(state.views.classNames, 'cmp-legend');
    views.forEach((v, i) => {
      canvases[i].setAttribute('role', 'img');
      canvases[i].setAttribute('aria-label', `map ${i + 1} of ${views.length}: ${n} test images in 2-D, coloured by class`);
      const extra = v.kl >= 0 ? `KL ${v.kl.toFixed(2)}` : `${Math.round(100 * v.explained)}% of the variance`;
      drawScatter(canvases[i], v.points, labels, v.title, `5-NN accuracy ${v.knn.toFixed(3)} · ${extra}`);
      canvases[i].setAttribute('role', 'img');
      canvases[i].setAttribute('aria-label', `${v.title}: 5-NN accuracy ${v.knn.toFixed(3)}`);
    });
    setText('cmp-status', `${n} test images at step ${state.steps.toLocaleString('en')}, ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      '5-NN: the even-indexed points classify the odd-indexed ones in each map');
  } finally {
    $('cmp-run').disabled = !state.created;
  }
});

// Histograms of each latent variable over the test codes (μ for a VAE, with the prior N(0, 1) drawn over
// each on the same scale): small multiples, 10 per row.
function refreshHistograms() {
  if (!state.created) return;
  latest('histograms', async () => {
    const r = await call('histograms', 30);
    const shown = r.dims.slice(0, 40), per = 10, w = 110, h = 60, pad = 6;
    const c = $('histograms');
    c.width = per * (w + pad) + pad;
    c.height = Math.ceil(shown.length / per) * (h + 18 + pad) + pad;
    const ctx = c.getContext('2d');
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.font = '11px sans-serif';
    shown.forEach((d, i) => {
      const x0 = pad + (i % per) * (w + pad), y0 = pad + Math.floor(i / per) * (h + 18 + pad);
      // (VAE: the scale also fits the prior's peak, n_codes * bin width / sqrt(2 pi), so its curve is never cut.)
      const n = d.counts.length, bw = w / n;
      const top = Math.max(1, ...d.counts, r.vae ? r.n * ((d.hi - d.lo) / n) / Math.sqrt(2 * Math.PI) : 0);
      ctx.fillStyle = '#f4f4f4';
      ctx.fillRect(x0, y0, w, h);
      ctx.fillStyle = '#4a7fb5';
      for (let b = 0; b < n; b++) {
        const bh = h * d.counts[b] / top;
        ctx.fillRect(x0 + b * bw, y0 + h - bh, Math.max(1, bw - 1), bh);
      }
      if (r.vae) {  // N(0, 1) density scaled to the histogram's counts: n_codes * bin width * phi(z)
        const width = (d.hi - d.lo) / n;
        ctx.strokeStyle = '#c33';
        ctx.beginPath();
        for (let px = 0; px <= w; px++) {
          const z = d.lo + (d.hi - d.lo) * px / w;
          const y = y0 + h - h * (r.n * width * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI)) / top;
          if (px === 0) ctx.moveTo(x0 + px, Math.max(y0, y)); else ctx.lineTo(x0 + px, Math.max(y0, y));
        }
        ctx.stroke();
      }
      ctx.fillStyle = '#333';
      ctx.fillText(`z${i + 1}  μ ${d.mean.toFixed(2)}  sd ${d.sd.toFixed(2)}`, x0, y0 + h + 12);
    });
    setText('hist-note', `histogram of each latent variable over ${r.n} test codes${r.vae ? ' (μ; red: the prior N(0, 1) at the same scale)' : ''}` +
      `${r.dims.length > shown.length ? `; the first ${shown.length} of ${r.dims.length}` : ''}; each from its min to its max`);
  });
}

// ---- messages from the worker -----------------------------------------------------------------------------
const TERM_NAMES = {};  // name -> label, from the core (options.h loss_terms, sent with 'ready')
const TERM_COLORS = {total: '#222', reconstruction: '#2a8', kl: '#a3c', sparsity: '#d80', contractive: '#38c',
                     codebook: '#c33', commitment: '#875'};
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
  for (const k of Object.keys(TERM_NAMES)) {
    if (k !== 'total' && k !== 'reconstruction' && T[k] && T[k].some(v => v !== 0)) state.usedTerms.add(k);
  }
  if (p.newLosses.length) state.lastTrainLoss = p.newLosses[p.newLosses.length - 1];
  for (let i = 0; i < p.newLosses.length; i++) {
    for (const term of shownTerms()) chart.add(`train ${TERM_NAMES[term]}`, TERM_COLORS[term], false, first + i + 1, T[term][i]);
  }
  state.epochStats = p.epochStats;
  for (const s of p.epochStats) {
    if (!state.testLosses.some(t => t.epoch === s.epoch && t.fromEpoch)) {
      state.testLosses.push({step: s.epoch * p.batchesPerEpoch, loss: s.testLoss, terms: s.testTerms, epoch: s.epoch, fromEpoch: true});
      addTestPoint(s.epoch * p.batchesPerEpoch, s.testTerms);
      // The status panel shows the newest test loss, the one the chart's test line ends at.
      state.testLoss = s.testLoss;
      $('st-test').textContent = `${s.testLoss.toFixed(4)} (epoch ${s.epoch})`;
    }
  }
  chart.setEpochLength(p.batchesPerEpoch);
  chart.compact();
  scheduleChart();
  const ofEpochs = state.epochs ? ` of ${state.epochs}` : '';
  setText('st-epoch', `${p.epoch}${ofEpochs} (${p.batchInEpoch}/${p.batchesPerEpoch})`);
  setText('st-step', String(p.steps));
  setText('st-rate', p.samplesPerSec ? Math.round(p.samplesPerSec).toLocaleString('en') : '–');
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
  requestAnimationFrame(() => { chartQueued = false; chart.draw(); lossChartLabel(); });
}
// The loss chart's text alternative: the newest train and test losses, as the chart's line ends show them.
function lossChartLabel() {
  const f = (v) => (v === null || v === undefined || !isFinite(v)) ? '–' : Number(v).toPrecision(3);
  const last = state.testLosses[state.testLosses.length - 1];
  const text = !state.steps ? 'Loss chart: no training yet' :
    `Loss chart: train ${f(state.lastTrainLoss)}, test ${f(last && last.loss)} at epoch ${state.epoch}, step ${state.steps}`;
  chart.label(text);
}

// VAE / cvae: the log-likelihood of the first LIK_IMAGES test images, bounded below by the ELBO and by
// IWAE_K (vae.h; Burda et al. 2016), computed by the worker a chunk of images at a time (about the same
// work per call whatever K) so that the views keep updating. A new estimate, Start or a new model cancels it.
const LIK_IMAGES = 500;
const lik = {seq: 0, active: false, result: null};
const isVaeModel = () => !!state.sessionConfig && ['vae', 'cvae'].includes(JSON.parse(state.sessionConfig).model.type);
function showLikelihood() {
  const on = !!state.created && isVaeModel();
  $('lik').hidden = !on;
  $('lik-run').disabled = !on || state.running;
}
async function estimateLikelihood() {
  const seq = ++lik.seq, K = Number($('lik-k').value), step = state.steps;
  const n = Math.min(LIK_IMAGES, state.dataset.testCount), chunk = Math.max(1, Math.round(12500 / K));
  const given = JSON.parse(state.sessionConfig).model.type === 'cvae' ? 'log p(x|y)' : 'log p(x)';
  let elbo = 0, iwae = 0, done = 0;
  lik.result = null;
  lik.active = true;
  while (done < n) {
    let r;
    try {
      r = await call('likelihood', done, Math.min(chunk, n - done), K, 1);
    } catch (e) {
      if (seq === lik.seq) lik.active = false;
      throw e;
    }
    if (seq !== lik.seq) return;
    elbo += r.elboSum;
    iwae += r.iwaeSum;
    done += r.n;
    setText('lik-text', `estimating: ${done} of ${n} test images…`);
  }
  lik.active = false;
  lik.result = {K, n, step, iwae: iwae / n, elbo: elbo / n};
  setText('lik-text', `${given} ≥ ${(iwae / n).toFixed(2)} nats per image (IWAE, K = ${K}, the first ${n} test images, ` +
    `step ${step}); ELBO ${(elbo / n).toFixed(2)}`);
}
state.lik = () => lik.result;  // the last finished estimate (tests)
$('lik-run').onclick = () => estimateLikelihood().catch((e) => { if (state.created) showError('log p(x)', e.message); });

async function evaluateTest() {
  const r = await call('evaluate');
  state.testLoss = r.loss;
  state.testLosses.push({step: state.steps, loss: r.loss, terms: r.terms});
  addTestPoint(state.steps, r.terms);
  scheduleChart();
  $('st-test').textContent = `${r.loss.toFixed(4)} (step ${state.steps})`;
}

// The vector field on 2-D data (core field_comparison.h, trained by the Worker apart from the session): two
// model types side by side on one toy set, the arrows redrawn as the Worker posts them while both train.
let fieldView = null;
const vf = {running: false, views: null};
function fillFieldTypes() {
  const f = FIELDS.find((x) => x.path === 'model.type');
  if (!f || $('vf-left').options.length) return;
  for (const [id, def] of [['vf-left', 'denoising'], ['vf-right', 'contractive']]) {
    for (const t of f.choices) $(id).add(new Option(t, t));
    $(id).value = def;
  }
}
function setFieldRunning(on) {
  vf.running = on;
  $('vf-run').textContent = on ? 'Stop' : 'Train both';
}
$('vf-run').onclick = () => {
  if (vf.running) {
    state.worker.postMessage({type: 'fieldStop'});
    setFieldRunning(false);
    setText('vf-status', `stopped at step ${(vf.steps || 0).toLocaleString('en')}`);
    return;
  }
  if (!fieldView) fieldView = new FieldView($('vf-canvas'));
  setFieldRunning(true);
  setText('vf-status', 'starting…');
  state.worker.postMessage({type: 'field', data: $('vf-data').value, types: [$('vf-left').value, $('vf-right').value]});
};
for (const id of ['vf-data', 'vf-left', 'vf-right']) $(id).onchange = () => { if (vf.running) { setFieldRunning(false); $('vf-run').click(); } };
function onField(m) {
  if (!vf.running) return;  // stopped: a message already on its way
  vf.views = m.views;
  vf.steps = m.steps;
  fieldView.draw(m.views);
  m.views.forEach((v, i) => setText(`vf-caption-${i}`, `${v.type}: alignment ${v.alignment.toFixed(3)} ` +
    `(${v.alignmentPoints} grid points), loss ${v.loss.toFixed(5)}` + (v.diverged ? `; stopped: ${v.message}` : '')));
  drawLegend(m.views[0].classNames, 'vf-legend');
  setText('vf-status', `${m.data}: step ${m.steps.toLocaleString('en')} / ${m.totalSteps.toLocaleString('en')}` +
    (m.done ? ', done' : '') + '; alignment = mean cosine between r(x) − x and the direction to the nearest test point');
  if (m.done) setFieldRunning(false);
}
state.field = vf;

function onMessage(ev) {
  const m = ev.data;
  switch (m.type) {
    case 'ready':
      state.defaultConfig = m.defaultConfig;
      FIELDS = JSON.parse(m.fields);
      LESSONS = JSON.parse(m.lessons);
      fillLessons();
      for (const t of m.terms) TERM_NAMES[t.name] = t.label;
      $('simd').textContent = `WebAssembly SIMD: ${m.simd}`;
      buildForm();
      fillFieldTypes();
      // The link's settings (URL hash) fill the form before the data loads, so the first model is theirs.
      setFormConfig(m.defaultConfig).then(applyLink).catch(e => showError('form', e.message))
        .finally(() => $('load-data').click());
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
      state.dataset = {...m.info, kind: m.kind};
      state.created = false;
      state.finished = false;
      state.steps = 0;
      $('load-progress').hidden = true;
      $('load-status').textContent = `${m.info.name}: ${m.info.trainCount.toLocaleString('en')} train / ` +
        `${m.info.testCount.toLocaleString('en')} test, ${m.info.rows}×${m.info.cols}, ${m.info.classNames.length} classes` +
        (m.info.note ? `. ${m.info.note}` : '');
      selectDataset();
      fillExcludeOptions();
      updateButtons();
      writeLink();
      // A model for the new data at once, so that every view shows it (not the previous data's model);
      // not when the data came with a model file (its session follows).
      if (state.defaultConfig && !m.withModel) normalizedFormConfig().then(createModel, () => {});
      break;
    case 'created':
      state.created = true;
      state.stepsLoaded = m.fromFile ? m.fromFile.step : 0;
      state.usedTerms = new Set();
      state.divergedShown = false;
      state.sessionConfig = m.config;
      state.epochs = JSON.parse(m.config).train.epochs;
      state.finished = false;
      state.excludeClass = m.excludeClass;
      $('an-exclude').value = String(m.excludeClass);
      $('config-note').textContent = '';
      clearModelViews();
      state.unit = m.unit;
      $('loss-unit').textContent = m.unit;
      if (m.fromFile) {
        setFormConfig(m.config).catch(e => showError('form', e.message));
        const ep = m.fromFile.epoch, st = m.fromFile.step;
        $('model-status').textContent = `${m.fromFile.name}: trained ${ep} epoch${ep === 1 ? '' : 's'}, ${st} step${st === 1 ? '' : 's'}`;
        state.loadedModel = m.fromFile;
      } else {
        $('model-status').textContent = m.excludeClass >= 0
          ? `trained without ${state.dataset.classNames[m.excludeClass]} (${m.trainCount.toLocaleString('en')} training images)` : '';
      }
      state.testImages = m.testImages;
      state.rows = m.rows;
      state.cols = m.cols;
      state.steps = 0;
      state.testLosses = [];
      state.testLoss = null;
      state.interp = [];
      nnPixelMean.clear();
      $('cmp-maps').replaceChildren();  // another model's maps
      setText('cmp-status', '');
      state.mask = null;
      state.extraPath = state.extraDraw = null;
      showExtras();
      map.autoFit = true;
      state.tsne = null;
      if (neighbourMap()) state.tsneRestart = true;  // of the new model's codes, once its views arrive
      chart.clear();
      $('st-test').textContent = '–';
      evaluateTest().catch(e => { if (state.created) showError('evaluate', e.message); });  // dropped: new data
      setupClassPicker().catch(e => { if (state.created) showError('class', e.message); });
      ++lik.seq;
      lik.active = false;
      lik.result = null;
      setText('lik-text', '');
      if (state.onCreated) { state.onCreated(); state.onCreated = null; }
      if (state.lessonStart) { state.lessonStart = false; startLesson(); }
      updateButtons();
      break;
    case 'progress':
      onProgress(m);
      break;
    case 'views':
      onViews(m);
      if (state.lessonScroll && state.lessonScroll.left-- > 0) state.lessonScroll.section.scrollIntoView({block: 'start'});
      break;
    case 'tsne':
      onTsne(m);
      break;
    case 'field':
      onField(m);
      break;
    case 'state':
      if (m.dropped) state.created = false;
      if (state.running && !m.running && state.created) evaluateTest().catch(e => showError('evaluate', e.message));
      state.running = m.running;
      if (m.epochs) state.epochs = m.epochs;
      state.finished = !!m.finished;
      if (m.finished) {
        $('st-message').textContent = `finished: ${state.epoch} epochs, as set in the form; Continue trains one more epoch`;
      } else if (m.running && state.created) {
        // A Start of a finished model raised the epochs by one: the form shows it.
        const el = document.querySelector('[name="train.epochs"]');
        if (el && Number(el.value) !== m.epochs) {
          el.value = String(m.epochs);
          const c = JSON.parse(state.sessionConfig); c.train.epochs = m.epochs;
          call('normalize', JSON.stringify(c)).then(t => { state.sessionConfig = t; }, () => {});
        }
        $('st-message').textContent = '';
      }
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
      if (m.where === 'tsne') setText('tsne-status', m.message);
      if (m.where === 'field') { setFieldRunning(false); setText('vf-status', m.message); }
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
    map.draw();  // sizes its canvas to the layout now: resizing a WebGL canvas later waits for the GPU process
    // Every image view's WebGL2 context now, while nothing runs: creating a context and compiling its
    // shaders blocks the page thread for 50-800 ms under a software GL, which must not happen mid-training.
    // Also at their default sizes: resizing a WebGL canvas makes Chromium wait for the GPU process.
    const blank = (id, k, perRow, cell, gap = 2) => {
      const c = $(id);
      c.width = perRow * (cell + gap) + gap;
      c.height = Math.ceil(k / perRow) * (cell + gap) + gap;
      // Its k textures too (28 x 28, drawn off-canvas): the first real draw then only updates them.
      const zero = new Float32Array(28 * 28);
      images(c).draw(Array.from({length: k}, () => ({pixels: zero, x: -2, y: -2, w: 1, h: 1})), 28, 28, 0.96);
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
    drawHistogram($('an-hist'), [0], 0);  // its 2D context and size now, not mid-training
    $('an-hist').getContext('2d', {willReadFrequently: true}).clearRect(0, 0, $('an-hist').width, $('an-hist').height);
    installMapInput();
    installDraw();
    installDenoise();
    window.addEventListener('resize', () => { map.draw(); chart.draw(); });
    $('loss-log').addEventListener('change', () => chart.setLog($('loss-log').checked));
  } catch (e) {
    showError('page', e.message);
  }
  state.worker = new Worker('worker.js');
  installThreadControl(state.worker, state);
  state.worker.onmessage = (ev) => {
    const t0 = performance.now();
    onMessage(ev);
    const dt = performance.now() - t0;
    if (dt > 30) state.slowHandlers.push([ev.data.type, Math.round(dt)]);  // read by the tests
  };
  state.worker.onerror = (e) => showError('worker', e.message);
}
main();
