// x: [in, n] -> y: [out, n]
// Fully connected (affine) layer, the Dense / nn.Linear of every framework:
//   forward   y = W x + b                    x: [in, batch] -> y: [out, batch]
//   backward  dW += dy x^T,  db += sum_batch dy,  dx = W^T dy
// W is [out, in] stored row-major, exactly PyTorch's Linear.weight layout, so a saved parameter
// buffer loads into torch unchanged. Gradients accumulate (+=); the caller zeroes them per batch.
//
// With a ThreadPool of n threads the three products are split into n independent blocks (columns of y
// and dx, rows of dW); each block runs Eigen's single-threaded GEMM, whose packing buffers are on the
// stack, so none of these functions allocates. T is float (training) or double (gradient checks).
#pragma once

#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {

template <typename T>
void dense_forward(const Eigen::Ref<const RowMatrixT<T>>& W, const Eigen::Ref<const VectorT<T>>& b,
                   const Eigen::Ref<const MatrixT<T>>& x, Eigen::Ref<MatrixT<T>> y, ThreadPool* pool = nullptr);

// dx may be null (first layer: no gradient needed with respect to the data).
template <typename T>
void dense_backward(const Eigen::Ref<const RowMatrixT<T>>& W, const Eigen::Ref<const MatrixT<T>>& x,
                    const Eigen::Ref<const MatrixT<T>>& dy, Eigen::Ref<RowMatrixT<T>> dW, Eigen::Ref<VectorT<T>> db,
                    Eigen::Ref<MatrixT<T>>* dx, ThreadPool* pool = nullptr);

}  // namespace ae
