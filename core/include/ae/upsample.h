// x: [C*H*W, n] -> y: [C*(f H)*(f W), n]   (channels-last per sample)
// Nearest-neighbour upsampling, nn.Upsample(scale_factor=f, mode='nearest') of PyTorch (integer f):
//   forward   y(c, oy, ox) = x(c, floor(oy / f), floor(ox / f))        H_out = f H, W_out = f W
//   backward  dx(c, iy, ix) = sum_{ky, kx < f} dy(c, iy f + ky, ix f + kx)   (the f*f copies' gradients)
// Layout: x: [C H W, n], y: [C H_out W_out, n], one sample per column, channels-last (HWC: (y W + x) C + c).
// dx is overwritten. Threads: split over samples. Nothing allocates. Errors: ae::Error naming the sizes.
#pragma once

#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {

struct UpsampleGeometry {
    int channels = 1, in_h = 1, in_w = 1;
    int scale = 2;

    int out_h() const { return in_h * scale; }
    int out_w() const { return in_w * scale; }
    Eigen::Index in_size() const { return Eigen::Index(channels) * in_h * in_w; }
    Eigen::Index out_size() const { return Eigen::Index(channels) * out_h() * out_w(); }
};

// Throws ae::Error (message starts with `what`) unless channels, sizes and scale are >= 1.
void upsample_check(const UpsampleGeometry& g, const char* what);

template <typename T>
void upsample_nearest_forward(const UpsampleGeometry& g, const Eigen::Ref<const MatrixT<T>>& x,
                              Eigen::Ref<MatrixT<T>> y, ThreadPool* pool = nullptr);

template <typename T>
void upsample_nearest_backward(const UpsampleGeometry& g, const Eigen::Ref<const MatrixT<T>>& dy,
                               Eigen::Ref<MatrixT<T>> dx, ThreadPool* pool = nullptr);

}  // namespace ae
