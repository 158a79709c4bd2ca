// 2-D toy data sets (see toy_data.h for the formulas, defaults and sources).
#include "ae/toy_data.h"

#include <algorithm>
#include <cmath>

#include "ae/error.h"
#include "ae/rng.h"

namespace ae {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kMaxPoints = 10000000;

struct ToySet {
    const char* name;
    double noise;                      // default standard deviation, [0, 1] units
    std::vector<std::string> classes;  // label -> name
};

const ToySet& toy_set(const std::string& name) {
    static const ToySet sets[] = {
        {"moons", 0.015, {"upper moon", "lower moon"}},
        {"circle", 0.015, {"circle"}},
        {"spiral", 0.01, {"arm 0", "arm 1"}},
        {"sine", 0.02, {"sine"}},
    };
    for (const ToySet& s : sets)
        if (name == s.name) return s;
    throw Error("data set \"" + name + "\": unknown 2-D toy set, expected moons, circle, spiral or sine");
}

// One noiseless point of set `name` for label `label` and parameter u in [0, 1).
void toy_point(const std::string& name, int label, double u, double* x, double* y) {
    if (name == "moons") {
        const double t = kPi * u;
        const double px = label == 0 ? std::cos(t) : 1.0 - std::cos(t);
        const double py = label == 0 ? std::sin(t) : 0.5 - std::sin(t);
        *x = (px + 1.25) / 3.5;
        *y = (py - 0.25) / 3.5 + 0.5;
    } else if (name == "circle") {
        const double t = 2.0 * kPi * u;
        *x = 0.5 + 0.35 * std::cos(t);
        *y = 0.5 + 0.35 * std::sin(t);
    } else if (name == "spiral") {
        const double s = std::sqrt(u);
        const double r = 0.05 + 0.38 * s, theta = 3.0 * kPi * s + kPi * label;
        *x = 0.5 + r * std::cos(theta);
        *y = 0.5 + r * std::sin(theta);
    } else {  // sine
        *x = 0.05 + 0.9 * u;
        *y = 0.5 + 0.3 * std::sin(2.0 * kPi * u);
    }
}

Dataset toy_split(const std::string& name, const ToySet& set, int count, double noise, uint64_t seed,
                  uint64_t stream, const char* split) {
    Dataset d;
    d.name = name + "/" + split;
    d.count = count;
    d.rows = 1;
    d.cols = 2;
    d.class_names = set.classes;
    d.values.resize(static_cast<size_t>(count) * 2);
    d.labels.resize(static_cast<size_t>(count));
    Rng rng(seed, stream);
    const uint32_t classes = static_cast<uint32_t>(set.classes.size());
    for (int i = 0; i < count; ++i) {
        const int label = classes > 1 ? static_cast<int>(rng.below(classes)) : 0;
        const double u = rng.uniform_double();
        double x = 0.0, y = 0.0;
        toy_point(name, label, u, &x, &y);
        x += noise * rng.normal();
        y += noise * rng.normal();
        d.values[2 * static_cast<size_t>(i)] = static_cast<float>(std::clamp(x, 0.0, 1.0));
        d.values[2 * static_cast<size_t>(i) + 1] = static_cast<float>(std::clamp(y, 0.0, 1.0));
        d.labels[static_cast<size_t>(i)] = static_cast<uint8_t>(label);
    }
    return d;
}

}  // namespace

const std::vector<std::string>& toy_dataset_names() {
    static const std::vector<std::string> names = {"moons", "circle", "spiral", "sine"};
    return names;
}

bool is_toy_dataset(const std::string& name) {
    const std::vector<std::string>& n = toy_dataset_names();
    return std::find(n.begin(), n.end(), name) != n.end();
}

DatasetPair toy_dataset(const std::string& name, const ToyDataOptions& o) {
    const ToySet& set = toy_set(name);
    for (const auto& [count, what] : {std::pair<int, const char*>{o.train, "train"}, {o.test, "test"}})
        if (count < 1 || count > kMaxPoints)
            throw Error("data set \"" + name + "\": " + what + " count " + std::to_string(count) +
                        " is outside 1.." + std::to_string(kMaxPoints));
    const double noise = o.noise < 0.0 ? set.noise : o.noise;
    if (!(noise <= 1.0))
        throw Error("data set \"" + name + "\": noise " + std::to_string(noise) + " is above 1 (the unit square)");
    DatasetPair p;
    p.train = toy_split(name, set, o.train, noise, o.seed, 1, "train");
    p.test = toy_split(name, set, o.test, noise, o.seed, 2, "test");
    return p;
}

Config toy_config_defaults(const std::string& type) {
    Config c;
    c.train.batch = 64;
    c.train.epochs = 200;
    ModelConfig& m = c.model;
    m = model_defaults(type);
    m.input_channels = 1;
    m.input_rows = 1;
    m.input_cols = 2;
    m.encoder = {64, 64};
    m.decoder = {};
    m.output = Activation::identity;
    m.loss = Loss::mse;
    m.latent = type == "denoising" || type == "vae" ? 2 : 1;
    if (m.corruption == Corruption::gaussian) m.corruption_level = 0.05f;
    if (m.is_contractive()) m.contractive_weight = 1e-3f;  // 0.1 collapses the moons onto a line
    if (m.is_vq()) {  // one group: the 1-D code is one of 16 entries, a curve through the data sampled at 16 points
        m.codebook_dim = m.latent;
        m.codebook_size = 16;
    }
    return c;
}

}  // namespace ae
