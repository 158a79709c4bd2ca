// The conditional VAE (model type cvae; K. Sohn, H. Lee, X. Yan, NeurIPS 2015): the one-hot class y enters
// the encoder ([x; y]) and the decoder ([z; y]). Unit cases: configuration, shapes and PyTorch names, the
// whole-model gradient with a condition, the condition's effect and its errors. The defining test on real
// Fashion-MNIST is ModelsReal.CvaeSamplesAndSwapsHaveTheChosenClass (test_models_real.cpp, label slow).
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/config.h"
#include "ae/dataset.h"
#include "ae/error.h"
#include "ae/metrics.h"
#include "ae/sampling.h"
#include "ae/session.h"
#include "ae/vae.h"
#include "model_gradcheck.h"
#include "test_util.h"

namespace {

ae::ModelConfig small_cvae(std::vector<ae::LayerSpec> encoder, ae::Loss loss) {
    ae::ModelConfig m = ae::model_defaults("cvae");
    m.input_rows = 4;
    m.input_cols = 4;
    m.encoder = std::move(encoder);
    m.latent = 2;
    m.num_classes = 3;
    m.loss = loss;
    m.output = loss == ae::Loss::bce ? ae::Activation::sigmoid : ae::Activation::identity;
    return m;
}

TEST(Cvae, DefaultsValidationAndJson) {
    const ae::ModelConfig d = ae::model_defaults("cvae");
    EXPECT_TRUE(d.is_vae());
    EXPECT_TRUE(d.is_conditional());
    EXPECT_EQ(d.num_classes, 10);
    EXPECT_EQ(d.condition_dim(), 10);
    EXPECT_EQ(ae::model_defaults("vae").condition_dim(), 0);
    ae::Config c;
    c.model = d;
    c.model.num_classes = 1;
    test_util::expect_contains(test_util::error_of([&] { ae::config_validate(c); }), {"model.num_classes", "2"});
    c.model = d;
    c.model.encoder = ae::parse_layer_specs("c32k4s2p1", "model.encoder");
    test_util::expect_contains(test_util::error_of([&] { ae::config_validate(c); }), {"model.encoder", "Dense"});
    c.model = d;
    c.model.num_classes = 7;
    const ae::Config back = ae::config_from_json(ae::config_to_json(c));
    EXPECT_EQ(back.model.type, "cvae");
    EXPECT_EQ(back.model.num_classes, 7);
}

TEST(Cvae, ParameterShapesReadTheCondition) {
    ae::Autoencoder model(ae::model_defaults("cvae"));  // 784 + 10 -> 400 -> mu, logvar 2; 2 + 10 -> 400 -> 784
    const auto& t = model.params().tensors();
    ASSERT_GE(t.size(), 8u);
    EXPECT_EQ(t[0].name, "encoder.0.weight");
    EXPECT_EQ(t[0].shape, (std::vector<int>{400, 794}));
    EXPECT_EQ(t[2].name, "mu.weight");
    EXPECT_EQ(t[2].shape, (std::vector<int>{2, 400}));
    EXPECT_EQ(t[6].name, "decoder.0.weight");
    EXPECT_EQ(t[6].shape, (std::vector<int>{400, 12}));
}

TEST(Cvae, WholeModelGradients) {
    for (ae::Loss loss : {ae::Loss::bce, ae::Loss::mse}) {
        for (int depth : {0, 1}) {
            SCOPED_TRACE(std::string(ae::loss_name(loss)) + " hidden " + std::to_string(depth));
            ae::Autoencoder model(small_cvae(depth ? std::vector<ae::LayerSpec>{6} : std::vector<ae::LayerSpec>{}, loss));
            ae::Rng rng(71 + depth, 1);
            model.init(rng);
            model.set_kl_weight(0.7f);
            const ae::Matrix x = gradcheck::random_pixels(rng, 16, 4);
            const int labels[4] = {2, 0, 1, 2};
            gradcheck::check_model_gradients(model, x, x, 9, 2e-3, 1e-2f, labels);
        }
    }
}

TEST(Cvae, TheClassChangesTheDecodingAndBadClassesAreErrors) {
    ae::Autoencoder model(small_cvae({6}, ae::Loss::bce));
    ae::Rng rng(81, 1);
    model.init(rng);
    const ae::Matrix z = ae::Matrix::Random(2, 3);
    const int zero[3] = {0, 0, 0}, two[3] = {2, 2, 2};
    const ae::Matrix a = model.decode(z, nullptr, zero), b = model.decode(z, nullptr, two);
    EXPECT_GT((a - b).cwiseAbs().maxCoeff(), 1e-4f);
    EXPECT_EQ(model.decode(z), a);  // no labels: default_class() = 0
    model.set_default_class(2);
    EXPECT_EQ(model.decode(z), b);
    test_util::expect_contains(test_util::error_of([&] { model.set_default_class(3); }), {"class 3", "0..2"});
    const int bad[3] = {0, 5, 1};
    test_util::expect_contains(test_util::error_of([&] { model.decode(z, nullptr, bad); }), {"class 5", "sample 1"});
    // The ELBO of the same images depends on the class they are conditioned on; swap_class refuses a vae.
    const ae::Matrix x = gradcheck::random_pixels(rng, 16, 3);
    ae::Rng r1(5, 5), r2(5, 5);
    EXPECT_NE(ae::vae_elbo_per_image(model, x, r1, nullptr, zero).sum(),
              ae::vae_elbo_per_image(model, x, r2, nullptr, two).sum());
    EXPECT_EQ(ae::swap_class(model, x, zero, 2).cols(), 3);
    ae::ModelConfig v = small_cvae({6}, ae::Loss::bce);
    v.type = "vae";
    ae::Autoencoder vae(v);
    test_util::expect_contains(test_util::error_of([&] { ae::swap_class(vae, x, zero, 1); }), "not a conditional");

    // The class-swap grid: row i = test image i, then its code decoded with each class, the same columns
    // as swap_class gives one class at a time.
    ae::Dataset d;
    d.name = "tiny/test";
    d.count = 3;
    d.rows = d.cols = 4;
    d.pixels.resize(48);
    for (size_t i = 0; i < d.pixels.size(); ++i) d.pixels[i] = static_cast<uint8_t>(i * 37 % 256);
    d.labels = {2, 0, 1};
    d.class_names = {"a", "b", "c"};
    const ae::ClassSwapGrid g = ae::class_swap_grid(model, d, 1, 2);
    ASSERT_EQ(g.rows, 2);
    ASSERT_EQ(g.cols, 4);
    ASSERT_EQ(g.images.cols(), 8);
    EXPECT_EQ(g.labels, (std::vector<int>{0, 1}));
    const ae::Matrix xs = ae::dataset_images(d, 1, 2);
    const int own[2] = {0, 1};
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(g.images.col(i * 4), xs.col(i));
        for (int c = 0; c < 3; ++c)
            EXPECT_LT((g.images.col(i * 4 + 1 + c) - ae::swap_class(model, xs, own, c).col(i)).cwiseAbs().maxCoeff(), 1e-6f);
    }
    test_util::expect_contains(test_util::error_of([&] { ae::class_swap_grid(model, d, 2, 2); }), "tiny/test");
    test_util::expect_contains(test_util::error_of([&] { ae::class_swap_grid(vae, d, 0, 1); }), "not a conditional");
}

}  // namespace
