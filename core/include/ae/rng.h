// Seeded random numbers that are bit-identical on every platform and standard library.
//
// Uniform integers: PCG32 (XSH-RR 64/32), M. E. O'Neill, "PCG: A Family of Simple Fast Space-Efficient
// Statistically Good Algorithms for Random Number Generation", HMC-CS-2014-0905, 2014.
// Normal samples: Marsaglia & Bray's polar method (1964) with our own natural logarithm built only from
// IEEE +, -, *, / (no libm), compiled with floating-point contraction off, so that x86-64 and WebAssembly
// give the same numbers for the same seed (std::normal_distribution differs between standard libraries).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ae {

class Rng {
public:
    // seed: any 64-bit value; stream: selects one of 2^63 independent sequences.
    explicit Rng(uint64_t seed = 1, uint64_t stream = 54);

    uint32_t next_u32();
    // Uniform integer in [0, bound); bound > 0. Unbiased (rejection, as in pcg32_boundedrand).
    uint32_t below(uint32_t bound);
    // Uniform float in [0, 1) with 24 random bits.
    float uniform();
    // Uniform double in [0, 1) with 53 random bits.
    double uniform_double();
    // Standard normal N(0, 1).
    double normal();
    // Fisher-Yates shuffle of idx[0..n).
    void shuffle(uint32_t* idx, size_t n);

private:
    uint64_t state_;
    uint64_t inc_;
    bool has_spare_ = false;
    double spare_ = 0.0;
};

// Natural logarithm for x > 0 computed with +, -, *, / only (deterministic across platforms);
// relative error below 1e-15 for normal doubles. Returns -inf for 0 and NaN for x < 0.
double portable_log(double x);

}  // namespace ae
