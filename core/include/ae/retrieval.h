// Nearest-neighbour retrieval: the k test images closest to a query by code distance or by pixel distance,
// and retrieval precision@k, the fraction of the k retrieved items that share the query's class.
//
//   euclidean   d(x, y) = |x - y|_2
//   cosine      d(x, y) = 1 - x.y / (|x|_2 |y|_2)   in [0, 2]; an all-zero vector is at distance 1 from every
//                                                   vector (its cosine similarity is taken as 0)
//   precision@k P@k(q) = |{neighbours among the k nearest with label(q)}| / k   (C. D. Manning, P. Raghavan &
//                H. Schuetze, "Introduction to Information Retrieval", Cambridge University Press, 2008, ch. 8.4,
//                "precision at k"; relevant = same class). retrieval_precision_at_k averages P@k over
//                queries, each item of the set used as a query against all the others (leave-one-out).
//
// Shapes follow the rest of the core: one column per item, items [d, n], query [d]. Distances are computed
// in double; equal distances are ordered by lower item index. Cost O(n d) per query.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ae/eigen.h"

namespace ae {

enum class Distance { euclidean, cosine };

// "euclidean" / "cosine" <-> Distance. Throws ae::Error naming `field` for another name.
Distance distance_from_name(const std::string& name, const std::string& field = "metric");
const char* distance_name(Distance d);

// The k nearest items, nearest first.
struct Neighbors {
    std::vector<int> indices;       // [k] column indices into items
    std::vector<double> distances;  // [k] ascending (ties by lower index)
};

// The k items [d, n] nearest to `query` [d] under `metric`, skipping item `exclude` (-1 = none; use the
// query's own index for leave-one-out). Throws ae::Error for an empty set, a query of another dimension,
// k < 1, k larger than the number of candidates (n, or n - 1 with exclude), exclude outside [-1, n) or a
// non-finite entry.
Neighbors nearest_neighbors(const Matrix& items, const Vector& query, int k, Distance metric, int exclude = -1);

// Fraction of the neighbours whose label equals `query_label` (precision@k of one query). Throws ae::Error
// for an empty neighbour list or an index outside labels.
double precision_of(const Neighbors& nn, const std::vector<uint8_t>& labels, uint8_t query_label);

// One query's k nearest images two ways, as the hosts' neighbour views show them side by side: by code
// distance and by pixel distance (the same metric), with the precision@k of each when the query's class is
// known (a test image; a drawn image has none).
struct NeighborComparison {
    Neighbors by_code;     // indices into the columns of codes / pixels
    Neighbors by_pixels;
    double code_precision = -1;   // precision@k by class of by_code; -1 when query_label < 0
    double pixel_precision = -1;  // the same for by_pixels
};

// codes [latent, m] and pixels [D, m] describe the same m images (column j = image j), labels [m].
// query_code [latent], query_pixels [D]; exclude = the query's own column for a query from the set (-1
// otherwise); query_label its class or -1. Throws ae::Error when codes, pixels and labels disagree on m,
// and as nearest_neighbors does.
NeighborComparison compare_neighbors(const Matrix& codes, const Matrix& pixels, const std::vector<uint8_t>& labels,
                                     const Vector& query_code, const Vector& query_pixels, int k, Distance metric,
                                     int exclude = -1, int query_label = -1);

// Mean precision@k over m = min(n, max_queries) items as queries, item i * n / m for i < m (spread over the
// set, so that a set stored class by class is queried in every class), each against all n items but itself
// (leave-one-out). Throws ae::Error for labels.size() != n, k < 1, k >= n, max_queries < 1, an empty set or
// non-finite entries. Cost O(q n d) with blocked matrix products.
double retrieval_precision_at_k(const Matrix& items, const std::vector<uint8_t>& labels, int k, Distance metric,
                                int max_queries = 1000);

// ---- Semantic hashing: binary codes and Hamming-ball retrieval ------------------------------------------
// R. Salakhutdinov & G. Hinton, "Semantic hashing", Int. J. Approximate Reasoning 50(7), 2009 (section 4):
// the code of each item is a k-bit address; the items retrieved for a query are those whose address lies
// within Hamming distance r of the query's (a Hamming ball), found without comparing real-valued codes.
//   bit         b_j(x) = [h_j(x) > 0.5]        (h [k] the code of a sigmoid code layer, in [0, 1])
//   Hamming     d_H(a, b) = |{j : a_j != b_j}|  (popcount of a XOR b)
//   ball        B_r(q) = {i != q : d_H(b(x_i), b(x_q)) <= r}   (leave-one-out: the query is not in its ball)
//   precision   P(q) = |{i in B_r(q) : label(i) = label(q)}| / |B_r(q)|   — defined only for a non-empty
//               ball: queries with B_r(q) empty are skipped in the mean precision and counted (empty_queries)
//   recall      R(q) = |{i in B_r(q) : label(i) = label(q)}| / |{i != q : label(i) = label(q)}|  (0 for an
//               empty ball; queries whose class has no other item are skipped)
//   binariness  the fraction of code entries h_ij with h_ij <= margin or h_ij >= 1 - margin (margin 0.1: "the
//               units are binary" when it is near 1).
// Shapes: codes [k, n] one column per item; bits packed 64 per word, item i in words [i w, (i + 1) w),
// w = ceil(k / 64), bit j of the item in word j / 64 at position j % 64.

struct BinaryCodes {
    int bits = 0;                // k
    int count = 0;               // n
    int words = 0;               // w = ceil(k / 64) words per item
    std::vector<uint64_t> data;  // [n * w]
    bool bit(int item, int j) const { return (data[static_cast<size_t>(item) * words + j / 64] >> (j % 64)) & 1u; }
};

// The bits of codes [k, n]: codes(j, i) > threshold. Throws ae::Error for an empty matrix or a non-finite entry.
BinaryCodes binarize_codes(const Matrix& codes, float threshold = 0.5f);
// d_H between items a and b (indices into c). Throws ae::Error for an index outside [0, count).
int hamming_distance(const BinaryCodes& c, int a, int b);

struct HammingRetrieval {
    int radius = 0;
    int queries = 0;             // queries evaluated
    int empty_queries = 0;       // of these, queries whose ball was empty (not in `precision`)
    double precision = 0.0;      // mean P(q) over the queries with a non-empty ball (0 if there are none)
    double recall = 0.0;         // mean R(q) over the queries (empty balls count as 0)
    double mean_ball_size = 0.0; // mean |B_r(q)| over the queries
};

// Hamming-ball retrieval at `radius` with m = min(n, max_queries) items as queries, item i * n / m for i < m
// (spread over the set, as retrieval_precision_at_k), each against all n items but itself. Throws ae::Error for
// labels.size() != n, n < 2, radius outside [0, k] or max_queries < 1. Cost O(q n w).
HammingRetrieval hamming_retrieval(const BinaryCodes& codes, const std::vector<uint8_t>& labels, int radius,
                                   int max_queries = 1000);

// One query's Hamming ball B_r(q), as the hosts' hashing views show it, with its P(q) and R(q) (above).
struct HammingBall {
    int radius = 0;
    std::vector<uint8_t> query_bits;  // [k] b_j(query), 0 or 1
    std::vector<int> indices;         // [|B_r(q)|] the items in the ball, nearest first (ties by lower index)
    std::vector<int> distances;       // [|B_r(q)|] their d_H to the query, ascending
    int same = 0;                     // items in the ball of the query's class (0 for an unknown class)
    int relevant = -1;                // items (but `exclude`) of the query's class; -1 for an unknown class
    double precision = -1.0;          // P(q) = same / |B_r(q)|; -1 for an empty ball or an unknown class
    double recall = -1.0;             // R(q) = same / relevant (0 for an empty ball); -1 for an unknown class or
                                      // relevant = 0
};

// The Hamming ball of radius `radius` around query_code [k] (a code of the sigmoid layer, bits = entries >
// threshold) among `codes` (n items, labels [n]), skipping item `exclude` (-1 = none; the query's own index for a
// query from the set: leave-one-out as above). query_label: the query's class, or -1 (a drawn image). Throws
// ae::Error for labels.size() != n, query_code.size() != k, a non-finite query entry, radius outside [0, k],
// exclude outside [-1, n) or query_label outside [-1, 255]. Cost O(n w + |B| log |B|).
HammingBall hamming_ball(const BinaryCodes& codes, const std::vector<uint8_t>& labels, const Vector& query_code,
                         int radius, int exclude = -1, int query_label = -1, float threshold = 0.5f);

// "The code bits shown as an image": the bits of up to max_rows items as a [rows, k] 0/1 image, one item per
// row, the items spread over the set (item i * n / rows, as above) and then grouped by class (stable: class 0's
// rows first, in set order within a class), so that the bit patterns each class shares show as vertical bands.
struct CodeBitsImage {
    int rows = 0, cols = 0;        // rows = min(n, max_rows) items, cols = k bits
    std::vector<int> items;        // [rows] the item of each row
    std::vector<uint8_t> labels;   // [rows] its class
    std::vector<uint8_t> bits;     // [rows, cols] row-major: bits[r * cols + j] = b_j(items[r])
};
// Throws ae::Error for labels.size() != n, an empty set or max_rows < 1.
CodeBitsImage code_bits_image(const BinaryCodes& codes, const std::vector<uint8_t>& labels, int max_rows);

// Fraction of the entries of codes [k, n] within `margin` of 0 or 1 (binariness above). Throws ae::Error for
// an empty matrix or margin outside [0, 0.5].
double code_binariness(const Matrix& codes, float margin = 0.1f);

}  // namespace ae
