// Changing things while the model trains (the defects a new user found):
//  1. interpolation: after the first strip, lerp/slerp and every view update keep working (no "ArrayBuffer
//     is detached" from postMessage; the strip and the map path keep changing);
//  4. the status panel's test loss follows the chart's test line during training (not only at Pause);
//  5. learning rate and epochs edited during training apply at the next minibatch (the saved file has
//     them); a model field says it needs a new model;
//  3. training stops at the configured epochs and offers to continue (one more epoch);
//  2. loading MNIST while training: buttons work again, the views show a model of MNIST; Space starts and
//     pauses, S steps (not while typing in a field).
'use strict';
const {openPage, waitForData, setField, screenshot, run, assert} = require('./common.js');

run(async () => {
  const t = await openPage();
  const {page} = t;
  const errors = () => page.evaluate(() => window.aeLab.errors);
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await setField(page, 'model.encoder', '64');
    await setField(page, 'train.batch', '128');
    await setField(page, 'train.epochs', '20');
    await page.click('#start');
    await page.waitForFunction(() => window.aeLab.running && window.aeLab.steps > 10, null, {timeout: 60000});

    // 1. Interpolation during training.
    await page.click('#ip-random');
    await page.waitForFunction(() => /test image #\d+ → test image #\d+/.test(document.getElementById('interp-note').textContent));
    const pathNow = () => page.evaluate(() => Array.from(window.aeLab.extraPath || []).join(','));
    const p0 = await pathNow();
    await page.selectOption('#ip-mode', 'slerp');
    await page.waitForTimeout(300);
    await page.selectOption('#ip-mode', 'lerp');
    // Two view updates (every 0.8 s) move the path as the model trains.
    await page.waitForTimeout(2500);
    const p1 = await pathNow();
    let e = await errors();
    console.log(`interpolation path changed during training: ${p0 !== p1}; errors: ${JSON.stringify(e)}`);
    assert.deepStrictEqual(e, [], 'errors after changing lerp/slerp during training');
    assert.notStrictEqual(p0, p1, 'the interpolation path on the map froze');

    // 4. Test loss in the status panel during training: the next epoch ends (469 minibatches of 128) and
    // the status shows that epoch's test loss, the chart's last test point. (On a quiet machine the first
    // epoch may already be over here: wait for the one after the reading.)
    const [st0, e0] = await page.evaluate(() => [document.getElementById('st-test').textContent, window.aeLab.epoch]);
    await page.waitForFunction((e) => window.aeLab.epoch >= e + 1, e0, {timeout: 90000});
    await page.waitForTimeout(300);
    const st = await page.evaluate(() => ({text: document.getElementById('st-test').textContent,
                                            last: window.aeLab.testLosses[window.aeLab.testLosses.length - 1].loss,
                                            running: window.aeLab.running}));
    console.log(`status test loss: "${st0}" at epoch ${e0} -> "${st.text}" after epoch ${e0 + 1} (chart's last test point ${st.last.toFixed(4)})`);
    assert.ok(st.running, 'training stopped');
    assert.notStrictEqual(st.text, st0, 'the status test loss stayed at its step-0 value');
    assert.ok(st.text.startsWith(st.last.toFixed(4)), 'the status test loss is not the chart\'s last test loss');

    // 5. Learning rate 0.001 -> 0.005 during training: applied (note, saved file); a model field: needs a new model.
    await setField(page, 'train.lr', '0.005');
    await page.waitForFunction(() => /applied at step \d+/.test(document.getElementById('config-note').textContent), null, {timeout: 10000});
    const note = await page.evaluate(() => document.getElementById('config-note').textContent);
    const saved = await page.evaluate(async () => {
      const bytes = await window.aeLab.call('saveModel');
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      return JSON.parse(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))).__metadata__.config).train;
    });
    console.log(`lr edit: "${note}"; saved file's train config: lr ${saved.lr}, epochs ${saved.epochs}`);
    assert.ok(Math.abs(saved.lr - 0.005) < 1e-9, 'the new learning rate is not in the session');
    await setField(page, 'model.latent', '3');
    await page.waitForFunction(() => /needs a new model/.test(document.getElementById('config-note').textContent), null, {timeout: 10000});
    console.log(`latent edit: "${await page.evaluate(() => document.getElementById('config-note').textContent)}"`);
    assert.ok(await page.evaluate(() => window.aeLab.running), 'a model edit stopped training');
    await setField(page, 'model.latent', '2');

    // 3. Epochs 20 -> (current + 1) while training: training stops there and offers one more epoch.
    const E = await page.evaluate(() => window.aeLab.epoch + 1);
    await setField(page, 'train.epochs', String(E));
    await page.waitForFunction(() => !window.aeLab.running && window.aeLab.finished, null, {timeout: 120000});
    let s = await page.evaluate(() => ({epoch: window.aeLab.epoch, steps: window.aeLab.steps,
                                        start: document.getElementById('start').textContent,
                                        msg: document.getElementById('st-message').textContent}));
    console.log(`epochs set to ${E}: stopped at epoch ${s.epoch}, ${s.steps} steps; start button "${s.start}"; "${s.msg}"`);
    assert.strictEqual(s.epoch, E);
    assert.strictEqual(s.steps, E * 469);
    assert.match(s.start, /Continue/);
    await page.click('#start');
    await page.waitForFunction((e) => !window.aeLab.running && window.aeLab.finished && window.aeLab.epoch === e, E + 1, {timeout: 120000});
    s = await page.evaluate(() => ({epoch: window.aeLab.epoch, steps: window.aeLab.steps,
                                    field: document.querySelector('[name="train.epochs"]').value}));
    console.log(`continued: epoch ${s.epoch}, ${s.steps} steps; epochs field ${s.field}`);
    assert.strictEqual(s.steps, (E + 1) * 469);
    assert.strictEqual(s.field, String(E + 1));

    // 2. MNIST while training: the page asks, loads, and every control works on a model of MNIST.
    await setField(page, 'train.epochs', '20');
    await page.click('#start');
    await page.waitForFunction(() => window.aeLab.running, null, {timeout: 20000});
    await page.selectOption('#dataset', 'mnist');
    await page.click('#confirm-yes');
    await waitForData(page, 'mnist', 60000);
    await page.waitForFunction(() => window.aeLab.created && window.aeLab.views && window.aeLab.steps === 0 &&
                               window.aeLab.views.classNames.join() === window.aeLab.dataset.classNames.join(), null, {timeout: 30000});
    const b = await page.evaluate(() => Object.fromEntries(['start', 'step', 'reset', 'save-model', 'an-run', 'pause']
      .map(id => [id, document.getElementById(id).disabled])));
    console.log('buttons disabled after loading MNIST while training:', JSON.stringify(b));
    assert.deepStrictEqual(b, {start: false, step: false, reset: false, 'save-model': false, 'an-run': false, pause: true});
    const legend = await page.evaluate(() => document.getElementById('legend').textContent);
    assert.ok(!/Trouser/.test(legend), `the legend still shows Fashion-MNIST classes: ${legend}`);
    // The keyboard (issue 14): Space starts, Space pauses, S steps one minibatch; not while typing in a field.
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press('Space');
    await page.waitForFunction(() => window.aeLab.running && window.aeLab.steps > 5, null, {timeout: 30000});
    await page.keyboard.press('Space');
    await page.waitForFunction(() => !window.aeLab.running, null, {timeout: 20000});
    const before = await page.evaluate(() => window.aeLab.steps);
    await page.keyboard.press('s');
    await page.waitForFunction((n) => window.aeLab.steps === n + 1, before, {timeout: 20000});
    await page.focus('#ip-steps');
    await page.keyboard.press('s');
    await page.waitForTimeout(500);
    assert.strictEqual(await page.evaluate(() => window.aeLab.steps), before + 1, 'S in a field stepped the model');
    await screenshot(page, 'live-after-mnist.png');
    e = await errors();
    assert.deepStrictEqual(e, [], 'the page showed errors');
    assert.deepStrictEqual(t.consoleErrors, [], 'console errors');
  } finally {
    await t.close();
  }
});
