// The architecture of a model, written as layer specs and planned into PyTorch modules with shapes.
//
// Layer specs (config "model.encoder" / "model.decoder", the `--encoder` / `--decoder` flags):
//   512          Dense (nn.Linear) of width 512
//   c32k4s2p1    Conv2d: 32 output channels, kernel 4, stride 2, padding 1 (encoder, or decoder at stride 1)
//                stride defaults to 1, padding to (k - s) / 2 rounded down
//   m2           MaxPool2d(2): kernel = stride = 2, no padding, floor of the size (encoder only)
//   t32k4s2p1o1  ConvTranspose2d: 32 output channels, kernel 4, stride 2, padding 1, output padding 1 (default 0)
//                (decoder only)
//   u2           Upsample(scale_factor=2, mode='nearest') (decoder only)
// An encoder lists its convolutions and pools first, then Dense widths (applied to the flattened map); a
// decoder lists Dense widths first (from the code), then its map layers. In JSON a Dense width is a number,
// the others strings: "encoder": ["c32k4s2p1", "c64k4s2p1", 256].
//
// The plan: every stack is an nn.Sequential from a flat vector to a flat vector, so module indices (and the
// state_dict names "encoder.<i>.weight") count every module, activations, Flatten and Unflatten included.
//   encoder (map layers):  Unflatten(1, (C, H, W)), Conv2d, act, [MaxPool2d], Conv2d, act, ..., Flatten,
//                          then per Dense width Linear + act, then the code (non-VAE): Linear(.., latent)
//                          [+ latent activation if not identity]. For the vae the encoder ends before the
//                          heads mu = Linear(h, latent) and logvar = Linear(h, latent).
//   encoder (dense only):  Linear + act per width, then the code (as above).
//   decoder (mirror, "decoder": [] of a map encoder): per encoder Dense width in reverse Linear + act, then
//                          Linear(.., C*H*W of the encoder's last map) + act, Unflatten(1, (C, H, W)), then the
//                          encoder's map layers in reverse: MaxPool2d p -> Upsample(p); Conv2d(C0 -> C1, k, s, p)
//                          -> ConvTranspose2d(C1 -> C0, k, s, p, output_padding = what restores the encoder-side
//                          size), each convolution followed by the hidden activation except the decoder's last
//                          weighted layer (its output are the logits), then Flatten.
//   decoder (explicit map layers): the same start (Linear(s) to the encoder's last map, act, Unflatten), then the
//                          given layers in order; the last one must produce the input shape.
//   decoder (dense):       Linear + act per width (default: the encoder's widths reversed), Linear(.., D).
// cvae (dense only): encoder.0 reads [x; y] (D + num_classes inputs), decoder.0 reads [z; y] (latent + num_classes).
// Hidden activations are always a module (nn.Identity for "identity"); the output activation is not in the
// decoder (it is applied to the logits by the reconstruction, see autoencoder.h).
// B3, `--model vae --encoder c32k4s2p1,c64k4s2p1 --latent 20` on 28x28 images:
//   encoder = Sequential(Unflatten(1, (1, 28, 28)), Conv2d(1, 32, 4, 2, 1), ReLU, Conv2d(32, 64, 4, 2, 1), ReLU,
//                        Flatten)  -> encoder.1.*, encoder.3.*;  mu, logvar = Linear(3136, 20)
//   decoder = Sequential(Linear(20, 3136), ReLU, Unflatten(1, (64, 7, 7)), ConvTranspose2d(64, 32, 4, 2, 1), ReLU,
//                        ConvTranspose2d(32, 1, 4, 2, 1), Flatten)  -> decoder.0.*, decoder.3.*, decoder.5.*
// Shape errors (a kernel larger than the padded map, a size the decoder cannot restore) are ae::Error naming
// the field, the layer and the sizes.
#pragma once

#include <string>
#include <vector>

#include "ae/activation.h"

namespace ae {

enum class LayerKind { dense, conv, conv_transpose, maxpool, upsample };

struct LayerSpec {
    LayerKind kind = LayerKind::dense;
    int size = 0;            // dense: width; conv / conv_transpose: output channels; maxpool: kernel = stride;
                             // upsample: scale factor
    int kernel = 0, stride = 1, padding = 0, output_padding = 0;  // conv / conv_transpose
    LayerSpec() = default;
    LayerSpec(int width) : size(width) {}  // a Dense width (implicit, so {512, 256} is a list of Dense widths)
    bool is_dense() const { return kind == LayerKind::dense; }
    bool operator==(const LayerSpec& o) const {
        return kind == o.kind && size == o.size && kernel == o.kernel && stride == o.stride &&
               padding == o.padding && output_padding == o.output_padding;
    }
    bool operator!=(const LayerSpec& o) const { return !(*this == o); }
};

// "512", "c32k4s2p1", "m2", "t32k4s2p1", "t32k4s2p1o1", "u2" (padding always written; output padding when > 0).
std::string layer_spec_to_string(const LayerSpec& s);
std::string layer_specs_to_string(const std::vector<LayerSpec>& s);  // comma-separated
// Parses one spec; errors are ae::Error naming `what` and the text.
LayerSpec layer_spec_from_string(const std::string& s, const std::string& what);
// "c32k4s2p1,c64k4s2p1,256" ("" = none).
std::vector<LayerSpec> parse_layer_specs(const std::string& s, const std::string& what);
bool has_map_layers(const std::vector<LayerSpec>& s);

// A feature map [c, h, w] (a vector is [n, 1, 1]).
struct Shape {
    int c = 1, h = 1, w = 1;
    long long size() const { return static_cast<long long>(c) * h * w; }
    bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w; }
    std::string str() const;  // "64x7x7"
};

// One module of a stack, with its shapes.
struct ModulePlan {
    std::string type;         // PyTorch module: Linear, Conv2d, ConvTranspose2d, MaxPool2d, Upsample, Flatten,
                              // Unflatten, or an activation (ReLU, LeakyReLU, Sigmoid, Tanh, Identity)
    std::string name;         // state_dict prefix: "encoder.1", "mu", "decoder.0"
    LayerSpec spec;           // Linear: size = out features; conv kinds: kernel, stride, padding, output padding
    Activation activation = Activation::identity;  // activation modules
    Shape in, out;
    bool has_params() const { return type == "Linear" || type == "Conv2d" || type == "ConvTranspose2d"; }
    std::string describe() const;  // PyTorch's repr: "Conv2d(1, 32, kernel_size=(4, 4), stride=(2, 2), ...)"
};

struct ModelConfig;

struct ArchitecturePlan {
    Shape input;                       // [input_channels, input_rows, input_cols]
    std::vector<ModulePlan> encoder;   // input (flat) -> code (non-VAE) or the heads' input h (vae)
    std::vector<ModulePlan> heads;     // vae: mu, logvar (Linear h -> latent); empty otherwise
    std::vector<ModulePlan> decoder;   // code (flat) -> logits (flat, CHW order)
    bool convolutional = false;        // any map layer
    std::string describe() const;      // one module per line, PyTorch style, with output shapes
};

// Plans the modules of `m`; throws ae::Error naming the field ("model.encoder: layer 2 'c64k9s1p0': kernel 9
// is larger than the padded map 7x7") for specs that do not fit. Does not allocate parameters.
ArchitecturePlan plan_architecture(const ModelConfig& m);

}  // namespace ae
