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
// Model types (config.type, see config.h) on this one class:
//   ae, linear, denoising: the plain stack (corruption is applied by the caller: TrainingSession corrupts
//       x and passes the clean image as target).
//   sparse: + sparsity penalty on the code (penalty.h); contractive: + contractive penalty (penalty.h).
//   vae (D. P. Kingma, M. Welling, "Auto-Encoding Variational Bayes", ICLR 2014): the code layer is the μ
//       head; a second head log σ² reads the same input; z = μ + exp(log σ² / 2) ⊙ ε, ε ~ N(0, I) from the
//       Rng passed to forward/forward_backward (ε = 0, i.e. z = μ, without one); the decoder reads z.
//       KL(q(z|x) ‖ N(0, I)) = 0.5 sum_j (μ_j² + σ_j² - 1 - log σ_j²) (their appendix B), weighted by
//       kl_weight() (beta after warm-up, set by the session).
//
// PyTorch module layouts whose state_dict matches ours exactly (strict load):
//   non-VAE:  encoder = nn.Sequential(Linear(D, e0), act, Linear(e0, e1), act, ..., Linear(e_last, latent)
//                                     [, latent_act]),
//             decoder = nn.Sequential(Linear(latent, d0), act, ..., Linear(d_last, D) [, output act])
//             -> encoder.0.weight/bias, encoder.2..., decoder.0..., decoder.2... (Linear at even indices).
//   vae:      encoder = nn.Sequential(Linear(D, e0), act, ..., Linear(e_{k-2}, e_{k-1}), act)   (hidden only;
//             empty Sequential for encoder []), mu = Linear(e_last or D, latent), logvar = Linear(same, latent),
//             decoder = nn.Sequential(Linear(latent, d0), act, ..., Linear(d_last, D)) producing logits
//             (sigmoid for the reconstruction). Tensor order: encoder.*, mu.*, logvar.*, decoder.*.
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
        // vae: [latent, capacity] each; grad_in: [input of the μ head, capacity]
        Matrix logvar, eps, z, grad_z, grad_logvar, grad_in;
        // contractive: per encoder layer [out_l, capacity]: tangent pre (W u), tangent u, f', f'', tangent
        // gradient, and the extra gradient on the pre-activation; probe [D, capacity]
        std::vector<Matrix> tan_t, tan_u, tan_d1, tan_d2, tan_g, extra;
        Matrix probe;
        Vector rho_hat;            // sparse (kl): batch-mean code activations [latent]
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

    // Forward pass of x [D, n] (n <= ws.capacity) through every layer into ws; returns the reconstruction
    // loss summed over all n * D elements against `target` [D, n] (for a plain autoencoder target = x) and
    // fills ws.terms (every term, in loss_unit()). `rng` draws the VAE's ε and the contractive probes of a
    // deep encoder; without it the VAE decodes z = μ and a deep contractive penalty is reported as 0.
    double forward(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
                   ThreadPool* pool = nullptr, Rng* rng = nullptr) const;
    // forward, then backpropagation of the whole objective. The gradient added into params().grads() is
    //     d(recon_sum * grad_scale)/dθ + grad_scale / u * d(penalties and beta * KL in loss_unit)/dθ,
    // u = 1/(n D) (per pixel) or 1/n (vae, per image): with grad_scale = u it is the gradient of
    // ws.terms.total; the session passes 1/(n D) for per-pixel types and 1 for the vae (the batch SUM, as
    // the PyTorch VAE example, which matters for Adam's eps). A VAE or deep contractive model needs `rng`.
    double forward_backward(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
                            float grad_scale, ThreadPool* pool = nullptr, Rng* rng = nullptr);
    // KL weight of the vae (beta after warm-up); the session sets it each step. Default config.beta.
    void set_kl_weight(float w) { kl_weight_ = w; }
    float kl_weight() const { return kl_weight_; }
    bool is_vae() const { return config_.is_vae(); }
    // After forward: views of the code and reconstruction of the first n samples.
    MatrixBlock code(Workspace& ws, int n) const { return ws.post[n_encoder_ - 1].leftCols(n); }
    MatrixBlock reconstruction(Workspace& ws, int n) const { return ws.post.back().leftCols(n); }

    // Convenience batch APIs (allocate their own scratch; any n; processed in chunks of 1024).
    Matrix encode(const Eigen::Ref<const Matrix>& x, ThreadPool* pool = nullptr) const;        // [latent, n]
    Matrix decode(const Eigen::Ref<const Matrix>& z, ThreadPool* pool = nullptr) const;        // [D, n]
    Matrix reconstruct(const Eigen::Ref<const Matrix>& x, ThreadPool* pool = nullptr) const;   // [D, n]
    // Decoder logits (the last pre-activation) of codes z: [D, n].
    Matrix decode_logits(const Eigen::Ref<const Matrix>& z, ThreadPool* pool = nullptr) const;
    // vae: the Gaussian encoder's μ and log σ² [latent, n] each. Other types: mu = code, logvar = 0.
    void encode_gaussian(const Eigen::Ref<const Matrix>& x, Matrix& mu, Matrix& logvar,
                         ThreadPool* pool = nullptr) const;
    // Exact encoder Jacobian dz/dx [latent, D] at one input x [D] (forward mode over the D input
    // directions; for the vae, of μ). Cost O(D * sum of layer sizes): meant for measurement, not training.
    Eigen::MatrixXd encoder_jacobian(const Eigen::Ref<const Vector>& x) const;

private:
    Eigen::Map<const RowMatrix> weight(int l) const;
    Eigen::Map<const Vector> bias(int l) const;
    Eigen::Map<const RowMatrix> weight_of(const Layer& l) const;
    Eigen::Map<const Vector> bias_of(const Layer& l) const;
    double run(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
               float grad_scale, ThreadPool* pool, Rng* rng, bool backward) const;
    // The contractive penalty sum_i ‖J_f(x_i)‖²_F (exact or probe estimate); with backward, adds
    // coef * gradient (weights directly, pre-activations into ws.extra).
    double contractive(Workspace& ws, const Eigen::Ref<const Matrix>& x, float coef, Rng* rng, bool backward) const;
    // Runs layers [first, last) on input `in` [layers_[first].in, n] into ws.
    void run_layers(Workspace& ws, int first, int last, const Eigen::Ref<const Matrix>& in, ThreadPool* pool) const;

    ModelConfig config_;
    ParamStore params_;
    std::vector<Layer> layers_;
    Layer logvar_;  // vae: the log σ² head (not in the layer chain)
    int n_encoder_ = 0;
    float kl_weight_ = 1.0f;
};

}  // namespace ae
