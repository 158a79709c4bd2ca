// x: [features, n] -> y: [features, n]
// Element-wise activations. Each is a forward/backward pair; backward is written in terms of the
// forward output y where possible so the pre-activation need not be kept.
//   identity  y = x                          dy/dx = 1
//   relu      y = max(x, 0)                  dy/dx = [x > 0]   (0 at the kink x = 0, as PyTorch)
//   leaky_relu y = x > 0 ? x : 0.01 x         dy/dx = x > 0 ? 1 : 0.01 (slope as PyTorch's default)
//   sigmoid   y = 1 / (1 + e^-x)             dy/dx = y (1 - y)
//   tanh      y = tanh x                     dy/dx = 1 - y^2
#pragma once

#include <string>

#include "ae/eigen.h"

namespace ae {

enum class Activation { identity, relu, leaky_relu, sigmoid, tanh };

constexpr float kLeakyReluSlope = 0.01f;

// Name <-> enum ("identity", "relu", "leaky_relu" (also "leakyrelu"), "sigmoid", "tanh").
// activation_from_string throws ae::Error naming the bad value and the accepted ones.
const char* activation_name(Activation a);
Activation activation_from_string(const std::string& s);

// x, y: [features, batch]. y may alias x (in-place). T is float (training) or double (gradient checks);
// both are instantiated in activation.cpp.
template <typename T>
void activation_forward(Activation a, const Eigen::Ref<const MatrixT<T>>& x, Eigen::Ref<MatrixT<T>> y);
// dx = dy * f'(x), computed from the forward output y. dx may alias dy.
template <typename T>
void activation_backward(Activation a, const Eigen::Ref<const MatrixT<T>>& y,
                         const Eigen::Ref<const MatrixT<T>>& dy, Eigen::Ref<MatrixT<T>> dx);

}  // namespace ae
