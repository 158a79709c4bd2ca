// WebGL2 drawing with the shared GLSL in shaders/ (the same sources the desktop app compiles as
// GLSL 3.30 core): the latent map (latent_points.*), grey images (image.*) and the vector field's arrows
// (segments.*). Drawing only: every
// coordinate and pixel value comes from the Worker.

const PREFIX = '#version 300 es\nprecision highp float;\n';

export const PALETTE = [
  [0.12, 0.47, 0.71], [1.00, 0.50, 0.05], [0.17, 0.63, 0.17], [0.84, 0.15, 0.16], [0.58, 0.40, 0.74],
  [0.55, 0.34, 0.29], [0.89, 0.47, 0.76], [0.50, 0.50, 0.50], [0.74, 0.74, 0.13], [0.09, 0.75, 0.81],
  [0.40, 0.76, 0.65], [0.99, 0.55, 0.38], [0.55, 0.63, 0.80], [0.91, 0.54, 0.76], [0.65, 0.85, 0.33],
  [0.05, 0.05, 0.05]];
export const cssColor = (c) => `rgb(${c.map(v => Math.round(v * 255)).join(',')})`;

let sources = null;
export async function loadShaders() {
  const names = ['latent_points.vert', 'latent_points.frag', 'image.vert', 'image.frag', 'segments.vert', 'segments.frag'];
  const texts = await Promise.all(names.map(n => fetch('shaders/' + n).then(r => {
    if (!r.ok) throw new Error(`shaders/${n}: HTTP ${r.status}`);
    return r.text();
  })));
  sources = Object.fromEntries(names.map((n, i) => [n, texts[i]]));
}

function program(gl, vert, frag) {
  const compile = (type, name) => {
    const s = gl.createShader(type);
    gl.shaderSource(s, PREFIX + sources[name]);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`${name}: ${gl.getShaderInfoLog(s)}`);
    return s;
  };
  const p = gl.createProgram();
  gl.attachShader(p, compile(gl.VERTEX_SHADER, vert));
  gl.attachShader(p, compile(gl.FRAGMENT_SHADER, frag));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(`${vert}+${frag}: ${gl.getProgramInfoLog(p)}`);
  const u = {};
  const n = gl.getProgramParameter(p, gl.ACTIVE_UNIFORMS);
  for (let i = 0; i < n; i++) {
    const name = gl.getActiveUniform(p, i).name.replace(/\[0\]$/, '');
    u[name] = gl.getUniformLocation(p, name);
  }
  return {p, u};
}

// Grey images (image.vert/.frag) drawn straight into each view's own WebGL2 canvas: no read-back to the
// page thread (a drawImage of a WebGL canvas into a 2D one stalls the page thread until the GPU
// process has finished). One texture per image slot, so uploads never wait for earlier draws.
class ImageRenderer {
  constructor(canvas) {
    this.canvas = canvas;
    const gl = canvas.getContext('webgl2', {preserveDrawingBuffer: true, antialias: false});
    if (!gl) throw new Error('WebGL2 is not available in this browser');
    this.gl = gl;
    this.prog = program(gl, 'image.vert', 'image.frag');
    this.vao = gl.createVertexArray();
    this.textures = [];
  }

  texture(i) {
    const gl = this.gl;
    while (this.textures.length <= i) {
      const t = gl.createTexture();
      gl.bindTexture(gl.TEXTURE_2D, t);
      for (const [k, v] of [[gl.TEXTURE_MIN_FILTER, gl.NEAREST], [gl.TEXTURE_MAG_FILTER, gl.NEAREST],
                            [gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE], [gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE]]) {
        gl.texParameteri(gl.TEXTURE_2D, k, v);
      }
      this.textures.push(t);
    }
    return this.textures[i];
  }

  // items: [{pixels: Float32Array (rows*cols, 0..1), x, y, w, h, signed}] in canvas pixels.
  draw(items, rows, cols, background = 1) {
    const gl = this.gl, W = this.canvas.width, H = this.canvas.height;
    gl.viewport(0, 0, W, H);
    gl.clearColor(background, background, background, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.useProgram(this.prog.p);
    gl.bindVertexArray(this.vao);
    gl.activeTexture(gl.TEXTURE0);
    gl.uniform1i(this.prog.u.u_image, 0);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    items.forEach((it, i) => {
      if (!it.pixels) return;
      gl.bindTexture(gl.TEXTURE_2D, this.texture(i));
      // Same size as before: update in place (texSubImage2D) instead of reallocating the texture.
      const t = this.textures[i];
      if (t.w === cols && t.h === rows) gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, cols, rows, gl.RED, gl.FLOAT, it.pixels);
      else { gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, cols, rows, 0, gl.RED, gl.FLOAT, it.pixels); t.w = cols; t.h = rows; }
      gl.uniform1f(this.prog.u.u_signed, it.signed ? 1 : 0);
      const x0 = it.x / W * 2 - 1, x1 = (it.x + it.w) / W * 2 - 1;
      const y0 = 1 - (it.y + it.h) / H * 2, y1 = 1 - it.y / H * 2;
      gl.uniform4f(this.prog.u.u_rect, x0, y0, x1, y1);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    });
  }
}

const renderers = new WeakMap();
// The renderer of a canvas (created on first use; the canvas then holds a WebGL2 context).
export function images(canvas) {
  let r = renderers.get(canvas);
  if (!r) { r = new ImageRenderer(canvas); renderers.set(canvas, r); }
  return r;
}

// Lays out k images (Float32Array k*D) in a grid of `perRow` columns with cell size `cell` on `canvas`,
// resizing the canvas when needed. Returns the cell rectangles.
export function drawGrid(canvas, pixels, k, rows, cols, perRow, cell, gap = 2) {
  const D = rows * cols, nr = Math.ceil(k / perRow);
  const W = perRow * (cell + gap) + gap, H = nr * (cell + gap) + gap;
  if (canvas.width !== W) canvas.width = W;
  if (canvas.height !== H) canvas.height = H;
  const items = [];
  for (let i = 0; i < k; i++) {
    items.push({pixels: pixels.subarray(i * D, (i + 1) * D), x: gap + (i % perRow) * (cell + gap),
                y: gap + Math.floor(i / perRow) * (cell + gap), w: cell, h: cell});
  }
  images(canvas).draw(items, rows, cols, 0.93);
  return items;
}

// The same grid drawn on a 2D canvas (nearest-neighbour upscaling, CPU): for the small grids of the
// neighbour and arithmetic views, since Chromium keeps at most 16 WebGL contexts per page and drops the oldest
// (the latent map's) beyond that.
export function drawGrid2d(canvas, pixels, k, rows, cols, perRow, cell, gap = 2) {
  const D = rows * cols, nr = Math.ceil(k / perRow);
  const W = perRow * (cell + gap) + gap, H = nr * (cell + gap) + gap;
  if (canvas.width !== W) canvas.width = W;
  if (canvas.height !== H) canvas.height = H;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const img = ctx.createImageData(cell, cell), d = img.data;
  for (let i = 0; i < k; i++) {
    const px = pixels.subarray(i * D, (i + 1) * D);
    for (let y = 0; y < cell; y++) {
      const r = Math.min(rows - 1, Math.floor(y * rows / cell)) * cols;
      for (let x = 0; x < cell; x++) {
        const v = px[r + Math.min(cols - 1, Math.floor(x * cols / cell))];
        const g = Math.round(255 * Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)));
        const o = 4 * (y * cell + x);
        d[o] = d[o + 1] = d[o + 2] = g;
        d[o + 3] = 255;
      }
    }
    ctx.putImageData(img, gap + (i % perRow) * (cell + gap), gap + Math.floor(i / perRow) * (cell + gap));
  }
}

// Sizes the drawing buffer to the canvas's CSS size times the device pixel ratio, clears it to white and
// sets alpha blending; returns the ratio.
function beginFrame(gl, c) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(c.clientWidth * dpr), h = Math.round(c.clientHeight * dpr);
  if (w > 0 && h > 0 && (c.width !== w || c.height !== h)) { c.width = w; c.height = h; }
  gl.viewport(0, 0, c.width, c.height);
  gl.clearColor(1, 1, 1, 1);
  gl.clear(gl.COLOR_BUFFER_BIT);
  gl.enable(gl.BLEND);
  gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
  return dpr;
}

// The latent map: points in map coordinates (Float32Array m*2) coloured by class, pan (drag) and zoom
// (wheel), a highlighted point, and extra marked points (the drawn image's code, a path).
export class LatentMap {
  constructor(canvas) {
    this.canvas = canvas;
    const gl = canvas.getContext('webgl2', {antialias: true, preserveDrawingBuffer: true});
    if (!gl) throw new Error('WebGL2 is not available in this browser');
    this.gl = gl;
    this.prog = program(gl, 'latent_points.vert', 'latent_points.frag');
    this.vao = gl.createVertexArray();
    this.pos = gl.createBuffer();
    this.cls = gl.createBuffer();
    this.extraVao = gl.createVertexArray();
    this.extraPos = gl.createBuffer();
    this.extraCls = gl.createBuffer();
    for (const [vao, pos, cls] of [[this.vao, this.pos, this.cls], [this.extraVao, this.extraPos, this.extraCls]]) {
      gl.bindVertexArray(vao);
      gl.bindBuffer(gl.ARRAY_BUFFER, pos);
      gl.enableVertexAttribArray(0);
      gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
      gl.bindBuffer(gl.ARRAY_BUFFER, cls);
      gl.enableVertexAttribArray(1);
      gl.vertexAttribPointer(1, 1, gl.FLOAT, false, 0, 0);
    }
    gl.bindVertexArray(null);
    this.points = new Float32Array(0);
    this.m = 0;
    this.extra = 0;
    this.highlight = -1;
    this.center = [0, 0];
    this.zoom = 1;       // relative to the fitted scale
    this.fit = 1;        // data units -> clip units so the data fill the view
    this.autoFit = true;
    this.installInput();
  }

  setPoints(points, labels) {
    const gl = this.gl;
    this.points = points;
    this.m = points.length / 2;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.pos);
    gl.bufferData(gl.ARRAY_BUFFER, points, gl.DYNAMIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.cls);
    gl.bufferData(gl.ARRAY_BUFFER, Float32Array.from(labels, c => Math.min(c, 14)), gl.DYNAMIC_DRAW);
    if (this.autoFit) this.fitView();
    this.draw();
  }

  // Extra points (map coordinates, Float32Array n*2), drawn on top in black.
  setExtra(points) {
    const gl = this.gl;
    this.extra = points ? points.length / 2 : 0;
    if (!this.extra) { this.draw(); return; }
    gl.bindBuffer(gl.ARRAY_BUFFER, this.extraPos);
    gl.bufferData(gl.ARRAY_BUFFER, points, gl.DYNAMIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.extraCls);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(this.extra).fill(15), gl.DYNAMIC_DRAW);
    this.draw();
  }

  fitView() {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < this.m; i++) {
      const x = this.points[2 * i], y = this.points[2 * i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
    if (!(x1 >= x0)) return;
    this.center = [(x0 + x1) / 2, (y0 + y1) / 2];
    this.fit = 1.8 / Math.max(x1 - x0, y1 - y0, 1e-6);
    this.zoom = 1;
  }

  scale() {
    const a = this.canvas.width / this.canvas.height;
    return [this.fit * this.zoom / Math.max(a, 1), this.fit * this.zoom * Math.min(a, 1)];
  }

  // Canvas pixel (CSS px) <-> map coordinates.
  toMap(px, py) {
    const r = this.canvas.getBoundingClientRect(), s = this.scale();
    const cx = (px / r.width) * 2 - 1, cy = 1 - (py / r.height) * 2;
    return [cx / s[0] + this.center[0], cy / s[1] + this.center[1]];
  }
  toPixel(x, y) {
    const r = this.canvas.getBoundingClientRect(), s = this.scale();
    return [((x - this.center[0]) * s[0] + 1) / 2 * r.width, (1 - (y - this.center[1]) * s[1]) / 2 * r.height];
  }

  // Index of the point nearest to the canvas pixel (within `radius` CSS px), or -1.
  pick(px, py, radius = 8) {
    let best = -1, bd = radius * radius;
    for (let i = 0; i < this.m; i++) {
      const [x, y] = this.toPixel(this.points[2 * i], this.points[2 * i + 1]);
      const d = (x - px) ** 2 + (y - py) ** 2;
      if (d < bd) { bd = d; best = i; }
    }
    return best;
  }

  installInput() {
    const c = this.canvas;
    let drag = null;
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = c.getBoundingClientRect();
      const before = this.toMap(e.clientX - r.left, e.clientY - r.top);
      this.zoom *= Math.exp(-e.deltaY * 0.0015);
      const after = this.toMap(e.clientX - r.left, e.clientY - r.top);
      this.center = [this.center[0] + before[0] - after[0], this.center[1] + before[1] - after[1]];
      this.autoFit = false;
      this.draw();
    }, {passive: false});
    c.addEventListener('pointerdown', (e) => { drag = {x: e.clientX, y: e.clientY, moved: false}; });
    window.addEventListener('pointerup', () => { drag = null; });
    c.addEventListener('pointermove', (e) => {
      if (!drag || !(e.buttons & 1)) return;
      const r = c.getBoundingClientRect(), s = this.scale();
      const dx = (e.clientX - drag.x) / r.width * 2 / s[0], dy = -(e.clientY - drag.y) / r.height * 2 / s[1];
      if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 2) drag.moved = true;
      this.center = [this.center[0] - dx, this.center[1] - dy];
      drag.x = e.clientX; drag.y = e.clientY;
      this.autoFit = false;
      this.draw();
    });
    this.wasDrag = () => drag && drag.moved;
  }

  resetView() { this.autoFit = true; this.fitView(); this.draw(); }

  draw() {
    const gl = this.gl, dpr = beginFrame(gl, this.canvas);
    gl.useProgram(this.prog.p);
    const u = this.prog.u, s = this.scale();
    gl.uniform2f(u.u_center, this.center[0], this.center[1]);
    gl.uniform2f(u.u_scale, s[0], s[1]);
    gl.uniform3fv(u.u_palette, new Float32Array(PALETTE.flat()));
    gl.uniform1f(u.u_point_size, 5 * dpr);
    gl.uniform1f(u.u_alpha, 0.8);
    gl.uniform1f(u.u_highlight, this.highlight);
    gl.bindVertexArray(this.vao);
    gl.drawArrays(gl.POINTS, 0, this.m);
    if (this.extra) {
      gl.uniform1f(u.u_point_size, 7 * dpr);
      gl.uniform1f(u.u_alpha, 1);
      gl.uniform1f(u.u_highlight, this.extra - 1);
      gl.bindVertexArray(this.extraVao);
      gl.drawArrays(gl.POINTS, 0, this.extra);
    }
    gl.bindVertexArray(null);
  }
}

// The vector field of models on 2-D points (core vector_field.h field_view, one view per model from the
// Worker's FieldLab), side by side in one WebGL2 canvas (one viewport per model; the page stays under the
// browser's WebGL context limit): the test points by class, the arrows r(x) − x on the grid, and each point's
// reconstruction r(x) as a small black dot. Both axes show [0, 1] (the toy sets live there).
const FRAME = new Float32Array([0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0]);
export class FieldView {
  constructor(canvas) {
    this.canvas = canvas;
    // alpha: false: an opaque drawing buffer, so half-transparent points blend with the white background here
    // rather than leaving the canvas half transparent (pale on the page).
    const gl = canvas.getContext('webgl2', {alpha: false, antialias: true, preserveDrawingBuffer: true});
    if (!gl) throw new Error('WebGL2 is not available in this browser');
    this.gl = gl;
    this.points = program(gl, 'latent_points.vert', 'latent_points.frag');
    this.lines = program(gl, 'segments.vert', 'segments.frag');
    this.pos = gl.createBuffer();
    this.cls = gl.createBuffer();
    this.seg = gl.createBuffer();
    this.pointVao = gl.createVertexArray();
    gl.bindVertexArray(this.pointVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.pos);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.cls);
    gl.enableVertexAttribArray(1);
    gl.vertexAttribPointer(1, 1, gl.FLOAT, false, 0, 0);
    this.segVao = gl.createVertexArray();
    gl.bindVertexArray(this.segVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.seg);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
    gl.bindVertexArray(null);
    this.views = [];
  }

  // views: [{points, labels, reconstructions, arrows}] (Float32Array / Uint8Array from FieldLab.view).
  draw(views) {
    this.views = views;
    const gl = this.gl, c = this.canvas, dpr = beginFrame(gl, c);
    const n = Math.max(1, views.length), pw = Math.floor(c.width / n), side = Math.min(pw, c.height);
    views.forEach((v, i) => {
      gl.viewport(i * pw + Math.floor((pw - side) / 2), Math.floor((c.height - side) / 2), side, side);
      const points = (xy, classes, size, alpha) => {
        const u = this.points.u;
        gl.useProgram(this.points.p);
        gl.uniform2f(u.u_center, 0.5, 0.5);
        gl.uniform2f(u.u_scale, 1.9, 1.9);
        gl.uniform3fv(u.u_palette, new Float32Array(PALETTE.flat()));
        gl.uniform1f(u.u_point_size, size * dpr);
        gl.uniform1f(u.u_alpha, alpha);
        gl.uniform1f(u.u_highlight, -1);
        gl.bindVertexArray(this.pointVao);
        gl.bindBuffer(gl.ARRAY_BUFFER, this.pos);
        gl.bufferData(gl.ARRAY_BUFFER, xy, gl.DYNAMIC_DRAW);
        gl.bindBuffer(gl.ARRAY_BUFFER, this.cls);
        gl.bufferData(gl.ARRAY_BUFFER, classes, gl.DYNAMIC_DRAW);
        gl.drawArrays(gl.POINTS, 0, xy.length / 2);
      };
      const lines = (segments, color) => {
        gl.useProgram(this.lines.p);
        gl.uniform2f(this.lines.u.u_center, 0.5, 0.5);
        gl.uniform2f(this.lines.u.u_scale, 1.9, 1.9);
        gl.uniform4f(this.lines.u.u_color, ...color);
        gl.bindVertexArray(this.segVao);
        gl.bindBuffer(gl.ARRAY_BUFFER, this.seg);
        gl.bufferData(gl.ARRAY_BUFFER, segments, gl.DYNAMIC_DRAW);
        gl.drawArrays(gl.LINES, 0, segments.length / 2);
      };
      lines(FRAME, [0.75, 0.75, 0.75, 1]);  // the unit square
      points(v.points, Float32Array.from(v.labels, (l) => Math.min(l, 14)), 5, 0.45);
      lines(v.arrows, [0.2, 0.2, 0.2, 0.9]);
      points(v.reconstructions, new Float32Array(v.reconstructions.length / 2).fill(15), 2.5, 0.9);
    });
    gl.bindVertexArray(null);
  }
}
