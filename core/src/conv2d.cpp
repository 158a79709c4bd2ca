#include "ae/conv2d.h"

#include <string>

#include "ae/error.h"
#include "ae/im2col.h"
#include "shape_check.h"
#include "split.h"
#include "gemm_route.h"

namespace ae {

using detail::check_contiguous;
using detail::check_scratch;
using detail::check_shape;
using detail::parts_for;
using detail::run_chunks;
using detail::run_parts;
using detail::SampleChunks;
using detail::Split;

namespace {

[[noreturn]] void geometry_error(const Conv2dGeometry& g, const char* what, const std::string& why) {
    throw Error(std::string(what) + ": Conv2d " + std::to_string(g.in_c) + "x" + std::to_string(g.in_h) + "x" +
                std::to_string(g.in_w) + " -> " + std::to_string(g.out_c) + " channels, kernel " +
                std::to_string(g.kernel) + ", stride " + std::to_string(g.stride) + ", padding " +
                std::to_string(g.padding) + ": " + why);
}

}  // namespace

void conv2d_check(const Conv2dGeometry& g, const char* what) {
    if (g.in_c < 1 || g.out_c < 1) geometry_error(g, what, "channel counts must be >= 1");
    if (g.in_h < 1 || g.in_w < 1) geometry_error(g, what, "the input map must be at least 1x1");
    if (g.kernel < 1) geometry_error(g, what, "kernel must be >= 1");
    if (g.stride < 1) geometry_error(g, what, "stride must be >= 1");
    if (g.padding < 0) geometry_error(g, what, "padding must be >= 0");
    const int ph = g.in_h + 2 * g.padding, pw = g.in_w + 2 * g.padding;
    if (g.kernel > ph || g.kernel > pw)
        geometry_error(g, what,
                       "kernel " + std::to_string(g.kernel) + " is larger than the padded input " +
                           std::to_string(ph) + "x" + std::to_string(pw) + " (" + std::to_string(g.in_h) + "x" +
                           std::to_string(g.in_w) + " + 2*" + std::to_string(g.padding) + ")");
}

Eigen::Index conv2d_scratch_size(const Conv2dGeometry& g, Eigen::Index n) {
    return g.patch_size() * g.positions() * n + g.weight_size();
}

template <typename T>
void conv2d_forward(const Conv2dGeometry& g, const Eigen::Ref<const RowMatrixT<T>>& W,
                    const Eigen::Ref<const VectorT<T>>& b, const Eigen::Ref<const MatrixT<T>>& x,
                    Eigen::Ref<MatrixT<T>> y, Eigen::Ref<VectorT<T>> scratch, ThreadPool* pool) {
    const char* what = "conv2d_forward";
    conv2d_check(g, what);
    const Eigen::Index n = x.cols(), K = g.patch_size(), cols_n = g.positions() * n;
    check_shape(what, "W", W, g.out_c, K);
    check_shape(what, "b", b, g.out_c, 1);
    check_shape(what, "x", x, g.in_size(), n);
    check_shape(what, "y", y, g.out_size(), n);
    check_contiguous(what, "x", x);
    check_contiguous(what, "y", y);
    check_scratch(what, scratch, conv2d_scratch_size(g, n));

    Eigen::Map<MatrixT<T>> cols(scratch.data(), K, cols_n);
    Eigen::Map<MatrixT<T>> Y(y.data(), g.out_c, cols_n);
    // The weights in the column order of cols (tap-major, see im2col.h), after cols in the scratch.
    T* wt = scratch.data() + K * cols_n;
    const bool permute = g.in_c > 1 && g.kernel > 1;
    if (permute) weights_to_tap_major<T>(W, g.in_c, g.kernel * g.kernel, wt);
    Eigen::Map<const RowMatrixT<T>, 0, Eigen::OuterStride<>> Wt(permute ? wt : W.data(), g.out_c, K,
                                                                 Eigen::OuterStride<>(permute ? K : W.outerStride()));
    // Each chunk of samples is lowered and multiplied at once, while its columns are in cache.
    const Eigen::Index P = g.positions();
    const SampleChunks chunks(n, K * P * Eigen::Index(sizeof(T)));
    auto chunk_fn = [&](Eigen::Index s0, Eigen::Index s1) {
        const Eigen::Index c0 = s0 * P, w = (s1 - s0) * P;
        im2col<T>(g, x.data(), x.outerStride(), cols.data(), c0, c0 + w);
        detail::gemm_route(Y.middleCols(c0, w), Wt, cols.middleCols(c0, w), false);
        Y.middleCols(c0, w).colwise() += b;
    };
    run_chunks(pool, chunks, chunk_fn);
}

template <typename T>
void conv2d_backward(const Conv2dGeometry& g, const Eigen::Ref<const RowMatrixT<T>>& W,
                     const Eigen::Ref<const MatrixT<T>>& x, const Eigen::Ref<const MatrixT<T>>& dy,
                     Eigen::Ref<RowMatrixT<T>> dW, Eigen::Ref<VectorT<T>> db, Eigen::Ref<MatrixT<T>>* dx,
                     Eigen::Ref<VectorT<T>> scratch, ThreadPool* pool) {
    const char* what = "conv2d_backward";
    conv2d_check(g, what);
    const Eigen::Index n = x.cols(), K = g.patch_size(), cols_n = g.positions() * n, C = g.out_c;
    check_shape(what, "W", W, C, K);
    check_shape(what, "x", x, g.in_size(), n);
    check_shape(what, "dy", dy, g.out_size(), n);
    check_shape(what, "dW", dW, C, K);
    check_shape(what, "db", db, C, 1);
    check_contiguous(what, "dy", dy);
    if (dx) {
        check_shape(what, "dx", *dx, g.in_size(), n);
        check_contiguous(what, "dx", *dx);
    }
    check_scratch(what, scratch, conv2d_scratch_size(g, n));

    Eigen::Map<MatrixT<T>> cols(scratch.data(), K, cols_n);  // im2col(x) from the forward pass
    Eigen::Map<const MatrixT<T>> DY(dy.data(), C, cols_n);

    T* wt = scratch.data() + K * cols_n;  // [C_out, K] in the column order of cols (see im2col.h)
    const bool permute = g.in_c > 1 && g.kernel > 1;
    const int kk = g.kernel * g.kernel;

    // dW += dy cols^T and db += row sums of dy, split over output channels (rows of dW). With the permuted
    // column order the product goes to the scratch first and is added back in PyTorch's order.
    const int row_parts = parts_for(pool, C, 16);
    Split rs{C, row_parts, 16};
    auto weight_task = [&](int i) {
        const Eigen::Index r0 = rs.begin(i), r1 = rs.end(i);
        if (r1 <= r0) return;
        if (permute) {
            Eigen::Map<RowMatrixT<T>> dWt(wt, C, K);
            detail::gemm_route(dWt.middleRows(r0, r1 - r0), DY.middleRows(r0, r1 - r0), cols.transpose(), false);
            add_tap_major_weights<T>(wt, g.in_c, kk, dW, r0, r1);
        } else {
            detail::gemm_route(dW.middleRows(r0, r1 - r0), DY.middleRows(r0, r1 - r0), cols.transpose(), true);
        }
        detail::add_row_sums<T>(dy.data(), C, cols_n, r0, r1, db.data());
    };
    run_parts(pool, row_parts, weight_task);

    if (!dx) return;
    if (permute) weights_to_tap_major<T>(W, g.in_c, kk, wt);
    Eigen::Map<const RowMatrixT<T>, 0, Eigen::OuterStride<>> Wt(permute ? wt : W.data(), C, K,
                                                                 Eigen::OuterStride<>(permute ? K : W.outerStride()));
    // Per chunk of samples: dcols = W^T dy (into the scratch: cols is no longer needed), then col2im.
    Eigen::Ref<MatrixT<T>>& dxr = *dx;
    const Eigen::Index P = g.positions();
    const SampleChunks chunks(n, K * P * Eigen::Index(sizeof(T)));
    auto chunk_fn = [&](Eigen::Index s0, Eigen::Index s1) {
        const Eigen::Index c0 = s0 * P, w = (s1 - s0) * P;
        detail::gemm_route(cols.middleCols(c0, w), Wt.transpose(), DY.middleCols(c0, w), false);
        dxr.middleCols(s0, s1 - s0).setZero();
        col2im_add<T>(g, cols.data(), dxr.data(), dxr.outerStride(), s0, s1);
    };
    run_chunks(pool, chunks, chunk_fn);
}

#define AE_CONV2D_INSTANTIATE(T)                                                                              \
    template void conv2d_forward<T>(const Conv2dGeometry&, const Eigen::Ref<const RowMatrixT<T>>&,            \
                                    const Eigen::Ref<const VectorT<T>>&, const Eigen::Ref<const MatrixT<T>>&, \
                                    Eigen::Ref<MatrixT<T>>, Eigen::Ref<VectorT<T>>, ThreadPool*);             \
    template void conv2d_backward<T>(const Conv2dGeometry&, const Eigen::Ref<const RowMatrixT<T>>&,           \
                                     const Eigen::Ref<const MatrixT<T>>&, const Eigen::Ref<const MatrixT<T>>&, \
                                     Eigen::Ref<RowMatrixT<T>>, Eigen::Ref<VectorT<T>>, Eigen::Ref<MatrixT<T>>*, \
                                     Eigen::Ref<VectorT<T>>, ThreadPool*);
AE_CONV2D_INSTANTIATE(float)
AE_CONV2D_INSTANTIATE(double)
#undef AE_CONV2D_INSTANTIATE

}  // namespace ae
