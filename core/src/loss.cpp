#include "ae/loss.h"

#include "ae/error.h"

namespace ae {

const char* loss_name(Loss l) { return l == Loss::bce ? "bce" : "mse"; }

Loss loss_from_string(const std::string& s) {
    if (s == "bce") return Loss::bce;
    if (s == "mse") return Loss::mse;
    throw Error("unknown loss '" + s + "' (expected bce or mse)");
}

template <typename T>
double loss_value(Loss loss, const Eigen::Ref<const MatrixT<T>>& z, const Eigen::Ref<const MatrixT<T>>& y,
                  const Eigen::Ref<const MatrixT<T>>& t) {
    double total = 0.0;
    for (Eigen::Index c = 0; c < z.cols(); ++c) {  // per column: float sums stay short
        if (loss == Loss::bce) {
            auto zc = z.col(c).array();
            auto yc = y.col(c).array();
            total += static_cast<double>(
                (zc.max(T(0)) - zc * t.col(c).array() - yc.max(T(1) - yc).log()).sum());
        } else {
            total += static_cast<double>((y.col(c) - t.col(c)).squaredNorm());
        }
    }
    return total;
}

template <typename T>
double loss_forward_backward(Loss loss, Activation output, const Eigen::Ref<const MatrixT<T>>& z,
                             const Eigen::Ref<const MatrixT<T>>& t, Eigen::Ref<MatrixT<T>> y,
                             Eigen::Ref<MatrixT<T>> dz, T scale) {
    if (loss == Loss::bce && output != Activation::sigmoid)
        throw Error("loss bce needs a sigmoid output (got " + std::string(activation_name(output)) + ")");
    activation_forward<T>(output, z, y);
    double total = loss_value<T>(loss, z, y, t);
    if (loss == Loss::bce) {
        dz = scale * (y - t);
    } else {
        dz = (T(2) * scale) * (y - t);
        activation_backward<T>(output, y, dz, dz);
    }
    return total;
}

template <typename T>
void loss_backward(Loss loss, Activation output, const Eigen::Ref<const MatrixT<T>>& y,
                   const Eigen::Ref<const MatrixT<T>>& t, Eigen::Ref<MatrixT<T>> dz, T scale) {
    if (loss == Loss::bce) {
        dz = scale * (y - t);
    } else {
        dz = (T(2) * scale) * (y - t);
        activation_backward<T>(output, y, dz, dz);
    }
}

template void loss_backward<float>(Loss, Activation, const Eigen::Ref<const Matrix>&, const Eigen::Ref<const Matrix>&,
                                   Eigen::Ref<Matrix>, float);
template void loss_backward<double>(Loss, Activation, const Eigen::Ref<const Eigen::MatrixXd>&,
                                    const Eigen::Ref<const Eigen::MatrixXd>&, Eigen::Ref<Eigen::MatrixXd>, double);
template double loss_value<float>(Loss, const Eigen::Ref<const Matrix>&, const Eigen::Ref<const Matrix>&,
                                  const Eigen::Ref<const Matrix>&);
template double loss_value<double>(Loss, const Eigen::Ref<const Eigen::MatrixXd>&,
                                   const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::Ref<const Eigen::MatrixXd>&);
template double loss_forward_backward<float>(Loss, Activation, const Eigen::Ref<const Matrix>&,
                                             const Eigen::Ref<const Matrix>&, Eigen::Ref<Matrix>,
                                             Eigen::Ref<Matrix>, float);
template double loss_forward_backward<double>(Loss, Activation, const Eigen::Ref<const Eigen::MatrixXd>&,
                                              const Eigen::Ref<const Eigen::MatrixXd>&,
                                              Eigen::Ref<Eigen::MatrixXd>, Eigen::Ref<Eigen::MatrixXd>, double);

}  // namespace ae
