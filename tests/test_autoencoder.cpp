// The whole autoencoder: parameter layout and names, encode/decode/reconstruct, shape errors, and
// forward_backward's parameter gradients against central differences of forward() on the float model.
//
// Whole-model gradient check (float, as trained): small model 4x4 -> {6, 5} -> 3 -> {5, 6} -> 4x4, batch 3,
// inputs in [0, 1]. Objective: forward()'s loss sum (grad_scale = 1). Every parameter p is moved by
// h = 1e-2 both ways; numeric = (L(p + h) - L(p - h)) / (2h). Tolerance: relative error
// |a - n| / max(1, |a|, |n|) < 2e-3 for every parameter. Error budget: float rounding of L (~50 terms) is
// ~ 1e-7 * 30 / 0.02 ~ 2e-4, truncation h^2 |L'''| / 6 ~ 1e-4 * O(1-10); measured worst 1.9e-4 (sigmoid
// hidden layers, bce), so 2e-3 (ten times that, tighter than the customary 2e-2 for float) still catches
// any wrong factor or missing term.
// Kink escape for relu / leaky_relu: if the perturbation flips the sign of any hidden pre-activation
// (the finite difference then straddles a kink), the parameter is skipped; at most 10% may be skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/error.h"
#include "ae/rng.h"
#include "model_gradcheck.h"

namespace {

using ae::Activation;
using ae::Loss;

ae::ModelConfig small_config(Activation act, Loss loss, Activation output = Activation::sigmoid) {
    ae::ModelConfig m;
    m.input_rows = 4;
    m.input_cols = 4;
    m.encoder = {6, 5};
    m.latent = 3;
    m.activation = act;
    m.latent_activation = act;
    m.output = output;
    m.loss = loss;
    return m;
}

ae::Matrix random_pixels(ae::Rng& rng, int rows, int cols) {
    ae::Matrix x(rows, cols);
    for (int c = 0; c < cols; ++c)
        for (int r = 0; r < rows; ++r) x(r, c) = rng.uniform();
    return x;
}

TEST(Autoencoder, ParameterNamesAndShapes) {
    ae::Autoencoder model(small_config(Activation::relu, Loss::bce));
    const auto& t = model.params().tensors();
    const std::vector<std::string> names = {"encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
                                            "encoder.4.weight", "encoder.4.bias", "decoder.0.weight", "decoder.0.bias",
                                            "decoder.2.weight", "decoder.2.bias", "decoder.4.weight", "decoder.4.bias"};
    const std::vector<std::vector<int>> shapes = {{6, 16}, {6}, {5, 6}, {5}, {3, 5}, {3},
                                                  {5, 3},  {5}, {6, 5}, {6}, {16, 6}, {16}};
    ASSERT_EQ(t.size(), names.size());
    size_t count = 0;
    for (size_t i = 0; i < t.size(); ++i) {
        EXPECT_EQ(t[i].name, names[i]);
        EXPECT_EQ(t[i].shape, shapes[i]) << names[i];
        EXPECT_EQ(t[i].offset % 16, 0u) << names[i];  // 64-byte aligned offsets
        count += t[i].size;
    }
    EXPECT_EQ(model.params().count(), count);
    // Modules: Linear, ReLU, Linear, ReLU, Linear, ReLU (the latent activation, set to relu above); decoder
    // Linear, ReLU, Linear, ReLU, Linear (logits; the output sigmoid is the reconstruction's).
    const std::vector<std::string> enc = {"Linear", "ReLU", "Linear", "ReLU", "Linear", "ReLU"};
    const std::vector<std::string> dec = {"Linear", "ReLU", "Linear", "ReLU", "Linear"};
    ASSERT_EQ(model.encoder().layers.size(), enc.size());
    ASSERT_EQ(model.decoder().layers.size(), dec.size());
    for (size_t i = 0; i < enc.size(); ++i) EXPECT_EQ(model.encoder().layers[i]->type(), enc[i]);
    for (size_t i = 0; i < dec.size(); ++i) EXPECT_EQ(model.decoder().layers[i]->type(), dec[i]);
    EXPECT_EQ(model.latent_dim(), 3);
    EXPECT_EQ(model.input_dim(), 16);

    // An explicit decoder overrides the mirror.
    ae::ModelConfig c = small_config(Activation::tanh, Loss::mse);
    c.decoder = {9};
    ae::Autoencoder m2(c);
    ASSERT_EQ(m2.params().tensors().size(), 10u);
    EXPECT_EQ(m2.params().tensors()[6].name, "decoder.0.weight");
    EXPECT_EQ(m2.params().tensors()[6].shape, (std::vector<int>{9, 3}));
    EXPECT_EQ(m2.params().tensors()[8].name, "decoder.2.weight");
    EXPECT_EQ(m2.params().tensors()[8].shape, (std::vector<int>{16, 9}));
}

TEST(Autoencoder, InitIsDeterministicAndZeroesBiases) {
    ae::ModelConfig c = small_config(Activation::relu, Loss::bce);
    c.init = ae::Init::automatic;  // he / glorot: zero biases (the "torch" default draws them too)
    ae::Autoencoder a(c), b(c);
    ae::Rng ra(5, 1), rb(5, 1);
    a.init(ra);
    b.init(rb);
    EXPECT_EQ(a.params().values(), b.params().values());
    const auto& t = a.params().tensors();
    for (size_t k = 0; k < t.size(); ++k) {
        const float* v = a.params().value(static_cast<int>(k));
        float norm = 0.0f;
        for (size_t i = 0; i < t[k].size; ++i) norm += v[i] * v[i];
        if (t[k].shape.size() == 1) EXPECT_EQ(norm, 0.0f) << t[k].name;  // bias
        else EXPECT_GT(norm, 0.0f) << t[k].name;
    }
}

// "torch" (PyTorch's nn.Linear default): W and b uniform on [-1/sqrt(in), 1/sqrt(in)].
TEST(Autoencoder, TorchInitBounds) {
    ae::ModelConfig c = small_config(Activation::relu, Loss::bce);
    c.init = ae::Init::torch;
    ae::Autoencoder model(c);
    ae::Rng rng(6, 1);
    model.init(rng);
    const auto& t = model.params().tensors();
    for (size_t k = 0; k + 1 < t.size(); k += 2) {  // weight [out, in], bias [out]
        const int out = t[k].shape[0], in = t[k].shape[1];
        const float bound = 1.0f / std::sqrt(float(in));
        const float* w = model.params().value(static_cast<int>(k));
        const float* b = model.params().value(static_cast<int>(k + 1));
        float wmax = 0.0f;
        for (int i = 0; i < out * in; ++i) wmax = std::max(wmax, std::fabs(w[i]));
        for (int i = 0; i < out; ++i) EXPECT_LE(std::fabs(b[i]), bound * 1.0001f);
        EXPECT_LE(wmax, bound * 1.0001f);
        EXPECT_GT(wmax, 0.3f * bound);
    }
}

TEST(Autoencoder, EncodeDecodeReconstructShapesAndConsistency) {
    ae::Autoencoder model(small_config(Activation::tanh, Loss::bce));
    ae::Rng rng(11, 1);
    model.init(rng);
    ae::ThreadPool pool(2);
    for (int n : {1, 5, 1500}) {  // 1500 > the 1024-sample chunk of the batch APIs
        const ae::Matrix x = random_pixels(rng, 16, n);
        const ae::Matrix z = model.encode(x);
        EXPECT_EQ(z.rows(), 3);
        EXPECT_EQ(z.cols(), n);
        const ae::Matrix y = model.decode(z);
        EXPECT_EQ(y.rows(), 16);
        EXPECT_EQ(y.cols(), n);
        const ae::Matrix r = model.reconstruct(x);
        EXPECT_EQ(r, y);  // reconstruct == decode(encode)
        EXPECT_TRUE((r.array() > 0.0f && r.array() < 1.0f).all());  // sigmoid output
        const ae::Matrix rp = model.reconstruct(x, &pool);
        EXPECT_LT((rp - r).cwiseAbs().maxCoeff(), 1e-5f);
        // Matches the training forward pass.
        if (n <= 5) {
            auto ws = model.make_workspace(8);
            model.forward(ws, x, x);
            EXPECT_LT((model.reconstruction(ws, n) - r).cwiseAbs().maxCoeff(), 1e-6f);
            EXPECT_LT((model.code(ws, n) - z).cwiseAbs().maxCoeff(), 1e-6f);
        }
    }
    EXPECT_EQ(model.encode(ae::Matrix(16, 0)).cols(), 0);
}

TEST(Autoencoder, BadInputSizesThrow) {
    ae::Autoencoder model(small_config(Activation::relu, Loss::bce));
    ae::Rng rng(1, 1);
    model.init(rng);
    auto ws = model.make_workspace(4);
    const ae::Matrix bad = ae::Matrix::Zero(15, 2), good = ae::Matrix::Zero(16, 2), big = ae::Matrix::Zero(16, 5);
    EXPECT_THROW(model.forward(ws, bad, bad), ae::Error);
    EXPECT_THROW(model.forward(ws, good, ae::Matrix::Zero(16, 3)), ae::Error);  // target shape
    EXPECT_THROW(model.forward(ws, big, big), ae::Error);                       // over workspace capacity
    EXPECT_THROW(model.forward_backward(ws, bad, bad, 1.0f), ae::Error);
    EXPECT_THROW(model.encode(bad), ae::Error);
    EXPECT_THROW(model.decode(ae::Matrix::Zero(4, 2)), ae::Error);
    EXPECT_THROW(model.reconstruct(bad), ae::Error);
    EXPECT_THROW(model.make_workspace(0), ae::Error);
    ae::ModelConfig c = small_config(Activation::relu, Loss::bce);
    c.latent = 0;
    EXPECT_THROW(ae::Autoencoder{c}, ae::Error);
    c = small_config(Activation::relu, Loss::bce, Activation::identity);  // bce needs sigmoid
    EXPECT_THROW(ae::Autoencoder{c}, ae::Error);
}

// Signs of the pre-activations that feed a kinked activation (relu, leaky_relu), read off the activation
// layers' outputs (positive exactly where the input is).
std::vector<bool> kink_pattern(const ae::Autoencoder& model, ae::Autoencoder::Workspace& ws, int n) {
    std::vector<bool> signs;
    for (auto [stack, sws] : {std::pair{&model.encoder(), &ws.enc}, std::pair{&model.decoder(), &ws.dec}})
        for (size_t l = 0; l < stack->layers.size(); ++l) {
            const std::string& type = stack->layers[l]->type();
            if (type != "ReLU" && type != "LeakyReLU") continue;
            auto y = stack->layer_output(*sws, static_cast<int>(l), n);
            for (Eigen::Index i = 0; i < y.size(); ++i) signs.push_back(y(i) > 0.0f);
        }
    return signs;
}

struct LossCase {
    Loss loss;
    Activation output;
    const char* name;
};

TEST(Autoencoder, ParameterGradientsMatchCentralDifferences) {
    const Activation acts[] = {Activation::identity, Activation::relu, Activation::leaky_relu, Activation::sigmoid,
                               Activation::tanh};
    const LossCase losses[] = {{Loss::bce, Activation::sigmoid, "bce"},
                               {Loss::mse, Activation::sigmoid, "mse+sigmoid"},
                               {Loss::mse, Activation::identity, "mse+identity"}};
    const float h = 1e-2f;
    const double tol = 2e-3;
    const int n = 3;
    for (Activation act : acts) {
        for (const LossCase& lc : losses) {
            SCOPED_TRACE(std::string(ae::activation_name(act)) + " / " + lc.name);
            ae::Autoencoder model(small_config(act, lc.loss, lc.output));
            ae::Rng rng(1000 + static_cast<int>(act), 3);
            model.init(rng);
            // Non-zero biases so that every bias gradient path is exercised away from symmetric points.
            for (size_t k = 1; k < model.params().tensors().size(); k += 2)
                for (size_t i = 0; i < model.params().tensors()[k].size; ++i)
                    model.params().value(static_cast<int>(k))[i] = 0.1f * float(rng.normal());
            const ae::Matrix x = random_pixels(rng, 16, n);
            auto ws = model.make_workspace(n);

            model.params().zero_grad();
            model.forward_backward(ws, x, x, 1.0f);
            const std::vector<float> analytic = model.params().grads();

            // grad_scale scales the gradient; gradients accumulate.
            model.forward_backward(ws, x, x, 0.5f);
            for (size_t i = 0; i < analytic.size(); ++i)
                ASSERT_NEAR(model.params().grads()[i], 1.5f * analytic[i], 1e-5f * (1.0f + std::fabs(analytic[i])));

            model.forward(ws, x, x);
            const std::vector<bool> base = kink_pattern(model, ws, n);
            std::vector<float>& p = model.params().values();
            int checked = 0, skipped = 0;
            double worst = 0.0;
            for (const auto& t : model.params().tensors()) {
                for (size_t k = 0; k < t.size; ++k) {
                    const size_t i = t.offset + k;
                    const float saved = p[i];
                    p[i] = saved + h;
                    const double lp = model.forward(ws, x, x);
                    const bool flip_p = kink_pattern(model, ws, n) != base;
                    p[i] = saved - h;
                    const double lm = model.forward(ws, x, x);
                    const bool flip_m = kink_pattern(model, ws, n) != base;
                    p[i] = saved;
                    if (flip_p || flip_m) {
                        ++skipped;
                        continue;
                    }
                    // The step actually taken in float: (saved + h) - (saved - h) may differ from 2h.
                    const double step = double(saved + h) - double(saved - h);
                    const double numeric = (lp - lm) / step;
                    const double a = analytic[i];
                    const double rel = std::fabs(a - numeric) / std::max({1.0, std::fabs(a), std::fabs(numeric)});
                    worst = std::max(worst, rel);
                    ++checked;
                    EXPECT_LT(rel, tol) << t.name << "[" << k << "] analytic " << a << " numeric " << numeric;
                }
            }
            RecordProperty(std::string("worst_") + ae::activation_name(act) + "_" + lc.name,
                           std::to_string(worst) + " skipped " + std::to_string(skipped));
            EXPECT_LE(skipped, (checked + skipped) / 10) << "too many parameters next to a kink";
            EXPECT_GT(checked, 0);
        }
    }
}

// The argmax of every max pool of the last forward: a kink of the objective where it changes.
std::vector<int32_t> pool_pattern(const ae::Autoencoder& model, ae::Autoencoder::Workspace& ws, int n) {
    std::vector<int32_t> out;
    for (auto [stack, sws] : {std::pair{&model.encoder(), &ws.enc}, std::pair{&model.decoder(), &ws.dec}})
        for (size_t l = 0; l < stack->layers.size(); ++l) {
            if (stack->layers[l]->type() != "MaxPool2d") continue;
            const auto* idx = reinterpret_cast<const int32_t*>(sws->scratch[l].data());
            out.insert(out.end(), idx, idx + stack->layers[l]->scratch_floats(n));
        }
    return out;
}

// Whole convolutional models (issue 9): forward_backward's parameter gradient against central differences
// of the objective, for every model type that takes a conv encoder and every map layer kind. Max pools are
// piecewise linear: a parameter whose +-h perturbation moves a pool's argmax straddles a kink and is skipped
// (here up to ~10% of the parameters of the pooling models: h = 1e-2 is large next to the gaps).
TEST(Autoencoder, ConvolutionalModelGradientsMatchCentralDifferences) {
    struct Case {
        const char* type;
        const char* encoder;
        const char* decoder;
        int channels;
    };
    const Case cases[] = {{"vae", "c3k3s2p1", "", 1},                 // conv VAE: strided conv, transposed conv (op 1)
                          {"ae", "c3k3,m2,c2k3,m2", "", 2},           // pools -> upsampling, two input channels
                          {"sparse", "c2k3s2p1,5", "", 1},            // a Dense width after the flatten; kl sparsity
                          {"denoising", "c3k3,m2", "u2,c2k3,c1k3", 1}};  // explicit decoder with convolutions
    const float h = 1e-2f;
    const double tol = 3e-3;
    for (const Case& cs : cases) {
        SCOPED_TRACE(std::string(cs.type) + " " + cs.encoder + " / " + cs.decoder);
        ae::ModelConfig m = ae::model_defaults(cs.type);
        m.input_channels = cs.channels;
        m.input_rows = m.input_cols = 8;
        m.encoder = ae::parse_layer_specs(cs.encoder, "encoder");
        m.decoder = ae::parse_layer_specs(cs.decoder, "decoder");
        m.latent = 3;
        m.activation = Activation::tanh;  // smooth: the pools are the only kinks
        if (std::string(cs.type) == "sparse") m.latent_activation = Activation::sigmoid;
        ae::Autoencoder model(m);
        ae::Rng rng(77, 1);
        model.init(rng);
        const ae::Matrix x = gradcheck::random_pixels(rng, model.input_dim(), 3);
        const int n = static_cast<int>(x.cols());
        auto ws = model.make_workspace(n);
        model.params().zero_grad();
        {
            ae::Rng r(9, 77);
            model.forward_backward(ws, x, x, 1.0f, nullptr, &r);
        }
        const std::vector<float> analytic = model.params().grads();
        auto objective = [&]() {
            ae::Rng r(9, 77);
            model.forward(ws, x, x, nullptr, &r);
            return gradcheck::objective(model, ws, x, x, 9);
        };
        std::vector<float>& p = model.params().values();
        int checked = 0, skipped = 0;
        double worst = 0.0;
        for (const auto& t : model.params().tensors())
            for (size_t k = 0; k < t.size; ++k) {
                const size_t i = t.offset + k;
                const float saved = p[i];
                p[i] = saved + h;
                const double lp = objective();
                const auto kp = pool_pattern(model, ws, n);
                p[i] = saved - h;
                const double lm = objective();
                const auto km = pool_pattern(model, ws, n);
                p[i] = saved;
                if (kp != km) {
                    ++skipped;
                    continue;
                }
                const double numeric = (lp - lm) / (double(saved + h) - double(saved - h));
                const double rel = std::fabs(analytic[i] - numeric) / std::max({1.0, std::fabs(numeric), double(std::fabs(analytic[i]))});
                worst = std::max(worst, rel);
                ++checked;
                EXPECT_LT(rel, tol) << t.name << "[" << k << "] analytic " << analytic[i] << " numeric " << numeric;
            }
        EXPECT_LE(skipped, checked / 5) << "too many parameters at a pool kink";
        std::printf("%s %s / '%s': %d parameters checked, %d at a pool kink skipped, worst relative error %.2e\n",
                    cs.type, cs.encoder, cs.decoder, checked, skipped, worst);
    }
}

}  // namespace
