// Reconstruction losses, computed from the decoder's last pre-activation ("logits") z.
//
//   bce  Binary cross-entropy with a sigmoid output, in the stable "with logits" form
//        l(z, t) = max(z, 0) - z t + log(1 + e^{-|z|}),  dl/dz = sigmoid(z) - t
//        (the form of PyTorch's BCEWithLogitsLoss / TensorFlow's sigmoid_cross_entropy_with_logits).
//        We evaluate log(1 + e^{-|z|}) as -log(max(y, 1 - y)) with y = sigmoid(z): max(y, 1-y) >= 1/2,
//        so the log never sees 0 and saturated logits (|z| = 1e4) give a finite loss and no NaN.
//        Targets t must lie in [0, 1]; the output activation must be sigmoid.
//   mse  Squared error on the output y = f(z) (f = sigmoid or identity):
//        l(z, t) = (y - t)^2,  dl/dz = 2 (y - t) f'(z).
//
// Shapes: z, t, y, dz are [features, batch]. Units: the returned value is the SUM of l over all
// elements; callers divide (per pixel: by features * batch; per image: by batch).
#pragma once

#include <string>

#include "ae/activation.h"
#include "ae/eigen.h"

namespace ae {

enum class Loss { mse, bce };

const char* loss_name(Loss l);
Loss loss_from_string(const std::string& s);  // "mse" | "bce"; ae::Error otherwise

// y = f(z) (the reconstruction), dz = scale * d(sum l)/dz; returns sum l (accumulated in double).
// y may not alias z; dz may alias z.
template <typename T>
double loss_forward_backward(Loss loss, Activation output, const Eigen::Ref<const MatrixT<T>>& z,
                             const Eigen::Ref<const MatrixT<T>>& t, Eigen::Ref<MatrixT<T>> y,
                             Eigen::Ref<MatrixT<T>> dz, T scale);

// The gradient alone, given y = f(z) from the forward pass: dz = scale * d(sum l)/dz (dz may not alias y).
template <typename T>
void loss_backward(Loss loss, Activation output, const Eigen::Ref<const MatrixT<T>>& y,
                   const Eigen::Ref<const MatrixT<T>>& t, Eigen::Ref<MatrixT<T>> dz, T scale);

// Sum of l over all elements, given y = f(z) already computed (no gradient).
template <typename T>
double loss_value(Loss loss, const Eigen::Ref<const MatrixT<T>>& z, const Eigen::Ref<const MatrixT<T>>& y,
                  const Eigen::Ref<const MatrixT<T>>& t);

}  // namespace ae
