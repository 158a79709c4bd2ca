#include "ae/conv_transpose2d.h"

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

[[noreturn]] void geometry_error(const ConvTranspose2dGeometry& g, const char* what, const std::string& why) {
    throw Error(std::string(what) + ": ConvTranspose2d " + std::to_string(g.in_c) + "x" + std::to_string(g.in_h) +
                "x" + std::to_string(g.in_w) + " -> " + std::to_string(g.out_c) + " channels, kernel " +
                std::to_string(g.kernel) + ", stride " + std::to_string(g.stride) + ", padding " +
                std::to_string(g.padding) + ", output_padding " + std::to_string(g.output_padding) + ": " + why);
}

}  // namespace

void conv_transpose2d_check(const ConvTranspose2dGeometry& g, const char* what) {
    if (g.in_c < 1 || g.out_c < 1) geometry_error(g, what, "channel counts must be >= 1");
    if (g.in_h < 1 || g.in_w < 1) geometry_error(g, what, "the input map must be at least 1x1");
    if (g.kernel < 1) geometry_error(g, what, "kernel must be >= 1");
    if (g.stride < 1) geometry_error(g, what, "stride must be >= 1");
    if (g.padding < 0) geometry_error(g, what, "padding must be >= 0");
    if (g.output_padding < 0 || g.output_padding >= g.stride)
        geometry_error(g, what,
                       "output_padding " + std::to_string(g.output_padding) + " must be >= 0 and smaller than stride " +
                           std::to_string(g.stride));
    if (g.out_h() < 1 || g.out_w() < 1)
        geometry_error(g, what,
                       "the output " + std::to_string(g.out_h()) + "x" + std::to_string(g.out_w()) +
                           " = (in - 1)*stride - 2*padding + kernel + output_padding is empty");
}

Eigen::Index conv_transpose2d_scratch_size(const ConvTranspose2dGeometry& g, Eigen::Index n) {
    return g.patch_size() * g.positions() * n + g.weight_size();
}

template <typename T>
void conv_transpose2d_forward(const ConvTranspose2dGeometry& g, const Eigen::Ref<const RowMatrixT<T>>& W,
                              const Eigen::Ref<const VectorT<T>>& b, const Eigen::Ref<const MatrixT<T>>& x,
                              Eigen::Ref<MatrixT<T>> y, Eigen::Ref<VectorT<T>> scratch, ThreadPool* pool) {
    const char* what = "conv_transpose2d_forward";
    conv_transpose2d_check(g, what);
    const Eigen::Index n = x.cols(), K = g.patch_size(), cols_n = g.positions() * n;
    check_shape(what, "W", W, g.in_c, K);
    check_shape(what, "b", b, g.out_c, 1);
    check_shape(what, "x", x, g.in_size(), n);
    check_shape(what, "y", y, g.out_size(), n);
    check_contiguous(what, "x", x);
    check_contiguous(what, "y", y);
    check_scratch(what, scratch, conv_transpose2d_scratch_size(g, n));

    const Conv2dGeometry cg = g.conv_view();
    Eigen::Map<MatrixT<T>> cols(scratch.data(), K, cols_n);
    Eigen::Map<const MatrixT<T>> X(x.data(), g.in_c, cols_n);
    // The weights in the row order of cols (tap-major, see im2col.h), after cols in the scratch.
    T* wt = scratch.data() + K * cols_n;
    const bool permute = g.out_c > 1 && g.kernel > 1;
    if (permute) weights_to_tap_major<T>(W, g.out_c, g.kernel * g.kernel, wt);
    Eigen::Map<const RowMatrixT<T>, 0, Eigen::OuterStride<>> Wt(permute ? wt : W.data(), g.in_c, K,
                                                                 Eigen::OuterStride<>(permute ? K : W.outerStride()));
    // Per chunk of samples: cols = W^T x, then y = bias and every window of every input position adds into it.
    const Eigen::Index P = g.positions(), out_positions = Eigen::Index(g.out_h()) * g.out_w();
    const SampleChunks chunks(n, K * P * Eigen::Index(sizeof(T)));
    auto chunk_fn = [&](Eigen::Index s0, Eigen::Index s1) {
        const Eigen::Index c0 = s0 * P, w = (s1 - s0) * P;
        detail::gemm_route(cols.middleCols(c0, w), Wt.transpose(), X.middleCols(c0, w), false);
        Eigen::Map<MatrixT<T>> Ys(y.data() + s0 * y.outerStride(), g.out_c, out_positions * (s1 - s0));
        Ys.colwise() = b;
        col2im_add<T>(cg, cols.data(), y.data(), y.outerStride(), s0, s1);
    };
    run_chunks(pool, chunks, chunk_fn);
}

template <typename T>
void conv_transpose2d_backward(const ConvTranspose2dGeometry& g, const Eigen::Ref<const RowMatrixT<T>>& W,
                               const Eigen::Ref<const MatrixT<T>>& x, const Eigen::Ref<const MatrixT<T>>& dy,
                               Eigen::Ref<RowMatrixT<T>> dW, Eigen::Ref<VectorT<T>> db, Eigen::Ref<MatrixT<T>>* dx,
                               Eigen::Ref<VectorT<T>> scratch, ThreadPool* pool) {
    const char* what = "conv_transpose2d_backward";
    conv_transpose2d_check(g, what);
    const Eigen::Index n = x.cols(), K = g.patch_size(), cols_n = g.positions() * n;
    check_shape(what, "W", W, g.in_c, K);
    check_shape(what, "x", x, g.in_size(), n);
    check_shape(what, "dy", dy, g.out_size(), n);
    check_shape(what, "dW", dW, g.in_c, K);
    check_shape(what, "db", db, g.out_c, 1);
    check_contiguous(what, "x", x);
    check_contiguous(what, "dy", dy);
    if (dx) {
        check_shape(what, "dx", *dx, g.in_size(), n);
        check_contiguous(what, "dx", *dx);
    }
    check_scratch(what, scratch, conv_transpose2d_scratch_size(g, n));

    const Conv2dGeometry cg = g.conv_view();
    Eigen::Map<MatrixT<T>> dcols(scratch.data(), K, cols_n);
    Eigen::Map<const MatrixT<T>> X(x.data(), g.in_c, cols_n);
    T* wt = scratch.data() + K * cols_n;  // [C_in, K] in the row order of dcols (see im2col.h)
    const bool permute = g.out_c > 1 && g.kernel > 1;
    const int kk = g.kernel * g.kernel;
    if (permute) weights_to_tap_major<T>(W, g.out_c, kk, wt);
    Eigen::Map<const RowMatrixT<T>, 0, Eigen::OuterStride<>> Wt(permute ? wt : W.data(), g.in_c, K,
                                                                 Eigen::OuterStride<>(permute ? K : W.outerStride()));
    // Per chunk of samples: dcols = im2col(dy), then dx = W dcols while the chunk is in cache.
    const Eigen::Index P = g.positions();
    const SampleChunks chunks(n, K * P * Eigen::Index(sizeof(T)));
    auto chunk_fn = [&](Eigen::Index s0, Eigen::Index s1) {
        const Eigen::Index c0 = s0 * P, w = (s1 - s0) * P;
        im2col<T>(cg, dy.data(), dy.outerStride(), dcols.data(), c0, c0 + w);
        if (dx) {
            Eigen::Map<MatrixT<T>> DX(dx->data(), g.in_c, cols_n);
            detail::gemm_route(DX.middleCols(c0, w), Wt, dcols.middleCols(c0, w), false);
        }
    };
    run_chunks(pool, chunks, chunk_fn);

    // dW += x dcols^T over input channels (rows of dW); db += row sums of dy over output channels.
    const int row_parts = parts_for(pool, g.in_c, 16);
    Split rs{g.in_c, row_parts, 16};
    auto weight_task = [&](int i) {
        const Eigen::Index r0 = rs.begin(i), r1 = rs.end(i);
        if (r1 <= r0) return;
        if (permute) {  // the weights are no longer needed: their scratch takes the gradient in dcols' order
            Eigen::Map<RowMatrixT<T>> dWt(wt, g.in_c, K);
            detail::gemm_route(dWt.middleRows(r0, r1 - r0), X.middleRows(r0, r1 - r0), dcols.transpose(), false);
            add_tap_major_weights<T>(wt, g.out_c, kk, dW, r0, r1);
        } else {
            detail::gemm_route(dW.middleRows(r0, r1 - r0), X.middleRows(r0, r1 - r0), dcols.transpose(), true);
        }
    };
    run_parts(pool, row_parts, weight_task);

    const Eigen::Index C = g.out_c, out_cols = Eigen::Index(g.out_h()) * g.out_w() * n;
    const int bias_parts = parts_for(pool, C, 16);
    Split bs{C, bias_parts, 16};
    auto bias_task = [&](int i) {
        const Eigen::Index r0 = bs.begin(i), r1 = bs.end(i);
        detail::add_row_sums<T>(dy.data(), C, out_cols, r0, r1, db.data());
    };
    run_parts(pool, bias_parts, bias_task);
}

#define AE_CONV_TRANSPOSE2D_INSTANTIATE(T)                                                                     \
    template void conv_transpose2d_forward<T>(const ConvTranspose2dGeometry&, const Eigen::Ref<const RowMatrixT<T>>&, \
                                              const Eigen::Ref<const VectorT<T>>&,                              \
                                              const Eigen::Ref<const MatrixT<T>>&, Eigen::Ref<MatrixT<T>>,      \
                                              Eigen::Ref<VectorT<T>>, ThreadPool*);                             \
    template void conv_transpose2d_backward<T>(                                                                \
        const ConvTranspose2dGeometry&, const Eigen::Ref<const RowMatrixT<T>>&, const Eigen::Ref<const MatrixT<T>>&, \
        const Eigen::Ref<const MatrixT<T>>&, Eigen::Ref<RowMatrixT<T>>, Eigen::Ref<VectorT<T>>,                \
        Eigen::Ref<MatrixT<T>>*, Eigen::Ref<VectorT<T>>, ThreadPool*);
AE_CONV_TRANSPOSE2D_INSTANTIATE(float)
AE_CONV_TRANSPOSE2D_INSTANTIATE(double)
#undef AE_CONV_TRANSPOSE2D_INSTANTIATE

}  // namespace ae
