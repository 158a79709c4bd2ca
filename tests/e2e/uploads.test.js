// Bad user data shows a visible error message and the page keeps working: a text file renamed .idx,
// a truncated IDX file (header promises more images than the bytes hold), a gzip file cut short, and a
// folder without PNGs, files beyond the page's bounds (a 600 MB IDX file, a gzip bomb, a 600 MB model file, a
// 40 MB PNG); afterwards a real IDX upload (MNIST digits written here as IDX) loads and trains.
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

// A grey 8-bit PNG (w x h, pixel(x, y) -> 0..255), written with zlib: signature, IHDR, IDAT, IEND.
function png(w, h, pixel) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 0;  // 8-bit greyscale
  const raw = Buffer.alloc(h * (w + 1));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * (w + 1) + 1 + x] = pixel(x, y);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
                        chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
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

    // The page's bounds (core: uploads.h), each checked before the bytes are read or while they are
    // decompressed. A 600 MB file (sparse on disk): refused by its size.
    const huge = path.join(dir, 'huge-images.idx');
    fs.writeFileSync(huge, idxImages(1, 28, 28, () => 0));
    fs.truncateSync(huge, 600 * 1024 * 1024);
    await expectError([huge], /huge-images\.idx is 600 MB; the page reads files of at most 512 MB/, 'file over the limit');
    // A gzip bomb: 2.4 MB that expand to 549 MB behind a valid header (700,000 images): stops at 512 MB.
    const bomb = path.join(dir, 'bomb-images.idx.gz');
    const header = idxImages(0, 28, 28, () => 0);
    header.writeUInt32BE(700000, 4);
    fs.writeFileSync(bomb, zlib.gzipSync(Buffer.concat([header, Buffer.alloc(700000 * 784)]), {level: 1}));
    console.log(`gzip bomb: ${(fs.statSync(bomb).size / 1e3).toFixed(0)} KB on disk`);
    await expectError([bomb], /bomb-images\.idx\.gz expands to more than 512 MB/, 'gzip bomb');
    // A model file over the limit.
    const hugeModel = path.join(dir, 'huge.safetensors');
    fs.writeFileSync(hugeModel, 'x');
    fs.truncateSync(hugeModel, 600 * 1024 * 1024);
    await page.evaluate(() => { window.aeLab.errors.length = 0; });
    await page.setInputFiles('#load-model', hugeModel);
    await page.waitForFunction(() => window.aeLab.errors.length > 0, null, {timeout: 20000});
    const modelErr = await page.evaluate(() => document.getElementById('error-text').textContent);
    console.log(`model file over the limit: "${modelErr}"`);
    assert.match(modelErr, /huge\.safetensors is 600 MB/);

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

    // A folder of PNGs: two sub-folders (classes) of 56x56 images (scaled to 28x28 by the page).
    const folder = path.join(dir, 'shapes');
    for (const [cls, f] of [['bars', (x, y) => (x % 14 < 7 ? 255 : 0)], ['rings', (x, y) => (Math.hypot(x - 28, y - 28) < 20 ? 200 : 10)]]) {
      fs.mkdirSync(path.join(folder, cls), {recursive: true});
      for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(folder, cls, `${i}.png`), png(56, 56, (x, y) => f(x + i, y)));
    }
    await page.setInputFiles('#png-folder', folder);
    await page.click('#confirm-yes');  // the page asks before discarding the model trained one step above
    await page.waitForFunction(() => window.aeLab.dataset.name === 'png folder', null, {timeout: 20000});
    const pngInfo = await page.evaluate(() => window.aeLab.dataset);
    console.log('PNG folder:', pngInfo.trainCount, '/', pngInfo.testCount, pngInfo.classNames);
    assert.strictEqual(pngInfo.trainCount + pngInfo.testCount, 24);
    assert.deepStrictEqual(pngInfo.classNames, ['bars', 'rings']);

    // A folder whose "PNG" is a text file: an error naming it; the PNG data set stays.
    const badFolder = path.join(dir, 'bad');
    fs.mkdirSync(path.join(badFolder, 'x'), {recursive: true});
    fs.writeFileSync(path.join(badFolder, 'x', 'a.png'), png(28, 28, () => 128));
    fs.writeFileSync(path.join(badFolder, 'x', 'b.png'), 'not a png');
    await page.evaluate(() => { window.aeLab.errors.length = 0; });
    await page.setInputFiles('#png-folder', badFolder);
    await page.waitForFunction(() => window.aeLab.errors.length > 0, null, {timeout: 20000});
    const pngErr = await page.evaluate(() => document.getElementById('error-text').textContent);
    console.log(`bad PNG: "${pngErr}"`);
    assert.match(pngErr, /b\.png/);
    assert.strictEqual(await page.evaluate(() => window.aeLab.dataset.name), 'png folder');

    // A folder with one PNG over the page's per-image bound (40 MB, sparse): refused before any decoding.
    const bigFolder = path.join(dir, 'big');
    fs.mkdirSync(path.join(bigFolder, 'x'), {recursive: true});
    fs.writeFileSync(path.join(bigFolder, 'x', 'a.png'), png(28, 28, () => 128));
    fs.writeFileSync(path.join(bigFolder, 'x', 'poster.png'), png(28, 28, () => 7));
    fs.truncateSync(path.join(bigFolder, 'x', 'poster.png'), 40 * 1024 * 1024);
    await page.evaluate(() => { window.aeLab.errors.length = 0; });
    await page.setInputFiles('#png-folder', bigFolder);
    await page.waitForFunction(() => window.aeLab.errors.length > 0, null, {timeout: 20000});
    const bigErr = await page.evaluate(() => document.getElementById('error-text').textContent);
    console.log(`PNG over the limit: "${bigErr}"`);
    assert.match(bigErr, /poster\.png is 40 MB; the page reads PNG files of at most 32 MB/);
    assert.strictEqual(await page.evaluate(() => window.aeLab.dataset.name), 'png folder');
    await screenshot(page, 'page-after-uploads.png');
    assert.deepStrictEqual(t.consoleErrors, [], 'console errors');
    assert.deepStrictEqual(t.foreignRequests, [], 'requests outside the page origin');
  } finally {
    await t.close();
    fs.rmSync(dir, {recursive: true, force: true});
  }
});
