#include "ae/activation.h"

#include "ae/error.h"

namespace ae {

const char* activation_name(Activation a) {
    switch (a) {
        case Activation::identity: return "identity";
        case Activation::relu: return "relu";
        case Activation::leaky_relu: return "leaky_relu";
        case Activation::sigmoid: return "sigmoid";
        case Activation::tanh: return "tanh";
    }
    return "?";
}

Activation activation_from_string(const std::string& s) {
    if (s == "identity" || s == "linear") return Activation::identity;
    if (s == "relu") return Activation::relu;
    if (s == "leaky_relu" || s == "leakyrelu") return Activation::leaky_relu;
    if (s == "sigmoid") return Activation::sigmoid;
    if (s == "tanh") return Activation::tanh;
    throw Error("unknown activation '" + s + "' (expected identity, relu, leaky_relu, sigmoid or tanh)");
}

template <typename T>
void activation_forward(Activation a, const Eigen::Ref<const MatrixT<T>>& x, Eigen::Ref<MatrixT<T>> y) {
    const T slope = static_cast<T>(kLeakyReluSlope);
    switch (a) {
        case Activation::identity:
            if (x.data() != y.data()) y = x;
            break;
        case Activation::relu: y = x.cwiseMax(T(0)); break;
        case Activation::leaky_relu:
            y = (x.array() > T(0)).select(x, slope * x.array());
            break;
        case Activation::sigmoid: y = x.array().logistic(); break;
        case Activation::tanh: y = x.array().tanh(); break;
    }
}

template <typename T>
void activation_backward(Activation a, const Eigen::Ref<const MatrixT<T>>& y,
                         const Eigen::Ref<const MatrixT<T>>& dy, Eigen::Ref<MatrixT<T>> dx) {
    const T slope = static_cast<T>(kLeakyReluSlope);
    switch (a) {
        case Activation::identity:
            if (dy.data() != dx.data()) dx = dy;
            break;
        case Activation::relu: dx = (y.array() > T(0)).select(dy, T(0)); break;
        case Activation::leaky_relu:
            dx = (y.array() > T(0)).select(dy, slope * dy.array());
            break;
        case Activation::sigmoid: dx = dy.array() * y.array() * (T(1) - y.array()); break;
        case Activation::tanh: dx = dy.array() * (T(1) - y.array().square()); break;
    }
}

template void activation_forward<float>(Activation, const Eigen::Ref<const Matrix>&, Eigen::Ref<Matrix>);
template void activation_forward<double>(Activation, const Eigen::Ref<const Eigen::MatrixXd>&,
                                         Eigen::Ref<Eigen::MatrixXd>);
template void activation_backward<float>(Activation, const Eigen::Ref<const Matrix>&,
                                         const Eigen::Ref<const Matrix>&, Eigen::Ref<Matrix>);
template void activation_backward<double>(Activation, const Eigen::Ref<const Eigen::MatrixXd>&,
                                          const Eigen::Ref<const Eigen::MatrixXd>&, Eigen::Ref<Eigen::MatrixXd>);

}  // namespace ae
