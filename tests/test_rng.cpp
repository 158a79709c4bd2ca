// ae::Rng: PCG32 reference outputs, the polar-method normal sampler, portable_log, below(), shuffle().
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "ae/rng.h"

namespace {

// Published outputs of pcg32-demo (pcg-c-basic) with its deterministic seeding pcg32_srandom(42, 54):
//   Round 1:
//     32bit: 0xa15c02b7 0x7b47f409 0xba1d3330 0x83d2f293 0xbfa4784b 0xcbed606e
TEST(Rng, MatchesPcg32ReferenceOutputs) {
    ae::Rng rng(42u, 54u);
    const uint32_t expected[] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u, 0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};
    for (uint32_t e : expected) EXPECT_EQ(rng.next_u32(), e);
}

TEST(Rng, SameSeedSameSequence) {
    ae::Rng a(1234, 7), b(1234, 7);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next_u32(), b.next_u32()) << "at " << i;
    ae::Rng c(99, 3), d(99, 3);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(c.normal(), d.normal()) << "at " << i;  // bit-identical
}

TEST(Rng, DifferentStreamsAndSeedsDiffer) {
    ae::Rng s1(1234, 1), s2(1234, 2), seed2(1235, 1);
    int same_stream = 0, same_seed = 0;
    for (int i = 0; i < 1000; ++i) {
        uint32_t a = s1.next_u32(), b = s2.next_u32(), c = seed2.next_u32();
        same_stream += a == b;
        same_seed += a == c;
    }
    // Independent 32-bit outputs collide with probability 2^-32 per draw.
    EXPECT_LE(same_stream, 1);
    EXPECT_LE(same_seed, 1);
}

TEST(Rng, UniformRanges) {
    ae::Rng rng(5, 5);
    double sum = 0.0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        float f = rng.uniform();
        double d = rng.uniform_double();
        ASSERT_GE(f, 0.0f);
        ASSERT_LT(f, 1.0f);
        ASSERT_GE(d, 0.0);
        ASSERT_LT(d, 1.0);
        sum += d;
    }
    EXPECT_NEAR(sum / n, 0.5, 0.005);  // sd of the mean: 0.29 / sqrt(2e5) = 6.5e-4
}

TEST(Rng, BelowStaysInRangeAndCoversIt) {
    ae::Rng rng(11, 22);
    for (uint32_t bound : {1u, 2u, 3u, 7u, 10u, 1000u, 0x80000001u, 0xffffffffu}) {
        for (int i = 0; i < 20000; ++i) ASSERT_LT(rng.below(bound), bound) << "bound " << bound;
    }
    // Every value of a small bound appears, with roughly equal frequency (chi-square, 9 dof).
    const int bound = 10, n = 100000;
    std::vector<int> hist(bound, 0);
    for (int i = 0; i < n; ++i) ++hist[rng.below(bound)];
    double chi2 = 0.0;
    for (int h : hist) chi2 += (h - n / bound) * double(h - n / bound) / (n / bound);
    EXPECT_LT(chi2, 27.9);  // p = 0.001 critical value for 9 degrees of freedom
}

TEST(Rng, ShuffleIsAPermutation) {
    ae::Rng rng(3, 4);
    for (size_t n : {size_t(0), size_t(1), size_t(2), size_t(17), size_t(1000)}) {
        std::vector<uint32_t> v(n);
        std::iota(v.begin(), v.end(), 0u);
        rng.shuffle(v.data(), v.size());
        std::vector<uint32_t> sorted = v;
        std::sort(sorted.begin(), sorted.end());
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(sorted[i], i);
        if (n == 1000) {
            size_t fixed = 0;
            for (size_t i = 0; i < n; ++i) fixed += v[i] == i;
            EXPECT_LT(fixed, 10u);  // a random permutation has ~1 fixed point
        }
    }
    // Same seed, same permutation.
    std::vector<uint32_t> a(500), b(500);
    std::iota(a.begin(), a.end(), 0u);
    std::iota(b.begin(), b.end(), 0u);
    ae::Rng r1(8, 9), r2(8, 9);
    r1.shuffle(a.data(), a.size());
    r2.shuffle(b.data(), b.size());
    EXPECT_EQ(a, b);
}

TEST(Rng, NormalMomentsOverAMillionSamples) {
    ae::Rng rng(2024, 1);
    const int n = 1000000;
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    for (int i = 0; i < n; ++i) {
        double x = rng.normal();
        ASSERT_TRUE(std::isfinite(x));
        s1 += x;
    }
    const double mean = s1 / n;
    ae::Rng again(2024, 1);
    for (int i = 0; i < n; ++i) {
        double d = again.normal() - mean;
        s2 += d * d;
        s3 += d * d * d;
        s4 += d * d * d * d;
    }
    const double var = s2 / n, skew = (s3 / n) / std::pow(var, 1.5), kurt = (s4 / n) / (var * var);
    // Standard errors at n = 1e6: mean 0.001, variance 0.0014, skewness 0.0024, kurtosis 0.005.
    EXPECT_NEAR(mean, 0.0, 0.01);
    EXPECT_NEAR(var, 1.0, 0.02);
    EXPECT_NEAR(skew, 0.0, 0.03);
    EXPECT_NEAR(kurt, 3.0, 0.05);
}

TEST(PortableLog, SpecialValues) {
    EXPECT_EQ(ae::portable_log(1.0), 0.0);
    EXPECT_EQ(ae::portable_log(0.0), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(ae::portable_log(std::numeric_limits<double>::infinity()), std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isnan(ae::portable_log(-1.0)));
    EXPECT_TRUE(std::isnan(ae::portable_log(std::numeric_limits<double>::quiet_NaN())));
}

// Relative error |portable_log(x) - log(x)| / |log(x)| < 1e-15 over the whole double range: every binade
// from the smallest denormal 2^-1074 to 2^1023, random mantissas, the range ends and values near 1.
TEST(PortableLog, MatchesStdLogOverTheWholeRange) {
    auto rel = [](double x) {
        const double ref = std::log(x), got = ae::portable_log(x);
        return std::fabs(got - ref) / std::fabs(ref);
    };
    double worst = 0.0, worst_x = 0.0;
    auto check = [&](double x) {
        if (x == 1.0) return;
        double r = rel(x);
        if (r > worst) { worst = r; worst_x = x; }
    };
    ae::Rng rng(77, 1);
    for (int e = -1074; e <= 1023; ++e) {
        for (int k = 0; k < 20; ++k) check(std::ldexp(1.0 + rng.uniform_double(), e));
        check(std::ldexp(1.0, e));
    }
    check(std::numeric_limits<double>::denorm_min());
    check(std::numeric_limits<double>::min());
    check(std::numeric_limits<double>::max());
    check(std::nextafter(1.0, 2.0));
    check(std::nextafter(1.0, 0.0));
    for (int k = 0; k < 10000; ++k) check(0.5 + rng.uniform_double() * 1.5);  // around 1 and sqrt(2)
    for (int k = 0; k < 10000; ++k) check(1e-300 * (1.0 + 1e4 * rng.uniform_double()));
    EXPECT_LT(worst, 1e-15) << "worst at x = " << worst_x;
}

}  // namespace
