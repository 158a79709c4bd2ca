// Compiled with -ffp-contract=off (see core/CMakeLists.txt) so no fused multiply-add changes results.
#include "ae/rng.h"

#include <cmath>
#include <limits>

namespace ae {

Rng::Rng(uint64_t seed, uint64_t stream) : state_(0), inc_((stream << 1u) | 1u) {
    // pcg32_srandom_r
    next_u32();
    state_ += seed;
    next_u32();
}

uint32_t Rng::next_u32() {
    uint64_t old = state_;
    state_ = old * 6364136223846793005ULL + inc_;
    uint32_t xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = static_cast<uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

uint32_t Rng::below(uint32_t bound) {
    uint32_t threshold = (0u - bound) % bound;
    for (;;) {
        uint32_t r = next_u32();
        if (r >= threshold) return r % bound;
    }
}

float Rng::uniform() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }

double Rng::uniform_double() {
    uint64_t hi = next_u32() >> 5;  // 27 bits
    uint64_t lo = next_u32() >> 6;  // 26 bits
    return static_cast<double>((hi << 26) | lo) * (1.0 / 9007199254740992.0);
}

double Rng::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    double u, v, s;
    do {
        u = 2.0 * uniform_double() - 1.0;
        v = 2.0 * uniform_double() - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = std::sqrt(-2.0 * portable_log(s) / s);  // sqrt is correctly rounded by IEEE 754
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
}

void Rng::shuffle(uint32_t* idx, size_t n) {
    for (size_t i = n; i > 1; --i) {
        size_t j = below(static_cast<uint32_t>(i));
        uint32_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

double portable_log(double x) {
    if (x != x || x < 0.0) return std::numeric_limits<double>::quiet_NaN();
    if (x == 0.0) return -std::numeric_limits<double>::infinity();
    if (x == std::numeric_limits<double>::infinity()) return x;
    // Scale x into [sqrt(1/2), sqrt(2)) by exact powers of two: x = m * 2^e.
    int e = 0;
    double m = x;
    while (m < 1e-300) { m *= 1.8446744073709552e19; e -= 64; }  // 2^64, exact
    while (m >= 0x1p64) { m *= 0x1p-64; e += 64; }
    while (m >= 1.4142135623730951) { m *= 0.5; ++e; }
    while (m < 0.7071067811865476) { m *= 2.0; --e; }
    // log(m) = 2 atanh(t), t = (m - 1) / (m + 1), |t| < 0.1716; series t + t^3/3 + t^5/5 + ...
    double t = (m - 1.0) / (m + 1.0);
    double t2 = t * t;
    double term = t, sum = 0.0;
    for (int k = 1; k <= 41; k += 2) {  // t^43 < 1e-32: below double precision
        sum += term / k;
        term *= t2;
    }
    const double ln2_hi = 6.93147180369123816490e-01;  // high bits of ln 2, exact times small ints
    const double ln2_lo = 1.90821492927058770002e-10;
    return (e * ln2_hi + 2.0 * sum) + e * ln2_lo;
}

}  // namespace ae
