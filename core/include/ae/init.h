// Weight initialisation for a Dense layer W: [out, in] (biases start at zero except for "torch").
//   glorot  uniform on [-a, a], a = sqrt(6 / (in + out))        X. Glorot, Y. Bengio, AISTATS 2010
//   he      normal, mean 0, std sqrt(2 / in)                     K. He et al., ICCV 2015 ("Kaiming")
//   torch   PyTorch's nn.Linear default: W and b uniform on [-1/sqrt(in), 1/sqrt(in)]
//           (kaiming_uniform with a = sqrt(5); torch/nn/modules/linear.py, reset_parameters)
//   auto    he before relu / leaky_relu, glorot otherwise (the activation that consumes the layer's output)
#pragma once

#include <string>

#include "ae/activation.h"
#include "ae/eigen.h"
#include "ae/rng.h"

namespace ae {

enum class Init { automatic, glorot, he, torch };

const char* init_name(Init i);
Init init_from_string(const std::string& s);  // "auto" | "glorot" | "he" | "torch"; ae::Error otherwise

// Fills W (out x in, any storage) in row-major order from rng. `next` is the activation after the layer.
void init_dense(Init init, Activation next, Rng& rng, Eigen::Ref<RowMatrix> W, Eigen::Ref<Vector> b);

}  // namespace ae
