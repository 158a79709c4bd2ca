#include "ae/dense.h"  // first: em++ mangles Eigen Ref templates by include order (TOOLCHAIN.md)

#include "ae/memory.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "ae/architecture.h"
#include "ae/error.h"
#include "ae/layer.h"

namespace ae {

namespace {

// Saturating arithmetic: an absurd config must give a huge estimate, never a wrapped small one.
size_t sat_add(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }
size_t sat_mul(size_t a, size_t b) { return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b; }

struct Layers {
    ParamStore params;
    std::vector<std::shared_ptr<const Layer>> stack;  // encoder, heads, decoder
    ArchitecturePlan plan;
};

Layers make_layers(const ModelConfig& m) {
    Layers l;
    l.plan = plan_architecture(m);
    for (const auto* part : {&l.plan.encoder, &l.plan.heads, &l.plan.decoder}) {
        if (part == &l.plan.decoder && m.is_vq()) {  // the order of Autoencoder's constructor
            l.params.add("codebook", {m.codebook_size, m.codebook_dim});
            l.params.add("code_counts", {m.code_groups(), m.codebook_size});
        }
        for (const ModulePlan& p : *part) l.stack.push_back(make_layer(p, l.params));
    }
    return l;
}

size_t padded_count(const ParamStore& p) {
    size_t n = 0;
    for (const ParamTensor& t : p.tensors()) n = sat_add(n, (t.size + 15) / 16 * 16);
    return n;
}

// Floats of a forward (and, when training, backward) workspace at `b` images (Autoencoder::make_workspace).
size_t workspace_floats(const ModelConfig& m, const Layers& l, size_t b, bool training) {
    size_t f = 0;
    for (const auto& layer : l.stack) {
        f = sat_add(f, sat_mul(static_cast<size_t>(layer->out_size()), b * (training ? 2 : 1)));
        f = sat_add(f, layer->scratch_floats(static_cast<int>(b)));
    }
    const size_t d = static_cast<size_t>(m.input_dim()), k = static_cast<size_t>(m.latent);
    f = sat_add(f, sat_mul(d + k, b));                                   // reconstruction, code gradient
    if (m.is_vae() && !l.plan.heads.empty())  // mu, logvar, eps, z, dmu, dlogvar; dh2 (training)
        f = sat_add(f, sat_mul(6 * k + (training ? static_cast<size_t>(l.plan.heads[0].in.size()) : 0), b));
    if (m.is_vq()) f = sat_add(f, sat_mul(k + static_cast<size_t>(m.code_groups()), b));  // z_q, codes
    if (const size_t C = static_cast<size_t>(m.condition_dim()))  // condition, [x; y], [z; y], d[z; y]
        f = sat_add(f, sat_mul(C + (d + C) + (k + C) * (training ? 2 : 1), b));
    if (m.is_contractive()) {
        size_t widths = 0;
        for (const ModulePlan& p : l.plan.encoder)
            if (p.type == "Linear") widths += static_cast<size_t>(p.out.size());
        f = sat_add(f, sat_mul(6 * widths + d, b));  // tangents and probe
    }
    return f;
}

}  // namespace

ParamStore parameter_layout(const ModelConfig& m) { return make_layers(m).params; }

MemoryEstimate estimate_training_memory(const Config& c) {
    const Layers l = make_layers(c.model);
    MemoryEstimate e;
    e.parameters = l.params.count();
    const size_t moments = c.train.optimizer.type == OptimizerType::sgd ? 1 : 2;
    // value, gradient, moments, the divergence rule's kept copy, one snapshot copy
    e.parameter_bytes = sat_mul(padded_count(l.params), 4 * (2 + moments + 2));
    const size_t b = static_cast<size_t>(std::max(c.train.batch, 1));
    const size_t d = static_cast<size_t>(c.model.input_dim());
    size_t f = workspace_floats(c.model, l, b, true);
    f = sat_add(f, sat_mul(d, b * (c.model.corruption != Corruption::none ? 2 : 1)));  // the minibatch
    const size_t eval = std::min<size_t>(b, 500);
    f = sat_add(f, workspace_floats(c.model, l, eval, false));
    f = sat_add(f, sat_mul(d, eval * (c.model.corruption != Corruption::none ? 2 : 1)));
    e.workspace_bytes = sat_mul(f, 4);
    return e;
}

size_t estimate_training_bytes(const Config& c) { return estimate_training_memory(c).total_bytes(); }

std::string format_bytes(size_t bytes) {
    char buf[64];
    const double gib = static_cast<double>(bytes) / static_cast<double>(size_t{1} << 30);
    const double mib = static_cast<double>(bytes) / static_cast<double>(size_t{1} << 20);
    if (gib >= 1.0) {
        if (gib == std::floor(gib) && gib < 1e6) std::snprintf(buf, sizeof buf, "%.0f GB", gib);
        else std::snprintf(buf, sizeof buf, "%.1f GB", gib);
    } else {
        std::snprintf(buf, sizeof buf, "%.0f MB", std::max(mib, 1.0));
    }
    return buf;
}

void check_memory(const Config& c, size_t limit_bytes, const std::string& limit_name, const std::string& hint) {
    const MemoryEstimate e = estimate_training_memory(c);
    if (e.total_bytes() <= limit_bytes) return;
    const ModelConfig& m = c.model;
    std::string what = "model (input " + std::to_string(m.input_channels) + "x" + std::to_string(m.input_rows) + "x" +
                       std::to_string(m.input_cols) + ", encoder [" + layer_specs_to_string(m.encoder) + "]";
    if (!m.decoder.empty()) what += ", decoder [" + layer_specs_to_string(m.decoder) + "]";
    what += ", latent " + std::to_string(m.latent) + ")";
    throw Error(what + " with train.batch " + std::to_string(c.train.batch) + " needs " +
                format_bytes(e.total_bytes()) + " (" + format_bytes(e.parameter_bytes) +
                " of parameters, gradients and optimizer moments, " + format_bytes(e.workspace_bytes) +
                " of workspace); " + limit_name + " is " + format_bytes(limit_bytes) +
                (hint.empty() ? std::string() : " (" + hint + ")"));
}

}  // namespace ae
