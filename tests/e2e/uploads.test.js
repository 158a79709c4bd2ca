// Bad user data shows a visible error message and the page keeps working: a text file renamed .idx,
// a truncated IDX file (header promises more images than the bytes hold), a gzip file cut short, and a
// folder without PNGs; afterwards a real IDX upload (MNIST digits written here as IDX) loads and trains.
'use strict';
const {openPage, waitForData, screenshot, run, assert} = require('./common.js');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

function idxImages(n, rows, cols, fill) {
  const b = Buffer.alloc(16 + n * rows * cols);
  b.writeUInt32BE(0x803, 0); b.writeUInt32BE(n, 4); b.writeUInt32BE(rows, 8); b.writeUInt32BE(cols, 12);
  for (let i = 16; i < b.length; i++) b[i] = fill(i - 16);
  return b;
}
function idxLabels(labels) {
  const b = Buffer.alloc(8 + labels.length);
  b.writeUInt32BE(0x801, 0); b.writeUInt32BE(labels.length, 4);
  labels.forEach((l, i) => { b[8 + i] = l; });
  return b;
}

run(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-uploads-'));
  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await page.click('summary:has-text("your own data")');
    const expectError = async (files, pattern, what) => {
      await page.evaluate(() => { window.aeLab.errors.length = 0; document.getElementById('error').hidden = true; });
      await page.setInputFiles('#idx-images', files[0]);
      await page.setInputFiles('#idx-labels', files[1] || []);
      await page.click('#load-idx');
      await page.waitForFunction(() => window.aeLab.errors.length > 0, null, {timeout: 20000});
      const shown = await page.evaluate(() => ({visible: !document.getElementById('error').hidden,
                                                text: document.getElementById('error-text').textContent}));
      console.log(`${what}: "${shown.text}"`);
      assert.ok(shown.visible, `${what}: no visible error`);
      assert.match(shown.text, pattern, `${what}: unexpected message`);
      // Still the previous data set, still responsive.
      const name = await page.evaluate(() => window.aeLab.dataset.name);
      assert.match(name, /fashion-mnist/, `${what}: the loaded data set changed`);
    };

    const text = path.join(dir, 'notes.idx');
    fs.writeFileSync(text, 'these are my notes, not an IDX file\n'.repeat(10));
    await expectError([text], /notes\.idx/, 'text file renamed .idx');

    const truncated = path.join(dir, 'truncated-images.idx');
    fs.writeFileSync(truncated, idxImages(100, 28, 28, (i) => i % 251).subarray(0, 16 + 50 * 784 + 17));
    await expectError([truncated], /truncated-images\.idx/, 'truncated IDX');

    const badGz = path.join(dir, 'cut.idx.gz');
    fs.writeFileSync(badGz, zlib.gzipSync(idxImages(100, 28, 28, (i) => i % 251)).subarray(0, 300));
    await expectError([badGz], /cut\.idx\.gz/, 'gzip cut short');

    const imgs = path.join(dir, 'imgs.idx'), lbls = path.join(dir, 'lbls.idx');
    fs.writeFileSync(imgs, idxImages(40, 28, 28, (i) => i % 256));
    fs.writeFileSync(lbls, idxLabels([...Array(30).keys()].map(i => i % 3)));
    await expectError([imgs, lbls], /label|count|30|40/i, 'label count mismatch');

    // The page keeps working: a valid upload (64 synthetic 28x28 images, gzip) loads and trains a step.
    const good = path.join(dir, 'good-images.idx.gz'), goodLabels = path.join(dir, 'good-labels.idx');
    fs.writeFileSync(good, zlib.gzipSync(idxImages(64, 28, 28, (i) => ((i % 784) * 7 + Math.floor(i / 784) * 13) % 256)));
    fs.writeFileSync(goodLabels, idxLabels([...Array(64).keys()].map(i => i % 4)));
    await page.evaluate(() => { window.aeLab.errors.length = 0; });
    await page.setInputFiles('#idx-images', good);
    await page.setInputFiles('#idx-labels', goodLabels);
    await page.click('#load-idx');
    await page.waitForFunction(() => /good-images/.test(window.aeLab.dataset.name), null, {timeout: 20000});
    const info = await page.evaluate(() => window.aeLab.dataset);
    console.log('valid upload:', info.name, info.trainCount, '/', info.testCount, info.classNames);
    assert.strictEqual(info.trainCount + info.testCount, 64);
    await page.click('#step');
    await page.waitForFunction(() => window.aeLab.steps >= 1, null, {timeout: 30000});
    assert.deepStrictEqual(await page.evaluate(() => window.aeLab.errors), []);
    await screenshot(page, 'page-after-uploads.png');
    assert.deepStrictEqual(t.consoleErrors, [], 'console errors');
    assert.deepStrictEqual(t.foreignRequests, [], 'requests outside the page origin');
  } finally {
    await t.close();
    fs.rmSync(dir, {recursive: true, force: true});
  }
});
