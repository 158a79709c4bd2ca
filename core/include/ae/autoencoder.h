// The autoencoder: an encoder stack (input -> code), a code head, and a decoder stack (code -> logits), each
// stack a list of Layers (layer.h) planned from the config (architecture.h: Dense and convolutional layers).
//
//   x [D, n] --encoder--> h --head--> code z [latent, n] --decoder--> logits [D, n] --output f--> reconstruction
//
// Code heads: deterministic (every type but vae: the encoder's last Linear [+ latent activation] is the code),
// or Gaussian (vae; D. P. Kingma, M. Welling, "Auto-Encoding Variational Bayes", ICLR 2014): heads μ and
// log σ² read h; z = μ + exp(log σ² / 2) ⊙ ε, ε ~ N(0, I) from the Rng passed to forward (ε = 0, i.e. z = μ,
// without one). D = input_channels * input_rows * input_cols, pixels in PyTorch's C, H, W order.
// The objective = reconstruction loss (config.loss on the logits) + the terms: KL(q(z|x) ‖ N(0, I)) =
// 0.5 sum_j (μ_j² + σ_j² - 1 - log σ_j²) (Kingma & Welling, appendix B) weighted by kl_weight() (beta after
// warm-up, set by the session); sparsity (l1 / kl) on the code; the contractive penalty on the encoder
// (penalty.h). Each term reports its own value (LossTerms).
// Conditional VAE (config.h, type cvae; K. Sohn et al., NeurIPS 2015): the vae whose encoder reads [x; y] and
// whose decoder reads [z; y], y [num_classes, n] the one-hot class of each sample. forward() takes y from
// Workspace::condition (the caller fills its first n columns; one_hot_into below); the batch APIs take the
// class of each column (`labels`, n entries) or, without them, condition every column on default_class().
// Semantic hashing (config.h, type hashing): in a training forward (a workspace with training buffers and an
// Rng) the code layer computes σ(a + code_noise ε), ε ~ N(0, I) added to the code Linear's output a before the
// Sigmoid module; its backward is the Sigmoid's (from its output) followed by the identity on a.
// VQ-VAE (config.h, type vqvae; A. van den Oord et al., "Neural Discrete Representation Learning", NeurIPS 2017):
// the encoder's linear output z_e [latent, n] is cut into M = latent / d groups of d rows; group g of sample j is
// replaced by its nearest codebook entry e_k (squared Euclidean distance, ties to the lowest k), z_q [latent, n],
// which the decoder reads. Backward: the straight-through estimator (dL/dz_e = dL/dz_q, the paper's eq. 3 copies
// the decoder's input gradient to the encoder) plus the commitment gradient 2 β (z_e - z_q) / (n latent); the
// codebook's gradient (codebook_update "loss") is 2 (e_k - z_e) / (n latent) summed over the groups assigned to
// k (the term mean ‖sg[z_e] - e‖²; the decoder's gradient does not reach the codebook). Both terms are means over
// the n * latent code entries (F.mse_loss's reduction='mean', the reference implementations' normalisation), added
// to the per-pixel reconstruction mean. codebook_update "ema": the optimizer sees a zero codebook gradient and
// codebook_ema_update() (the session calls it after each optimizer step) sets e_k = m_k / N_k from moving averages
// of the assignment counts N_k and of the sums m_k of the z_e assigned to k (decay ema_decay, Laplace smoothing
// 1e-5; Razavi et al. 2019, appendix A.1 of the paper). Codebook initialisation: uniform on [-1/K, 1/K] (the
// reference implementation's nn.Embedding init); the EMA statistics start at N_k = 1, m_k = e_k (so an entry no
// one picks stays where it is) and are not saved (a loaded model restarts them from its codebook).
// Parameters "codebook" [K, d] (between encoder.* and decoder.*) and "code_counts" [M, K]: the number of
// training samples whose group g chose entry k in the last finished epoch (the session writes it; uniform 1 after
// init; the optimizer sees a zero gradient), the empirical prior sample_codes() draws from.
// forward() and backward() are two straight-line routines that mirror each other (llm.c's gpt2_forward /
// gpt2_backward): the stacks forward, the head, the loss and terms; then the loss gradient, the decoder
// backward, the head and terms backward, the encoder backward.
//
// Parameter names are PyTorch state_dict names of the modules planned in architecture.h (nn.Sequential
// indices count activations, Flatten and Unflatten): encoder.0.weight [out, in], ..., mu.*, logvar.*,
// decoder.*; nn.Conv2d weights [out, in, kh, kw], nn.ConvTranspose2d [in, out, kh, kw]. Tensor order:
// encoder.*, mu.*, logvar.*, codebook, code_counts, decoder.*. Files written before the layer interface (dense models) have exactly
// these names.
//
// Batches are columns (one sample per column). Training uses a Workspace sized once for the largest
// batch; forward/backward then never allocate.
#pragma once

#include <memory>
#include <vector>

#include "ae/config.h"
#include "ae/layer.h"
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
//   vqvae: "per pixel" as above, plus codebook = mean over the n * latent code entries of (z_e - z_q)² ("loss"
//       update; 0 for "ema") and commitment = vq_beta * the same mean.
//   vae: "nats per image" — reconstruction = summed BCE (or squared error) per image, kl = KL(q(z|x) ‖ N(0, I))
//       per image (unweighted), sparsity = contractive = 0. With beta = 1, total = -ELBO per image, the
//       unit of the PyTorch VAE example (summed BCE + KL, divided by the number of images).
// total = reconstruction + beta_eff * kl + sparsity + contractive + codebook + commitment (beta_eff: beta after warm-up; 1 for
// non-VAE types, whose kl is 0).
struct LossTerms {
    double reconstruction = 0.0;
    double kl = 0.0;
    double sparsity = 0.0;
    double contractive = 0.0;
    double codebook = 0.0;     // vqvae
    double commitment = 0.0;   // vqvae
    double total = 0.0;
};

// "per pixel" or "nats per image" (see LossTerms).
const char* loss_unit(const ModelConfig& m);

// One stack of layers (encoder or decoder) with its buffers.
struct StackWorkspace {
    std::vector<Matrix> act, grad;  // distinct buffers [size, capacity]; in-place layers share their input's
    std::vector<int> slot;          // slot[i]: the buffer of layer i's output (and of its gradient)
    std::vector<Vector> scratch;    // per layer, Layer::scratch_floats(capacity) (not initialised)
};

class Stack {
public:
    std::vector<std::shared_ptr<const Layer>> layers;
    bool empty() const { return layers.empty(); }
    // Buffers for batches of up to `capacity`; without `training` no gradient buffers (forward only).
    StackWorkspace make_workspace(int capacity, bool training = true) const;
    // x [in, n] -> output(ws, n). Without layers the output is x itself (see output()).
    void forward(const ParamStore& p, StackWorkspace& ws, ConstMatrixRef x, ThreadPool* pool) const;
    // Layers [begin, end) only: layer `begin` reads x if begin == 0, else layer begin - 1's output in ws.
    void forward_range(const ParamStore& p, StackWorkspace& ws, ConstMatrixRef x, size_t begin, size_t end,
                       ThreadPool* pool) const;
    // Before: output_grad(ws, n) holds dL/d(output). Adds the parameter gradients; writes dL/dx into *dx if
    // given. extra (optional, per layer): extra[i] (if non-null) is added to layer i's output gradient just
    // before layer i's backward (the contractive penalty's gradient on pre-activations).
    void backward(ParamStore& p, StackWorkspace& ws, ConstMatrixRef x, Eigen::Ref<Matrix>* dx, ThreadPool* pool,
                  const std::vector<const Matrix*>* extra = nullptr) const;
    MatrixBlock output(StackWorkspace& ws, int n) const { return ws.act[ws.slot.back()].leftCols(n); }
    MatrixBlock output_grad(StackWorkspace& ws, int n) const { return ws.grad[ws.slot.back()].leftCols(n); }
    MatrixBlock layer_output(StackWorkspace& ws, int i, int n) const { return ws.act[ws.slot[i]].leftCols(n); }
};

class Autoencoder {
public:
    // Per-stack activations and gradients for up to `capacity` samples, and the head's buffers.
    struct Workspace {
        int capacity = 0;
        StackWorkspace enc, dec;
        LossTerms terms;     // of the last forward, in loss_unit()
        Matrix recon;        // [D, capacity] the reconstruction f(logits)
        Matrix dcode;        // [latent, capacity] dL/d(code) (deterministic head: also the encoder output's)
        // vae: [latent, capacity] each; dh2: [h, capacity] (the log σ² head's input gradient)
        Matrix mu, logvar, eps, z, dmu, dlogvar, dh2;
        // contractive: per encoder Linear [out_l, capacity]: tangent pre (W u), tangent u, f', f'', tangent
        // gradient, and the extra gradient on the pre-activation; probe [D, capacity]
        std::vector<Matrix> tan_t, tan_u, tan_d1, tan_d2, tan_g, extra;
        std::vector<const Matrix*> extra_at;  // per encoder layer: &extra[l] at the l-th Linear, else null
        Matrix probe;
        // cvae: condition y [C, capacity] (the caller's one-hot classes), the stacks' inputs [x; y]
        // [D + C, capacity] and [z; y] [latent + C, capacity], and the decoder's input gradient [latent + C, capacity]
        Matrix condition, xy, zy, dzy;
        // vqvae: z holds z_q [latent, capacity] and dcode its gradient; codes [M * capacity]: the entry of group g
        // of sample j at j * M + g
        std::vector<int> codes;
        Vector rho_hat;      // sparse (kl): batch-mean code activations [latent]
        int n = 0;           // columns of the last forward
        bool have_rng = false;
        bool training = true;  // has gradient buffers
    };

    // Throws ae::Error if the config is invalid.
    explicit Autoencoder(const ModelConfig& config);

    // Initialises every weight (config.init) and bias, in parameter order from `rng`.
    void init(Rng& rng);

    const ModelConfig& config() const { return config_; }
    const ArchitecturePlan& plan() const { return plan_; }
    ParamStore& params() { return params_; }
    const ParamStore& params() const { return params_; }
    const Stack& encoder() const { return encoder_; }
    const Stack& decoder() const { return decoder_; }
    int input_dim() const { return config_.input_dim(); }
    int latent_dim() const { return config_.latent; }
    // Multiply-adds of one forward pass per sample (all layers).
    double macs_per_sample() const;
    // Columns per chunk for batch work on n samples: at most n, at most 1024, and a workspace near 64 MB
    // (the im2col buffers of a convolutional model grow with the batch).
    int chunk_for(Eigen::Index n) const;

    // Buffers for batches of up to `capacity`; without `training` only what forward needs (no gradients).
    Workspace make_workspace(int capacity, bool training = true) const;

    // Forward pass of x [D, n] (n <= ws.capacity); returns the reconstruction loss summed over all n * D
    // elements against `target` [D, n] (for a plain autoencoder target = x) and fills ws.terms (every term,
    // in loss_unit()). `rng` draws the VAE's ε, the contractive probes of a deep encoder and (hashing, only
    // with a training workspace) the code noise; without it the VAE decodes z = μ, a deep contractive
    // penalty is reported as 0 and the hashing code is noiseless.
    double forward(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
                   ThreadPool* pool = nullptr, Rng* rng = nullptr) const;
    // After forward (same x, target): backpropagation of the whole objective. The gradient added into
    // params().grads() is
    //     d(recon_sum * grad_scale)/dθ + grad_scale / u * d(penalties and beta * KL in loss_unit)/dθ,
    // u = 1/(n D) (per pixel) or 1/n (vae, per image): with grad_scale = u it is the gradient of
    // ws.terms.total; the session passes 1/(n D) for per-pixel types and 1 for the vae (the batch SUM, as
    // the PyTorch VAE example, which matters for Adam's eps).
    void backward(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
                  float grad_scale, ThreadPool* pool = nullptr);
    // forward, then backward. A VAE or deep contractive model needs `rng`.
    double forward_backward(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
                            float grad_scale, ThreadPool* pool = nullptr, Rng* rng = nullptr);
    // KL weight of the vae (beta after warm-up); the session sets it each step. Default config.beta.
    void set_kl_weight(float w) { kl_weight_ = w; }
    float kl_weight() const { return kl_weight_; }
    bool is_vae() const { return config_.is_vae(); }
    bool is_conditional() const { return config_.is_conditional(); }
    int condition_dim() const { return config_.condition_dim(); }  // C: num_classes (cvae), else 0
    // cvae: the class the batch APIs condition on when given no labels (the hosts' class picker). Throws
    // ae::Error outside [0, num_classes). Default 0. Ignored by unconditional models.
    void set_default_class(int c);
    int default_class() const { return default_class_; }
    // After forward: views of the code (μ for the vae, z_q for the vqvae) and reconstruction of the first n samples.
    MatrixBlock code(Workspace& ws, int n) const {
        return is_vae() ? ws.mu.leftCols(n) : is_vq() ? ws.z.leftCols(n) : encoder_.output(ws.enc, n);
    }
    // vqvae (ae::Error for other types where noted) -----------------------------------------------------------
    bool is_vq() const { return config_.is_vq(); }
    int code_groups() const { return config_.code_groups(); }  // M
    // z_e [latent, n] -> z_q [latent, n] and codes[j * M + g] (n * M entries); returns sum ‖z_e - z_q‖².
    double quantize(const Eigen::Ref<const Matrix>& z_e, Eigen::Ref<Matrix> z_q, int* codes) const;
    // The codebook [K, d] row-major (entry k at k * d) and the code counts [M, K] row-major.
    const float* codebook() const;
    float* codebook();
    const float* code_counts() const;
    float* code_counts();
    // Codebook indices of x [D, n]: [M, n] (column j: the entries of sample j's groups).
    Eigen::MatrixXi encode_indices(const Eigen::Ref<const Matrix>& x, ThreadPool* pool = nullptr) const;
    // z_q [latent, n] of indices [M, n].
    Matrix codes_to_latent(const Eigen::MatrixXi& idx) const;
    // The empirical prior (not the paper's PixelCNN): each group's index drawn independently from its row of
    // code_counts (all zero: uniform); returns z_q [latent, n] (decode() it for images).
    Matrix sample_codes(int n, Rng& rng) const;
    // codebook_update "ema", after forward on a training workspace: the EMA step described at the top.
    void codebook_ema_update(const Workspace& ws);
    // Restarts the EMA statistics from the current codebook (after weights were copied in).
    void codebook_ema_reset() { ema_ready_ = false; }
    // Every entry k with used[k] == 0 becomes a random group of the last forward's z_e (ws, its n samples);
    // returns how many entries moved.
    int restart_dead_codes(Workspace& ws, const std::vector<double>& used, Rng& rng);
    MatrixBlock reconstruction(Workspace& ws, int n) const { return ws.recon.leftCols(n); }

    // Convenience batch APIs (allocate their own scratch; any n; processed in chunks). labels (cvae only;
    // ignored by the other types): the class of each of the n columns, each in [0, num_classes) (ae::Error
    // otherwise); null = default_class() for every column.
    Matrix encode(const Eigen::Ref<const Matrix>& x, ThreadPool* pool = nullptr,
                  const int* labels = nullptr) const;                                                // [latent, n]
    Matrix decode(const Eigen::Ref<const Matrix>& z, ThreadPool* pool = nullptr,
                  const int* labels = nullptr) const;                                                // [D, n]
    Matrix reconstruct(const Eigen::Ref<const Matrix>& x, ThreadPool* pool = nullptr,
                       const int* labels = nullptr) const;                                           // [D, n]
    // Decoder logits (the last layer's output) of codes z: [D, n].
    Matrix decode_logits(const Eigen::Ref<const Matrix>& z, ThreadPool* pool = nullptr,
                         const int* labels = nullptr) const;
    // vae: the Gaussian encoder's μ and log σ² [latent, n] each. Other types: mu = code, logvar = 0.
    void encode_gaussian(const Eigen::Ref<const Matrix>& x, Matrix& mu, Matrix& logvar, ThreadPool* pool = nullptr,
                         const int* labels = nullptr) const;
    // cvae: writes the one-hot classes of labels[0..n) (labels null: default_class()) into ws.condition's first
    // n columns. ae::Error for a class outside [0, num_classes). No-op for unconditional models.
    void one_hot_into(Workspace& ws, int n, const int* labels) const;
    // Exact encoder Jacobian dz/dx [latent, D] at one input x [D] (forward mode over the D input
    // directions; for the vae, of μ). Dense encoders only (ae::Error otherwise). Cost O(D * sum of layer
    // sizes): meant for measurement, not training.
    Eigen::MatrixXd encoder_jacobian(const Eigen::Ref<const Vector>& x) const;

private:
    // The encoder's Linear layers with the activation applied to each one's output (contractive penalty).
    struct DenseStep {
        int layer = 0;  // index in encoder_.layers
        DenseTensors t;
        int in = 0, out = 0;
        Activation activation = Activation::identity;
    };
    Eigen::Map<const RowMatrix> weight(const DenseStep& d) const {
        return Eigen::Map<const RowMatrix>(params_.value(d.t.weight), d.out, d.in);
    }
    // Encoder + head of x [D, m] into ws (code / mu, logvar; z = mu); cvae: with ws.condition's first m columns.
    void encode_into(Workspace& ws, const Eigen::Ref<const Matrix>& x, ThreadPool* pool) const;
    // The encoder's input: x, or (cvae) [x; y] assembled in ws.xy. The decoder's: code, or [code; y] in ws.zy.
    Eigen::Ref<const Matrix> encoder_input(Workspace& ws, const Eigen::Ref<const Matrix>& x) const;
    Eigen::Ref<const Matrix> decoder_input(Workspace& ws, const Eigen::Ref<const Matrix>& code) const;
    // The contractive penalty sum_i ‖J_f(x_i)‖²_F (exact or probe estimate), from the forward's buffers.
    double contractive_forward(Workspace& ws, const Eigen::Ref<const Matrix>& x, Rng* rng) const;
    // Its backward: coef * gradient (weights directly, pre-activations into ws.extra).
    void contractive_backward(Workspace& ws, const Eigen::Ref<const Matrix>& x, float coef);

    ModelConfig config_;
    ArchitecturePlan plan_;
    ParamStore params_;
    Stack encoder_, decoder_;
    std::shared_ptr<const Layer> mu_, logvar_;  // vae heads
    std::vector<DenseStep> dense_steps_;        // dense encoders (contractive, Jacobian)
    float kl_weight_ = 1.0f;
    int default_class_ = 0;
    int codebook_ = -1, code_counts_ = -1;       // vqvae tensors
    std::vector<double> ema_count_, ema_sum_;   // vqvae "ema": N_k [K], m_k [K, d]
    std::vector<double> batch_count_, batch_sum_;
    bool ema_ready_ = false;
};

}  // namespace ae
