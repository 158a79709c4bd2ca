#include "ae/im2col.h"

#include <algorithm>

namespace ae {

namespace {

// The window taps kx in [kx0, kx1) of output column ox that fall inside [0, W).
inline void valid_taps(int ox, int s, int p, int k, int W, int& kx0, int& kx1) {
    const int ix0 = ox * s - p;
    kx0 = std::min(k, std::max(0, -ix0));
    kx1 = std::max(kx0, std::min(k, W - ix0));
}

// Short runs (k C values, often 4 for a first layer) as Eigen packet loops: std::copy / std::fill become
// memmove / memset calls whose overhead dominated the one-channel layers.
template <typename T>
inline void copy_run(const T* src, T* dst, int n) {
    Eigen::Map<VectorT<T>>(dst, n) = Eigen::Map<const VectorT<T>>(src, n);
}
template <typename T>
inline void zero_run(T* dst, int n) {
    Eigen::Map<VectorT<T>>(dst, n).setZero();
}

}  // namespace

template <typename T>
void im2col(const Conv2dGeometry& g, const T* x, Eigen::Index ldx, T* cols, Eigen::Index col_begin,
            Eigen::Index col_end) {
    const int C = g.in_c, H = g.in_h, W = g.in_w, k = g.kernel, s = g.stride, p = g.padding;
    const int Wo = g.out_w(), kC = k * C;
    const Eigen::Index K = g.patch_size(), P = g.positions();
    // (sample, oy, ox) of column j, advanced incrementally: two divisions per column cost as much as the
    // copies of a one-channel layer.
    Eigen::Index sample = col_begin / P;
    int oy = static_cast<int>((col_begin - sample * P) / Wo), ox = static_cast<int>(col_begin - sample * P - Eigen::Index(oy) * Wo);
    for (Eigen::Index j = col_begin; j < col_end; ++j) {
        if (ox == Wo) {
            ox = 0;
            if (++oy == g.out_h()) {
                oy = 0;
                ++sample;
            }
        }
        const T* xs = x + sample * ldx;
        T* col = cols + j * K;
        int kx0, kx1;
        valid_taps(ox, s, p, k, W, kx0, kx1);
        const int ix0 = ox * s - p;
        for (int ky = 0; ky < k; ++ky, col += kC) {
            const int iy = oy * s - p + ky;
            if (iy < 0 || iy >= H) {
                zero_run(col, kC);
                continue;
            }
            if (C == 1) {  // k values: a select per tap beats three short runs (clamped index, never out of bounds)
                const T* row = xs + Eigen::Index(iy) * W;
                for (int kx = 0; kx < k; ++kx) {
                    const int ix = ix0 + kx;
                    const T v = row[std::min(std::max(ix, 0), W - 1)];
                    col[kx] = (ix >= 0 && ix < W) ? v : T(0);
                }
                continue;
            }
            if (kx0 > 0) zero_run(col, kx0 * C);
            const T* src = xs + (Eigen::Index(iy) * W + ix0 + kx0) * C;  // one contiguous run of taps
            copy_run(src, col + kx0 * C, (kx1 - kx0) * C);
            if (kx1 < k) zero_run(col + kx1 * C, (k - kx1) * C);
        }
        ++ox;
    }
}

template <typename T>
void col2im_add(const Conv2dGeometry& g, const T* cols, T* x, Eigen::Index ldx, Eigen::Index sample_begin,
                Eigen::Index sample_end) {
    const int C = g.in_c, H = g.in_h, W = g.in_w, k = g.kernel, s = g.stride, p = g.padding;
    const int Ho = g.out_h(), Wo = g.out_w(), kC = k * C;
    const Eigen::Index K = g.patch_size(), P = g.positions();
    for (Eigen::Index sample = sample_begin; sample < sample_end; ++sample) {
        T* xs = x + sample * ldx;
        const T* col = cols + sample * P * K;
        for (int oy = 0; oy < Ho; ++oy)
            for (int ox = 0; ox < Wo; ++ox, col += K) {
                int kx0, kx1;
                valid_taps(ox, s, p, k, W, kx0, kx1);
                const int ix0 = ox * s - p, run = (kx1 - kx0) * C;
                for (int ky = 0; ky < k; ++ky) {
                    const int iy = oy * s - p + ky;
                    if (iy < 0 || iy >= H) continue;
                    const T* src = col + ky * kC + kx0 * C;
                    T* dst = xs + (Eigen::Index(iy) * W + ix0 + kx0) * C;
                    if (run < 16) {
                        for (int i = 0; i < run; ++i) dst[i] += src[i];
                    } else {
                        Eigen::Map<VectorT<T>>(dst, run) += Eigen::Map<const VectorT<T>>(src, run);
                    }
                }
            }
    }
}

template <typename T>
void weights_to_tap_major(const Eigen::Ref<const RowMatrixT<T>>& W, int C, int kk, T* Wt) {
    const Eigen::Index K = Eigen::Index(C) * kk;
    for (Eigen::Index r = 0; r < W.rows(); ++r) {
        const T* w = W.data() + r * W.outerStride();
        T* wt = Wt + r * K;
        for (int c = 0; c < C; ++c)
            for (int t = 0; t < kk; ++t) wt[t * C + c] = w[c * kk + t];
    }
}

template <typename T>
void add_tap_major_weights(const T* dWt, int C, int kk, Eigen::Ref<RowMatrixT<T>> dW, Eigen::Index row_begin,
                           Eigen::Index row_end) {
    const Eigen::Index K = Eigen::Index(C) * kk;
    for (Eigen::Index r = row_begin; r < row_end; ++r) {
        T* dw = dW.data() + r * dW.outerStride();
        const T* dwt = dWt + r * K;
        for (int c = 0; c < C; ++c)
            for (int t = 0; t < kk; ++t) dw[c * kk + t] += dwt[t * C + c];
    }
}

#define AE_IM2COL_INSTANTIATE(T)                                                                                  \
    template void im2col<T>(const Conv2dGeometry&, const T*, Eigen::Index, T*, Eigen::Index, Eigen::Index);       \
    template void col2im_add<T>(const Conv2dGeometry&, const T*, T*, Eigen::Index, Eigen::Index, Eigen::Index);   \
    template void weights_to_tap_major<T>(const Eigen::Ref<const RowMatrixT<T>>&, int, int, T*);                  \
    template void add_tap_major_weights<T>(const T*, int, int, Eigen::Ref<RowMatrixT<T>>, Eigen::Index, Eigen::Index);
AE_IM2COL_INSTANTIATE(float)
AE_IM2COL_INSTANTIATE(double)
#undef AE_IM2COL_INSTANTIATE

}  // namespace ae
