#include "ae/corruption.h"

#include <cmath>
#include <string>

#include "ae/error.h"

namespace ae {

void corrupt(Corruption c, float level, int rows, int cols, Rng& rng, const Eigen::Ref<const Matrix>& clean,
             Eigen::Ref<Matrix> out) {
    const Eigen::Index D = static_cast<Eigen::Index>(rows) * cols;
    if (clean.rows() != D || out.rows() != D || out.cols() != clean.cols())
        throw Error("corrupt: the batch shape does not match the image size");
    if (!std::isfinite(level) || level < 0) throw Error("corrupt: level must be a finite number >= 0");
    if ((c == Corruption::salt_pepper || c == Corruption::masking) && level > 1)
        throw Error(std::string("corrupt: the ") + corruption_name(c) + " rate must lie in [0, 1]");
    const int side = static_cast<int>(level);
    if (c == Corruption::block && (side != level || side < 1 || side > std::min(rows, cols)))
        throw Error("corrupt: the block side must be a whole number of pixels in 1.." +
                    std::to_string(std::min(rows, cols)));
    if (out.data() != clean.data()) out = clean;
    for (Eigen::Index j = 0; j < out.cols(); ++j) {
        float* p = out.col(j).data();
        switch (c) {
            case Corruption::none: break;
            case Corruption::gaussian:
                for (Eigen::Index i = 0; i < D; ++i) p[i] += level * static_cast<float>(rng.normal());
                break;
            case Corruption::salt_pepper:
                for (Eigen::Index i = 0; i < D; ++i)
                    if (rng.uniform() < level) p[i] = (rng.next_u32() & 1u) ? 1.0f : 0.0f;
                break;
            case Corruption::masking:
                for (Eigen::Index i = 0; i < D; ++i)
                    if (rng.uniform() < level) p[i] = 0.0f;
                break;
            case Corruption::block: {
                const int r0 = static_cast<int>(rng.below(static_cast<uint32_t>(rows - side + 1)));
                const int c0 = static_cast<int>(rng.below(static_cast<uint32_t>(cols - side + 1)));
                for (int r = r0; r < r0 + side; ++r)
                    for (int q = c0; q < c0 + side; ++q) p[static_cast<Eigen::Index>(r) * cols + q] = 0.0f;
                break;
            }
        }
    }
}

}  // namespace ae
