#include "ae/interpolation.h"

#include "ae/error.h"
#include "ae/latent.h"

namespace ae {

InterpolationMode interpolation_mode_from_string(const std::string& s) {
    if (s == "lerp") return InterpolationMode::lerp;
    if (s == "slerp") return InterpolationMode::slerp;
    throw Error("interpolation: unknown mode '" + s + "' (expected lerp or slerp)");
}

const char* interpolation_mode_name(InterpolationMode m) { return m == InterpolationMode::slerp ? "slerp" : "lerp"; }

InterpolationStrip interpolation_strip(const Autoencoder& model, const Vector& x_a, const Vector& x_b, int steps,
                                       InterpolationMode mode, ThreadPool* pool) {
    const int D = model.input_dim();
    if (x_a.size() != D || x_b.size() != D)
        throw Error("interpolation: images have " + std::to_string(x_a.size()) + " and " + std::to_string(x_b.size()) +
                    " pixels, the model takes " + std::to_string(D));
    if (steps < 2) throw Error("interpolation: steps must be >= 2, got " + std::to_string(steps));
    Matrix pair(D, 2);
    pair.col(0) = x_a;
    pair.col(1) = x_b;
    const Matrix z = model.encode(pair, pool);
    InterpolationStrip s;
    s.codes = mode == InterpolationMode::slerp ? slerp_codes(z.col(0), z.col(1), steps) : lerp_codes(z.col(0), z.col(1), steps);
    s.decoded = model.decode(s.codes, pool);
    s.blend = blend_images(x_a, x_b, steps);
    return s;
}

}  // namespace ae
