// End to end on the real Fashion-MNIST: a fixed subset, a fixed seed, three epochs, and the test loss must
// reach the level measured when this test was written.
//
// Setup: first 10,000 training images (dataset_head), the full 10,000-image test set; model 784 -> {256, 64}
// -> 8 -> {64, 256} -> 784, relu, identity code, sigmoid output, bce, init torch; adam lr 1e-3, batch 128,
// 3 epochs, seed 1, 2 threads.
//
// Measured (Release, -O3 -march=native, x86-64 with AVX-512, GCC 12, Eigen 3.4):
//   untrained test BCE per pixel    0.6939   (test MSE 0.1700)
//   after epoch 1 / 2 / 3           0.3768 / 0.3465 / 0.3277   (test MSE after 3 epochs 0.0288)
//   bit-identical across runs; ~1.5 s in all (load 0.45 s, ~40k samples/s on 2 cores; 2-4 s when the
//   machine is busy). A change of summation order alone moved the final value by 2e-4.
// Thresholds: final < kMaxFinalBce = 0.336 (2.5% above the measured 0.3277, room for another CPU's SIMD
// paths and summation order) and final < 0.75 * untrained (at least 25% below the untrained loss).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include "ae/dataset.h"
#include "ae/session.h"

namespace {

constexpr double kMaxFinalBce = 0.336;

TEST(EndToEnd, FashionMnistThreeEpochs) {
    const auto t0 = std::chrono::steady_clock::now();
    ae::DatasetPair data = ae::load_dataset("fashion-mnist");
    ASSERT_EQ(data.train.count, 60000);
    ASSERT_EQ(data.test.count, 10000);
    auto train = std::make_shared<const ae::Dataset>(ae::dataset_head(data.train, 10000));
    auto test = std::make_shared<const ae::Dataset>(std::move(data.test));

    ae::Config config;
    config.model.encoder = {256, 64};
    config.model.latent = 8;
    config.model.activation = ae::Activation::relu;
    config.model.latent_activation = ae::Activation::identity;
    config.model.init = ae::Init::torch;  // pinned: the measured numbers depend on it, not on the default
    config.model.output = ae::Activation::sigmoid;
    config.model.loss = ae::Loss::bce;
    config.train.optimizer.type = ae::OptimizerType::adam;
    config.train.optimizer.lr = 1e-3f;
    config.train.batch = 128;
    config.train.epochs = 3;
    config.train.seed = 1;
    config.train.threads = 2;
    ae::TrainingSession session(config, train, test);

    double untrained = 0.0, untrained_mse = 0.0;
    session.evaluate_test(untrained, untrained_mse);
    const auto t1 = std::chrono::steady_clock::now();
    while (session.epoch() < config.train.epochs) ASSERT_GT(session.step(50), 0) << session.message();
    const auto t2 = std::chrono::steady_clock::now();

    ASSERT_EQ(session.epoch_stats().size(), 3u);
    const ae::EpochStats& last = session.epoch_stats().back();
    std::printf("untrained test bce %.6f mse %.6f\n", untrained, untrained_mse);
    for (const ae::EpochStats& e : session.epoch_stats())
        std::printf("epoch %d: train bce %.6f  test bce %.6f  test mse %.6f  %.0f samples/s\n", e.epoch,
                    e.train_loss, e.test_loss, e.test_mse, e.samples_per_sec);
    std::printf("load %.2f s, train+eval %.2f s\n", std::chrono::duration<double>(t1 - t0).count(),
                std::chrono::duration<double>(t2 - t1).count());

    EXPECT_FALSE(session.diverged());
    EXPECT_LT(last.test_loss, kMaxFinalBce);
    EXPECT_LT(last.test_loss, 0.75 * untrained);
    // Each epoch improves on the one before.
    for (size_t i = 1; i < session.epoch_stats().size(); ++i)
        EXPECT_LT(session.epoch_stats()[i].test_loss, session.epoch_stats()[i - 1].test_loss);
}

}  // namespace
