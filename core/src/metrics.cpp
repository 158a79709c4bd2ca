#include "ae/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "ae/error.h"

namespace ae {

namespace {

void check_same(const Matrix& x, const Matrix& y, const char* what) {
    if (x.rows() != y.rows() || x.cols() != y.cols())
        throw Error(std::string(what) + ": shapes differ ([" + std::to_string(x.rows()) + ", " +
                    std::to_string(x.cols()) + "] and [" + std::to_string(y.rows()) + ", " +
                    std::to_string(y.cols()) + "])");
    if (x.size() == 0) throw Error(std::string(what) + ": empty matrices");
}

double image_sq_error(const Matrix& x, const Matrix& y, Eigen::Index j) {
    double s = 0.0;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        const double d = static_cast<double>(x(i, j)) - y(i, j);
        s += d * d;
    }
    return s;
}

}  // namespace

double mse(const Matrix& x, const Matrix& y) {
    check_same(x, y, "mse");
    double s = 0.0;
    for (Eigen::Index j = 0; j < x.cols(); ++j) s += image_sq_error(x, y, j);
    return s / static_cast<double>(x.size());
}

double bce(const Matrix& x, const Matrix& p) {
    check_same(x, p, "bce");
    double s = 0.0;
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        for (Eigen::Index i = 0; i < x.rows(); ++i) {
            const double t = x(i, j), q = p(i, j);
            const double lp = std::max(std::log(q), -100.0), lq = std::max(std::log1p(-q), -100.0);
            s -= t * lp + (1.0 - t) * lq;
        }
    }
    return s / static_cast<double>(x.size());
}

double psnr_from_mse(double m) {
    if (m <= 0.0) return std::numeric_limits<double>::infinity();
    return -10.0 * std::log10(m);
}

double psnr(const Matrix& x, const Matrix& y) {
    check_same(x, y, "psnr");
    double s = 0.0;
    for (Eigen::Index j = 0; j < x.cols(); ++j) s += psnr_from_mse(image_sq_error(x, y, j) / x.rows());
    return s / static_cast<double>(x.cols());
}

double ssim_image(const float* x, const float* y, int rows, int cols, const SsimOptions& o) {
    const int w = o.window;
    if (w < 1 || rows < w || cols < w)
        throw Error("ssim: the " + std::to_string(rows) + "x" + std::to_string(cols) + " image is smaller than the " +
                    std::to_string(w) + "x" + std::to_string(w) + " window");
    // 1-D Gaussian, normalised; the 2-D window is its outer product (sums to 1, like fspecial('gaussian')).
    std::vector<double> g(w);
    const double c = 0.5 * (w - 1);
    for (int i = 0; i < w; ++i) g[i] = std::exp(-(i - c) * (i - c) / (2.0 * o.sigma * o.sigma));
    const double gs = std::accumulate(g.begin(), g.end(), 0.0);
    for (double& v : g) v /= gs;

    const int oc = cols - w + 1, orow = rows - w + 1;
    // Horizontal pass over the five signals x, y, x^2, y^2, xy: [rows, oc] each.
    std::vector<double> h(5 * static_cast<size_t>(rows) * oc, 0.0);
    for (int r = 0; r < rows; ++r) {
        for (int j = 0; j < oc; ++j) {
            double s[5] = {0, 0, 0, 0, 0};
            for (int t = 0; t < w; ++t) {
                const double a = x[r * cols + j + t], b = y[r * cols + j + t], gt = g[t];
                s[0] += gt * a;
                s[1] += gt * b;
                s[2] += gt * a * a;
                s[3] += gt * b * b;
                s[4] += gt * a * b;
            }
            for (int k = 0; k < 5; ++k) h[(static_cast<size_t>(k) * rows + r) * oc + j] = s[k];
        }
    }
    const double c1 = (o.k1 * o.range) * (o.k1 * o.range), c2 = (o.k2 * o.range) * (o.k2 * o.range);
    double total = 0.0;
    for (int r = 0; r < orow; ++r) {
        for (int j = 0; j < oc; ++j) {
            double s[5] = {0, 0, 0, 0, 0};
            for (int t = 0; t < w; ++t)
                for (int k = 0; k < 5; ++k) s[k] += g[t] * h[(static_cast<size_t>(k) * rows + r + t) * oc + j];
            const double mx = s[0], my = s[1];
            const double vx = s[2] - mx * mx, vy = s[3] - my * my, cxy = s[4] - mx * my;
            total += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        }
    }
    return total / (static_cast<double>(orow) * oc);
}

double ssim(const Matrix& x, const Matrix& y, int rows, int cols, const SsimOptions& o) {
    check_same(x, y, "ssim");
    if (static_cast<Eigen::Index>(rows) * cols != x.rows())
        throw Error("ssim: images have " + std::to_string(x.rows()) + " pixels, not " + std::to_string(rows) + "x" +
                    std::to_string(cols));
    double s = 0.0;
    for (Eigen::Index j = 0; j < x.cols(); ++j) s += ssim_image(x.col(j).data(), y.col(j).data(), rows, cols, o);
    return s / static_cast<double>(x.cols());
}

double auroc(const std::vector<double>& scores, const std::vector<uint8_t>& is_positive) {
    const size_t n = scores.size();
    if (is_positive.size() != n)
        throw Error("auroc: " + std::to_string(n) + " scores but " + std::to_string(is_positive.size()) + " labels");
    for (size_t i = 0; i < n; ++i)
        if (std::isnan(scores[i])) throw Error("auroc: score " + std::to_string(i) + " is NaN");
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
    double rank_sum = 0.0;
    size_t n_pos = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && scores[order[j]] == scores[order[i]]) ++j;
        const double mid = 0.5 * static_cast<double>(i + 1 + j);  // mean of ranks i+1 .. j
        for (size_t t = i; t < j; ++t)
            if (is_positive[order[t]]) {
                rank_sum += mid;
                ++n_pos;
            }
        i = j;
    }
    const size_t n_neg = n - n_pos;
    if (n_pos == 0 || n_neg == 0)
        throw Error("auroc: needs both classes (" + std::to_string(n_pos) + " positives, " + std::to_string(n_neg) +
                    " negatives)");
    const double np = static_cast<double>(n_pos);
    return (rank_sum - np * (np + 1.0) / 2.0) / (np * static_cast<double>(n_neg));
}

double knn_accuracy(const Matrix& train_codes, const std::vector<uint8_t>& train_labels, const Matrix& test_codes,
                    const std::vector<uint8_t>& test_labels, int k_neighbors) {
    const Eigen::Index n = train_codes.cols(), m = test_codes.cols();
    if (train_codes.rows() != test_codes.rows())
        throw Error("knn: training codes have " + std::to_string(train_codes.rows()) + " dimensions, test codes " +
                    std::to_string(test_codes.rows()));
    if (static_cast<Eigen::Index>(train_labels.size()) != n || static_cast<Eigen::Index>(test_labels.size()) != m)
        throw Error("knn: label counts differ from code counts");
    if (k_neighbors < 1 || k_neighbors > n)
        throw Error("knn: k = " + std::to_string(k_neighbors) + ", expected 1 <= k <= " + std::to_string(n) +
                    " (the number of training codes)");
    if (m == 0) throw Error("knn: no test codes");
    const int k = k_neighbors;
    const Eigen::MatrixXd tr = train_codes.cast<double>();
    const Eigen::VectorXd tr_norm = tr.colwise().squaredNorm().transpose();
    const Eigen::Index block = 64;
    Eigen::MatrixXd dot(n, block);
    std::vector<double> best_d(k);
    std::vector<Eigen::Index> best_i(k);
    int classes = 0;
    for (uint8_t l : train_labels) classes = std::max(classes, l + 1);
    std::vector<int> votes(classes);
    std::vector<double> nearest(classes);
    Eigen::Index correct = 0;
    for (Eigen::Index j0 = 0; j0 < m; j0 += block) {
        const Eigen::Index b = std::min(block, m - j0);
        const Eigen::MatrixXd te = test_codes.middleCols(j0, b).cast<double>();
        dot.leftCols(b).noalias() = tr.transpose() * te;
        for (Eigen::Index t = 0; t < b; ++t) {
            const double te_norm = te.col(t).squaredNorm();
            int found = 0;
            for (Eigen::Index i = 0; i < n; ++i) {
                const double d = tr_norm(i) + te_norm - 2.0 * dot(i, t);
                if (found == k && d >= best_d[k - 1]) continue;
                int pos = found < k ? found++ : k - 1;  // insertion sort into the k best (stable: ties keep index order)
                while (pos > 0 && best_d[pos - 1] > d) {
                    best_d[pos] = best_d[pos - 1];
                    best_i[pos] = best_i[pos - 1];
                    --pos;
                }
                best_d[pos] = d;
                best_i[pos] = i;
            }
            std::fill(votes.begin(), votes.end(), 0);
            std::fill(nearest.begin(), nearest.end(), std::numeric_limits<double>::infinity());
            for (int r = 0; r < k; ++r) {
                const int c = train_labels[best_i[r]];
                ++votes[c];
                nearest[c] = std::min(nearest[c], best_d[r]);
            }
            int winner = 0;
            for (int c = 1; c < classes; ++c)
                if (votes[c] > votes[winner] || (votes[c] == votes[winner] && nearest[c] < nearest[winner])) winner = c;
            if (winner == test_labels[j0 + t]) ++correct;
        }
    }
    return static_cast<double>(correct) / static_cast<double>(m);
}

std::vector<double> per_image_mse(const Matrix& x, const Matrix& y) {
    if (x.rows() != y.rows() || x.cols() != y.cols())
        throw Error("per_image_mse: shapes [" + std::to_string(x.rows()) + ", " + std::to_string(x.cols()) + "] and [" +
                    std::to_string(y.rows()) + ", " + std::to_string(y.cols()) + "] differ");
    std::vector<double> e(x.cols());
    for (Eigen::Index j = 0; j < x.cols(); ++j)
        e[j] = (x.col(j) - y.col(j)).cast<double>().squaredNorm() / static_cast<double>(x.rows());
    return e;
}

double code_usage(const std::vector<double>& counts) {
    if (counts.empty()) return 0.0;
    size_t used = 0;
    for (double c : counts) used += c > 0;
    return static_cast<double>(used) / static_cast<double>(counts.size());
}

double code_perplexity(const std::vector<double>& counts) {
    double total = 0.0, entropy = 0.0;
    for (double c : counts) total += std::max(c, 0.0);
    if (total <= 0.0) return 0.0;
    for (double c : counts)
        if (c > 0) entropy -= c / total * std::log(c / total);
    return std::exp(entropy);
}

}  // namespace ae
