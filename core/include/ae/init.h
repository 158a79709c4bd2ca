// Weight initialisation for a Dense layer W: [out, in] (biases start at zero).
//   glorot  uniform on [-a, a], a = sqrt(6 / (in + out))        X. Glorot, Y. Bengio, AISTATS 2010
//   he      normal, mean 0, std sqrt(2 / in)                     K. He et al., ICCV 2015 ("Kaiming")
//   auto    he before relu / leaky_relu, glorot otherwise (the activation that consumes the layer's output)
#pragma once

#include <string>

#include "ae/activation.h"
#include "ae/eigen.h"
#include "ae/rng.h"

namespace ae {

enum class Init { automatic, glorot, he };

const char* init_name(Init i);
Init init_from_string(const std::string& s);  // "auto" | "glorot" | "he"; ae::Error otherwise

// Fills W (out x in, any storage) in row-major order from rng. `next` is the activation after the layer.
void init_dense(Init init, Activation next, Rng& rng, Eigen::Ref<RowMatrix> W, Eigen::Ref<Vector> b);

}  // namespace ae
