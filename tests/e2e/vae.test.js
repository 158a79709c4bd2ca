// A VAE in the page, as a visitor would start one: pick the model type "vae" (the form loads the core's
// VAE defaults: 784-400-20), Start, and within a minute the ELBO terms fall and the views follow: the map
// is a PCA projection of the 20-D means, samples come from the prior N(0, I), and the loss chart plots the
// reconstruction and KL terms separately (unit: nats per image). Then a semantic-hashing model the same way, and
// its binary-codes panel (Hamming ball, precision and recall, the bits image).
'use strict';
const {openPage, waitForData, setField, screenshot, screenshotStats, run, assert} = require('./common.js');

const STEPS = 200, HASH_STEPS = 300;

run(async () => {
  const t = await openPage();
  const {page} = t;
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await page.waitForFunction(() => [...document.querySelector('[name="model.type"]').options].some(o => o.value === 'vae'),
                               null, {timeout: 20000});
    await setField(page, 'model.type', 'vae');
    await page.waitForFunction(() => document.querySelector('[name="model.latent"]').value === '20', null, {timeout: 10000});
    const form = await page.evaluate(() => ({encoder: document.querySelector('[name="model.encoder"]').value,
                                             betaShown: !document.querySelector('[name="model.beta"]').closest('label').hidden}));
    console.log('VAE defaults in the form:', form);
    assert.strictEqual(form.encoder, '400');
    assert.ok(form.betaShown, 'β is offered for the VAE');
    await setField(page, 'train.batch', '128');
    await page.click('#start');
    // (The page made a model for the data at load; Start replaces it with the VAE.)
    await page.waitForFunction(() => window.aeLab.created && JSON.parse(window.aeLab.sessionConfig).model.type === 'vae' &&
                               window.aeLab.testLosses.length >= 1);
    const initial = await page.evaluate(() => window.aeLab.testLosses[0]);
    await page.waitForFunction((n) => window.aeLab.steps >= n, STEPS, {timeout: 120000});
    await page.click('#pause');
    await page.waitForFunction(() => !window.aeLab.running && window.aeLab.testLosses.length >= 2);
    await page.waitForFunction(() => window.aeLab.testLosses.some(l => l.step === window.aeLab.steps && !l.fromEpoch));
    const s = await page.evaluate(() => ({last: window.aeLab.testLosses[window.aeLab.testLosses.length - 1],
                                         unit: window.aeLab.unit, steps: window.aeLab.steps,
                                         note: document.getElementById('map-note').textContent,
                                         samples: document.getElementById('samples-note').textContent,
                                         series: [...window.aeLab.chartSeries()], errors: window.aeLab.errors}));
    const f = (x) => x.toFixed(1);
    console.log(`unit ${s.unit}; untrained: total ${f(initial.terms.total)} = recon ${f(initial.terms.reconstruction)} + KL ` +
                `${f(initial.terms.kl)}; after ${s.steps} steps: total ${f(s.last.terms.total)} = recon ` +
                `${f(s.last.terms.reconstruction)} + KL ${f(s.last.terms.kl)}`);
    console.log(`map: ${s.note}; samples: ${s.samples}; chart series: ${s.series.join(', ')}`);
    assert.deepStrictEqual(s.errors, []);
    assert.strictEqual(s.unit, 'nats per image');
    // Stated margin: -ELBO per image (nats) falls by at least 40% in 200 steps of batch 128.
    assert.ok(s.last.terms.total < 0.6 * initial.terms.total, 'the VAE test loss did not fall by 40%');
    assert.ok(s.last.terms.kl > 0, 'KL term is reported');
    assert.match(s.note, /PCA projection of the 20-D codes/);
    assert.match(s.samples, /prior N\(0, I\)/);
    assert.ok(s.series.includes('train KL') && s.series.includes('test reconstruction'), 'per-term series are plotted');
    const mapStats = await screenshotStats(page, '#latent-map');
    assert.ok(mapStats.nonWhite > 0.01 && mapStats.colours >= 8, 'the VAE latent map shows no coloured points');
    const samples = await screenshotStats(page, '#samples');
    assert.ok(samples.std > 20, 'the prior samples did not render');
    // log p(x) of the paused VAE (IWAE, K = 50, the first 500 test images): above its ELBO, and that ELBO near
    // the test loss (its negative, one z sample per image, over the whole test set).
    assert.strictEqual(await page.evaluate(() => document.getElementById('lik').hidden), false, 'a VAE offers log p(x)');
    await page.selectOption('#lik-k', '50');
    await page.click('#lik-run');
    await page.waitForFunction(() => window.aeLab.lik && window.aeLab.lik(), null, {timeout: 60000});
    const lik = await page.evaluate(() => ({...window.aeLab.lik(), text: document.getElementById('lik-text').textContent}));
    console.log(`page log p(x): ${lik.text}; test loss ${s.last.terms.total.toFixed(2)}`);
    assert.ok(lik.iwae > lik.elbo, 'IWAE_50 is above the ELBO');
    assert.ok(Math.abs(-lik.elbo - s.last.terms.total) < 15, 'the ELBO of 500 test images is near the test loss');
    assert.match(lik.text, /^log p\(x\) ≥ -\d+\.\d\d nats per image \(IWAE, K = 50, the first 500 test images/);
    await screenshot(page, 'page-vae.png');

    // Semantic hashing (retrieval.h) from the form: a VAE has no binary codes (the panel says so); model type
    // "hashing" (32 sigmoid bits, code noise) trained for HASH_STEPS minibatches, then its panel: the precision shown
    // is the fraction of the query's class in its Hamming ball, the ball grows with the radius (each ball holds the
    // smaller one), the mean over the test images beats chance, and clicking a ball image queries it.
    await page.locator('#hash-off').scrollIntoViewIfNeeded();
    assert.strictEqual(await page.evaluate(() => document.getElementById('hash-on').hidden && !document.getElementById('hash-off').hidden), true);
    const t0 = Date.now();
    await setField(page, 'model.type', 'hashing');
    await page.waitForFunction(() => document.querySelector('[name="model.latent"]').value === '32', null, {timeout: 10000});
    await page.click('#start');
    await page.waitForSelector('#confirm:not([hidden])', {timeout: 10000});  // the VAE's steps are discarded
    await page.click('#confirm-yes');
    await page.waitForFunction((n) => window.aeLab.created && JSON.parse(window.aeLab.sessionConfig).model.type === 'hashing' &&
                               window.aeLab.steps >= n, HASH_STEPS, {timeout: 120000});
    await page.click('#pause');
    await page.waitForFunction(() => !window.aeLab.running);
    await page.locator('#hash-note').scrollIntoViewIfNeeded();  // the section (its views show once on screen)
    const ballAt = async (r) => {
      await page.evaluate((v) => { const e = document.getElementById('hash-radius'); e.value = String(v); e.dispatchEvent(new Event('input')); }, r);
      await page.waitForFunction((v) => window.aeLab.hash && window.aeLab.hash.radius === v &&
        document.getElementById('hash-ball-note').textContent.startsWith(`Hamming ball of radius ${v}:`), r, {timeout: 30000});
      return page.evaluate(() => {
        const h = window.aeLab.hash, labels = window.aeLab.views.codeLabels;
        const inBall = Array.from(h.indices, (j) => labels[j]);
        return {radius: h.radius, indices: Array.from(h.indices), distances: Array.from(h.distances), label: h.label,
                query: h.query, precision: h.precision, recall: h.recall, same: h.same, relevant: h.relevant,
                fraction: inBall.length ? inBall.filter((l) => l === h.label).length / inBall.length : -1,
                bits: Array.from(h.queryBits), mean: h.mean, binariness: h.binariness,
                note: document.getElementById('hash-ball-note').textContent, meanNote: document.getElementById('hash-mean').textContent,
                shown: document.querySelectorAll('#hash-ball figure').length,
                shownSame: document.querySelectorAll('#hash-ball figure.same').length,
                image: [document.getElementById('hash-image').width, document.getElementById('hash-image').height]};
      });
    };
    const balls = [];
    for (const r of [0, 1, 2, 3, 4, 6]) balls.push(await ballAt(r));
    for (const b of balls) {
      console.log(`hashing radius ${b.radius}: ball ${b.indices.length}, precision ${b.precision.toFixed(3)}, recall ` +
                  `${b.recall.toFixed(4)}; mean precision ${b.mean.precision.toFixed(3)} recall ${b.mean.recall.toFixed(4)}, ` +
                  `${b.mean.meanBallSize.toFixed(1)} per ball, ${b.mean.emptyQueries} empty`);
    }
    const b2 = balls[2];
    console.log(`binariness ${b2.binariness.toFixed(3)}; ${b2.note}; ${b2.meanNote}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.strictEqual(b2.bits.length, 32);
    assert.ok(b2.query >= 0 && b2.label >= 0, 'the picked test image is the query');
    for (const [i, b] of balls.entries()) {
      assert.ok(!b.indices.includes(b.query), 'the query is not in its own ball');
      assert.ok(b.distances.every((d, t) => d <= b.radius && (t === 0 || d >= b.distances[t - 1])), 'nearest first, within r');
      assert.strictEqual(b.shown, Math.min(24, b.indices.length));
      if (b.indices.length) {
        assert.strictEqual(b.precision, b.fraction, 'precision = the fraction of the query\'s class in the ball');
        const m = b.note.match(/precision (\d\.\d{3}) \((\d+) of (\d+) of class .+\), recall (\d\.\d{3}) \((\d+) of the (\d+) other/);
        assert.ok(m, b.note);
        assert.strictEqual(Number(m[2]), b.same);
        assert.strictEqual(Number(m[3]), b.indices.length);
        assert.strictEqual(Number(m[1]), Number(b.precision.toFixed(3)));
        assert.strictEqual(Number(m[4]), Number((b.same / b.relevant).toFixed(3)));
        if (b.indices.length <= 24) assert.strictEqual(b.shownSame, b.same, 'green images = same class');
      } else {
        assert.strictEqual(b.precision, -1);
        assert.match(b.note, /empty ball: precision undefined, recall 0/);
      }
      if (i > 0) {
        const prev = balls[i - 1];
        assert.ok(prev.indices.every((j) => b.indices.includes(j)), `the radius-${prev.radius} ball is inside the radius-${b.radius} ball`);
        assert.ok(b.mean.meanBallSize >= prev.mean.meanBallSize && b.mean.emptyQueries <= prev.mean.emptyQueries, 'mean ball size grows with r');
        assert.ok(b.recall >= prev.recall, 'recall grows with r');
      }
    }
    assert.ok(balls[5].indices.length > balls[0].indices.length, 'a wider ball holds more images');
    assert.ok(b2.mean.precision > 0.1 + 0.2, `mean precision at radius 2 ${b2.mean.precision} (chance 0.1)`);
    assert.ok(b2.binariness > 0.5, `binariness ${b2.binariness}`);
    assert.deepStrictEqual(b2.image, [96 + 32 * 12, 40 * 6]);  // 40 test images x 32 bits
    console.log('screenshot:', await screenshot(page, 'hashing.png', '#hash-query >> xpath=ancestor::section'));
    // Clicking a ball image queries it.
    const target = balls[5].indices[0];
    await page.click('#hash-ball figure >> nth=0');
    await page.waitForFunction((j) => window.aeLab.hash && window.aeLab.hash.query === j, target, {timeout: 30000});
    assert.deepStrictEqual(t.consoleErrors, [], 'console errors');
  } finally {
    await t.close();
  }
});
