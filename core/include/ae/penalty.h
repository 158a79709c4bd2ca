// Regularisation penalties on the code of an autoencoder, as forward/backward pairs. T is float
// (training) or double (gradient checks); both are instantiated in penalty.cpp. Shapes: one column per
// sample, h: [code, n]. Each function returns the penalty's value (accumulated in double) and ADDS
// scale * d(value)/d(input) into the gradient buffers (callers zero them).
//
// Sparsity (A. Ng, "Sparse autoencoder", CS294A Lecture notes, Stanford, 2011):
//   l1   P = sum_ij |h_ij|                               dP/dh_ij = sign(h_ij) (0 at 0)
//   kl   rho_hat_j = (1/n) sum_i h_ij (batch mean of a sigmoid unit, in (0, 1))
//        P = sum_j KL(rho || rho_hat_j) = sum_j rho log(rho / rho_hat_j) + (1 - rho) log((1 - rho) / (1 - rho_hat_j))
//        dP/dh_ij = (1/n) (-rho / rho_hat_j + (1 - rho) / (1 - rho_hat_j))
//        rho_hat is clamped to [1e-6, 1 - 1e-6] so a saturated unit gives a large but finite value.
//
// Contractive penalty (S. Rifai, P. Vincent, X. Muller, X. Glorot, Y. Bengio, "Contractive auto-encoders:
// explicit invariance during feature extraction", ICML 2011), P = sum_i ‖J_f(x_i)‖²_F:
//   one layer h = f(W x + b), exact closed form (their eq. 5 for the sigmoid, any element-wise f here):
//        ‖J(x)‖²_F = sum_j f'(a_j)² ‖W_j‖²      (W_j: row j)
//        dP/dW_j  += 2 f'(a_j)² W_j              (summed over samples)
//        dP/da_j   = ‖W_j‖² 2 f'(a_j) f''(a_j)   (returned as a gradient on the pre-activation a)
//   deeper encoders: an unbiased estimate with Gaussian probe vectors v ~ N(0, I_D), since
//        E_v ‖J v‖² = ‖J‖²_F (Hutchinson's identity: E[v^T A v] = tr A for A = J^T J);
//        J v is computed by forward-mode tangent propagation u_l = f'(a_l) ⊙ (W_l u_{l-1}), u_0 = v, and the
//        estimate ‖u_L‖² is differentiated exactly (reverse mode through the tangent and primal chains;
//        implemented in Autoencoder, see autoencoder.h). One probe per sample per step.
#pragma once

#include "ae/activation.h"
#include "ae/eigen.h"

namespace ae {

// d1 = f'(a), d2 = f''(a) element-wise, computed from the forward output y = f(a).
//   identity: 1, 0; relu: [y > 0], 0; leaky_relu: y > 0 ? 1 : 0.01, 0; sigmoid: y(1-y), y(1-y)(1-2y);
//   tanh: 1 - y², -2 y (1 - y²).
template <typename T>
void activation_derivatives(Activation a, const Eigen::Ref<const MatrixT<T>>& y, Eigen::Ref<MatrixT<T>> d1,
                            Eigen::Ref<MatrixT<T>> d2);

// l1: returns sum |h|; dh += scale * sign(h).
template <typename T>
double sparsity_l1_forward_backward(const Eigen::Ref<const MatrixT<T>>& h, Eigen::Ref<MatrixT<T>> dh, T scale);

// kl: returns sum_j KL(rho || rho_hat_j) over the n columns of h; dh += scale * dP/dh.
// rho_hat (size code) receives the batch means (clamped).
template <typename T>
double sparsity_kl_forward_backward(const Eigen::Ref<const MatrixT<T>>& h, T rho, Eigen::Ref<MatrixT<T>> dh, T scale,
                                    Eigen::Ref<VectorT<T>> rho_hat);

// One-layer contractive penalty. W: [code, in] (row-major, PyTorch layout); y = f(a): [code, n] the code.
// Returns sum_i ‖J(x_i)‖²_F. dW += scale * dP/dW (direct term), da += scale * dP/da. d1, d2: scratch [code, n].
template <typename T>
double contractive_exact_forward_backward(Activation f, const Eigen::Ref<const RowMatrixT<T>>& W,
                                          const Eigen::Ref<const MatrixT<T>>& y, Eigen::Ref<RowMatrixT<T>> dW,
                                          Eigen::Ref<MatrixT<T>> da, T scale, Eigen::Ref<MatrixT<T>> d1,
                                          Eigen::Ref<MatrixT<T>> d2);

}  // namespace ae
