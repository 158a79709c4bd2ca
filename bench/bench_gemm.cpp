// Google Benchmark cases for ae::gemm_f32 (gemm.h) against Eigen's GEMM on the dense layer's three
// products at the reference sizes (B1 784-400-20 batch 128, B2 784-512-256-2 batch 256):
//   forward  y = W x       [out, batch] = [out, in] (row-major) [in, batch]
//   weights  dW^T += x dy^T [in, out]   = [in, batch] [batch, out]      (K = batch)
//   input    dx = W^T dy    [in, batch] = [in, out] [out, batch]
// One thread; items are samples (batch columns), FLOP counters 2 m n k. In the WebAssembly build the dense
// layer uses gemm_f32 (measured there by tests/wasm/throughput_b2.test.js and tests/e2e/bench.test.js);
// natively these cases show whether it would pay to use it (Eigen is kept natively).
//   ./build/release/bench/bench_gemm --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include "ae/eigen.h"
#include "ae/gemm.h"
#include "ae/rng.h"

namespace {

enum Product { kForward, kWeights, kInput };

struct Fixture {
    ae::RowMatrix W, dW;
    ae::Matrix x, dy, y, dx;
    Fixture(int in, int out, int batch) : W(out, in), dW(out, in), x(in, batch), dy(out, batch), y(out, batch), dx(in, batch) {
        ae::Rng rng(1);
        for (int i = 0; i < W.size(); ++i) W.data()[i] = static_cast<float>(rng.normal() * 0.05);
        for (int i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform();
        for (int i = 0; i < dy.size(); ++i) dy.data()[i] = static_cast<float>(rng.normal());
        dW.setZero();
    }
};

void run(benchmark::State& state, bool own) {
    const int in = state.range(0), out = state.range(1), batch = state.range(2);
    const auto product = static_cast<Product>(state.range(3));
    Fixture f(in, out, batch);
    for (auto _ : state) {
        switch (product) {
            case kForward:
                if (own) ae::gemm_f32(out, batch, in, f.W.data(), in, 1, f.x.data(), 1, in, f.y.data(), out, false);
                else f.y.noalias() = f.W * f.x;
                benchmark::DoNotOptimize(f.y.data());
                break;
            case kWeights:
                if (own) ae::gemm_f32(in, out, batch, f.x.data(), 1, in, f.dy.data(), out, 1, f.dW.data(), in, true);
                else f.dW.noalias() += f.dy * f.x.transpose();
                benchmark::DoNotOptimize(f.dW.data());
                break;
            case kInput:
                if (own) ae::gemm_f32(in, batch, out, f.W.data(), 1, in, f.dy.data(), 1, out, f.dx.data(), in, false);
                else f.dx.noalias() = f.W.transpose() * f.dy;
                benchmark::DoNotOptimize(f.dx.data());
                break;
        }
    }
    state.SetItemsProcessed(state.iterations() * batch);
    state.counters["GFLOP/s"] =
        benchmark::Counter(2.0 * in * out * batch * state.iterations() * 1e-9, benchmark::Counter::kIsRate);
}

void BM_GemmF32(benchmark::State& state) { run(state, true); }
void BM_EigenGemm(benchmark::State& state) { run(state, false); }

void reference_sizes(benchmark::internal::Benchmark* b) {
    b->ArgNames({"in", "out", "batch", "product"});  // product: 0 forward, 1 weights, 2 input
    for (int product : {kForward, kWeights, kInput}) {
        b->Args({784, 400, 128, product});  // B1 encoder
        b->Args({400, 20, 128, product});   // B1 latent head (mu or log-variance)
        b->Args({400, 784, 128, product});  // B1 decoder output
        b->Args({784, 512, 256, product});  // B2 encoder
        b->Args({512, 256, 256, product});
        b->Args({255, 97, 61, product});    // not multiples of the 8 x 4 tile
    }
}

}  // namespace

BENCHMARK(BM_GemmF32)->Apply(reference_sizes);
BENCHMARK(BM_EigenGemm)->Apply(reference_sizes);
BENCHMARK_MAIN();
