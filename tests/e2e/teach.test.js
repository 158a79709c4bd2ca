// Issue 14's controls and accessibility basics in headless Chromium: Space starts and pauses, S trains
// exactly one minibatch, R resets to an untrained model (after the discard question), none of them while
// typing in a field; the buttons' titles name the keys; an error goes to a role="alert" region shown as a
// fixed banner over the page (the page below does not move). axe-core (npm, web/node_modules) finds no
// serious or critical violation after loading, while training and with the error banner shown. Every canvas
// is role="img" with an aria-label; the loss chart's names the newest train and test losses. The loss chart's axes
// (from 0; the log toggle; fitted to the values before a divergence) and its legend's line styles.
// Screenshots: teach-*.png.
'use strict';
const {openPage, waitForData, setField, screenshot, run, assert, ROOT} = require('./common.js');
const path = require('path');

// axe-core in the page; fails on a serious or critical violation, printing every violation it found.
async function axeCheck(page, when) {
  if (!(await page.evaluate(() => !!window.axe))) {
    await page.addScriptTag({path: path.join(ROOT, 'web/node_modules/axe-core/axe.min.js')});
  }
  const found = await page.evaluate(async () => (await window.axe.run(document)).violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`)})));
  for (const v of found) console.log(`axe (${when}): ${v.impact} ${v.id} (${v.help}) x${v.nodes.length}\n  ${v.nodes.slice(0, 10).join('\n  ')}`);
  const bad = found.filter(v => v.impact === 'serious' || v.impact === 'critical');
  assert.deepStrictEqual(bad.map(v => v.id), [], `axe: serious or critical violations ${when}`);
  console.log(`axe (${when}): ${found.length} violations, none serious or critical`);
}

run(async () => {
  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await page.waitForFunction(() => window.aeLab.created && !document.getElementById('start').disabled, null, {timeout: 60000});

    await axeCheck(page, 'after loading');

    // Keyboard focus shows a ring (Tab from the Pause button's neighbour reaches Step).
    await page.focus('#start');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    const ring = await page.evaluate(() => { const s = getComputedStyle(document.activeElement);
      return {id: document.activeElement.id, style: s.outlineStyle, width: s.outlineWidth}; });
    assert.ok(ring.style !== 'none' && parseFloat(ring.width) >= 2, `no focus ring on #${ring.id}: ${JSON.stringify(ring)}`);
    await screenshot(page, 'teach-focus.png', 'aside');
    await page.evaluate(() => document.activeElement.blur());

    // The buttons' titles name their keys.
    const titles = await page.evaluate(() => Object.fromEntries(['start', 'pause', 'step', 'reset']
      .map(id => [id, document.getElementById(id).title])));
    console.log('titles:', JSON.stringify(titles));
    assert.match(titles.start, /\(Space\)/);
    assert.match(titles.pause, /\(Space\)/);
    assert.match(titles.step, /\(S\)/);
    assert.match(titles.reset, /\(R\)/);

    // Space starts, Space pauses.
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press('Space');
    await page.waitForFunction(() => window.aeLab.running && window.aeLab.steps > 3, null, {timeout: 30000});
    await axeCheck(page, 'while training');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => !window.aeLab.running, null, {timeout: 20000});
    await page.waitForTimeout(300);
    const paused = await page.evaluate(() => window.aeLab.steps);
    await page.waitForTimeout(500);
    assert.strictEqual(await page.evaluate(() => window.aeLab.steps), paused, 'training went on after Space paused it');

    // Every canvas has a text alternative; the loss chart's names the newest losses (pause evaluates the test set).
    const unnamed = await page.evaluate(() => [...document.querySelectorAll('canvas')]
      .filter(c => c.getAttribute('role') !== 'img' || !(c.getAttribute('aria-label') || '').trim()).map(c => c.id || c.outerHTML));
    assert.deepStrictEqual(unnamed, [], 'canvases without role="img" and an aria-label');
    await page.waitForFunction(() => /^Loss chart: train [0-9.]+, test [0-9.]+ at epoch \d+, step \d+$/
      .test(document.querySelector('#loss-chart canvas').getAttribute('aria-label')), null, {timeout: 20000});
    console.log('loss chart:', await page.evaluate(() => document.querySelector('#loss-chart canvas').getAttribute('aria-label')));

    // The loss chart (uPlot): losses are non-negative, so the axis starts at 0; the log toggle gives whole
    // decades above 0; the legend names a solid train and a dashed test line; the epoch length is known.
    const lin = await page.evaluate(() => window.aeLab.chartScale());
    assert.strictEqual(lin.min, 0, `the linear axis starts at ${lin.min}`);
    assert.ok(lin.max > 0 && lin.epochLength > 0 && lin.series >= 2, JSON.stringify(lin));
    const legend = await page.evaluate(() => [...document.querySelectorAll('#loss-chart .u-legend .u-series')].map((r) => ({
      text: r.textContent.split(':')[0].trim(), border: (r.querySelector('.u-marker') || {style: {}}).style.border || ''})));
    console.log('legend:', JSON.stringify(legend));
    assert.ok(legend.some((l) => /^train total/.test(l.text) && /solid/.test(l.border)), 'a solid train line in the legend');
    assert.ok(legend.some((l) => /^test total/.test(l.text) && /dashed/.test(l.border)), 'a dashed test line in the legend');
    await page.check('#loss-log');
    const log = await page.evaluate(() => window.aeLab.chartScale());
    console.log('loss chart scale: linear', JSON.stringify(lin), 'log', JSON.stringify(log));
    assert.ok(log.log && log.min > 0 && Math.abs(Math.log10(log.min) - Math.round(Math.log10(log.min))) < 1e-9, JSON.stringify(log));
    await screenshot(page, 'teach-loss-log.png', '#loss-chart');
    await page.uncheck('#loss-log');
    await page.evaluate(() => document.activeElement.blur());  // the keys below are not for a focused checkbox

    // S: exactly one minibatch per press.
    await page.keyboard.press('s');
    await page.waitForFunction((n) => window.aeLab.steps === n + 1, paused, {timeout: 20000});
    await page.keyboard.press('S');
    await page.waitForFunction((n) => window.aeLab.steps === n + 2, paused, {timeout: 20000});
    await page.waitForTimeout(500);
    assert.strictEqual(await page.evaluate(() => window.aeLab.steps), paused + 2, 'S trained more than one minibatch');
    console.log(`Space ran to step ${paused}; S, S -> ${paused + 2}`);

    // Not while typing: S, R and Space in a text field of the form type into it.
    const field = await page.evaluate(() => document.querySelector('#config-form input[type=text]').name);
    await page.focus(`[name="${field}"]`);
    await page.keyboard.press('s');
    await page.keyboard.press('r');
    await page.keyboard.press('Space');
    await page.waitForTimeout(500);
    const typing = await page.evaluate(() => ({steps: window.aeLab.steps, running: window.aeLab.running,
                                               confirm: !document.getElementById('confirm').hidden}));
    assert.deepStrictEqual(typing, {steps: paused + 2, running: false, confirm: false}, 'keys acted while typing in a field');
    // Put the field back (the typed text would mark it), then leave it.
    await page.evaluate((n) => {
      const el = document.querySelector(`[name="${n}"]`);
      el.value = el.defaultValue;
      el.dispatchEvent(new Event('change', {bubbles: true}));
      el.blur();
    }, field);
    await page.waitForFunction(() => window.aeLab.formChecked() && !document.getElementById('step').disabled, null, {timeout: 20000});

    // R: asks before discarding the trained steps; yes gives an untrained model.
    await page.keyboard.press('r');
    await page.waitForFunction(() => !document.getElementById('confirm').hidden, null, {timeout: 10000});
    await screenshot(page, 'teach-reset-confirm.png');
    await page.click('#confirm-yes');
    await page.waitForFunction(() => window.aeLab.created && window.aeLab.steps === 0, null, {timeout: 30000});
    await page.keyboard.press('s');
    await page.waitForFunction(() => window.aeLab.steps === 1, null, {timeout: 20000});
    console.log('R reset to step 0; S -> 1');

    // An error: in a role="alert" region, a fixed banner over the page; the page below does not move.
    const before = await page.evaluate(() => document.querySelector('main').getBoundingClientRect().top);
    // (Load with no file chosen: the page says so at once, before asking to discard the model.)
    await page.click('summary:has-text("your own data")');
    await page.setInputFiles('#idx-images', []);
    await page.click('#load-idx');
    await page.waitForFunction(() => window.aeLab.errors.length > 0, null, {timeout: 20000});
    const banner = await page.evaluate(() => {
      const e = document.getElementById('error');
      const live = e.closest('[role=alert], [aria-live=assertive]');
      return {visible: !e.hidden && e.getBoundingClientRect().height > 0, live: !!live,
              position: getComputedStyle(e).position, text: document.getElementById('error-text').textContent,
              mainTop: document.querySelector('main').getBoundingClientRect().top};
    });
    console.log('error banner:', JSON.stringify(banner));
    assert.ok(banner.visible, 'no visible error banner');
    assert.ok(banner.live, 'the error banner is not in a role="alert" / aria-live="assertive" region');
    assert.ok(banner.position === 'fixed' || banner.position === 'absolute', `the banner is position ${banner.position}`);
    assert.strictEqual(banner.mainTop, before, 'the error banner pushed the page down');
    await screenshot(page, 'teach-error-banner.png');
    await axeCheck(page, 'with the error banner');
    // Keyboard focus on its button shows a ring.
    await page.focus('#error-close');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await screenshot(page, 'teach-error-focus.png', '#error');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('error').hidden, null, {timeout: 5000});

    // A diverging run (learning rate 5, applied live): training stops, and the loss chart's axis fits the
    // values before the divergence (not the 1e10 losses after it) and says so.
    await setField(page, 'train.lr', '5');
    await page.click('#start');
    await page.waitForFunction(() => window.aeLab.errors.some((e) => /diverged/.test(e)) && !window.aeLab.running, null, {timeout: 60000});
    await page.waitForTimeout(300);
    const div = await page.evaluate(() => window.aeLab.chartScale());
    console.log('loss chart after a divergence:', JSON.stringify(div));
    assert.ok(div.clipped !== null && div.max < 10, `the axis after a divergence: ${JSON.stringify(div)}`);
    await screenshot(page, 'teach-loss-diverged.png', '#loss-chart');
    assert.deepStrictEqual(t.consoleErrors, [], 'console errors');
  } finally {
    await t.close();
  }
});
