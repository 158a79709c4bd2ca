// A conditional VAE in the page (Sohn et al. 2015), as a visitor would use one: before it, the class picker
// is hidden and the class-swap panel says which model it needs; model type "cvae" from the form, Start,
// then the class picker beside the samples lists the data set's classes and the samples follow the chosen
// class, and the class-swap grid decodes each test image's code with every class. Both are checked with a
// 5-NN classifier on real test images (pixels): the samples of class c and the swaps to class c must look
// like class c. The chosen class stays when the model is reset.
'use strict';
const {openPage, waitForData, setField, screenshot, screenshotStats, run, assert} = require('./common.js');

const STEPS = Number(process.env.AE_CVAE_STEPS || 1200), LATENT = process.env.AE_CVAE_LATENT || '';

run(async () => {
  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await page.waitForFunction(() => window.aeLab.created && window.aeLab.views, null, {timeout: 60000});
    await page.locator('#swap-off').scrollIntoViewIfNeeded();
    assert.deepStrictEqual(await page.evaluate(() => ({picker: document.getElementById('class-label').hidden,
                                                       on: document.getElementById('swap-on').hidden,
                                                       off: document.getElementById('swap-off').hidden})),
                           {picker: true, on: true, off: false}, 'an unconditional model offers no class');

    await setField(page, 'model.type', 'cvae');
    await page.waitForFunction(() => document.querySelector('[name="model.encoder"]').value === '400', null, {timeout: 10000});
    await setField(page, 'train.batch', '128');
    if (LATENT) await setField(page, 'model.latent', LATENT);
    await page.click('#start');
    await page.waitForFunction((n) => window.aeLab.created && JSON.parse(window.aeLab.sessionConfig).model.type === 'cvae' &&
                               window.aeLab.steps >= n, STEPS, {timeout: 120000});
    await page.click('#pause');
    await page.waitForFunction(() => !window.aeLab.running);
    const names = await page.evaluate(() => [...document.querySelectorAll('#class-pick option')].map((o) => o.textContent));
    console.log(`cvae, ${await page.evaluate(() => window.aeLab.steps)} steps; classes offered: ${names.join(', ')}`);
    assert.strictEqual(names.length, 10);
    assert.strictEqual(names[7], 'Sneaker');
    assert.strictEqual(await page.evaluate(() => document.getElementById('class-label').hidden), false);

    // 5-NN on the published test images (pixels in [0, 1]) and their labels, in the page.
    const knnAccuracy = (images, want) => page.evaluate(([imgs, wantLabels]) => {
      imgs = Float32Array.from(imgs);
      const s = window.aeLab, D = s.rows * s.cols, ref = s.testImages, labels = s.views.codeLabels;
      const m = Math.min(labels.length, ref.length / D);
      let hits = 0;
      for (let i = 0; i < wantLabels.length; i++) {
        const x = imgs.subarray(i * D, (i + 1) * D), best = [];
        for (let j = 0; j < m; j++) {
          let d = 0;
          for (let k = 0; k < D; k++) { const e = x[k] - ref[j * D + k] / 255; d += e * e; }
          best.push([d, labels[j]]);
          if (best.length > 5) { best.sort((a, b) => a[0] - b[0]); best.pop(); }
        }
        const votes = new Array(10).fill(0);
        for (const [, l] of best) votes[l]++;
        if (votes.indexOf(Math.max(...votes)) === wantLabels[i]) hits++;
      }
      return hits / wantLabels.length;
    }, [images, want]);

    // The picker drives the samples: for each class, choose it as a user does and classify the samples shown.
    let correct = 0, total = 0;
    const perClass = [];
    for (let c = 0; c < 10; c++) {
      await page.selectOption('#class-pick', String(c));
      await page.waitForFunction((k) => document.getElementById('samples-note').textContent.includes(`decoded with class ${k})`),
                                 c, {timeout: 30000});
      const imgs = await page.evaluate(async () => Array.from((await window.aeLab.call('samples', 32, 1)).images));
      const acc = await knnAccuracy(imgs, new Array(32).fill(c));
      perClass.push(acc.toFixed(2));
      correct += acc * 32;
      total += 32;
    }
    const sampleAcc = correct / total;
    console.log(`5-NN labels the samples of the chosen class as that class: ${sampleAcc.toFixed(3)} (by class ${perClass.join(' ')})`);
    // Stated floor: 0.30 (chance 0.10; measured 0.39 after 1,200 steps, about 2.6 epochs); the core's real-data
    // test reaches 0.54 after 8 epochs.
    assert.ok(sampleAcc >= 0.30, `samples follow the chosen class only ${sampleAcc.toFixed(3)} of the time`);
    await page.selectOption('#class-pick', '1');  // Trouser
    await page.waitForFunction(() => document.getElementById('samples-note').textContent.includes('decoded with class 1)'));
    const samples = await screenshotStats(page, '#samples');
    assert.ok(samples.std > 20, 'the samples did not render');

    // The class-swap grid: the first test images, each decoded with every class.
    await page.locator('#swap').scrollIntoViewIfNeeded();
    await page.fill('#swap-n', '8');
    await page.dispatchEvent('#swap-n', 'change');
    await page.waitForFunction(() => document.getElementById('swap-note').textContent.includes('test images 0..7'), null,
                               {timeout: 30000});
    const grid = await page.evaluate(async () => {
      const g = await window.aeLab.call('classSwap', 0, 8);
      return {rows: g.rows, cols: g.cols, images: Array.from(g.images), labels: Array.from(g.labels),
              headers: [...document.querySelectorAll('#swap-labels span')].map((e) => e.textContent),
              alt: document.getElementById('swap').getAttribute('aria-label'),
              width: document.getElementById('swap').width};
    });
    assert.strictEqual(grid.rows, 8);
    assert.strictEqual(grid.cols, 11);
    assert.deepStrictEqual(grid.headers.slice(0, 3), ['input', 'T-shirt/top', 'Trouser']);
    assert.match(grid.alt, /8 test images \(Ankle boot, Pullover, Trouser/);
    const D = 784, swapped = [], want = [], kept = [];
    for (let i = 0; i < grid.rows; i++) {
      for (let c = 0; c < 10; c++) {
        if (c === grid.labels[i]) continue;
        swapped.push(...grid.images.slice((i * grid.cols + 1 + c) * D, (i * grid.cols + 2 + c) * D));
        want.push(c);
        kept.push(grid.labels[i]);
      }
    }
    const swapAcc = await knnAccuracy(swapped, want);
    const oldAcc = await knnAccuracy(swapped, kept);
    console.log(`class swap of 8 test images to the 9 other classes: 5-NN says the new class ${swapAcc.toFixed(3)}, ` +
                `the old class ${oldAcc.toFixed(3)}`);
    // Stated floors: the new class at least 0.28 of the time (measured 0.375 of 72 swaps), and more than twice as
    // often as the old one (measured 0.125).
    assert.ok(swapAcc >= 0.28 && swapAcc > 2 * oldAcc, 'the swapped images do not take the new class');
    const swapStats = await screenshotStats(page, '#swap');
    assert.ok(swapStats.std > 20, 'the class-swap grid did not render');
    await screenshot(page, 'page-cvae.png');

    // Reset keeps the chosen class (a new session starts at class 0; the page sets it again).
    await page.click('#reset');
    const confirm = await page.waitForSelector('#confirm:not([hidden])', {timeout: 5000}).catch(() => null);
    if (confirm) await page.click('#confirm-yes');
    await page.waitForFunction(() => window.aeLab.created && window.aeLab.steps === 0 &&
                               document.getElementById('samples-note').textContent.includes('decoded with class 1)'),
                               null, {timeout: 30000});
    assert.strictEqual(await page.evaluate(() => document.getElementById('class-pick').value), '1');
    const errors = await page.evaluate(() => window.aeLab.errors);
    assert.deepStrictEqual(errors, []);
    assert.deepStrictEqual(t.consoleErrors, []);
  } finally {
    await t.close();
  }
});
