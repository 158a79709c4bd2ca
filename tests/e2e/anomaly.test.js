// The anomaly view can leave a class out of training (as `ae train --exclude-class`): a new model on the
// training set without it, said in the model status, recorded in the saved file (__metadata__.exclude_class);
// after training, its AUROC is marked as the anomaly test, and each of the worst images shows its error.
'use strict';
const {openPage, waitForData, setField, screenshot, run, assert} = require('./common.js');

run(async () => {
  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await page.selectOption('#dataset', 'mnist');
    await waitForData(page, 'mnist', 60000);
    await page.waitForFunction(() => window.aeLab.created && window.aeLab.dataset.name === 'mnist', null, {timeout: 30000});
    await setField(page, 'model.encoder', '128');
    await setField(page, 'model.latent', '8');
    await setField(page, 'train.batch', '64');
    await setField(page, 'train.epochs', '2');
    await page.click('#reset');
    await page.waitForFunction(() => window.aeLab.created && JSON.parse(window.aeLab.sessionConfig).model.latent === 8, null, {timeout: 30000});
    await page.selectOption('#an-exclude', '8');
    await page.waitForFunction(() => window.aeLab.excludeClass === 8, null, {timeout: 30000});
    const status = await page.evaluate(() => document.getElementById('model-status').textContent);
    console.log(`model status: "${status}"`);
    assert.match(status, /trained without 8 \(7,\d{3} training images\)/);
    await page.click('#start');
    await page.waitForFunction(() => window.aeLab.finished && !window.aeLab.running, null, {timeout: 120000});
    await page.click('#an-run');
    await page.waitForFunction(() => window.aeLab.anomaly, null, {timeout: 60000});
    const r = await page.evaluate(() => ({a: window.aeLab.anomaly, errs: window.aeLab.anomalyWorstErrors,
      shown: [...document.querySelectorAll('#an-worst-errors span')].map(s => s.textContent),
      note: document.getElementById('an-note').textContent, metrics: document.getElementById('an-metrics').textContent}));
    console.log(`anomaly: ${JSON.stringify(r.a)}; note "${r.note}"; worst errors shown: ${r.shown.join(' ')}`);
    assert.strictEqual(r.shown.length, 16);
    assert.deepStrictEqual(r.shown, r.errs.map(e => e.toFixed(4)));
    for (let i = 1; i < r.errs.length; i++) assert.ok(r.errs[i] <= r.errs[i - 1], 'worst errors not in falling order');
    assert.match(r.note, /8 was left out of training/);
    assert.match(r.metrics, /8 \d\.\d{3} \(left out\)/);
    assert.strictEqual(r.a.excluded, 8);
    assert.ok(r.a.aurocExcluded > 0.5, `AUROC of the left-out class ${r.a.aurocExcluded}`);
    const meta = await page.evaluate(async () => {
      const bytes = await window.aeLab.call('saveModel');
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))).__metadata__;
    });
    console.log(`saved metadata exclude_class: ${meta.exclude_class}`);
    assert.strictEqual(meta.exclude_class, '8');
    // Loading the saved file back keeps the class out (the selector and the session say 8).
    const bytes = await page.evaluate(async () => Array.from(await window.aeLab.call('saveModel')));
    const file = require('path').join(require('os').tmpdir(), 'ae-anomaly-excluded.safetensors');
    require('fs').writeFileSync(file, Buffer.from(bytes));
    await page.evaluate(() => { window.aeLab.excludeClass = null; });
    await page.setInputFiles('#load-model', file);
    // The page asks before discarding the trained model.
    await page.waitForSelector('#confirm:not([hidden])', {timeout: 5000});
    await page.click('#confirm-yes');
    await page.waitForFunction(() => window.aeLab.excludeClass === 8 && /trained/.test(document.getElementById('model-status').textContent),
                               null, {timeout: 30000});
    assert.strictEqual(await page.evaluate(() => document.getElementById('an-exclude').value), '8');
    await page.locator('#an-worst').scrollIntoViewIfNeeded();
    await screenshot(page, 'anomaly-excluded.png');
    assert.deepStrictEqual(await page.evaluate(() => window.aeLab.errors), [], 'the page showed errors');
    assert.deepStrictEqual(t.consoleErrors, [], 'console errors');
  } finally {
    await t.close();
  }
});
