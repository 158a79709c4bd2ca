#include "ae/pca.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ae/error.h"

namespace ae {

Pca pca_fit(const Matrix& x, int k) {
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

    // Covariance (lower triangle), accumulated over blocks of centred columns so that the double copy of
    // the data never exceeds one block.
    const Eigen::Index block = 512;
    Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(d, d);
    Eigen::MatrixXd centred(d, std::min(block, n));
    for (Eigen::Index j0 = 0; j0 < n; j0 += block) {
        const Eigen::Index m = std::min(block, n - j0);
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
    p.components.resize(d, k);
    p.variances.resize(k);
    for (int c = 0; c < k; ++c) {
        const Eigen::Index src = d - 1 - c;
        Eigen::VectorXd axis = solver.eigenvectors().col(src);
        Eigen::Index largest = 0;
        for (Eigen::Index i = 1; i < d; ++i) {
            if (std::abs(axis(i)) > std::abs(axis(largest))) largest = i;
        }
        if (axis(largest) < 0.0) axis = -axis;
        p.components.col(c) = axis.cast<float>();
        // Round-off can leave eigenvalues of a rank-deficient covariance slightly negative.
        p.variances(c) = static_cast<float>(std::max(0.0, solver.eigenvalues()(src)));
    }
    return p;
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
