#include "ae/pca.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ae/error.h"
#include "ae/rng.h"

namespace ae {

namespace {

// Sign convention of pca.h: the entry of largest magnitude of each axis is positive (first on ties).
void fix_sign(Eigen::VectorXd& axis) {
    Eigen::Index largest = 0;
    for (Eigen::Index i = 1; i < axis.size(); ++i) {
        if (std::abs(axis(i)) > std::abs(axis(largest))) largest = i;
    }
    if (axis(largest) < 0.0) axis = -axis;
}

constexpr Eigen::Index kBlock = 512;  // columns of the data centred in double at a time

// Exact path: the d x d covariance and its full eigendecomposition.
Pca pca_exact(const Matrix& x, const Eigen::VectorXd& mean, int k) {
    const Eigen::Index d = x.rows(), n = x.cols();
    // Covariance (lower triangle), accumulated over blocks of centred columns so that the double copy of
    // the data never exceeds one block.
    Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(d, d);
    Eigen::MatrixXd centred(d, std::min(kBlock, n));
    for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
        const Eigen::Index m = std::min(kBlock, n - j0);
        centred = x.middleCols(j0, m).cast<double>();
        centred.colwise() -= mean;
        cov.selfadjointView<Eigen::Lower>().rankUpdate(centred);
    }
    cov = cov.selfadjointView<Eigen::Lower>();
    cov /= static_cast<double>(n - 1);

    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(cov);
    if (solver.info() != Eigen::Success) throw Error("pca_fit: the eigendecomposition did not converge");

    // Eigen returns eigenvalues in increasing order: take the last k, largest first.
    Pca p;
    p.mean = mean.cast<float>();
    p.total_variance = cov.trace();
    p.components.resize(d, k);
    p.variances.resize(k);
    for (int c = 0; c < k; ++c) {
        const Eigen::Index src = d - 1 - c;
        Eigen::VectorXd axis = solver.eigenvectors().col(src);
        fix_sign(axis);
        p.components.col(c) = axis.cast<float>();
        // Round-off can leave eigenvalues of a rank-deficient covariance slightly negative.
        p.variances(c) = static_cast<float>(std::max(0.0, solver.eigenvalues()(src)));
    }
    return p;
}

// z = C q for the covariance C of x without forming C: sum over blocks of (X_b - mean)((X_b - mean)^T q).
Eigen::MatrixXd covariance_times(const Matrix& x, const Eigen::VectorXd& mean, const Eigen::MatrixXd& q) {
    const Eigen::Index d = x.rows(), n = x.cols();
    Eigen::MatrixXd z = Eigen::MatrixXd::Zero(d, q.cols());
    Eigen::MatrixXd centred(d, std::min(kBlock, n));
    for (Eigen::Index j0 = 0; j0 < n; j0 += kBlock) {
        const Eigen::Index m = std::min(kBlock, n - j0);
        centred.resize(d, m);
        centred = x.middleCols(j0, m).cast<double>();
        centred.colwise() -= mean;
        const Eigen::MatrixXd t = centred.transpose() * q;  // [m, l]
        z.noalias() += centred * t;
    }
    return z / static_cast<double>(n - 1);
}

Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& z) {
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(z);
    return qr.householderQ() * Eigen::MatrixXd::Identity(z.rows(), z.cols());
}

// Subspace iteration with Rayleigh-Ritz (Saad, "Numerical Methods for Large Eigenvalue Problems", 2nd ed.,
// 2011, ch. 5; the block size k + 8 and the seeded Gaussian start as in Halko, Martinsson & Tropp, SIAM
// Review 53(2), 2011): l = k + 8 vectors, Q <- orth(C Q), until every one of the top k Ritz pairs (theta, v)
// has ||C v - theta v|| <= 1e-9 * theta_1, or kMaxIterations.
Pca pca_subspace(const Matrix& x, const Eigen::VectorXd& mean, int k, const Matrix* start) {
    constexpr int kMaxIterations = 300;
    const Eigen::Index d = x.rows(), n = x.cols();
    const Eigen::Index l = std::min<Eigen::Index>(d, k + 8);
    Rng rng(0x9e3779b97f4a7c15ULL);
    Eigen::MatrixXd q(d, l);
    for (Eigen::Index j = 0; j < l; ++j)
        for (Eigen::Index i = 0; i < d; ++i) q(i, j) = rng.normal();
    if (start != nullptr && start->rows() == d && start->allFinite()) {
        const Eigen::Index j = std::min<Eigen::Index>(start->cols(), l);
        q.leftCols(j) = start->leftCols(j).cast<double>();
    }
    q = orthonormal_basis(q);
    Eigen::VectorXd theta;
    Eigen::MatrixXd v;
    for (int it = 0; it < kMaxIterations; ++it) {
        const Eigen::MatrixXd z = covariance_times(x, mean, q);  // [d, l]
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> small(q.transpose() * z);
        if (small.info() != Eigen::Success) throw Error("pca_fit: the eigendecomposition did not converge");
        // Largest first.
        const Eigen::MatrixXd s = small.eigenvectors().rowwise().reverse();
        theta = small.eigenvalues().reverse();
        v = q * s;
        const Eigen::MatrixXd cv = z * s;  // C v, since z = C q
        double worst = 0.0;
        for (int c = 0; c < k; ++c) worst = std::max(worst, (cv.col(c) - theta(c) * v.col(c)).norm());
        if (worst <= 1e-9 * std::max(theta(0), 1e-300)) break;
        q = orthonormal_basis(cv);
    }
    Pca p;
    p.mean = mean.cast<float>();
    p.total_variance = 0.0;
    for (Eigen::Index j = 0; j < n; ++j) p.total_variance += (x.col(j).cast<double>() - mean).squaredNorm();
    p.total_variance /= static_cast<double>(n - 1);
    p.components.resize(d, k);
    p.variances.resize(k);
    for (int c = 0; c < k; ++c) {
        Eigen::VectorXd axis = v.col(c);
        fix_sign(axis);
        p.components.col(c) = axis.cast<float>();
        p.variances(c) = static_cast<float>(std::max(0.0, theta(c)));
    }
    return p;
}

}  // namespace

bool pca_uses_subspace_iteration(Eigen::Index d, Eigen::Index n, int k) {
    // Flop estimates: the covariance (d^2 n, one triangle) plus a dense symmetric eigensolver (~9 d^3)
    // against ~40 iterations of one product with C (4 d n l each). Pixels of a training set (784 x 60,000)
    // stay exact; a 1,000-D or 5,000-D latent of 2,000 test codes takes the iteration (25x fewer flops).
    const double dd = static_cast<double>(d), nn = static_cast<double>(n);
    const double l = std::min(dd, static_cast<double>(k) + 8.0);
    const double exact = dd * dd * nn + 9.0 * dd * dd * dd;
    const double iterative = 40.0 * 4.0 * dd * nn * l;
    return d > kPcaExactMaxDim && 2.0 * k <= dd && iterative < exact;
}

Pca pca_fit(const Matrix& x, int k, const Matrix* start) {
    const Eigen::Index d = x.rows();
    const Eigen::Index n = x.cols();
    if (k < 1 || k > d) {
        throw Error("pca_fit: k = " + std::to_string(k) + " components requested, expected 1 <= k <= d = " +
                    std::to_string(d));
    }
    if (n < 2) throw Error("pca_fit: " + std::to_string(n) + " samples, expected at least 2");
    if (!x.allFinite()) throw Error("pca_fit: the data contains NaN or infinite values");

    // Mean in double.
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(d);
    for (Eigen::Index j = 0; j < n; ++j) mean += x.col(j).cast<double>();
    mean /= static_cast<double>(n);

    return pca_uses_subspace_iteration(d, n, k) ? pca_subspace(x, mean, k, start) : pca_exact(x, mean, k);
}

Matrix pca_project(const Pca& p, const Matrix& x) {
    if (x.rows() != p.mean.size()) {
        throw Error("pca_project: data has " + std::to_string(x.rows()) + " rows, expected d = " +
                    std::to_string(p.mean.size()));
    }
    Matrix codes = p.components.transpose() * (x.colwise() - p.mean);
    return codes;
}

Matrix pca_reconstruct(const Pca& p, const Matrix& codes) {
    if (codes.rows() != p.components.cols()) {
        throw Error("pca_reconstruct: codes have " + std::to_string(codes.rows()) + " rows, expected k = " +
                    std::to_string(p.components.cols()));
    }
    Matrix x = p.components * codes;
    x.colwise() += p.mean;
    return x;
}

}  // namespace ae
