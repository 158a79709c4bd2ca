#include "ae/options.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>

#include "ae/error.h"

namespace ae {

namespace {

constexpr double kSeedLimit = 9007199254740992.0;  // 2^53: exact in a JavaScript number

FieldInfo choice(const char* path, const char* flag, const char* label, const char* help,
                 std::vector<std::string> values, const char* group) {
    FieldInfo f;
    f.path = path, f.flag = flag, f.label = label, f.help = help, f.kind = FieldKind::choice;
    f.choices = std::move(values), f.group = group;
    return f;
}

FieldInfo range(const char* path, const char* flag, const char* label, const char* help, const char* unit,
                FieldKind kind, double lo, double hi, const char* group) {
    FieldInfo f;
    f.path = path, f.flag = flag, f.label = label, f.help = help, f.unit = unit, f.kind = kind;
    f.min = lo, f.max = hi, f.group = group;
    return f;
}

FieldInfo& types(FieldInfo& f, std::vector<std::string> t) {
    f.types = std::move(t);
    return f;
}

std::vector<FieldInfo> make_fields() {
    const std::vector<std::string> not_vae = {"ae", "linear", "sparse", "denoising", "contractive", "hashing"};
    const std::vector<std::string> not_linear = {"ae",  "sparse", "denoising", "contractive",
                                                 "vae", "cvae",   "hashing",   "vqvae"};
    std::vector<FieldInfo> v;
    v.push_back(choice("model.type", "--model", "model type",
                       "ae: plain undercomplete; linear: the PCA model (Baldi & Hornik 1989); sparse: a penalty on "
                       "the code; denoising: reconstruct clean inputs from corrupted ones (Vincent et al. 2008); "
                       "contractive: a penalty on the encoder's Jacobian (Rifai et al. 2011); vae: variational "
                       "(Kingma & Welling 2014); cvae: the vae conditioned on the class, which enters the encoder and "
                       "the decoder (Sohn et al. 2015); hashing: binary codes, noise before the sigmoid code "
                       "(Salakhutdinov & Hinton 2009); vqvae: a discrete code, each group of the latent replaced by its "
                       "nearest codebook entry (van den Oord et al. 2017). Each type brings its own defaults",
                       model_types(), "model"));
    v.push_back(range("model.encoder", "--encoder", "encoder layers",
                      "input side first: Dense widths (512,256); convolutions c32k4s2p1 (32 channels, kernel 4, "
                      "stride 2, padding 1; s and p optional) and max pools m2 before the widths; empty = none",
                      "layers", FieldKind::layers, 0, 0, "model"));
    v.push_back(range("model.decoder", "--decoder", "decoder layers",
                      "code side first: Dense widths, then (convolutional encoders) transposed convolutions "
                      "t32k4s2p1[o1], convolutions c8k3 and upsampling u2; empty = the mirror of the encoder",
                      "layers", FieldKind::layers, 0, 0, "model"));
    v.push_back(range("model.latent", "--latent", "latent size", "the size of the code (the bottleneck)", "units",
                      FieldKind::integer, 1, 65536, "model"));
    v.push_back(choice("model.activation", "--activation", "hidden activation", "after every hidden layer",
                       {"relu", "leaky_relu", "sigmoid", "tanh", "identity"}, "model"));
    types(v.back(), not_linear);
    v.push_back(choice("model.latent_activation", "--latent-activation", "code activation",
                       "on the code layer (sigmoid for the kl sparsity penalty; the vae's code is its linear μ head)",
                       {"identity", "relu", "leaky_relu", "sigmoid", "tanh"}, "model"));
    types(v.back(), {"ae", "sparse", "denoising", "contractive"});
    v.push_back(choice("model.output", "--output", "output activation",
                       "on the reconstruction (bce needs sigmoid)", {"sigmoid", "identity"}, "model"));
    types(v.back(), not_linear);
    v.push_back(choice("model.loss", "--loss", "reconstruction loss",
                       "bce: binary cross-entropy from logits; mse: squared error (vae: a Bernoulli or a "
                       "fixed-variance Gaussian decoder)",
                       {"bce", "mse"}, "model"));
    types(v.back(), not_linear);
    v.push_back(choice("model.init", "--init", "weight init",
                       "torch: PyTorch's nn.Linear default; he (He et al. 2015); glorot (Glorot & Bengio 2010); "
                       "auto: He before ReLU, else Glorot",
                       {"torch", "he", "glorot", "auto"}, "model"));
    v.back().advanced = true;
    v.push_back(range("model.beta", "--beta", "β (KL weight)",
                      "loss = reconstruction + β KL(q(z|x) || N(0, I)); β > 1: the β-VAE (Higgins et al. 2017)", "",
                      FieldKind::number, 0, 1000, "regularization"));
    types(v.back(), {"vae", "cvae"});
    v.push_back(range("model.kl_warmup_epochs", "--kl-warmup", "β warm-up",
                      "β rises linearly from 0 over this many epochs (0: none; Bowman et al. 2016)", "epochs",
                      FieldKind::integer, 0, 1000000, "regularization"));
    types(v.back(), {"vae", "cvae"});
    v.push_back(choice("model.corruption", "--corruption", "corruption",
                       "input corruption for denoising: gaussian noise, salt_pepper, masking (pixels set to 0), "
                       "block (one square set to 0)",
                       {"none", "gaussian", "salt_pepper", "masking", "block"}, "regularization"));
    types(v.back(), not_vae);
    v.push_back(range("model.corruption_level", "--corruption-level", "corruption level",
                      "gaussian: σ of x + σ ε; salt_pepper, masking: the rate in [0, 1]; block: the side in pixels",
                      "σ, rate or pixels", FieldKind::number, 0, 4096, "regularization"));
    types(v.back(), not_vae);
    v.push_back(choice("model.sparsity", "--sparsity", "sparsity penalty",
                       "on the code h: l1 = λ mean_i Σ_j |h_ij|; kl = λ Σ_j KL(ρ || ρ̂_j), ρ̂_j the mean activation "
                       "(needs a sigmoid code; Ng 2011)",
                       {"none", "l1", "kl"}, "regularization"));
    types(v.back(), not_vae);
    v.push_back(range("model.sparsity_weight", "--sparsity-weight", "sparsity λ",
                      "the penalty's weight (defaults: 1e-3 for l1, 0.1 for kl)", "", FieldKind::number, 0, 1000,
                      "regularization"));
    types(v.back(), not_vae);
    v.push_back(range("model.sparsity_target", "--sparsity-target", "sparsity target ρ",
                      "the mean activation the kl penalty pulls each code unit to", "", FieldKind::number, 0, 1,
                      "regularization"));
    v.back().min_exclusive = v.back().max_exclusive = true;
    types(v.back(), not_vae);
    v.push_back(range("model.contractive_weight", "--contractive-weight", "contractive λ",
                      "loss + λ mean_i ‖J_f(x_i)‖²_F, the encoder's Jacobian (Rifai et al. 2011)", "",
                      FieldKind::number, 0, 1000, "regularization"));
    types(v.back(), {"contractive"});
    v.push_back(range("model.code_noise", "--code-noise", "code noise σ",
                      "training adds N(0, σ²) to the code's pre-activations before the sigmoid, so the code units "
                      "saturate at 0 or 1 (the bits; Salakhutdinov & Hinton 2009); none at evaluation",
                      "", FieldKind::number, 0, 100, "regularization"));
    types(v.back(), {"hashing"});
    v.push_back(range("model.codebook_size", "--codebook-size", "codebook size K",
                      "entries of the vqvae's codebook; the code is (latent / codebook_dim) indices of log2 K bits each",
                      "entries", FieldKind::integer, 2, 65536, "model"));
    types(v.back(), {"vqvae"});
    v.push_back(range("model.codebook_dim", "--codebook-dim", "codebook entry size",
                      "units per codebook entry: the latent is split into latent / codebook_dim groups, each quantised "
                      "to its nearest entry (latent must be a multiple)",
                      "units", FieldKind::integer, 1, 65536, "model"));
    types(v.back(), {"vqvae"});
    v.push_back(range("model.vq_beta", "--vq-beta", "commitment β",
                      "loss + β mean ‖z_e − sg[e]‖²: keeps the encoder output near its codebook entry (van den Oord "
                      "et al. 2017 use 0.25)",
                      "", FieldKind::number, 0, 1000, "regularization"));
    types(v.back(), {"vqvae"});
    v.push_back(choice("model.codebook_update", "--codebook-update", "codebook update",
                       "loss: the codebook term mean ‖sg[z_e] − e‖² trains the entries with the optimizer; ema: each "
                       "entry is a moving average of the encoder outputs assigned to it (Razavi et al. 2019)",
                       {"loss", "ema"}, "model"));
    types(v.back(), {"vqvae"});
    v.push_back(range("model.ema_decay", "--ema-decay", "EMA decay γ",
                      "codebook_update ema: N_k = γ N_k + (1 − γ) n_k, m_k = γ m_k + (1 − γ) Σ z_e, e_k = m_k / N_k",
                      "", FieldKind::number, 0, 1, "model"));
    v.back().max_exclusive = true;
    types(v.back(), {"vqvae"});
    v.push_back(choice("model.dead_code_restart", "--dead-code-restart", "dead code restart",
                       "on: at each epoch end, entries no image chose during the epoch move to random encoder outputs "
                       "of the last minibatch",
                       {"on", "off"}, "model"));
    types(v.back(), {"vqvae"});
    v.push_back(choice("train.optimizer", "--optimizer", "optimizer",
                       "adam (Kingma & Ba 2015), adamw (decoupled weight decay, Loshchilov & Hutter 2019), sgd with "
                       "momentum",
                       {"adam", "adamw", "sgd"}, "optimizer"));
    v.push_back(range("train.lr", "--lr", "learning rate", "the step size of each update", "per step",
                      FieldKind::number, 0, 1000, "optimizer"));
    v.back().min_exclusive = true;
    v.back().live = true;
    v.push_back(range("train.batch", "--batch", "batch size", "images per minibatch (one update each)", "images",
                      FieldKind::integer, 1, 65536, "training"));
    v.push_back(range("train.epochs", "--epochs", "epochs", "passes over the training set; training stops there",
                      "epochs", FieldKind::integer, 0, 1000000, "training"));
    v.back().live = true;
    v.push_back(range("train.seed", "--seed", "seed",
                      "initial weights, minibatch order, noise: the same seed and build give the same losses", "",
                      FieldKind::seed, 0, kSeedLimit - 1, "training"));
    v.push_back(range("train.momentum", "--momentum", "momentum", "SGD: v = μ v + g; p -= lr v", "",
                      FieldKind::number, 0, 1, "optimizer"));
    v.back().max_exclusive = true;
    v.back().advanced = v.back().live = true;
    v.push_back(range("train.beta1", "--beta1", "Adam β1", "decay of the first-moment average", "", FieldKind::number,
                      0, 1, "optimizer"));
    v.back().max_exclusive = true;
    v.back().advanced = v.back().live = true;
    v.push_back(range("train.beta2", "--beta2", "Adam β2", "decay of the second-moment average", "",
                      FieldKind::number, 0, 1, "optimizer"));
    v.back().max_exclusive = true;
    v.back().advanced = v.back().live = true;
    v.push_back(range("train.eps", "--eps", "Adam ε", "added to √v in the update's denominator", "",
                      FieldKind::number, 0, 1, "optimizer"));
    v.back().min_exclusive = true;
    v.back().advanced = v.back().live = true;
    v.push_back(range("train.weight_decay", "--weight-decay", "weight decay",
                      "adamw: decoupled (p -= lr wd p); sgd, adam: an L2 penalty (g += wd p)", "", FieldKind::number,
                      0, 10, "optimizer"));
    v.back().advanced = v.back().live = true;
    v.push_back(range("train.threads", "--threads", "threads", "threads for the matrix products", "threads",
                      FieldKind::integer, 1, 256, "compute"));
    v.back().advanced = true;
    v.push_back(range("model.input_channels", "", "input channels", "set by the data set", "channels",
                      FieldKind::integer, 1, 4, "data"));
    v.push_back(range("model.num_classes", "", "classes",
                      "the size of the cvae's one-hot condition y: set by the data set's classes", "classes",
                      FieldKind::integer, 0, 65536, "data"));
    types(v.back(), {"cvae"});
    v.push_back(range("model.input_rows", "", "image rows", "set by the data set", "pixels", FieldKind::integer, 1,
                      4096, "data"));
    v.push_back(range("model.input_cols", "", "image columns", "set by the data set", "pixels", FieldKind::integer,
                      1, 4096, "data"));
    return v;
}

// Typed access to the Config member behind each path.
struct Access {
    std::function<int&(Config&)> integer;
    std::function<float&(Config&)> number;
    std::function<uint64_t&(Config&)> seed;
    std::function<std::vector<LayerSpec>&(Config&)> layers;
    std::function<std::string(const Config&)> get_choice;
    std::function<void(Config&, const std::string&)> set_choice;
};

const std::map<std::string, Access>& accessors() {
    static const std::map<std::string, Access> a = [] {
        std::map<std::string, Access> m;
        auto I = [&](const char* p, std::function<int&(Config&)> f) { m[p].integer = std::move(f); };
        auto N = [&](const char* p, std::function<float&(Config&)> f) { m[p].number = std::move(f); };
        auto C = [&](const char* p, std::function<std::string(const Config&)> g,
                     std::function<void(Config&, const std::string&)> s) {
            m[p].get_choice = std::move(g);
            m[p].set_choice = std::move(s);
        };
        C("model.type", [](const Config& c) { return c.model.type; },
          [](Config& c, const std::string& s) { c.model.type = s; });
        m["model.encoder"].layers = [](Config& c) -> std::vector<LayerSpec>& { return c.model.encoder; };
        m["model.decoder"].layers = [](Config& c) -> std::vector<LayerSpec>& { return c.model.decoder; };
        I("model.latent", [](Config& c) -> int& { return c.model.latent; });
        C("model.activation", [](const Config& c) { return std::string(activation_name(c.model.activation)); },
          [](Config& c, const std::string& s) { c.model.activation = activation_from_string(s); });
        C("model.latent_activation",
          [](const Config& c) { return std::string(activation_name(c.model.latent_activation)); },
          [](Config& c, const std::string& s) { c.model.latent_activation = activation_from_string(s); });
        C("model.output", [](const Config& c) { return std::string(activation_name(c.model.output)); },
          [](Config& c, const std::string& s) { c.model.output = activation_from_string(s); });
        C("model.loss", [](const Config& c) { return std::string(loss_name(c.model.loss)); },
          [](Config& c, const std::string& s) { c.model.loss = loss_from_string(s); });
        C("model.init", [](const Config& c) { return std::string(init_name(c.model.init)); },
          [](Config& c, const std::string& s) { c.model.init = init_from_string(s); });
        N("model.beta", [](Config& c) -> float& { return c.model.beta; });
        I("model.kl_warmup_epochs", [](Config& c) -> int& { return c.model.kl_warmup_epochs; });
        C("model.corruption", [](const Config& c) { return std::string(corruption_name(c.model.corruption)); },
          [](Config& c, const std::string& s) { c.model.corruption = corruption_from_string(s); });
        N("model.corruption_level", [](Config& c) -> float& { return c.model.corruption_level; });
        C("model.sparsity", [](const Config& c) { return std::string(sparsity_name(c.model.sparsity)); },
          [](Config& c, const std::string& s) { c.model.sparsity = sparsity_from_string(s); });
        N("model.sparsity_weight", [](Config& c) -> float& { return c.model.sparsity_weight; });
        N("model.sparsity_target", [](Config& c) -> float& { return c.model.sparsity_target; });
        N("model.contractive_weight", [](Config& c) -> float& { return c.model.contractive_weight; });
        N("model.code_noise", [](Config& c) -> float& { return c.model.code_noise; });
        I("model.codebook_size", [](Config& c) -> int& { return c.model.codebook_size; });
        I("model.codebook_dim", [](Config& c) -> int& { return c.model.codebook_dim; });
        N("model.vq_beta", [](Config& c) -> float& { return c.model.vq_beta; });
        C("model.codebook_update",
          [](const Config& c) { return std::string(codebook_update_name(c.model.codebook_update)); },
          [](Config& c, const std::string& s) { c.model.codebook_update = codebook_update_from_string(s); });
        N("model.ema_decay", [](Config& c) -> float& { return c.model.ema_decay; });
        C("model.dead_code_restart", [](const Config& c) { return std::string(c.model.dead_code_restart ? "on" : "off"); },
          [](Config& c, const std::string& s) {
              if (s != "on" && s != "off") throw Error("expected on or off, got '" + s + "'");
              c.model.dead_code_restart = s == "on";
          });
        C("train.optimizer", [](const Config& c) { return std::string(optimizer_name(c.train.optimizer.type)); },
          [](Config& c, const std::string& s) { c.train.optimizer.type = optimizer_from_string(s); });
        N("train.lr", [](Config& c) -> float& { return c.train.optimizer.lr; });
        I("train.batch", [](Config& c) -> int& { return c.train.batch; });
        I("train.epochs", [](Config& c) -> int& { return c.train.epochs; });
        m["train.seed"].seed = [](Config& c) -> uint64_t& { return c.train.seed; };
        N("train.momentum", [](Config& c) -> float& { return c.train.optimizer.momentum; });
        N("train.beta1", [](Config& c) -> float& { return c.train.optimizer.beta1; });
        N("train.beta2", [](Config& c) -> float& { return c.train.optimizer.beta2; });
        N("train.eps", [](Config& c) -> float& { return c.train.optimizer.eps; });
        N("train.weight_decay", [](Config& c) -> float& { return c.train.optimizer.weight_decay; });
        I("train.threads", [](Config& c) -> int& { return c.train.threads; });
        I("model.input_channels", [](Config& c) -> int& { return c.model.input_channels; });
        I("model.input_rows", [](Config& c) -> int& { return c.model.input_rows; });
        I("model.num_classes", [](Config& c) -> int& { return c.model.num_classes; });
        I("model.input_cols", [](Config& c) -> int& { return c.model.input_cols; });
        return m;
    }();
    return a;
}

const Access& access(const std::string& path) {
    auto it = accessors().find(path);
    if (it == accessors().end()) throw Error("unknown config field '" + path + "'");
    return it->second;
}

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// The shortest decimal that reads back as the same float.
std::string float_text(float x) {
    char buf[32];
    for (int p = 1; p <= 9; ++p) {
        std::snprintf(buf, sizeof buf, "%.*g", p, static_cast<double>(x));
        if (std::strtof(buf, nullptr) == x) break;
    }
    return buf;
}

std::string number_text(double x) {
    if (x == std::floor(x) && std::fabs(x) < 1e17) return std::to_string(static_cast<long long>(x));
    return float_text(static_cast<float>(x));
}

bool in_range(const FieldInfo& f, double x) {
    if (!(f.min_exclusive ? x > f.min : x >= f.min)) return false;
    return f.max_exclusive ? x < f.max : x <= f.max;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s;
}

}  // namespace

const std::vector<FieldInfo>& config_fields() {
    static const std::vector<FieldInfo> f = make_fields();
    return f;
}

const FieldInfo& config_field(const std::string& path) {
    for (const FieldInfo& f : config_fields())
        if (f.path == path) return f;
    throw Error("unknown config field '" + path + "'");
}

std::string field_range_text(const FieldInfo& f) {
    switch (f.kind) {
        case FieldKind::choice: return "one of " + join(f.choices);
        case FieldKind::layers: return "a comma-separated list of layer specs";
        case FieldKind::integer:
        case FieldKind::seed: return number_text(f.min) + ".." + number_text(f.max);
        case FieldKind::number:
            return std::string(f.min_exclusive ? "(" : "[") + number_text(f.min) + ", " + number_text(f.max) +
                   (f.max_exclusive ? ")" : "]");
    }
    return "";
}

bool field_applies(const FieldInfo& f, const Config& c) {
    const ModelConfig& m = c.model;
    if (!f.types.empty() && std::find(f.types.begin(), f.types.end(), m.type) == f.types.end()) return false;
    const std::string& p = f.path;
    if (p == "model.sparsity_weight") return m.sparsity != Sparsity::none;
    if (p == "model.sparsity_target") return m.sparsity == Sparsity::kl;
    if (p == "model.corruption_level") return m.corruption != Corruption::none;
    const OptimizerType o = c.train.optimizer.type;
    if (p == "train.momentum") return o == OptimizerType::sgd;
    if (p == "train.beta1" || p == "train.beta2" || p == "train.eps") return o != OptimizerType::sgd;
    return true;
}

std::string field_text(const Config& cfg, const std::string& path) {
    const FieldInfo& f = config_field(path);
    const Access& a = access(path);
    Config& c = const_cast<Config&>(cfg);  // the accessors hand out references; nothing is written
    switch (f.kind) {
        case FieldKind::choice: return a.get_choice(c);
        case FieldKind::layers: return layer_specs_to_string(a.layers(c));
        case FieldKind::integer: return std::to_string(a.integer(c));
        case FieldKind::seed: return std::to_string(a.seed(c));
        case FieldKind::number: return float_text(a.number(c));
    }
    return "";
}

void field_set_text(Config& c, const std::string& path, const std::string& raw) {
    const FieldInfo& f = config_field(path);
    const Access& a = access(path);
    const std::string text = trim(raw);
    const std::string quoted = "'" + text + "'";
    auto fail = [&](const std::string& why) { throw Error(f.label + ": " + why); };
    switch (f.kind) {
        case FieldKind::choice:
            if (std::find(f.choices.begin(), f.choices.end(), text) == f.choices.end())
                fail(quoted + " is not one of " + join(f.choices));
            a.set_choice(c, text);
            return;
        case FieldKind::layers:
        {
            std::string compact;  // "512, 256" reads as "512,256"
            for (char ch : text)
                if (ch != ' ' && ch != '\t') compact += ch;
            a.layers(c) = parse_layer_specs(compact, f.label);  // errors start with the label
        }
            return;
        case FieldKind::integer:
        case FieldKind::seed: {
            if (text.empty()) fail("empty (expected a whole number in " + field_range_text(f) + ")");
            const bool digits = std::all_of(text.begin() + (text[0] == '-' ? 1 : 0), text.end(),
                                            [](char ch) { return ch >= '0' && ch <= '9'; });
            if (!digits || text == "-") fail(quoted + " is not a whole number");
            errno = 0;
            const double x = std::strtod(text.c_str(), nullptr);
            if (!in_range(f, x)) fail(text + " is outside " + field_range_text(f));
            if (f.kind == FieldKind::seed) a.seed(c) = std::strtoull(text.c_str(), nullptr, 10);
            else a.integer(c) = static_cast<int>(std::strtoll(text.c_str(), nullptr, 10));
            return;
        }
        case FieldKind::number: {
            if (text.empty()) fail("empty (expected a number in " + field_range_text(f) + ")");
            char* end = nullptr;
            const double x = std::strtod(text.c_str(), &end);
            if (end != text.c_str() + text.size() || text.find_first_of("xXnNiI") != std::string::npos)
                fail(quoted + " is not a number");
            // Checked as stored: a float32 (1e39 would become infinity).
            const float stored = static_cast<float>(x);
            if (!std::isfinite(x) || !in_range(f, x) || !std::isfinite(stored) || !in_range(f, stored))
                fail(text + " is outside " + field_range_text(f));
            a.number(c) = stored;
            return;
        }
    }
}

FormResult form_check(const Config& base, const std::vector<std::pair<std::string, std::string>>& given) {
    FormResult r;
    r.config = base;
    Config& c = r.config;
    std::map<std::string, std::string> texts;
    for (const auto& [path, text] : given) {
        try {
            config_field(path);
            texts[path] = text;
        } catch (const Error& e) {
            r.errors[path] = e.what();
        }
    }
    auto has = [&](const char* p) { return texts.count(p) > 0; };
    if (has("model.type")) {
        try {
            Config t = c;
            field_set_text(t, "model.type", texts["model.type"]);
            if (t.model.type != base.model.type) {
                const ModelConfig& old = base.model;
                c.model = model_defaults(t.model.type);
                c.model.input_channels = old.input_channels;
                c.model.input_rows = old.input_rows;
                c.model.input_cols = old.input_cols;
            }
        } catch (const Error& e) {
            r.errors["model.type"] = e.what();
        }
    }
    for (const FieldInfo& f : config_fields()) {
        if (f.path == "model.type" || !has(f.path.c_str())) continue;
        try {
            field_set_text(c, f.path, texts[f.path]);
        } catch (const Error& e) {
            r.errors[f.path] = e.what();
            continue;
        }
        if (f.path == "model.loss" && c.model.loss == Loss::bce && !has("model.output"))
            c.model.output = Activation::sigmoid;
        if (f.path == "model.sparsity") {
            if (!has("model.sparsity_weight")) c.model.sparsity_weight = sparsity_default_weight(c.model.sparsity);
            if (c.model.sparsity == Sparsity::kl && !has("model.latent_activation"))
                c.model.latent_activation = Activation::sigmoid;
        }
    }
    // A field that does not apply to the chosen model (a hidden form field) is not checked: it keeps
    // its previous value.
    for (auto it = r.errors.begin(); it != r.errors.end();)
        it = !it->first.empty() && accessors().count(it->first) && !field_applies(config_field(it->first), c)
                 ? r.errors.erase(it)
                 : std::next(it);
    if (!r.errors.empty()) return r;
    try {
        config_validate(c);
    } catch (const Error& e) {
        // config_validate names the field first ("model.latent: ..."): the message goes to that field,
        // with the field's label in place of its path.
        const std::string msg = e.what();
        const size_t colon = msg.find(':');
        std::string path = colon == std::string::npos ? "" : msg.substr(0, colon);
        if (accessors().count(path) == 0) path.clear();
        r.errors[path] = path.empty() ? msg : config_field(path).label + msg.substr(colon);
    }
    return r;
}

std::string config_fields_json() {
    nlohmann::json a = nlohmann::json::array();
    const char* kinds[] = {"choice", "integer", "number", "layers", "seed"};
    for (const FieldInfo& f : config_fields())
        a.push_back({{"path", f.path}, {"flag", f.flag}, {"label", f.label}, {"help", f.help}, {"unit", f.unit},
                     {"kind", kinds[static_cast<int>(f.kind)]}, {"choices", f.choices}, {"min", f.min},
                     {"max", f.max}, {"minExclusive", f.min_exclusive}, {"maxExclusive", f.max_exclusive},
                     {"range", field_range_text(f)}, {"group", f.group}, {"advanced", f.advanced}, {"live", f.live},
                     {"types", f.types}});
    return a.dump();
}

std::string form_check_json(const std::string& base_config_json, const std::string& given_json) {
    const Config base = config_from_json(base_config_json, "base config");
    std::vector<std::pair<std::string, std::string>> given;
    try {
        for (const auto& kv : nlohmann::json::parse(given_json))
            given.emplace_back(kv.at(0).get<std::string>(), kv.at(1).get<std::string>());
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("form: expected [[path, text], ...]: ") + e.what());
    }
    const FormResult r = form_check(base, given);
    nlohmann::json out = {{"errors", r.errors}};
    out["configJson"] = r.ok() ? nlohmann::json(config_to_json(r.config)) : nlohmann::json();
    for (const FieldInfo& f : config_fields()) {
        out["applies"][f.path] = field_applies(f, r.config);
        out["values"][f.path] = field_text(r.config, f.path);
    }
    return out.dump();
}

std::string fields_needing_new_model(const Config& a, const Config& b) {
    std::string labels;
    for (const FieldInfo& f : config_fields()) {
        if (f.live) continue;
        if (field_text(a, f.path) != field_text(b, f.path)) labels += (labels.empty() ? "" : ", ") + f.label;
    }
    return labels;
}

const std::map<std::string, std::vector<std::string>>& config_choices() {
    static const std::map<std::string, std::vector<std::string>> m = [] {
        std::map<std::string, std::vector<std::string>> out;
        for (const FieldInfo& f : config_fields())
            if (f.kind == FieldKind::choice) out[f.path] = f.choices;
        return out;
    }();
    return m;
}

const std::vector<LossTermInfo>& loss_terms() {
    static const std::vector<LossTermInfo> t = {
        {"reconstruction", "reconstruction", &LossTerms::reconstruction},
        {"kl", "KL", &LossTerms::kl},
        {"sparsity", "sparsity", &LossTerms::sparsity},
        {"contractive", "contractive", &LossTerms::contractive},
        {"codebook", "codebook", &LossTerms::codebook},
        {"commitment", "commitment", &LossTerms::commitment},
        {"total", "total", &LossTerms::total},
    };
    return t;
}

}  // namespace ae
