#include "ae/config.h"

#include <nlohmann/json.hpp>
#include <cmath>
#include <sstream>

#include "ae/error.h"

namespace ae {

using nlohmann::json;

std::vector<int> ModelConfig::decoder_widths() const {
    if (!decoder.empty()) return decoder;
    return std::vector<int>(encoder.rbegin(), encoder.rend());
}

void config_validate(const Config& c) {
    const ModelConfig& m = c.model;
    auto fail = [](const std::string& field, const std::string& what) { throw Error(field + ": " + what); };
    if (m.type != "ae") fail("model.type", "unknown model type '" + m.type + "' (expected ae)");
    if (m.input_rows < 1 || m.input_cols < 1 || m.input_rows > 4096 || m.input_cols > 4096)
        fail("model.input_rows/input_cols", "image size must be between 1 and 4096 pixels per side");
    if (m.latent < 1 || m.latent > 65536) fail("model.latent", "expected 1..65536, got " + std::to_string(m.latent));
    for (int w : m.encoder)
        if (w < 1 || w > 65536) fail("model.encoder", "layer widths must be 1..65536, got " + std::to_string(w));
    for (int w : m.decoder)
        if (w < 1 || w > 65536) fail("model.decoder", "layer widths must be 1..65536, got " + std::to_string(w));
    if (m.loss == Loss::bce && m.output != Activation::sigmoid)
        fail("model.output", "loss bce needs a sigmoid output");
    const TrainConfig& t = c.train;
    if (t.batch < 1 || t.batch > 65536) fail("train.batch", "expected 1..65536, got " + std::to_string(t.batch));
    if (t.epochs < 0) fail("train.epochs", "expected >= 0, got " + std::to_string(t.epochs));
    if (t.threads < 1 || t.threads > 256) fail("train.threads", "expected 1..256, got " + std::to_string(t.threads));
    const OptimizerConfig& o = t.optimizer;
    if (!(o.lr > 0.0f) || !std::isfinite(o.lr)) fail("train.lr", "expected a finite number > 0");
    if (!(o.momentum >= 0.0f && o.momentum < 1.0f)) fail("train.momentum", "expected 0 <= momentum < 1");
    if (!(o.beta1 >= 0.0f && o.beta1 < 1.0f)) fail("train.beta1", "expected 0 <= beta1 < 1");
    if (!(o.beta2 >= 0.0f && o.beta2 < 1.0f)) fail("train.beta2", "expected 0 <= beta2 < 1");
    if (!(o.eps > 0.0f)) fail("train.eps", "expected > 0");
    if (!(o.weight_decay >= 0.0f) || !std::isfinite(o.weight_decay)) fail("train.weight_decay", "expected >= 0");
}

std::string config_to_json(const Config& c, int indent) {
    const ModelConfig& m = c.model;
    const TrainConfig& t = c.train;
    json j;
    j["model"] = {{"type", m.type},
                  {"input_rows", m.input_rows},
                  {"input_cols", m.input_cols},
                  {"encoder", m.encoder},
                  {"decoder", m.decoder},
                  {"latent", m.latent},
                  {"activation", activation_name(m.activation)},
                  {"latent_activation", activation_name(m.latent_activation)},
                  {"output", activation_name(m.output)},
                  {"loss", loss_name(m.loss)},
                  {"init", init_name(m.init)}};
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
    void integer(const char* key, int& out, long long lo, long long hi) const {
        if (const json* v = get(key)) {
            if (!v->is_number_integer() || v->get<long long>() < lo || v->get<long long>() > hi)
                throw Error(prefix + key + ": expected an integer in " + std::to_string(lo) + ".." +
                            std::to_string(hi) + ", got " + v->dump());
            out = static_cast<int>(v->get<long long>());
        }
    }
    void number(const char* key, float& out) const {
        if (const json* v = get(key)) {
            if (!v->is_number()) throw Error(prefix + key + ": expected a number, got " + v->dump());
            out = v->get<float>();
        }
    }
    std::string string(const char* key, const std::string& fallback) const {
        const json* v = get(key);
        if (!v) return fallback;
        if (!v->is_string()) throw Error(prefix + key + ": expected a string, got " + v->dump());
        return v->get<std::string>();
    }
    void widths(const char* key, std::vector<int>& out) const {
        if (const json* v = get(key)) {
            if (!v->is_array()) throw Error(prefix + key + ": expected an array of integers, got " + v->dump());
            out.clear();
            for (const json& w : *v) {
                if (!w.is_number_integer() || w.get<long long>() < 1 || w.get<long long>() > 65536)
                    throw Error(prefix + key + ": expected integers in 1..65536, got " + w.dump());
                out.push_back(w.get<int>());
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

Config config_from_json(const std::string& text, const std::string& source) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(source + ": invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
    }
    if (!j.is_object()) throw Error(source + ": expected a JSON object");
    Config c;
    Reader top{j, source + ": "};
    top.check_keys({"model", "train"});
    if (const json* mj = top.get("model")) {
        if (!mj->is_object()) throw Error(source + ": model: expected an object");
        Reader r{*mj, source + ": model."};
        r.check_keys({"type", "input_rows", "input_cols", "encoder", "decoder", "latent", "activation",
                      "latent_activation", "output", "loss", "init"});
        ModelConfig& m = c.model;
        m.type = r.string("type", m.type);
        r.integer("input_rows", m.input_rows, 1, 4096);
        r.integer("input_cols", m.input_cols, 1, 4096);
        r.widths("encoder", m.encoder);
        r.widths("decoder", m.decoder);
        r.integer("latent", m.latent, 1, 65536);
        if (r.get("activation")) m.activation = r.parsed("activation", activation_from_string);
        if (r.get("latent_activation")) m.latent_activation = r.parsed("latent_activation", activation_from_string);
        if (r.get("output")) m.output = r.parsed("output", activation_from_string);
        if (r.get("loss")) m.loss = r.parsed("loss", loss_from_string);
        if (r.get("init")) m.init = r.parsed("init", init_from_string);
    }
    if (const json* tj = top.get("train")) {
        if (!tj->is_object()) throw Error(source + ": train: expected an object");
        Reader r{*tj, source + ": train."};
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
        r.integer("batch", t.batch, 1, 65536);
        r.integer("epochs", t.epochs, 0, 1000000);
        if (const json* s = r.get("seed")) {
            if (!s->is_number_unsigned() && !(s->is_number_integer() && s->get<long long>() >= 0))
                throw Error(source + ": train.seed: expected a non-negative integer, got " + s->dump());
            t.seed = s->get<uint64_t>();
        }
        r.integer("threads", t.threads, 1, 256);
    }
    try {
        config_validate(c);
    } catch (const Error& e) {
        throw Error(source + ": " + e.what());
    }
    return c;
}

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
