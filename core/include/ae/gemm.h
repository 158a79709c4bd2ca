// Single-precision GEMM for the dense layer's three products at the reference shapes (batch 128/256,
// widths 20-784), written with 128-bit SIMD: wasm_simd128.h under __wasm_simd128__ (the WebAssembly
// build, where Eigen 3.4 only reaches WASM SIMD through emscripten's SSE emulation), SSE2 on x86-64,
// plain scalar code elsewhere. The structure is Goto and van de Geijn's ("Anatomy of high-performance
// matrix multiplication", ACM TOMS 34(3), 2008) as in BLIS: blocks of A packed into kGemmMr-row panels,
// blocks of B into kGemmNr-column panels, a register-blocked kGemmMr x kGemmNr micro-kernel
// (8 x 4: 8 f32x4 accumulators). Under Node 20's V8 the 8 x 4 tile ran 25-30 GFLOP/s on these shapes where
// 8 x 6, 8 x 5, 12 x 4, 16 x 3 and 8 x 8 ran 13-18 (V8 spills their accumulators) and Eigen's
// SSE-emulated GEMM 13-20; natively Eigen's AVX-512 GEMM is about 2.5x this SSE2 kernel.
//
//   C = A B  (accumulate = false)   or   C += A B  (accumulate = true)
//   A: [m, k], element (i, p) at a[i * a_rs + p * a_cs]      (any strides: row- or column-major, transposed)
//   B: [k, n], element (p, j) at b[p * b_rs + j * b_cs]
//   C: [m, n] column-major, element (i, j) at c[i + j * ldc], ldc >= m; C must not overlap A or B.
// m, n, k >= 0 (k = 0 leaves C = 0, or unchanged when accumulating). No allocation (the packing
// buffers, 224 KiB, are on the stack), no exceptions.
//
// Summation order: each C(i, j) is its own SIMD lane, summed over p in increasing order in blocks of
// kc = ceil(k / ceil(k / 256)) (mul then add, no fused multiply-add in the SIMD paths), the block sums
// added to C in block order. The order depends on k only, not on m, n, the position of (i, j) in a tile,
// nor how a caller splits C's columns over threads: splitting n gives bit-identical results.
#pragma once

#include <cstddef>

namespace ae {

inline constexpr std::ptrdiff_t kGemmMr = 8;  // micro-tile rows (two 4-float vectors)
inline constexpr std::ptrdiff_t kGemmNr = 4;  // micro-tile columns (broadcast scalars of B)

void gemm_f32(std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t k, const float* a, std::ptrdiff_t a_rs,
              std::ptrdiff_t a_cs, const float* b, std::ptrdiff_t b_rs, std::ptrdiff_t b_cs, float* c,
              std::ptrdiff_t ldc, bool accumulate);

// "wasm_simd128", "sse2" or "scalar": which micro-kernel gemm_f32 was compiled with.
const char* gemm_kernel_name();

// Whether dense_forward / dense_backward<float> use gemm_f32 in this build (the WebAssembly build with
// SIMD) rather than Eigen's GEMM (native builds, where Eigen is as fast or faster for these shapes).
bool dense_uses_gemm_f32();

}  // namespace ae
