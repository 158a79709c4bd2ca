// Which build the page runs. Served with COOP/COEP (web/serve.py's default) the page is cross-origin
// isolated: the worker loads the threaded module (ae-mt.js, pthread Workers), the header says "N threads"
// (N = min(4, cores), the default) and offers a thread count; Fashion-MNIST trains (loss falls), a change of
// the thread count applies while training, and the session's config follows it. Served without the headers
// (serve.py --no-isolation, as a plain static host does) the worker loads ae.js, the header says "1 thread:
// serve with COOP/COEP for more", no thread choice is offered, and the page trains all the same.
// (Bit-identical losses across thread counts: tests/wasm/threads.test.js on the same module.)
'use strict';
const {openPage, waitForData, setField, run, assert} = require('./common.js');

const STEPS = 60;

async function trainSome(page, steps) {
  const from = await page.evaluate(() => window.aeLab.steps || 0);
  await page.click('#start');
  await page.waitForFunction(() => window.aeLab.running || !document.getElementById('confirm').hidden, null, {timeout: 30000});
  if (await page.locator('#confirm-yes').isVisible()) await page.click('#confirm-yes');
  await page.waitForFunction(([a, n]) => window.aeLab.running && window.aeLab.steps >= a + n, [from, steps], {timeout: 120000});
  await page.click('#pause');
  await page.waitForFunction(() => !window.aeLab.running);
  await page.waitForFunction(() => window.aeLab.testLosses.some(l => l.step === window.aeLab.steps && !l.fromEpoch));
}

async function check(isolation) {
  const t = await openPage({isolation});
  const {page} = t;
  const modules = [];
  t.context.on('request', (r) => { const m = r.url().match(/\/(ae(?:-mt)?)\.wasm$/); if (m) modules.push(m[1]); });
  try {
    await page.waitForFunction(() => window.aeLab.maxThreads !== undefined, null, {timeout: 60000});
    const info = await page.evaluate(() => ({isolated: self.crossOriginIsolated, threaded: window.aeLab.threaded,
                                             max: window.aeLab.maxThreads, threads: window.aeLab.threads,
                                             cores: navigator.hardwareConcurrency,
                                             note: document.getElementById('threads-note').textContent,
                                             choice: !document.getElementById('threads-label').hidden,
                                             options: document.getElementById('threads').options.length}));
    console.log(`${isolation ? 'with' : 'without'} COOP/COEP:`, JSON.stringify(info), 'module fetched:', modules.join());
    assert.strictEqual(info.isolated, isolation);
    assert.strictEqual(info.threaded, isolation, 'the worker must pick the threaded build exactly when isolated');
    if (isolation) {
      assert.strictEqual(info.max, Math.min(4, info.cores));
      assert.strictEqual(info.threads, info.max, 'default: all the threads the module offers');
      assert.strictEqual(info.note, `${info.max} thread${info.max === 1 ? '' : 's'}${info.max > 1 ? '' : ' (1 core)'}`);
      assert.strictEqual(info.choice, info.max > 1);
      assert.strictEqual(info.options, info.max);
    } else {
      assert.strictEqual(info.max, 1);
      assert.strictEqual(info.note, '1 thread: serve with COOP/COEP for more');
      assert.strictEqual(info.choice, false, 'no thread choice in the single-threaded build');
    }

    await waitForData(page, 'fashion-mnist', 90000);
    await setField(page, 'model.encoder', '256');
    await setField(page, 'train.batch', '128');
    await trainSome(page, STEPS);
    const a = await page.evaluate(() => ({config: JSON.parse(window.aeLab.sessionConfig), steps: window.aeLab.steps, rate: window.aeLab.samplesPerSec,
                                          heap: window.aeLab.heapBytes, errors: window.aeLab.errors}));
    assert.deepStrictEqual(a.errors, [], 'the page showed errors');
    assert.strictEqual(a.config.train.threads, info.max, 'the session trains on the thread count shown');
    console.log(`trained ${a.steps} steps of 784-256-2, batch 128, on ${a.config.train.threads} thread(s): ` +
                `${Math.round(a.rate)} samples/s, WASM memory ${(a.heap / 2 ** 20).toFixed(0)} MiB`);
    assert.deepStrictEqual([...new Set(modules)], [isolation ? 'ae-mt' : 'ae'], 'exactly one module is fetched');

    if (isolation && info.max > 1) {
      // One thread, applied to the live session: training goes on, the config says 1, Start asks nothing.
      await page.selectOption('#threads', '1');
      await page.waitForFunction(() => window.aeLab.threads === 1 && document.getElementById('threads-note').textContent === '1 thread');
      await trainSome(page, 20);
      const b = await page.evaluate(() => ({config: JSON.parse(window.aeLab.sessionConfig), steps: window.aeLab.steps,
                                            errors: window.aeLab.errors}));
      assert.strictEqual(b.config.train.threads, 1);
      assert.ok(b.steps >= a.steps + 20, 'the same model trained on (no new model for a thread change)');
      assert.deepStrictEqual(b.errors, []);
      console.log(`after choosing 1 thread: ${b.steps} steps, the session's train.threads ${b.config.train.threads}`);
    }
    const loss = await page.evaluate(() => window.aeLab.testLosses.map(l => l.loss));
    assert.ok(loss.length >= 2 && loss[loss.length - 1] < 0.8 * loss[0], `test loss did not fall: ${loss.join(', ')}`);
    assert.deepStrictEqual(t.consoleErrors, [], 'console errors');
  } finally {
    await t.close();
  }
}

run(async () => {
  await check(true);
  await check(false);
});
