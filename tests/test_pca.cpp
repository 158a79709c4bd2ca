#include "ae/pca.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ae/error.h"
#include "ae/rng.h"

namespace {

Eigen::MatrixXd normal_matrix(int rows, int cols, ae::Rng& rng) {
    Eigen::MatrixXd m(rows, cols);
    for (int j = 0; j < cols; ++j) {
        for (int i = 0; i < rows; ++i) m(i, j) = rng.normal();
    }
    return m;
}

// Random orthonormal d x d matrix (Q of a QR decomposition of a Gaussian matrix).
Eigen::MatrixXd random_rotation(int d, ae::Rng& rng) {
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(normal_matrix(d, d, rng));
    return qr.householderQ() * Eigen::MatrixXd::Identity(d, d);
}

// n samples whose *sample* covariance is exactly Q diag(variances) Q^T (up to rounding): Gaussian draws
// are centred and whitened so that their own covariance is the identity, then scaled and rotated.
ae::Matrix data_with_axes(const Eigen::MatrixXd& q, const Eigen::VectorXd& variances,
                          const Eigen::VectorXd& mean, int n, ae::Rng& rng) {
    const int d = static_cast<int>(q.rows());
    Eigen::MatrixXd z = normal_matrix(d, n, rng);
    z.colwise() -= z.rowwise().mean();
    const Eigen::MatrixXd s = z * z.transpose() / (n - 1);
    Eigen::LLT<Eigen::MatrixXd> llt(s);
    z = llt.matrixL().solve(z);  // now z z^T / (n-1) = I
    Eigen::MatrixXd x = q * variances.cwiseSqrt().asDiagonal() * z;
    x.colwise() += mean;
    return x.cast<float>();
}

double angle_between(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    const double c = a.dot(b) / (a.norm() * b.norm());
    const double s = (a / a.norm() - c * b / b.norm()).norm();
    return std::atan2(s, std::abs(c));
}

}  // namespace

TEST(Pca, RecoversKnownAxesAndVariances) {
    ae::Rng rng(7);
    const int d = 8, n = 2000, k = 4;  // n spans several accumulation blocks
    const Eigen::MatrixXd q = random_rotation(d, rng);
    Eigen::VectorXd variances(d);
    variances << 16.0, 9.0, 4.0, 1.0, 0.25, 0.1, 0.05, 0.01;
    Eigen::VectorXd mean(d);
    mean << 5.0, -3.0, 0.5, 2.0, -1.0, 0.0, 10.0, -7.5;
    const ae::Matrix x = data_with_axes(q, variances, mean, n, rng);

    const ae::Pca p = ae::pca_fit(x, k);
    ASSERT_EQ(p.mean.size(), d);
    ASSERT_EQ(p.components.rows(), d);
    ASSERT_EQ(p.components.cols(), k);
    ASSERT_EQ(p.variances.size(), k);
    EXPECT_LT((p.mean.cast<double>() - mean).norm(), 1e-4);
    for (int c = 0; c < k; ++c) {
        const Eigen::VectorXd axis = p.components.col(c).cast<double>();
        EXPECT_LT(angle_between(axis, q.col(c)), 1e-3) << "component " << c;
        EXPECT_NEAR(p.variances(c), variances(c), 0.01 * variances(c)) << "component " << c;
    }
    // Orthonormal columns, decreasing variances.
    const Eigen::MatrixXf gram = p.components.transpose() * p.components;
    EXPECT_TRUE(gram.isApprox(Eigen::MatrixXf::Identity(k, k), 1e-5f));
    for (int c = 1; c < k; ++c) EXPECT_GE(p.variances(c - 1), p.variances(c));
}

TEST(Pca, SignConventionAndDeterminism) {
    ae::Rng rng(11);
    const int d = 6, n = 300;
    Eigen::VectorXd variances(d);
    variances << 5.0, 4.0, 3.0, 2.0, 1.0, 0.5;
    const ae::Matrix x = data_with_axes(random_rotation(d, rng), variances, Eigen::VectorXd::Zero(d), n, rng);
    const ae::Pca a = ae::pca_fit(x, d);
    const ae::Pca b = ae::pca_fit(x, d);
    EXPECT_EQ(a.components, b.components);
    EXPECT_EQ(a.variances, b.variances);
    for (int c = 0; c < d; ++c) {
        Eigen::Index largest = 0;
        a.components.col(c).cwiseAbs().maxCoeff(&largest);
        EXPECT_GT(a.components(largest, c), 0.0f) << "component " << c;
    }
    // Negating the data flips no signs: the convention does not depend on the orientation of the data.
    const ae::Pca neg = ae::pca_fit(-x, d);
    EXPECT_TRUE(neg.components.isApprox(a.components, 1e-4f));
}

TEST(Pca, HandWorkedLine) {
    // Points (t, 2t) for t = -2..2 plus an offset: mean (1, 1), variance of t = 10/4 = 2.5, so the first
    // axis is (1, 2)/sqrt(5) with variance 2.5 * 5 = 12.5 and the second has variance 0.
    ae::Matrix x(2, 5);
    for (int i = 0; i < 5; ++i) {
        const float t = static_cast<float>(i - 2);
        x(0, i) = 1.0f + t;
        x(1, i) = 1.0f + 2.0f * t;
    }
    const ae::Pca p = ae::pca_fit(x, 2);
    EXPECT_NEAR(p.mean(0), 1.0f, 1e-6f);
    EXPECT_NEAR(p.mean(1), 1.0f, 1e-6f);
    EXPECT_NEAR(p.components(0, 0), 1.0f / std::sqrt(5.0f), 1e-6f);
    EXPECT_NEAR(p.components(1, 0), 2.0f / std::sqrt(5.0f), 1e-6f);
    EXPECT_NEAR(p.variances(0), 12.5f, 1e-5f);
    EXPECT_NEAR(p.variances(1), 0.0f, 1e-6f);
    EXPECT_GE(p.variances(1), 0.0f);
    const ae::Matrix codes = ae::pca_project(p, x);
    for (int i = 0; i < 5; ++i) EXPECT_NEAR(codes(0, i), (i - 2) * std::sqrt(5.0f), 1e-5f);
}

TEST(Pca, RoundTripOnRankKDataIsExact) {
    ae::Rng rng(3);
    const int d = 20, k = 3, n = 500;
    const Eigen::MatrixXd a = normal_matrix(d, k, rng);
    const Eigen::MatrixXd c = normal_matrix(k, n, rng);
    const Eigen::VectorXd offset = normal_matrix(d, 1, rng);
    Eigen::MatrixXd xd = a * c;
    xd.colwise() += offset;
    const ae::Matrix x = xd.cast<float>();

    const ae::Pca p = ae::pca_fit(x, k);
    const ae::Matrix codes = ae::pca_project(p, x);
    ASSERT_EQ(codes.rows(), k);
    ASSERT_EQ(codes.cols(), n);
    const ae::Matrix back = ae::pca_reconstruct(p, codes);
    ASSERT_EQ(back.rows(), d);
    ASSERT_EQ(back.cols(), n);
    EXPECT_LT((back - x).cwiseAbs().maxCoeff(), 1e-4f);
}

TEST(Pca, CodesAreCentredAndDecorrelated) {
    ae::Rng rng(5);
    const int d = 10, k = 4, n = 1000;
    const ae::Matrix x = (normal_matrix(d, d, rng) * normal_matrix(d, n, rng)).cast<float>();
    const ae::Pca p = ae::pca_fit(x, k);
    const Eigen::MatrixXd codes = ae::pca_project(p, x).cast<double>();
    const Eigen::VectorXd code_mean = codes.rowwise().mean();
    EXPECT_LT(code_mean.cwiseAbs().maxCoeff(), 1e-4);
    const Eigen::MatrixXd centred = codes.colwise() - code_mean;
    const Eigen::MatrixXd cov = centred * centred.transpose() / (n - 1);
    for (int i = 0; i < k; ++i) {
        for (int j = 0; j < k; ++j) {
            const double expected = i == j ? p.variances(i) : 0.0;
            EXPECT_NEAR(cov(i, j), expected, 1e-4 * p.variances(0)) << i << "," << j;
        }
    }
}

TEST(Pca, RejectsBadArguments) {
    ae::Matrix x = ae::Matrix::Random(4, 10);
    EXPECT_THROW(ae::pca_fit(x, 0), ae::Error);
    EXPECT_THROW(ae::pca_fit(x, -1), ae::Error);
    EXPECT_THROW(ae::pca_fit(x, 5), ae::Error);
    EXPECT_THROW(ae::pca_fit(ae::Matrix::Random(4, 1), 2), ae::Error);
    EXPECT_THROW(ae::pca_fit(ae::Matrix(4, 0), 2), ae::Error);
    EXPECT_THROW(ae::pca_fit(ae::Matrix(0, 10), 1), ae::Error);
    ae::Matrix bad = x;
    bad(2, 3) = std::numeric_limits<float>::quiet_NaN();
    EXPECT_THROW(ae::pca_fit(bad, 2), ae::Error);
    bad(2, 3) = std::numeric_limits<float>::infinity();
    EXPECT_THROW(ae::pca_fit(bad, 2), ae::Error);

    const ae::Pca p = ae::pca_fit(x, 2);
    EXPECT_THROW(ae::pca_project(p, ae::Matrix::Random(3, 10)), ae::Error);
    EXPECT_THROW(ae::pca_reconstruct(p, ae::Matrix::Random(3, 10)), ae::Error);
    try {
        ae::pca_fit(x, 5);
        FAIL() << "expected ae::Error";
    } catch (const ae::Error& e) {
        EXPECT_NE(std::string(e.what()).find("k = 5"), std::string::npos) << e.what();
    }
}

// Wide data with few components (the map of a wide latent) takes the subspace iteration; it must find the
// same axes and variances as the covariance's eigendecomposition, and a warm start must not change them.
TEST(Pca, SubspaceIterationMatchesTheKnownAxes) {
    ae::Rng rng(13);
    const int d = 400, n = 600, k = 3;  // n > d: data_with_axes whitens the sample covariance exactly
    ASSERT_TRUE(ae::pca_uses_subspace_iteration(d, n, k));
    const Eigen::MatrixXd q = random_rotation(d, rng);
    Eigen::VectorXd variances = Eigen::VectorXd::Constant(d, 0.0);
    for (int i = 0; i < d; ++i) variances(i) = i < 4 ? 40.0 / (i + 1) : 1.0 / (1.0 + 0.01 * i);
    const ae::Matrix x = data_with_axes(q, variances, Eigen::VectorXd::Constant(d, 2.0), n, rng);
    const ae::Pca p = ae::pca_fit(x, k);
    ASSERT_EQ(p.components.cols(), k);
    for (int c = 0; c < k; ++c) {
        EXPECT_LT(angle_between(p.components.col(c).cast<double>(), q.col(c)), 1e-3) << "component " << c;
        EXPECT_NEAR(p.variances(c), variances(c), 1e-3 * variances(c)) << "component " << c;
        Eigen::Index largest = 0;
        p.components.col(c).cwiseAbs().maxCoeff(&largest);
        EXPECT_GT(p.components(largest, c), 0.0f) << "component " << c;
    }
    EXPECT_NEAR(p.total_variance, variances.sum(), 1e-3 * variances.sum());
    const Eigen::MatrixXf gram = p.components.transpose() * p.components;
    EXPECT_TRUE(gram.isApprox(Eigen::MatrixXf::Identity(k, k), 1e-5f));

    // Warm start from the result, and from a perturbed copy of it: the same axes.
    const ae::Pca again = ae::pca_fit(x, k, &p.components);
    EXPECT_TRUE(again.components.isApprox(p.components, 1e-4f));
    ae::Matrix nudged = p.components + 0.1f * ae::Matrix::Random(d, k);
    const ae::Pca from_nudged = ae::pca_fit(x, k, &nudged);
    EXPECT_TRUE(from_nudged.components.isApprox(p.components, 1e-4f));
    EXPECT_TRUE(from_nudged.variances.isApprox(p.variances, 1e-5f));
    // A start of the wrong height is ignored.
    const ae::Matrix wrong = ae::Matrix::Random(d - 1, k);
    EXPECT_TRUE(ae::pca_fit(x, k, &wrong).components.isApprox(p.components, 1e-4f));
}

TEST(Pca, ExactPathForPixelsAndManyComponents) {
    EXPECT_FALSE(ae::pca_uses_subspace_iteration(784, 60000, 20));  // the pixel baseline of `ae eval`
    EXPECT_FALSE(ae::pca_uses_subspace_iteration(64, 2000, 2));       // a small latent's map
    EXPECT_FALSE(ae::pca_uses_subspace_iteration(300, 2000, 200));    // most of the axes
    EXPECT_TRUE(ae::pca_uses_subspace_iteration(5000, 2000, 2));      // a 5,000-D latent's map
}
