// Principal component analysis: the linear baseline every autoencoder is compared against (a linear
// autoencoder with squared error spans the same subspace as the top-k principal components).
//
// Method: K. Pearson, "On lines and planes of closest fit to systems of points in space", Philosophical
// Magazine 2(11), 1901; computed as the standard eigendecomposition of the sample covariance
//     C = 1/(n-1) * sum_i (x_i - mean)(x_i - mean)^T          [d, d]
// (Jolliffe, "Principal Component Analysis", 2nd ed., 2002, ch. 1). The covariance is accumulated and
// decomposed in double precision (Eigen::SelfAdjointEigenSolver); the results are stored as float.
// For wide data with few components (d > kPcaExactMaxDim, e.g. the map of a 5,000-D latent, where the d x d
// eigendecomposition took minutes in the page) the top k come from subspace iteration with Rayleigh-Ritz on
// C applied implicitly (never formed), converged to ||C v - lambda v|| <= 1e-9 lambda_1 (see pca.cpp).
//
// Shapes follow the rest of the core: one column per sample.
#pragma once

#include "ae/eigen.h"

namespace ae {

struct Pca {
    Vector mean;        // [d]    per-feature mean of the training data
    Matrix components;  // [d, k] orthonormal columns (principal axes), by decreasing variance
    Vector variances;   // [k]    eigenvalues of C (variance along each axis, divided by n-1), decreasing
    double total_variance = 0.0;  // trace(C): the variances of all d axes summed (explained = sum(variances) / this)
};

// Largest d that always takes the exact eigendecomposition.
constexpr int kPcaExactMaxDim = 256;

// Whether pca_fit(x [d, n], k) takes the subspace iteration: d > kPcaExactMaxDim, 2k <= d and fewer flops
// than forming and decomposing C.
bool pca_uses_subspace_iteration(Eigen::Index d, Eigen::Index n, int k);

// x: [d, n] -> the top-k principal axes. The sign of each axis is fixed so that its entry of largest
// magnitude is positive (first such entry on ties), so the result is deterministic.
// Throws ae::Error for k < 1, k > d, n < 2 or non-finite entries in x. Cost O(d^2 n + d^3) (exact) or
// O(iterations d n (k + 8)) (subspace iteration, typically 10-100 iterations).
// `start` (optional, [d, j]): a guess of the axes, e.g. the previous fit's components when the data moved a
// little (the map while training); the subspace iteration starts from it and converges in a few iterations
// to the same axes. Ignored by the exact path and when its row count is not d.
Pca pca_fit(const Matrix& x, int k, const Matrix* start = nullptr);

// x: [d, n] -> codes: [k, n] = components^T (x - mean). Throws ae::Error if x has the wrong row count.
Matrix pca_project(const Pca& p, const Matrix& x);

// codes: [k, n] -> x: [d, n] = components * codes + mean. Throws ae::Error if codes has the wrong row count.
Matrix pca_reconstruct(const Pca& p, const Matrix& codes);

}  // namespace ae
