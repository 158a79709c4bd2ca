// dense.h first, as in autoencoder.cpp: clang 14 (Emscripten 3.1.6) mangles Eigen::Ref<VectorT<T>>'s
// default stride by the first Ref<const VectorT<T>> it met in the translation unit (a "K" appears or not),
// so the explicit instantiations below only match autoencoder.cpp's calls when both units see dense.h's
// declarations first (otherwise: undefined symbol sparsity_kl_forward_backward<float> in the WASM link).
#include "ae/dense.h"
#include "ae/penalty.h"

#include <algorithm>
#include <cmath>

namespace ae {

template <typename T>
void activation_derivatives(Activation a, const Eigen::Ref<const MatrixT<T>>& y, Eigen::Ref<MatrixT<T>> d1,
                            Eigen::Ref<MatrixT<T>> d2) {
    auto ya = y.array();
    switch (a) {
        case Activation::identity:
            d1.setOnes();
            d2.setZero();
            break;
        case Activation::relu:
            d1 = (ya > T(0)).template cast<T>().matrix();
            d2.setZero();
            break;
        case Activation::leaky_relu:
            d1 = (T(kLeakyReluSlope) + (T(1) - T(kLeakyReluSlope)) * (ya > T(0)).template cast<T>()).matrix();
            d2.setZero();
            break;
        case Activation::sigmoid:
            d1 = (ya * (T(1) - ya)).matrix();
            d2 = (d1.array() * (T(1) - T(2) * ya)).matrix();
            break;
        case Activation::tanh:
            d1 = (T(1) - ya.square()).matrix();
            d2 = (T(-2) * ya * d1.array()).matrix();
            break;
    }
}

template <typename T>
double sparsity_l1_forward_backward(const Eigen::Ref<const MatrixT<T>>& h, Eigen::Ref<MatrixT<T>> dh, T scale) {
    double total = 0.0;
    for (Eigen::Index c = 0; c < h.cols(); ++c) {
        total += static_cast<double>(h.col(c).array().abs().sum());
        dh.col(c).array() += scale * h.col(c).array().sign();
    }
    return total;
}

template <typename T>
double sparsity_kl_forward_backward(const Eigen::Ref<const MatrixT<T>>& h, T rho, Eigen::Ref<MatrixT<T>> dh, T scale,
                                    Eigen::Ref<VectorT<T>> rho_hat) {
    const Eigen::Index n = h.cols(), k = h.rows();
    rho_hat.setZero();
    for (Eigen::Index c = 0; c < n; ++c) rho_hat += h.col(c);
    rho_hat /= static_cast<T>(n);
    const T lo = T(1e-6), hi = T(1) - T(1e-6);
    double total = 0.0;
    for (Eigen::Index j = 0; j < k; ++j) {
        const T r = std::min(std::max(rho_hat(j), lo), hi);
        rho_hat(j) = r;
        total += static_cast<double>(rho) * std::log(static_cast<double>(rho) / r) +
                 (1.0 - static_cast<double>(rho)) * std::log((1.0 - static_cast<double>(rho)) / (1.0 - r));
    }
    // d/dh_ij = (1/n) (-rho / r_j + (1 - rho) / (1 - r_j)), the same for every sample i.
    const T a = scale / static_cast<T>(n);
    for (Eigen::Index c = 0; c < n; ++c)
        dh.col(c).array() += a * (-rho / rho_hat.array() + (T(1) - rho) / (T(1) - rho_hat.array()));
    return total;
}

template <typename T>
double contractive_exact_forward_backward(Activation f, const Eigen::Ref<const RowMatrixT<T>>& W,
                                          const Eigen::Ref<const MatrixT<T>>& y, Eigen::Ref<RowMatrixT<T>> dW,
                                          Eigen::Ref<MatrixT<T>> da, T scale, Eigen::Ref<MatrixT<T>> d1,
                                          Eigen::Ref<MatrixT<T>> d2) {
    const Eigen::Index n = y.cols(), k = y.rows();
    activation_derivatives<T>(f, y, d1, d2);
    double total = 0.0;
    for (Eigen::Index j = 0; j < k; ++j) {
        const T r = W.row(j).squaredNorm();
        T s = 0;  // sum_i f'(a_ij)^2
        for (Eigen::Index i = 0; i < n; ++i) {
            const T g = d1(j, i);
            s += g * g;
            da(j, i) += scale * r * T(2) * g * d2(j, i);
        }
        total += static_cast<double>(s) * static_cast<double>(r);
        dW.row(j) += (scale * T(2) * s) * W.row(j);
    }
    return total;
}

#define AE_PENALTY_INSTANTIATE(T)                                                                                  \
    template void activation_derivatives<T>(Activation, const Eigen::Ref<const MatrixT<T>>&, Eigen::Ref<MatrixT<T>>, \
                                            Eigen::Ref<MatrixT<T>>);                                                 \
    template double sparsity_l1_forward_backward<T>(const Eigen::Ref<const MatrixT<T>>&, Eigen::Ref<MatrixT<T>>, T);  \
    template double sparsity_kl_forward_backward<T>(const Eigen::Ref<const MatrixT<T>>&, T, Eigen::Ref<MatrixT<T>>, \
                                                    T, Eigen::Ref<VectorT<T>>);                                     \
    template double contractive_exact_forward_backward<T>(                                                         \
        Activation, const Eigen::Ref<const RowMatrixT<T>>&, const Eigen::Ref<const MatrixT<T>>&,                   \
        Eigen::Ref<RowMatrixT<T>>, Eigen::Ref<MatrixT<T>>, T, Eigen::Ref<MatrixT<T>>, Eigen::Ref<MatrixT<T>>);

AE_PENALTY_INSTANTIATE(float)
AE_PENALTY_INSTANTIATE(double)

}  // namespace ae
