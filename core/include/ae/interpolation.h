// Interpolation strip: the decoded path between the codes of two images, lerp or slerp in code space
// (latent.h lerp_codes / slerp_codes), beside the pixel blend of the same two images (latent.h
// blend_images), the baseline that shows what the decoder adds. Used by `ae interpolate`, the app's
// Interpolation tab and the page's interpolation view.
#pragma once

#include <string>

#include "ae/autoencoder.h"
#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {

enum class InterpolationMode { lerp, slerp };
InterpolationMode interpolation_mode_from_string(const std::string& s);  // "lerp" | "slerp"; ae::Error otherwise
const char* interpolation_mode_name(InterpolationMode m);

struct InterpolationStrip {
    Matrix codes;    // [latent, steps], column i at t = i / (steps - 1); ends = the codes of x_a, x_b
    Matrix decoded;  // [D, steps] decode(codes)
    Matrix blend;    // [D, steps] (1 - t) x_a + t x_b
};

// x_a, x_b: [D] images in [0, 1]. Throws ae::Error for steps < 2, sizes other than the model's input,
// or (slerp) antipodal codes.
InterpolationStrip interpolation_strip(const Autoencoder& model, const Vector& x_a, const Vector& x_b, int steps,
                                       InterpolationMode mode, ThreadPool* pool = nullptr);

}  // namespace ae
