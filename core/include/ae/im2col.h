// The lowering of a convolution to a matrix product (K. Chellapilla, S. Puri, P. Simard, "High Performance
// Convolutional Neural Networks for Document Processing", IWFHR 2006; the im2col / col2im pair of Caffe),
// for batches of channels-last maps. Used by conv2d (forward: im2col, backward: col2im) and conv_transpose2d
// (forward: col2im, backward: im2col).
//
// x: n samples, sample s at x + s ldx, element (c, y, x) of a sample at (y W + x) C + c  (C, H, W = g.in_*).
// cols: [C k k, H_out W_out n] column-major, one column per output position j = (s H_out + oy) W_out + ox,
// row r = c k k + ky k + kx (PyTorch's weight order [.., C, k, k]):
//   im2col       cols(r, j) = x_s(c, oy stride - pad + ky, ox stride - pad + kx), 0 outside the map
//   col2im_add   x_s(c, iy, ix) += sum of cols(r, j) over the (r, j) that im2col reads from (c, iy, ix)
// col2im_add is the adjoint (transpose) of im2col. Neither allocates; g.out_c is not used.
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

}  // namespace ae
