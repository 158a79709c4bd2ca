// Trainer: runs an ae::TrainingSession on its own std::thread for the desktop app. The UI thread
// never touches the session's model; it only
//   - sends commands (load data, new config, start, pause, step, reset, save) through a small queue
//     (push under a mutex, the training thread drains the queue at each batch boundary), and
//   - reads what the training thread publishes: the session's Snapshot (copied under the session's
//     own mutex, see core/session.h) and a TrainerStatus (config, data, running flag, last error),
//     both behind version counters so a poll that finds nothing new costs two atomic loads.
// No lock is held while a batch trains or while the UI draws. Training advances one minibatch per
// loop iteration, so a command (including stop()) takes effect within one batch.
//
// Hyperparameters that do not change the model (optimizer lr, momentum, betas, eps, weight decay,
// epochs) apply at the next batch boundary without losing progress; any other config change builds a
// new session (a reset) and bumps TrainerStatus::generation.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ae/config.h"
#include "ae/dataset.h"
#include "ae/model_file.h"
#include "ae/session.h"

namespace ae_app {

// Where the images come from: "fashion-mnist" and "mnist" (optionally with `dir`), or "idx" with the
// user's files (test files optional).
struct DataSource {
    std::string kind = "fashion-mnist";
    std::string dir;
    std::string train_images, train_labels, test_images, test_labels;
    int limit_train = 0, limit_test = 0;  // 0 = all
    int exclude_class = -1;  // leave this class out of the training set (ae train --exclude-class); -1 = none
};

// True when a and b describe the same model (they differ at most in the optimizer settings and the
// epoch count), so b can be applied to a running session without starting over.
bool config_same_model(const ae::Config& a, const ae::Config& b);

// Loads a data set on the calling thread. Throws ae::Error naming the missing or malformed file.
ae::DatasetPair data_source_load(const DataSource& source);

struct TrainerStatus {
    uint64_t version = 0;     // changes whenever anything below does
    uint64_t generation = 0;  // changes whenever a new session (new data, config or reset) starts
    bool has_session = false;
    bool running = false;     // training continuously (false: paused)
    bool loading = false;     // a data set is being loaded
    bool finished = false;    // reached config.train.epochs and paused itself
    ae::Config config;        // the current session's config
    std::shared_ptr<const ae::Dataset> train, test;  // the current data (immutable, shareable)
    std::string data_name;
    int exclude_class = -1;   // the class left out of the current training set (-1: none)
    std::string error;        // the last command's error ("" when it succeeded)
    std::string notice;       // the last command's success message (e.g. "saved model to ...")
};

class Trainer {
public:
    // training_nice: on Linux the training thread (and the matrix-product workers it starts, which
    // inherit it) runs at this nice value, so the UI thread wins the CPU when both want it; 0 = unchanged.
    explicit Trainer(ae::SessionOptions options = {}, int training_nice = 0);
    ~Trainer();  // stop()
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    // Commands: return at once; the training thread applies them in order at the next batch boundary.
    void load_data(const DataSource& source);  // then starts a new session with the current config
    void set_config(const ae::Config& config);  // live when only optimizer settings/epochs changed
    void start();                                // train until config.train.epochs, then pause
    void pause();
    void step(int batches);                      // train `batches` minibatches, then pause
    void reset();                                // new session, same config and data
    // Saves the current weights atomically as a model file (core/model_file.h: safetensors, PyTorch names,
    // config, epoch/step, data set and optimizer moments), the format `ae train` writes.
    void save_model(const std::string& path);
    // Starts a new session with `config` whose weights are `params` (ParamStore::values() layout);
    // the config must describe the current data's image size.
    void load_weights(const ae::Config& config, std::vector<float> params);
    // Reads a model file (core/model_file.h: strict safetensors + config) and continues its run
    // (TrainingSession::resume: weights, epoch/step, optimizer moments; the thread count stays the current
    // one). When the file names another data set than the loaded one, that data set is loaded first.
    void load_model(const std::string& path);
    // Stops the thread within one batch and joins it. Idempotent.
    void stop();

    // Seconds between view refreshes while training (reconstructions, codes, weights copy).
    void set_view_interval(double seconds) { view_interval_.store(seconds); }

    // UI side.
    uint64_t status_version() const { return status_version_.load(std::memory_order_acquire); }
    TrainerStatus status() const;
    // If the session's snapshot (or the session itself) changed since (*generation, *version),
    // copies it into `out`, updates both and returns true.
    // `config` (optional) receives the session's config (the model the snapshot's weights belong to).
    bool poll(ae::Snapshot& out, uint64_t* generation, uint64_t* version, ae::Config* config = nullptr) const;
    // Cheap check (no snapshot copy): would poll() with these counters return something new?
    bool changed_since(uint64_t generation, uint64_t version) const;
    // Blocks until the command queue is empty and training is paused (for scripted runs and tests),
    // or `timeout_s` passes; returns whether it became idle.
    bool wait_idle(double timeout_s) const;

private:
    struct Command {
        enum Kind { load_data, set_config, start, pause, step, reset, save, load_weights, load_model };
        explicit Command(Kind k) : kind(k) {}
        Kind kind;
        DataSource source;
        ae::Config config;
        int batches = 0;
        std::string path;
        std::vector<float> params;
    };

    void push(Command c);
    void run();
    void apply(Command& c);
    void new_session(const ae::Config& config, const std::vector<float>* params, const ae::ModelFile* file = nullptr);
    void publish_status();

    ae::SessionOptions options_;
    int training_nice_ = 0;
    std::atomic<double> view_interval_{0.25};

    // Command queue (UI -> training thread).
    mutable std::mutex queue_mutex_;
    mutable std::condition_variable queue_cv_;
    std::deque<Command> queue_;
    bool quit_ = false;
    bool busy_ = false;  // the training thread is applying commands or training

    // Training-thread state.
    ae::Config config_;
    std::shared_ptr<const ae::Dataset> train_, test_;
    std::string data_name_;
    int exclude_class_ = -1;
    DataSource source_;  // of the loaded data (recorded in saved model files)
    bool running_ = false;
    int steps_left_ = 0;  // > 0: a step command is in progress
    bool loading_ = false;
    bool finished_ = false;
    std::string error_, notice_;
    uint64_t generation_ = 0;

    // Published to the UI.
    mutable std::mutex session_mutex_;         // guards session_ (the pointer, not the session)
    std::shared_ptr<ae::TrainingSession> session_;
    std::atomic<uint64_t> session_generation_{0};
    mutable std::mutex status_mutex_;
    TrainerStatus status_;
    std::atomic<uint64_t> status_version_{0};

    std::thread thread_;
};

}  // namespace ae_app
