#include "ae/architecture.h"

#include <sstream>

#include "ae/config.h"
#include "ae/error.h"

namespace ae {

std::string layer_spec_to_string(const LayerSpec& s) {
    const std::string n = std::to_string(s.size);
    switch (s.kind) {
        case LayerKind::dense: return n;
        case LayerKind::maxpool: return "m" + n;
        case LayerKind::upsample: return "u" + n;
        case LayerKind::conv:
        case LayerKind::conv_transpose: {
            std::string t = (s.kind == LayerKind::conv ? "c" : "t") + n + "k" + std::to_string(s.kernel) + "s" +
                            std::to_string(s.stride) + "p" + std::to_string(s.padding);
            if (s.output_padding > 0) t += "o" + std::to_string(s.output_padding);
            return t;
        }
    }
    return n;
}

std::string layer_specs_to_string(const std::vector<LayerSpec>& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + layer_spec_to_string(s[i]);
    return out;
}

namespace {

// Reads a decimal number at s[pos]; -1 if there is none.
long long read_number(const std::string& s, size_t& pos) {
    size_t start = pos;
    long long v = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - start < 7) v = v * 10 + (s[pos++] - '0');
    return pos == start ? -1 : v;
}

}  // namespace

LayerSpec layer_spec_from_string(const std::string& text, const std::string& what) {
    auto bad = [&](const std::string& why) -> Error {
        return Error(what + ": '" + text + "' is not a layer spec (" + why +
                     "; expected a width like 512, c32k4s2p1, m2, t32k4s2p1 or u2)");
    };
    if (text.empty()) throw bad("empty item");
    LayerSpec s;
    size_t pos = 0;
    const char head = text[0];
    if (head >= '0' && head <= '9') {
        long long v = read_number(text, pos);
        if (pos != text.size()) throw bad("trailing characters after the width");
        if (v < 1 || v > 65536) throw bad("widths must be 1..65536");
        s.size = static_cast<int>(v);
        return s;
    }
    pos = 1;
    if (head == 'm' || head == 'u') {
        s.kind = head == 'm' ? LayerKind::maxpool : LayerKind::upsample;
        long long v = read_number(text, pos);
        if (v < 0 || pos != text.size()) throw bad(std::string(head == 'm' ? "pool size" : "scale factor") +
                                                   " must be a whole number");
        if (v < 1 || v > 64) throw bad(std::string(head == 'm' ? "pool size" : "scale factor") + " must be 1..64");
        s.size = static_cast<int>(v);
        return s;
    }
    if (head != 'c' && head != 't') throw bad(std::string("unknown layer letter '") + head + "'");
    s.kind = head == 'c' ? LayerKind::conv : LayerKind::conv_transpose;
    long long ch = read_number(text, pos);
    if (ch < 1 || ch > 4096) throw bad("channels must be 1..4096");
    s.size = static_cast<int>(ch);
    long long k = -1, st = -1, p = -1, o = -1;
    while (pos < text.size()) {
        const char key = text[pos++];
        long long v = read_number(text, pos);
        if (v < 0) throw bad(std::string("'") + key + "' needs a number");
        long long* slot = key == 'k' ? &k : key == 's' ? &st : key == 'p' ? &p : (key == 'o' && head == 't') ? &o : nullptr;
        if (!slot) throw bad(std::string("unknown field '") + key + "'");
        if (*slot >= 0) throw bad(std::string("field '") + key + "' given twice");
        *slot = v;
    }
    if (k < 1 || k > 64) throw bad("the kernel size kN is required, 1..64");
    if (st < 0) st = 1;
    if (st < 1 || st > 64) throw bad("stride must be 1..64");
    if (p < 0) p = k > st ? (k - st) / 2 : 0;
    if (p > 64) throw bad("padding must be 0..64");
    if (o < 0) o = 0;
    if (o >= st) throw bad("output padding must be smaller than the stride");
    s.kernel = static_cast<int>(k);
    s.stride = static_cast<int>(st);
    s.padding = static_cast<int>(p);
    s.output_padding = static_cast<int>(o);
    return s;
}

std::vector<LayerSpec> parse_layer_specs(const std::string& s, const std::string& what) {
    std::vector<LayerSpec> out;
    if (s.empty()) return out;
    std::string item;
    std::stringstream ss(s);
    while (std::getline(ss, item, ',')) out.push_back(layer_spec_from_string(item, what));
    if (s.back() == ',') out.push_back(layer_spec_from_string("", what));  // throws: trailing comma
    return out;
}

bool has_map_layers(const std::vector<LayerSpec>& s) {
    for (const LayerSpec& l : s)
        if (!l.is_dense()) return true;
    return false;
}

std::string Shape::str() const {
    return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

namespace {

const char* activation_module(Activation a) {
    switch (a) {
        case Activation::identity: return "Identity";
        case Activation::relu: return "ReLU";
        case Activation::leaky_relu: return "LeakyReLU";
        case Activation::sigmoid: return "Sigmoid";
        case Activation::tanh: return "Tanh";
    }
    return "Identity";
}

// Builds one nn.Sequential: appends modules, numbering them.
struct StackBuilder {
    std::vector<ModulePlan>& out;
    std::string prefix;  // "encoder" / "decoder"
    Shape shape;         // current output shape

    ModulePlan& add(const std::string& type, Shape next) {
        ModulePlan m;
        m.type = type;
        m.name = prefix + "." + std::to_string(out.size());
        m.in = shape;
        m.out = next;
        shape = next;
        out.push_back(m);
        return out.back();
    }
    void linear(int width) {
        ModulePlan& m = add("Linear", Shape{width, 1, 1});
        m.spec = LayerSpec(width);
    }
    void activation(Activation a) {
        ModulePlan& m = add(activation_module(a), shape);
        m.activation = a;
    }
    void flatten() { add("Flatten", Shape{static_cast<int>(shape.size()), 1, 1}); }
    void unflatten(Shape map) { add("Unflatten", map); }
};

std::string layer_name(const std::string& field, size_t index, const LayerSpec& s) {
    return field + ": layer " + std::to_string(index + 1) + " '" + layer_spec_to_string(s) + "'";
}

// Output size of a convolution along one side; throws if the kernel does not fit.
int conv_out(int in, const LayerSpec& s, const std::string& who, const Shape& map) {
    const int padded = in + 2 * s.padding;
    if (s.kernel > padded)
        throw Error(who + ": kernel " + std::to_string(s.kernel) + " is larger than the padded map " +
                    std::to_string(map.h + 2 * s.padding) + "x" + std::to_string(map.w + 2 * s.padding));
    return (padded - s.kernel) / s.stride + 1;
}

int conv_transpose_out(int in, const LayerSpec& s) {
    return (in - 1) * s.stride - 2 * s.padding + s.kernel + s.output_padding;
}

// Applies a map layer to `b`, appending its module(s). `activate` adds the hidden activation after a
// convolution. Errors name `who`.
void add_map_layer(StackBuilder& b, const LayerSpec& s, const std::string& who, bool activate, Activation act) {
    const Shape in = b.shape;
    if (s.kind == LayerKind::conv) {
        Shape out{s.size, conv_out(in.h, s, who, in), conv_out(in.w, s, who, in)};
        b.add("Conv2d", out).spec = s;
        if (activate) b.activation(act);
    } else if (s.kind == LayerKind::conv_transpose) {
        Shape out{s.size, conv_transpose_out(in.h, s), conv_transpose_out(in.w, s)};
        if (out.h < 1 || out.w < 1)
            throw Error(who + ": gives an empty map from " + in.str());
        b.add("ConvTranspose2d", out).spec = s;
        if (activate) b.activation(act);
    } else if (s.kind == LayerKind::maxpool) {
        if (in.h < s.size || in.w < s.size)
            throw Error(who + ": pool size " + std::to_string(s.size) + " is larger than the map " + in.str());
        b.add("MaxPool2d", Shape{in.c, in.h / s.size, in.w / s.size}).spec = s;
    } else if (s.kind == LayerKind::upsample) {
        b.add("Upsample", Shape{in.c, in.h * s.size, in.w * s.size}).spec = s;
    }
    if (b.shape.size() > (1LL << 26))
        throw Error(who + ": the map " + b.shape.str() + " has more than 2^26 values per image");
}

bool weighted(LayerKind k) { return k == LayerKind::conv || k == LayerKind::conv_transpose; }

}  // namespace

std::string ModulePlan::describe() const {
    auto pair = [](int v) { return "(" + std::to_string(v) + ", " + std::to_string(v) + ")"; };
    if (type == "Linear")
        return "Linear(in_features=" + std::to_string(in.size()) + ", out_features=" + std::to_string(out.size()) +
               ", bias=True)";
    if (type == "Conv2d" || type == "ConvTranspose2d") {
        std::string s = type + "(" + std::to_string(in.c) + ", " + std::to_string(out.c) + ", kernel_size=" +
                        pair(spec.kernel) + ", stride=" + pair(spec.stride);
        if (spec.padding) s += ", padding=" + pair(spec.padding);
        if (spec.output_padding) s += ", output_padding=" + pair(spec.output_padding);
        return s + ")";
    }
    if (type == "MaxPool2d")
        return "MaxPool2d(kernel_size=" + std::to_string(spec.size) + ", stride=" + std::to_string(spec.size) +
               ", padding=0, dilation=1, ceil_mode=False)";
    if (type == "Upsample") return "Upsample(scale_factor=" + std::to_string(spec.size) + ".0, mode=nearest)";
    if (type == "Flatten") return "Flatten(start_dim=1, end_dim=-1)";
    if (type == "Unflatten")
        return "Unflatten(dim=1, unflattened_size=(" + std::to_string(out.c) + ", " + std::to_string(out.h) + ", " +
               std::to_string(out.w) + "))";
    if (type == "LeakyReLU") return "LeakyReLU(negative_slope=0.01)";
    return type + "()";
}

std::string ArchitecturePlan::describe() const {
    std::string s;
    auto stack = [&](const char* title, const std::vector<ModulePlan>& ms) {
        s += std::string(title) + " = Sequential(\n";
        for (size_t i = 0; i < ms.size(); ++i)
            s += "  (" + std::to_string(i) + "): " + ms[i].describe() + "   -> " + ms[i].out.str() + "\n";
        s += ")\n";
    };
    stack("encoder", encoder);
    for (const ModulePlan& h : heads) s += h.name + " = " + h.describe() + "\n";
    stack("decoder", decoder);
    return s;
}

ArchitecturePlan plan_architecture(const ModelConfig& m) {
    ArchitecturePlan plan;
    plan.input = Shape{m.input_channels, m.input_rows, m.input_cols};
    const bool vae = m.is_vae();
    const Activation act = m.activation;

    // Encoder: map layers first, then Dense widths.
    StackBuilder enc{plan.encoder, "encoder", plan.input};
    const int C = m.condition_dim();  // cvae: the one-hot class joins the encoder's and the decoder's input
    enc.shape = Shape{static_cast<int>(plan.input.size()) + C, 1, 1};
    std::vector<size_t> map_layers;  // indices into m.encoder of its map layers, in order
    std::vector<Shape> map_inputs;   // the map each of them reads
    bool dense_seen = false;
    for (size_t i = 0; i < m.encoder.size(); ++i) {
        const LayerSpec& s = m.encoder[i];
        const std::string who = layer_name("model.encoder", i, s);
        if (s.is_dense()) {
            dense_seen = true;
            continue;
        }
        if (dense_seen) throw Error(who + ": convolutions and pools come before the Dense widths in an encoder");
        if (s.kind != LayerKind::conv && s.kind != LayerKind::maxpool)
            throw Error(who + ": an encoder has convolutions (c) and max pools (m); transposed convolutions (t) and "
                              "upsampling (u) belong to the decoder");
        if (C > 0) throw Error(who + ": the conditional VAE is implemented for Dense layers only");
        if (map_layers.empty()) enc.unflatten(plan.input);
        map_inputs.push_back(enc.shape);
        add_map_layer(enc, s, who, s.kind == LayerKind::conv, act);
        map_layers.push_back(i);
    }
    const Shape last_map = enc.shape;
    plan.convolutional = !map_layers.empty();
    if (plan.convolutional) enc.flatten();
    std::vector<int> enc_widths;
    for (const LayerSpec& s : m.encoder)
        if (s.is_dense()) enc_widths.push_back(s.size);
    for (int w : enc_widths) {
        enc.linear(w);
        enc.activation(act);
    }
    const int h = static_cast<int>(enc.shape.size());
    if (vae) {
        for (const char* head : {"mu", "logvar"}) {
            ModulePlan p;
            p.type = "Linear";
            p.name = head;
            p.spec = LayerSpec(m.latent);
            p.in = Shape{h, 1, 1};
            p.out = Shape{m.latent, 1, 1};
            plan.heads.push_back(p);
        }
    } else {
        enc.linear(m.latent);
        if (m.latent_activation != Activation::identity) enc.activation(m.latent_activation);
    }

    // Decoder.
    StackBuilder dec{plan.decoder, "decoder", Shape{m.latent + C, 1, 1}};
    const bool explicit_maps = has_map_layers(m.decoder);
    const int D = static_cast<int>(plan.input.size());
    if (explicit_maps && !plan.convolutional)
        throw Error("model.decoder: a convolutional decoder needs a convolutional encoder (it starts from the "
                    "encoder's last map)");
    if (!explicit_maps && !m.decoder.empty() && plan.convolutional)
        throw Error("model.decoder: a convolutional encoder needs a convolutional decoder (or [] for the mirror)");
    if (!plan.convolutional) {
        std::vector<int> widths;
        if (m.decoder.empty()) widths.assign(enc_widths.rbegin(), enc_widths.rend());
        else
            for (const LayerSpec& s : m.decoder) widths.push_back(s.size);
        for (int w : widths) {
            dec.linear(w);
            dec.activation(act);
        }
        dec.linear(D);
        return plan;
    }
    // Map decoder: Dense widths, the Dense to the encoder's last map, Unflatten, map layers, Flatten.
    std::vector<LayerSpec> dec_maps;
    std::vector<int> dec_widths;
    if (m.decoder.empty()) {
        dec_widths.assign(enc_widths.rbegin(), enc_widths.rend());
    } else {
        bool map_seen = false;
        for (size_t i = 0; i < m.decoder.size(); ++i) {
            const LayerSpec& s = m.decoder[i];
            const std::string who = layer_name("model.decoder", i, s);
            if (s.is_dense()) {
                if (map_seen) throw Error(who + ": Dense widths come before the map layers in a decoder");
                dec_widths.push_back(s.size);
                continue;
            }
            if (s.kind == LayerKind::maxpool)
                throw Error(who + ": a decoder has transposed convolutions (t), convolutions (c) and upsampling (u); "
                                  "max pools (m) belong to the encoder");
            map_seen = true;
            dec_maps.push_back(s);
        }
    }
    for (int w : dec_widths) {
        dec.linear(w);
        dec.activation(act);
    }
    dec.linear(static_cast<int>(last_map.size()));
    dec.activation(act);
    dec.unflatten(last_map);
    if (m.decoder.empty()) {
        // Mirror: reverse the encoder's map layers, restoring each one's input size.
        for (size_t j = map_layers.size(); j-- > 0;) {
            const LayerSpec& e = m.encoder[map_layers[j]];
            const Shape target = map_inputs[j];
            const std::string who = layer_name("model.encoder", map_layers[j], e) + " (mirrored in the decoder)";
            bool later_weighted = false;  // a weighted layer still to come in the decoder
            for (size_t q = j; q-- > 0;) later_weighted = later_weighted || weighted(m.encoder[map_layers[q]].kind);
            LayerSpec s = e;
            if (e.kind == LayerKind::maxpool) {
                s.kind = LayerKind::upsample;
            } else {
                s.kind = LayerKind::conv_transpose;
                s.size = target.c;
                LayerSpec probe = s;
                probe.output_padding = 0;
                const int op_h = target.h - conv_transpose_out(dec.shape.h, probe);
                const int op_w = target.w - conv_transpose_out(dec.shape.w, probe);
                if (op_h != op_w || op_h < 0 || op_h >= s.stride)
                    throw Error(who + ": the transposed convolution cannot restore " + target.str() + " from " +
                                dec.shape.str() + " (choose sizes that the stride divides, or give model.decoder)");
                s.output_padding = op_h;
            }
            add_map_layer(dec, s, who, s.kind == LayerKind::conv_transpose && later_weighted, act);
            if (!(dec.shape == target))
                throw Error(who + ": the decoder cannot restore " + target.str() + " (it gives " + dec.shape.str() +
                            "; a pool that floors an odd size cannot be undone by upsampling: give model.decoder)");
        }
    } else {
        for (size_t j = 0; j < dec_maps.size(); ++j) {
            const LayerSpec& s = dec_maps[j];
            bool later_weighted = false;
            for (size_t q = j + 1; q < dec_maps.size(); ++q) later_weighted = later_weighted || weighted(dec_maps[q].kind);
            size_t index = 0;
            for (size_t i = 0, seen = 0; i < m.decoder.size(); ++i)
                if (!m.decoder[i].is_dense() && seen++ == j) index = i;
            add_map_layer(dec, s, layer_name("model.decoder", index, s), weighted(s.kind) && later_weighted, act);
        }
        if (!(dec.shape == plan.input))
            throw Error("model.decoder: the last layer gives " + dec.shape.str() + ", the input is " + plan.input.str() +
                        " (channels x rows x cols)");
    }
    dec.flatten();
    return plan;
}

}  // namespace ae
