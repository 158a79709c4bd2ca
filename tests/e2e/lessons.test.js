// Lessons (issue 14; the core's table, lessons.h): each opens from its link (#lesson=ID) with its data and its
// model, starts training by itself, shows its text and brings its view on screen, and its quantity moves the
// way the text says (the test reconstruction term falls; the denoising lesson's repair is closer to the clean digit than the
// 90 %-deleted input, PSNR after > before). Then a lesson chosen from the menu replaces a trained model after
// the confirmation. Screenshots of every lesson go to build/artifacts/lesson-ID.png.
'use strict';
const {openPage, waitForData, screenshot, screenshotStats, run, assert} = require('./common.js');

// Minibatches per lesson (the denoising lesson's PSNR floor is stated after 120).
const STEPS = 60, DENOISING_STEPS = 120;

run(async () => {
  const t = await openPage();
  try {
    const lessons = await t.page.evaluate(async () => {
      await new Promise((r) => { const w = () => (document.getElementById('lesson').options.length > 1 ? r() : setTimeout(w, 50)); w(); });
      return [...document.getElementById('lesson').options].slice(1).map((o) => o.value);
    });
    console.log(`lessons in the menu: ${lessons.join(', ')}`);
    assert.ok(lessons.length >= 7);
    const views = {loss: 'loss-chart', recon: 'recon', map: 'latent-map', manifold: 'manifold', samples: 'samples',
                   swap: 'swap', codes: 'vq-book', denoise: 'dn-repair'};
    let last = null;
    for (const id of lessons) {
      const t0 = Date.now();
      const page = await t.context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(t.server.url + `#lesson=${id}`);
      const l = await page.evaluate(async (lid) => {
        await new Promise((r) => { const w = () => (window.aeLab.lesson ? r() : setTimeout(w, 50)); w(); });
        return {lid, ...JSON.parse(JSON.stringify(window.aeLab.lessons().find((x) => x.id === lid)))};
      }, id);
      await waitForData(page, l.data, 90000);
      const type = l.settings[0][1];
      await page.waitForFunction(([ty, n]) => window.aeLab.created && JSON.parse(window.aeLab.sessionConfig).model.type === ty &&
                                 window.aeLab.running && window.aeLab.steps >= n, [type, id === 'denoising' ? DENOISING_STEPS : STEPS],
                                 {timeout: 90000});
      // Its view is on screen (before the pause button is clicked, which scrolls the page to the button).
      const onScreen = await page.evaluate((viewId) => {
        const r = document.getElementById(viewId).closest('section').getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, height: window.innerHeight};
      }, views[l.view]);
      assert.ok(onScreen.bottom > 0 && onScreen.top < onScreen.height, `${id}: its view is on screen (${JSON.stringify(onScreen)})`);
      await page.click('#pause');
      await page.waitForFunction(() => !window.aeLab.running && window.aeLab.testLosses.length >= 2 &&
                                 window.aeLab.testLosses.some((x) => x.step === window.aeLab.steps));
      const s = await page.evaluate(() => {
        const L = window.aeLab.testLosses;
        // The reconstruction term (a VQ-VAE's codebook and commitment terms start near 0 and grow at first).
        return {first: L[0].terms.reconstruction, last: L[L.length - 1].terms.reconstruction, steps: window.aeLab.steps, hash: location.hash,
                text: document.getElementById('lesson-text').textContent, menu: document.getElementById('lesson').value,
                config: JSON.parse(window.aeLab.sessionConfig), errors: window.aeLab.errors};
      });
      console.log(`${id}: ${type} on ${l.data}, test reconstruction ${s.first.toFixed(4)} -> ${s.last.toFixed(4)} after ${s.steps} steps; ` +
                  `view ${l.view}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      assert.deepStrictEqual(s.errors, []);
      assert.strictEqual(s.menu, id);
      assert.ok(s.text.startsWith(l.lookFor), 'the lesson says what to look for');
      assert.match(s.hash, new RegExp(`^#lesson=${id}&data=${l.data}&`));
      for (const [path, text] of l.settings) {
        const [part, key] = path.split('.');
        const v = s.config[part][key];
        if (typeof v === 'number') assert.ok(Math.abs(v - Number(text)) < 1e-6, `${id}: ${path} ${v}`);
        else assert.strictEqual(String(v), text, `${id}: ${path}`);
      }
      assert.ok(s.last < 0.95 * s.first, `${id}: the test reconstruction term did not fall`);
      const shown = await screenshotStats(page, `#${views[l.view]}`);
      assert.ok(shown.std > 10, `${id}: the view ${l.view} did not render`);
      if (id === 'denoising') {
        // PSNR after > before: the repair of a 90 %-deleted digit is closer to the clean one than the input.
        const d = await page.evaluate(async () => {
          let before = 0, after = 0;
          for (let i = 0; i < 20; i++) {
            const clean = await window.aeLab.call('testImage', i);
            const r = await window.aeLab.call('corruptRepairTest', i, null, 'masking', 0.9, i + 1);
            for (let k = 0; k < clean.length; k++) {
              before += (r.corrupted[k] - clean[k]) ** 2;
              after += (r.repaired[k] - clean[k]) ** 2;
            }
          }
          const psnr = (se) => 10 * Math.log10(1 / (se / (20 * 784)));
          return {before: psnr(before), after: psnr(after), kind: document.getElementById('dn-kind').value,
                  level: document.getElementById('dn-level').value};
        });
        console.log(`denoising: PSNR of the 90 %-deleted input ${d.before.toFixed(2)} dB, of the repair ${d.after.toFixed(2)} dB`);
        assert.strictEqual(d.kind, 'masking');
        assert.strictEqual(d.level, '0.9');
        // Stated floor: +1.5 dB after 120 minibatches (measured 8.6 -> 10.8 dB).
        assert.ok(d.after > d.before + 1.5, 'the repair is not closer to the clean digit');
      }
      await screenshot(page, `lesson-${id}.png`);
      assert.deepStrictEqual(errors, []);
      if (last) await last.close();
      last = page;
    }

    // From the menu: the last lesson's trained model is replaced after the confirmation.
    const page = last;
    await page.selectOption('#lesson', 'vae-map');
    await page.waitForSelector('#confirm:not([hidden])', {timeout: 10000});
    await page.click('#confirm-yes');
    await waitForData(page, 'mnist', 90000);
    await page.waitForFunction(() => window.aeLab.created && JSON.parse(window.aeLab.sessionConfig).model.type === 'vae' &&
                               window.aeLab.running && window.aeLab.steps >= 20, null, {timeout: 90000});
    assert.match(await page.evaluate(() => location.hash), /^#lesson=vae-map&data=mnist&/);
    await page.click('#pause');
    assert.deepStrictEqual(await page.evaluate(() => window.aeLab.errors), []);
    assert.deepStrictEqual(t.consoleErrors, []);
  } finally {
    await t.close();
  }
});
