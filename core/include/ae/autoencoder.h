// The autoencoder: an encoder stack of Dense layers (input -> hidden ... -> latent code) and a decoder
// stack (code -> hidden ... -> input), the decoder mirroring the encoder unless given.
//
//   x [D, n] --encoder--> z [latent, n] --decoder--> logits [D, n] --output f--> reconstruction [D, n]
//
// Hidden layers use config.activation, the code layer config.latent_activation, the reconstruction
// config.output (sigmoid for bce). Loss: config.loss summed over pixels, reported per pixel.
// Parameter names follow a PyTorch nn.Sequential with activations interleaved: encoder.0.weight,
// encoder.0.bias, encoder.2.weight, ..., decoder.0.weight, ... (weights [out, in]).
//
// Batches are columns (one sample per column). Training uses a Workspace sized once for the largest
// batch; forward_backward then never allocates.
#pragma once

#include <vector>

#include "ae/config.h"
#include "ae/eigen.h"
#include "ae/params.h"
#include "ae/rng.h"
#include "ae/thread_pool.h"

namespace ae {

// The terms of the training objective, each in the model's reporting unit (loss_unit()):
//   every type but vae: "per pixel" — reconstruction = mean over images and pixels of the reconstruction
//       loss (PyTorch's reduction='mean'); sparsity = weight * penalty (l1: mean over images of sum_j |h_j|;
//       kl: sum_j KL(rho || rho_hat_j) over the batch); contractive = weight * mean over images of
//       ‖J_f(x)‖²_F; kl = 0.
//   vae: "nats per image" — reconstruction = summed BCE (or squared error) per image, kl = KL(q(z|x) ‖ N(0, I))
//       per image (unweighted), sparsity = contractive = 0. With beta = 1, total = -ELBO per image, the
//       unit of the PyTorch VAE example (summed BCE + KL, divided by the number of images).
// total = reconstruction + beta_eff * kl + sparsity + contractive (beta_eff: beta after warm-up; 1 for
// non-VAE types, whose kl is 0).
struct LossTerms {
    double reconstruction = 0.0;
    double kl = 0.0;
    double sparsity = 0.0;
    double contractive = 0.0;
    double total = 0.0;
};

// "per pixel" or "nats per image" (see LossTerms).
const char* loss_unit(const ModelConfig& m);

class Autoencoder {
public:
    struct Layer {
        int in = 0, out = 0;
        int weight = -1, bias = -1;  // tensor indices in the ParamStore
        Activation activation = Activation::identity;  // applied to this layer's output
    };

    // Per-layer activations and gradients for up to `capacity` samples.
    struct Workspace {
        int capacity = 0;
        std::vector<Matrix> pre;   // [out_l, capacity] pre-activations
        std::vector<Matrix> post;  // [out_l, capacity] activations (last layer: the reconstruction)
        std::vector<Matrix> grad;  // [out_l, capacity] d loss / d pre-activation
        LossTerms terms;           // of the last forward / forward_backward, in loss_unit()
    };

    // Throws ae::Error if the config is invalid.
    explicit Autoencoder(const ModelConfig& config);

    // Initialises every weight (config.init) and zeroes biases, in layer order from `rng`.
    void init(Rng& rng);

    const ModelConfig& config() const { return config_; }
    ParamStore& params() { return params_; }
    const ParamStore& params() const { return params_; }
    const std::vector<Layer>& layers() const { return layers_; }
    int input_dim() const { return config_.input_dim(); }
    int latent_dim() const { return config_.latent; }
    int encoder_layers() const { return n_encoder_; }

    Workspace make_workspace(int capacity) const;

    // Forward pass of x [D, n] (n <= ws.capacity) through every layer into ws; returns the loss summed
    // over all n * D elements against `target` [D, n] (for a plain autoencoder target = x).
    double forward(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
                   ThreadPool* pool = nullptr) const;
    // forward, then backpropagation; adds d(loss * grad_scale)/d(params) into params().grads().
    double forward_backward(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
                            float grad_scale, ThreadPool* pool = nullptr);
    // After forward: views of the code and reconstruction of the first n samples.
    MatrixBlock code(Workspace& ws, int n) const { return ws.post[n_encoder_ - 1].leftCols(n); }
    MatrixBlock reconstruction(Workspace& ws, int n) const { return ws.post.back().leftCols(n); }

    // Convenience batch APIs (allocate their own scratch; any n; processed in chunks of 1024).
    Matrix encode(const Eigen::Ref<const Matrix>& x, ThreadPool* pool = nullptr) const;        // [latent, n]
    Matrix decode(const Eigen::Ref<const Matrix>& z, ThreadPool* pool = nullptr) const;        // [D, n]
    Matrix reconstruct(const Eigen::Ref<const Matrix>& x, ThreadPool* pool = nullptr) const;   // [D, n]

private:
    Eigen::Map<const RowMatrix> weight(int l) const;
    Eigen::Map<const Vector> bias(int l) const;
    // Runs layers [first, last) on input `in` [layers_[first].in, n] into ws.
    void run_layers(Workspace& ws, int first, int last, const Eigen::Ref<const Matrix>& in, ThreadPool* pool) const;

    ModelConfig config_;
    ParamStore params_;
    std::vector<Layer> layers_;
    int n_encoder_ = 0;
};

}  // namespace ae
