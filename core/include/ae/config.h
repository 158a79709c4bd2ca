// One configuration structure that describes any model and its training, serialisable to JSON.
// The CLI, the web page and the desktop app all build a Config and hand it to TrainingSession.
//
// JSON form (every field optional; defaults below):
//   {"model": {"type": "ae", "input_channels": 1, "input_rows": 28, "input_cols": 28, "encoder": [512, 256],
//              "decoder": [],
//              "latent": 2, "activation": "relu", "latent_activation": "identity", "output": "sigmoid",
//              "loss": "bce", "init": "torch",
//              "sparsity": "none", "sparsity_weight": 0.001, "sparsity_target": 0.05,
//              "corruption": "none", "corruption_level": 0.3, "contractive_weight": 0.1,
//              "beta": 1, "kl_warmup_epochs": 0, "code_noise": 4, "codebook_size": 64, "codebook_dim": 4,
//              "vq_beta": 0.25, "codebook_update": "loss", "ema_decay": 0.99, "dead_code_restart": true},
//    "train": {"optimizer": "adam", "lr": 0.001, "momentum": 0.9, "beta1": 0.9, "beta2": 0.999,
//              "eps": 1e-8, "weight_decay": 0, "batch": 256, "epochs": 10, "seed": 1, "threads": 1}}
// Parsing errors are ae::Error naming the field ("model.latent: expected an integer >= 1, got -3").
//
// Model types ("model.type") and the defaults model_defaults(type) starts from (fields not listed keep
// the plain-"ae" defaults above). config_from_json reads "type" first, starts from these, then applies
// the other fields; `ae train --model T` does the same with its flags.
//   ae           plain undercomplete autoencoder (encoder [512, 256], latent 2, relu, identity code, bce).
//   linear       encoder [] (one Dense layer each way), latent 8, identity activations, identity code,
//                identity output, mse. Validation requires exactly these activations and mse: with them
//                the decoder spans the top-k principal subspace (Baldi & Hornik 1989).
//   sparse       encoder [], latent 64, sigmoid code, sparsity "kl" (weight 0.1, target 0.05).
//                Penalties on the code h (A. Ng, CS294A Lecture notes "Sparse autoencoder", 2011):
//                  l1: weight * mean_i sum_j |h_ij|          (default weight 1e-3)
//                  kl: weight * sum_j KL(rho || rho_hat_j),  rho_hat_j = batch mean of h_j (default 0.1;
//                      needs a sigmoid code so that rho_hat_j lies in (0, 1)).
//                Any non-VAE type may also set a sparsity penalty; "sparse" requires one.
//   denoising    encoder [512, 256], latent 32, corruption "gaussian" 0.3 (P. Vincent et al., ICML 2008).
//                Corruptions (also allowed for ae/sparse/contractive/linear), corruption_level means:
//                  gaussian σ (x + σ ε, not clipped), salt_pepper rate (pixels set to 0 or 1 with
//                  equal odds), masking rate (pixels set to 0), block side in pixels (one random square
//                  per image set to 0: in-filling). The loss compares the reconstruction of the corrupted
//                  input with the clean input.
//   contractive  encoder [], latent 64, sigmoid code, contractive_weight 0.1: weight * mean_i ‖J_f(x_i)‖²_F
//                (S. Rifai et al., ICML 2011); exact for a one-layer encoder, an unbiased Gaussian-probe
//                estimate for deeper ones (see penalty.h).
//   vae          encoder [400], latent 20, bce, identity code (the μ head); Gaussian encoder with heads μ and
//                log σ², prior N(0, I), beta (KL weight, default 1) warmed up linearly from 0 over
//                kl_warmup_epochs (default 0 = none) (D. Kingma, M. Welling, ICLR 2014; see vae.h).
//                loss bce = Bernoulli decoder with logits, mse = Gaussian decoder with fixed variance.
//   cvae         conditional VAE (K. Sohn, H. Lee, X. Yan, "Learning Structured Output Representation using
//                Deep Conditional Generative Models", NeurIPS 2015): the vae with the class label y (one-hot,
//                num_classes entries, default 10) entering both sides: the encoder reads [x; y] (encoder.0 has
//                D + num_classes inputs), the decoder reads [z; y] (decoder.0 has latent + num_classes inputs).
//                q(z|x, y), prior p(z) = N(0, I), p(x|z, y); loss = -ELBO(x | y) as the vae's. Dense layers
//                only. Defaults as the vae's but latent 2 (the code holds the style, y the class). Samples and
//                traversals of a chosen class decode [z; y_c].
//   hashing      semantic hashing (R. Salakhutdinov & G. Hinton, "Semantic hashing", Int. J. Approximate
//                Reasoning 50(7), 2009): encoder [512, 256], latent 32 (bits), sigmoid code, bce, code_noise 4.
//                In a training forward, Gaussian noise N(0, code_noise²) is added to the code units'
//                pre-activations before the sigmoid, h = σ(a + code_noise ε), so that only codes far from 0.5
//                survive the noise: the units saturate at 0 or 1. The gradient through the noise is the
//                identity on a (additive noise). Evaluation, encode() and the session's test loss use the
//                noiseless code σ(a); the binary code is h > 0.5 (retrieval.h: binarize_codes). Requires a
//                sigmoid code. (The paper adds Gaussian noise, fixed per training case, while fine-tuning;
//                σ = 4 is chosen by measurement: see the README's semantic hashing numbers.)
//   vqvae        vector-quantised VAE (A. van den Oord, O. Vinyals, K. Kavukcuoglu, "Neural Discrete Representation
//                Learning", NeurIPS 2017): encoder [512, 256], latent 16, identity code, bce, codebook_size K = 64,
//                codebook_dim d = 4, vq_beta 0.25, codebook_update "loss", dead_code_restart on. The encoder
//                output z_e [latent] is split into M = latent / d groups of d units (latent must be divisible by
//                d); each group is replaced by its nearest (squared Euclidean) entry of one shared codebook
//                [K, d], and the decoder reads the quantised z_q. The code is M indices: M log2 K bits.
//                Backward: straight-through (dL/dz_e = dL/dz_q + the commitment gradient). Terms (per element
//                means over the n x latent code entries, the unit of F.mse_loss, like the per-pixel
//                reconstruction): codebook = mean ‖sg[z_e] - e‖² (codebook_update "loss": its gradient moves the
//                entries; "ema": 0, the entries are exponential moving averages of their assigned z_e with decay
//                ema_decay, Razavi et al. 2019 / the paper's appendix A.1), commitment = vq_beta mean ‖z_e - sg[e]‖².
//                dead_code_restart: at each epoch end every entry no sample chose during the epoch is set to a
//                random group of the epoch's last minibatch's z_e; on by default because the uniform ±1/K
//                initialisation otherwise leaves most entries unused (README: K 256, usage 0.199 off, 1.000 on).
//                Dense and convolutional encoders alike.
// Units of the reported losses: see loss_unit() in autoencoder.h (per pixel for every type but vae,
// nats per image for vae).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ae/activation.h"
#include "ae/architecture.h"
#include "ae/init.h"
#include "ae/loss.h"
#include "ae/optimizer.h"

namespace ae {

// Sparsity penalty on the code activations (see the model types above).
enum class Sparsity { none, l1, kl };
// Input corruption for denoising training (see the model types above).
enum class Corruption { none, gaussian, salt_pepper, masking, block };

const char* sparsity_name(Sparsity s);
Sparsity sparsity_from_string(const std::string& s);      // "none" | "l1" | "kl"; ae::Error otherwise
const char* corruption_name(Corruption c);
Corruption corruption_from_string(const std::string& s);  // "none" | "gaussian" | "salt_pepper" | "masking" | "block"
// Default sparsity_weight for a penalty: 1e-3 for l1, 0.1 for kl, 0 for none. Used when a JSON config or
// `ae train` names the penalty without a weight.
float sparsity_default_weight(Sparsity s);
// Codebook updates of the vqvae (see the model types above).
enum class CodebookUpdate { loss, ema };
const char* codebook_update_name(CodebookUpdate u);
CodebookUpdate codebook_update_from_string(const std::string& s);  // "loss" | "ema"; ae::Error otherwise
// The model types, in documentation order: ae, linear, sparse, denoising, contractive, vae, cvae, hashing, vqvae.
const std::vector<std::string>& model_types();

struct ModelConfig {
    std::string type = "ae";          // model family: "ae" (plain undercomplete autoencoder)
    int input_channels = 1, input_rows = 28, input_cols = 28;
    // Layer specs (architecture.h): Dense widths and convolutional layers, input side first ...
    std::vector<LayerSpec> encoder = {512, 256};
    // ... and code side first; empty = the mirror of the encoder.
    std::vector<LayerSpec> decoder;
    int latent = 2;                          // code size
    Activation activation = Activation::relu;             // hidden layers
    Activation latent_activation = Activation::identity;  // code layer
    Activation output = Activation::sigmoid;              // reconstruction (bce requires sigmoid)
    Loss loss = Loss::bce;
    Init init = Init::torch;  // PyTorch's nn.Linear default: best test loss on the reference runs

    Sparsity sparsity = Sparsity::none;
    float sparsity_weight = 1e-3f;    // λ (l1) or the KL penalty's weight (kl)
    float sparsity_target = 0.05f;    // ρ, kl only, in (0, 1)
    Corruption corruption = Corruption::none;
    float corruption_level = 0.3f;    // σ (gaussian), rate in [0, 1] (salt_pepper, masking), side (block)
    float contractive_weight = 0.1f;  // λ, contractive only
    float beta = 1.0f;                // KL weight, vae only, >= 0
    int kl_warmup_epochs = 0;         // vae: beta rises linearly from 0 over this many epochs
    float code_noise = 4.0f;          // hashing: σ of the N(0, σ²) noise on the code pre-activations, >= 0
    int num_classes = 0;              // cvae: size of the one-hot condition y (the data set's classes), >= 2;
                                      // ignored (0 in model_defaults) by the other types
    // vqvae (ignored by the other types):
    int codebook_size = 64;           // K entries, >= 2
    int codebook_dim = 4;             // d units per group; latent % d == 0; M = latent / d groups
    float vq_beta = 0.25f;            // commitment weight β, >= 0
    CodebookUpdate codebook_update = CodebookUpdate::loss;
    float ema_decay = 0.99f;          // γ of the "ema" update, in [0, 1)
    bool dead_code_restart = true;    // re-initialise entries unused in an epoch

    int input_dim() const { return input_channels * input_rows * input_cols; }
    bool is_convolutional() const { return has_map_layers(encoder) || has_map_layers(decoder); }
    bool is_vae() const { return type == "vae" || type == "cvae"; }  // a Gaussian encoder and the ELBO
    bool is_conditional() const { return type == "cvae"; }
    // Entries of the condition y the model reads (num_classes for the cvae, 0 otherwise).
    int condition_dim() const { return is_conditional() ? num_classes : 0; }
    bool is_contractive() const { return type == "contractive"; }
    bool is_hashing() const { return type == "hashing"; }
    bool is_vq() const { return type == "vqvae"; }  // a vector-quantised code (codebook)
    int code_groups() const { return is_vq() && codebook_dim > 0 ? latent / codebook_dim : 0; }  // M
};

// The defaults of a model type (see above); throws ae::Error naming model.type for an unknown type.
ModelConfig model_defaults(const std::string& type);

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
// Parses "512,256" (also "" for none) as Dense widths only; errors name `what`. (parse_layer_specs in
// architecture.h also reads convolutional layers.)
std::vector<int> parse_widths(const std::string& s, const std::string& what);

}  // namespace ae
