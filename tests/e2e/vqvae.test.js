// A VQ-VAE in the page (van den Oord et al. 2017), as a visitor would use one: before it the "Discrete codes"
// panel says which model it needs; model type "vqvae" from the form (its codebook options shown), Start, then
// the panel shows the picked image's code as codebook indices, its decoding, the codebook usage and perplexity
// of the last epoch; clicking a cell and choosing another entry (by number or by clicking a decoded codebook
// entry) changes the decoding of the edited code; undo restores it. Samples come from the code frequencies.
'use strict';
const {openPage, waitForData, setField, screenshot, screenshotStats, run, assert} = require('./common.js');

const STEPS = 600;  // batch 256: about 2.6 epochs

run(async () => {
  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await page.waitForFunction(() => window.aeLab.created && window.aeLab.views, null, {timeout: 60000});
    await page.locator('#vq-note').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => !document.getElementById('vq-off').hidden && document.getElementById('vq-on').hidden);

    await setField(page, 'model.type', 'vqvae');
    await page.waitForFunction(() => document.querySelector('[name="model.latent"]').value === '16' &&
                               !document.querySelector('[name="model.codebook_size"]').closest('label').hidden, null, {timeout: 10000});
    await page.click('#start');
    await page.waitForFunction((n) => window.aeLab.created && JSON.parse(window.aeLab.sessionConfig).model.type === 'vqvae' &&
                               window.aeLab.steps >= n, STEPS, {timeout: 120000});
    await page.click('#pause');
    await page.waitForFunction(() => !window.aeLab.running);
    await page.locator('#vq-note').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => !document.getElementById('vq-on').hidden && window.aeLab.vq.view &&
                               /^epoch 2: \d+ of the 64 codebook entries used, perplexity/.test(document.getElementById('vq-stats').textContent),
                               null, {timeout: 30000});
    const before = await page.evaluate(() => {
      const v = window.aeLab.vq.view, s = window.aeLab.epochStats[window.aeLab.epochStats.length - 1];
      return {indices: Array.from(v.indices), edited: Array.from(v.editedIndices), K: v.K, rows: v.rows, cols: v.cols,
              recon: Array.from(v.reconstruction), usage: s.codeUsage, perplexity: s.codePerplexity,
              x: Array.from(window.aeLab.testImages.subarray(0, 784), (p) => p / 255),
              stats: document.getElementById('vq-stats').textContent, note: document.getElementById('vq-note').textContent,
              samples: document.getElementById('samples-note').textContent, terms: [...window.aeLab.chartSeries()]};
    });
    console.log(`vqvae after ${STEPS} steps: ${before.stats}; ${before.note}; code ${before.indices.join(' ')}; ` +
                `series ${before.terms.join(', ')}`);
    assert.strictEqual(before.indices.length, 4);
    assert.deepStrictEqual([before.rows, before.cols], [2, 2]);
    assert.deepStrictEqual(before.edited, before.indices);
    assert.ok(before.indices.every((k) => k >= 0 && k < 64));
    // Stated floors: the code uses at least a third of the codebook with perplexity at least K/4.
    assert.ok(before.usage >= 1 / 3 && before.perplexity >= 16, `usage ${before.usage}, perplexity ${before.perplexity}`);
    assert.match(before.samples, /not the paper's PixelCNN/);
    assert.ok(before.terms.includes('train commitment'), 'the commitment term is charted');
    const mse = (a, b) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;
    const reconMse = mse(before.recon, before.x);
    console.log(`test image 0 decoded from its 24-bit code: MSE ${reconMse.toFixed(4)}`);
    assert.ok(reconMse < 0.04, 'the code decodes to the image');

    // Edit cell 1 (row 1, column 2) by clicking it and typing an entry. The code of the paused model's weights
    // (the panel's last refresh may predate the last minibatches before the pause took effect):
    const own = await page.evaluate(async () => Array.from((await window.aeLab.call('codeIndices',
      Float32Array.from(window.aeLab.testImages.subarray(0, 784), (p) => p / 255), new Int32Array(0))).indices));
    await page.locator('#vq-grid').scrollIntoViewIfNeeded();
    await page.locator('#vq-grid').click({position: {x: 45, y: 15}});
    await page.waitForFunction(() => document.getElementById('vq-cell').value === '1', null, {timeout: 10000});
    const k = (own[1] + 32) % 64;
    await page.fill('#vq-entry', String(k));
    await page.dispatchEvent('#vq-entry', 'change');
    await page.waitForFunction((want) => window.aeLab.vq.view.editedIndices[1] === want, k, {timeout: 20000});
    const edited = await page.evaluate(() => ({v: Array.from(window.aeLab.vq.view.editedIndices),
                                               recon: Array.from(window.aeLab.vq.view.reconstruction),
                                               edited: Array.from(window.aeLab.vq.view.edited),
                                               text: document.getElementById('vq-edits').textContent,
                                               alt: document.getElementById('vq-grid').getAttribute('aria-label')}));
    const change = mse(edited.edited, edited.recon);
    console.log(`cell 1: ${own[1]} -> ${k}; the decoding moves by MSE ${change.toFixed(4)}; ${edited.text}`);
    assert.deepStrictEqual(edited.v, [own[0], k, own[2], own[3]]);
    assert.ok(change > 1e-4, 'another entry decodes to another image');
    assert.match(edited.text, /^1 cell edited/);
    assert.match(edited.alt, /\(edited; the image's own:/);

    // The codebook decoded: K images; clicking entry 5 puts it in the selected cell.
    const book = await screenshotStats(page, '#vq-book');
    assert.ok(book.std > 10, 'the codebook images did not render');
    const bb = await page.locator('#vq-book').boundingBox();
    await page.mouse.click(bb.x + 2 + 5 * 30 + 14, bb.y + 2 + 14);
    await page.waitForFunction(() => window.aeLab.vq.view.editedIndices[1] === 5, null, {timeout: 20000});
    await screenshot(page, 'page-vqvae.png');
    await page.click('#vq-undo');
    await page.waitForFunction(() => window.aeLab.vq.view && window.aeLab.vq.edits.size === 0 &&
                               Array.from(window.aeLab.vq.view.editedIndices).every((k, g) => k === window.aeLab.vq.view.indices[g]));
    assert.deepStrictEqual(await page.evaluate(() => window.aeLab.errors), []);
    assert.deepStrictEqual(t.consoleErrors, []);
  } finally {
    await t.close();
  }
});
