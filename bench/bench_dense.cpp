// Google Benchmark cases for the Dense layer at the reference sizes of ../shared/peers/torch_peer.py:
// B1 (784-400-20, batch 128) and B2 (784-512-256-2, batch 256). Items are samples; FLOP counters use
// 2 * in * out * batch per product.
//   ./build/release/bench/bench_dense --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include "ae/dense.h"
#include "ae/rng.h"

namespace {

struct Fixture {
    ae::RowMatrix W, dW;
    ae::Vector b, db;
    ae::Matrix x, y, dy, dx;
    Fixture(int in, int out, int batch)
        : W(out, in), dW(out, in), b(out), db(out), x(in, batch), y(out, batch), dy(out, batch), dx(in, batch) {
        ae::Rng rng(1);
        for (int i = 0; i < W.size(); ++i) W.data()[i] = static_cast<float>(rng.normal() * 0.05);
        for (int i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform();
        for (int i = 0; i < dy.size(); ++i) dy.data()[i] = static_cast<float>(rng.normal());
        b.setZero();
        dW.setZero();
        db.setZero();
    }
};

void set_counters(benchmark::State& state, double flops_per_iter, int batch) {
    state.SetItemsProcessed(state.iterations() * batch);
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops_per_iter * state.iterations() * 1e-9, benchmark::Counter::kIsRate);
}

// Args: in, out, batch, threads
void BM_DenseForward(benchmark::State& state) {
    const int in = state.range(0), out = state.range(1), batch = state.range(2), threads = state.range(3);
    Fixture f(in, out, batch);
    ae::ThreadPool pool(threads);
    for (auto _ : state) {
        ae::dense_forward<float>(f.W, f.b, f.x, f.y, &pool);
        benchmark::DoNotOptimize(f.y.data());
    }
    set_counters(state, 2.0 * in * out * batch, batch);
}

void BM_DenseBackward(benchmark::State& state) {
    const int in = state.range(0), out = state.range(1), batch = state.range(2), threads = state.range(3);
    Fixture f(in, out, batch);
    ae::ThreadPool pool(threads);
    Eigen::Ref<ae::Matrix> dx(f.dx);
    for (auto _ : state) {
        ae::dense_backward<float>(f.W, f.x, f.dy, f.dW, f.db, &dx, &pool);
        benchmark::DoNotOptimize(f.dW.data());
        benchmark::DoNotOptimize(f.dx.data());
    }
    set_counters(state, 4.0 * in * out * batch, batch);
}

void reference_sizes(benchmark::internal::Benchmark* b) {
    b->ArgNames({"in", "out", "batch", "threads"});
    for (int threads : {1, 2}) {
        b->Args({784, 400, 128, threads});  // B1 encoder
        b->Args({400, 784, 128, threads});  // B1 decoder output
        b->Args({784, 512, 256, threads});  // B2 encoder
        b->Args({512, 256, 256, threads});
        b->Args({256, 512, 256, threads});
        b->Args({512, 784, 256, threads});  // B2 decoder output
    }
    b->UseRealTime();
}

}  // namespace

BENCHMARK(BM_DenseForward)->Apply(reference_sizes);
BENCHMARK(BM_DenseBackward)->Apply(reference_sizes);
BENCHMARK_MAIN();
