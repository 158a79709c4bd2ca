// TrainingSession: owns a model, its optimizer, the data and the RNG, and advances training with
// step(n_batches) on whatever thread calls it. It publishes Snapshots that any other thread can read
// at any time (snapshot() copies under a mutex; version() is a lock-free change counter), so the CLI,
// the WASM module and the desktop app all drive training the same way:
//
//     TrainingSession s(config, train, test);          // host thread
//     while (s.epoch() < config.train.epochs) s.step(50);  // training thread (any)
//     Snapshot v = s.snapshot();                       // UI thread, any time
//
// Per epoch: the training set is shuffled (Fisher-Yates with the session's PCG32), split into
// minibatches of config.train.batch (the last one smaller if the count does not divide), and at the
// epoch's end the whole test set is evaluated. Losses are reported per pixel (mean over pixels and
// images), the unit of PyTorch's reduction='mean'.
//
// After the first minibatch has sized the buffers, step() performs no heap allocation except when an
// epoch ends (the history vectors grow) and when views are published.
//
// Model types (config.h): the corruption of a denoising run is applied to each minibatch (and to the
// test images at evaluation) from a seeded Rng; the loss compares with the clean images. The vae's ε and
// the deep contractive probes come from the same training Rng; evaluation uses its own Rng, re-seeded
// at each evaluation, so test losses are deterministic. Loss unit: loss_unit() (per pixel, or nats per
// image for the vae, whose gradient is that of the batch SUM as in the PyTorch VAE example). The vae's
// KL weight rises linearly from 0 to beta over kl_warmup_epochs epochs (per step). vqvae: after each optimizer
// step the "ema" codebook update (Autoencoder::codebook_ema_update); at each epoch's end the model's code_counts
// become the epoch's assignment counts (the sampling prior), and with dead_code_restart the entries no image chose
// move to random encoder outputs of the epoch's last minibatch (from the training Rng); both before the epoch's
// test evaluation, so its numbers are those of the model as saved.
//
// Divergence, finite or not: the session stops (diverged() is true, message() says what happened and
// suggests a lower learning rate), the failing minibatch's update is not applied, the weights are restored
// to those that gave the lowest smoothed training loss (a copy kept whenever that minimum improves: one
// memcpy of the parameters, less traffic than the optimizer's own update) and the optimizer state is reset
// (its moments belong to the diverged weights). Two triggers:
//   - a minibatch's loss or gradient is not finite;
//   - the smoothed loss (an exponential moving average, weight kLossSmoothing = 0.1 on the newest
//     minibatch, ~10 steps) stays above kDivergenceFactor = 10 times its best value, and above the first
//     minibatch's loss, for kDivergenceSteps = 50 consecutive steps. Healthy runs stay far from it: per-batch
//     noise is tens of percent, the VAE's KL warm-up adds far less than 10x; Adam at lr 100 reaches 1e21.
//     The first-loss floor keeps a run that converged to ~0 (a tiny best) from stopping on noise, and 50
//     steps keep a short spike (a bad minibatch, Adam's first large steps) from stopping a run that recovers.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/config.h"
#include "ae/dataset.h"
#include "ae/memory.h"
#include "ae/model_file.h"
#include "ae/optimizer.h"
#include "ae/rng.h"
#include "ae/thread_pool.h"

namespace ae {

struct EpochStats {
    int epoch = 0;              // 1-based
    double train_loss = 0.0;    // mean per-pixel loss over the epoch's minibatches
    double test_loss = 0.0;     // mean per-pixel loss on the whole test set
    double test_mse = 0.0;      // mean squared error per pixel (reconstruction in [0, 1])
    LossTerms train_terms;      // per-term means over the epoch's minibatches (unit: loss_unit)
    LossTerms test_terms;       // per-term values on the whole test set; test_loss == test_terms.total
    double samples_per_sec = 0.0;  // training throughput of the epoch (evaluation excluded)
    double seconds = 0.0;          // wall time of the epoch's training steps
    // Code statistics on the test set (every type; the code is h = the code layer's output, μ for the vae):
    double test_mean_activation = 0.0;     // mean of h over units and images
    double test_near_zero_fraction = 0.0;  // fraction of |h| < kNearZeroActivation
    // vae only (empty / 0 otherwise): KL per latent dimension (mean over test images, nats) and the
    // active units (Burda et al. 2016: Cov_x(μ_j) > 0.01; see vae.h).
    std::vector<double> test_kl_per_dim;
    int test_active_units = 0;
    double kl_weight = 1.0;        // beta after warm-up at the epoch's end (vae)
    // vqvae only (0 otherwise), over the code assignments of the epoch's training minibatches (every group of
    // every image, the groups pooled since they share the codebook): the fraction of the K entries chosen at least
    // once, the perplexity exp(-sum_k p_k log p_k) of the assignment frequencies p_k (K when all are equally used,
    // 1 when one entry takes everything), and the dead entries restarted at the epoch's end (dead_code_restart).
    double code_usage = 0.0;
    double code_perplexity = 0.0;
    int codes_restarted = 0;
};

constexpr double kNearZeroActivation = 0.01;

struct Snapshot {
    uint64_t version = 0;
    int epoch = 0;                 // completed epochs
    int64_t step = 0;              // minibatches trained in total
    int batches_per_epoch = 0;
    int batch_in_epoch = 0;        // minibatches done in the current epoch
    double samples_per_sec = 0.0;  // over the last step() call
    int64_t first_step = 0;        // step count before train_loss[0] (> 0 after resume(): the history starts there)
    std::vector<float> train_loss; // one entry per minibatch since first_step: its total loss (unit: loss_unit)
    std::vector<LossTerms> train_terms;  // one entry per minibatch, parallel to train_loss
    std::string loss_unit;         // "per pixel" or "nats per image" (see LossTerms in autoencoder.h)
    std::vector<EpochStats> epochs;
    bool diverged = false;
    std::string message;

    // Views, refreshed by publish_views():
    int image_rows = 0, image_cols = 0;
    Matrix view_inputs;            // [D, k] fixed test images in [0, 1]
    Matrix view_reconstructions;   // [D, k] (of view_corrupted when the model has a corruption)
    Matrix view_corrupted;         // [D, k] the corrupted view_inputs (denoising; empty without corruption)
    std::vector<uint8_t> view_labels;  // k
    std::vector<int> view_indices;     // k test-set indices of view_inputs (evenly spaced over the test set)
    Matrix test_codes;             // [latent, m] codes of the first m test images
    std::vector<uint8_t> test_labels;  // m
    std::vector<std::string> class_names;
    // Copy of the model's parameter values (ParamStore::values(), padded layout) at the last
    // publish_views(): a UI thread builds its own Autoencoder from the config, copies these in, and
    // encodes/decodes for its views (manifold, interpolation, drawing) without touching the session.
    std::vector<float> params;
    uint64_t params_version = 0;   // the snapshot version at which `params` was copied
};

// The finite-divergence rule (see the top of this file).
constexpr double kLossSmoothing = 0.1;
constexpr double kDivergenceFactor = 10.0;
constexpr int kDivergenceSteps = 50;

struct SessionOptions {
    int view_images = 16;   // reconstruction pairs in a snapshot
    int view_codes = 2000;  // test codes in a snapshot (latent map)
    // The constructor refuses a config whose training memory (memory.h) exceeds this, before allocating
    // the model: native 4 GiB, the page 1 GiB (kDefaultMemoryLimit). 0 = no check. The name and hint go
    // into the message ("...; the page's limit is 1 GB", "(ae train --memory-limit GB raises it)").
    size_t memory_limit = kDefaultMemoryLimit;
    std::string memory_limit_name = kDefaultMemoryLimitName;
    std::string memory_limit_hint;
};

// sum += t * weight, term by term; and t * factor.
void add_terms(LossTerms& sum, const LossTerms& t, double weight);
LossTerms scale_terms(LossTerms t, double factor);

class TrainingSession {
public:
    // Throws ae::Error for an invalid config, one that needs more memory than options.memory_limit (before
    // anything of the model's size is allocated), or data that does not fit the model (image size).
    TrainingSession(const Config& config, std::shared_ptr<const Dataset> train, std::shared_ptr<const Dataset> test,
                    SessionOptions options = {});

    // Trains up to n_batches minibatches (crossing epoch boundaries as needed). Returns the number
    // trained (fewer only when the run diverged). Must not be called from two threads at once.
    int step(int n_batches);
    // Continues a saved run (model_file.h): the file's weights (its config must describe this session's
    // model), its epoch and step counts, and its optimizer moments and update count when the file holds
    // them for this session's optimizer type (otherwise the optimizer starts afresh). Training goes on
    // with a new epoch (epoch() + 1), shuffled by this session's RNG; the loss history starts empty.
    // Returns whether the optimizer state was restored. Throws ae::Error for another architecture.
    bool resume(const ModelFile& file);
    // Changes train.threads (the threads of the matrix products) between two step() calls, training thread
    // only: the next minibatch runs on n threads (1 = the calling thread). The losses do not depend on it
    // (each product is split into blocks that compute the same sums). Throws ae::Error outside 1..256, and
    // whatever creating a thread throws (then the session runs on 1 thread).
    void set_threads(int n);
    // Recomputes the views (reconstructions, test codes) and publishes them. Training thread only.
    void publish_views();
    // Thread-safe copy of the latest snapshot; version() changes whenever it does.
    Snapshot snapshot() const;
    uint64_t version() const { return version_.load(std::memory_order_acquire); }

    // Test loss (total, unit loss_unit) and MSE per pixel over the whole test set (training thread only).
    void evaluate_test(double& loss, double& mse);
    // Per-term test losses (means over the test images, unit loss_unit); *mse (if given) = MSE per pixel
    // of the reconstruction against the clean image.
    LossTerms evaluate_test_terms(double* mse = nullptr);
    // evaluate_test_terms plus the code statistics of EpochStats (mean activation, near-zero fraction,
    // vae KL per dimension and active units); `s` receives test_* fields.
    void evaluate_test_stats(EpochStats& s);
    // The vae's current KL weight (beta after warm-up); 1 for other types.
    float kl_weight() const { return model_.kl_weight(); }

    // Training-thread accessors.
    int epoch() const { return epoch_; }
    int64_t steps() const { return step_; }
    bool diverged() const { return diverged_; }
    const std::string& message() const { return message_; }
    const Config& config() const { return config_; }
    Autoencoder& model() { return model_; }
    const Autoencoder& model() const { return model_; }
    Optimizer& optimizer() { return optimizer_; }
    const Dataset& train_data() const { return *train_; }
    const Dataset& test_data() const { return *test_; }
    ThreadPool& pool() { return *pool_; }
    int batches_per_epoch() const;
    // Training throughput over the last step() call (samples per second).
    double samples_per_sec() const { return last_rate_; }
    // Step count before batch_losses()[0] (resume() sets it; 0 otherwise).
    int64_t first_step() const { return first_step_; }
    // Per-pixel loss of each minibatch trained so far (since first_step()).
    const std::vector<float>& batch_losses() const { return batch_losses_; }
    const std::vector<LossTerms>& batch_terms() const { return batch_terms_; }
    const std::vector<EpochStats>& epoch_stats() const { return epoch_stats_; }

    // Converts images [first, first + n) of `d`, taken in the order of `order` (or 0.. if null),
    // to floats in [0, 1] into x[:, 0..n).
    static void load_batch(const Dataset& d, const uint32_t* order, int64_t first, int n, Eigen::Ref<Matrix> x);

private:
    void begin_epoch();
    void update_kl_weight();
    void end_epoch();
    void publish_progress();
    // Stops the run: restores the best weights, resets the optimizer, writes message_ with `reason`.
    void diverge(const std::string& reason);
    void reset_divergence_watch();

    Config config_;
    std::shared_ptr<const Dataset> train_, test_;
    SessionOptions options_;
    std::unique_ptr<ThreadPool> pool_;
    Autoencoder model_;
    Optimizer optimizer_;
    Rng init_rng_, shuffle_rng_, noise_rng_, eval_rng_;
    Autoencoder::Workspace ws_, eval_ws_;
    Matrix batch_x_, eval_x_, batch_in_, eval_in_;  // *_in_: corrupted inputs (denoising)
    std::vector<int> labels_;                      // cvae: the classes of the current batch (the condition y)
    std::vector<double> eval_mu_sum_, eval_mu_sq_, eval_kl_dim_;
    std::vector<double> vq_counts_;                // vqvae: the epoch's assignments [M, K] (row-major)
    std::vector<uint32_t> order_;
    int64_t cursor_ = 0;       // next sample position in order_
    int epoch_ = 0;
    int64_t step_ = 0;
    int64_t first_step_ = 0;
    int batch_in_epoch_ = 0;
    double epoch_loss_sum_ = 0.0;  // sum of per-pixel losses * batch size
    int64_t epoch_samples_ = 0;
    double epoch_seconds_ = 0.0;
    double last_rate_ = 0.0;
    bool diverged_ = false;
    std::string message_;
    // The divergence watch: smoothed loss, its best value and the weights that gave it.
    double smoothed_loss_ = 0.0, best_loss_ = 0.0, first_loss_ = 0.0;
    int64_t best_step_ = -1;  // the kept weights are those before step best_step_ + 1 (after best_step_ steps)
    int above_best_ = 0;      // consecutive steps above the threshold
    std::vector<float> best_params_;
    std::vector<float> batch_losses_;
    std::vector<LossTerms> batch_terms_;
    LossTerms epoch_terms_sum_;  // sum of per-term losses * batch size
    std::vector<EpochStats> epoch_stats_;

    mutable std::mutex mutex_;
    Snapshot shared_;
    size_t shared_losses_ = 0;  // batch_losses_ entries already copied into shared_
    std::atomic<uint64_t> version_{0};
};

}  // namespace ae
