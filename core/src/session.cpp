#include "ae/session.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ae/corruption.h"
#include "ae/error.h"
#include "ae/metrics.h"

namespace ae {

namespace {
using Clock = std::chrono::steady_clock;
constexpr uint64_t kInitStream = 1, kShuffleStream = 2, kNoiseStream = 3, kEvalStream = 4, kViewStream = 6;
constexpr int kEvalChunk = 500;

// The model config, once the whole config validates and fits the memory limit: called in the
// constructor's initializer list, before the model is built.
const ModelConfig& checked_model(const Config& c, const SessionOptions& o) {
    config_validate(c);
    if (o.memory_limit > 0) check_memory(c, o.memory_limit, o.memory_limit_name, o.memory_limit_hint);
    return c.model;
}
}  // namespace

void add_terms(LossTerms& sum, const LossTerms& t, double weight) {
    sum.reconstruction += t.reconstruction * weight;
    sum.kl += t.kl * weight;
    sum.sparsity += t.sparsity * weight;
    sum.contractive += t.contractive * weight;
    sum.codebook += t.codebook * weight;
    sum.commitment += t.commitment * weight;
    sum.total += t.total * weight;
}

// The classes of images order[first .. first + n) of d (order null: first .. first + n), as ints (cvae), in
// `out` (no allocation once its capacity is n).
const int* batch_labels(const Dataset& d, const uint32_t* order, int64_t first, int n, std::vector<int>& out) {
    out.resize(static_cast<size_t>(n));
    for (int j = 0; j < n; ++j) out[j] = d.labels[order ? order[first + j] : static_cast<size_t>(first + j)];
    return out.data();
}

LossTerms scale_terms(LossTerms t, double factor) {
    t.reconstruction *= factor;
    t.kl *= factor;
    t.sparsity *= factor;
    t.contractive *= factor;
    t.codebook *= factor;
    t.commitment *= factor;
    t.total *= factor;
    return t;
}

TrainingSession::TrainingSession(const Config& config, std::shared_ptr<const Dataset> train,
                                 std::shared_ptr<const Dataset> test, SessionOptions options)
    : config_(config),
      train_(std::move(train)),
      test_(std::move(test)),
      options_(options),
      pool_(std::make_unique<ThreadPool>(config.train.threads)),
      model_(checked_model(config, options)),
      optimizer_(config.train.optimizer),
      init_rng_(config.train.seed, kInitStream),
      shuffle_rng_(config.train.seed, kShuffleStream),
      noise_rng_(config.train.seed, kNoiseStream),
      eval_rng_(config.train.seed, kEvalStream) {
    config_validate(config_);
    if (!train_ || !test_) throw Error("TrainingSession: missing training or test data");
    for (const Dataset* d : {train_.get(), test_.get()}) {
        if (d->count < 1) throw Error(d->name + ": the data set is empty");
        if (d->rows != config_.model.input_rows || d->cols != config_.model.input_cols)
            throw Error(d->name + ": images are " + std::to_string(d->rows) + "x" + std::to_string(d->cols) +
                        ", the model expects " + std::to_string(config_.model.input_rows) + "x" +
                        std::to_string(config_.model.input_cols));
        if (config_.model.input_channels != 1)  // every Dataset holds grey levels, one channel per pixel
            throw Error(d->name + ": images have one channel (grey levels), the model expects " +
                        std::to_string(config_.model.input_channels) + " (model.input_channels)");
        if (config_.model.is_conditional() && d->num_classes() != config_.model.num_classes)
            throw Error(d->name + ": the data set has " + std::to_string(d->num_classes()) +
                        " classes, the conditional VAE expects " + std::to_string(config_.model.num_classes) +
                        " (model.num_classes)");
    }
    model_.init(init_rng_);
    const int batch = std::min(config_.train.batch, train_->count);
    ws_ = model_.make_workspace(batch);
    batch_x_.resize(model_.input_dim(), batch);
    const int eval_chunk = model_.chunk_for(std::min(kEvalChunk, test_->count));
    eval_ws_ = model_.make_workspace(eval_chunk, false);  // evaluation only runs forward
    eval_x_.resize(model_.input_dim(), eval_chunk);
    if (model_.is_conditional()) labels_.reserve(static_cast<size_t>(std::max(batch, eval_chunk)));
    if (config_.model.corruption != Corruption::none) {
        batch_in_.resize(model_.input_dim(), batch);
        eval_in_.resize(model_.input_dim(), eval_chunk);
    }
    update_kl_weight();
    if (model_.is_vq())
        vq_counts_.assign(static_cast<size_t>(model_.code_groups()) * config_.model.codebook_size, 0.0);
    order_.resize(train_->count);
    const size_t expected = static_cast<size_t>(std::max(config_.train.epochs, 1)) * batches_per_epoch();
    batch_losses_.reserve(expected);
    batch_terms_.reserve(expected);
    shared_.train_terms.reserve(expected);
    shared_.loss_unit = loss_unit(config_.model);
    epoch_stats_.reserve(std::max(config_.train.epochs, 1));
    shared_.train_loss.reserve(expected);
    shared_.epochs.reserve(std::max(config_.train.epochs, 1));
    shared_.image_rows = config_.model.input_rows;
    shared_.image_cols = config_.model.input_cols;
    shared_.class_names = test_->class_names;
    shared_.batches_per_epoch = batches_per_epoch();
    best_params_.resize(model_.params().values().size());
    reset_divergence_watch();
    begin_epoch();
}

void TrainingSession::set_threads(int n) {
    if (n < 1 || n > 256) throw Error("train.threads: expected 1..256, got " + std::to_string(n));
    if (n == pool_->size()) return;
    // The old pool's threads end before the new ones start (a WebAssembly build has a fixed set of
    // Workers); a pool of 1 has none and stays if creating n threads fails.
    pool_ = std::make_unique<ThreadPool>(1);
    config_.train.threads = 1;
    pool_ = std::make_unique<ThreadPool>(n);
    config_.train.threads = n;
}

void TrainingSession::reset_divergence_watch() {
    best_step_ = -1;
    above_best_ = 0;
}

void TrainingSession::diverge(const std::string& reason) {
    diverged_ = true;
    std::string kept = "the weights are those after step " + std::to_string(step_);
    if (best_step_ >= 0 && best_step_ < step_) {
        std::vector<float>& v = model_.params().values();
        std::copy(best_params_.begin(), best_params_.end(), v.begin());
        char loss[32];
        std::snprintf(loss, sizeof loss, "%.6g", best_loss_);
        kept = "the weights were restored to those after step " + std::to_string(best_step_) +
               ", where the smoothed training loss was lowest (" + loss + ")";
    }
    optimizer_.reset();
    char lr[32];
    std::snprintf(lr, sizeof lr, "%g", static_cast<double>(config_.train.optimizer.lr));
    message_ = "training diverged at epoch " + std::to_string(epoch_ + 1) + ", step " + std::to_string(step_ + 1) +
               ": " + reason + "; the update was not applied, " + kept +
               " and the optimizer state was reset. Lower the learning rate (train.lr " + lr + ", e.g. " +
               "a tenth of it).";
}

int TrainingSession::batches_per_epoch() const {
    const int b = std::min(config_.train.batch, train_->count);
    return (train_->count + b - 1) / b;
}

bool TrainingSession::resume(const ModelFile& file) {
    const Autoencoder loaded = model_file_build(file);
    std::vector<float>& mine = model_.params().values();
    if (loaded.params().values().size() != mine.size())
        throw Error("model file: its architecture differs from this session's model");
    mine = loaded.params().values();
    epoch_ = file.state.epoch;
    step_ = file.state.step;
    first_step_ = step_;
    optimizer_.reset();
    model_.codebook_ema_reset();
    const bool restored = model_file_restore_optimizer(file, optimizer_);
    reset_divergence_watch();
    update_kl_weight();
    begin_epoch();
    publish_progress();
    return restored;
}

void TrainingSession::begin_epoch() {
    for (size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<uint32_t>(i);
    shuffle_rng_.shuffle(order_.data(), order_.size());
    cursor_ = 0;
    batch_in_epoch_ = 0;
    epoch_loss_sum_ = 0.0;
    epoch_samples_ = 0;
    epoch_seconds_ = 0.0;
    epoch_terms_sum_ = LossTerms();
}

void TrainingSession::load_batch(const Dataset& d, const uint32_t* order, int64_t first, int n, Eigen::Ref<Matrix> x) {
    dataset_load_images(d, order, first, n, x);
}

int TrainingSession::step(int n_batches) {
    if (diverged_) return 0;
    const int dim = model_.input_dim();
    const auto t0 = Clock::now();
    int done = 0;
    int64_t samples = 0;
    for (; done < n_batches; ++done) {
        const auto tb = Clock::now();
        const int n = static_cast<int>(std::min<int64_t>(ws_.capacity, train_->count - cursor_));
        auto x = batch_x_.leftCols(n);
        load_batch(*train_, order_.data(), cursor_, n, x);
        if (model_.is_conditional())
            model_.one_hot_into(ws_, n, batch_labels(*train_, order_.data(), cursor_, n, labels_));
        model_.params().zero_grad();
        const float scale = model_.is_vae() ? 1.0f : 1.0f / (static_cast<float>(n) * static_cast<float>(dim));
        update_kl_weight();
        double loss_sum = 0.0;
        if (config_.model.corruption != Corruption::none) {
            auto xin = batch_in_.leftCols(n);
            corrupt(config_.model.corruption, config_.model.corruption_level, config_.model.input_rows,
                    config_.model.input_cols, noise_rng_, x, xin);
            loss_sum = model_.forward_backward(ws_, xin, x, scale, pool_.get(), &noise_rng_);
        } else {
            loss_sum = model_.forward_backward(ws_, x, x, scale, pool_.get(), &noise_rng_);
        }
        (void)loss_sum;
        const LossTerms terms = ws_.terms;
        const double loss = terms.total;
        const auto& g = model_.params().grads();
        const bool finite = std::isfinite(loss) &&
                            Eigen::Map<const Eigen::ArrayXf>(g.data(), static_cast<Eigen::Index>(g.size())).allFinite();
        if (!finite) {
            diverge("the loss or its gradient is not finite (loss " + std::to_string(loss) + ")");
            break;
        }
        // The finite-divergence watch (session.h). The loss was computed with the weights after step_ steps.
        smoothed_loss_ = best_step_ < 0 ? loss : smoothed_loss_ + kLossSmoothing * (loss - smoothed_loss_);
        if (best_step_ < 0) first_loss_ = loss;
        if (best_step_ < 0 || smoothed_loss_ < best_loss_) {
            best_loss_ = smoothed_loss_;
            best_step_ = step_;
            const std::vector<float>& v = model_.params().values();
            std::copy(v.begin(), v.end(), best_params_.begin());
            above_best_ = 0;
        } else if (smoothed_loss_ > std::max(kDivergenceFactor * std::abs(best_loss_), first_loss_)) {
            if (++above_best_ >= kDivergenceSteps) {
                char now[32], best[32];
                std::snprintf(now, sizeof now, "%.6g", smoothed_loss_);
                std::snprintf(best, sizeof best, "%.6g", best_loss_);
                diverge(std::string("the smoothed training loss stayed above ") + std::to_string(int(kDivergenceFactor)) +
                        "x its best value (" + best + ") for " + std::to_string(kDivergenceSteps) +
                        " consecutive steps (now " + now + ")");
                break;
            }
        } else {
            above_best_ = 0;
        }
        optimizer_.step(model_.params(), pool_.get());
        if (model_.is_vq()) {
            model_.codebook_ema_update(ws_);  // no-op for codebook_update "loss"
            const int M = model_.code_groups(), K = config_.model.codebook_size;
            for (int j = 0; j < n; ++j)
                for (int g = 0; g < M; ++g) vq_counts_[static_cast<size_t>(g) * K + ws_.codes[j * M + g]] += 1.0;
        }
        epoch_seconds_ += std::chrono::duration<double>(Clock::now() - tb).count();
        batch_losses_.push_back(static_cast<float>(loss));
        batch_terms_.push_back(terms);
        add_terms(epoch_terms_sum_, terms, n);
        epoch_loss_sum_ += loss * n;
        epoch_samples_ += n;
        samples += n;
        cursor_ += n;
        ++step_;
        ++batch_in_epoch_;
        if (cursor_ >= train_->count) end_epoch();
    }
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    if (samples > 0 && dt > 0) last_rate_ = samples / dt;
    publish_progress();
    return done;
}

void TrainingSession::evaluate_test(double& loss, double& mse) {
    LossTerms terms = evaluate_test_terms(&mse);
    loss = terms.total;
}

LossTerms TrainingSession::evaluate_test_terms(double* mse) {
    EpochStats s;
    evaluate_test_stats(s);
    if (mse) *mse = s.test_mse;
    return s.test_terms;
}

void TrainingSession::update_kl_weight() {
    if (!model_.is_vae()) return;
    const int warm = config_.model.kl_warmup_epochs;
    double w = config_.model.beta;
    if (warm > 0) w *= std::min(1.0, static_cast<double>(step_) / (static_cast<double>(warm) * batches_per_epoch()));
    model_.set_kl_weight(static_cast<float>(w));
}

void TrainingSession::evaluate_test_stats(EpochStats& s) {
    const int dim = model_.input_dim();
    const int k = model_.latent_dim();
    const bool vae = model_.is_vae();
    eval_rng_ = Rng(config_.train.seed, kEvalStream);  // the same noise at every evaluation
    double se_sum = 0.0, act_sum = 0.0;
    int64_t near_zero = 0;
    LossTerms sum;
    if (vae) {
        eval_mu_sum_.assign(k, 0.0);
        eval_mu_sq_.assign(k, 0.0);
        eval_kl_dim_.assign(k, 0.0);
    }
    for (int first = 0; first < test_->count; first += eval_ws_.capacity) {
        const int n = std::min(eval_ws_.capacity, test_->count - first);
        auto x = eval_x_.leftCols(n);
        load_batch(*test_, nullptr, first, n, x);
        if (model_.is_conditional()) model_.one_hot_into(eval_ws_, n, batch_labels(*test_, nullptr, first, n, labels_));
        if (config_.model.corruption != Corruption::none) {
            auto xin = eval_in_.leftCols(n);
            corrupt(config_.model.corruption, config_.model.corruption_level, config_.model.input_rows,
                    config_.model.input_cols, eval_rng_, x, xin);
            model_.forward(eval_ws_, xin, x, pool_.get(), &eval_rng_);
        } else {
            model_.forward(eval_ws_, x, x, pool_.get(), &eval_rng_);
        }
        add_terms(sum, eval_ws_.terms, n);
        auto y = model_.reconstruction(eval_ws_, n);
        for (int j = 0; j < n; ++j) se_sum += static_cast<double>((y.col(j) - x.col(j)).squaredNorm());
        auto h = model_.code(eval_ws_, n);
        act_sum += static_cast<double>(h.sum());
        near_zero += (h.array().abs() < static_cast<float>(kNearZeroActivation)).count();
        if (vae) {
            auto lv = eval_ws_.logvar.leftCols(n);
            for (int j = 0; j < n; ++j)
                for (int r = 0; r < k; ++r) {
                    const double m = h(r, j), l = lv(r, j);
                    eval_mu_sum_[r] += m;
                    eval_mu_sq_[r] += m * m;
                    eval_kl_dim_[r] += 0.5 * (m * m + std::exp(l) - 1.0 - l);
                }
        }
    }
    const double count = test_->count;
    s.test_mse = se_sum / (count * dim);
    s.test_terms = scale_terms(sum, 1.0 / count);
    s.test_loss = s.test_terms.total;
    s.test_mean_activation = act_sum / (count * k);
    s.test_near_zero_fraction = static_cast<double>(near_zero) / (count * k);
    s.kl_weight = model_.kl_weight();
    s.test_kl_per_dim.clear();
    s.test_active_units = 0;
    if (vae) {
        s.test_kl_per_dim.resize(k);
        for (int r = 0; r < k; ++r) {
            s.test_kl_per_dim[r] = eval_kl_dim_[r] / count;
            const double mean = eval_mu_sum_[r] / count;
            const double var = count > 1 ? (eval_mu_sq_[r] - count * mean * mean) / (count - 1) : 0.0;
            if (var > 0.01) ++s.test_active_units;
        }
    }
}

void TrainingSession::end_epoch() {
    EpochStats s;
    s.epoch = epoch_ + 1;
    s.train_loss = epoch_samples_ ? epoch_loss_sum_ / epoch_samples_ : 0.0;
    s.train_terms = scale_terms(epoch_terms_sum_, epoch_samples_ ? 1.0 / epoch_samples_ : 0.0);
    s.seconds = epoch_seconds_;
    s.samples_per_sec = epoch_seconds_ > 0 ? epoch_samples_ / epoch_seconds_ : 0.0;
    // vqvae: the epoch's code statistics, then the dead-code restart, before the evaluation, so that the epoch's
    // test numbers are those of the model as it stands (and is saved).
    if (model_.is_vq()) {
        const int M = model_.code_groups(), K = config_.model.codebook_size;
        std::vector<double> used(K, 0.0);
        double total = 0.0;
        for (int g = 0; g < M; ++g)
            for (int k = 0; k < K; ++k) used[k] += vq_counts_[static_cast<size_t>(g) * K + k];
        for (double c : used) total += c;
        s.code_usage = code_usage(used);
        s.code_perplexity = code_perplexity(used);
        float* counts = model_.code_counts();
        for (size_t i = 0; i < vq_counts_.size(); ++i) counts[i] = static_cast<float>(vq_counts_[i]);
        if (config_.model.dead_code_restart && total > 0) s.codes_restarted = model_.restart_dead_codes(ws_, used, noise_rng_);
        std::fill(vq_counts_.begin(), vq_counts_.end(), 0.0);
    }
    evaluate_test_stats(s);
    epoch_stats_.push_back(s);
    ++epoch_;
    begin_epoch();
}

void TrainingSession::publish_progress() {
    std::lock_guard<std::mutex> lock(mutex_);
    shared_.epoch = epoch_;
    shared_.step = step_;
    shared_.first_step = first_step_;
    shared_.batch_in_epoch = batch_in_epoch_;
    shared_.samples_per_sec = last_rate_;
    shared_.diverged = diverged_;
    if (shared_.message != message_) shared_.message = message_;
    for (; shared_losses_ < batch_losses_.size(); ++shared_losses_)
    {
        shared_.train_loss.push_back(batch_losses_[shared_losses_]);
        shared_.train_terms.push_back(batch_terms_[shared_losses_]);
    }
    if (shared_.epochs.size() != epoch_stats_.size())
        for (size_t i = shared_.epochs.size(); i < epoch_stats_.size(); ++i) shared_.epochs.push_back(epoch_stats_[i]);
    shared_.version = version_.load(std::memory_order_relaxed) + 1;
    version_.store(shared_.version, std::memory_order_release);
}

void TrainingSession::publish_views() {
    const int dim = model_.input_dim();
    const int k = std::min(options_.view_images, test_->count);
    const int m = std::min(options_.view_codes, test_->count);
    std::vector<uint32_t> pick(k);
    for (int i = 0; i < k; ++i) pick[i] = static_cast<uint32_t>(static_cast<int64_t>(i) * test_->count / k);
    Matrix inputs(dim, k);
    load_batch(*test_, pick.data(), 0, k, inputs);
    Matrix corrupted;
    Matrix recon;
    if (config_.model.corruption != Corruption::none) {
        corrupted.resize(dim, k);
        Rng view_rng(config_.train.seed, kViewStream);  // the same corruption at every publish
        corrupt(config_.model.corruption, config_.model.corruption_level, config_.model.input_rows,
                config_.model.input_cols, view_rng, inputs, corrupted);
        recon = model_.reconstruct(corrupted, pool_.get());
    } else {
        recon = model_.reconstruct(inputs, pool_.get(), batch_labels(*test_, pick.data(), 0, k, labels_));
    }
    Matrix first(dim, m);
    load_batch(*test_, nullptr, 0, m, first);
    Matrix codes = model_.encode(first, pool_.get(), batch_labels(*test_, nullptr, 0, m, labels_));
    std::vector<uint8_t> view_labels(k), code_labels(test_->labels.begin(), test_->labels.begin() + m);
    for (int i = 0; i < k; ++i) view_labels[i] = test_->labels[pick[i]];
    std::vector<float> params = model_.params().values();

    std::lock_guard<std::mutex> lock(mutex_);
    shared_.view_inputs = std::move(inputs);
    shared_.view_reconstructions = std::move(recon);
    shared_.view_corrupted = std::move(corrupted);
    shared_.view_labels = std::move(view_labels);
    shared_.view_indices.assign(pick.begin(), pick.end());
    shared_.test_codes = std::move(codes);
    shared_.test_labels = std::move(code_labels);
    shared_.params = std::move(params);
    shared_.version = version_.load(std::memory_order_relaxed) + 1;
    shared_.params_version = shared_.version;
    version_.store(shared_.version, std::memory_order_release);
}

Snapshot TrainingSession::snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return shared_;
}

}  // namespace ae
