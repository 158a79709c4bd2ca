// The variational autoencoder (vae.h): reparameterization and KL gradients in double, the whole VAE's
// gradient in float (model_gradcheck.h), parameter names (PyTorch state_dict layout), the analytic KL
// against a Monte Carlo estimate, the IWAE bound against the ELBO, and the per-image evaluations.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/error.h"
#include "ae/rng.h"
#include "ae/vae.h"
#include "model_gradcheck.h"

namespace {

using Md = Eigen::MatrixXd;

using gradcheck::expect_gradient;
using gradcheck::random_matrix;

// d/d(mu, logvar) of  g . z(mu, logvar) + KL(mu, logvar)  for a fixed eps and a fixed upstream g.
TEST(Vae, ReparameterizationAndKlGradientsDouble) {
    ae::Rng rng(1, 1);
    Md mu = random_matrix(rng, 4, 3, -1.5, 1.5), lv = random_matrix(rng, 4, 3, -2.0, 1.0);
    Md eps = random_matrix(rng, 4, 3, -2.0, 2.0), g = random_matrix(rng, 4, 3, -1.0, 1.0);
    auto f = [&] {
        Md z(4, 3), dm(4, 3), dl(4, 3);
        ae::reparameterize<double>(mu, lv, eps, z);
        return (g.array() * z.array()).sum() + ae::gaussian_kl_forward_backward<double>(mu, lv, dm, dl, 0.0);
    };
    Md z(4, 3), dmu(4, 3), dlv(4, 3);
    ae::reparameterize<double>(mu, lv, eps, z);
    ae::reparameterize_backward<double>(mu, z, g, dmu, dlv);
    ae::gaussian_kl_forward_backward<double>(mu, lv, dmu, dlv, 1.0);
    expect_gradient(mu, f, dmu);
    expect_gradient(lv, f, dlv);
}

// Analytic KL(N(μ, σ²) ‖ N(0, 1)) summed over dimensions equals the Monte Carlo mean of log q(z) - log p(z)
// with 10^5 samples within 1% (chosen μ, σ so the KL is O(1): the MC standard error is ~0.3% here).
TEST(Vae, AnalyticKlMatchesMonteCarlo) {
    Md mu(3, 1), lv(3, 1);
    mu << 0.8, -1.2, 0.3;
    lv << -1.0, 0.5, -0.3;
    Md dm = Md::Zero(3, 1), dl = Md::Zero(3, 1);
    const double analytic = ae::gaussian_kl_forward_backward<double>(mu, lv, dm, dl, 0.0);
    ae::Rng rng(2024, 5);
    const int samples = 100000;
    double sum = 0.0;
    for (int s = 0; s < samples; ++s) {
        double log_ratio = 0.0;
        for (int j = 0; j < 3; ++j) {
            const double e = rng.normal();
            const double z = mu(j) + std::exp(0.5 * lv(j)) * e;
            log_ratio += -0.5 * (e * e + lv(j)) + 0.5 * z * z;  // log q - log p (2π terms cancel)
        }
        sum += log_ratio;
    }
    const double mc = sum / samples;
    RecordProperty("kl_analytic", std::to_string(analytic));
    RecordProperty("kl_monte_carlo", std::to_string(mc));
    EXPECT_NEAR(mc, analytic, 0.01 * analytic);
}

ae::ModelConfig small_vae(std::vector<ae::LayerSpec> encoder, ae::Loss loss) {
    ae::ModelConfig m = ae::model_defaults("vae");
    m.input_rows = 4;
    m.input_cols = 4;
    m.encoder = std::move(encoder);
    m.latent = 3;
    m.activation = ae::Activation::tanh;
    m.loss = loss;
    return m;
}

TEST(Vae, ParameterNamesFollowTheTorchModule) {
    ae::Autoencoder model(small_vae({6, 5}, ae::Loss::bce));
    const std::vector<std::string> names = {"encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
                                            "mu.weight",        "mu.bias",        "logvar.weight",    "logvar.bias",
                                            "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias",
                                            "decoder.4.weight", "decoder.4.bias"};
    const std::vector<std::vector<int>> shapes = {{6, 16}, {6}, {5, 6},  {5}, {3, 5},  {3},  {3, 5},
                                                  {3},     {5, 3}, {5}, {6, 5}, {6}, {16, 6}, {16}};
    const auto& t = model.params().tensors();
    ASSERT_EQ(t.size(), names.size());
    for (size_t i = 0; i < t.size(); ++i) {
        EXPECT_EQ(t[i].name, names[i]);
        EXPECT_EQ(t[i].shape, shapes[i]) << names[i];
    }
    ae::Autoencoder flat(small_vae({}, ae::Loss::bce));  // encoder []: the heads read the input
    EXPECT_EQ(flat.params().tensors()[0].name, "mu.weight");
    EXPECT_EQ(flat.params().tensors()[0].shape, (std::vector<int>{3, 16}));
    EXPECT_EQ(flat.params().tensors()[2].name, "logvar.weight");
}

TEST(Vae, WholeModelGradients) {
    for (ae::Loss loss : {ae::Loss::bce, ae::Loss::mse}) {
        for (int depth : {0, 1}) {
            SCOPED_TRACE(std::string(ae::loss_name(loss)) + " hidden " + std::to_string(depth));
            ae::Autoencoder model(small_vae(depth ? std::vector<ae::LayerSpec>{6} : std::vector<ae::LayerSpec>{}, loss));
            ae::Rng rng(31 + depth, 1);
            model.init(rng);
            model.set_kl_weight(0.7f);  // beta enters the gradient
            const ae::Matrix x = gradcheck::random_pixels(rng, 16, 3);
            const double worst = gradcheck::check_model_gradients(model, x, x, 8, 2e-3);
            RecordProperty("worst_" + std::string(ae::loss_name(loss)) + std::to_string(depth), std::to_string(worst));
        }
    }
}

TEST(Vae, TermsAndDeterminism) {
    ae::Autoencoder model(small_vae({6}, ae::Loss::bce));
    ae::Rng rng(41, 1);
    model.init(rng);
    const ae::Matrix x = gradcheck::random_pixels(rng, 16, 5);
    auto ws = model.make_workspace(5);
    ae::Rng a(3, 3), b(3, 3);
    model.forward(ws, x, x, nullptr, &a);
    const ae::LossTerms t1 = ws.terms;
    model.forward(ws, x, x, nullptr, &b);
    EXPECT_EQ(t1.total, ws.terms.total);  // same seed, same numbers
    EXPECT_GT(t1.kl, 0.0);
    EXPECT_NEAR(t1.total, t1.reconstruction + model.kl_weight() * t1.kl, 1e-9);
    // ELBO per image (one sample) is minus the beta = 1 loss with the same draws.
    ae::Rng c(3, 3);
    const Eigen::VectorXd elbo = ae::vae_elbo_per_image(model, x, c);
    EXPECT_NEAR(-elbo.mean(), t1.reconstruction + t1.kl, 1e-3 * std::fabs(elbo.mean()));
    // Not a vae: the evaluations refuse with a clear error.
    ae::Autoencoder plain(ae::model_defaults("ae"));
    ae::Rng r(1, 1);
    EXPECT_THROW(ae::vae_elbo_per_image(plain, ae::Matrix::Zero(784, 2), r), ae::Error);
    EXPECT_THROW(ae::vae_iwae_per_image(model, x, 0, r), ae::Error);
    EXPECT_THROW(model.forward_backward(ws, x, x, 1.0f), ae::Error);  // the vae needs its Rng
}

// IWAE_1 has the ELBO's expectation, and IWAE_K is nondecreasing in K in expectation (Burda et al.,
// theorem 1); on the same 64 images the K = 50 bound is above the mean single-sample ELBO.
TEST(Vae, IwaeIsAboveTheElbo) {
    ae::ModelConfig m = small_vae({8}, ae::Loss::bce);
    ae::Autoencoder model(m);
    ae::Rng rng(51, 1);
    model.init(rng);
    const ae::Matrix x = gradcheck::random_pixels(rng, 16, 64);
    ae::Rng r1(1, 1), r2(2, 2), r3(3, 3);
    const double elbo = ae::vae_elbo_per_image(model, x, r1).mean();
    const double iwae1 = ae::vae_iwae_per_image(model, x, 1, r3).mean();
    const double iwae50 = ae::vae_iwae_per_image(model, x, 50, r2).mean();
    RecordProperty("elbo", std::to_string(elbo));
    RecordProperty("iwae50", std::to_string(iwae50));
    EXPECT_GE(iwae50, elbo);
    EXPECT_GE(iwae50, iwae1);
    EXPECT_NEAR(iwae1, elbo, 0.05 * std::fabs(elbo));  // K = 1 is the ELBO (different draws)
}

TEST(Vae, LatentStats) {
    ae::Autoencoder model(small_vae({6}, ae::Loss::bce));
    ae::Rng rng(61, 1);
    model.init(rng);
    const ae::Matrix x = gradcheck::random_pixels(rng, 16, 200);
    const ae::VaeLatentStats s = ae::vae_latent_stats(model, x);
    ASSERT_EQ(s.kl_per_dim.size(), 3u);
    ae::Matrix mu, lv;
    model.encode_gaussian(x, mu, lv);
    Md dm = Md::Zero(3, 200), dl = Md::Zero(3, 200);
    const double kl = ae::gaussian_kl_forward_backward<double>(mu.cast<double>(), lv.cast<double>(), dm, dl, 0.0) / 200;
    EXPECT_NEAR(s.kl_per_dim[0] + s.kl_per_dim[1] + s.kl_per_dim[2], kl, 1e-6 * kl);
    int active = 0;
    for (int j = 0; j < 3; ++j) {
        const double mean = mu.row(j).cast<double>().mean();
        const double var = (mu.row(j).cast<double>().array() - mean).square().sum() / 199.0;
        EXPECT_NEAR(s.mu_variance[j], var, 1e-6 * std::max(var, 1e-6));
        active += var > 0.01;
    }
    EXPECT_EQ(s.active_units, active);
}

}  // namespace
