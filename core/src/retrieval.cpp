#include "ae/retrieval.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "ae/embedding.h"  // spread_indices
#include "ae/error.h"

namespace ae {

namespace {

using MatrixD = Eigen::MatrixXd;
using VectorD = Eigen::VectorXd;

void check_items(const Matrix& items, const char* what) {
    if (items.cols() == 0 || items.rows() == 0) throw Error(std::string(what) + ": empty item set");
    if (!items.allFinite()) throw Error(std::string(what) + ": items contain a non-finite entry");
}

// Distances from every item (columns of x, norms |x_j|) to each query (columns of q): [n, m].
// Euclidean via |x|^2 + |q|^2 - 2 x.q (clamped at 0), cosine via 1 - x.q / (|x| |q|).
MatrixD distances(const MatrixD& x, const VectorD& x_norm2, const MatrixD& q, Distance metric) {
    MatrixD g = x.transpose() * q;  // [n, m] dot products
    const VectorD q_norm2 = q.colwise().squaredNorm().transpose();
    for (Eigen::Index c = 0; c < g.cols(); ++c)
        for (Eigen::Index r = 0; r < g.rows(); ++r) {
            if (metric == Distance::euclidean) {
                g(r, c) = std::sqrt(std::max(0.0, x_norm2(r) + q_norm2(c) - 2.0 * g(r, c)));
            } else {
                const double den = std::sqrt(x_norm2(r) * q_norm2(c));
                g(r, c) = den > 0.0 ? 1.0 - g(r, c) / den : 1.0;
            }
        }
    return g;
}

// The k smallest of dist (one column) skipping `exclude`, ascending, ties by lower index.
Neighbors smallest(const double* dist, int n, int k, int exclude) {
    std::vector<int> idx;
    idx.reserve(n);
    for (int j = 0; j < n; ++j)
        if (j != exclude) idx.push_back(j);
    auto less = [&](int a, int b) { return dist[a] < dist[b] || (dist[a] == dist[b] && a < b); };
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), less);
    Neighbors out;
    out.indices.assign(idx.begin(), idx.begin() + k);
    for (int j : out.indices) out.distances.push_back(dist[j]);
    return out;
}

}  // namespace

Distance distance_from_name(const std::string& name, const std::string& field) {
    if (name == "euclidean") return Distance::euclidean;
    if (name == "cosine") return Distance::cosine;
    throw Error(field + ": unknown distance '" + name + "' (euclidean or cosine)");
}

const char* distance_name(Distance d) { return d == Distance::cosine ? "cosine" : "euclidean"; }

Neighbors nearest_neighbors(const Matrix& items, const Vector& query, int k, Distance metric, int exclude) {
    check_items(items, "nearest_neighbors");
    const int n = static_cast<int>(items.cols());
    if (query.size() != items.rows())
        throw Error("nearest_neighbors: query has " + std::to_string(query.size()) + " entries, items have " +
                    std::to_string(items.rows()));
    if (!query.allFinite()) throw Error("nearest_neighbors: query contains a non-finite entry");
    if (exclude < -1 || exclude >= n)
        throw Error("nearest_neighbors: exclude " + std::to_string(exclude) + " outside [-1, " + std::to_string(n) + ")");
    const int candidates = exclude >= 0 ? n - 1 : n;
    if (k < 1 || k > candidates)
        throw Error("nearest_neighbors: k = " + std::to_string(k) + " outside [1, " + std::to_string(candidates) + "]");
    const MatrixD x = items.cast<double>();
    const VectorD x_norm2 = x.colwise().squaredNorm().transpose();
    const MatrixD d = distances(x, x_norm2, query.cast<double>(), metric);
    return smallest(d.data(), n, k, exclude);
}

double precision_of(const Neighbors& nn, const std::vector<uint8_t>& labels, uint8_t query_label) {
    if (nn.indices.empty()) throw Error("precision_of: no neighbours");
    int hits = 0;
    for (int j : nn.indices) {
        if (j < 0 || j >= static_cast<int>(labels.size()))
            throw Error("precision_of: neighbour index " + std::to_string(j) + " outside the " +
                        std::to_string(labels.size()) + " labels");
        hits += labels[j] == query_label;
    }
    return static_cast<double>(hits) / static_cast<double>(nn.indices.size());
}

NeighborComparison compare_neighbors(const Matrix& codes, const Matrix& pixels, const std::vector<uint8_t>& labels,
                                     const Vector& query_code, const Vector& query_pixels, int k, Distance metric,
                                     int exclude, int query_label) {
    if (codes.cols() != pixels.cols() || static_cast<size_t>(codes.cols()) != labels.size())
        throw Error("compare_neighbors: " + std::to_string(codes.cols()) + " codes, " + std::to_string(pixels.cols()) +
                    " images and " + std::to_string(labels.size()) + " labels");
    if (query_label > 255) throw Error("compare_neighbors: query label " + std::to_string(query_label) + " > 255");
    NeighborComparison r;
    r.by_code = nearest_neighbors(codes, query_code, k, metric, exclude);
    r.by_pixels = nearest_neighbors(pixels, query_pixels, k, metric, exclude);
    if (query_label >= 0) {
        const auto label = static_cast<uint8_t>(query_label);
        r.code_precision = precision_of(r.by_code, labels, label);
        r.pixel_precision = precision_of(r.by_pixels, labels, label);
    }
    return r;
}

double retrieval_precision_at_k(const Matrix& items, const std::vector<uint8_t>& labels, int k, Distance metric,
                                int max_queries) {
    check_items(items, "retrieval_precision_at_k");
    const int n = static_cast<int>(items.cols());
    if (static_cast<int>(labels.size()) != n)
        throw Error("retrieval_precision_at_k: " + std::to_string(labels.size()) + " labels for " + std::to_string(n) +
                    " items");
    if (k < 1 || k >= n)
        throw Error("retrieval_precision_at_k: k = " + std::to_string(k) + " outside [1, " + std::to_string(n - 1) +
                    "]");
    if (max_queries < 1) throw Error("retrieval_precision_at_k: max_queries must be >= 1");
    const int m = std::min(n, max_queries);
    const MatrixD x = items.cast<double>();
    const VectorD x_norm2 = x.colwise().squaredNorm().transpose();
    constexpr int kBlock = 128;  // queries per matrix product
    double sum = 0.0;
    // Query i is item i * n / m: spread over the set, so a set stored class by class is queried in every class.
    auto query = [&](int i) { return static_cast<int>(static_cast<int64_t>(i) * n / m); };
    for (int q0 = 0; q0 < m; q0 += kBlock) {
        const int b = std::min(kBlock, m - q0);
        MatrixD qx(x.rows(), b);
        for (int c = 0; c < b; ++c) qx.col(c) = x.col(query(q0 + c));
        const MatrixD d = distances(x, x_norm2, qx, metric);
        for (int c = 0; c < b; ++c) {
            const int q = query(q0 + c);
            sum += precision_of(smallest(d.col(c).data(), n, k, q), labels, labels[q]);
        }
    }
    return sum / m;
}

// ---- Semantic hashing --------------------------------------------------------------------------------

BinaryCodes binarize_codes(const Matrix& codes, float threshold) {
    check_items(codes, "binarize_codes");
    BinaryCodes b;
    b.bits = static_cast<int>(codes.rows());
    b.count = static_cast<int>(codes.cols());
    b.words = (b.bits + 63) / 64;
    b.data.assign(static_cast<size_t>(b.count) * b.words, 0);
    for (int i = 0; i < b.count; ++i) {
        uint64_t* w = b.data.data() + static_cast<size_t>(i) * b.words;
        for (int j = 0; j < b.bits; ++j)
            if (codes(j, i) > threshold) w[j / 64] |= uint64_t{1} << (j % 64);
    }
    return b;
}

namespace {

int hamming_words(const uint64_t* a, const uint64_t* b, int words) {
    int d = 0;
    for (int k = 0; k < words; ++k) d += __builtin_popcountll(a[k] ^ b[k]);  // std::popcount is C++20
    return d;
}

}  // namespace

int hamming_distance(const BinaryCodes& c, int a, int b) {
    if (a < 0 || a >= c.count || b < 0 || b >= c.count)
        throw Error("hamming_distance: items " + std::to_string(a) + ", " + std::to_string(b) + " outside [0, " +
                    std::to_string(c.count) + ")");
    return hamming_words(c.data.data() + static_cast<size_t>(a) * c.words,
                         c.data.data() + static_cast<size_t>(b) * c.words, c.words);
}

HammingRetrieval hamming_retrieval(const BinaryCodes& codes, const std::vector<uint8_t>& labels, int radius,
                                   int max_queries) {
    const int n = codes.count;
    if (static_cast<int>(labels.size()) != n)
        throw Error("hamming_retrieval: " + std::to_string(labels.size()) + " labels for " + std::to_string(n) +
                    " codes");
    if (n < 2) throw Error("hamming_retrieval: needs at least 2 items, got " + std::to_string(n));
    if (radius < 0 || radius > codes.bits)
        throw Error("hamming_retrieval: radius " + std::to_string(radius) + " outside [0, " +
                    std::to_string(codes.bits) + "]");
    if (max_queries < 1) throw Error("hamming_retrieval: max_queries must be >= 1");
    std::vector<int> class_size(256, 0);
    for (uint8_t l : labels) ++class_size[l];
    HammingRetrieval r;
    r.radius = radius;
    r.queries = std::min(n, max_queries);
    double precision_sum = 0.0, recall_sum = 0.0, ball_sum = 0.0;
    int recall_queries = 0;
    for (int qi = 0; qi < r.queries; ++qi) {
        // Query qi is item qi * n / m: spread over the set, so a set stored class by class is queried in every class.
        const int q = static_cast<int>(static_cast<int64_t>(qi) * n / r.queries);
        const uint64_t* a = codes.data.data() + static_cast<size_t>(q) * codes.words;
        int ball = 0, same = 0;
        for (int i = 0; i < n; ++i) {
            if (i == q || hamming_words(a, codes.data.data() + static_cast<size_t>(i) * codes.words, codes.words) >
                              radius)
                continue;
            ++ball;
            same += labels[i] == labels[q];
        }
        ball_sum += ball;
        if (ball > 0) precision_sum += static_cast<double>(same) / ball;
        else ++r.empty_queries;
        const int relevant = class_size[labels[q]] - 1;
        if (relevant > 0) {
            recall_sum += static_cast<double>(same) / relevant;
            ++recall_queries;
        }
    }
    const int answered = r.queries - r.empty_queries;
    r.precision = answered > 0 ? precision_sum / answered : 0.0;
    r.recall = recall_queries > 0 ? recall_sum / recall_queries : 0.0;
    r.mean_ball_size = ball_sum / r.queries;
    return r;
}

HammingBall hamming_ball(const BinaryCodes& codes, const std::vector<uint8_t>& labels, const Vector& query_code,
                         int radius, int exclude, int query_label, float threshold) {
    const int n = codes.count, k = codes.bits;
    if (static_cast<int>(labels.size()) != n)
        throw Error("hamming_ball: " + std::to_string(labels.size()) + " labels for " + std::to_string(n) + " codes");
    if (query_code.size() != k)
        throw Error("hamming_ball: query code has " + std::to_string(query_code.size()) + " entries, the codes have " +
                    std::to_string(k) + " bits");
    if (!query_code.allFinite()) throw Error("hamming_ball: query code contains a non-finite entry");
    if (radius < 0 || radius > k)
        throw Error("hamming_ball: radius " + std::to_string(radius) + " outside [0, " + std::to_string(k) + "]");
    if (exclude < -1 || exclude >= n)
        throw Error("hamming_ball: exclude " + std::to_string(exclude) + " outside [-1, " + std::to_string(n) + ")");
    if (query_label < -1 || query_label > 255)
        throw Error("hamming_ball: query label " + std::to_string(query_label) + " outside [-1, 255]");
    HammingBall b;
    b.radius = radius;
    b.query_bits.resize(static_cast<size_t>(k));
    std::vector<uint64_t> q(static_cast<size_t>(codes.words), 0);
    for (int j = 0; j < k; ++j) {
        b.query_bits[j] = query_code(j) > threshold;
        if (b.query_bits[j]) q[j / 64] |= uint64_t{1} << (j % 64);
    }
    // Counting sort by distance (0..k) keeps equal distances in index order.
    std::vector<std::vector<int>> by_distance(static_cast<size_t>(radius) + 1);
    if (query_label >= 0) b.relevant = 0;
    for (int i = 0; i < n; ++i) {
        if (i == exclude) continue;
        const bool same = query_label >= 0 && labels[i] == query_label;
        b.relevant += same;
        const int d = hamming_words(q.data(), codes.data.data() + static_cast<size_t>(i) * codes.words, codes.words);
        if (d > radius) continue;
        by_distance[d].push_back(i);
        b.same += same;
    }
    for (int d = 0; d <= radius; ++d)
        for (int i : by_distance[d]) {
            b.indices.push_back(i);
            b.distances.push_back(d);
        }
    if (query_label >= 0) {
        if (!b.indices.empty()) b.precision = static_cast<double>(b.same) / static_cast<double>(b.indices.size());
        if (b.relevant > 0) b.recall = static_cast<double>(b.same) / b.relevant;
    }
    return b;
}

CodeBitsImage code_bits_image(const BinaryCodes& codes, const std::vector<uint8_t>& labels, int max_rows) {
    const int n = codes.count;
    if (static_cast<int>(labels.size()) != n)
        throw Error("code_bits_image: " + std::to_string(labels.size()) + " labels for " + std::to_string(n) +
                    " codes");
    if (n < 1) throw Error("code_bits_image: empty code set");
    if (max_rows < 1) throw Error("code_bits_image: max_rows must be >= 1, got " + std::to_string(max_rows));
    CodeBitsImage im;
    im.items = spread_indices(n, max_rows);
    std::stable_sort(im.items.begin(), im.items.end(), [&](int a, int b) { return labels[a] < labels[b]; });
    im.rows = static_cast<int>(im.items.size());
    im.cols = codes.bits;
    im.bits.resize(static_cast<size_t>(im.rows) * im.cols);
    for (int r = 0; r < im.rows; ++r) {
        im.labels.push_back(labels[im.items[r]]);
        for (int j = 0; j < im.cols; ++j) im.bits[static_cast<size_t>(r) * im.cols + j] = codes.bit(im.items[r], j);
    }
    return im;
}

double code_binariness(const Matrix& codes, float margin) {
    if (codes.size() == 0) throw Error("code_binariness: empty code matrix");
    if (!(margin >= 0.0f && margin <= 0.5f))
        throw Error("code_binariness: margin " + std::to_string(margin) + " outside [0, 0.5]");
    const Eigen::Index near = (codes.array() <= margin || codes.array() >= 1.0f - margin).count();
    return static_cast<double>(near) / static_cast<double>(codes.size());
}

}  // namespace ae
