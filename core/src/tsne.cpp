// Barnes-Hut t-SNE (see tsne.h for the formulas and their sources).
#include "ae/tsne.h"

#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "ae/error.h"
#include "ae/rng.h"
#include "exact_knn.h"

namespace ae {

// The K nearest neighbours of every column of x (squared Euclidean distance, ties by index), excluding
// the point itself: nn[i * K + k], d2[i * K + k] in increasing distance.
void exact_knn(const Eigen::MatrixXd& x, int K, std::vector<int>& nn, std::vector<double>& d2) {
    const int n = static_cast<int>(x.cols());
    nn.assign(static_cast<size_t>(n) * K, 0);
    d2.assign(static_cast<size_t>(n) * K, 0.0);
    // Plain loops, not Eigen reductions: a vectorised reduction's order depends on the buffer's alignment
    // (-march=native), which would make P (and the map) differ from run to run in the last bits.
    Eigen::VectorXd sq(n);
    for (int j = 0; j < n; ++j) {
        double s = 0.0;
        for (Eigen::Index i = 0; i < x.rows(); ++i) s += x(i, j) * x(i, j);
        sq(j) = s;
    }
    const int block = 256;
    std::vector<int> order(n);
    Eigen::MatrixXd g;
    for (int b = 0; b < n; b += block) {
        const int m = std::min(block, n - b);
        g.noalias() = x.middleCols(b, m).transpose() * x;  // [m, n]
        for (int r = 0; r < m; ++r) {
            const int i = b + r;
            auto dist = [&](int j) { return std::max(0.0, sq(i) + sq(j) - 2.0 * g(r, j)); };
            std::vector<double> dj(n);
            for (int j = 0; j < n; ++j) dj[j] = j == i ? std::numeric_limits<double>::infinity() : dist(j);
            std::iota(order.begin(), order.end(), 0);
            auto less = [&](int a, int c) { return dj[a] < dj[c] || (dj[a] == dj[c] && a < c); };
            std::nth_element(order.begin(), order.begin() + K, order.end(), less);
            std::sort(order.begin(), order.begin() + K, less);
            for (int k = 0; k < K; ++k) {
                nn[static_cast<size_t>(i) * K + k] = order[k];
                d2[static_cast<size_t>(i) * K + k] = dj[order[k]];
            }
        }
    }
}

namespace {

std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
}

// --- Input affinities -------------------------------------------------------------------------------------

// p_{j|i} over the K neighbours of one point with entropy log(perplexity), by bisection on beta.
// d: the K squared distances (increasing) -> p (sum 1).
void conditional_affinities(const double* d, int K, double perplexity, double* p) {
    const double target = std::log(perplexity), tol = 1e-5;
    const double d0 = d[0];  // shift: exp(-beta (d - d0)) keeps the sum >= 1 for any beta
    double beta = 1.0, lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
    for (int it = 0; it < 200; ++it) {
        double sum = 0.0, dot = 0.0;
        for (int k = 0; k < K; ++k) {
            p[k] = std::exp(-beta * (d[k] - d0));
            sum += p[k];
            dot += (d[k] - d0) * p[k];
        }
        const double h = beta * dot / sum + std::log(sum);
        for (int k = 0; k < K; ++k) p[k] /= sum;
        const double diff = h - target;
        if (std::abs(diff) < tol) break;
        if (diff > 0) {  // too flat: sharpen
            lo = beta;
            beta = std::isinf(hi) ? beta * 2.0 : (beta + hi) / 2.0;
        } else {
            hi = beta;
            beta = std::isinf(lo) ? beta / 2.0 : (beta + lo) / 2.0;
        }
    }
}

// --- Quadtree ---------------------------------------------------------------------------------------------

// Cells over a permutation of the points: cell c holds perm[begin, end), so "y_i is inside c" is
// begin <= slot[i] < end.
struct QuadTree {
    struct Cell {
        double com_x = 0, com_y = 0, side = 0;
        int begin = 0, end = 0;
        int child[4] = {-1, -1, -1, -1};
        bool leaf = true;
    };
    std::vector<Cell> cells;
    std::vector<int> perm, slot;

    void build(const Eigen::MatrixXd& y) {
        const int n = static_cast<int>(y.cols());
        perm.resize(n);
        slot.resize(n);
        std::iota(perm.begin(), perm.end(), 0);
        cells.clear();
        cells.reserve(2 * static_cast<size_t>(n));
        const double x0 = y.row(0).minCoeff(), x1 = y.row(0).maxCoeff();
        const double y0 = y.row(1).minCoeff(), y1 = y.row(1).maxCoeff();
        const double side = std::max({x1 - x0, y1 - y0, 1e-12}) * (1.0 + 1e-9);
        cells.emplace_back();
        split(y, 0, 0, n, x0, y0, side, 0);
        for (int s = 0; s < n; ++s) slot[perm[s]] = s;
    }

    void split(const Eigen::MatrixXd& y, int c, int begin, int end, double x0, double y0, double side, int depth) {
        double cx = 0, cy = 0;
        for (int s = begin; s < end; ++s) {
            cx += y(0, perm[s]);
            cy += y(1, perm[s]);
        }
        Cell& cell = cells[c];
        cell.begin = begin;
        cell.end = end;
        cell.side = side;
        cell.com_x = cx / (end - begin);
        cell.com_y = cy / (end - begin);
        if (end - begin == 1 || depth >= 48) return;
        cell.leaf = false;
        const double mx = x0 + side / 2, my = y0 + side / 2;
        int* first = perm.data() + begin;
        int* last = perm.data() + end;
        int* mid = std::partition(first, last, [&](int i) { return y(1, i) < my; });        // south | north
        int* sw_se = std::partition(first, mid, [&](int i) { return y(0, i) < mx; });      // west | east
        int* nw_ne = std::partition(mid, last, [&](int i) { return y(0, i) < mx; });
        const int bounds[5] = {begin, static_cast<int>(sw_se - perm.data()), static_cast<int>(mid - perm.data()),
                               static_cast<int>(nw_ne - perm.data()), end};
        const double ox[4] = {x0, mx, x0, mx}, oy[4] = {y0, y0, my, my};
        for (int q = 0; q < 4; ++q) {
            if (bounds[q + 1] == bounds[q]) continue;
            const int child = static_cast<int>(cells.size());
            cells[c].child[q] = child;  // cells may reallocate: index, not reference
            cells.emplace_back();
            split(y, child, bounds[q], bounds[q + 1], ox[q], oy[q], side / 2, depth + 1);
        }
    }

    // sum_j w_ij^2 (y_i - y_j) into (fx, fy) and sum_j w_ij into z, j != i, cells summarised when
    // side / d < theta.
    void repulsion(const Eigen::MatrixXd& y, int i, double theta, double& fx, double& fy, double& z,
                   std::vector<int>& stack) const {
        const double xi = y(0, i), yi = y(1, i), t2 = theta * theta;
        const int si = slot[i];
        fx = fy = z = 0.0;
        stack.clear();
        stack.push_back(0);
        while (!stack.empty()) {
            const Cell& c = cells[stack.back()];
            stack.pop_back();
            const double dx = xi - c.com_x, dy = yi - c.com_y, d2 = dx * dx + dy * dy;
            const bool inside = c.begin <= si && si < c.end;
            const int count = c.end - c.begin;
            if (c.leaf || (!inside && c.side * c.side < t2 * d2)) {
                const int m = count - (inside ? 1 : 0);
                if (m == 0) continue;
                const double w = 1.0 / (1.0 + d2);
                z += m * w;
                fx += m * w * w * dx;
                fy += m * w * w * dy;
            } else {
                for (int q = 0; q < 4; ++q)
                    if (c.child[q] >= 0) stack.push_back(c.child[q]);
            }
        }
    }
};

}  // namespace

// --- Options ----------------------------------------------------------------------------------------------

void tsne_check(const TsneOptions& o, int n) {
    if (n < kTsneMinPoints)
        throw Error("t-SNE: " + std::to_string(n) + " points, at least " + std::to_string(kTsneMinPoints) + " needed");
    if (n > kTsneMaxPoints)
        throw Error("t-SNE: " + std::to_string(n) + " points, at most " + std::to_string(kTsneMaxPoints) +
                    " supported (the exact neighbour search is O(n^2)): embed a subset");
    if (!(o.perplexity >= 1.0) || !(3.0 * o.perplexity < n - 1))
        throw Error("t-SNE: perplexity " + num(o.perplexity) + " out of range for " + std::to_string(n) +
                    " points: expected 1 <= perplexity < (n - 1) / 3 = " + num((n - 1) / 3.0));
    if (!(o.learning_rate >= 0.0) || !std::isfinite(o.learning_rate))
        throw Error("t-SNE: learning rate " + num(o.learning_rate) + ", expected a finite value > 0 (or 0: automatic)");
    if (!(o.early_exaggeration >= 1.0) || !std::isfinite(o.early_exaggeration))
        throw Error("t-SNE: early exaggeration " + num(o.early_exaggeration) + ", expected a finite value >= 1");
    if (o.exaggeration_iterations < 0)
        throw Error("t-SNE: exaggeration iterations " + std::to_string(o.exaggeration_iterations) + ", expected >= 0");
    if (o.iterations < 1) throw Error("t-SNE: iterations " + std::to_string(o.iterations) + ", expected >= 1");
    if (!(o.theta >= 0.0 && o.theta <= 1.0)) throw Error("t-SNE: theta " + num(o.theta) + ", expected 0 <= theta <= 1");
}

// --- Tsne -------------------------------------------------------------------------------------------------

Tsne::Tsne(const Matrix& x, const TsneOptions& o) : o_(o), n_(static_cast<int>(x.cols())) {
    tsne_check(o, n_);
    if (x.rows() < 1) throw Error("t-SNE: the points have no dimensions");
    for (Eigen::Index j = 0; j < x.cols(); ++j)
        for (Eigen::Index i = 0; i < x.rows(); ++i)
            if (!std::isfinite(x(i, j)))
                throw Error("t-SNE: non-finite value at row " + std::to_string(i) + " of point " + std::to_string(j));

    // Sparse conditional affinities over the K nearest neighbours, then P = (P + P^T) / sum.
    const int K = std::min(n_ - 1, static_cast<int>(3.0 * o.perplexity));
    std::vector<int> nn;
    std::vector<double> d2, p(static_cast<size_t>(n_) * K);
    exact_knn(x.cast<double>(), K, nn, d2);
    std::vector<Eigen::Triplet<double>> t;
    t.reserve(2 * p.size());
    for (int i = 0; i < n_; ++i) {
        conditional_affinities(&d2[static_cast<size_t>(i) * K], K, o.perplexity, &p[static_cast<size_t>(i) * K]);
        for (int k = 0; k < K; ++k) {
            const size_t e = static_cast<size_t>(i) * K + k;
            t.emplace_back(i, nn[e], p[e]);
            t.emplace_back(nn[e], i, p[e]);
        }
    }
    Eigen::SparseMatrix<double, Eigen::RowMajor> s(n_, n_);
    s.setFromTriplets(t.begin(), t.end());
    s.makeCompressed();
    double total = 0.0;
    for (Eigen::Index e = 0; e < s.nonZeros(); ++e) total += s.valuePtr()[e];
    row_.assign(s.outerIndexPtr(), s.outerIndexPtr() + n_ + 1);
    col_.assign(s.innerIndexPtr(), s.innerIndexPtr() + s.nonZeros());
    val_.assign(s.valuePtr(), s.valuePtr() + s.nonZeros());
    for (double& v : val_) v /= total;

    eta_ = o.learning_rate > 0 ? o.learning_rate : std::max(n_ / (4.0 * o.early_exaggeration), 50.0);

    // Start: N(0, 1e-4 I).
    Rng rng(o.seed, 0x7453);
    yd_.resize(2, n_);
    for (int i = 0; i < n_; ++i)
        for (int r = 0; r < 2; ++r) yd_(r, i) = 1e-2 * rng.normal();
    u_ = Eigen::MatrixXd::Zero(2, n_);
    gains_ = Eigen::MatrixXd::Ones(2, n_);
    rep_.resize(2, n_);
    repulsion();
    compute_kl();
    y_ = yd_.cast<float>();
}

void Tsne::repulsion() {
    QuadTree tree;
    tree.build(yd_);
    std::vector<int> stack;
    z_ = 0.0;
    for (int i = 0; i < n_; ++i) {
        double fx, fy, z;
        tree.repulsion(yd_, i, o_.theta, fx, fy, z, stack);
        rep_(0, i) = fx;
        rep_(1, i) = fy;
        z_ += z;
    }
}

void Tsne::compute_kl() {
    const double log_z = std::log(z_);
    double kl = 0.0;
    for (int i = 0; i < n_; ++i)
        for (int e = row_[i]; e < row_[i + 1]; ++e) {
            const int j = col_[e];
            const double dx = yd_(0, i) - yd_(0, j), dy = yd_(1, i) - yd_(1, j);
            const double p = val_[e];
            // log(p / q) with q = w / Z, w = 1 / (1 + d^2)
            kl += p * (std::log(p) + std::log1p(dx * dx + dy * dy) + log_z);
        }
    kl_ = kl;
}

TsneProgress Tsne::step(int n_iterations) {
    if (n_iterations < 0) throw Error("t-SNE: step(" + std::to_string(n_iterations) + "), expected >= 0 iterations");
    for (int s = 0; s < n_iterations; ++s) {
        const int t = iteration_;
        const double a = t < o_.exaggeration_iterations ? o_.early_exaggeration : 1.0;
        const double momentum = t < 250 ? 0.5 : 0.8;
        // rep_ and z_ hold the repulsion of the current yd_ (computed after the previous update).
        const double inv_z = 1.0 / z_;
        for (int i = 0; i < n_; ++i) {
            double ax = 0.0, ay = 0.0;
            for (int e = row_[i]; e < row_[i + 1]; ++e) {
                const int j = col_[e];
                const double dx = yd_(0, i) - yd_(0, j), dy = yd_(1, i) - yd_(1, j);
                const double pw = a * val_[e] / (1.0 + dx * dx + dy * dy);
                ax += pw * dx;
                ay += pw * dy;
            }
            const double g[2] = {4.0 * (ax - rep_(0, i) * inv_z), 4.0 * (ay - rep_(1, i) * inv_z)};
            for (int r = 0; r < 2; ++r) {
                double& gain = gains_(r, i);
                gain = (g[r] > 0) != (u_(r, i) > 0) ? gain + 0.2 : gain * 0.8;
                if (gain < 0.01) gain = 0.01;
                u_(r, i) = momentum * u_(r, i) - eta_ * gain * g[r];
            }
        }
        yd_ += u_;
        for (int r = 0; r < 2; ++r) {
            double mean = 0.0;
            for (int i = 0; i < n_; ++i) mean += yd_(r, i);
            mean /= n_;
            for (int i = 0; i < n_; ++i) yd_(r, i) -= mean;
        }
        ++iteration_;
        repulsion();
    }
    if (n_iterations > 0) {
        compute_kl();
        y_ = yd_.cast<float>();
    }
    return TsneProgress{y_, kl_, iteration_};
}

Matrix tsne_embed(const Matrix& x, const TsneOptions& o, double* kl) {
    Tsne t(x, o);
    t.step(o.iterations);
    if (kl) *kl = t.kl();
    return t.embedding();
}

}  // namespace ae
