#include "ae/gemm.h"

#include <algorithm>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define AE_GEMM_WASM 1
#elif defined(__SSE2__)
#include <emmintrin.h>
#define AE_GEMM_SSE2 1
#endif

namespace ae {

namespace {

using Index = std::ptrdiff_t;

constexpr Index MR = kGemmMr, NR = kGemmNr;
constexpr Index KC_MAX = 256;  // depth of a packed block: A panel 8 KiB, B panel 4 KiB (L1)
constexpr Index MC = 96;       // rows of A packed at once: 96 KiB (L2)
constexpr Index NC = 32 * NR;   // columns of B packed at once: 32 panels, 128 KiB (L2)
static_assert(MC % MR == 0 && NC % NR == 0, "block sizes must be multiples of the micro-tile");

// 4-float vector operations of the three builds (mul and add kept separate: no FMA contraction).
#if AE_GEMM_WASM
using V = v128_t;
inline V vzero() { return wasm_f32x4_splat(0.0f); }
inline V vload(const float* p) { return wasm_v128_load(p); }
inline V vsplat(const float* p) { return wasm_v128_load32_splat(p); }
inline void vstore(float* p, V v) { wasm_v128_store(p, v); }
inline V vmuladd(V acc, V a, V b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }
inline V vadd(V a, V b) { return wasm_f32x4_add(a, b); }
#elif AE_GEMM_SSE2
using V = __m128;
inline V vzero() { return _mm_setzero_ps(); }
inline V vload(const float* p) { return _mm_loadu_ps(p); }
inline V vsplat(const float* p) { return _mm_load1_ps(p); }
inline void vstore(float* p, V v) { _mm_storeu_ps(p, v); }
inline V vmuladd(V acc, V a, V b) { return _mm_add_ps(acc, _mm_mul_ps(a, b)); }
inline V vadd(V a, V b) { return _mm_add_ps(a, b); }
#else
struct V {
    float v[4];
};
inline V vzero() { return V{{0, 0, 0, 0}}; }
inline V vload(const float* p) { return V{{p[0], p[1], p[2], p[3]}}; }
inline V vsplat(const float* p) { return V{{*p, *p, *p, *p}}; }
inline void vstore(float* p, V v) { std::copy(v.v, v.v + 4, p); }
inline V vmuladd(V acc, V a, V b) {
    for (int i = 0; i < 4; ++i) {
        float prod = a.v[i] * b.v[i];
        acc.v[i] += prod;
    }
    return acc;
}
inline V vadd(V a, V b) {
    for (int i = 0; i < 4; ++i) a.v[i] += b.v[i];
    return a;
}
#endif

// C[0:MR, 0:NR] (column stride ldc) = or += the product of a packed A panel (kc x MR, k-major) and a packed
// B panel (kc x NR, k-major). The constant-trip loops unroll fully; the MR/4 x NR accumulators stay in
// registers.
void micro_kernel(Index kc, const float* a, const float* b, float* c, Index ldc, bool add) {
    constexpr int MV = MR / 4;
    V acc[MV][NR];
    for (int i = 0; i < MV; ++i)
        for (int j = 0; j < NR; ++j) acc[i][j] = vzero();
    for (Index p = 0; p < kc; ++p) {
        V av[MV];
        for (int i = 0; i < MV; ++i) av[i] = vload(a + 4 * i);
        for (int j = 0; j < NR; ++j) {
            const V bj = vsplat(b + j);
            for (int i = 0; i < MV; ++i) acc[i][j] = vmuladd(acc[i][j], av[i], bj);
        }
        a += MR;
        b += NR;
    }
    for (int j = 0; j < NR; ++j) {
        float* cj = c + j * ldc;
        for (int i = 0; i < MV; ++i) vstore(cj + 4 * i, add ? vadd(vload(cj + 4 * i), acc[i][j]) : acc[i][j]);
    }
}

// Packs A[i0 : i0 + mc, p0 : p0 + kc] into ceil(mc / MR) panels of kc x MR (k-major), rows past mc zero.
void pack_a(const float* a, Index a_rs, Index a_cs, Index i0, Index mc, Index p0, Index kc, float* dst) {
    for (Index ir = 0; ir < mc; ir += MR) {
        const Index mr = std::min(MR, mc - ir);
        const float* src = a + (i0 + ir) * a_rs + p0 * a_cs;
        if (a_rs == 1 && mr == MR) {
            for (Index p = 0; p < kc; ++p)
                for (Index r = 0; r < MR; ++r) dst[p * MR + r] = src[p * a_cs + r];
        } else {
            for (Index r = 0; r < mr; ++r)
                for (Index p = 0; p < kc; ++p) dst[p * MR + r] = src[r * a_rs + p * a_cs];
            for (Index r = mr; r < MR; ++r)
                for (Index p = 0; p < kc; ++p) dst[p * MR + r] = 0.0f;
        }
        dst += kc * MR;
    }
}

// Packs B[p0 : p0 + kc, j0 : j0 + nc] into ceil(nc / NR) panels of kc x NR (k-major), columns past nc zero.
void pack_b(const float* b, Index b_rs, Index b_cs, Index p0, Index kc, Index j0, Index nc, float* dst) {
    for (Index jr = 0; jr < nc; jr += NR) {
        const Index nr = std::min(NR, nc - jr);
        const float* src = b + p0 * b_rs + (j0 + jr) * b_cs;
        if (b_cs == 1 && nr == NR) {
            for (Index p = 0; p < kc; ++p)
                for (Index j = 0; j < NR; ++j) dst[p * NR + j] = src[p * b_rs + j];
        } else {
            for (Index j = 0; j < nr; ++j)
                for (Index p = 0; p < kc; ++p) dst[p * NR + j] = src[p * b_rs + j * b_cs];
            for (Index j = nr; j < NR; ++j)
                for (Index p = 0; p < kc; ++p) dst[p * NR + j] = 0.0f;
        }
        dst += kc * NR;
    }
}

}  // namespace

void gemm_f32(Index m, Index n, Index k, const float* a, Index a_rs, Index a_cs, const float* b, Index b_rs,
              Index b_cs, float* c, Index ldc, bool accumulate) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        if (!accumulate)
            for (Index j = 0; j < n; ++j) std::fill(c + j * ldc, c + j * ldc + m, 0.0f);
        return;
    }
    alignas(16) float a_pack[MC * KC_MAX];
    alignas(16) float b_pack[NC * KC_MAX];
    alignas(16) float edge[MR * NR] = {};
    // Depth blocks of equal size: the summation order depends on k only.
    const Index k_blocks = (k + KC_MAX - 1) / KC_MAX;
    const Index kc_size = (k + k_blocks - 1) / k_blocks;
    for (Index jc = 0; jc < n; jc += NC) {
        const Index nc = std::min(NC, n - jc);
        for (Index pc = 0; pc < k; pc += kc_size) {
            const Index kc = std::min(kc_size, k - pc);
            const bool add = accumulate || pc > 0;
            pack_b(b, b_rs, b_cs, pc, kc, jc, nc, b_pack);
            for (Index ic = 0; ic < m; ic += MC) {
                const Index mc = std::min(MC, m - ic);
                pack_a(a, a_rs, a_cs, ic, mc, pc, kc, a_pack);
                for (Index jr = 0; jr < nc; jr += NR) {
                    const Index nr = std::min(NR, nc - jr);
                    const float* bp = b_pack + jr * kc;
                    for (Index ir = 0; ir < mc; ir += MR) {
                        const Index mr = std::min(MR, mc - ir);
                        const float* ap = a_pack + ir * kc;
                        float* ct = c + (ic + ir) + (jc + jr) * ldc;
                        if (mr == MR && nr == NR) {
                            micro_kernel(kc, ap, bp, ct, ldc, add);
                        } else {
                            // Edge tile: the same kernel into a scratch tile, then the valid part (same order).
                            for (Index j = 0; j < nr; ++j)
                                for (Index i = 0; i < mr; ++i) edge[i + j * MR] = add ? ct[i + j * ldc] : 0.0f;
                            micro_kernel(kc, ap, bp, edge, MR, add);
                            for (Index j = 0; j < nr; ++j)
                                for (Index i = 0; i < mr; ++i) ct[i + j * ldc] = edge[i + j * MR];
                        }
                    }
                }
            }
        }
    }
}

const char* gemm_kernel_name() {
#if AE_GEMM_WASM
    return "wasm_simd128";
#elif AE_GEMM_SSE2
    return "sse2";
#else
    return "scalar";
#endif
}

}  // namespace ae
