#include "ae/config.h"

#include <nlohmann/json.hpp>
#include <algorithm>
#include <cmath>
#include <sstream>

#include "ae/error.h"
#include "ae/options.h"

namespace ae {

using nlohmann::json;

const char* sparsity_name(Sparsity s) {
    switch (s) {
        case Sparsity::l1: return "l1";
        case Sparsity::kl: return "kl";
        default: return "none";
    }
}

Sparsity sparsity_from_string(const std::string& s) {
    if (s == "none") return Sparsity::none;
    if (s == "l1") return Sparsity::l1;
    if (s == "kl") return Sparsity::kl;
    throw Error("unknown sparsity penalty '" + s + "' (expected none, l1 or kl)");
}

const char* corruption_name(Corruption c) {
    switch (c) {
        case Corruption::gaussian: return "gaussian";
        case Corruption::salt_pepper: return "salt_pepper";
        case Corruption::masking: return "masking";
        case Corruption::block: return "block";
        default: return "none";
    }
}

Corruption corruption_from_string(const std::string& s) {
    if (s == "none") return Corruption::none;
    if (s == "gaussian") return Corruption::gaussian;
    if (s == "salt_pepper") return Corruption::salt_pepper;
    if (s == "masking") return Corruption::masking;
    if (s == "block") return Corruption::block;
    throw Error("unknown corruption '" + s + "' (expected none, gaussian, salt_pepper, masking or block)");
}

const char* codebook_update_name(CodebookUpdate u) { return u == CodebookUpdate::ema ? "ema" : "loss"; }

CodebookUpdate codebook_update_from_string(const std::string& s) {
    if (s == "loss") return CodebookUpdate::loss;
    if (s == "ema") return CodebookUpdate::ema;
    throw Error("unknown codebook update '" + s + "' (expected loss or ema)");
}

float sparsity_default_weight(Sparsity s) {
    switch (s) {
        case Sparsity::l1: return 1e-3f;
        case Sparsity::kl: return 0.1f;
        default: return 0.0f;
    }
}

const std::vector<std::string>& model_types() {
    static const std::vector<std::string> types = {"ae", "linear", "sparse", "denoising", "contractive", "vae",
                                                     "cvae", "hashing", "vqvae"};
    return types;
}

ModelConfig model_defaults(const std::string& type) {
    ModelConfig m;
    m.type = type;
    if (type == "ae") return m;
    if (type == "linear") {
        m.encoder = {};
        m.latent = 8;
        m.activation = m.latent_activation = m.output = Activation::identity;
        m.loss = Loss::mse;
    } else if (type == "sparse") {
        m.encoder = {};
        m.latent = 64;
        m.latent_activation = Activation::sigmoid;
        m.sparsity = Sparsity::kl;
        m.sparsity_weight = sparsity_default_weight(Sparsity::kl);
    } else if (type == "denoising") {
        m.latent = 32;
        m.corruption = Corruption::gaussian;
        m.corruption_level = 0.3f;
    } else if (type == "contractive") {
        m.encoder = {};
        m.latent = 64;
        m.latent_activation = Activation::sigmoid;
        m.contractive_weight = 0.1f;
    } else if (type == "vae" || type == "cvae") {
        m.encoder = {400};
        if (type == "cvae") m.num_classes = 10;
        // cvae: a 2-D code, so that it holds the style and the class comes from y (a larger code carries the
        // class itself and the decoder learns to ignore y: README, "conditional VAE").
        m.latent = type == "cvae" ? 2 : 20;
        m.latent_activation = Activation::identity;
        m.loss = Loss::bce;
    } else if (type == "hashing") {
        m.latent = 32;
        m.latent_activation = Activation::sigmoid;
        m.loss = Loss::bce;
        m.code_noise = 4.0f;
    } else if (type == "vqvae") {
        m.latent = 16;
        m.latent_activation = Activation::identity;
        m.loss = Loss::bce;
    } else {
        throw Error("model.type: unknown model type '" + type + "' (expected ae, linear, sparse, denoising, "
                    "contractive, vae, cvae, hashing or vqvae)");
    }
    return m;
}

void config_validate(const Config& c) {
    const ModelConfig& m = c.model;
    auto fail = [](const std::string& field, const std::string& what) { throw Error(field + ": " + what); };
    if (std::find(model_types().begin(), model_types().end(), m.type) == model_types().end())
        fail("model.type", "unknown model type '" + m.type +
                               "' (expected ae, linear, sparse, denoising, contractive, vae, cvae, hashing or vqvae)");
    // Every number against its range in the one table of options (options.h), as stored: a float32 that
    // overflowed to infinity fails here, so a file the project writes always loads again.
    for (const FieldInfo& f : config_fields()) {
        if (f.kind != FieldKind::integer && f.kind != FieldKind::number && f.kind != FieldKind::seed) continue;
        const std::string text = field_text(c, f.path);
        Config probe;
        try {
            field_set_text(probe, f.path, text);
        } catch (const Error&) {
            fail(f.path, std::string("expected ") + (f.kind == FieldKind::number ? "a number" : "a whole number") +
                             " in " + field_range_text(f) + ", got " + text);
        }
    }
    for (const auto* list : {&m.encoder, &m.decoder})
        for (const LayerSpec& s : *list) {
            const char* field = list == &m.encoder ? "model.encoder" : "model.decoder";
            try {
                if (layer_spec_from_string(layer_spec_to_string(s), field) != s) throw Error("");
            } catch (const Error&) {
                fail(field, "invalid layer spec '" + layer_spec_to_string(s) + "'");
            }
        }
    if (m.is_convolutional() && m.type == "linear")
        fail("model.encoder", "a linear autoencoder (the PCA model) has one Dense layer each way: no convolutions");
    if (m.is_conditional() && m.num_classes < 2)
        fail("model.num_classes", "a conditional VAE needs at least 2 classes, got " + std::to_string(m.num_classes));
    if (m.is_convolutional() && m.is_conditional())
        fail("model.encoder", "the conditional VAE is implemented for Dense layers only: no convolutions");
    if (m.is_convolutional() && m.type == "contractive")
        fail("model.encoder", "the contractive penalty is implemented for Dense encoders only: no convolutions");
    plan_architecture(m);  // shape errors name the field and the layer
    if (m.loss == Loss::bce && m.output != Activation::sigmoid)
        fail("model.output", "loss bce needs a sigmoid output");
    if (m.type == "linear") {
        if (m.loss != Loss::mse) fail("model.loss", "a linear autoencoder needs loss mse");
        if (m.activation != Activation::identity || m.latent_activation != Activation::identity ||
            m.output != Activation::identity)
            fail("model.activation", "a linear autoencoder needs identity activation, latent_activation and output");
    }
    if (m.type == "sparse" && m.sparsity == Sparsity::none)
        fail("model.sparsity", "a sparse autoencoder needs a sparsity penalty (l1 or kl)");
    if (m.sparsity == Sparsity::kl && m.latent_activation != Activation::sigmoid)
        fail("model.latent_activation", "the kl sparsity penalty needs a sigmoid code (latent_activation sigmoid)");
    if (m.is_vae() && m.sparsity != Sparsity::none)
        fail("model.sparsity", "a sparsity penalty is not available for the vae");
    if (m.type == "denoising" && m.corruption == Corruption::none)
        fail("model.corruption", "a denoising autoencoder needs a corruption (gaussian, salt_pepper, masking, block)");
    if (m.is_vae() && m.corruption != Corruption::none)
        fail("model.corruption", "input corruption is not available for the vae");
    if ((m.corruption == Corruption::salt_pepper || m.corruption == Corruption::masking) && m.corruption_level > 1)
        fail("model.corruption_level", std::string("the ") + corruption_name(m.corruption) +
                                           " rate must lie in [0, 1], got " + field_text(c, "model.corruption_level"));
    if (m.corruption == Corruption::block &&
        (m.corruption_level != std::floor(m.corruption_level) || m.corruption_level < 1 ||
         m.corruption_level > std::min(m.input_rows, m.input_cols)))
        fail("model.corruption_level", "the block side must be a whole number of pixels in 1.." +
                                           std::to_string(std::min(m.input_rows, m.input_cols)) + ", got " +
                                           field_text(c, "model.corruption_level"));
    if (m.is_vae() && m.latent_activation != Activation::identity)
        fail("model.latent_activation", "the vae's code layer is the linear μ head: latent_activation must be identity");
    if (m.is_hashing() && m.latent_activation != Activation::sigmoid)
        fail("model.latent_activation", "semantic hashing needs a sigmoid code (latent_activation sigmoid): its "
                                        "bits are the code units thresholded at 0.5");
    if (m.is_vq()) {
        if (m.latent_activation != Activation::identity)
            fail("model.latent_activation", "the vqvae quantises the encoder's linear output z_e: latent_activation "
                                            "must be identity");
        if (m.codebook_size < 2)
            fail("model.codebook_size", "a codebook needs at least 2 entries, got " + std::to_string(m.codebook_size));
        if (m.codebook_dim < 1 || m.latent % m.codebook_dim != 0)
            fail("model.codebook_dim", "the latent size " + std::to_string(m.latent) +
                                           " must be a multiple of codebook_dim " + std::to_string(m.codebook_dim) +
                                           " (the code is latent / codebook_dim groups of codebook_dim units)");
        if (m.sparsity != Sparsity::none) fail("model.sparsity", "a sparsity penalty is not available for the vqvae");
        if (m.corruption != Corruption::none)
            fail("model.corruption", "input corruption is not available for the vqvae");
    }
}

namespace {

// Dense widths as numbers, other layers as their spec strings.
json specs_to_json(const std::vector<LayerSpec>& specs) {
    json a = json::array();
    for (const LayerSpec& s : specs) {
        if (s.is_dense()) a.push_back(s.size);
        else a.push_back(layer_spec_to_string(s));
    }
    return a;
}

}  // namespace

std::string config_to_json(const Config& c, int indent) {
    const ModelConfig& m = c.model;
    const TrainConfig& t = c.train;
    json j;
    j["model"] = {{"type", m.type},
                  {"input_channels", m.input_channels},
                  {"input_rows", m.input_rows},
                  {"input_cols", m.input_cols},
                  {"encoder", specs_to_json(m.encoder)},
                  {"decoder", specs_to_json(m.decoder)},
                  {"latent", m.latent},
                  {"activation", activation_name(m.activation)},
                  {"latent_activation", activation_name(m.latent_activation)},
                  {"output", activation_name(m.output)},
                  {"loss", loss_name(m.loss)},
                  {"init", init_name(m.init)},
                  {"sparsity", sparsity_name(m.sparsity)},
                  {"sparsity_weight", m.sparsity_weight},
                  {"sparsity_target", m.sparsity_target},
                  {"corruption", corruption_name(m.corruption)},
                  {"corruption_level", m.corruption_level},
                  {"contractive_weight", m.contractive_weight},
                  {"beta", m.beta},
                  {"kl_warmup_epochs", m.kl_warmup_epochs},
                  {"code_noise", m.code_noise},
                  {"num_classes", m.num_classes},  // cvae; 0 (no condition) for the other types
                  {"codebook_size", m.codebook_size},
                  {"codebook_dim", m.codebook_dim},
                  {"vq_beta", m.vq_beta},
                  {"codebook_update", codebook_update_name(m.codebook_update)},
                  {"ema_decay", m.ema_decay},
                  {"dead_code_restart", m.dead_code_restart}};
    j["train"] = {{"optimizer", optimizer_name(t.optimizer.type)},
                  {"lr", t.optimizer.lr},
                  {"momentum", t.optimizer.momentum},
                  {"beta1", t.optimizer.beta1},
                  {"beta2", t.optimizer.beta2},
                  {"eps", t.optimizer.eps},
                  {"weight_decay", t.optimizer.weight_decay},
                  {"batch", t.batch},
                  {"epochs", t.epochs},
                  {"seed", t.seed},
                  {"threads", t.threads}};
    return j.dump(indent);
}

namespace {

struct Reader {
    const json& obj;
    std::string prefix;
    std::string section;  // "model" | "train"

    void check_keys(std::initializer_list<const char*> known) const {
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            bool ok = false;
            for (const char* k : known) ok = ok || it.key() == k;
            if (!ok) throw Error(prefix + it.key() + ": unknown field");
        }
    }
    const json* get(const char* key) const {
        auto it = obj.find(key);
        return it == obj.end() ? nullptr : &*it;
    }
    // The range comes from the field's description (options.h).
    void integer(const char* key, int& out) const {
        if (const json* v = get(key)) {
            const FieldInfo& f = config_field(section + "." + key);
            const long long lo = static_cast<long long>(f.min), hi = static_cast<long long>(f.max);
            if (!v->is_number_integer() || v->get<long long>() < lo || v->get<long long>() > hi)
                throw Error(prefix + key + ": expected an integer in " + std::to_string(lo) + ".." +
                            std::to_string(hi) + ", got " + v->dump());
            out = static_cast<int>(v->get<long long>());
        }
    }
    void number(const char* key, float& out) const {
        if (const json* v = get(key)) {
            if (!v->is_number()) throw Error(prefix + key + ": expected a number, got " + v->dump());
            // Range-checked before the conversion: a double beyond float32 (1e39) must not become infinity.
            const FieldInfo& f = config_field(section + "." + key);
            const double d = v->get<double>();
            Config probe;
            try {
                field_set_text(probe, f.path, v->dump());
            } catch (const Error&) {
                throw Error(prefix + key + ": expected a number in " + field_range_text(f) + ", got " + v->dump());
            }
            out = static_cast<float>(d);
        }
    }
    std::string string(const char* key, const std::string& fallback) const {
        const json* v = get(key);
        if (!v) return fallback;
        if (!v->is_string()) throw Error(prefix + key + ": expected a string, got " + v->dump());
        return v->get<std::string>();
    }
    void layers(const char* key, std::vector<LayerSpec>& out) const {
        if (const json* v = get(key)) {
            if (!v->is_array())
                throw Error(prefix + key + ": expected an array of layers (widths like 512, specs like \"c32k4s2p1\"), got " +
                            v->dump());
            out.clear();
            for (const json& w : *v) {
                if (w.is_string()) {
                    out.push_back(layer_spec_from_string(w.get<std::string>(), prefix + key));
                    continue;
                }
                if (!w.is_number_integer() || w.get<long long>() < 1 || w.get<long long>() > 65536)
                    throw Error(prefix + key + ": expected widths in 1..65536 or layer specs like \"c32k4s2p1\", got " +
                                w.dump());
                out.push_back(LayerSpec(w.get<int>()));
            }
        }
    }
    template <class F>
    auto parsed(const char* key, F parse) const -> decltype(parse(std::string())) {
        std::string s = string(key, "");
        try {
            return parse(s);
        } catch (const Error& e) {
            throw Error(prefix + key + ": " + e.what());
        }
    }
};

}  // namespace

namespace {
Config config_from_json_checked(const std::string& text, const std::string& source);
}  // namespace

// Every nlohmann exception becomes an ae::Error naming the source at this one boundary.
Config config_from_json(const std::string& text, const std::string& source) {
    try {
        return config_from_json_checked(text, source);
    } catch (const json::exception& e) {
        throw Error(source + ": " + e.what());
    }
}

namespace {
Config config_from_json_checked(const std::string& text, const std::string& source) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(source + ": invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
    } catch (const json::exception& e) {  // out_of_range.406 for a number like 1e400
        throw Error(source + ": invalid JSON: " + e.what());
    }
    if (!j.is_object()) throw Error(source + ": expected a JSON object");
    Config c;
    Reader top{j, source + ": ", ""};
    top.check_keys({"model", "train"});
    if (const json* mj = top.get("model")) {
        if (!mj->is_object()) throw Error(source + ": model: expected an object");
        Reader r{*mj, source + ": model.", "model"};
        r.check_keys({"type", "input_channels", "input_rows", "input_cols", "encoder", "decoder", "latent", "activation",
                      "latent_activation", "output", "loss", "init", "sparsity", "sparsity_weight",
                      "sparsity_target", "corruption", "corruption_level", "contractive_weight", "beta",
                      "kl_warmup_epochs", "code_noise", "num_classes", "codebook_size", "codebook_dim", "vq_beta",
                      "codebook_update", "ema_decay", "dead_code_restart"});
        ModelConfig& m = c.model;
        const std::string type = r.string("type", m.type);
        if (std::find(model_types().begin(), model_types().end(), type) == model_types().end())
            throw Error(source + ": model.type: unknown model type '" + type +
                        "' (expected ae, linear, sparse, denoising, contractive, vae, cvae, hashing or vqvae)");
        m = model_defaults(type);
        r.integer("input_channels", m.input_channels);
        r.integer("input_rows", m.input_rows);
        r.integer("input_cols", m.input_cols);
        r.layers("encoder", m.encoder);
        r.layers("decoder", m.decoder);
        r.integer("latent", m.latent);
        if (r.get("activation")) m.activation = r.parsed("activation", activation_from_string);
        if (r.get("latent_activation")) m.latent_activation = r.parsed("latent_activation", activation_from_string);
        if (r.get("output")) m.output = r.parsed("output", activation_from_string);
        if (r.get("loss")) m.loss = r.parsed("loss", loss_from_string);
        if (r.get("init")) m.init = r.parsed("init", init_from_string);
        if (r.get("sparsity")) {
            m.sparsity = r.parsed("sparsity", sparsity_from_string);
            if (m.sparsity != Sparsity::none) m.sparsity_weight = sparsity_default_weight(m.sparsity);
        }
        r.number("sparsity_weight", m.sparsity_weight);
        r.number("sparsity_target", m.sparsity_target);
        if (r.get("corruption")) m.corruption = r.parsed("corruption", corruption_from_string);
        r.number("corruption_level", m.corruption_level);
        r.number("contractive_weight", m.contractive_weight);
        r.number("beta", m.beta);
        r.integer("kl_warmup_epochs", m.kl_warmup_epochs);
        r.number("code_noise", m.code_noise);
        r.integer("num_classes", m.num_classes);
        r.integer("codebook_size", m.codebook_size);
        r.integer("codebook_dim", m.codebook_dim);
        r.number("vq_beta", m.vq_beta);
        if (r.get("codebook_update")) m.codebook_update = r.parsed("codebook_update", codebook_update_from_string);
        r.number("ema_decay", m.ema_decay);
        if (const json* b = r.get("dead_code_restart")) {
            if (!b->is_boolean()) throw Error(source + ": model.dead_code_restart: expected true or false, got " + b->dump());
            m.dead_code_restart = b->get<bool>();
        }
    }
    if (const json* tj = top.get("train")) {
        if (!tj->is_object()) throw Error(source + ": train: expected an object");
        Reader r{*tj, source + ": train.", "train"};
        r.check_keys({"optimizer", "lr", "momentum", "beta1", "beta2", "eps", "weight_decay", "batch", "epochs",
                      "seed", "threads"});
        TrainConfig& t = c.train;
        if (r.get("optimizer")) t.optimizer.type = r.parsed("optimizer", optimizer_from_string);
        r.number("lr", t.optimizer.lr);
        r.number("momentum", t.optimizer.momentum);
        r.number("beta1", t.optimizer.beta1);
        r.number("beta2", t.optimizer.beta2);
        r.number("eps", t.optimizer.eps);
        r.number("weight_decay", t.optimizer.weight_decay);
        r.integer("batch", t.batch);
        r.integer("epochs", t.epochs);
        if (const json* s = r.get("seed")) {
            if (!s->is_number_unsigned() && !(s->is_number_integer() && s->get<long long>() >= 0))
                throw Error(source + ": train.seed: expected a non-negative integer, got " + s->dump());
            t.seed = s->get<uint64_t>();
        }
        r.integer("threads", t.threads);
    }
    try {
        config_validate(c);
    } catch (const Error& e) {
        throw Error(source + ": " + e.what());
    }
    return c;
}
}  // namespace

std::vector<int> parse_widths(const std::string& s, const std::string& what) {
    std::vector<int> out;
    if (s.empty()) return out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        size_t pos = 0;
        int v = 0;
        try {
            v = std::stoi(item, &pos);
        } catch (const std::exception&) {
            pos = 0;
        }
        if (pos == 0 || pos != item.size() || v < 1 || v > 65536)
            throw Error(what + ": '" + s + "' is not a comma-separated list of widths in 1..65536 (bad item '" +
                        item + "')");
        out.push_back(v);
    }
    // getline drops a trailing empty item: "512," must be an error like ",512" and "1,,2".
    if (s.back() == ',')
        throw Error(what + ": '" + s + "' is not a comma-separated list of widths in 1..65536 (bad item '')");
    return out;
}

}  // namespace ae
