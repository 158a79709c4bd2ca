// Exact k nearest neighbours for the neighbour embeddings (tsne.cpp, umap.cpp); internal to the core.
#pragma once

#include <vector>

#include "ae/eigen.h"

namespace ae {

// The K nearest neighbours of every column of x [d, n] (squared Euclidean distance in double, ties by index),
// excluding the point itself: nn[i * K + k], d2[i * K + k] in increasing distance. K < n. O(n^2 d) with
// blocked matrix products; deterministic (plain loops for the norms).
void exact_knn(const Eigen::MatrixXd& x, int K, std::vector<int>& nn, std::vector<double>& d2);

}  // namespace ae
