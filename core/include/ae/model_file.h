// A trained model on disk: a safetensors file (see safetensors.h) whose tensors are the model's parameters
// under PyTorch state_dict names and whose "__metadata__" holds
//   "format": "autoencoder-lab/1"
//   "config": the Config JSON (config.h), which fixes the architecture and so every tensor name and shape
//   "epoch", "step": the training state when the file was written (decimal integers; "0" if absent)
//   "data": the data set the model was trained on ("fashion-mnist", "mnist", "idx", "png", or a host's
//           own name); absent in old files (then "" here, and hosts fall back to their default)
//   "data_train_images", "data_train_labels", "data_test_images", "data_test_labels": for "idx" (and "png":
//           the folder in data_train_images) the paths exactly as the user gave them; absent when empty
//   "exclude_class": the class left out of training (ae train --exclude-class), absent if none
//   "optimizer": the optimizer type the moments belong to ("adam", "adamw", "sgd"), and
//   "optimizer_step": its update count t (Adam's bias corrections continue from it); both absent when the
//           file holds no optimizer state
//
// Optimizer state (written whenever the optimizer has taken a step): extra F32 tensors, one per parameter
// and moment, in a separate namespace so that a strict PyTorch state_dict load can skip them by prefix:
//   "optimizer.m.<param name>"  first moment (Adam/AdamW) or momentum velocity (SGD), the parameter's shape
//   "optimizer.v.<param name>"  second moment (Adam/AdamW only)
// RULE for loaders (python/ae_torch.py, any other): drop every tensor whose name starts with "optimizer."
// before load_state_dict(strict=True); the rest are exactly the model's state_dict. No parameter name
// starts with "optimizer." (they start with encoder., mu., logvar., decoder.).
//
// Loading is strict: on top of the safetensors checks, the config must parse and validate, and the
// tensors outside "optimizer." must be exactly the parameters of the model the config describes (no
// missing or extra tensor, every shape equal); the "optimizer." tensors, when present, must be complete
// (every parameter's m, and v for adam/adamw) with the parameters' shapes. Old files (without data or
// optimizer entries) load with an empty DatasetRef and OptimizerState. Hosts call model_file_decode on bytes (the web page on an uploaded file, the CLI
// and the desktop app through model_file_read), then model_file_build to get a model with the weights.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/config.h"
#include "ae/optimizer.h"
#include "ae/safetensors.h"

namespace ae {

struct TrainingState {
    int epoch = 0;     // completed epochs
    int64_t step = 0;  // minibatches trained in total
};

// Where the training images came from (the "data*" and "exclude_class" metadata).
struct DatasetRef {
    std::string name;  // "fashion-mnist" | "mnist" | "idx" | "png" | ""; "" = unknown (old file)
    std::string train_images, train_labels, test_images, test_labels;  // as given (idx, png)
    int exclude_class = -1;
};

// A DatasetRef for data set `name`: the four paths are kept for "idx" and "png" only (the built-in sets
// are found by name).
DatasetRef dataset_ref(const std::string& name, const std::string& train_images = "",
                       const std::string& train_labels = "", const std::string& test_images = "",
                       const std::string& test_labels = "", int exclude_class = -1);

// The optimizer's state in ParamStore::values() layout (padded; see params.h), as Optimizer holds it.
struct OptimizerState {
    std::string type;       // "adam" | "adamw" | "sgd"; "" = none stored
    int64_t steps = 0;      // t, the number of updates
    std::vector<float> m, v;  // empty when none stored; v empty for sgd
    bool empty() const { return type.empty(); }
};

struct ModelFile {
    Config config;            // from __metadata__.config, validated
    TrainingState state;      // from __metadata__.epoch / step
    DatasetRef data;          // from __metadata__.data*, exclude_class
    OptimizerState optimizer; // from the "optimizer.*" tensors and metadata (padded layout of the config's model)
    SafetensorsFile tensors;  // checked against the config's model
};

// What a host saves: everything but the weights (model_file_encode takes those from the model).
struct ModelFileInfo {
    Config config;
    TrainingState state;
    DatasetRef data;
    const Optimizer* optimizer = nullptr;  // its moments are saved when it has stepped
};

// Prefix of the optimizer tensors (see above).
constexpr const char* kOptimizerTensorPrefix = "optimizer.";

// The metadata map written into a model file.
std::map<std::string, std::string> model_file_metadata(const ModelFileInfo& info);
std::map<std::string, std::string> model_file_metadata(const Config& config, const TrainingState& state);

// The file bytes of `model` (its parameters) with the config, state, data set and optimizer state.
std::vector<uint8_t> model_file_encode(const Autoencoder& model, const ModelFileInfo& info);
std::vector<uint8_t> model_file_encode(const Autoencoder& model, const Config& config, const TrainingState& state);

// Copies a file's optimizer state into `opt` (moments and step count) when its type matches opt's type;
// returns whether it did (false: nothing stored, or another optimizer type, which then starts afresh).
bool model_file_restore_optimizer(const ModelFile& f, Optimizer& opt);

// Parses and checks a model file (safetensors rejections, then: "config" missing from __metadata__ or not a
// valid Config, "epoch"/"step" not non-negative integers, tensors that do not match the config's model).
// Errors are ae::Error prefixed with `source`.
ModelFile model_file_decode(const uint8_t* bytes, size_t size, const std::string& source);

// A model built from f.config with the file's weights.
Autoencoder model_file_build(const ModelFile& f, const std::string& source = "model file");

// Native: reads and decodes `path` (errors name the path).
ModelFile model_file_read(const std::string& path);
// Native: model_file_encode, then write_file_atomic (temporary file, fsync, rename).
void model_file_save(const std::string& path, const Autoencoder& model, const ModelFileInfo& info);
void model_file_save(const std::string& path, const Autoencoder& model, const Config& config,
                     const TrainingState& state);

}  // namespace ae
