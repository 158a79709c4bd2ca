#include "ae/im2col.h"

#include <algorithm>

namespace ae {

template <typename T>
void im2col(const Conv2dGeometry& g, const T* x, Eigen::Index ldx, T* cols, Eigen::Index col_begin,
            Eigen::Index col_end) {
    const int C = g.in_c, H = g.in_h, W = g.in_w, k = g.kernel, s = g.stride, p = g.padding;
    const int Ho = g.out_h(), Wo = g.out_w(), kk = k * k;
    const Eigen::Index K = g.patch_size(), P = Eigen::Index(Ho) * Wo;
    for (Eigen::Index j = col_begin; j < col_end; ++j) {
        const Eigen::Index sample = j / P;
        const int q = static_cast<int>(j - sample * P), oy = q / Wo, ox = q - oy * Wo;
        const T* xs = x + sample * ldx;
        T* col = cols + j * K;
        for (int ky = 0; ky < k; ++ky) {
            const int iy = oy * s - p + ky;
            for (int kx = 0; kx < k; ++kx) {
                const int ix = ox * s - p + kx;
                T* dst = col + ky * k + kx;  // rows c kk + ky k + kx, c = 0..C-1
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
                    for (int c = 0; c < C; ++c) dst[c * kk] = T(0);
                } else {
                    const T* src = xs + (Eigen::Index(iy) * W + ix) * C;
                    for (int c = 0; c < C; ++c) dst[c * kk] = src[c];
                }
            }
        }
    }
}

template <typename T>
void col2im_add(const Conv2dGeometry& g, const T* cols, T* x, Eigen::Index ldx, Eigen::Index sample_begin,
                Eigen::Index sample_end) {
    const int C = g.in_c, H = g.in_h, W = g.in_w, k = g.kernel, s = g.stride, p = g.padding;
    const int Ho = g.out_h(), Wo = g.out_w(), kk = k * k;
    const Eigen::Index K = g.patch_size(), P = Eigen::Index(Ho) * Wo;
    for (Eigen::Index sample = sample_begin; sample < sample_end; ++sample) {
        T* xs = x + sample * ldx;
        const T* col = cols + sample * P * K;
        for (int oy = 0; oy < Ho; ++oy)
            for (int ox = 0; ox < Wo; ++ox, col += K)
                for (int ky = 0; ky < k; ++ky) {
                    const int iy = oy * s - p + ky;
                    if (iy < 0 || iy >= H) continue;
                    for (int kx = 0; kx < k; ++kx) {
                        const int ix = ox * s - p + kx;
                        if (ix < 0 || ix >= W) continue;
                        const T* src = col + ky * k + kx;
                        T* dst = xs + (Eigen::Index(iy) * W + ix) * C;
                        for (int c = 0; c < C; ++c) dst[c] += src[c * kk];
                    }
                }
    }
}

template void im2col<float>(const Conv2dGeometry&, const float*, Eigen::Index, float*, Eigen::Index, Eigen::Index);
template void im2col<double>(const Conv2dGeometry&, const double*, Eigen::Index, double*, Eigen::Index,
                             Eigen::Index);
template void col2im_add<float>(const Conv2dGeometry&, const float*, float*, Eigen::Index, Eigen::Index,
                                Eigen::Index);
template void col2im_add<double>(const Conv2dGeometry&, const double*, double*, Eigen::Index, Eigen::Index,
                                 Eigen::Index);

}  // namespace ae
