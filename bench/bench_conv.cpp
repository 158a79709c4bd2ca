// Google Benchmark cases for the convolutional kernels at the sizes of the reference convolutional VAE B3
// (../shared/peers/torch_peer.py ConvVAE, batch 128):
//   encoder  Conv2d 1->32 k4 s2 p1 on 28x28,  Conv2d 32->64 k4 s2 p1 on 14x14
//   decoder  ConvTranspose2d 64->32 k4 s2 p1 on 7x7,  ConvTranspose2d 32->1 k4 s2 p1 on 14x14
// each forward and backward (with dx, except the first layer as the model runs it), 1 and 2 threads, and
// a plain GEMM of the same size as the big products ([64, 512] x [512, 6272]) as the rate to compare with.
// GFLOP/s counts 2 * multiply-adds of the products (forward: 1 product, backward: 2, or 1 without dx);
// the lowering (im2col / col2im) is not counted, so it shows up as a lower rate.
//   ./build/release/bench/bench_conv --benchmark_counters_tabular=true
// On a shared machine, compare the fastest of several runs (a "min" statistic is added to every case):
//   ./build/release/bench/bench_conv --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// (the min row takes the minimum of every column: read its times; its GFLOP/s is the SLOWEST rate). Under
// load, single-thread CPU time is the steadiest measure; with 2 threads it counts the calling thread only.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "ae/conv2d.h"
#include "ae/conv_transpose2d.h"
#include "ae/rng.h"
#include "ae/thread_pool.h"

namespace {

constexpr int kBatch = 128;

void fill(ae::Rng& rng, float* p, Eigen::Index n, float scale) {
    for (Eigen::Index i = 0; i < n; ++i) p[i] = scale * (2 * rng.uniform() - 1);
}

void set_counters(benchmark::State& state, double flops_per_iter) {
    state.SetItemsProcessed(state.iterations() * kBatch);
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops_per_iter * state.iterations() * 1e-9, benchmark::Counter::kIsRate);
}

// Args: case (0: conv1, 1: conv2), threads
ae::Conv2dGeometry conv_case(int i) {
    return i == 0 ? ae::Conv2dGeometry{1, 28, 28, 32, 4, 2, 1} : ae::Conv2dGeometry{32, 14, 14, 64, 4, 2, 1};
}
ae::ConvTranspose2dGeometry deconv_case(int i) {
    return i == 0 ? ae::ConvTranspose2dGeometry{64, 7, 7, 32, 4, 2, 1, 0}
                  : ae::ConvTranspose2dGeometry{32, 14, 14, 1, 4, 2, 1, 0};
}

struct ConvFixture {
    ae::RowMatrix W, dW;
    ae::Vector b, db, scratch;
    ae::Matrix x, y, dy, dx;
    template <class G>
    ConvFixture(const G& g, Eigen::Index w_rows, Eigen::Index scratch_size)
        : W(w_rows, g.weight_size() / w_rows), dW(W.rows(), W.cols()), b(g.out_c), db(g.out_c),
          scratch(scratch_size), x(g.in_size(), kBatch), y(g.out_size(), kBatch), dy(g.out_size(), kBatch),
          dx(g.in_size(), kBatch) {
        ae::Rng rng(1);
        fill(rng, W.data(), W.size(), 0.05f);
        fill(rng, x.data(), x.size(), 1.0f);
        fill(rng, dy.data(), dy.size(), 1.0f);
        b.setZero();
        dW.setZero();
        db.setZero();
    }
};

void BM_Conv2dForward(benchmark::State& state) {
    const ae::Conv2dGeometry g = conv_case(state.range(0));
    ConvFixture f(g, g.out_c, ae::conv2d_scratch_size(g, kBatch));
    ae::ThreadPool pool(state.range(1));
    for (auto _ : state) {
        ae::conv2d_forward<float>(g, f.W, f.b, f.x, f.y, f.scratch, &pool);
        benchmark::DoNotOptimize(f.y.data());
    }
    set_counters(state, 2.0 * g.weight_size() * g.positions() * kBatch);
}

void BM_Conv2dBackward(benchmark::State& state) {
    const ae::Conv2dGeometry g = conv_case(state.range(0));
    const bool with_dx = g.in_c > 1;  // the first layer needs no input gradient
    ConvFixture f(g, g.out_c, ae::conv2d_scratch_size(g, kBatch));
    ae::ThreadPool pool(state.range(1));
    Eigen::Ref<ae::Matrix> dx(f.dx);
    for (auto _ : state) {
        state.PauseTiming();  // backward consumes the im2col matrix the forward left in the scratch
        ae::conv2d_forward<float>(g, f.W, f.b, f.x, f.y, f.scratch, &pool);
        state.ResumeTiming();
        ae::conv2d_backward<float>(g, f.W, f.x, f.dy, f.dW, f.db, with_dx ? &dx : nullptr, f.scratch, &pool);
        benchmark::DoNotOptimize(f.dW.data());
        benchmark::DoNotOptimize(f.dx.data());
    }
    set_counters(state, (with_dx ? 4.0 : 2.0) * g.weight_size() * g.positions() * kBatch);
}

void BM_ConvTranspose2dForward(benchmark::State& state) {
    const ae::ConvTranspose2dGeometry g = deconv_case(state.range(0));
    ConvFixture f(g, g.in_c, ae::conv_transpose2d_scratch_size(g, kBatch));
    ae::ThreadPool pool(state.range(1));
    for (auto _ : state) {
        ae::conv_transpose2d_forward<float>(g, f.W, f.b, f.x, f.y, f.scratch, &pool);
        benchmark::DoNotOptimize(f.y.data());
    }
    set_counters(state, 2.0 * g.weight_size() * g.positions() * kBatch);
}

void BM_ConvTranspose2dBackward(benchmark::State& state) {
    const ae::ConvTranspose2dGeometry g = deconv_case(state.range(0));
    ConvFixture f(g, g.in_c, ae::conv_transpose2d_scratch_size(g, kBatch));
    ae::ThreadPool pool(state.range(1));
    Eigen::Ref<ae::Matrix> dx(f.dx);
    for (auto _ : state) {
        ae::conv_transpose2d_backward<float>(g, f.W, f.x, f.dy, f.dW, f.db, &dx, f.scratch, &pool);
        benchmark::DoNotOptimize(f.dW.data());
        benchmark::DoNotOptimize(f.dx.data());
    }
    set_counters(state, 4.0 * g.weight_size() * g.positions() * kBatch);
}

// The rate to compare with: C [64, 6272] = A [64, 512] B [512, 6272], split over columns like the kernels.
void BM_Gemm(benchmark::State& state) {
    const Eigen::Index M = 64, K = 512, N = 49 * kBatch;
    ae::Rng rng(2);
    ae::RowMatrix A(M, K);
    ae::Matrix B(K, N), C(M, N);
    fill(rng, A.data(), A.size(), 0.05f);
    fill(rng, B.data(), B.size(), 1.0f);
    ae::ThreadPool pool(state.range(0));
    const int parts = state.range(0);
    auto task = [&](int i) {
        const Eigen::Index c0 = N * i / parts / 16 * 16, c1 = i + 1 == parts ? N : N * (i + 1) / parts / 16 * 16;
        C.middleCols(c0, c1 - c0).noalias() = A * B.middleCols(c0, c1 - c0);
    };
    for (auto _ : state) {
        pool.run(parts, task);
        benchmark::DoNotOptimize(C.data());
    }
    set_counters(state, 2.0 * M * K * N);
}

double fastest(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

void layer_args(benchmark::internal::Benchmark* b) {
    b->ComputeStatistics("min", fastest);
    b->ArgNames({"layer", "threads"});
    for (int threads : {1, 2})
        for (int layer : {0, 1}) b->Args({layer, threads});
    b->UseRealTime();
}

}  // namespace

BENCHMARK(BM_Conv2dForward)->Apply(layer_args);
BENCHMARK(BM_Conv2dBackward)->Apply(layer_args);
BENCHMARK(BM_ConvTranspose2dForward)->Apply(layer_args);
BENCHMARK(BM_ConvTranspose2dBackward)->Apply(layer_args);
BENCHMARK(BM_Gemm)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->ComputeStatistics("min", fastest);
BENCHMARK_MAIN();
