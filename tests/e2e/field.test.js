// The vector field on 2-D data (core field_comparison.h through the Worker's FieldLab): "Train both" trains a
// denoising and a contractive autoencoder on the two moons side by side, apart from the page's model; the
// arrows move while they train (the posted fields differ), the steps count up to the end of training, and at
// the end the denoising field points back to the data (alignment above the core test's floor, 0.75) while
// the canvas shows points and arrows. Then another data set trains, and Stop stops it.
'use strict';
const {openPage, waitForData, screenshot, screenshotStats, run, assert} = require('./common.js');

run(async () => {
  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    const types = await page.evaluate(() => [document.getElementById('vf-left').value, document.getElementById('vf-right').value]);
    assert.deepStrictEqual(types, ['denoising', 'contractive']);
    await page.locator('#vf-canvas').scrollIntoViewIfNeeded();
    const t0 = Date.now();
    await page.click('#vf-run');
    await page.waitForFunction(() => window.aeLab.field.views && window.aeLab.field.steps >= 500, null, {timeout: 60000});
    const early = await page.evaluate(() => ({steps: window.aeLab.field.steps, arrows: Array.from(window.aeLab.field.views[0].arrows.slice(0, 40)),
                                               alignment: window.aeLab.field.views[0].alignment}));
    await page.waitForFunction(() => /, done/.test(document.getElementById('vf-status').textContent), null, {timeout: 120000});
    const seconds = (Date.now() - t0) / 1000;
    const end = await page.evaluate(() => ({
      status: document.getElementById('vf-status').textContent, button: document.getElementById('vf-run').textContent,
      captions: [0, 1].map((i) => document.getElementById(`vf-caption-${i}`).textContent),
      views: window.aeLab.field.views.map((v) => ({type: v.type, alignment: v.alignment, points: v.points.length / 2,
        arrows: v.arrows.length / 12, steps: v.steps, first: Array.from(v.arrows.slice(0, 40))}))}));
    console.log(`field: ${end.status}; ${end.captions.join(' | ')}; ${seconds.toFixed(1)} s in the Worker`);
    assert.match(end.status, /^moons: step 6,400 \/ 6,400, done/);
    assert.strictEqual(end.button, 'Train both');
    assert.deepStrictEqual(end.views.map((v) => v.type), ['denoising', 'contractive']);
    for (const v of end.views) {
      assert.strictEqual(v.steps, 6400);
      assert.strictEqual(v.points, 500);
      assert.ok(v.arrows > 500 && v.arrows <= 576, `arrows ${v.arrows}`);
    }
    assert.notDeepStrictEqual(end.views[0].first, early.arrows, 'the arrows did not change while training');
    assert.ok(end.views[0].alignment > 0.75, `denoising alignment ${end.views[0].alignment} (step ${early.steps}: ${early.alignment})`);
    assert.match(end.captions[0], /^denoising: alignment 0\.\d{3} \(\d+ grid points\), loss \d\.\d{5}$/);
    const file = await screenshot(page, 'field.png', '#vf-canvas >> xpath=..');
    console.log('screenshot:', file);
    const stats = await screenshotStats(page, '#vf-canvas');
    console.log(`canvas: ${JSON.stringify(stats)}`);
    assert.ok(stats.nonWhite > 0.05 && stats.colours > 8, 'the canvas shows no field');
    // Another data set, trained anew; Stop stops both.
    await page.selectOption('#vf-data', 'circle');
    await page.click('#vf-run');
    await page.waitForFunction(() => /^circle: step/.test(document.getElementById('vf-status').textContent), null, {timeout: 30000});
    await page.click('#vf-run');
    const stopped = await page.evaluate(() => document.getElementById('vf-status').textContent);
    assert.match(stopped, /^stopped at step/);
    assert.ok(!/done/.test(stopped));
    await page.waitForTimeout(300);
    assert.match(await page.evaluate(() => document.getElementById('vf-status').textContent), /^stopped at step/);
    assert.deepStrictEqual(t.consoleErrors, []);
  } finally {
    await t.close();
  }
});
