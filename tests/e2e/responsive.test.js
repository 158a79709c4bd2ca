// Responsiveness while training (defect: a stroke on the draw canvas blocked the page thread 381 ms and
// every view update after the anomaly computation 160-190 ms). Long tasks of the page thread are recorded
// with a PerformanceObserver('longtask') (common.js observeLongTasks), Chromium launched WITHOUT
// --disable-gpu (TOOLCHAIN.md: with it WebGL canvases are composited on the page thread). Phases, all while
// Fashion-MNIST trains in the Worker:
//   train   6 s of plain training with the view updates
//   draw    a stroke of 40 pointer moves on the draw canvas
//   anomaly Compute in the anomaly view, then 5 s of view updates
//   edit    lerp/slerp, manifold size, denoise index changed
// Prints count / longest / total per phase (a long task is one over 50 ms, the goal). Fails if the page
// showed errors, if the draw phase spent over 1 s in long tasks, or if all phases together spent over 10%
// of their time in long tasks (before the fix: draw 9-18 s of long tasks in 15-27 s, about half of all
// the time; after: 0-0.3 s, 2-5%). On this project's shared 2-core machines (load average ~10) single
// 50-700 ms tasks of rendering (layout, paint, commit; the page's own handlers take under 20 ms) still
// occur now and then, so the longest task is only asserted with AE_LONGTASK_LIMIT=ms.
// AE_LONGTASK_REPORT=1 only prints (for a before/after comparison).
'use strict';
const {openPage, waitForData, setField, screenshot, observeLongTasks, run, assert} = require('./common.js');

const LIMIT = Number(process.env.AE_LONGTASK_LIMIT || 0);
const GOAL = 50;

run(async () => {
  const t = await openPage({beforeLoad: observeLongTasks});
  const {page} = t;
  const now = () => page.evaluate(() => performance.now());
  const phases = [];
  const phase = async (name, fn) => {
    const a = await now();
    await fn();
    const b = await now();
    const tasks = await page.evaluate(([x, y]) => window.__longTasks.filter(e => e.start >= x && e.start <= y), [a, b]);
    const r = {name, seconds: (b - a) / 1000, count: tasks.length, longest: Math.round(tasks.reduce((m, e) => Math.max(m, e.duration), 0)),
               total: Math.round(tasks.reduce((s, e) => s + e.duration, 0))};
    phases.push(r);
    console.log(`${name.padEnd(8)} ${r.seconds.toFixed(1)} s: ${r.count} long tasks (each over ${GOAL} ms), longest ${r.longest} ms, total ${r.total} ms`);
  };
  try {
    await waitForData(page, 'fashion-mnist', 90000);
    await setField(page, 'model.encoder', '256');
    await setField(page, 'train.batch', '128');
    await setField(page, 'train.epochs', '50');
    await page.click('#start');
    await page.waitForFunction(() => window.aeLab.running && window.aeLab.steps > 20, null, {timeout: 60000});
    await phase('train', () => page.waitForTimeout(6000));
    await page.locator('#draw').scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    await phase('draw', async () => {
      const box = await page.locator('#draw').boundingBox();
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
      await page.mouse.down();
      for (let k = 1; k <= 40; k++) {
        await page.mouse.move(box.x + box.width * (0.3 + 0.4 * k / 40), box.y + box.height * (0.2 + 0.6 * k / 40));
        await page.waitForTimeout(15);
      }
      await page.mouse.up();
      await page.waitForFunction(() => window.aeLab.drawnReconstruction, null, {timeout: 20000}).catch(async (e) => {
        throw new Error(`no reconstruction of the drawing; page errors ${JSON.stringify(await page.evaluate(() => window.aeLab.errors))}`);
      });
      await page.waitForTimeout(1500);
    });
    await phase('anomaly', async () => {
      await page.click('#an-run');
      await page.waitForFunction(() => window.aeLab.anomaly, null, {timeout: 60000});
      await page.waitForTimeout(5000);
    });
    await phase('edit', async () => {
      await page.click('#ip-random');
      await page.waitForTimeout(1000);
      await page.selectOption('#ip-mode', 'slerp');
      await page.waitForTimeout(1000);
      await page.fill('#mf-n', '16');
      await page.dispatchEvent('#mf-n', 'change');
      await page.waitForTimeout(1000);
      await page.fill('#dn-index', '7');
      await page.dispatchEvent('#dn-index', 'change');
      await page.waitForTimeout(2000);
    });
    const running = await page.evaluate(() => window.aeLab.running);
    await screenshot(page, 'responsive-during-training.png');
    assert.ok(running, 'training stopped during the measurement');
    const worst = Math.max(...phases.map(p => p.longest));
    const busy = phases.reduce((x, p) => x + p.total, 0), seconds = phases.reduce((x, p) => x + p.seconds, 0);
    const draw = phases.find(p => p.name === 'draw');
    console.log(`longest task while training: ${worst} ms (goal ${GOAL} ms); ${(busy / 1000).toFixed(2)} s of long tasks in ` +
                `${seconds.toFixed(1)} s (${(100 * busy / 1000 / seconds).toFixed(1)}%); page errors: ` +
                JSON.stringify(await page.evaluate(() => window.aeLab.errors)));
    if (!process.env.AE_LONGTASK_REPORT) {
      assert.deepStrictEqual(await page.evaluate(() => window.aeLab.errors), [], 'the page showed errors');
      assert.ok(draw.total <= 1000, `drawing a stroke while training blocked the page thread for ${draw.total} ms`);
      assert.ok(busy / 1000 <= 0.1 * seconds, `${busy} ms of long tasks in ${seconds.toFixed(1)} s of training`);
      if (LIMIT) assert.ok(worst <= LIMIT, `a task of ${worst} ms blocked the page thread while training`);
    }
  } finally {
    await t.close();
  }
});
