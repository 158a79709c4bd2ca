// Latent tools: the inverse normal CDF against high-precision values, grid layouts and spacings, lerp and
// slerp against hand-computed points, prior and fitted-Gaussian samples, latent noise, 2-D projection.
#include "ae/latent.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"

namespace {

using test_util::error_of;
using test_util::expect_contains;

// Reference quantiles: sqrt(2) * erfinv(2p - 1) with mpmath at 30 digits.
TEST(NormalQuantile, MatchesHighPrecisionValuesInAllThreeRegions) {
    EXPECT_EQ(ae::normal_quantile(0.5), 0.0);
    EXPECT_NEAR(ae::normal_quantile(0.3), -0.52440051270804078404, 1e-15);          // central region
    EXPECT_NEAR(ae::normal_quantile(0.975), 1.9599639845400542355, 1e-15);          // tail, r <= 5
    EXPECT_NEAR(ae::normal_quantile(0.025), -1.9599639845400542355, 1e-15);
    EXPECT_NEAR(ae::normal_quantile(1e-10), -6.3613409024040562047, 1e-14);
    EXPECT_NEAR(ae::normal_quantile(1e-20), -9.2623400897981532129, 1e-12);        // far tail, r > 5
    EXPECT_EQ(ae::normal_quantile(0.0), -INFINITY);
    EXPECT_EQ(ae::normal_quantile(1.0), INFINITY);
    expect_contains(error_of([] { ae::normal_quantile(1.5); }), "outside [0, 1]");
    expect_contains(error_of([] { ae::normal_quantile(NAN); }), "outside [0, 1]");
}

TEST(NormalQuantile, InvertsTheCdf) {
    for (double p = 1e-6; p < 1.0; p += 0.0137) EXPECT_NEAR(ae::normal_cdf(ae::normal_quantile(p)), p, 1e-14 + 1e-13 * p);
    // Lower tail only: for x > 0, Phi(x) rounds to 1 - O(1e-16) and the round trip loses digits in Phi, not in
    // the quantile (normal_quantile is odd up to that rounding).
    for (double x = -8.0; x <= 0.0; x += 0.25) EXPECT_NEAR(ae::normal_quantile(ae::normal_cdf(x)), x, 1e-12);
    for (double p = 1e-12; p < 0.5; p *= 3.7) EXPECT_EQ(ae::normal_quantile(1.0 - p), -ae::normal_quantile(1.0 - (1.0 - p)));
}

TEST(GridAxis, LinearAndNormalSpacing) {
    EXPECT_EQ(ae::grid_axis(5, -2, 2, ae::GridSpacing::linear), (std::vector<double>{-2, -1, 0, 1, 2}));
    EXPECT_EQ(ae::grid_axis(1, -2, 4, ae::GridSpacing::linear), (std::vector<double>{1}));
    std::vector<double> v = ae::grid_axis(5, -2, 2, ae::GridSpacing::normal_quantile);
    ASSERT_EQ(v.size(), 5u);
    EXPECT_EQ(v[0], -2.0);
    EXPECT_EQ(v[4], 2.0);
    // Phi^-1(Phi(-2) + (Phi(2) - Phi(-2)) / 4), mpmath: -0.63911191087127283
    EXPECT_NEAR(v[1], -0.6391119108712728296, 1e-12);
    EXPECT_NEAR(v[2], 0.0, 1e-15);
    EXPECT_NEAR(v[3], 0.6391119108712728296, 1e-12);
    expect_contains(error_of([] { ae::grid_axis(3, 1, 1, ae::GridSpacing::linear); }), "lo < hi");
    expect_contains(error_of([] { ae::grid_axis(3, -9, 1, ae::GridSpacing::normal_quantile); }), "<= 8");
    expect_contains(error_of([] { ae::grid_axis(0, -1, 1, ae::GridSpacing::linear); }), "at least 1");
    EXPECT_EQ(ae::grid_spacing_from_string("normal"), ae::GridSpacing::normal_quantile);
    expect_contains(error_of([] { ae::grid_spacing_from_string("log"); }), "'log'");
}

TEST(ManifoldGrid, SweepsTwoDimensionsRowMajorFromTheTop) {
    ae::Vector base(4);
    base << 7, 8, 9, 10;
    ae::Matrix z = ae::manifold_grid_codes(base, 2, 0, 3, -1, 1, ae::GridSpacing::linear);
    ASSERT_EQ(z.rows(), 4);
    ASSERT_EQ(z.cols(), 9);
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) {
            auto col = z.col(r * 3 + c);
            EXPECT_EQ(col(2), -1.0f + c);  // x grows to the right
            EXPECT_EQ(col(0), 1.0f - r);   // y grows upwards: the top row has the largest value
            EXPECT_EQ(col(1), 8.0f);       // other dimensions keep the base code
            EXPECT_EQ(col(3), 10.0f);
        }
    }
    ae::Matrix z2 = ae::manifold_grid_codes(base, 0, 1, 2, 0, 1, 10, 20, ae::GridSpacing::linear);
    EXPECT_EQ(z2(0, 1), 1.0f);   // top row, right column: x = x_hi
    EXPECT_EQ(z2(1, 1), 20.0f);  // top row: y = y_hi
    EXPECT_EQ(z2(1, 2), 10.0f);  // bottom row: y = y_lo
    expect_contains(error_of([&] { ae::manifold_grid_codes(base, 1, 1, 3, -1, 1, ae::GridSpacing::linear); }),
                    "two different indices");
    expect_contains(error_of([&] { ae::manifold_grid_codes(base, 0, 4, 3, -1, 1, ae::GridSpacing::linear); }),
                    "[0, 4)");
}

TEST(ManifoldGrid, QuantileRangeOfCodes) {
    ae::Matrix z(2, 101);
    for (int j = 0; j < 101; ++j) {
        z(0, j) = static_cast<float>(100 - j);  // 0..100, reversed
        z(1, j) = 3.0f;                         // constant
    }
    EXPECT_EQ(ae::code_quantile_range(z, 0), (std::pair<double, double>{1.0, 99.0}));
    EXPECT_EQ(ae::code_quantile_range(z, 0, 0.0, 1.0), (std::pair<double, double>{0.0, 100.0}));
    EXPECT_EQ(ae::code_quantile_range(z, 1), (std::pair<double, double>{3.0, 4.0}));  // widened
    expect_contains(error_of([&] { ae::code_quantile_range(z, 2); }), "dimension 2");
}

TEST(Interpolation, LerpSlerpAndBlendByHand) {
    ae::Vector a(2), b(2);
    a << 1, 0;
    b << 0, 1;
    ae::Matrix l = ae::lerp_codes(a, b, 3);
    EXPECT_FLOAT_EQ(l(0, 1), 0.5f);
    EXPECT_FLOAT_EQ(l(1, 1), 0.5f);
    ae::Matrix s = ae::slerp_codes(a, b, 3);
    EXPECT_NEAR(s(0, 1), std::sqrt(0.5), 1e-7);  // the midpoint of the quarter circle
    EXPECT_NEAR(s(1, 1), std::sqrt(0.5), 1e-7);
    ae::Matrix s5 = ae::slerp_codes(2 * a, 2 * b, 5);
    for (int i = 0; i < 5; ++i) EXPECT_NEAR(s5.col(i).norm(), 2.0f, 1e-6);  // stays on the circle
    EXPECT_NEAR(s5(0, 1), 2 * std::cos(M_PI / 8), 1e-6);  // t = 1/4: a quarter of the 90 degree angle
    EXPECT_EQ(s5.col(0), 2 * a);
    EXPECT_NEAR((s5.col(4) - 2 * b).norm(), 0.0f, 1e-6);
    // Parallel codes fall back to lerp; antipodal codes are an error.
    ae::Matrix par = ae::slerp_codes(a, 3 * a, 3);
    EXPECT_FLOAT_EQ(par(0, 1), 2.0f);
    expect_contains(error_of([&] { ae::slerp_codes(a, -a, 3); }), "opposite directions");
    expect_contains(error_of([&] { ae::lerp_codes(a, ae::Vector(3), 3); }), "sizes differ");
    expect_contains(error_of([&] { ae::lerp_codes(a, b, 1); }), "at least 2");
    ae::Vector xa = ae::Vector::Constant(4, 0.0f), xb = ae::Vector::Constant(4, 1.0f);
    ae::Matrix blend = ae::blend_images(xa, xb, 5);
    for (int i = 0; i < 5; ++i) EXPECT_FLOAT_EQ(blend(3, i), 0.25f * i);
}

TEST(Sampling, PriorSamplesAreTheRngsNormalsInColumnOrder) {
    ae::Rng r1(5), r2(5);
    ae::Matrix z = ae::prior_samples(3, 4, r1);
    for (int j = 0; j < 4; ++j)
        for (int i = 0; i < 3; ++i) EXPECT_EQ(z(i, j), static_cast<float>(r2.normal()));
    // Moments of 20,000 x 4 draws: mean within 4 standard errors (4/sqrt(20000) = 0.028), variance near 1.
    ae::Rng r3(11);
    ae::Matrix big = ae::prior_samples(4, 20000, r3);
    for (int i = 0; i < 4; ++i) {
        const double m = big.row(i).cast<double>().mean();
        const double var = (big.row(i).cast<double>().array() - m).square().sum() / 19999.0;
        EXPECT_NEAR(m, 0.0, 0.028);
        EXPECT_NEAR(var, 1.0, 0.04);
    }
}

TEST(Sampling, GaussianFitReproducesMeanAndCovariance) {
    // Codes with a known correlated distribution: z = mu + A eps.
    ae::Rng rng(2);
    Eigen::Matrix2d A;
    A << 2.0, 0.0, 1.5, 0.5;
    ae::Matrix codes(2, 50000);
    for (int j = 0; j < codes.cols(); ++j) {
        Eigen::Vector2d e(rng.normal(), rng.normal());
        codes.col(j) = (Eigen::Vector2d(3.0, -1.0) + A * e).cast<float>();
    }
    ae::GaussianFit g = ae::gaussian_fit(codes);
    EXPECT_NEAR(g.mean(0), 3.0f, 0.03f);
    EXPECT_NEAR(g.mean(1), -1.0f, 0.03f);
    const Eigen::Matrix2d cov_true = A * A.transpose();  // [[4, 3], [3, 2.5]]
    const Eigen::Matrix2d cov_fit = (g.chol * g.chol.transpose()).cast<double>();
    EXPECT_NEAR((cov_fit - cov_true).cwiseAbs().maxCoeff(), 0.0, 0.08);
    EXPECT_EQ(g.chol(0, 1), 0.0f);  // lower triangular
    ae::Rng r2(9);
    ae::Matrix s = ae::gaussian_samples(g, 50000, r2);
    const Eigen::Vector2d m = s.cast<double>().rowwise().mean();
    EXPECT_NEAR(m(0), 3.0, 0.05);
    const Eigen::MatrixXd c = s.cast<double>().colwise() - m;
    EXPECT_NEAR((c * c.transpose() / 49999.0 - cov_true).cwiseAbs().maxCoeff(), 0.0, 0.15);
    // Identical codes (zero covariance) still factor thanks to the jitter.
    ae::Matrix same = ae::Matrix::Constant(3, 10, 1.0f);
    EXPECT_NO_THROW(ae::gaussian_fit(same));
    expect_contains(error_of([] { ae::gaussian_fit(ae::Matrix::Zero(2, 1)); }), "at least 2 codes");
}

// Wider codes than kGaussianCholeskyMaxDim keep the centred codes as the factor (no k x k matrix): the
// draws have the codes' mean and covariance (checked along a direction and in total).
TEST(Sampling, GaussianFitOfWideCodesUsesTheCodesAsFactor) {
    ae::Rng rng(4);
    const int k = ae::kGaussianCholeskyMaxDim + 88, n = 300;
    Eigen::MatrixXd a(k, 3);
    for (int j = 0; j < 3; ++j)
        for (int i = 0; i < k; ++i) a(i, j) = rng.normal() / std::sqrt(static_cast<double>(k)) * (3.0 - j);
    ae::Matrix codes(k, n);
    for (int j = 0; j < n; ++j) {
        const Eigen::Vector3d e(rng.normal(), rng.normal(), rng.normal());
        Eigen::VectorXd z = a * e;
        for (int i = 0; i < k; ++i) z(i) += 0.01 * rng.normal() + 0.5;
        codes.col(j) = z.cast<float>();
    }
    const ae::GaussianFit g = ae::gaussian_fit(codes);
    EXPECT_EQ(g.chol.size(), 0);
    ASSERT_EQ(g.factor.rows(), k);
    ASSERT_EQ(g.factor.cols(), n);
    EXPECT_GT(g.jitter_sd, 0.0);
    const Eigen::MatrixXd x = codes.cast<double>();
    const Eigen::VectorXd mean = x.rowwise().mean();
    const Eigen::MatrixXd c = x.colwise() - mean;
    const Eigen::VectorXd u = a.col(0).normalized();
    const double var_u = (u.transpose() * c).squaredNorm() / (n - 1);
    const double total = c.squaredNorm() / (n - 1);

    ae::Rng r2(5);
    const int draws = 3000;
    const Eigen::MatrixXd s = ae::gaussian_samples(g, draws, r2).cast<double>();
    ASSERT_EQ(s.rows(), k);
    const Eigen::VectorXd sm = s.rowwise().mean();
    EXPECT_LT((sm - mean).norm(), 0.1 * std::sqrt(total));
    const Eigen::MatrixXd sc = s.colwise() - sm;
    EXPECT_NEAR((u.transpose() * sc).squaredNorm() / (draws - 1), var_u, 0.1 * var_u);
    EXPECT_NEAR(sc.squaredNorm() / (draws - 1), total, 0.06 * total);
}

TEST(Sampling, LatentNoiseAddsScaledNormals) {
    ae::Matrix codes = ae::Matrix::Constant(2, 3, 1.0f);
    ae::Rng r1(4), r2(4);
    ae::Matrix noisy = ae::add_latent_noise(codes, 0.5, r1);
    for (int j = 0; j < 3; ++j)
        for (int i = 0; i < 2; ++i) EXPECT_EQ(noisy(i, j), 1.0f + static_cast<float>(0.5 * r2.normal()));
    ae::Rng r3(4);
    EXPECT_EQ(ae::add_latent_noise(codes, 0.0, r3), codes);
    expect_contains(error_of([&] { ae::add_latent_noise(codes, -1.0, r3); }), "sigma");
}

TEST(Projection, IdentityForTwoDimsPcaAbove) {
    ae::Matrix z2(2, 3);
    z2 << 1, 2, 3, 4, 5, 6;
    ae::LatentProjection p2 = ae::latent_project_2d(z2);
    EXPECT_EQ(p2.points, z2);
    EXPECT_FALSE(p2.uses_pca);
    EXPECT_EQ(p2.x_label, "z1");
    // Codes in 3-D lying in a plane: two components explain all the variance, and the projection keeps
    // every pairwise distance.
    ae::Rng rng(1);
    ae::Matrix z3(3, 50);
    for (int j = 0; j < 50; ++j) {
        const double u = rng.normal(), v = rng.normal();
        z3.col(j) << static_cast<float>(u + v), static_cast<float>(u - v), static_cast<float>(2 * u);
    }
    ae::LatentProjection p3 = ae::latent_project_2d(z3);
    EXPECT_TRUE(p3.uses_pca);
    EXPECT_NEAR(p3.explained, 1.0, 1e-5);
    EXPECT_EQ(p3.x_label, "PC1");
    for (int j = 1; j < 50; ++j)
        EXPECT_NEAR((p3.points.col(j) - p3.points.col(0)).norm(), (z3.col(j) - z3.col(0)).norm(), 1e-4);
    ae::Matrix z1(1, 2);
    z1 << 4, 5;
    ae::LatentProjection p1 = ae::latent_project_2d(z1);
    EXPECT_EQ(p1.points(0, 1), 5.0f);
    EXPECT_EQ(p1.points(1, 1), 0.0f);
    expect_contains(error_of([] { ae::latent_project_2d(ae::Matrix(0, 0)); }), "empty");
}

}  // namespace
