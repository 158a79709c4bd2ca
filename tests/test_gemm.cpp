// gemm_f32 (gemm.h) against a naive triple loop in double, at shapes that are and are not multiples of the
// 8 x 4 micro-tile and of the 256-deep blocks, for every stride layout the dense layer uses; and the
// property the thread split relies on: computing C's columns in pieces gives the same bits.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ae/gemm.h"
#include "ae/rng.h"

namespace {

struct Problem {
    std::ptrdiff_t m, n, k;
    bool a_row_major, b_row_major;
    std::vector<float> a, b, c0;
    Problem(std::ptrdiff_t m_, std::ptrdiff_t n_, std::ptrdiff_t k_, bool ar, bool br, uint64_t seed)
        : m(m_), n(n_), k(k_), a_row_major(ar), b_row_major(br), a(m * k), b(k * n), c0(m * n) {
        ae::Rng rng(seed);
        for (float& v : a) v = static_cast<float>(rng.normal());
        for (float& v : b) v = static_cast<float>(rng.normal());
        for (float& v : c0) v = static_cast<float>(rng.normal());
    }
    std::ptrdiff_t a_rs() const { return a_row_major ? k : 1; }
    std::ptrdiff_t a_cs() const { return a_row_major ? 1 : m; }
    std::ptrdiff_t b_rs() const { return b_row_major ? n : 1; }
    std::ptrdiff_t b_cs() const { return b_row_major ? 1 : k; }
    double A(std::ptrdiff_t i, std::ptrdiff_t p) const { return a[i * a_rs() + p * a_cs()]; }
    double B(std::ptrdiff_t p, std::ptrdiff_t j) const { return b[p * b_rs() + j * b_cs()]; }
};

// Checks gemm_f32 against the double reference: |C - C_ref| <= 1e-5 * (sum_p |A B| + |C0|) per element,
// i.e. a few float roundings per term (float epsilon 6e-8 times k <= 1000 stays well inside).
void check(const Problem& p, bool accumulate) {
    SCOPED_TRACE(testing::Message() << "m=" << p.m << " n=" << p.n << " k=" << p.k << " A row-major "
                                    << p.a_row_major << " B row-major " << p.b_row_major << " acc " << accumulate);
    std::vector<float> c = p.c0;
    ae::gemm_f32(p.m, p.n, p.k, p.a.data(), p.a_rs(), p.a_cs(), p.b.data(), p.b_rs(), p.b_cs(), c.data(), p.m,
                 accumulate);
    for (std::ptrdiff_t j = 0; j < p.n; ++j)
        for (std::ptrdiff_t i = 0; i < p.m; ++i) {
            double ref = accumulate ? p.c0[i + j * p.m] : 0.0, scale = accumulate ? std::abs(ref) : 0.0;
            for (std::ptrdiff_t q = 0; q < p.k; ++q) {
                ref += p.A(i, q) * p.B(q, j);
                scale += std::abs(p.A(i, q) * p.B(q, j));
            }
            ASSERT_NEAR(c[i + j * p.m], ref, 1e-5 * scale + 1e-30) << "at (" << i << ", " << j << ")";
        }
}

TEST(Gemm, MatchesDoubleReferenceOnOddShapes) {
    // Edges in every direction: m, n not multiples of 8 / 6 nor of the 96 / 128 packing blocks; k past 256
    // (two and more depth blocks of unequal natural split) and tiny.
    const std::ptrdiff_t shapes[][3] = {{1, 1, 1},    {7, 5, 3},     {8, 6, 256},  {9, 7, 257}, {20, 128, 400},
                                        {97, 73, 33}, {9, 131, 20}, {100, 13, 600}, {13, 150, 784}, {40, 20, 128}};
    uint64_t seed = 1;
    for (const auto& s : shapes)
        for (bool ar : {false, true})
            for (bool br : {false, true})
                for (bool acc : {false, true}) check(Problem(s[0], s[1], s[2], ar, br, seed++), acc);
}

TEST(Gemm, ZeroDepthClearsOrKeepsC) {
    Problem p(5, 4, 0, false, false, 3);
    std::vector<float> c = p.c0;
    ae::gemm_f32(5, 4, 0, nullptr, 1, 5, nullptr, 1, 0, c.data(), 5, true);
    EXPECT_EQ(c, p.c0);
    ae::gemm_f32(5, 4, 0, nullptr, 1, 5, nullptr, 1, 0, c.data(), 5, false);
    for (float v : c) EXPECT_EQ(v, 0.0f);
}

TEST(Gemm, ColumnSplitIsBitIdentical) {
    // The dense layer splits C's columns over threads at arbitrary (multiple-of-16) points; any split,
    // even one not aligned to the 4-column tile, must give the same bits as the whole product.
    Problem p(45, 128, 784, true, false, 11);
    std::vector<float> whole(p.m * p.n), pieces(p.m * p.n);
    ae::gemm_f32(p.m, p.n, p.k, p.a.data(), p.a_rs(), p.a_cs(), p.b.data(), p.b_rs(), p.b_cs(), whole.data(), p.m,
                 false);
    for (std::ptrdiff_t j0 : {0, 16, 61, 64, 127}) {
        std::ptrdiff_t j1 = j0 == 0 ? 16 : j0 == 16 ? 61 : j0 == 61 ? 64 : j0 == 64 ? 127 : 128;
        ae::gemm_f32(p.m, j1 - j0, p.k, p.a.data(), p.a_rs(), p.a_cs(), p.b.data() + j0 * p.b_cs(), p.b_rs(),
                     p.b_cs(), pieces.data() + j0 * p.m, p.m, false);
    }
    EXPECT_EQ(whole, pieces);
}

TEST(Gemm, KernelName) {
    const std::string name = ae::gemm_kernel_name();
    EXPECT_TRUE(name == "sse2" || name == "wasm_simd128" || name == "scalar") << name;
}

}  // namespace
