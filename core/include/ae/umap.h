// Uniform Manifold Approximation and Projection (UMAP): the third 2-D map of codes (or pixels), beside PCA and
// t-SNE (tsne.h), as the lecture lists them ("UMAP, t-SNE, ...").
//
// Method: L. McInnes, J. Healy, J. Melville, "UMAP: Uniform Manifold Approximation and Projection for Dimension
// Reduction", arXiv:1802.03426 (2018), sections 3-4 and appendix C; the steps follow the authors' reference
// implementation (umap-learn 0.5: fuzzy_simplicial_set, smooth_knn_dist, find_ab_params,
// optimize_layout_euclidean):
//
//   neighbours    the K = n_neighbors - 1 nearest other points of each x_i (exact kNN, Euclidean; umap-learn
//                 counts the point itself as its first neighbour, so its n_neighbors = 15 is K = 14 here)
//   local scale   rho_i = distance to the nearest neighbour; sigma_i by bisection (at most 64 steps,
//                 tolerance 1e-5) so that sum_k exp(-max(0, d_ik - rho_i) / sigma_i) = log2(n_neighbors);
//                 sigma_i >= 1e-3 times the mean distance to the K neighbours
//   fuzzy set     w_ij = exp(-max(0, d_ij - rho_i) / sigma_i) over the neighbours; the graph's edge weights
//                 p_ij = w_ij + w_ji - w_ij w_ji (fuzzy union), edges below max(p) / epochs dropped
//   low-dim       q_ij = 1 / (1 + a |y_i - y_j|^(2b)), (a, b) fitted by least squares to the curve 1 for
//                 d < min_dist, exp(-(d - min_dist)) beyond, on 300 points of [0, 3] (spread 1)
//   cost          the fuzzy cross-entropy sum p log(p / q) + (1 - p) log((1 - p) / (1 - q)), by stochastic
//                 gradient descent: each epoch samples edge ij every max(p) / p_ij epochs and pulls y_i and
//                 y_j together with the gradient -2ab d^(2(b-1)) / (1 + a d^(2b)) (y_i - y_j), then pushes y_i
//                 from negative_sample_rate random points k with 2b / ((0.001 + d^2)(1 + a d^(2b))) (y_i - y_k);
//                 each coordinate of a step clipped to [-4, 4]; learning rate lr (1 - epoch / epochs)
//   start         PCA of x onto 2 components scaled so that the largest |coordinate| is 10 (umap-learn's
//                 init="pca"; its default is a spectral embedding of the graph)
// Random numbers (the negative samples) from ae::Rng(seed): the same seed gives the same map.
//
// Shapes follow the rest of the core: one column per point, x [d, n] -> y [2, n].
// Cost: the kNN O(n^2 d) once (blocked matrix products in double), then O(n K negative_sample_rate) per epoch.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "ae/eigen.h"
#include "ae/rng.h"

namespace ae {

constexpr int kUmapMaxPoints = 10000;  // more points: ae::Error (the exact kNN is O(n^2))

struct UmapOptions {
    int n_neighbors = 15;            // 2 <= n_neighbors <= n - 1 (the point itself counted, as umap-learn)
    double min_dist = 0.1;           // how tightly points pack in the map, in [0, 3)
    int epochs = 500;                // epochs of a full run (Umap::done()), >= 1 (umap-learn: 500 for small data)
    double learning_rate = 1.0;      // > 0
    int negative_sample_rate = 5;    // >= 0
    uint64_t seed = 1;               // the negative samples
};

// Throws ae::Error naming the option for an out-of-range option, or n outside [n_neighbors + 1, kUmapMaxPoints].
void umap_check(const UmapOptions& o, int n);

// (a, b) of q = 1 / (1 + a d^(2b)) for min_dist (spread 1), by Gauss-Newton least squares on the curve above.
// umap-learn's find_ab_params gives (1.577, 0.895) for min_dist 0.1.
std::pair<double, double> umap_curve(double min_dist);

// The incremental form, for hosts that animate the map: construct (the graph is built here), then step().
// Single-threaded; the object may be moved to any thread.
class Umap {
public:
    // x: [d, n], finite. Throws ae::Error for non-finite entries or bad options (umap_check).
    Umap(const Matrix& x, const UmapOptions& o = {});

    // Runs up to n_epochs more epochs (not beyond options().epochs) and returns the map [2, n].
    const Matrix& step(int n_epochs);

    const Matrix& embedding() const { return y_; }
    int epoch() const { return epoch_; }
    bool done() const { return epoch_ >= o_.epochs; }
    const UmapOptions& options() const { return o_; }
    int edges() const { return static_cast<int>(head_.size()); }  // directed edges of the graph kept
    double a() const { return a_; }
    double b() const { return b_; }

private:
    UmapOptions o_;
    int n_ = 0, epoch_ = 0;
    double a_ = 0, b_ = 0;
    Matrix y_;                        // [2, n]
    std::vector<int> head_, tail_;    // edge e: head_[e] -> tail_[e]
    std::vector<double> epochs_per_sample_, next_sample_, epochs_per_negative_, next_negative_;
    Rng rng_;
};

// A full run: Umap(x, o) stepped to the end.
Matrix umap_embed(const Matrix& x, const UmapOptions& o = {});

}  // namespace ae
