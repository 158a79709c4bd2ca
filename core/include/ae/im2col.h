// The lowering of a convolution to a matrix product (K. Chellapilla, S. Puri, P. Simard, "High Performance
// Convolutional Neural Networks for Document Processing", IWFHR 2006; the im2col / col2im pair of Caffe),
// for batches of channels-last maps. Used by conv2d (forward: im2col, backward: col2im) and conv_transpose2d
// (forward: col2im, backward: im2col).
//
// x: n samples, sample s at x + s ldx, element (c, y, x) of a sample at (y W + x) C + c  (C, H, W = g.in_*).
// cols: [k k C, H_out W_out n] column-major, one column per output position j = (s H_out + oy) W_out + ox,
// row r = (ky k + kx) C + c ("tap-major": the channels of one window tap are contiguous, as in the HWC map,
// so one kernel row of a window is ONE contiguous run of k C values of x; PyTorch's c k k + ky k + kx order
// would make every element a strided access, ~3x slower in the B3 encoder):
//   im2col       cols(r, j) = x_s(c, oy stride - pad + ky, ox stride - pad + kx), 0 outside the map
//   col2im_add   x_s(c, iy, ix) += sum of cols(r, j) over the (r, j) that im2col reads from (c, iy, ix)
// col2im_add is the adjoint (transpose) of im2col. A PyTorch weight [R, C, k, k] (RowMatrix [R, C k k]) is
// brought into the same column order by weights_to_tap_major, and a gradient computed in that order is added
// back by add_tap_major_weights; both are the identity when C == 1 or k == 1 (the layers skip them then).
// Nothing here allocates; g.out_c is not used.
#pragma once

#include "ae/conv2d.h"

namespace ae {

// Writes columns [col_begin, col_end) of cols (any range: columns are independent).
template <typename T>
void im2col(const Conv2dGeometry& g, const T* x, Eigen::Index ldx, T* cols, Eigen::Index col_begin,
            Eigen::Index col_end);

// Adds the columns of samples [sample_begin, sample_end) into those samples of x (the caller zeroes or
// initialises them). Within a sample the columns are added in order j, so the sums are deterministic.
template <typename T>
void col2im_add(const Conv2dGeometry& g, const T* cols, T* x, Eigen::Index ldx, Eigen::Index sample_begin,
                Eigen::Index sample_end);

// Wt[r, t C + c] = W[r, c kk + t] for rows [0, W.rows()), t < kk = k k; Wt is row-major [R, kk C], dense.
template <typename T>
void weights_to_tap_major(const Eigen::Ref<const RowMatrixT<T>>& W, int C, int kk, T* Wt);

// dW[r, c kk + t] += dWt[r, t C + c] for rows [row_begin, row_end).
template <typename T>
void add_tap_major_weights(const T* dWt, int C, int kk, Eigen::Ref<RowMatrixT<T>> dW, Eigen::Index row_begin,
                           Eigen::Index row_end);

}  // namespace ae
