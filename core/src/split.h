// Private to core/src: how a product is cut into independent blocks for a ThreadPool, without allocating.
// The same cut as dense.cpp: block starts are multiples of `align`, so every block but the last has a width
// that is a multiple of 16 and Eigen's GEMM puts each column into the same kind of register panel whatever
// the number of threads (its remainder panels sum in a different order): results are bitwise identical for
// any pool size.
#pragma once

#include <algorithm>

#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {
namespace detail {

// Splits [0, n) into `parts` ranges whose starts are multiples of `align`.
struct Split {
    Eigen::Index n, parts, align;
    Eigen::Index begin(int i) const { return std::min(n, (n * i / parts + align - 1) / align * align); }
    Eigen::Index end(int i) const { return i + 1 == parts ? n : begin(i + 1); }
};

// As many parts as threads, but at least min_per_part items in each.
inline int parts_for(ThreadPool* pool, Eigen::Index n, Eigen::Index min_per_part) {
    if (!pool || pool->size() <= 1) return 1;
    return static_cast<int>(std::max<Eigen::Index>(1, std::min<Eigen::Index>(pool->size(), n / min_per_part)));
}

// Runs task(i) for i in [0, parts) on the pool (or inline for one part).
template <class F>
void run_parts(ThreadPool* pool, int parts, F& task) {
    if (parts == 1) task(0);
    else pool->run(parts, task);
}

}  // namespace detail
}  // namespace ae
