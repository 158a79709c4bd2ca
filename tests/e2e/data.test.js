// Data and the denoise view (defects a new user found):
//  9. choosing a data set in the selector loads it (no Load press needed); the map says it shows 2,000 of
//     the 10,000 test images; the denoise view takes any of the 10,000;
//  7. the test-image index rejects 99999 and -5 (corrected, and said so); a block corruption is outlined;
//  8. a text file loaded as a model: "not a safetensors file" (the core's decoder);
//  6. a 12-image PNG folder (2 classes, colour, 56x56) trains: map, samples, epochs; the selector names it;
//     the status says how the images were converted; a 3-image folder is refused with the minimum.
'use strict';
const {openPage, waitForData, setField, screenshot, screenshotStats, run, assert} = require('./common.js');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

// An 8-bit PNG, grey (channels 1) or RGB (channels 3); pixel(x, y) -> value or [r, g, b].
function png(w, h, channels, pixel) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = channels === 3 ? 2 : 0;
  const stride = w * channels + 1, raw = Buffer.alloc(h * stride);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const v = pixel(x, y);
    for (let c = 0; c < channels; c++) raw[y * stride + 1 + x * channels + c] = Array.isArray(v) ? v[c] : v;
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
                        chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

run(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-data-'));
  const t = await openPage();
  const {page} = t;
  const errors = () => page.evaluate(() => window.aeLab.errors);
  const clearErrors = () => page.evaluate(() => { window.aeLab.errors.length = 0; document.getElementById('error').hidden = true; });
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await page.waitForFunction(() => window.aeLab.created && window.aeLab.views, null, {timeout: 30000});
    await page.click('#step');
    await page.waitForFunction(() => window.aeLab.steps >= 1 && !window.aeLab.running, null, {timeout: 30000});

    // 9. The map says how many test images it shows.
    const mapNote = await page.evaluate(() => document.getElementById('map-note').textContent);
    console.log(`map note: "${mapNote}"`);
    assert.match(mapNote, /2,000 of the 10,000 test images/);

    // 7 + 9. Denoise: index 9999 exists (the whole test set), 99999 and -5 do not.
    const dn = async (v) => {
      await page.fill('#dn-index', String(v));
      await page.dispatchEvent('#dn-index', 'change');
      await page.waitForTimeout(600);
      return page.evaluate(() => ({value: document.getElementById('dn-index').value, note: document.getElementById('dn-note').textContent}));
    };
    let d = await dn(9999);
    console.log(`index 9999: ${JSON.stringify(d)}`);
    assert.strictEqual(d.value, '9999');
    assert.match(d.note, /#9999 of 0\.\.9,999/);
    d = await dn(99999);
    console.log(`index 99999: ${JSON.stringify(d)}`);
    assert.strictEqual(d.value, '9999');
    assert.match(d.note, /99999 does not exist/);
    d = await dn(-5);
    console.log(`index -5: ${JSON.stringify(d)}`);
    assert.strictEqual(d.value, '0');
    assert.match(d.note, /-5 does not exist/);
    assert.deepStrictEqual(await errors(), []);

    // 7. Block corruption: outlined where the core put the block.
    await page.selectOption('#dn-kind', 'block');
    await page.waitForFunction(() => !document.getElementById('dn-block').hidden, null, {timeout: 10000});
    const block = await page.evaluate(() => {
      const b = document.getElementById('dn-block').getBoundingClientRect(), c = document.getElementById('dn-input').getBoundingClientRect();
      return {x: b.left - c.left, y: b.top - c.top, w: b.width, h: b.height, region: window.aeLab.denoiseRegion};
    });
    console.log(`block outline ${JSON.stringify(block)}`);
    assert.strictEqual(block.region[2], 12);
    assert.ok(Math.abs(block.w - 72) < 1.5 && Math.abs(block.h - 72) < 1.5, 'outline size');
    assert.ok(Math.abs(block.x - 1 - block.region[1] * 6) < 1.5 && Math.abs(block.y - 1 - block.region[0] * 6) < 1.5, 'outline place');
    await screenshot(page, 'denoise-block.png', '.dn-wrap');

    // 8. A text file as a model file.
    const notes = path.join(dir, 'notes.safetensors');
    fs.writeFileSync(notes, 'these are my notes, not a model\n'.repeat(20));
    await clearErrors();
    await page.setInputFiles('#load-model', notes);
    await page.click('#confirm-yes');
    await page.waitForFunction(() => window.aeLab.errors.length > 0, null, {timeout: 20000});
    const modelErr = await page.evaluate(() => document.getElementById('error-text').textContent);
    console.log(`text file as a model: "${modelErr}"`);
    assert.match(modelErr, /not a safetensors file/);
    assert.ok(!/exceeds the limit/.test(modelErr));

    // 9. The selector alone loads MNIST.
    await clearErrors();
    await page.selectOption('#dataset', 'mnist');
    await page.click('#confirm-yes');  // one step trained above
    await waitForData(page, 'mnist', 60000);
    console.log(`selector -> ${await page.evaluate(() => document.getElementById('load-status').textContent)}`);

    // 6. A folder of 12 colour 56x56 PNGs in 2 classes.
    const folder = path.join(dir, 'shapes');
    for (const [cls, f] of [['bars', (x, y) => (x % 14 < 7 ? [255, 40, 40] : [0, 0, 0])],
                            ['rings', (x, y) => (Math.hypot(x - 28, y - 28) < 20 ? [40, 200, 40] : [10, 10, 10])]]) {
      fs.mkdirSync(path.join(folder, cls), {recursive: true});
      for (let i = 0; i < 6; i++) fs.writeFileSync(path.join(folder, cls, `${i}.png`), png(56, 56, 3, (x, y) => f(x + i, y)));
    }
    await page.click('summary:has-text("your own data")');
    await page.waitForFunction(() => window.aeLab.created, null, {timeout: 30000});
    await page.setInputFiles('#png-folder', folder);
    await page.waitForFunction(() => window.aeLab.dataset.name === 'png folder' && window.aeLab.created, null, {timeout: 30000});
    const info = await page.evaluate(() => ({d: window.aeLab.dataset, status: document.getElementById('load-status').textContent,
                                             sel: document.getElementById('dataset').selectedOptions[0].textContent}));
    console.log(`PNG folder: ${info.d.trainCount} / ${info.d.testCount}; status "${info.status}"; selector "${info.sel}"`);
    assert.strictEqual(info.d.trainCount, 10);
    assert.strictEqual(info.d.testCount, 2);
    assert.match(info.status, /12 of 12 images scaled from 56×56 to 28×28/);
    assert.match(info.status, /12 colour images converted to grey/);
    assert.match(info.sel, /your data: png folder/);
    await setField(page, 'train.epochs', '30');
    await page.click('#start');
    await page.waitForFunction(() => window.aeLab.finished && !window.aeLab.running, null, {timeout: 60000});
    await page.waitForTimeout(1000);
    const r = await page.evaluate(() => ({epoch: window.aeLab.epoch, status: document.getElementById('st-epoch').textContent,
                                          points: window.aeLab.views.points.length, samples: document.getElementById('samples-note').textContent}));
    console.log(`trained: ${JSON.stringify(r)}`);
    assert.strictEqual(r.epoch, 30);
    assert.strictEqual(r.points, 4);
    assert.match(r.samples, /Gaussian fitted/);
    assert.deepStrictEqual(await errors(), [], 'errors while training the PNG folder');
    const mapStats = await screenshotStats(page, '#latent-map');
    assert.ok(mapStats.colours >= 3, 'the map is blank');
    await screenshot(page, 'png-folder-trained.png');

    // 6. Three PNGs: refused with the minimum.
    const tiny = path.join(dir, 'tiny');
    fs.mkdirSync(tiny);
    for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(tiny, `${i}.png`), png(28, 28, 1, (x) => x * 9));
    await clearErrors();
    await page.setInputFiles('#png-folder', tiny);
    await page.click('#confirm-yes');
    await page.waitForFunction(() => window.aeLab.errors.length > 0, null, {timeout: 20000});
    const tinyErr = await page.evaluate(() => document.getElementById('error-text').textContent);
    console.log(`3 PNGs: "${tinyErr}"`);
    assert.match(tinyErr, /at least 4/);
    assert.strictEqual(await page.evaluate(() => window.aeLab.dataset.name), 'png folder');
    assert.deepStrictEqual(t.consoleErrors, [], 'console errors');
  } finally {
    await t.close();
    fs.rmSync(dir, {recursive: true, force: true});
  }
});
