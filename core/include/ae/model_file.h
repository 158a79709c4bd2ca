// A trained model on disk: a safetensors file (see safetensors.h) whose tensors are the model's parameters
// under PyTorch state_dict names and whose "__metadata__" holds
//   "format": "autoencoder-lab/1"
//   "config": the Config JSON (config.h), which fixes the architecture and so every tensor name and shape
//   "epoch", "step": the training state when the file was written (decimal integers; "0" if absent)
//
// Loading is strict: on top of the safetensors checks, the config must parse and validate, and the
// tensors must be exactly the parameters of the model the config describes (no missing or extra tensor,
// every shape equal). Hosts call model_file_decode on bytes (the web page on an uploaded file, the CLI
// and the desktop app through model_file_read), then model_file_build to get a model with the weights.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/config.h"
#include "ae/safetensors.h"

namespace ae {

struct TrainingState {
    int epoch = 0;     // completed epochs
    int64_t step = 0;  // minibatches trained in total
};

struct ModelFile {
    Config config;            // from __metadata__.config, validated
    TrainingState state;      // from __metadata__.epoch / step
    SafetensorsFile tensors;  // checked against the config's model
};

// The metadata map written into a model file for `config` and `state`.
std::map<std::string, std::string> model_file_metadata(const Config& config, const TrainingState& state);

// The file bytes of `model` (its parameters) with `config` and `state` in the metadata.
std::vector<uint8_t> model_file_encode(const Autoencoder& model, const Config& config, const TrainingState& state);

// Parses and checks a model file (safetensors rejections, then: "config" missing from __metadata__ or not a
// valid Config, "epoch"/"step" not non-negative integers, tensors that do not match the config's model).
// Errors are ae::Error prefixed with `source`.
ModelFile model_file_decode(const uint8_t* bytes, size_t size, const std::string& source);

// A model built from f.config with the file's weights.
Autoencoder model_file_build(const ModelFile& f, const std::string& source = "model file");

// Native: reads and decodes `path` (errors name the path).
ModelFile model_file_read(const std::string& path);
// Native: model_file_encode, then write_file_atomic (temporary file, fsync, rename).
void model_file_save(const std::string& path, const Autoencoder& model, const Config& config,
                     const TrainingState& state);

}  // namespace ae
