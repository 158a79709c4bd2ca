// One configuration structure that describes any model and its training, serialisable to JSON.
// The CLI, the web page and the desktop app all build a Config and hand it to TrainingSession.
//
// JSON form (every field optional; defaults below):
//   {"model": {"type": "ae", "input_rows": 28, "input_cols": 28, "encoder": [512, 256], "decoder": [],
//              "latent": 2, "activation": "relu", "latent_activation": "identity", "output": "sigmoid",
//              "loss": "bce", "init": "torch"},
//    "train": {"optimizer": "adam", "lr": 0.001, "momentum": 0.9, "beta1": 0.9, "beta2": 0.999,
//              "eps": 1e-8, "weight_decay": 0, "batch": 256, "epochs": 10, "seed": 1, "threads": 1}}
// Parsing errors are ae::Error naming the field ("model.latent: expected an integer >= 1, got -3").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ae/activation.h"
#include "ae/init.h"
#include "ae/loss.h"
#include "ae/optimizer.h"

namespace ae {

struct ModelConfig {
    std::string type = "ae";          // model family: "ae" (plain undercomplete autoencoder)
    int input_rows = 28, input_cols = 28;
    std::vector<int> encoder = {512, 256};  // hidden widths, input side first
    std::vector<int> decoder;               // hidden widths, code side first; empty = mirror of encoder
    int latent = 2;                          // code size
    Activation activation = Activation::relu;             // hidden layers
    Activation latent_activation = Activation::identity;  // code layer
    Activation output = Activation::sigmoid;              // reconstruction (bce requires sigmoid)
    Loss loss = Loss::bce;
    Init init = Init::torch;  // PyTorch's nn.Linear default: best test loss on the reference runs

    int input_dim() const { return input_rows * input_cols; }
    std::vector<int> decoder_widths() const;  // decoder, or the encoder reversed
};

struct TrainConfig {
    OptimizerConfig optimizer;
    int batch = 256;
    int epochs = 10;      // the session trains on past this if asked; hosts use it as their stopping point
    uint64_t seed = 1;
    int threads = 1;      // threads for the matrix products (1 = the calling thread only)
};

struct Config {
    ModelConfig model;
    TrainConfig train;
};

// Throws ae::Error describing the first invalid field.
void config_validate(const Config& c);
std::string config_to_json(const Config& c, int indent = 2);
// Unknown keys are errors too (a typo must not be silently ignored). `source` prefixes messages.
Config config_from_json(const std::string& text, const std::string& source = "config");
// Parses "512,256" (also "" for none); errors name `what`.
std::vector<int> parse_widths(const std::string& s, const std::string& what);

}  // namespace ae
