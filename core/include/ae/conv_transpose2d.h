// x: [C_in*H*W, n] -> y: [C_out*H_out*W_out, n]   (channels-last per sample)
// Transposed 2-D convolution, nn.ConvTranspose2d of PyTorch (square kernel, no dilation, no groups), with
// output_padding. It is the adjoint (gradient) of a Conv2d from the output map to the input map, so it is
// lowered to the same im2col matrix, run the other way (see im2col.h):
//   forward   cols = W^T x                            cols: [C_out k k, H W n]   (x: [C_in, H W n])
//             y    = col2im(cols) + b (per channel)   y: [C_out, H_out W_out n] (scatter-add of the windows)
//   backward  dcols = im2col(dy)
//             dW   += x dcols^T                       dW: [C_in, C_out k k]
//             db   += sum over positions and samples of dy
//             dx    = W dcols
//   y(co, iy s - p + ky, ix s - p + kx) += W(ci, co, ky, kx) x(ci, iy, ix)   for every ci, iy, ix, ky, kx
//   H_out = (H - 1) s - 2p + k + output_padding, W_out likewise (PyTorch's formula with dilation 1), where
//   0 <= output_padding < stride (PyTorch's rule); the extra rows/columns only receive the bias and the
//   windows that reach them. The matching Conv2d (conv_view) maps [C_out, H_out, W_out] back to [C_in, H, W].
// Layout: x: [C_in H W, n], y: [C_out H_out W_out, n], one sample per column, channels-last (HWC). W is
// PyTorch's ConvTranspose2d weight [C_in, C_out, k, k] in its row-major memory, viewed as RowMatrix
// [C_in, C_out k k]; b: [C_out]. x, y, dy, dx must be contiguous (outer stride = rows).
//
// Scratch: conv_transpose2d_scratch_size(g, n) = C_out k k * H W n + C_in C_out k k elements of T: the matrix
// cols / dcols, then the weights (or their gradient) in its tap-major row order (see im2col.h).
// backward does NOT need the forward's scratch (it rebuilds dcols from dy); forward and backward may share one.
// dW, db ACCUMULATE (+=); dx is overwritten and may be null.
// The rows of cols are tap-major ((ky k + kx) C_out + co, see im2col.h): W's columns are permuted to that order
// in the scratch and dW's back (skipped when C_out == 1 or k == 1).
// Threads: chunks of samples as in conv2d.h (forward: product + col2im per chunk, backward: im2col + dx
// product per chunk), dW split over input channels, db over output channels: bitwise identical results for
// any pool size. Nothing allocates.
// Errors: ae::Error naming the sizes.
#pragma once

#include "ae/conv2d.h"
#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {

struct ConvTranspose2dGeometry {
    int in_c = 1, in_h = 1, in_w = 1;  // input map [C_in, H, W]
    int out_c = 1;                     // output channels
    int kernel = 1, stride = 1, padding = 0, output_padding = 0;

    int out_h() const { return (in_h - 1) * stride - 2 * padding + kernel + output_padding; }
    int out_w() const { return (in_w - 1) * stride - 2 * padding + kernel + output_padding; }
    Eigen::Index in_size() const { return Eigen::Index(in_c) * in_h * in_w; }
    Eigen::Index out_size() const { return Eigen::Index(out_c) * out_h() * out_w(); }
    Eigen::Index patch_size() const { return Eigen::Index(out_c) * kernel * kernel; }  // columns of W
    Eigen::Index weight_size() const { return in_c * patch_size(); }
    Eigen::Index positions() const { return Eigen::Index(in_h) * in_w; }  // input positions per sample
    // The Conv2d whose adjoint this is: [C_out, H_out, W_out] -> [C_in, H, W], same kernel, stride, padding.
    Conv2dGeometry conv_view() const { return {out_c, out_h(), out_w(), in_c, kernel, stride, padding}; }
};

// Throws ae::Error (message starts with `what`, names the sizes) unless: all sizes >= 1, stride >= 1,
// padding >= 0, 0 <= output_padding < stride, and the output is at least 1x1.
void conv_transpose2d_check(const ConvTranspose2dGeometry& g, const char* what);

// Elements of T of the scratch for a batch of n: [C_out k k, H W n] plus the weights.
Eigen::Index conv_transpose2d_scratch_size(const ConvTranspose2dGeometry& g, Eigen::Index n);

template <typename T>
void conv_transpose2d_forward(const ConvTranspose2dGeometry& g, const Eigen::Ref<const RowMatrixT<T>>& W,
                              const Eigen::Ref<const VectorT<T>>& b, const Eigen::Ref<const MatrixT<T>>& x,
                              Eigen::Ref<MatrixT<T>> y, Eigen::Ref<VectorT<T>> scratch, ThreadPool* pool = nullptr);

template <typename T>
void conv_transpose2d_backward(const ConvTranspose2dGeometry& g, const Eigen::Ref<const RowMatrixT<T>>& W,
                               const Eigen::Ref<const MatrixT<T>>& x, const Eigen::Ref<const MatrixT<T>>& dy,
                               Eigen::Ref<RowMatrixT<T>> dW, Eigen::Ref<VectorT<T>> db, Eigen::Ref<MatrixT<T>>* dx,
                               Eigen::Ref<VectorT<T>> scratch, ThreadPool* pool = nullptr);

}  // namespace ae
