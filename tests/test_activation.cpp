// Activations: forward values, and backward checked against central differences in double precision.
//
// Gradient check (as ggml's test-backend-ops): scalar objective L(x) = sum(u .* f(x)) with random upstream
// weights u; analytic dL/dx = activation_backward(y, u) against (L(x + h e_i) - L(x - h e_i)) / (2h),
// h = 1e-6, relative error |a - n| / max(1, |a|, |n|). Tolerance 1e-6 for every activation: the truncation
// error is h^2 |f'''| / 6 ~ 1e-13 and the rounding error of L is ~ 1e-16 * sum|u f| / h ~ 1e-8.
// ReLU and leaky ReLU have a kink at 0: points with |x| < 10 h are moved away from it before the check.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "ae/activation.h"
#include "ae/error.h"
#include "ae/rng.h"

namespace {

using MatD = Eigen::MatrixXd;
using ae::Activation;

constexpr double kH = 1e-6;
constexpr double kTol = 1e-6;

const Activation kAll[] = {Activation::identity, Activation::relu, Activation::leaky_relu, Activation::sigmoid,
                           Activation::tanh};

double rel_err(double a, double n) { return std::fabs(a - n) / std::max({1.0, std::fabs(a), std::fabs(n)}); }

MatD random_matrix(ae::Rng& rng, int rows, int cols, double scale) {
    MatD m(rows, cols);
    for (int c = 0; c < cols; ++c)
        for (int r = 0; r < rows; ++r) m(r, c) = scale * rng.normal();
    return m;
}

bool has_kink(Activation a) { return a == Activation::relu || a == Activation::leaky_relu; }

double objective(Activation a, const MatD& x, const MatD& u) {
    MatD y(x.rows(), x.cols());
    ae::activation_forward<double>(a, x, y);
    return (u.array() * y.array()).sum();
}

TEST(Activation, NamesRoundTrip) {
    for (Activation a : kAll) EXPECT_EQ(ae::activation_from_string(ae::activation_name(a)), a);
    EXPECT_EQ(ae::activation_from_string("leakyrelu"), Activation::leaky_relu);
    try {
        ae::activation_from_string("swish");
        FAIL() << "expected ae::Error";
    } catch (const ae::Error& e) {
        EXPECT_NE(std::string(e.what()).find("swish"), std::string::npos) << e.what();
    }
}

TEST(Activation, ForwardValues) {
    MatD x(1, 5);
    x << -2.0, -0.5, 0.0, 0.5, 3.0;
    MatD y(1, 5);
    for (Activation a : kAll) {
        ae::activation_forward<double>(a, x, y);
        for (int i = 0; i < 5; ++i) {
            const double v = x(0, i);
            double ref = v;
            switch (a) {
                case Activation::identity: ref = v; break;
                case Activation::relu: ref = std::max(v, 0.0); break;
                case Activation::leaky_relu: ref = v > 0 ? v : double(ae::kLeakyReluSlope) * v; break;
                case Activation::sigmoid: ref = 1.0 / (1.0 + std::exp(-v)); break;
                case Activation::tanh: ref = std::tanh(v); break;
            }
            EXPECT_NEAR(y(0, i), ref, 1e-15) << ae::activation_name(a) << " at " << v;
        }
    }
}

// PyTorch's convention at the kink: relu'(0) = 0, leaky_relu'(0) = slope.
TEST(Activation, DerivativeAtKink) {
    MatD x = MatD::Zero(1, 1), y(1, 1), dy = MatD::Ones(1, 1), dx(1, 1);
    ae::activation_forward<double>(Activation::relu, x, y);
    ae::activation_backward<double>(Activation::relu, y, dy, dx);
    EXPECT_EQ(dx(0, 0), 0.0);
    ae::activation_forward<double>(Activation::leaky_relu, x, y);
    ae::activation_backward<double>(Activation::leaky_relu, y, dy, dx);
    EXPECT_NEAR(dx(0, 0), double(ae::kLeakyReluSlope), 1e-9);
}

TEST(Activation, GradientMatchesCentralDifferences) {
    ae::Rng rng(101, 1);
    for (Activation a : kAll) {
        SCOPED_TRACE(ae::activation_name(a));
        MatD x = random_matrix(rng, 7, 9, 2.0);
        if (has_kink(a)) {
            x(0) = 0.0;  // points on and next to the kink, to exercise the escape
            x(1) = 3e-6;
            x(2) = -4e-6;
            // Kink escape: move points within 10 h of 0 to +-0.1 (ggml moves them off the discontinuity too).
            for (Eigen::Index i = 0; i < x.size(); ++i)
                if (std::fabs(x(i)) < 10 * kH) x(i) = x(i) < 0 ? -0.1 : 0.1;
        }
        const MatD u = random_matrix(rng, 7, 9, 1.0);
        MatD y(7, 9), dx(7, 9);
        ae::activation_forward<double>(a, x, y);
        ae::activation_backward<double>(a, y, u, dx);
        double worst = 0.0;
        for (Eigen::Index i = 0; i < x.size(); ++i) {
            MatD xp = x, xm = x;
            xp(i) += kH;
            xm(i) -= kH;
            const double numeric = (objective(a, xp, u) - objective(a, xm, u)) / (2 * kH);
            worst = std::max(worst, rel_err(dx(i), numeric));
            ASSERT_LT(rel_err(dx(i), numeric), kTol) << "element " << i << " x = " << x(i) << " analytic " << dx(i)
                                                     << " numeric " << numeric;
        }
        RecordProperty(std::string("worst_rel_err_") + ae::activation_name(a), std::to_string(worst));
    }
}

// Saturated inputs stay finite (sigmoid/tanh at +-1e4 and +-inf-adjacent values).
TEST(Activation, SaturatedInputsAreFinite) {
    MatD x(1, 6);
    x << -1e4, -100.0, -40.0, 40.0, 100.0, 1e4;
    MatD y(1, 6), dx(1, 6);
    const MatD u = MatD::Ones(1, 6);
    for (Activation a : {Activation::sigmoid, Activation::tanh}) {
        ae::activation_forward<double>(a, x, y);
        ae::activation_backward<double>(a, y, u, dx);
        EXPECT_TRUE(y.allFinite()) << ae::activation_name(a);
        EXPECT_TRUE(dx.allFinite()) << ae::activation_name(a);
        Eigen::MatrixXf xf = x.cast<float>(), yf(1, 6), dxf(1, 6);
        ae::activation_forward<float>(a, xf, yf);
        ae::activation_backward<float>(a, yf, Eigen::MatrixXf::Ones(1, 6), dxf);
        EXPECT_TRUE(yf.allFinite()) << ae::activation_name(a);
        EXPECT_TRUE(dxf.allFinite()) << ae::activation_name(a);
    }
}

// y may alias x and dx may alias dy (the model runs activations in place).
TEST(Activation, InPlaceMatchesOutOfPlace) {
    ae::Rng rng(7, 7);
    for (Activation a : kAll) {
        const MatD x = random_matrix(rng, 5, 4, 2.0), u = random_matrix(rng, 5, 4, 1.0);
        MatD y(5, 4), dx(5, 4);
        ae::activation_forward<double>(a, x, y);
        ae::activation_backward<double>(a, y, u, dx);
        MatD inplace = x;
        ae::activation_forward<double>(a, inplace, inplace);
        EXPECT_EQ(inplace, y) << ae::activation_name(a);
        MatD d = u;
        ae::activation_backward<double>(a, y, d, d);
        EXPECT_EQ(d, dx) << ae::activation_name(a);
    }
}

// The float instantiation agrees with the double one to float precision.
TEST(Activation, FloatMatchesDouble) {
    ae::Rng rng(9, 9);
    for (Activation a : kAll) {
        const MatD x = random_matrix(rng, 6, 6, 2.0), u = random_matrix(rng, 6, 6, 1.0);
        MatD y(6, 6), dx(6, 6);
        ae::activation_forward<double>(a, x, y);
        ae::activation_backward<double>(a, y, u, dx);
        Eigen::MatrixXf xf = x.cast<float>(), uf = u.cast<float>(), yf(6, 6), dxf(6, 6);
        ae::activation_forward<float>(a, xf, yf);
        ae::activation_backward<float>(a, yf, uf, dxf);
        EXPECT_LT((yf.cast<double>() - y).cwiseAbs().maxCoeff(), 1e-5) << ae::activation_name(a);
        EXPECT_LT((dxf.cast<double>() - dx).cwiseAbs().maxCoeff(), 1e-5) << ae::activation_name(a);
    }
}

}  // namespace
