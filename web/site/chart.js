// Line charts of the loss terms on a 2D canvas (drawing only). Each series is {name, color, xs, ys, dashed}.
export class LossChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.series = new Map();
  }
  clear() { this.series.clear(); this.draw(); }
  add(name, color, dashed, x, y) {
    if (!this.series.has(name)) this.series.set(name, {name, color, dashed, xs: [], ys: []});
    const s = this.series.get(name);
    s.xs.push(x);
    s.ys.push(y);
  }
  // Smoothed per-minibatch values are many: keep at most ~2,000 points per series by averaging pairs.
  compact() {
    for (const s of this.series.values()) {
      if (s.xs.length <= 4000) continue;
      const xs = [], ys = [];
      for (let i = 0; i + 1 < s.xs.length; i += 2) { xs.push(s.xs[i + 1]); ys.push((s.ys[i] + s.ys[i + 1]) / 2); }
      s.xs = xs; s.ys = ys;
    }
  }
  draw() {
    const c = this.canvas, dpr = window.devicePixelRatio || 1;
    // Resize only when the layout changed: assigning width/height reallocates the canvas every time.
    const w = Math.round(c.clientWidth * dpr), h = Math.round(c.clientHeight * dpr);
    if (c.width !== w) c.width = w;
    if (c.height !== h) c.height = h;
    // CPU-backed (willReadFrequently): drawn ten times a second while training; a GPU-backed 2D canvas
    // makes the page thread wait for a busy GPU process (a software GL on these machines).
    const ctx = c.getContext('2d', {willReadFrequently: true});
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const W = c.clientWidth, H = c.clientHeight, L = 48, R = 8, T = 8, B = 22;
    ctx.clearRect(0, 0, W, H);
    let x1 = 1, y0 = Infinity, y1 = -Infinity;
    for (const s of this.series.values()) {
      for (let i = 0; i < s.xs.length; i++) {
        if (!Number.isFinite(s.ys[i])) continue;
        x1 = Math.max(x1, s.xs[i]); y0 = Math.min(y0, s.ys[i]); y1 = Math.max(y1, s.ys[i]);
      }
    }
    ctx.font = '11px sans-serif';
    ctx.fillStyle = '#555';
    ctx.strokeStyle = '#ccc';
    ctx.strokeRect(L, T, W - L - R, H - T - B);
    if (!(y1 >= y0)) { ctx.fillText('no data yet', L + 8, T + 16); return; }
    if (y1 - y0 < 1e-9) { y0 -= 0.5; y1 += 0.5; }
    const pad = (y1 - y0) * 0.05;
    y0 -= pad; y1 += pad;
    const px = x => L + x / x1 * (W - L - R), py = y => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
    // Enough significant digits that the five labels differ.
    const mag = Math.max(Math.abs(y0), Math.abs(y1));
    const digits = Math.min(8, Math.max(3, Math.ceil(Math.log10(mag / ((y1 - y0) / 4))) + 1));
    for (let k = 0; k <= 4; k++) {
      const y = y0 + (y1 - y0) * k / 4;
      ctx.fillText(y.toPrecision(digits), 2, py(y) + 4);
    }
    ctx.fillStyle = '#555';
    ctx.fillText(`step ${Math.round(x1)}`, W - R - 70, H - 6);
    let lx = L + 6;
    for (const s of this.series.values()) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = s.dashed ? 2 : 1;
      ctx.setLineDash(s.dashed ? [5, 3] : []);
      ctx.beginPath();
      let started = false;
      for (let i = 0; i < s.xs.length; i++) {
        if (!Number.isFinite(s.ys[i])) continue;
        if (started) ctx.lineTo(px(s.xs[i]), py(s.ys[i])); else ctx.moveTo(px(s.xs[i]), py(s.ys[i]));
        started = true;
      }
      if (s.xs.length === 1) ctx.arc(px(s.xs[0]), py(s.ys[0]), 2, 0, 7);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = s.color;
      ctx.fillRect(lx, H - 10, 10, 2);
      ctx.fillText(s.name, lx + 13, H - 6);
      lx += ctx.measureText(s.name).width + 26;
    }
  }
}
