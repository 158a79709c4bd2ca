// x: [C_in*H*W, n] -> y: [C_out*H_out*W_out, n]   (channels-last per sample)
// 2-D convolution, nn.Conv2d of PyTorch (square kernel, no dilation, no groups), lowered to ONE matrix
// product over the whole batch (im2col, see im2col.h):
//   forward   cols = im2col(x)                        cols: [C_in k k, H_out W_out n]
//             y    = W cols + b (per row)             y: [C_out, H_out W_out n] = the HWC batch [C_out H_out W_out, n]
//   backward  dW  += dy cols^T                        dW: [C_out, C_in k k]
//             db  += sum over positions and samples of dy
//             dx   = col2im(W^T dy)                   (the adjoint of im2col: overlapping windows add up)
//   y(co, oy, ox) = b(co) + sum_{ci, ky, kx} W(co, ci, ky, kx) x(ci, oy s - p + ky, ox s - p + kx)  (0 outside)
//   H_out = (H + 2p - k) / s + 1, W_out likewise (floor; PyTorch's Conv2d formula with dilation 1).
// The rows of cols are tap-major ((ky k + kx) C_in + ci, see im2col.h), so W's columns are permuted to that
// order in the scratch before the products and dW's back after them (skipped when C_in == 1 or k == 1).
// Layout: x: [C_in H W, n] and y: [C_out H_out W_out, n], one sample per column, each sample channels-last
// (HWC: element (c, y, x) at (y W + x) C + c). W is PyTorch's weight [C_out, C_in, k, k] in its row-major memory,
// viewed as RowMatrix [C_out, C_in k k]; b: [C_out]. x, y, dy, dx must be contiguous (outer stride = rows).
//
// Scratch: conv2d_scratch_size(g, n) = C_in k k * H_out W_out n + C_out C_in k k elements of T: the im2col
// matrix, then the weights (or their gradient) in its tap-major column order (see im2col.h). forward fills it;
// backward READS the im2col matrix (it must be the scratch the forward of this x left behind) and then, when dx
// is wanted, overwrites it with W^T dy, so a second backward needs a second forward. dW, db ACCUMULATE (+=, like dense_backward; the caller
// zeroes them per batch); dx is overwritten and may be null (a first layer).
// Threads: the batch is cut into chunks of samples (~512 KiB of cols each; the cut depends on n and the layer,
// never on the pool) that the threads share: forward runs im2col + product per chunk, backward product +
// col2im per chunk, while the chunk is in cache; dW and db are split over output channels. Each element is
// computed by one task in a fixed order, so the results are bitwise identical for any pool size. Nothing
// allocates (Eigen's GEMM packs on the stack).
// Errors: ae::Error naming the sizes (geometry, shapes, scratch too small, non-contiguous batch).
#pragma once

#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {

struct Conv2dGeometry {
    int in_c = 1, in_h = 1, in_w = 1;  // input map [C_in, H, W]
    int out_c = 1;                     // output channels
    int kernel = 1, stride = 1, padding = 0;

    int out_h() const { return (in_h + 2 * padding - kernel) / stride + 1; }
    int out_w() const { return (in_w + 2 * padding - kernel) / stride + 1; }
    Eigen::Index in_size() const { return Eigen::Index(in_c) * in_h * in_w; }        // features per input sample
    Eigen::Index out_size() const { return Eigen::Index(out_c) * out_h() * out_w(); }  // features per output sample
    Eigen::Index patch_size() const { return Eigen::Index(in_c) * kernel * kernel; }   // columns of W, rows of cols
    Eigen::Index weight_size() const { return out_c * patch_size(); }
    Eigen::Index positions() const { return Eigen::Index(out_h()) * out_w(); }        // output positions per sample
};

// Throws ae::Error (message starts with `what`, names the sizes) unless: all sizes >= 1, stride >= 1,
// padding >= 0 and the kernel fits the padded map (k <= H + 2p and k <= W + 2p).
void conv2d_check(const Conv2dGeometry& g, const char* what);

// Elements of T of the scratch for a batch of n: the im2col matrix [C_in k k, H_out W_out n] plus the weights.
Eigen::Index conv2d_scratch_size(const Conv2dGeometry& g, Eigen::Index n);

template <typename T>
void conv2d_forward(const Conv2dGeometry& g, const Eigen::Ref<const RowMatrixT<T>>& W,
                    const Eigen::Ref<const VectorT<T>>& b, const Eigen::Ref<const MatrixT<T>>& x,
                    Eigen::Ref<MatrixT<T>> y, Eigen::Ref<VectorT<T>> scratch, ThreadPool* pool = nullptr);

// Needs the scratch filled by conv2d_forward(g, W, b, x, ...) (the im2col of this x); overwrites it.
template <typename T>
void conv2d_backward(const Conv2dGeometry& g, const Eigen::Ref<const RowMatrixT<T>>& W,
                     const Eigen::Ref<const MatrixT<T>>& x, const Eigen::Ref<const MatrixT<T>>& dy,
                     Eigen::Ref<RowMatrixT<T>> dW, Eigen::Ref<VectorT<T>> db, Eigen::Ref<MatrixT<T>>* dx,
                     Eigen::Ref<VectorT<T>> scratch, ThreadPool* pool = nullptr);

}  // namespace ae
