// Reconstruction losses: gradients with respect to the logits checked against central differences in double
// precision, BCE's numerical stability for saturated logits, and BCE against the textbook formula.
//
// Gradient check: the loss is already a scalar, L(z) = sum l(z, t); loss_forward_backward returns
// dz = scale * dL/dz, compared with scale * (L(z + h e_i) - L(z - h e_i)) / (2h), h = 1e-6, relative error
// |a - n| / max(1, |a|, |n|) < 1e-6 (truncation ~ h^2 |l'''| / 6 ~ 1e-13; rounding of L, a sum of ~60 terms
// of size <= 10, ~ 1e-14 / h ~ 1e-8).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "ae/error.h"
#include "ae/loss.h"
#include "ae/rng.h"

namespace {

using MatD = Eigen::MatrixXd;
using MatF = Eigen::MatrixXf;
using ae::Activation;
using ae::Loss;

constexpr double kH = 1e-6;
constexpr double kTol = 1e-6;

double rel_err(double a, double n) { return std::fabs(a - n) / std::max({1.0, std::fabs(a), std::fabs(n)}); }

struct Case {
    Loss loss;
    Activation output;
    const char* name;
};
const Case kCases[] = {{Loss::bce, Activation::sigmoid, "bce+sigmoid"},
                       {Loss::mse, Activation::sigmoid, "mse+sigmoid"},
                       {Loss::mse, Activation::identity, "mse+identity"}};

double loss_at(const Case& c, const MatD& z, const MatD& t) {
    MatD y(z.rows(), z.cols()), dz(z.rows(), z.cols());
    return ae::loss_forward_backward<double>(c.loss, c.output, z, t, y, dz, 1.0);
}

TEST(Loss, NamesRoundTripAndErrors) {
    EXPECT_EQ(ae::loss_from_string("bce"), Loss::bce);
    EXPECT_EQ(ae::loss_from_string("mse"), Loss::mse);
    EXPECT_STREQ(ae::loss_name(Loss::bce), "bce");
    EXPECT_STREQ(ae::loss_name(Loss::mse), "mse");
    try {
        ae::loss_from_string("l1");
        FAIL() << "expected ae::Error";
    } catch (const ae::Error& e) {
        EXPECT_NE(std::string(e.what()).find("l1"), std::string::npos) << e.what();
    }
}

TEST(Loss, BceNeedsSigmoidOutput) {
    MatD z = MatD::Zero(2, 2), t = MatD::Zero(2, 2), y(2, 2), dz(2, 2);
    EXPECT_THROW(ae::loss_forward_backward<double>(Loss::bce, Activation::identity, z, t, y, dz, 1.0), ae::Error);
}

TEST(Loss, GradientWithRespectToLogitsMatchesCentralDifferences) {
    ae::Rng rng(202, 1);
    for (const Case& c : kCases) {
        SCOPED_TRACE(c.name);
        const int rows = 6, cols = 10;
        MatD z(rows, cols), t(rows, cols);
        for (int j = 0; j < cols; ++j)
            for (int i = 0; i < rows; ++i) {
                z(i, j) = 3.0 * rng.normal();
                // Targets in [0, 1] (pixels), including the ends; identity output may take any target.
                t(i, j) = c.output == Activation::identity ? 2.0 * rng.normal() : rng.uniform_double();
            }
        if (c.output != Activation::identity) {
            t(0, 0) = 0.0;
            t(1, 0) = 1.0;
        }
        for (double scale : {1.0, 0.37, 1.0 / (rows * cols)}) {
            MatD y(rows, cols), dz(rows, cols);
            const double total = ae::loss_forward_backward<double>(c.loss, c.output, z, t, y, dz, scale);
            // y is the reconstruction f(z); the returned sum equals loss_value on it.
            MatD fz(rows, cols);
            ae::activation_forward<double>(c.output, z, fz);
            EXPECT_EQ(y, fz);
            EXPECT_NEAR(total, ae::loss_value<double>(c.loss, z, y, t), 1e-12 * std::fabs(total));
            for (Eigen::Index i = 0; i < z.size(); ++i) {
                MatD zp = z, zm = z;
                zp(i) += kH;
                zm(i) -= kH;
                const double numeric = scale * (loss_at(c, zp, t) - loss_at(c, zm, t)) / (2 * kH);
                ASSERT_LT(rel_err(dz(i), numeric), kTol)
                    << "scale " << scale << " element " << i << " z = " << z(i) << " t = " << t(i) << " analytic "
                    << dz(i) << " numeric " << numeric;
            }
        }
    }
}

// dz may alias z (the model writes the gradient over the logits' buffer).
TEST(Loss, GradientMayOverwriteLogits) {
    ae::Rng rng(3, 3);
    for (const Case& c : kCases) {
        MatD z(4, 5), t(4, 5);
        for (Eigen::Index i = 0; i < z.size(); ++i) {
            z(i) = 2.0 * rng.normal();
            t(i) = rng.uniform_double();
        }
        MatD y(4, 5), dz(4, 5), y2(4, 5);
        const double a = ae::loss_forward_backward<double>(c.loss, c.output, z, t, y, dz, 0.5);
        MatD zz = z;
        const double b = ae::loss_forward_backward<double>(c.loss, c.output, zz, t, y2, zz, 0.5);
        EXPECT_EQ(a, b) << c.name;
        EXPECT_EQ(zz, dz) << c.name;
    }
}

// BCE with logits is finite for saturated logits in both precisions and equals the exact values
// l = max(z, 0) - z t + log(1 + e^{-|z|}), dl/dz = sigmoid(z) - t (relative 1e-6).
template <typename T>
void check_bce_saturated() {
    using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
    for (double zv : {-1e4, -100.0, 100.0, 1e4}) {
        for (double tv : {0.0, 0.5, 1.0}) {
            Mat z = Mat::Constant(1, 1, T(zv)), t = Mat::Constant(1, 1, T(tv)), y(1, 1), dz(1, 1);
            const double l = ae::loss_forward_backward<T>(Loss::bce, Activation::sigmoid, z, t, y, dz, T(1));
            ASSERT_TRUE(std::isfinite(l)) << "z " << zv << " t " << tv;
            ASSERT_TRUE(std::isfinite(double(dz(0, 0)))) << "z " << zv << " t " << tv;
            ASSERT_TRUE(std::isfinite(double(y(0, 0)))) << "z " << zv << " t " << tv;
            const double exact = std::max(zv, 0.0) - zv * tv + std::log1p(std::exp(-std::fabs(zv)));
            const double exact_grad = 1.0 / (1.0 + std::exp(-zv)) - tv;
            EXPECT_NEAR(l, exact, 1e-6 * std::max(1.0, std::fabs(exact))) << "z " << zv << " t " << tv;
            EXPECT_NEAR(double(dz(0, 0)), exact_grad, 1e-6) << "z " << zv << " t " << tv;
            // The loss-only path agrees.
            EXPECT_EQ(ae::loss_value<T>(Loss::bce, z, y, t), l);
            // MSE on a saturated sigmoid is finite too.
            const double m = ae::loss_forward_backward<T>(Loss::mse, Activation::sigmoid, z, t, y, dz, T(1));
            EXPECT_TRUE(std::isfinite(m));
            EXPECT_TRUE(std::isfinite(double(dz(0, 0))));
        }
    }
}

TEST(Loss, BceIsStableForSaturatedLogitsFloat) { check_bce_saturated<float>(); }
TEST(Loss, BceIsStableForSaturatedLogitsDouble) { check_bce_saturated<double>(); }

// A whole saturated batch in float (the vectorised path, not only 1x1).
TEST(Loss, BceSaturatedBatchFloat) {
    MatF z(3, 8), t(3, 8), y(3, 8), dz(3, 8);
    const float zs[] = {-1e4f, -100.0f, 100.0f, 1e4f, -1e4f, 1e4f, 0.0f, 30.0f};
    const float ts[] = {0.0f, 0.5f, 1.0f};
    for (int j = 0; j < 8; ++j)
        for (int i = 0; i < 3; ++i) {
            z(i, j) = zs[j];
            t(i, j) = ts[i];
        }
    const double l = ae::loss_forward_backward<float>(Loss::bce, Activation::sigmoid, z, t, y, dz, 1.0f);
    EXPECT_TRUE(std::isfinite(l));
    EXPECT_TRUE(dz.allFinite());
    EXPECT_TRUE(y.allFinite());
}

// On moderate logits BCE equals the textbook -(t log y + (1 - t) log(1 - y)), y = sigmoid(z), to 1e-9.
TEST(Loss, BceMatchesNaiveFormulaOnModerateLogits) {
    ae::Rng rng(404, 1);
    for (int k = 0; k < 2000; ++k) {
        const double zv = 10.0 * rng.uniform_double() - 5.0, tv = k % 10 == 0 ? 0.0 : k % 10 == 1 ? 1.0
                                                                                     : rng.uniform_double();
        MatD z = MatD::Constant(1, 1, zv), t = MatD::Constant(1, 1, tv), y(1, 1), dz(1, 1);
        const double l = ae::loss_forward_backward<double>(Loss::bce, Activation::sigmoid, z, t, y, dz, 1.0);
        const double s = 1.0 / (1.0 + std::exp(-zv));
        const double naive = -(tv * std::log(s) + (1.0 - tv) * std::log(1.0 - s));
        ASSERT_NEAR(l, naive, 1e-9) << "z " << zv << " t " << tv;
    }
    // And summed over a matrix.
    MatD z(5, 7), t(5, 7);
    for (Eigen::Index i = 0; i < z.size(); ++i) {
        z(i) = 10.0 * rng.uniform_double() - 5.0;
        t(i) = rng.uniform_double();
    }
    MatD y(5, 7), dz(5, 7);
    const double l = ae::loss_forward_backward<double>(Loss::bce, Activation::sigmoid, z, t, y, dz, 1.0);
    double naive = 0.0;
    for (Eigen::Index i = 0; i < z.size(); ++i) {
        const double s = 1.0 / (1.0 + std::exp(-z(i)));
        naive -= t(i) * std::log(s) + (1.0 - t(i)) * std::log(1.0 - s);
    }
    EXPECT_NEAR(l, naive, 1e-9 * std::max(1.0, std::fabs(naive)));
}

// MSE's value is the plain sum of squared differences on the output.
TEST(Loss, MseValue) {
    MatD z(1, 3), t(1, 3), y(1, 3), dz(1, 3);
    z << 0.5, -1.0, 2.0;
    t << 0.0, 1.0, 2.5;
    const double l = ae::loss_forward_backward<double>(Loss::mse, Activation::identity, z, t, y, dz, 1.0);
    EXPECT_DOUBLE_EQ(l, 0.25 + 4.0 + 0.25);
    EXPECT_DOUBLE_EQ(dz(0, 0), 1.0);
    EXPECT_DOUBLE_EQ(dz(0, 1), -4.0);
    EXPECT_DOUBLE_EQ(dz(0, 2), -1.0);
}

}  // namespace
