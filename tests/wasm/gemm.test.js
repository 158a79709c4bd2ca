// The WebAssembly GEMM kernel (core/src/gemm.cpp, wasm_simd128.h micro-kernel; gemmF32 in the bindings)
// against a naive triple loop in double computed here in JavaScript, at shapes that are and are not
// multiples of the 8 x 4 micro-tile and of the 256-deep blocks, for every stride layout; and column pieces
// of C are bit-identical to the whole product (what makes 1 and N threads agree).
// Tolerance per element: 1e-5 * (sum_p |A(i,p) B(p,j)| + |C0(i,j)|), a few float roundings per term.
'use strict';
const assert = require('assert');
const {loadModule, run} = require('./common');

// A small deterministic generator (xorshift32) of values in [-1, 1).
function filled(n, seed) {
  let s = seed >>> 0 || 1;
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    v[i] = s / 2147483648 - 1;
  }
  return v;
}

function check(ae, m, n, k, aRow, bRow, acc, seed) {
  const a = filled(m * k, seed), b = filled(k * n, seed + 1), c0 = filled(m * n, seed + 2);
  const A = (i, p) => aRow ? a[i * k + p] : a[i + p * m];
  const B = (p, j) => bRow ? b[p * n + j] : b[p + j * k];
  const c = ae.gemmF32(m, n, k, a, aRow, b, bRow, c0, acc);
  assert.ok(c instanceof Float32Array && c.length === m * n);
  let worst = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let ref = acc ? c0[i + j * m] : 0, scale = Math.abs(ref);
      for (let p = 0; p < k; p++) { const t = A(i, p) * B(p, j); ref += t; scale += Math.abs(t); }
      const err = Math.abs(c[i + j * m] - ref);
      assert.ok(err <= 1e-5 * scale + 1e-30,
                `m=${m} n=${n} k=${k} aRow=${aRow} bRow=${bRow} acc=${acc}: C(${i},${j}) = ${c[i + j * m]}, reference ${ref}`);
      if (scale > 0) worst = Math.max(worst, err / scale);
    }
  }
  return worst;
}

run(async () => {
  const ae = await loadModule();
  console.log(`gemmKernelName() = ${ae.gemmKernelName()}, denseUsesGemmF32() = ${ae.denseUsesGemmF32()}`);
  assert.strictEqual(ae.gemmKernelName(), 'wasm_simd128');
  assert.strictEqual(ae.denseUsesGemmF32(), true);
  const shapes = [[1, 1, 1], [7, 5, 3], [8, 6, 256], [9, 7, 257], [20, 128, 400], [97, 73, 33], [9, 131, 20], [13, 150, 784],
                  [40, 20, 128]];
  let seed = 1, worst = 0;
  for (const [m, n, k] of shapes)
    for (const aRow of [false, true])
      for (const bRow of [false, true])
        for (const acc of [false, true]) worst = Math.max(worst, check(ae, m, n, k, aRow, bRow, acc, seed += 3));
  console.log(`${shapes.length * 8} products; worst |error| / sum|terms| = ${worst.toExponential(2)}`);

  // Column pieces (a split not aligned to the 4-column tile) give the bits of the whole product.
  const m = 45, n = 128, k = 784;
  const a = filled(m * k, 101), b = filled(k * n, 102), zero = new Float32Array(m * n);
  const whole = ae.gemmF32(m, n, k, a, true, b, false, zero, false);
  const cuts = [0, 16, 61, 64, 127, 128];
  for (let t = 0; t + 1 < cuts.length; t++) {
    const j0 = cuts[t], j1 = cuts[t + 1];
    const piece = ae.gemmF32(m, j1 - j0, k, a, true, b.slice(j0 * k, j1 * k), false, new Float32Array(m * (j1 - j0)), false);
    assert.deepStrictEqual(piece, whole.slice(j0 * m, j1 * m), `columns ${j0}..${j1} differ from the whole product`);
  }
  assert.throws(() => ae.gemmF32(2, 2, 2, new Float32Array(3), false, new Float32Array(4), false, new Float32Array(4), false),
                /m\*k/);
  console.log('PASS');
});
