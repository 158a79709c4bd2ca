#include "ae/reshape.h"

#include "shape_check.h"

namespace ae {

template <typename T>
void hwc_to_chw(int C, int H, int W, const Eigen::Ref<const MatrixT<T>>& x, Eigen::Ref<MatrixT<T>> y) {
    const Eigen::Index n = x.cols(), P = Eigen::Index(H) * W, D = P * C;
    detail::check_shape("hwc_to_chw", "x", x, D, n);
    detail::check_shape("hwc_to_chw", "y", y, D, n);
    for (Eigen::Index s = 0; s < n; ++s) {
        const T* xs = x.data() + s * x.outerStride();
        T* ys = y.data() + s * y.outerStride();
        for (Eigen::Index q = 0; q < P; ++q)
            for (int c = 0; c < C; ++c) ys[c * P + q] = xs[q * C + c];
    }
}

template <typename T>
void chw_to_hwc(int C, int H, int W, const Eigen::Ref<const MatrixT<T>>& x, Eigen::Ref<MatrixT<T>> y) {
    const Eigen::Index n = x.cols(), P = Eigen::Index(H) * W, D = P * C;
    detail::check_shape("chw_to_hwc", "x", x, D, n);
    detail::check_shape("chw_to_hwc", "y", y, D, n);
    for (Eigen::Index s = 0; s < n; ++s) {
        const T* xs = x.data() + s * x.outerStride();
        T* ys = y.data() + s * y.outerStride();
        for (Eigen::Index q = 0; q < P; ++q)
            for (int c = 0; c < C; ++c) ys[q * C + c] = xs[c * P + q];
    }
}

template void hwc_to_chw<float>(int, int, int, const Eigen::Ref<const Matrix>&, Eigen::Ref<Matrix>);
template void hwc_to_chw<double>(int, int, int, const Eigen::Ref<const Eigen::MatrixXd>&, Eigen::Ref<Eigen::MatrixXd>);
template void chw_to_hwc<float>(int, int, int, const Eigen::Ref<const Matrix>&, Eigen::Ref<Matrix>);
template void chw_to_hwc<double>(int, int, int, const Eigen::Ref<const Eigen::MatrixXd>&, Eigen::Ref<Eigen::MatrixXd>);

}  // namespace ae
