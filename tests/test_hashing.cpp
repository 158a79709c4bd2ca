// Semantic hashing (R. Salakhutdinov & G. Hinton 2009; config.h type "hashing", retrieval.h): the Hamming
// functions on known bits, the code noise only in a training forward, the gradient with the noise, and a short
// run on real Fashion-MNIST whose codes become binary and whose Hamming balls retrieve the query's class.
#include "ae/dense.h"  // first: em++ mangles Eigen Ref templates by include order (TOOLCHAIN.md)

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "ae/autoencoder.h"
#include "ae/config.h"
#include "ae/dataset.h"
#include "ae/error.h"
#include "ae/model_file.h"
#include "ae/retrieval.h"
#include "ae/rng.h"
#include "ae/session.h"
#include "model_gradcheck.h"

namespace {

// Codes [k, n] from rows of 0/1 digits, one string per item ("1010" = bits 0 and 2 set).
ae::Matrix codes_of(std::initializer_list<const char*> items) {
    const int k = static_cast<int>(std::strlen(*items.begin()));
    ae::Matrix m(k, static_cast<int>(items.size()));
    int i = 0;
    for (const char* s : items) {
        for (int j = 0; j < k; ++j) m(j, i) = s[j] == '1' ? 0.9f : 0.1f;
        ++i;
    }
    return m;
}

TEST(Hashing, BitsAndHammingDistancesOfKnownCodes) {
    const ae::BinaryCodes b = ae::binarize_codes(codes_of({"0000", "1000", "1100", "1111", "0111"}));
    EXPECT_EQ(b.bits, 4);
    EXPECT_EQ(b.count, 5);
    EXPECT_EQ(b.words, 1);
    EXPECT_TRUE(b.bit(1, 0));
    EXPECT_FALSE(b.bit(1, 1));
    EXPECT_EQ(ae::hamming_distance(b, 0, 0), 0);
    EXPECT_EQ(ae::hamming_distance(b, 0, 1), 1);
    EXPECT_EQ(ae::hamming_distance(b, 0, 3), 4);
    EXPECT_EQ(ae::hamming_distance(b, 1, 4), 4);
    EXPECT_EQ(ae::hamming_distance(b, 2, 4), 3);  // 1100 vs 0111
    EXPECT_EQ(ae::hamming_distance(b, 4, 2), 3);
    // The threshold is strict: 0.5 itself is bit 0.
    ae::Matrix half(1, 2);
    half << 0.5f, 0.5001f;
    const ae::BinaryCodes h = ae::binarize_codes(half);
    EXPECT_FALSE(h.bit(0, 0));
    EXPECT_TRUE(h.bit(1, 0));
    EXPECT_THROW(ae::hamming_distance(b, 0, 5), ae::Error);
}

TEST(Hashing, CodesLongerThanOneWord) {
    ae::Matrix c = ae::Matrix::Zero(130, 3);
    c(0, 1) = c(64, 1) = c(129, 1) = 1.0f;  // bits in three words
    c(129, 2) = 1.0f;
    const ae::BinaryCodes b = ae::binarize_codes(c);
    EXPECT_EQ(b.words, 3);
    EXPECT_EQ(ae::hamming_distance(b, 0, 1), 3);
    EXPECT_EQ(ae::hamming_distance(b, 1, 2), 2);
    EXPECT_TRUE(b.bit(1, 64));
    EXPECT_FALSE(b.bit(2, 64));
}

TEST(Hashing, HammingBallPrecisionRecallByHand) {
    // Items 0-2 class 0, 3-4 class 1. Codes: 0 "000", 1 "001", 2 "111", 3 "110", 4 "011".
    const ae::BinaryCodes b = ae::binarize_codes(codes_of({"000", "001", "111", "110", "011"}));
    const std::vector<uint8_t> labels = {0, 0, 0, 1, 1};
    // Radius 0: every ball is empty (all codes differ): no precision, recall 0, 5 empty queries.
    ae::HammingRetrieval r0 = ae::hamming_retrieval(b, labels, 0);
    EXPECT_EQ(r0.queries, 5);
    EXPECT_EQ(r0.empty_queries, 5);
    EXPECT_EQ(r0.precision, 0.0);
    EXPECT_EQ(r0.recall, 0.0);
    EXPECT_EQ(r0.mean_ball_size, 0.0);
    // Radius 1: balls 0:{1} 1:{0,4} 2:{3,4} 3:{2} 4:{1,2}.
    //   precision 0: 1, 1: 1/2, 2: 0/2, 3: 0/1, 4: 0/2 -> mean 0.3
    //   recall (relevant 2, 2, 2, 1, 1): 1/2, 1/2, 0, 0, 0 -> mean 0.2
    ae::HammingRetrieval r1 = ae::hamming_retrieval(b, labels, 1);
    EXPECT_EQ(r1.empty_queries, 0);
    EXPECT_DOUBLE_EQ(r1.precision, 0.3);
    EXPECT_DOUBLE_EQ(r1.recall, 0.2);
    EXPECT_DOUBLE_EQ(r1.mean_ball_size, 8.0 / 5.0);
    // Radius 3 = all bits: every other item is in the ball; recall 1, precision = class share.
    ae::HammingRetrieval r3 = ae::hamming_retrieval(b, labels, 3);
    EXPECT_DOUBLE_EQ(r3.recall, 1.0);
    EXPECT_DOUBLE_EQ(r3.precision, (3 * 2.0 / 4 + 2 * 1.0 / 4) / 5);
    // max_queries limits the queries, not the items; the queries are spread over the set (items 0 and 2 of 5).
    EXPECT_EQ(ae::hamming_retrieval(b, labels, 1, 2).queries, 2);
    EXPECT_DOUBLE_EQ(ae::hamming_retrieval(b, labels, 1, 2).precision, (1.0 + 0.0) / 2);
    EXPECT_DOUBLE_EQ(ae::hamming_retrieval(b, labels, 1, 2).recall, (0.5 + 0.0) / 2);
    EXPECT_THROW(ae::hamming_retrieval(b, labels, 4), ae::Error);
    EXPECT_THROW(ae::hamming_retrieval(b, labels, -1), ae::Error);
    EXPECT_THROW(ae::hamming_retrieval(b, {0, 1}, 1), ae::Error);
    EXPECT_THROW(ae::hamming_retrieval(b, labels, 1, 0), ae::Error);
}

// One query's ball (the hosts' view) on the codes above: nearest first, ties by index, P and R as defined.
TEST(Hashing, SingleQueryBallByHand) {
    // Items 0-2 class 0, 3-4 class 1. Codes: 0 "000", 1 "001", 2 "111", 3 "110", 4 "011".
    const ae::BinaryCodes b = ae::binarize_codes(codes_of({"000", "001", "111", "110", "011"}));
    const std::vector<uint8_t> labels = {0, 0, 0, 1, 1};
    auto code = [](std::initializer_list<float> v) { return ae::Vector(Eigen::Map<const ae::Vector>(v.begin(), static_cast<Eigen::Index>(v.size()))); };
    // Query "011" (item 4's code, left out): distances 0:2 1:1 2:1 3:2. Radius 1 -> items 1, 2 (ties by index).
    ae::HammingBall r = ae::hamming_ball(b, labels, code({0.2f, 0.7f, 0.9f}), 1, 4, 1);
    EXPECT_EQ(r.query_bits, (std::vector<uint8_t>{0, 1, 1}));
    EXPECT_EQ(r.indices, (std::vector<int>{1, 2}));
    EXPECT_EQ(r.distances, (std::vector<int>{1, 1}));
    EXPECT_EQ(r.same, 0);
    EXPECT_EQ(r.relevant, 1);  // item 3 (item 4 itself is left out)
    EXPECT_DOUBLE_EQ(r.precision, 0.0);
    EXPECT_DOUBLE_EQ(r.recall, 0.0);
    // Radius 2: 1, 2 at distance 1, then 0, 3 at distance 2; item 3 is the one of class 1.
    r = ae::hamming_ball(b, labels, code({0.2f, 0.7f, 0.9f}), 2, 4, 1);
    EXPECT_EQ(r.indices, (std::vector<int>{1, 2, 0, 3}));
    EXPECT_EQ(r.distances, (std::vector<int>{1, 1, 2, 2}));
    EXPECT_DOUBLE_EQ(r.precision, 0.25);
    EXPECT_DOUBLE_EQ(r.recall, 1.0);
    // Without exclude the query's own item is at distance 0 and counts.
    r = ae::hamming_ball(b, labels, code({0.2f, 0.7f, 0.9f}), 0, -1, 1);
    EXPECT_EQ(r.indices, (std::vector<int>{4}));
    EXPECT_EQ(r.relevant, 2);
    EXPECT_DOUBLE_EQ(r.precision, 1.0);
    EXPECT_DOUBLE_EQ(r.recall, 0.5);
    // An empty ball: precision undefined (-1), recall 0. An unknown class: both undefined, the ball still found.
    r = ae::hamming_ball(b, labels, code({0.2f, 0.7f, 0.9f}), 0, 4, 1);
    EXPECT_TRUE(r.indices.empty());
    EXPECT_EQ(r.precision, -1.0);
    EXPECT_EQ(r.recall, 0.0);
    r = ae::hamming_ball(b, labels, code({0.9f, 0.9f, 0.1f}), 0);
    EXPECT_EQ(r.indices, (std::vector<int>{3}));
    EXPECT_EQ(r.relevant, -1);
    EXPECT_EQ(r.precision, -1.0);
    EXPECT_EQ(r.recall, -1.0);
    // A class with no other item: recall undefined.
    r = ae::hamming_ball(b, {0, 0, 0, 1, 2}, code({0.2f, 0.7f, 0.9f}), 3, 4, 2);
    EXPECT_EQ(r.relevant, 0);
    EXPECT_EQ(r.recall, -1.0);
    EXPECT_DOUBLE_EQ(r.precision, 0.0);
    // The threshold applies to the query as to binarize_codes (strict).
    EXPECT_EQ(ae::hamming_ball(b, labels, code({0.5f, 0.6f, 0.4f}), 0, -1, -1, 0.55f).query_bits,
              (std::vector<uint8_t>{0, 1, 0}));
    // Each item as its own query (exclude = itself) averages to hamming_retrieval's numbers.
    const ae::Matrix codes = codes_of({"000", "001", "111", "110", "011"});
    double p_sum = 0, r_sum = 0;
    for (int q = 0; q < 5; ++q) {
        const ae::HammingBall one = ae::hamming_ball(b, labels, codes.col(q), 1, q, labels[q]);
        p_sum += one.precision;
        r_sum += one.recall;
    }
    EXPECT_DOUBLE_EQ(p_sum / 5, ae::hamming_retrieval(b, labels, 1).precision);
    EXPECT_DOUBLE_EQ(r_sum / 5, ae::hamming_retrieval(b, labels, 1).recall);
    EXPECT_THROW(ae::hamming_ball(b, labels, code({0.1f, 0.1f}), 1), ae::Error);
    EXPECT_THROW(ae::hamming_ball(b, labels, code({0.1f, 0.1f, NAN}), 1), ae::Error);
    EXPECT_THROW(ae::hamming_ball(b, labels, code({0.1f, 0.1f, 0.1f}), 4), ae::Error);
    EXPECT_THROW(ae::hamming_ball(b, labels, code({0.1f, 0.1f, 0.1f}), 1, 5), ae::Error);
    EXPECT_THROW(ae::hamming_ball(b, labels, code({0.1f, 0.1f, 0.1f}), 1, -1, 256), ae::Error);
    EXPECT_THROW(ae::hamming_ball(b, {0, 1}, code({0.1f, 0.1f, 0.1f}), 1), ae::Error);
}

TEST(Hashing, CodeBitsImageRowsSpreadAndGroupedByClass) {
    // Six items, classes 1 0 1 0 2 0; bits "10" "01" "11" "00" "10" "01".
    const ae::BinaryCodes b = ae::binarize_codes(codes_of({"10", "01", "11", "00", "10", "01"}));
    const std::vector<uint8_t> labels = {1, 0, 1, 0, 2, 0};
    // Three rows: items 0, 2, 4 (i * 6 / 3), grouped by class: 0 (class 1), 2 (class 1), 4 (class 2).
    ae::CodeBitsImage im = ae::code_bits_image(b, labels, 3);
    EXPECT_EQ(im.rows, 3);
    EXPECT_EQ(im.cols, 2);
    EXPECT_EQ(im.items, (std::vector<int>{0, 2, 4}));
    EXPECT_EQ(im.labels, (std::vector<uint8_t>{1, 1, 2}));
    EXPECT_EQ(im.bits, (std::vector<uint8_t>{1, 0, 1, 1, 1, 0}));
    // All six: class 0 (items 1, 3, 5), class 1 (0, 2), class 2 (4).
    im = ae::code_bits_image(b, labels, 100);
    EXPECT_EQ(im.rows, 6);
    EXPECT_EQ(im.items, (std::vector<int>{1, 3, 5, 0, 2, 4}));
    EXPECT_EQ(im.bits, (std::vector<uint8_t>{0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0}));
    EXPECT_THROW(ae::code_bits_image(b, labels, 0), ae::Error);
    EXPECT_THROW(ae::code_bits_image(b, {0, 1}, 3), ae::Error);
}

TEST(Hashing, BinarinessCountsEntriesNearZeroOrOne) {
    ae::Matrix c(2, 3);
    c << 0.0f, 0.1f, 0.5f,
         0.95f, 0.89f, 1.0f;
    EXPECT_DOUBLE_EQ(ae::code_binariness(c), 4.0 / 6.0);  // 0, 0.1, 0.95, 1 (0.1 is within 0.1 of 0)
    EXPECT_DOUBLE_EQ(ae::code_binariness(c, 0.5f), 1.0);
    EXPECT_THROW(ae::code_binariness(c, 0.6f), ae::Error);
    EXPECT_THROW(ae::code_binariness(ae::Matrix()), ae::Error);
    EXPECT_THROW(ae::binarize_codes(ae::Matrix()), ae::Error);
}

TEST(Hashing, ConfigDefaultsAndValidation) {
    const ae::ModelConfig m = ae::model_defaults("hashing");
    EXPECT_EQ(m.latent, 32);
    EXPECT_EQ(m.latent_activation, ae::Activation::sigmoid);
    EXPECT_EQ(m.loss, ae::Loss::bce);
    EXPECT_FLOAT_EQ(m.code_noise, 4.0f);
    ae::Config c;
    c.model = m;
    c.model.latent_activation = ae::Activation::tanh;
    EXPECT_THROW(ae::config_validate(c), ae::Error);
    c.model = m;
    c.model.code_noise = -1.0f;
    EXPECT_THROW(ae::config_validate(c), ae::Error);
    c.model.code_noise = 2.5f;
    const ae::Config back = ae::config_from_json(ae::config_to_json(c));
    EXPECT_EQ(back.model.type, "hashing");
    EXPECT_FLOAT_EQ(back.model.code_noise, 2.5f);
}

// The noise enters a training forward only: with an evaluation workspace (or no Rng) the code is σ(a),
// equal to encode(); with a training workspace and an Rng it differs and depends on the draw.
TEST(Hashing, NoiseOnlyInATrainingForward) {
    ae::ModelConfig m = ae::model_defaults("hashing");
    m.encoder = {16};
    m.latent = 6;
    m.input_rows = m.input_cols = 4;
    ae::Autoencoder model(m);
    ae::Rng init(1, 1);
    model.init(init);
    ae::Rng data(2, 2);
    const ae::Matrix x = gradcheck::random_pixels(data, 16, 5);
    const ae::Matrix clean = model.encode(x);
    auto eval_ws = model.make_workspace(5, false);
    ae::Rng r1(3, 3);
    model.forward(eval_ws, x, x, nullptr, &r1);
    EXPECT_TRUE(model.code(eval_ws, 5).isApprox(clean, 1e-6f));
    auto train_ws = model.make_workspace(5);
    model.forward(train_ws, x, x);
    EXPECT_TRUE(model.code(train_ws, 5).isApprox(clean, 1e-6f));
    ae::Rng r2(3, 3);
    model.forward(train_ws, x, x, nullptr, &r2);
    const ae::Matrix noisy = model.code(train_ws, 5);
    EXPECT_GT((noisy - clean).cwiseAbs().maxCoeff(), 0.05f);
    ae::Rng r3(3, 3);
    model.forward(train_ws, x, x, nullptr, &r3);
    EXPECT_EQ(model.code(train_ws, 5), noisy);  // the same draw, the same code
}

// forward_backward's gradient with the noise (a fixed draw) equals central differences of the objective:
// the backward through the additive noise is the identity on the pre-activation.
TEST(Hashing, GradientWithCodeNoiseMatchesFiniteDifferences) {
    ae::ModelConfig m = ae::model_defaults("hashing");
    m.encoder = {6};
    m.latent = 4;
    m.input_rows = m.input_cols = 3;
    m.activation = ae::Activation::tanh;  // no ReLU kinks within the finite-difference step
    m.code_noise = 1.0f;  // σ = 4 saturates most units and leaves tiny gradients; 1 keeps them measurable
    ae::Autoencoder model(m);
    ae::Rng init(4, 1);
    model.init(init);
    ae::Rng data(5, 2);
    const ae::Matrix x = gradcheck::random_pixels(data, 9, 4);
    const double worst = gradcheck::check_model_gradients(model, x, x, 9, 2e-3);
    std::printf("hashing gradient check: worst relative error %.3g\n", worst);
}

// Real Fashion-MNIST: a short run makes the code units binary and the Hamming balls precise. Measured
// (2026-12-02, this config): binariness 0.888, radius-2 precision 0.549, recall 0.289 over 2,000 test
// queries (35 empty balls); 8.6 s of training on one core. Without the noise (σ = 0, 4 epochs of 10,000
// images) the binariness is 0.41.
TEST(Hashing, FashionCodesBecomeBinaryAndRetrieveTheClass) {
#ifndef __OPTIMIZE__
    GTEST_SKIP() << "retrieval quality, not memory safety: minutes without optimization (runs in release; the small "
                    "session below runs everywhere)";
#endif
    const ae::DatasetPair p = ae::load_dataset("fashion-mnist");
    auto train = std::make_shared<const ae::Dataset>(ae::dataset_head(p.train, 20000));
    auto test = std::make_shared<const ae::Dataset>(ae::dataset_head(p.test, 2000));
    ae::Config c;
    c.model = ae::model_defaults("hashing");  // encoder [512, 256], 32 bits, σ = 4
    c.train.batch = 100;
    c.train.seed = 1;
    const auto t0 = std::chrono::steady_clock::now();
    ae::TrainingSession s(c, train, test);
    s.step(3 * s.batches_per_epoch());
    const double train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const ae::Matrix x = ae::dataset_images(*test, 0, test->count);
    const std::vector<uint8_t> labels(test->labels.begin(), test->labels.end());
    const ae::Matrix codes = s.model().encode(x);
    const double binary = ae::code_binariness(codes);
    const ae::HammingRetrieval r = ae::hamming_retrieval(ae::binarize_codes(codes), labels, 2, test->count);
    std::printf("hashing, 3 epochs on 20,000 training images (%.1f s): binariness %.4f; Hamming radius 2 over %d "
                "test queries: precision %.4f recall %.4f, %d empty balls, mean ball %.1f\n",
                train_s, binary, r.queries, r.precision, r.recall, r.empty_queries, r.mean_ball_size);
    EXPECT_GT(binary, 0.85);            // measured 0.888
    EXPECT_GT(r.precision, 0.1 + 0.3);  // measured 0.549; chance is 0.1 (10 balanced classes)
    EXPECT_GT(r.recall, 0.15);          // measured 0.289
    EXPECT_LT(r.empty_queries, r.queries / 10);

    // The single-query ball of the hosts' view on these codes: it grows with the radius (each ball holds the
    // smaller), and its mean precision / recall over every test image as a query is hamming_retrieval's.
    const ae::BinaryCodes bits = ae::binarize_codes(codes);
    double p_sum = 0, r_sum = 0;
    int answered = 0;
    for (int q = 0; q < test->count; ++q) {
        const ae::HammingBall one = ae::hamming_ball(bits, labels, codes.col(q), 2, q, labels[q]);
        if (one.precision >= 0) p_sum += one.precision, ++answered;
        r_sum += one.recall;
    }
    EXPECT_EQ(test->count - answered, r.empty_queries);
    EXPECT_NEAR(p_sum / answered, r.precision, 1e-12);
    EXPECT_NEAR(r_sum / test->count, r.recall, 1e-12);
    size_t previous = 0;
    for (int radius = 0; radius <= 6; ++radius) {
        const ae::HammingBall one = ae::hamming_ball(bits, labels, codes.col(7), radius, 7, labels[7]);
        EXPECT_GE(one.indices.size(), previous);
        EXPECT_TRUE(std::is_sorted(one.distances.begin(), one.distances.end()));
        for (size_t t = 0; t < one.indices.size(); ++t)
            EXPECT_EQ(one.distances[t], ae::hamming_distance(bits, 7, one.indices[t]));
        previous = one.indices.size();
    }
    EXPECT_GT(previous, 0u);

    // The model file keeps the type and σ, and the reloaded model gives the same bits.
    const std::vector<uint8_t> bytes = ae::model_file_encode(s.model(), c, ae::TrainingState{});
    const ae::ModelFile f = ae::model_file_decode(bytes.data(), bytes.size(), "hashing file");
    EXPECT_EQ(f.config.model.type, "hashing");
    EXPECT_EQ(f.config.model.code_noise, c.model.code_noise);
    const ae::Autoencoder back = ae::model_file_build(f);
    EXPECT_EQ(ae::binarize_codes(back.encode(x)).data, ae::binarize_codes(codes).data);
}

// A small hashing session (every build, the sanitizers too): the noisy training forward and backward run, the
// training loss falls and the test loss (noiseless) is finite.
TEST(Hashing, SmallSessionTrains) {
    const ae::DatasetPair p = ae::load_dataset("fashion-mnist");
    auto train = std::make_shared<const ae::Dataset>(ae::dataset_head(p.train, 500));
    auto test = std::make_shared<const ae::Dataset>(ae::dataset_head(p.test, 100));
    ae::Config c;
    c.model = ae::model_defaults("hashing");
    c.model.encoder = {32};
    c.model.latent = 8;
    c.train.batch = 50;
    ae::TrainingSession s(c, train, test);
    ASSERT_EQ(s.step(30), 30);
    const std::vector<float>& l = s.batch_losses();
    EXPECT_LT(l.back(), l.front());
    double loss = 0, mse = 0;
    s.evaluate_test(loss, mse);
    EXPECT_TRUE(std::isfinite(loss) && loss > 0) << loss;
}

}  // namespace
