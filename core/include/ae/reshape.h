// x: [C*H*W, n] -> y: [C*H*W, n]   (channels-last <-> PyTorch's C, H, W order)
// Permutations between PyTorch's flat CHW order and our channels-last (HWC) batch layout.
//   hwc_to_chw  y[c H W + (y W + x)] = x[(y W + x) C + c]   what nn.Flatten of a [C, H, W] map produces
//   chw_to_hwc  the inverse permutation                     what nn.Unflatten(1, (C, H, W)) feeds a conv
// A permutation's backward is its inverse: hwc_to_chw_backward(dy) = chw_to_hwc(dy) and vice versa.
// Both are the identity when C == 1 or H W == 1 (a caller may skip them then).
// x, y, dx, dy: [C H W, n], one sample per column; y may not alias x. Nothing allocates. Errors: ae::Error
// naming the sizes.
#pragma once

#include "ae/eigen.h"

namespace ae {

template <typename T>
void hwc_to_chw(int C, int H, int W, const Eigen::Ref<const MatrixT<T>>& x, Eigen::Ref<MatrixT<T>> y);

template <typename T>
void chw_to_hwc(int C, int H, int W, const Eigen::Ref<const MatrixT<T>>& x, Eigen::Ref<MatrixT<T>> y);

// dx = (d hwc_to_chw)^T dy, overwritten.
template <typename T>
void hwc_to_chw_backward(int C, int H, int W, const Eigen::Ref<const MatrixT<T>>& dy, Eigen::Ref<MatrixT<T>> dx) {
    chw_to_hwc<T>(C, H, W, dy, dx);
}

// dx = (d chw_to_hwc)^T dy, overwritten.
template <typename T>
void chw_to_hwc_backward(int C, int H, int W, const Eigen::Ref<const MatrixT<T>>& dy, Eigen::Ref<MatrixT<T>> dx) {
    hwc_to_chw<T>(C, H, W, dy, dx);
}

}  // namespace ae
