// t-distributed stochastic neighbour embedding (t-SNE) with the Barnes-Hut approximation: the non-linear
// 2-D map of codes (or pixels) beside PCA's linear one.
//
// Method: L. van der Maaten & G. Hinton, "Visualizing Data using t-SNE", JMLR 9, 2008 (the cost and its
// gradient, momentum, gains, early exaggeration), and L. van der Maaten, "Accelerating t-SNE using
// Tree-Based Algorithms", JMLR 15, 2014 (sparse input affinities over 3 * perplexity neighbours, the
// Barnes-Hut quadtree for the repulsive forces). The steps follow the author's reference code (bhtsne):
//
//   input affinities   p_{j|i} = exp(-beta_i |x_i - x_j|^2) / sum_{k in N(i)} exp(-beta_i |x_i - x_k|^2)
//                      over the K = floor(3 * perplexity) nearest neighbours N(i) of x_i (exact kNN, squared
//                      Euclidean distances in double), beta_i found by bisection so that the entropy
//                      H(P_i) = log(perplexity) (natural log; tolerance 1e-5, at most 200 steps);
//                      p_ij = (p_{j|i} + p_{i|j}) / (2n), then normalised to sum 1 (sparse, symmetric).
//   output similarity  w_ij = 1 / (1 + |y_i - y_j|^2),   q_ij = w_ij / Z,   Z = sum_{k != l} w_kl
//   cost               KL(P || Q) = sum_{ij} p_ij log(p_ij / q_ij)   (over the non-zero p_ij)
//   gradient           dC/dy_i = 4 [ sum_j a p_ij w_ij (y_i - y_j)  -  sum_j w_ij^2 (y_i - y_j) / Z ]
//                      (a = early exaggeration for the first exaggeration_iterations, else 1); the first
//                      sum runs over the sparse P, the second (and Z) over a quadtree: a cell of side s
//                      whose centre of mass is at distance d from y_i is one point of its cell's mass when
//                      s / d < theta (and y_i is not inside it).
//   update             gains g = (sign(dC/dy) != sign(u)) ? g + 0.2 : 0.8 g, at least 0.01;
//                      u = momentum u - learning_rate * g * dC/dy;   y = y + u;   y centred to mean 0.
//                      momentum 0.5 for the first 250 iterations, 0.8 after.
//   start              y_i ~ N(0, 1e-4 I) from ae::Rng(seed): the same seed gives the same map.
//
// Shapes follow the rest of the core: one column per point, x [d, n] -> y [2, n].
// Cost: the affinities O(n^2 d) once (blocked matrix products in double), then O(n log n) per iteration.
// Measured (release, one core of the shared 2-core machine, 2026-12-02): 1,000 points of 784 dimensions,
// 1,000 iterations: 1.4-2.7 s; 10,000 codes of 8 dimensions, 1,000 iterations: 27 s of CPU.
#pragma once

#include <cstdint>
#include <vector>

#include "ae/eigen.h"

namespace ae {

constexpr int kTsneMinPoints = 8;      // fewer points: ae::Error
constexpr int kTsneMaxPoints = 10000;  // more points: ae::Error (the exact kNN is O(n^2))

struct TsneOptions {
    double perplexity = 30.0;            // effective number of neighbours; 1 <= perplexity, 3 * perplexity < n - 1
    // eta (> 0); 0 = automatic: max(n / (4 a), 50), a the early exaggeration (G. C. Belkina et al.,
    // "Automated optimized parameters for t-SNE", Nature Communications 10, 5415, 2019; scikit-learn's
    // 'auto'). A fixed 200 (bhtsne's default) oscillates on a few hundred points.
    double learning_rate = 0.0;
    double early_exaggeration = 12.0;    // a >= 1, multiplies P for the first exaggeration_iterations
    int exaggeration_iterations = 250;   // >= 0
    int iterations = 1000;               // total iterations of a full run (tsne_embed; Tsne::done()), >= 1
    double theta = 0.5;                  // Barnes-Hut accuracy, in [0, 1]; 0 = exact repulsion (O(n^2))
    uint64_t seed = 1;                   // the start positions
};

// Throws ae::Error naming the option for an out-of-range option, for n points (see the bounds above).
void tsne_check(const TsneOptions& o, int n);

// One point of the animation: the map after `iteration` iterations and its cost.
struct TsneProgress {
    const Matrix& embedding;  // [2, n]
    double kl;                // KL(P || Q) of this embedding (Z from the quadtree: an estimate), in nats
    int iteration;            // iterations done so far
};

// The incremental form, for hosts that animate the map: construct (the affinities are computed here),
// then call step() as often as wanted. Single-threaded; the object may be moved to any thread.
class Tsne {
public:
    // x: [d, n], finite. Throws ae::Error for non-finite entries, n outside [kTsneMinPoints, kTsneMaxPoints]
    // or bad options (tsne_check).
    Tsne(const Matrix& x, const TsneOptions& o = {});

    // Runs n_iterations more (n_iterations >= 0; 0 just reports) and returns the current map and KL.
    // Steps beyond options().iterations keep optimising with the late settings (momentum 0.8, a = 1).
    TsneProgress step(int n_iterations);

    const Matrix& embedding() const { return y_; }  // [2, n]
    double kl() const { return kl_; }               // KL of embedding()
    int iteration() const { return iteration_; }
    bool done() const { return iteration_ >= o_.iterations; }
    const TsneOptions& options() const { return o_; }
    double learning_rate() const { return eta_; }  // the one in use (the automatic value when 0 was given)
    int size() const { return n_; }

    // The symmetric input affinities in compressed rows: the neighbours of i are col[row[i] .. row[i+1]),
    // with values p (sum 1 over all entries).
    const std::vector<int>& p_rows() const { return row_; }
    const std::vector<int>& p_cols() const { return col_; }
    const std::vector<double>& p_values() const { return val_; }

private:
    void repulsion();  // rep_ and z_ for the current y_ (quadtree)
    void compute_kl();

    TsneOptions o_;
    int n_ = 0;
    std::vector<int> row_, col_;
    std::vector<double> val_;
    Matrix y_;                      // [2, n]
    Eigen::MatrixXd yd_, u_, gains_, rep_;  // [2, n] positions (double), update, gains, repulsive sums
    double z_ = 0.0, kl_ = 0.0, eta_ = 0.0;
    int iteration_ = 0;
};

// A full run: Tsne(x, o).step(o.iterations). kl (if given) receives the final KL.
Matrix tsne_embed(const Matrix& x, const TsneOptions& o = {}, double* kl = nullptr);

}  // namespace ae
