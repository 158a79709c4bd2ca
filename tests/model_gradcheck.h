// Whole-model gradient check shared by the model-type tests (the method of test_autoencoder.cpp):
// forward_backward's parameter gradient against central differences of forward()'s total objective,
// on the float model as trained. The objective is ws.terms.total / u (u = the unit of loss_unit: 1/(n D)
// per pixel, 1/n for the vae), i.e. what forward_backward differentiates with grad_scale = 1. Random
// draws inside the model (VAE ε, contractive probes) come from an Rng re-seeded identically for every
// evaluation, so the objective is a deterministic function of the parameters.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/rng.h"

namespace gradcheck {

inline ae::Matrix random_pixels(ae::Rng& rng, int rows, int cols) {
    ae::Matrix x(rows, cols);
    for (int c = 0; c < cols; ++c)
        for (int r = 0; r < rows; ++r) x(r, c) = rng.uniform();
    return x;
}

inline double objective(const ae::Autoencoder& model, ae::Autoencoder::Workspace& ws, const ae::Matrix& x,
                        const ae::Matrix& target, uint64_t seed) {
    ae::Rng r(seed, 77);
    model.forward(ws, x, target, nullptr, &r);
    const double n = static_cast<double>(x.cols());
    const double unit = model.is_vae() ? 1.0 / n : 1.0 / (n * model.input_dim());
    return ws.terms.total / unit;
}

// Returns the worst relative error |a - n| / max(1, |a|, |n|) over all parameters; fails the test above tol.
// labels (cvae): the class of each column, the condition y every evaluation reads.
inline double check_model_gradients(ae::Autoencoder& model, const ae::Matrix& x, const ae::Matrix& target,
                                    uint64_t seed, double tol, float h = 1e-2f, const int* labels = nullptr) {
    auto ws = model.make_workspace(static_cast<int>(x.cols()));
    model.one_hot_into(ws, static_cast<int>(x.cols()), labels);
    model.params().zero_grad();
    {
        ae::Rng r(seed, 77);
        model.forward_backward(ws, x, target, 1.0f, nullptr, &r);
    }
    const std::vector<float> analytic = model.params().grads();
    std::vector<float>& p = model.params().values();
    double worst = 0.0;
    for (const auto& t : model.params().tensors()) {
        for (size_t k = 0; k < t.size; ++k) {
            const size_t i = t.offset + k;
            const float saved = p[i];
            p[i] = saved + h;
            const double lp = objective(model, ws, x, target, seed);
            p[i] = saved - h;
            const double lm = objective(model, ws, x, target, seed);
            p[i] = saved;
            const double step = double(saved + h) - double(saved - h);
            const double numeric = (lp - lm) / step;
            const double a = analytic[i];
            const double rel = std::fabs(a - numeric) / std::max({1.0, std::fabs(a), std::fabs(numeric)});
            worst = std::max(worst, rel);
            EXPECT_LT(rel, tol) << t.name << "[" << k << "] analytic " << a << " numeric " << numeric;
        }
    }
    return worst;
}

// A [r, c] double matrix with entries uniform in [lo, hi).
inline Eigen::MatrixXd random_matrix(ae::Rng& rng, int r, int c, double lo, double hi) {
    Eigen::MatrixXd m(r, c);
    for (int j = 0; j < c; ++j)
        for (int i = 0; i < r; ++i) m(i, j) = lo + (hi - lo) * rng.uniform_double();
    return m;
}

// Central differences (h = 1e-6, in double) of f with respect to every entry of m, compared with `analytic`
// to a relative tolerance tol (absolute below 1).
template <class M>
void expect_gradient(M& m, const std::function<double()>& f, const M& analytic, double tol = 1e-6) {
    const double h = 1e-6;
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) {
            const double saved = m(i, j);
            m(i, j) = saved + h;
            const double fp = f();
            m(i, j) = saved - h;
            const double fm = f();
            m(i, j) = saved;
            const double numeric = (fp - fm) / (2 * h);
            EXPECT_NEAR(analytic(i, j), numeric, tol * std::max(1.0, std::fabs(numeric))) << "(" << i << "," << j << ")";
        }
}

}  // namespace gradcheck
