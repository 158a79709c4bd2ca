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

// Mean precision@k over the first min(n, max_queries) items as queries, each against all n items but itself
// (leave-one-out). Throws ae::Error for labels.size() != n, k < 1, k >= n, max_queries < 1, an empty set or
// non-finite entries. Cost O(q n d) with blocked matrix products.
double retrieval_precision_at_k(const Matrix& items, const std::vector<uint8_t>& labels, int k, Distance metric,
                                int max_queries = 1000);

}  // namespace ae
