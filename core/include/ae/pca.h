// Principal component analysis: the linear baseline every autoencoder is compared against (a linear
// autoencoder with squared error spans the same subspace as the top-k principal components).
//
// Method: K. Pearson, "On lines and planes of closest fit to systems of points in space", Philosophical
// Magazine 2(11), 1901; computed as the standard eigendecomposition of the sample covariance
//     C = 1/(n-1) * sum_i (x_i - mean)(x_i - mean)^T          [d, d]
// (Jolliffe, "Principal Component Analysis", 2nd ed., 2002, ch. 1). The covariance is accumulated and
// decomposed in double precision (Eigen::SelfAdjointEigenSolver); the results are stored as float.
//
// Shapes follow the rest of the core: one column per sample.
#pragma once

#include "ae/eigen.h"

namespace ae {

struct Pca {
    Vector mean;        // [d]    per-feature mean of the training data
    Matrix components;  // [d, k] orthonormal columns (principal axes), by decreasing variance
    Vector variances;   // [k]    eigenvalues of C (variance along each axis, divided by n-1), decreasing
};

// x: [d, n] -> the top-k principal axes. The sign of each axis is fixed so that its entry of largest
// magnitude is positive (first such entry on ties), so the result is deterministic.
// Throws ae::Error for k < 1, k > d, n < 2 or non-finite entries in x. Cost O(d^2 n + d^3).
Pca pca_fit(const Matrix& x, int k);

// x: [d, n] -> codes: [k, n] = components^T (x - mean). Throws ae::Error if x has the wrong row count.
Matrix pca_project(const Pca& p, const Matrix& x);

// codes: [k, n] -> x: [d, n] = components * codes + mean. Throws ae::Error if codes has the wrong row count.
Matrix pca_reconstruct(const Pca& p, const Matrix& codes);

}  // namespace ae
