// Memory a model needs to train, estimated from its Config alone before anything is allocated, so every
// host refuses a config that cannot fit with a message instead of ending in std::bad_alloc (issue 12:
// `ae train --latent 65536 --encoder 65536` asked for ~38 GB; the page sat minutes on latent 5000).
//
// The estimate counts, in 4-byte floats:
//   parameters   P (padded as ParamStore pads) x (value + gradient + the optimizer's moments: 2 for
//                adam/adamw, 1 for sgd + the copy the divergence rule keeps + one snapshot copy)
//   workspace    at batch B (train.batch): every module's output and its gradient, each layer's scratch
//                (the im2col buffers of convolutions), the reconstruction, the code gradient, the VAE's
//                six [latent, B] buffers and the contractive penalty's tangents; the minibatch itself
//                (twice with a corruption); and a forward-only evaluation workspace of min(B, 500) images.
// Data sets are not included (their size is bounded where they are read).
#pragma once

#include <cstddef>
#include <string>

#include "ae/config.h"
#include "ae/params.h"

namespace ae {

struct MemoryEstimate {
    size_t parameters = 0;        // trainable scalars (without padding)
    size_t parameter_bytes = 0;   // parameters with gradients, optimizer moments and the kept copies
    size_t workspace_bytes = 0;   // activations, their gradients and scratch at the batch size
    size_t total_bytes() const { return parameter_bytes + workspace_bytes; }
};

// Default limits: what a native host accepts without a flag, and what the page's WebAssembly heap can
// hold next to the data sets (a 32-bit heap of at most 4 GB, of which the data take a few hundred MB).
constexpr size_t kNativeMemoryLimit = size_t{4} << 30;  // 4 GiB
constexpr size_t kPageMemoryLimit = size_t{1} << 30;    // 1 GiB
#ifdef __EMSCRIPTEN__
constexpr size_t kDefaultMemoryLimit = kPageMemoryLimit;
constexpr const char* kDefaultMemoryLimitName = "the page's limit";
#else
constexpr size_t kDefaultMemoryLimit = kNativeMemoryLimit;
constexpr const char* kDefaultMemoryLimitName = "the limit";
#endif

// The model's parameter tensors (names and shapes exactly as Autoencoder registers them) in a ParamStore
// that is NOT finalized: nothing of the model's size is allocated. `m` must validate (config_validate).
ParamStore parameter_layout(const ModelConfig& m);

// The estimate above; `c` must validate. Never allocates more than the layout's tensor list.
MemoryEstimate estimate_training_memory(const Config& c);
size_t estimate_training_bytes(const Config& c);

// Throws ae::Error when the estimate exceeds `limit_bytes`, naming the fields and both sizes:
//   "model (input 1x28x28, encoder [65536], latent 65536) with train.batch 256 needs 38.2 GB (34.4 GB of
//    parameters, gradients and optimizer moments, 0.3 GB of workspace); the limit is 4 GB (--memory-limit GB)"
// `limit_name` replaces "the limit" (e.g. "the page's limit"), `hint` is appended in parentheses when given.
void check_memory(const Config& c, size_t limit_bytes, const std::string& limit_name = "the limit",
                  const std::string& hint = "");

// "38.2 GB", "512 MB", "4 GB": decimal-looking short text of a byte count in GiB / MiB.
std::string format_bytes(size_t bytes);

}  // namespace ae
