#include "ae/upsample.h"

#include <string>

#include "ae/error.h"
#include "shape_check.h"
#include "split.h"

namespace ae {

using detail::check_shape;
using detail::parts_for;
using detail::run_parts;
using detail::Split;

void upsample_check(const UpsampleGeometry& g, const char* what) {
    if (g.channels < 1 || g.in_h < 1 || g.in_w < 1 || g.scale < 1)
        throw Error(std::string(what) + ": Upsample " + std::to_string(g.channels) + "x" + std::to_string(g.in_h) +
                    "x" + std::to_string(g.in_w) + ", scale " + std::to_string(g.scale) +
                    ": channels, sizes and scale must be >= 1");
}

template <typename T>
void upsample_nearest_forward(const UpsampleGeometry& g, const Eigen::Ref<const MatrixT<T>>& x,
                              Eigen::Ref<MatrixT<T>> y, ThreadPool* pool) {
    const char* what = "upsample_nearest_forward";
    upsample_check(g, what);
    const Eigen::Index n = x.cols();
    check_shape(what, "x", x, g.in_size(), n);
    check_shape(what, "y", y, g.out_size(), n);
    const int C = g.channels, W = g.in_w, Ho = g.out_h(), Wo = g.out_w(), f = g.scale;
    const int parts = parts_for(pool, n, 1);
    Split s{n, parts, 1};
    auto task = [&](int i) {
        for (Eigen::Index sample = s.begin(i); sample < s.end(i); ++sample) {
            const T* xs = x.data() + sample * x.outerStride();
            T* ys = y.data() + sample * y.outerStride();
            for (int oy = 0; oy < Ho; ++oy)
                for (int ox = 0; ox < Wo; ++ox) {
                    const T* src = xs + (Eigen::Index(oy / f) * W + ox / f) * C;
                    T* dst = ys + (Eigen::Index(oy) * Wo + ox) * C;
                    for (int c = 0; c < C; ++c) dst[c] = src[c];
                }
        }
    };
    run_parts(pool, parts, task);
}

template <typename T>
void upsample_nearest_backward(const UpsampleGeometry& g, const Eigen::Ref<const MatrixT<T>>& dy,
                               Eigen::Ref<MatrixT<T>> dx, ThreadPool* pool) {
    const char* what = "upsample_nearest_backward";
    upsample_check(g, what);
    const Eigen::Index n = dy.cols();
    check_shape(what, "dy", dy, g.out_size(), n);
    check_shape(what, "dx", dx, g.in_size(), n);
    const int C = g.channels, H = g.in_h, W = g.in_w, Wo = g.out_w(), f = g.scale;
    const int parts = parts_for(pool, n, 1);
    Split s{n, parts, 1};
    auto task = [&](int i) {
        for (Eigen::Index sample = s.begin(i); sample < s.end(i); ++sample) {
            const T* dys = dy.data() + sample * dy.outerStride();
            T* dxs = dx.data() + sample * dx.outerStride();
            for (int iy = 0; iy < H; ++iy)
                for (int ix = 0; ix < W; ++ix) {
                    T* dst = dxs + (Eigen::Index(iy) * W + ix) * C;
                    for (int c = 0; c < C; ++c) dst[c] = T(0);
                    for (int ky = 0; ky < f; ++ky)
                        for (int kx = 0; kx < f; ++kx) {
                            const T* src = dys + (Eigen::Index(iy * f + ky) * Wo + ix * f + kx) * C;
                            for (int c = 0; c < C; ++c) dst[c] += src[c];
                        }
                }
        }
    };
    run_parts(pool, parts, task);
}

template void upsample_nearest_forward<float>(const UpsampleGeometry&, const Eigen::Ref<const Matrix>&,
                                              Eigen::Ref<Matrix>, ThreadPool*);
template void upsample_nearest_forward<double>(const UpsampleGeometry&, const Eigen::Ref<const Eigen::MatrixXd>&,
                                               Eigen::Ref<Eigen::MatrixXd>, ThreadPool*);
template void upsample_nearest_backward<float>(const UpsampleGeometry&, const Eigen::Ref<const Matrix>&,
                                               Eigen::Ref<Matrix>, ThreadPool*);
template void upsample_nearest_backward<double>(const UpsampleGeometry&, const Eigen::Ref<const Eigen::MatrixXd>&,
                                                Eigen::Ref<Eigen::MatrixXd>, ThreadPool*);

}  // namespace ae
