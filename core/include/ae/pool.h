// x: [C*H*W, n] -> y: [C*(H/p)*(W/p), n]   (channels-last per sample)
// Max pooling, nn.MaxPool2d(p) of PyTorch with its defaults: kernel = stride = p, no padding, floor of the
// output size (ceil_mode=False): rows and columns beyond H_out p, W_out p are ignored (and get no gradient).
//   forward   y(c, oy, ox) = max_{ky, kx < p} x(c, oy p + ky, ox p + kx)
//             argmax(c, oy, ox) = index in the sample of the maximum: the FIRST maximum in row-major window
//             order (ky, then kx), as PyTorch; a NaN counts as a maximum and propagates (the last NaN of the
//             window is the argmax), as PyTorch's CPU kernel: if (v > max || isnan(v)) take v.
//   backward  dx = 0, then dx(argmax) += dy: the gradient is routed to the maximum only.
//   H_out = floor(H / p), W_out = floor(W / p).
// Layout: x: [C H W, n], y: [C H_out W_out, n], one sample per column, channels-last (HWC: (y W + x) C + c).
// argmax: int32, maxpool2d_index_size(g, n) = C H_out W_out n entries, filled by forward and READ by backward
// (each entry is (iy W + ix) C + c within its sample). dx is overwritten.
// Threads: split over samples (results do not depend on the pool). Nothing allocates. Errors: ae::Error.
#pragma once

#include <cstdint>

#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {

struct MaxPool2dGeometry {
    int channels = 1, in_h = 1, in_w = 1;
    int kernel = 2;  // = stride

    int out_h() const { return in_h / kernel; }
    int out_w() const { return in_w / kernel; }
    Eigen::Index in_size() const { return Eigen::Index(channels) * in_h * in_w; }
    Eigen::Index out_size() const { return Eigen::Index(channels) * out_h() * out_w(); }
};

using IndexVector = Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1>;

// Throws ae::Error (message starts with `what`) unless channels, sizes and kernel are >= 1, the kernel fits
// the map (k <= H and k <= W, so the output is at least 1x1) and a sample's indices fit in int32.
void maxpool2d_check(const MaxPool2dGeometry& g, const char* what);

// Entries of the argmax buffer for a batch of n.
Eigen::Index maxpool2d_index_size(const MaxPool2dGeometry& g, Eigen::Index n);

template <typename T>
void maxpool2d_forward(const MaxPool2dGeometry& g, const Eigen::Ref<const MatrixT<T>>& x, Eigen::Ref<MatrixT<T>> y,
                       Eigen::Ref<IndexVector> argmax, ThreadPool* pool = nullptr);

// Needs the argmax filled by maxpool2d_forward for this batch.
template <typename T>
void maxpool2d_backward(const MaxPool2dGeometry& g, const Eigen::Ref<const IndexVector>& argmax,
                        const Eigen::Ref<const MatrixT<T>>& dy, Eigen::Ref<MatrixT<T>> dx, ThreadPool* pool = nullptr);

}  // namespace ae
