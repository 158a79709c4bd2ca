// The loss chart: uPlot (npm uplot, copied into the site at build time) over the loss terms. Each series is
// {name, color, dashed, xs, ys}: train terms per minibatch (solid), test terms per epoch and at pause (dashed).
// What the page asks of it (issue 14): a legend that names line styles and colours (uPlot's, with dashed
// markers for the test lines, and the values under the cursor), a log-scale toggle, epoch markers, a y axis
// that stays at or above 0 when every value is non-negative, and a readable scale after a divergence (the
// axis fits the values before a divergence, or stops below a transient spike, and says so).
import uPlot from './uPlot.esm.js';

const MAX_POINTS = 1500;  // x positions drawn: train values are averaged over buckets of minibatches

export class LossChart {
  constructor(container) {
    this.container = container;
    this.series = new Map();
    this.log = false;
    this.epochLength = 0;  // minibatches per epoch (the markers); 0: none
    this.spike = null;     // the largest value when a transient spike is above the axis
    this.clipped = null;   // the minibatch a diverging run's tail starts at (the axis fits the values before it)
    this.plot = null;
    this.shape = '';       // series names, colours, styles and the scale the uPlot instance was built for
    this.text = 'Loss chart: no training yet';  // the plot canvas' text alternative
    new ResizeObserver(() => this.resize()).observe(container);
  }
  clear() { this.series.clear(); this.draw(); }
  add(name, color, dashed, x, y) {
    if (!this.series.has(name)) this.series.set(name, {name, color, dashed, xs: [], ys: []});
    const s = this.series.get(name);
    s.xs.push(x);
    s.ys.push(y);
  }
  // Long runs: keep at most ~4,000 raw points per series by averaging pairs (the draw buckets them further).
  compact() {
    for (const s of this.series.values()) {
      if (s.dashed || s.xs.length <= 4000) continue;
      const xs = [], ys = [];
      for (let i = 0; i + 1 < s.xs.length; i += 2) { xs.push(s.xs[i + 1]); ys.push((s.ys[i] + s.ys[i + 1]) / 2); }
      s.xs = xs; s.ys = ys;
    }
  }
  setLog(on) { this.log = !!on; this.draw(); }
  setEpochLength(n) { this.epochLength = n > 0 ? n : 0; }

  // Aligned data for uPlot: x = the end of each bucket of B minibatches; a train series' value is its mean
  // over the bucket, a test series' the last value in it (null where it has none; uPlot spans the gaps).
  data() {
    let x1 = 0;
    for (const s of this.series.values()) if (s.xs.length) x1 = Math.max(x1, s.xs[s.xs.length - 1]);
    const B = Math.max(1, Math.ceil(x1 / MAX_POINTS)), n = Math.max(1, Math.ceil(x1 / B));
    const xs = Array.from({length: n}, (_, j) => Math.min(x1, (j + 1) * B));
    const ok = (y) => Number.isFinite(y) && (!this.log || y > 0);
    const cols = [];
    for (const s of this.series.values()) {
      const sum = new Float64Array(n), cnt = new Uint32Array(n), col = new Array(n).fill(null);
      for (let i = 0; i < s.xs.length; i++) {
        if (!ok(s.ys[i])) continue;
        const j = Math.min(n - 1, Math.max(0, Math.ceil(s.xs[i] / B) - 1));
        if (s.dashed) col[j] = s.ys[i];
        else { sum[j] += s.ys[i]; cnt[j]++; }
      }
      if (!s.dashed) for (let j = 0; j < n; j++) if (cnt[j]) col[j] = sum[j] / cnt[j];
      cols.push(col);
    }
    return [xs, ...cols];
  }

  // Where a diverging run's tail begins: the first minibatch of the last stretch of the train total (the
  // first solid series) that is non-finite or over 10x its best value so far (the session's divergence rule,
  // session.h). null when the run does not end so.
  divergenceStart() {
    const s = [...this.series.values()].find((x) => !x.dashed);
    if (!s || !s.ys.length) return null;
    let best = Infinity;
    const bad = s.ys.map((y) => {
      const b = !Number.isFinite(y) || (best > 0 && best < Infinity && y > 10 * best);
      if (Number.isFinite(y)) best = Math.min(best, y);
      return b;
    });
    let i = bad.length - 1;
    while (i >= 0 && bad[i]) i--;
    return i < bad.length - 1 && i >= 0 ? s.xs[i + 1] : null;
  }

  // The y range: from 0 when no value is negative; after a divergence, fitted to the values before it
  // (the note on the chart says so), so the healthy part stays readable.
  yRange(xs, cols) {
    const cut = this.divergenceStart();
    this.clipped = cut;
    const v = [];
    for (const c of cols) for (let j = 0; j < c.length; j++) if (c[j] !== null && (cut === null || xs[j] < cut)) v.push(c[j]);
    if (!v.length) return this.log ? [0.1, 1] : [0, 1];
    const lo = Math.min(...v);
    let top = Math.max(...v);
    // A transient spike (a few minibatches far above the rest) would flatten everything else: the axis stops
    // at 3x the 90th percentile when the largest value is over 10x that.
    const q90 = [...v].sort((a, b) => a - b)[Math.floor(0.9 * (v.length - 1))];
    this.spike = null;
    if (q90 > 0 && top > 10 * q90) { this.spike = top; top = 3 * q90; }
    if (this.log) return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(top * 1.0001))];  // whole decades
    const pad = Math.max(1e-9, (top - Math.min(lo, 0)) * 0.05);
    return [lo >= 0 ? 0 : lo - pad, top + pad];
  }

  build() {
    const series = [...this.series.values()];
    const marker = (u, i) => (u.series[i].dash ? 'dashed' : 'solid');
    const opts = {
      width: Math.max(200, this.container.clientWidth), height: 190,
      scales: {x: {time: false}, y: {distr: this.log ? 3 : 1, range: () => this.range}},
      axes: [{label: 'minibatches', labelSize: 18, size: 34},
             {size: 72, values: (u, ticks) => ticks.map((t) => (t === null ? '' : Math.abs(t) >= 1e4 || (t !== 0 && Math.abs(t) < 1e-3) ? t.toExponential(1) : String(+t.toPrecision(4))))}],
      legend: {markers: {dash: marker, width: 2}},
      cursor: {drag: {x: false, y: false}},
      series: [{label: 'minibatch', value: (u, v) => (v === null ? '–' : String(v))},
               ...series.map((s) => ({label: s.name, stroke: s.color, width: s.dashed ? 2 : 1.25, dash: s.dashed ? [6, 4] : undefined,
                                      spanGaps: s.dashed, points: {show: s.dashed, size: 5},
                                      value: (u, v) => (v === null ? '–' : v.toPrecision(4))}))],
      hooks: {draw: [(u) => this.decorate(u)]},
    };
    this.container.replaceChildren();
    this.plot = new uPlot(opts, this.data(), this.container);
    this.plot.ctx.canvas.setAttribute('role', 'img');
    this.label(this.text);
  }
  // The text alternative of the plot (the legend below it is text already).
  label(text) {
    this.text = text;
    const c = this.plot && this.plot.ctx.canvas;
    if (c && c.getAttribute('aria-label') !== text) c.setAttribute('aria-label', text);
  }
  // What is drawn, for the tests: the y scale, whether the axis was clipped, the epoch length.
  scale() {
    const y = this.plot ? this.plot.scales.y : {};
    return {min: y.min, max: y.max, log: this.log, clipped: this.clipped, spike: this.spike, epochLength: this.epochLength,
            series: this.plot ? this.plot.series.length - 1 : 0};
  }

  // Epoch markers (dotted verticals, labelled when there is room) and the note of a clipped axis.
  decorate(u) {
    const ctx = u.ctx, dpr = uPlot.pxRatio, {left, top, width, height} = u.bbox;
    ctx.save();
    ctx.font = `${10 * dpr}px sans-serif`;
    ctx.fillStyle = '#777';
    if (this.epochLength) {
      const x1 = u.scales.x.max || 0, count = Math.floor(x1 / this.epochLength);
      const every = Math.max(1, Math.ceil(count * 40 * dpr / Math.max(1, width)));
      ctx.strokeStyle = '#bbb';
      ctx.setLineDash([2 * dpr, 3 * dpr]);
      for (let e = 1; e <= count; e++) {
        const x = u.valToPos(e * this.epochLength, 'x', true);
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
        if (e % every === 0) ctx.fillText(`epoch ${e}`, x + 3 * dpr, top + 10 * dpr);
      }
    }
    if (this.clipped !== null || this.spike !== null) {
      ctx.fillStyle = '#b33';
      const note = this.clipped !== null ? `diverged from minibatch ${this.clipped}: the axis fits the values before it`
        : `values up to ${this.spike.toPrecision(3)} are above the axis`;
      ctx.fillText(note, left + width - ctx.measureText(note).width - 8 * dpr, top + 22 * dpr);
    }
    ctx.restore();
  }

  draw() {
    const d = this.data();
    this.range = this.yRange(d[0], d.slice(1));
    const shape = JSON.stringify([this.log, [...this.series.values()].map((s) => [s.name, s.color, s.dashed])]);
    if (!this.plot || shape !== this.shape) { this.shape = shape; this.build(); return; }
    this.plot.setData(d);
  }
  resize() {
    if (this.plot && this.container.clientWidth) this.plot.setSize({width: this.container.clientWidth, height: 190});
  }
}
