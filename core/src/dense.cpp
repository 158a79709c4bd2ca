#include "ae/dense.h"

#include <algorithm>
#include <type_traits>

#include "ae/gemm.h"

namespace ae {

namespace {

// Splits [0, n) into `parts` ranges whose starts are multiples of `align` (SIMD-friendly).
struct Split {
    Eigen::Index n, parts, align;
    Eigen::Index begin(int i) const { return std::min(n, (n * i / parts + align - 1) / align * align); }
    Eigen::Index end(int i) const { return i + 1 == parts ? n : begin(i + 1); }
};

// Blocks per thread: more blocks than threads, taken dynamically, so that a thread descheduled by the rest
// of the machine (in the page: the page's own thread and the browser's compositor on the same cores) holds
// up one small block, not half the product. The result does not depend on the split (each block's sums run
// in an order that depends on the depth only).
constexpr Eigen::Index kBlocksPerThread = 4;

int parts_for(ThreadPool* pool, Eigen::Index n, Eigen::Index min_per_part) {
    if (!pool || pool->size() <= 1) return 1;
    return static_cast<int>(
        std::max<Eigen::Index>(1, std::min<Eigen::Index>(kBlocksPerThread * pool->size(), n / min_per_part)));
}

// The WebAssembly build with SIMD runs the three products through gemm_f32 (under Node 20, 2026-12-02:
// 25-30 GFLOP/s on the B1/B2 shapes where Eigen's SSE-emulated GEMM gave 13-20; training B1 1.7x and B2
// 1.5x the samples per CPU-second); native builds keep Eigen's (AVX-512 with -march=native, ~2.5x faster).
#if defined(__wasm_simd128__)
constexpr bool kOwnGemm = true;
#else
constexpr bool kOwnGemm = false;
#endif

}  // namespace

bool dense_uses_gemm_f32() { return kOwnGemm; }

template <typename T>
void dense_forward(const Eigen::Ref<const RowMatrixT<T>>& W, const Eigen::Ref<const VectorT<T>>& b,
                   const Eigen::Ref<const MatrixT<T>>& x, Eigen::Ref<MatrixT<T>> y, ThreadPool* pool) {
    const Eigen::Index n = x.cols();
    const int parts = parts_for(pool, n, 32);
    Split s{n, parts, 16};
    auto task = [&](int i) {
        Eigen::Index c0 = s.begin(i), c1 = s.end(i);
        if (c1 <= c0) return;
        if constexpr (kOwnGemm && std::is_same_v<T, float>) {
            // y[:, c0:c1] = W x[:, c0:c1]; W row-major: A(i, p) = W[i * ldW + p].
            gemm_f32(W.rows(), c1 - c0, W.cols(), W.data(), W.outerStride(), 1, x.data() + c0 * x.outerStride(), 1,
                     x.outerStride(), y.data() + c0 * y.outerStride(), y.outerStride(), false);
        } else {
            y.middleCols(c0, c1 - c0).noalias() = W * x.middleCols(c0, c1 - c0);
        }
        y.middleCols(c0, c1 - c0).colwise() += b;
    };
    if (parts == 1) task(0);
    else pool->run(parts, task);
}

template <typename T>
void dense_backward(const Eigen::Ref<const RowMatrixT<T>>& W, const Eigen::Ref<const MatrixT<T>>& x,
                    const Eigen::Ref<const MatrixT<T>>& dy, Eigen::Ref<RowMatrixT<T>> dW, Eigen::Ref<VectorT<T>> db,
                    Eigen::Ref<MatrixT<T>>* dx, ThreadPool* pool) {
    const Eigen::Index out = W.rows(), n = x.cols();
    // Weight and bias gradients: split over output rows.
    const int row_parts = parts_for(pool, out, 16);
    Split rs{out, row_parts, 16};
    auto weight_task = [&](int i) {
        Eigen::Index r0 = rs.begin(i), r1 = rs.end(i);
        if (r1 <= r0) return;
        if constexpr (kOwnGemm && std::is_same_v<T, float>) {
            // Transposed: dW[r0:r1, :]^T (column-major [in, r1 - r0], columns dW's rows) += x dy[r0:r1, :]^T.
            gemm_f32(x.rows(), r1 - r0, n, x.data(), 1, x.outerStride(), dy.data() + r0, dy.outerStride(), 1,
                     dW.data() + r0 * dW.outerStride(), dW.outerStride(), true);
        } else {
            dW.middleRows(r0, r1 - r0).noalias() += dy.middleRows(r0, r1 - r0) * x.transpose();
        }
        // Column by column, not dy.rowwise().sum(): Eigen sums the SIMD body and the scalar head/tail of
        // db in different orders, so the bias gradient (and training) depended on the grad buffer's
        // heap alignment. Element-wise adds in a fixed order give the same bits at any alignment.
        for (Eigen::Index c = 0; c < n; ++c) db.segment(r0, r1 - r0) += dy.col(c).segment(r0, r1 - r0);
    };
    if (row_parts == 1) weight_task(0);
    else pool->run(row_parts, weight_task);

    if (!dx) return;
    // Input gradient: split over batch columns.
    const int col_parts = parts_for(pool, n, 32);
    Split cs{n, col_parts, 16};
    Eigen::Ref<MatrixT<T>>& dxr = *dx;
    auto input_task = [&](int i) {
        Eigen::Index c0 = cs.begin(i), c1 = cs.end(i);
        if (c1 <= c0) return;
        if constexpr (kOwnGemm && std::is_same_v<T, float>) {
            // dx[:, c0:c1] = W^T dy[:, c0:c1]; A(i, p) = W(p, i) = W[p * ldW + i].
            gemm_f32(W.cols(), c1 - c0, out, W.data(), 1, W.outerStride(), dy.data() + c0 * dy.outerStride(), 1,
                     dy.outerStride(), dxr.data() + c0 * dxr.outerStride(), dxr.outerStride(), false);
        } else {
            dxr.middleCols(c0, c1 - c0).noalias() = W.transpose() * dy.middleCols(c0, c1 - c0);
        }
    };
    if (col_parts == 1) input_task(0);
    else pool->run(col_parts, input_task);
}

template void dense_forward<float>(const Eigen::Ref<const RowMatrix>&, const Eigen::Ref<const Vector>&,
                                   const Eigen::Ref<const Matrix>&, Eigen::Ref<Matrix>, ThreadPool*);
template void dense_forward<double>(const Eigen::Ref<const RowMatrixT<double>>&,
                                    const Eigen::Ref<const Eigen::VectorXd>&, const Eigen::Ref<const Eigen::MatrixXd>&,
                                    Eigen::Ref<Eigen::MatrixXd>, ThreadPool*);
template void dense_backward<float>(const Eigen::Ref<const RowMatrix>&, const Eigen::Ref<const Matrix>&,
                                    const Eigen::Ref<const Matrix>&, Eigen::Ref<RowMatrix>, Eigen::Ref<Vector>,
                                    Eigen::Ref<Matrix>*, ThreadPool*);
template void dense_backward<double>(const Eigen::Ref<const RowMatrixT<double>>&,
                                     const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::Ref<const Eigen::MatrixXd>&,
                                     Eigen::Ref<RowMatrixT<double>>, Eigen::Ref<Eigen::VectorXd>,
                                     Eigen::Ref<Eigen::MatrixXd>*, ThreadPool*);

}  // namespace ae
