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

// db[r] += sum_j d[j C + r] for rows [r0, r1) of a contiguous [C, ncols] matrix (a bias gradient). Column by
// column in a fixed order (as dense.cpp: independent of alignment and of the split): with C >= 16 the adds
// vectorise across rows; with fewer channels (a one-channel output map) each row keeps 8 partial sums over
// j mod 8, combined pairwise at the end, so the sum is not one long chain of dependent adds.
template <typename T>
void add_row_sums(const T* d, Eigen::Index C, Eigen::Index ncols, Eigen::Index r0, Eigen::Index r1, T* db) {
    if (C >= 16) {  // decided by C, not by the rows of this task: the same arithmetic for every split
        for (Eigen::Index j = 0; j < ncols; ++j, d += C)
            for (Eigen::Index r = r0; r < r1; ++r) db[r] += d[r];
        return;
    }
    for (Eigen::Index r = r0; r < r1; ++r) {
        T acc[8] = {};
        Eigen::Index j = 0;
        for (; j + 8 <= ncols; j += 8)
            for (int l = 0; l < 8; ++l) acc[l] += d[(j + l) * C + r];
        for (int l = 0; j < ncols; ++j, ++l) acc[l] += d[j * C + r];
        db[r] += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    }
}

// A batch of n samples cut into chunks whose lowered (im2col) matrix is about kChunkBytes, so that its
// producer (im2col or a product) and its consumer (a product or col2im) run back to back on one thread
// while the chunk is in the L2 cache, instead of streaming the whole matrix through memory twice.
// The chunks depend only on n and the layer, never on the pool size: every chunk's products are the same
// Eigen calls whatever the number of threads, so results are bitwise identical. At least min(n, 8) chunks
// (so two or three threads can share them), of nearly equal sizes.
struct SampleChunks {
    static constexpr Eigen::Index kChunkBytes = 512 * 1024;
    Eigen::Index n = 0, count = 1, per = 1;
    SampleChunks(Eigen::Index n_samples, Eigen::Index bytes_per_sample) : n(n_samples) {
        const Eigen::Index max_per = std::max<Eigen::Index>(1, kChunkBytes / std::max<Eigen::Index>(1, bytes_per_sample));
        count = std::max<Eigen::Index>({1, (n + max_per - 1) / max_per, std::min<Eigen::Index>(n, 8)});
        per = (n + count - 1) / count;
        count = (n + per - 1) / per;
    }
    Eigen::Index begin(Eigen::Index c) const { return std::min(n, c * per); }
    Eigen::Index end(Eigen::Index c) const { return std::min(n, (c + 1) * per); }
};

// Calls chunk_fn(s0, s1) for every chunk; the pool's threads take contiguous runs of chunks.
template <class F>
void run_chunks(ThreadPool* pool, const SampleChunks& ch, F& chunk_fn) {
    const int parts = (!pool || pool->size() <= 1) ? 1 : static_cast<int>(std::min<Eigen::Index>(pool->size(), ch.count));
    auto task = [&](int i) {
        for (Eigen::Index c = ch.count * i / parts; c < ch.count * (i + 1) / parts; ++c) chunk_fn(ch.begin(c), ch.end(c));
    };
    run_parts(pool, parts, task);
}

}  // namespace detail
}  // namespace ae
