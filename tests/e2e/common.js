// Shared helpers of the browser tests: serve build/wasm/site with web/serve.py, launch Debian's
// Chromium through playwright-core (never `npx playwright install`: no browser download here), collect
// console errors and requests leaving the page's origin.
'use strict';
const {spawn} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const assert = require('assert');

const ROOT = path.resolve(__dirname, '../..');
const SITE = path.resolve(process.env.AE_SITE_DIR || path.join(ROOT, 'build/wasm/site'));
const ARTIFACTS = path.resolve(process.env.AE_ARTIFACTS || path.join(ROOT, 'build/artifacts'));
const CHROMIUM = process.env.AE_CHROMIUM || '/usr/bin/chromium';

function playwright() {
  try {
    return require(path.join(ROOT, 'web/node_modules/playwright-core'));
  } catch (e) {
    throw new Error('playwright-core is missing from web/node_modules: run bash .ci/setup.sh');
  }
}

// Starts web/serve.py on a free port; resolves {url, stop}. isolation false: without the COOP/COEP
// headers (the page then runs the single-threaded build). $AE_E2E_ISOLATION=0 makes that the default.
// (openPage: $AE_E2E_THREADS=N opens the page with ?threads=N.)
function serve(isolation = process.env.AE_E2E_ISOLATION !== '0') {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', [path.join(ROOT, 'web/serve.py'), '--port', '0', '--dir', SITE,
                                ...(isolation ? [] : ['--no-isolation'])],
                    {stdio: ['ignore', 'pipe', 'inherit']});
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/[\d.]+:\d+\//);
      if (m) resolve({url: m[0], stop: () => p.kill()});
    });
    p.on('exit', (code) => reject(new Error(`serve.py exited with ${code}: ${out}`)));
  });
}

// Opens the page in headless Chromium. Returns {browser, page, server, consoleErrors, foreignRequests, close}.
// options: beforeLoad(context), isolation (false: serve without COOP/COEP).
async function openPage(options = {}) {
  const server = await serve(options.isolation);
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-chromium-'));
  const browser = await playwright().chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // TOOLCHAIN.md's flags except --disable-gpu: with it the compositor runs in software and reads every
    // WebGL canvas back on the page thread each frame (GLES2::ReadPixels inside the main-thread Commit,
    // 50-300 ms tasks on this machine), which a GPU-composited browser never does. Without it Chromium
    // composites through SwiftShader in its GPU process, as a real browser does on a GPU.
    args: [...(process.env.AE_CHROMIUM_ARGS ? process.env.AE_CHROMIUM_ARGS.split(' ') : ['--ignore-gpu-blocklist']),
           '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  const context = await browser.newContext({viewport: {width: 1500, height: 1100}, acceptDownloads: true});
  if (options.beforeLoad) await options.beforeLoad(context);
  const page = await context.newPage();
  const consoleErrors = [], foreignRequests = [];
  const origin = new URL(server.url).origin;
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  context.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')) foreignRequests.push(u);
  });
  // $AE_E2E_THREADS: the page's thread count (?threads=N; the threaded build's default is all it offers).
  await page.goto(server.url + (process.env.AE_E2E_THREADS ? `?threads=${process.env.AE_E2E_THREADS}` : ''));
  const close = async () => {
    await browser.close();
    server.stop();
    fs.rmSync(userDir, {recursive: true, force: true});
  };
  return {browser, context, page, server, consoleErrors, foreignRequests, close};
}

// Waits until the page has a data set loaded (the page loads Fashion-MNIST on its own at start).
async function waitForData(page, name, timeout = 60000) {
  await page.waitForFunction((n) => window.aeLab && window.aeLab.dataset && window.aeLab.dataset.name.startsWith(n),
                             name, {timeout});
}

async function setField(page, name, value) {
  await page.evaluate(([n, v]) => {
    const el = document.querySelector(`[name="${n}"]`);
    if (!el) throw new Error(`no form field ${n}`);
    el.value = v;
    el.dispatchEvent(new Event('change', {bubbles: true}));
  }, [name, String(value)]);
}

async function screenshot(page, name, selector) {
  fs.mkdirSync(ARTIFACTS, {recursive: true});
  const file = path.join(ARTIFACTS, name);
  if (selector) await page.locator(selector).screenshot({path: file});
  else await page.screenshot({path: file, fullPage: true});
  return file;
}

// Runs an async main; any failure prints and exits non-zero (ctest sees the exit code).
function run(main) {
  main().then(() => process.exit(0), (err) => {
    console.error('FAIL:', err && err.stack ? err.stack : err);
    process.exit(1);
  });
}

module.exports = {ROOT, SITE, ARTIFACTS, openPage, waitForData, setField, screenshot, run, assert};

// Pixel statistics of a screenshot of `selector`, decoded by the page itself (an <img> of the PNG bytes
// drawn into a 2D canvas): {width, height, nonWhite (fraction of pixels not near-white), colours (number
// of distinct quantised colours), std (standard deviation of the grey level)}.
async function screenshotStats(page, selector, file) {
  const png = await page.locator(selector).screenshot(file ? {path: file} : {});
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let nonWhite = 0, sum = 0, sum2 = 0;
    const colours = new Set();
    const n = c.width * c.height;
    for (let i = 0; i < n; i++) {
      const r = px[4 * i], g = px[4 * i + 1], b = px[4 * i + 2];
      if (r < 235 || g < 235 || b < 235) nonWhite++;
      colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
      const grey = (r + g + b) / 3;
      sum += grey; sum2 += grey * grey;
    }
    const mean = sum / n;
    return {width: c.width, height: c.height, nonWhite: nonWhite / n, colours: colours.size,
            std: Math.sqrt(Math.max(0, sum2 / n - mean * mean))};
  }, png.toString('base64'));
}
module.exports.screenshotStats = screenshotStats;

// Records long tasks (PerformanceObserver 'longtask') of the page thread from the first script on.
async function observeLongTasks(context) {
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({start: e.startTime, duration: e.duration});
    }).observe({type: 'longtask', buffered: true});
  });
}
module.exports.observeLongTasks = observeLongTasks;
