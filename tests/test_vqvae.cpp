// The VQ-VAE (model type vqvae; A. van den Oord, O. Vinyals, K. Kavukcuoglu, "Neural Discrete Representation
// Learning", NeurIPS 2017): each group of codebook_dim units of the encoder output z_e is replaced by its nearest
// codebook entry. Unit cases: configuration and its errors, the quantiser, the gradients (decoder weights against
// central differences of the whole objective; the codebook against the codebook term; the encoder's
// straight-through gradient against central differences of its definition), the EMA update, the per-epoch code
// statistics and the model file round trip. The defining test on real Fashion-MNIST is
// ModelsReal.VqvaeBeatsAVaeWithAsManyBitsAndUsesItsCodebook (test_models_real.cpp, label slow).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <set>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/config.h"
#include "ae/error.h"
#include "ae/loss.h"
#include "ae/metrics.h"
#include "ae/model_file.h"
#include "ae/session.h"
#include "analysis_fixture.h"
#include "model_gradcheck.h"
#include "test_util.h"

namespace {

ae::ModelConfig small_vq(ae::CodebookUpdate update = ae::CodebookUpdate::loss) {
    ae::ModelConfig m = ae::model_defaults("vqvae");
    m.input_rows = 4;
    m.input_cols = 4;
    m.encoder = {6};
    m.latent = 4;
    m.codebook_dim = 2;  // M = 2 groups
    m.codebook_size = 5;
    m.vq_beta = 0.25f;
    m.codebook_update = update;
    return m;
}

const ae::ParamTensor& tensor(const ae::Autoencoder& m, const std::string& name) {
    for (const ae::ParamTensor& t : m.params().tensors())
        if (t.name == name) return t;
    throw ae::Error("no tensor " + name);
}

TEST(Vqvae, DefaultsValidationAndJson) {
    const ae::ModelConfig d = ae::model_defaults("vqvae");
    EXPECT_TRUE(d.is_vq());
    EXPECT_FALSE(d.is_vae());
    EXPECT_EQ(d.code_groups(), d.latent / d.codebook_dim);
    ae::Config c;
    c.model = d;
    c.model.latent = 10;
    c.model.codebook_dim = 4;
    test_util::expect_contains(test_util::error_of([&] { ae::config_validate(c); }), {"model.codebook_dim", "10", "4"});
    c.model = d;
    c.model.codebook_size = 1;
    test_util::expect_contains(test_util::error_of([&] { ae::config_validate(c); }), {"model.codebook_size", "2"});
    c.model = d;
    c.model.latent_activation = ae::Activation::sigmoid;
    test_util::expect_contains(test_util::error_of([&] { ae::config_validate(c); }), {"model.latent_activation"});
    c.model = d;
    c.model.codebook_size = 128;
    c.model.codebook_dim = 8;
    c.model.vq_beta = 0.5f;
    c.model.codebook_update = ae::CodebookUpdate::ema;
    c.model.ema_decay = 0.9f;
    c.model.dead_code_restart = false;
    const ae::Config back = ae::config_from_json(ae::config_to_json(c));
    EXPECT_EQ(back.model.type, "vqvae");
    EXPECT_EQ(back.model.codebook_size, 128);
    EXPECT_EQ(back.model.codebook_dim, 8);
    EXPECT_EQ(back.model.vq_beta, 0.5f);
    EXPECT_EQ(back.model.codebook_update, ae::CodebookUpdate::ema);
    EXPECT_EQ(back.model.ema_decay, 0.9f);
    EXPECT_FALSE(back.model.dead_code_restart);
    test_util::expect_contains(
        test_util::error_of([] { ae::config_from_json(R"({"model": {"type": "vqvae", "codebook_update": "adam"}})"); }),
        {"model.codebook_update", "loss or ema"});
    test_util::expect_contains(
        test_util::error_of([] { ae::config_from_json(R"({"model": {"type": "vqvae", "dead_code_restart": 1}})"); }),
        {"model.dead_code_restart"});
}

TEST(Vqvae, ParametersAndTheNearestEntry) {
    ae::Autoencoder model(small_vq());
    EXPECT_EQ(tensor(model, "codebook").shape, (std::vector<int>{5, 2}));
    EXPECT_EQ(tensor(model, "code_counts").shape, (std::vector<int>{2, 5}));
    ae::Rng rng(1);
    model.init(rng);
    for (int i = 0; i < 10; ++i) EXPECT_LE(std::fabs(model.codebook()[i]), 1.0f / 5);  // uniform ±1/K
    float* e = model.codebook();
    const float entries[10] = {0, 0, 1, 0, 0, 1, -1, 0, 0, -1};
    std::copy(entries, entries + 10, e);
    ae::Matrix z(4, 2);  // [latent, n]
    z << 0.9f, 0.1f, 0.2f, -0.2f, 0.1f, -0.7f, 0.8f, 0.05f;
    ae::Matrix zq(4, 2);
    int codes[4];
    const double sq = model.quantize(z, zq, codes);
    // Column 0 = (0.9, 0.2 | 0.1, 0.8), column 1 = (0.1, -0.2 | -0.7, 0.05) (the comma initialiser fills rows).
    EXPECT_EQ(codes[0], 1);  // (0.9, 0.2) -> (1, 0)
    EXPECT_EQ(codes[1], 2);  // (0.1, 0.8) -> (0, 1): 0.05 against 0.65 for (0, 0)
    EXPECT_EQ(codes[2], 0);  // (0.1, -0.2) -> (0, 0)
    EXPECT_EQ(codes[3], 3);  // (-0.7, 0.05) -> (-1, 0)
    EXPECT_EQ(zq(0, 0), 1.0f);
    EXPECT_EQ(zq(3, 0), 1.0f);
    double expect = 0.0;
    for (int j = 0; j < 2; ++j) expect += (z.col(j) - zq.col(j)).squaredNorm();
    EXPECT_NEAR(sq, expect, 1e-6);
    const Eigen::MatrixXi idx = Eigen::Map<const Eigen::MatrixXi>(codes, 2, 2);
    EXPECT_TRUE(model.codes_to_latent(idx).isApprox(zq));
}

TEST(Vqvae, CodeUsageAndPerplexity) {
    EXPECT_DOUBLE_EQ(ae::code_usage({3, 3, 3, 3}), 1.0);
    EXPECT_NEAR(ae::code_perplexity({3, 3, 3, 3}), 4.0, 1e-12);  // uniform: K
    EXPECT_DOUBLE_EQ(ae::code_usage({5, 0, 0, 0}), 0.25);
    EXPECT_NEAR(ae::code_perplexity({5, 0, 0, 0}), 1.0, 1e-12);  // one entry takes all
    EXPECT_NEAR(ae::code_perplexity({1, 1, 2, 0}), std::exp(-(0.25 * std::log(0.25) * 2 + 0.5 * std::log(0.5))), 1e-12);
    EXPECT_EQ(ae::code_perplexity({0, 0}), 0.0);
    EXPECT_EQ(ae::code_usage({}), 0.0);
}

// Gradients. The code is piecewise constant in the encoder weights and the codebook, so a central difference
// whose ± perturbations change an assignment is skipped (the kink escape of ggml's test-backend-ops); the test
// counts them and needs most coordinates checked. Decoder weights: the whole objective. Codebook ("loss"):
// the codebook term mean ‖sg[z_e] - e‖² alone (the paper's stop-gradient: neither the reconstruction nor the
// commitment reaches the entries). Encoder: its straight-through gradient is that of
//   L_st(θ) = recon(decoder(z_e(θ) + c)) + β mean ‖z_e(θ) - z_q‖²,  c = z_q - z_e at the base point (fixed),
// which the test evaluates by central differences.
TEST(Vqvae, StraightThroughAndCodebookGradients) {
    for (ae::Loss loss : {ae::Loss::bce, ae::Loss::mse}) {
        ae::ModelConfig cfg = small_vq();
        cfg.loss = loss;
        cfg.output = loss == ae::Loss::bce ? ae::Activation::sigmoid : ae::Activation::identity;
        cfg.activation = ae::Activation::tanh;  // smooth: the only kinks left are the assignments
        ae::Autoencoder model(cfg);
        ae::Rng rng(4);
        model.init(rng);
        // Entries spread like the encoder outputs so that several are chosen.
        for (int i = 0; i < 10; ++i) model.codebook()[i] = 0.6f * (2.0f * rng.uniform() - 1.0f);
        const ae::Matrix x = gradcheck::random_pixels(rng, 16, 6);
        const int n = 6, D = 16, L = 4, M = 2;
        const double unit = 1.0 / (double(n) * D);
        auto ws = model.make_workspace(n);
        model.params().zero_grad();
        model.forward_backward(ws, x, x, 1.0f, nullptr, nullptr);
        const std::vector<int> base_codes(ws.codes.begin(), ws.codes.begin() + n * M);
        std::set<int> distinct(base_codes.begin(), base_codes.end());
        EXPECT_GE(distinct.size(), 2u);
        const ae::Matrix zq = ws.z.leftCols(n);
        const ae::Matrix ze0 = model.encoder().output(ws.enc, n);
        const std::vector<float> analytic = model.params().grads();
        std::vector<float>& p = model.params().values();
        const float h = 1e-2f;
        auto objective = [&](double ae::LossTerms::*term) {
            model.forward(ws, x, x);
            const bool same = std::equal(base_codes.begin(), base_codes.end(), ws.codes.begin());
            return std::make_pair(ws.terms.*term / unit, same);
        };
        auto surrogate = [&]() {  // L_st / unit
            model.forward(ws, x, x);
            const ae::Matrix ze = model.encoder().output(ws.enc, n);
            const ae::Matrix zin = ze + (zq - ze0);
            const ae::Matrix logits = model.decode_logits(zin);
            ae::Matrix y(D, n);
            ae::activation_forward<float>(cfg.output, logits, y);
            const double recon = ae::loss_value<float>(cfg.loss, logits, y, x);
            return recon + cfg.vq_beta * (ze - zq).squaredNorm() / (double(n) * L) / unit;
        };
        int checked = 0, skipped = 0;
        for (const ae::ParamTensor& t : model.params().tensors()) {
            if (t.name == "code_counts") {
                for (size_t k = 0; k < t.size; ++k) EXPECT_EQ(analytic[t.offset + k], 0.0f);
                continue;
            }
            const bool is_codebook = t.name == "codebook", is_encoder = t.name.rfind("encoder.", 0) == 0;
            for (size_t k = 0; k < t.size; ++k) {
                const size_t i = t.offset + k;
                const float saved = p[i];
                double lp, lm;
                bool same_p = true, same_m = true;
                p[i] = saved + h;
                if (is_encoder) lp = surrogate(), same_p = std::equal(base_codes.begin(), base_codes.end(), ws.codes.begin());
                else std::tie(lp, same_p) = objective(is_codebook ? &ae::LossTerms::codebook : &ae::LossTerms::total);
                p[i] = saved - h;
                if (is_encoder) lm = surrogate(), same_m = std::equal(base_codes.begin(), base_codes.end(), ws.codes.begin());
                else std::tie(lm, same_m) = objective(is_codebook ? &ae::LossTerms::codebook : &ae::LossTerms::total);
                p[i] = saved;
                if (!same_p || !same_m) {
                    ++skipped;
                    continue;
                }
                const double numeric = (lp - lm) / (double(saved + h) - double(saved - h));
                const double a = analytic[i];
                EXPECT_NEAR(a, numeric, 5e-3 * std::max({1.0, std::fabs(a), std::fabs(numeric)}))
                    << t.name << "[" << k << "] loss " << ae::loss_name(loss);
                ++checked;
            }
        }
        EXPECT_LE(skipped * 10, checked) << "too many assignment changes: " << skipped << " of " << checked + skipped;
    }
}

// The "ema" update: N_k = γ N_k + (1 - γ) n_k, m_k = γ m_k + (1 - γ) Σ z_e, e_k = m_k / N_k (Laplace-smoothed),
// starting from N_k = 1, m_k = e_k: after one batch an entry chosen by n_k groups moves to
// (γ e_k + (1 - γ) Σ z_e) / (γ + (1 - γ) n_k); an unchosen one stays. The optimizer sees no codebook gradient.
TEST(Vqvae, EmaUpdateFollowsItsDefinition) {
    ae::ModelConfig cfg = small_vq(ae::CodebookUpdate::ema);
    cfg.ema_decay = 0.8f;
    ae::Autoencoder model(cfg);
    ae::Rng rng(5);
    model.init(rng);
    for (int i = 0; i < 10; ++i) model.codebook()[i] = 0.5f * (2.0f * rng.uniform() - 1.0f);
    const std::vector<float> before(model.codebook(), model.codebook() + 10);
    const ae::Matrix x = gradcheck::random_pixels(rng, 16, 8);
    auto ws = model.make_workspace(8);
    model.params().zero_grad();
    model.forward_backward(ws, x, x, 1.0f / (8 * 16));
    EXPECT_EQ(ws.terms.codebook, 0.0);
    EXPECT_GT(ws.terms.commitment, 0.0);
    const ae::ParamTensor& cb = tensor(model, "codebook");
    for (size_t k = 0; k < cb.size; ++k) EXPECT_EQ(model.params().grads()[cb.offset + k], 0.0f);
    const ae::Matrix ze = model.encoder().output(ws.enc, 8);
    std::vector<double> count(5, 0.0), sum(10, 0.0);
    for (int j = 0; j < 8; ++j)
        for (int g = 0; g < 2; ++g) {
            const int k = ws.codes[j * 2 + g];
            count[k] += 1;
            for (int r = 0; r < 2; ++r) sum[k * 2 + r] += ze(g * 2 + r, j);
        }
    model.codebook_ema_update(ws);
    const double gamma = 0.8;
    double total = 0.0;
    for (int k = 0; k < 5; ++k) total += gamma + (1 - gamma) * count[k];
    for (int k = 0; k < 5; ++k) {
        const double nk = gamma + (1 - gamma) * count[k];
        const double smoothed = (nk + 1e-5) / (total + 5e-5) * total;
        for (int r = 0; r < 2; ++r) {
            const double expect = (gamma * before[k * 2 + r] + (1 - gamma) * sum[k * 2 + r]) / smoothed;
            EXPECT_NEAR(model.codebook()[k * 2 + r], expect, 1e-5) << k;
        }
    }
}

// A short session on real images: the epoch reports the code usage and perplexity of its assignments (from the
// model's code_counts, which the session writes), the codebook and commitment terms, and the file round trip
// keeps the codebook, the counts and so the codes and reconstructions.
TEST(Vqvae, SessionStatisticsAndModelFileRoundTrip) {
    using namespace analysis_fixture;
    for (ae::CodebookUpdate update : {ae::CodebookUpdate::loss, ae::CodebookUpdate::ema}) {
        ae::Config c = small_config("vqvae", 8);
        c.model.codebook_size = 16;
        c.model.codebook_dim = 2;
        c.model.codebook_update = update;
        ae::TrainingSession s(c, fashion().train, fashion().test);
        ASSERT_EQ(s.step(s.batches_per_epoch()), s.batches_per_epoch());
        ASSERT_EQ(s.epoch_stats().size(), 1u);
        const ae::EpochStats& st = s.epoch_stats()[0];
        // Usage and perplexity from the counts of the epoch (2,000 images x 4 groups).
        const float* counts = s.model().code_counts();
        double total = 0.0, h = 0.0;
        int used = 0;
        for (int k = 0; k < 16; ++k) {
            double ck = 0.0;
            for (int g = 0; g < 4; ++g) ck += counts[g * 16 + k];
            if (ck > 0) ++used;
            total += ck;
        }
        EXPECT_EQ(total, 2000.0 * 4);
        for (int k = 0; k < 16; ++k) {
            double ck = 0.0;
            for (int g = 0; g < 4; ++g) ck += counts[g * 16 + k];
            if (ck > 0) h -= ck / total * std::log(ck / total);
        }
        EXPECT_DOUBLE_EQ(st.code_usage, used / 16.0);
        EXPECT_NEAR(st.code_perplexity, std::exp(h), 1e-9);
        EXPECT_GE(st.code_perplexity, 1.0);
        EXPECT_LE(st.code_perplexity, 16.0 + 1e-9);
        EXPECT_EQ(st.codes_restarted, 16 - used);
        EXPECT_GT(st.test_terms.commitment, 0.0);
        EXPECT_EQ(st.test_terms.codebook > 0.0, update == ae::CodebookUpdate::loss);
        EXPECT_NEAR(st.test_terms.total, st.test_terms.reconstruction + st.test_terms.codebook + st.test_terms.commitment,
                    1e-9);
        std::printf("vqvae %s, 1 epoch of 2000 images: usage %.3f, perplexity %.2f of K = 16, restarted %d\n",
                    ae::codebook_update_name(update), st.code_usage, st.code_perplexity, st.codes_restarted);

        const std::vector<uint8_t> bytes =
            ae::model_file_encode(s.model(), ae::ModelFileInfo{s.config(), {s.epoch(), s.steps()}, {}, &s.optimizer()});
        const ae::ModelFile f = ae::model_file_decode(bytes.data(), bytes.size(), "vq");
        EXPECT_EQ(f.config.model.codebook_update, update);
        const ae::Autoencoder back = ae::model_file_build(f);
        EXPECT_EQ(back.params().values(), s.model().params().values());
        const ae::Matrix x = [&] {
            ae::Matrix m(784, 50);
            ae::TrainingSession::load_batch(*fashion().test, nullptr, 0, 50, m);
            return m;
        }();
        EXPECT_EQ(back.encode_indices(x), s.model().encode_indices(x));
        EXPECT_TRUE(back.reconstruct(x).isApprox(s.model().reconstruct(x)));
        // The simple prior: indices drawn from the counts decode to images.
        ae::Rng r(2);
        const ae::Matrix z = back.sample_codes(7, r);
        ASSERT_EQ(z.rows(), 8);
        const ae::Matrix img = back.decode(z);
        EXPECT_EQ(img.cols(), 7);
        EXPECT_TRUE(img.allFinite());
    }
}

}  // namespace
