#include "ae/pool.h"

#include <cmath>
#include <limits>
#include <string>

#include "ae/error.h"
#include "shape_check.h"
#include "split.h"

namespace ae {

using detail::check_shape;
using detail::parts_for;
using detail::run_parts;
using detail::Split;

void maxpool2d_check(const MaxPool2dGeometry& g, const char* what) {
    auto fail = [&](const std::string& why) {
        throw Error(std::string(what) + ": MaxPool2d " + std::to_string(g.channels) + "x" + std::to_string(g.in_h) +
                    "x" + std::to_string(g.in_w) + ", kernel " + std::to_string(g.kernel) + ": " + why);
    };
    if (g.channels < 1 || g.in_h < 1 || g.in_w < 1) fail("channels and sizes must be >= 1");
    if (g.kernel < 1) fail("kernel must be >= 1");
    if (g.kernel > g.in_h || g.kernel > g.in_w)
        fail("kernel " + std::to_string(g.kernel) + " is larger than the input " + std::to_string(g.in_h) + "x" +
             std::to_string(g.in_w));
    if (g.in_size() > std::numeric_limits<std::int32_t>::max()) fail("a sample has more than 2^31 - 1 elements");
}

Eigen::Index maxpool2d_index_size(const MaxPool2dGeometry& g, Eigen::Index n) { return g.out_size() * n; }

template <typename T>
void maxpool2d_forward(const MaxPool2dGeometry& g, const Eigen::Ref<const MatrixT<T>>& x, Eigen::Ref<MatrixT<T>> y,
                       Eigen::Ref<IndexVector> argmax, ThreadPool* pool) {
    const char* what = "maxpool2d_forward";
    maxpool2d_check(g, what);
    const Eigen::Index n = x.cols(), out = g.out_size();
    check_shape(what, "x", x, g.in_size(), n);
    check_shape(what, "y", y, out, n);
    check_shape(what, "argmax", argmax, maxpool2d_index_size(g, n), 1);
    const int C = g.channels, W = g.in_w, Ho = g.out_h(), Wo = g.out_w(), p = g.kernel;
    const int parts = parts_for(pool, n, 1);
    Split s{n, parts, 1};
    auto task = [&](int i) {
        for (Eigen::Index sample = s.begin(i); sample < s.end(i); ++sample) {
            const T* xs = x.data() + sample * x.outerStride();
            T* ys = y.data() + sample * y.outerStride();
            std::int32_t* as = argmax.data() + sample * out;
            for (int oy = 0; oy < Ho; ++oy)
                for (int ox = 0; ox < Wo; ++ox) {
                    T* best = ys + (Eigen::Index(oy) * Wo + ox) * C;
                    std::int32_t* at = as + (Eigen::Index(oy) * Wo + ox) * C;
                    for (int ky = 0; ky < p; ++ky)
                        for (int kx = 0; kx < p; ++kx) {
                            const std::int32_t base = ((oy * p + ky) * W + ox * p + kx) * C;
                            const T* v = xs + base;
                            if (ky == 0 && kx == 0) {
                                for (int c = 0; c < C; ++c) {
                                    best[c] = v[c];
                                    at[c] = base + c;
                                }
                                continue;
                            }
                            for (int c = 0; c < C; ++c)
                                if (v[c] > best[c] || std::isnan(v[c])) {  // PyTorch's test, NaN included
                                    best[c] = v[c];
                                    at[c] = base + c;
                                }
                        }
                }
        }
    };
    run_parts(pool, parts, task);
}

template <typename T>
void maxpool2d_backward(const MaxPool2dGeometry& g, const Eigen::Ref<const IndexVector>& argmax,
                        const Eigen::Ref<const MatrixT<T>>& dy, Eigen::Ref<MatrixT<T>> dx, ThreadPool* pool) {
    const char* what = "maxpool2d_backward";
    maxpool2d_check(g, what);
    const Eigen::Index n = dy.cols(), out = g.out_size();
    check_shape(what, "dy", dy, out, n);
    check_shape(what, "dx", dx, g.in_size(), n);
    check_shape(what, "argmax", argmax, maxpool2d_index_size(g, n), 1);
    const int parts = parts_for(pool, n, 1);
    Split s{n, parts, 1};
    auto task = [&](int i) {
        for (Eigen::Index sample = s.begin(i); sample < s.end(i); ++sample) {
            T* dxs = dx.data() + sample * dx.outerStride();
            const T* dys = dy.data() + sample * dy.outerStride();
            const std::int32_t* as = argmax.data() + sample * out;
            dx.col(sample).setZero();
            for (Eigen::Index o = 0; o < out; ++o) dxs[as[o]] += dys[o];
        }
    };
    run_parts(pool, parts, task);
}

template void maxpool2d_forward<float>(const MaxPool2dGeometry&, const Eigen::Ref<const Matrix>&, Eigen::Ref<Matrix>,
                                       Eigen::Ref<IndexVector>, ThreadPool*);
template void maxpool2d_forward<double>(const MaxPool2dGeometry&, const Eigen::Ref<const Eigen::MatrixXd>&,
                                        Eigen::Ref<Eigen::MatrixXd>, Eigen::Ref<IndexVector>, ThreadPool*);
template void maxpool2d_backward<float>(const MaxPool2dGeometry&, const Eigen::Ref<const IndexVector>&,
                                        const Eigen::Ref<const Matrix>&, Eigen::Ref<Matrix>, ThreadPool*);
template void maxpool2d_backward<double>(const MaxPool2dGeometry&, const Eigen::Ref<const IndexVector>&,
                                         const Eigen::Ref<const Eigen::MatrixXd>&, Eigen::Ref<Eigen::MatrixXd>,
                                         ThreadPool*);

}  // namespace ae
