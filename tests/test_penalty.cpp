// Sparsity and contractive penalties (penalty.h): gradient checks in double of each forward/backward
// pair against central differences (h = 1e-6, relative tolerance 1e-6), then whole sparse and
// contractive models in float (model_gradcheck.h; smooth activations so no kinks; h = 1e-2, tol 2e-3 as
// test_autoencoder.cpp), and the exact contractive penalty against the explicit Jacobian.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "ae/autoencoder.h"
#include "ae/penalty.h"
#include "ae/rng.h"
#include "model_gradcheck.h"

namespace {

using Md = Eigen::MatrixXd;
using RMd = ae::RowMatrixT<double>;
using ae::Activation;

using gradcheck::expect_gradient;
using gradcheck::random_matrix;

TEST(Penalty, SparsityL1GradientDouble) {
    ae::Rng rng(1, 1);
    Md h = random_matrix(rng, 5, 4, -1.0, 1.0);
    Md dh = Md::Zero(5, 4);
    const double v = ae::sparsity_l1_forward_backward<double>(h, dh, 1.0);
    EXPECT_NEAR(v, h.cwiseAbs().sum(), 1e-12);
    Md scratch(5, 4);
    expect_gradient<Md>(h, [&] { scratch.setZero(); return ae::sparsity_l1_forward_backward<double>(h, scratch, 0.0); }, dh);
}

TEST(Penalty, SparsityKlGradientDouble) {
    ae::Rng rng(2, 1);
    Md h = random_matrix(rng, 6, 7, 0.01, 0.4);  // sigmoid outputs
    Md dh = Md::Zero(6, 7);
    Eigen::VectorXd rho_hat(6);
    const double rho = 0.05;
    const double v = ae::sparsity_kl_forward_backward<double>(h, rho, dh, 1.0, rho_hat);
    // Value from the definition.
    double expect = 0.0;
    for (int j = 0; j < 6; ++j) {
        const double r = h.row(j).mean();
        EXPECT_NEAR(rho_hat(j), r, 1e-12);
        expect += rho * std::log(rho / r) + (1 - rho) * std::log((1 - rho) / (1 - r));
    }
    EXPECT_NEAR(v, expect, 1e-12);
    Md scratch(6, 7);
    Eigen::VectorXd rs(6);
    expect_gradient<Md>(h, [&] { scratch.setZero(); return ae::sparsity_kl_forward_backward<double>(h, rho, scratch, 0.0, rs); },
                        dh);
    // KL is zero exactly at the target and positive elsewhere.
    Md at = Md::Constant(3, 4, rho);
    Md g = Md::Zero(3, 4);
    EXPECT_NEAR(ae::sparsity_kl_forward_backward<double>(at, rho, g, 1.0, rs.head(3)), 0.0, 1e-12);
    EXPECT_LT(g.cwiseAbs().maxCoeff(), 1e-12);
}

TEST(Penalty, ContractiveExactGradientDouble) {
    for (Activation f : {Activation::sigmoid, Activation::tanh, Activation::identity}) {
        SCOPED_TRACE(ae::activation_name(f));
        ae::Rng rng(3, 1);
        RMd W = random_matrix(rng, 4, 6, -0.8, 0.8);
        Md a = random_matrix(rng, 4, 3, -2.0, 2.0);
        auto value = [&](RMd& Wv, Md& av, RMd* dW, Md* da) {
            Md y(av.rows(), av.cols()), d1(av.rows(), av.cols()), d2(av.rows(), av.cols());
            ae::activation_forward<double>(f, av, y);
            RMd dWs = RMd::Zero(Wv.rows(), Wv.cols());
            Md das = Md::Zero(av.rows(), av.cols());
            const double v = ae::contractive_exact_forward_backward<double>(f, Wv, y, dWs, das, 1.0, d1, d2);
            if (dW) *dW = dWs;
            if (da) *da = das;
            return v;
        };
        RMd dW;
        Md da;
        const double v = value(W, a, &dW, &da);
        // The closed form equals the squared Frobenius norm of the explicit Jacobian diag(f'(a)) W, summed.
        double explicit_sum = 0.0;
        for (int i = 0; i < a.cols(); ++i) {
            Md y(4, 1), d1(4, 1), d2(4, 1);
            ae::activation_forward<double>(f, a.col(i), y);
            ae::activation_derivatives<double>(f, y, d1, d2);
            explicit_sum += (d1.col(0).asDiagonal() * W).squaredNorm();
        }
        EXPECT_NEAR(v, explicit_sum, 1e-10 * explicit_sum);
        expect_gradient<RMd>(W, [&] { return value(W, a, nullptr, nullptr); }, dW);
        expect_gradient<Md>(a, [&] { return value(W, a, nullptr, nullptr); }, da);
    }
}

TEST(Penalty, ActivationDerivativesDouble) {
    ae::Rng rng(4, 1);
    Md a = random_matrix(rng, 3, 5, -2.0, 2.0);
    for (Activation f : {Activation::identity, Activation::relu, Activation::leaky_relu, Activation::sigmoid,
                         Activation::tanh}) {
        SCOPED_TRACE(ae::activation_name(f));
        Md y(3, 5), d1(3, 5), d2(3, 5), yp(3, 5), ym(3, 5), d1p(3, 5), d1m(3, 5), s(3, 5);
        const double h = 1e-6;
        ae::activation_forward<double>(f, a, y);
        ae::activation_derivatives<double>(f, y, d1, d2);
        Md ap = (a.array() + h).matrix(), am = (a.array() - h).matrix();
        ae::activation_forward<double>(f, ap, yp);
        ae::activation_forward<double>(f, am, ym);
        ae::activation_derivatives<double>(f, yp, d1p, s);
        ae::activation_derivatives<double>(f, ym, d1m, s);
        EXPECT_LT(((yp - ym) / (2 * h) - d1).cwiseAbs().maxCoeff(), 1e-6);
        EXPECT_LT(((d1p - d1m) / (2 * h) - d2).cwiseAbs().maxCoeff(), 1e-6);
    }
}

ae::ModelConfig small(const std::string& type) {
    ae::ModelConfig m = ae::model_defaults(type);
    m.input_rows = 4;
    m.input_cols = 4;
    m.latent = 3;
    return m;
}

void randomize_biases(ae::Autoencoder& model, ae::Rng& rng) {
    for (const auto& t : model.params().tensors())
        if (t.name.find("bias") != std::string::npos)
            for (size_t k = 0; k < t.size; ++k) model.params().values()[t.offset + k] = 0.1f * float(rng.normal());
}

TEST(Penalty, SparseModelGradients) {
    for (ae::Sparsity sp : {ae::Sparsity::l1, ae::Sparsity::kl}) {
        SCOPED_TRACE(ae::sparsity_name(sp));
        ae::ModelConfig m = small("sparse");
        m.encoder = {6};
        m.activation = Activation::tanh;
        m.sparsity = sp;
        m.sparsity_weight = sp == ae::Sparsity::l1 ? 0.05f : 0.5f;
        ae::Autoencoder model(m);
        ae::Rng rng(21, 1);
        model.init(rng);
        randomize_biases(model, rng);
        const ae::Matrix x = gradcheck::random_pixels(rng, 16, 3);
        const double worst = gradcheck::check_model_gradients(model, x, x, 5, 2e-3);
        RecordProperty(std::string("worst_") + ae::sparsity_name(sp), std::to_string(worst));
        // The penalty is reported and part of the total.
        auto ws = model.make_workspace(3);
        model.forward(ws, x, x);
        EXPECT_GT(ws.terms.sparsity, 0.0);
        EXPECT_NEAR(ws.terms.total, ws.terms.reconstruction + ws.terms.sparsity, 1e-12);
    }
}

TEST(Penalty, ContractiveModelGradientsOneLayerExactAndDeepProbe) {
    for (int depth : {0, 2}) {
        SCOPED_TRACE("hidden layers " + std::to_string(depth));
        ae::ModelConfig m = small("contractive");
        m.encoder = depth ? std::vector<ae::LayerSpec>{6, 5} : std::vector<ae::LayerSpec>{};
        m.activation = Activation::tanh;
        m.contractive_weight = 0.3f;
        ae::Autoencoder model(m);
        ae::Rng rng(22, 1);
        model.init(rng);
        randomize_biases(model, rng);
        const ae::Matrix x = gradcheck::random_pixels(rng, 16, 3);
        const double worst = gradcheck::check_model_gradients(model, x, x, 6, 2e-3);
        RecordProperty("worst_depth_" + std::to_string(depth), std::to_string(worst));
    }
}

// One layer: the reported penalty is exactly weight * mean ‖J‖²_F with J from encoder_jacobian. Deep: the
// probe estimate averaged over many draws approaches the exact value (unbiased; 4000 probes per image,
// standard error well under the 5% tolerance).
TEST(Penalty, ContractivePenaltyMatchesTheJacobian) {
    for (int depth : {0, 2}) {
        SCOPED_TRACE("hidden layers " + std::to_string(depth));
        ae::ModelConfig m = small("contractive");
        m.encoder = depth ? std::vector<ae::LayerSpec>{6, 5} : std::vector<ae::LayerSpec>{};
        m.activation = Activation::tanh;
        m.contractive_weight = 1.0f;
        ae::Autoencoder model(m);
        ae::Rng rng(23, 1);
        model.init(rng);
        const ae::Matrix x = gradcheck::random_pixels(rng, 16, 4);
        double exact = 0.0;
        for (int i = 0; i < 4; ++i) exact += model.encoder_jacobian(x.col(i)).squaredNorm() / 4;
        auto ws = model.make_workspace(4);
        ae::Rng probe(9, 9);
        const int draws = depth ? 4000 : 1;
        double est = 0.0;
        for (int d = 0; d < draws; ++d) {
            model.forward(ws, x, x, nullptr, &probe);
            est += ws.terms.contractive / draws;
        }
        EXPECT_NEAR(est, exact, (depth ? 0.05 : 1e-5) * exact);
    }
}

}  // namespace
