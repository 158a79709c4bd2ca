// UMAP (see umap.h for the formulas and their sources).
#include "ae/umap.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "ae/error.h"
#include "ae/pca.h"
#include "exact_knn.h"

namespace ae {

namespace {

std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
}

double clip4(double g) { return std::max(-4.0, std::min(4.0, g)); }

}  // namespace

void umap_check(const UmapOptions& o, int n) {
    if (o.n_neighbors < 2) throw Error("umap: n_neighbors " + std::to_string(o.n_neighbors) + " must be >= 2");
    if (!(o.min_dist >= 0.0 && o.min_dist < 3.0)) throw Error("umap: min_dist " + num(o.min_dist) + " is outside [0, 3)");
    if (o.epochs < 1) throw Error("umap: epochs " + std::to_string(o.epochs) + " must be >= 1");
    if (!(o.learning_rate > 0.0 && std::isfinite(o.learning_rate)))
        throw Error("umap: learning_rate " + num(o.learning_rate) + " must be > 0");
    if (o.negative_sample_rate < 0)
        throw Error("umap: negative_sample_rate " + std::to_string(o.negative_sample_rate) + " must be >= 0");
    if (n > kUmapMaxPoints)
        throw Error("umap: " + std::to_string(n) + " points, at most " + std::to_string(kUmapMaxPoints) +
                    " (the exact neighbour search is O(n^2))");
    if (n < o.n_neighbors + 1)
        throw Error("umap: " + std::to_string(n) + " points, at least n_neighbors + 1 = " +
                    std::to_string(o.n_neighbors + 1) + " needed");
}

std::pair<double, double> umap_curve(double min_dist) {
    // Targets t(x) on 300 points of [0, 3]; fit f(x) = 1 / (1 + a x^(2b)) by Levenberg-Marquardt.
    const int m = 300;
    std::vector<double> xs(m), ts(m);
    for (int i = 0; i < m; ++i) {
        xs[i] = 3.0 * i / (m - 1);
        ts[i] = xs[i] < min_dist ? 1.0 : std::exp(-(xs[i] - min_dist));
    }
    auto sse = [&](double a, double b) {
        double s = 0.0;
        for (int i = 0; i < m; ++i) {
            const double f = 1.0 / (1.0 + a * std::pow(xs[i], 2.0 * b));
            s += (f - ts[i]) * (f - ts[i]);
        }
        return s;
    };
    double a = 1.5, b = 0.9, lambda = 1e-3, cost = sse(a, b);
    for (int it = 0; it < 200; ++it) {
        double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
        for (int i = 0; i < m; ++i) {
            if (xs[i] == 0.0) continue;  // f(0) = 1 whatever a, b
            const double p = std::pow(xs[i], 2.0 * b), u = a * p, f = 1.0 / (1.0 + u), r = f - ts[i];
            const double da = -p * f * f, db = -u * 2.0 * std::log(xs[i]) * f * f;
            jaa += da * da;
            jab += da * db;
            jbb += db * db;
            ga += da * r;
            gb += db * r;
        }
        bool improved = false;
        for (int tries = 0; tries < 20 && !improved; ++tries) {
            const double A = jaa * (1 + lambda), B = jab, D = jbb * (1 + lambda), det = A * D - B * B;
            if (det == 0.0) break;
            const double sa = -(D * ga - B * gb) / det, sb = -(A * gb - B * ga) / det;
            const double na = a + sa, nb = b + sb;
            const double c = na > 0 && nb > 0 ? sse(na, nb) : std::numeric_limits<double>::infinity();
            if (c < cost) {
                improved = true;
                const double gain = cost - c;
                a = na;
                b = nb;
                cost = c;
                lambda = std::max(1e-9, lambda * 0.3);
                if (gain < 1e-14) it = 200;
            } else {
                lambda *= 10.0;
            }
        }
        if (!improved) break;
    }
    return {a, b};
}

Umap::Umap(const Matrix& x, const UmapOptions& o) : o_(o), n_(static_cast<int>(x.cols())), rng_(o.seed, 7) {
    umap_check(o, n_);
    if (!x.allFinite()) throw Error("umap: the input has non-finite entries");
    const std::pair<double, double> ab = umap_curve(o.min_dist);
    a_ = ab.first;
    b_ = ab.second;
    const int K = o.n_neighbors - 1;
    std::vector<int> nn;
    std::vector<double> d2;
    exact_knn(x.cast<double>(), K, nn, d2);

    // Local scales and the directed memberships w_ij (smooth_knn_dist).
    const double target = std::log2(static_cast<double>(o.n_neighbors));
    double mean_all = 0.0;
    for (double v : d2) mean_all += std::sqrt(v);
    mean_all /= static_cast<double>(d2.size());
    std::vector<double> w(static_cast<size_t>(n_) * K);
    for (int i = 0; i < n_; ++i) {
        const double* d = &d2[static_cast<size_t>(i) * K];
        std::vector<double> dist(K);
        double mean_i = 0.0, rho = 0.0;
        for (int k = 0; k < K; ++k) {
            dist[k] = std::sqrt(d[k]);
            mean_i += dist[k];
            if (rho == 0.0 && dist[k] > 0.0) rho = dist[k];
        }
        mean_i /= K;
        double lo = 0.0, hi = std::numeric_limits<double>::infinity(), mid = 1.0;
        for (int it = 0; it < 64; ++it) {
            double psum = 0.0;
            for (int k = 0; k < K; ++k) {
                const double e = dist[k] - rho;
                psum += e > 0.0 ? std::exp(-e / mid) : 1.0;
            }
            if (std::abs(psum - target) < 1e-5) break;
            if (psum > target) {
                hi = mid;
                mid = (lo + hi) / 2.0;
            } else {
                lo = mid;
                mid = std::isinf(hi) ? mid * 2.0 : (lo + hi) / 2.0;
            }
        }
        const double sigma = std::max(mid, 1e-3 * (rho > 0.0 ? mean_i : mean_all));
        for (int k = 0; k < K; ++k) {
            const double e = dist[k] - rho;
            w[static_cast<size_t>(i) * K + k] = e > 0.0 ? std::exp(-e / sigma) : 1.0;
        }
    }

    // Fuzzy union p_ij = w_ij + w_ji - w_ij w_ji over the directed kNN edges, both directions kept.
    std::vector<std::pair<int64_t, double>> directed;
    directed.reserve(w.size());
    for (int i = 0; i < n_; ++i)
        for (int k = 0; k < K; ++k)
            directed.emplace_back(static_cast<int64_t>(i) * n_ + nn[static_cast<size_t>(i) * K + k],
                                  w[static_cast<size_t>(i) * K + k]);
    std::sort(directed.begin(), directed.end());
    auto find = [&](int64_t key) {
        auto it = std::lower_bound(directed.begin(), directed.end(), std::make_pair(key, -1.0));
        return it != directed.end() && it->first == key ? it->second : 0.0;
    };
    std::vector<std::pair<int64_t, double>> graph;  // (i * n + j, p_ij) for both directions, sorted
    for (const auto& [key, wij] : directed) {
        const int i = static_cast<int>(key / n_), j = static_cast<int>(key % n_);
        const double wji = find(static_cast<int64_t>(j) * n_ + i);
        const double p = wij + wji - wij * wji;
        graph.emplace_back(key, p);
        if (wji == 0.0) graph.emplace_back(static_cast<int64_t>(j) * n_ + i, p);  // j does not list i: add j -> i
    }
    std::sort(graph.begin(), graph.end());
    double pmax = 0.0;
    for (const auto& g : graph) pmax = std::max(pmax, g.second);
    for (const auto& [key, p] : graph) {
        if (p < pmax / o.epochs) continue;
        head_.push_back(static_cast<int>(key / n_));
        tail_.push_back(static_cast<int>(key % n_));
        epochs_per_sample_.push_back(pmax / p);
    }
    next_sample_ = epochs_per_sample_;
    for (double e : epochs_per_sample_)
        epochs_per_negative_.push_back(o.negative_sample_rate > 0 ? e / o.negative_sample_rate : 0.0);
    next_negative_ = epochs_per_negative_;

    // Start: PCA onto 2 components, the largest |coordinate| 10.
    const Pca pca = pca_fit(x, std::min<int>(2, static_cast<int>(x.rows())));
    y_ = Matrix::Zero(2, n_);
    y_.topRows(pca.components.cols()) = pca_project(pca, x);
    const float big = y_.cwiseAbs().maxCoeff();
    if (big > 0.0f) y_ *= 10.0f / big;
}

const Matrix& Umap::step(int n_epochs) {
    const int end = std::min(o_.epochs, epoch_ + std::max(0, n_epochs));
    const double a = a_, b = b_;
    for (; epoch_ < end; ++epoch_) {
        const double n = epoch_;
        const double alpha = o_.learning_rate * (1.0 - n / o_.epochs);
        for (size_t e = 0; e < head_.size(); ++e) {
            if (next_sample_[e] > n) continue;
            float* c = y_.col(head_[e]).data();
            float* t = y_.col(tail_[e]).data();
            const double dx = c[0] - t[0], dy = c[1] - t[1], dist2 = dx * dx + dy * dy;
            if (dist2 > 0.0) {
                const double coeff = -2.0 * a * b * std::pow(dist2, b - 1.0) / (a * std::pow(dist2, b) + 1.0);
                const double gx = clip4(coeff * dx), gy = clip4(coeff * dy);
                c[0] += static_cast<float>(gx * alpha);
                c[1] += static_cast<float>(gy * alpha);
                t[0] -= static_cast<float>(gx * alpha);
                t[1] -= static_cast<float>(gy * alpha);
            }
            next_sample_[e] += epochs_per_sample_[e];
            if (epochs_per_negative_[e] <= 0.0) continue;
            const int negatives = static_cast<int>((n - next_negative_[e]) / epochs_per_negative_[e]);
            for (int p = 0; p < negatives; ++p) {
                const int k = static_cast<int>(rng_.below(static_cast<uint32_t>(n_)));
                if (k == head_[e]) continue;
                const float* o = y_.col(k).data();
                const double ox = c[0] - o[0], oy = c[1] - o[1], d2 = ox * ox + oy * oy;
                double gx = 4.0, gy = 4.0;
                if (d2 > 0.0) {
                    const double coeff = 2.0 * b / ((0.001 + d2) * (a * std::pow(d2, b) + 1.0));
                    gx = clip4(coeff * ox);
                    gy = clip4(coeff * oy);
                }
                c[0] += static_cast<float>(gx * alpha);
                c[1] += static_cast<float>(gy * alpha);
            }
            next_negative_[e] += negatives * epochs_per_negative_[e];
        }
    }
    return y_;
}

Matrix umap_embed(const Matrix& x, const UmapOptions& o) {
    Umap u(x, o);
    u.step(o.epochs);
    return u.embedding();
}

}  // namespace ae
