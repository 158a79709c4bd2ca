#include "trainer.h"

#include "ae/options.h"

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <chrono>
#include <map>

#include "ae/error.h"
#include "ae/model_file.h"

namespace ae_app {

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

bool config_same_model(const ae::Config& a, const ae::Config& b) {
    return ae::fields_needing_new_model(a, b).empty();  // only live fields (options.h) differ
}

ae::DatasetPair data_source_load(const DataSource& s) {
    ae::DatasetPair p;
    if (s.kind == "idx") {
        if (s.train_images.empty()) throw ae::Error("data: idx needs a training image file");
        p = ae::load_idx_dataset(s.train_images, s.train_labels, s.test_images, s.test_labels);
    } else if (s.kind == "fashion-mnist" || s.kind == "mnist") {
        p = ae::load_dataset(s.kind, s.dir);
    } else {
        throw ae::Error("data: unknown data set '" + s.kind + "' (expected fashion-mnist, mnist or idx)");
    }
    if (s.limit_train > 0 && s.limit_train < p.train.count) p.train = ae::dataset_head(p.train, s.limit_train);
    if (s.limit_test > 0 && s.limit_test < p.test.count) p.test = ae::dataset_head(p.test, s.limit_test);
    if (s.exclude_class >= 0) p.train = ae::dataset_without_class(p.train, s.exclude_class);
    return p;
}

Trainer::Trainer(ae::SessionOptions options, int training_nice) : options_(options), training_nice_(training_nice) {
    thread_ = std::thread([this] { run(); });
}

Trainer::~Trainer() { stop(); }

void Trainer::stop() {
    {
        std::lock_guard<std::mutex> lock(queue_mutex_);
        quit_ = true;
    }
    queue_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Trainer::push(Command c) {
    {
        std::lock_guard<std::mutex> lock(queue_mutex_);
        queue_.push_back(std::move(c));
    }
    queue_cv_.notify_all();
}

void Trainer::load_data(const DataSource& source) {
    Command c(Command::load_data);
    c.source = source;
    push(std::move(c));
}
void Trainer::set_config(const ae::Config& config) {
    Command c(Command::set_config);
    c.config = config;
    push(std::move(c));
}
void Trainer::start() { push(Command(Command::start)); }
void Trainer::pause() { push(Command(Command::pause)); }
void Trainer::step(int batches) {
    Command c(Command::step);
    c.batches = batches;
    push(std::move(c));
}
void Trainer::reset() { push(Command(Command::reset)); }
void Trainer::save_model(const std::string& path) {
    Command c(Command::save);
    c.path = path;
    push(std::move(c));
}
void Trainer::load_model(const std::string& path) {
    Command c(Command::load_model);
    c.path = path;
    push(std::move(c));
}
void Trainer::load_weights(const ae::Config& config, std::vector<float> params) {
    Command c(Command::load_weights);
    c.config = config;
    c.params = std::move(params);
    push(std::move(c));
}

TrainerStatus Trainer::status() const {
    std::lock_guard<std::mutex> lock(status_mutex_);
    return status_;
}

bool Trainer::poll(ae::Snapshot& out, uint64_t* generation, uint64_t* version, ae::Config* config) const {
    std::shared_ptr<ae::TrainingSession> s;
    uint64_t gen = 0;
    {
        std::lock_guard<std::mutex> lock(session_mutex_);
        s = session_;
        gen = session_generation_.load(std::memory_order_relaxed);
    }
    if (!s) return false;
    if (gen == *generation && s->version() == *version) return false;
    out = s->snapshot();
    if (config) *config = s->config();  // set in the session's constructor, never changed: safe to read
    *generation = gen;
    *version = out.version;
    return true;
}

bool Trainer::changed_since(uint64_t generation, uint64_t version) const {
    std::shared_ptr<ae::TrainingSession> s;
    uint64_t gen = 0;
    {
        std::lock_guard<std::mutex> lock(session_mutex_);
        s = session_;
        gen = session_generation_.load(std::memory_order_relaxed);
    }
    return s && (gen != generation || s->version() != version);
}

bool Trainer::wait_idle(double timeout_s) const {
    std::unique_lock<std::mutex> lock(queue_mutex_);
    return queue_cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                              [&] { return queue_.empty() && !busy_; });
}

void Trainer::publish_status() {
    std::lock_guard<std::mutex> lock(status_mutex_);
    status_.generation = generation_;
    status_.has_session = session_ != nullptr;
    status_.running = running_ || steps_left_ > 0;
    status_.loading = loading_;
    status_.finished = finished_;
    status_.config = config_;
    status_.train = train_;
    status_.test = test_;
    status_.data_name = data_name_;
    status_.exclude_class = exclude_class_;
    status_.error = error_;
    status_.notice = notice_;
    status_.version = status_version_.load(std::memory_order_relaxed) + 1;
    status_version_.store(status_.version, std::memory_order_release);
}

void Trainer::new_session(const ae::Config& config, const std::vector<float>* params, const ae::ModelFile* file) {
    running_ = false;
    steps_left_ = 0;
    finished_ = false;
    if (!train_ || !test_) {
        config_ = config;
        return;
    }
    ae::Config c = config;
    c.model.input_rows = train_->rows;
    c.model.input_cols = train_->cols;
    if (c.model.is_conditional()) c.model.num_classes = train_->num_classes();  // cvae: the condition's size
    auto s = std::make_shared<ae::TrainingSession>(c, train_, test_, options_);
    if (params) {
        std::vector<float>& values = s->model().params().values();
        if (params->size() != values.size())
            throw ae::Error("model: the weights hold " + std::to_string(params->size()) + " floats, the config needs " +
                            std::to_string(values.size()));
        values = *params;
    }
    if (file) s->resume(*file);  // weights, epoch/step, optimizer moments (session.h)
    s->publish_views();
    config_ = c;
    ++generation_;
    std::lock_guard<std::mutex> lock(session_mutex_);
    session_ = std::move(s);
    session_generation_.store(generation_, std::memory_order_relaxed);
}

void Trainer::apply(Command& c) {
    std::shared_ptr<ae::TrainingSession> s;
    {
        std::lock_guard<std::mutex> lock(session_mutex_);
        s = session_;
    }
    switch (c.kind) {
        case Command::load_data: {
            loading_ = true;
            running_ = false;
            steps_left_ = 0;
            publish_status();
            try {
                ae::DatasetPair p = data_source_load(c.source);
                train_ = std::make_shared<const ae::Dataset>(std::move(p.train));
                test_ = std::make_shared<const ae::Dataset>(std::move(p.test));
                data_name_ = c.source.kind == "idx" ? c.source.train_images : c.source.kind;
                exclude_class_ = c.source.exclude_class;
                source_ = c.source;
            } catch (...) {
                loading_ = false;
                throw;
            }
            loading_ = false;
            new_session(config_, nullptr);
            notice_ = "loaded " + data_name_ + ": " + std::to_string(train_->count) + " train / " +
                      std::to_string(test_->count) + " test images, " + std::to_string(train_->rows) + "x" +
                      std::to_string(train_->cols);
            break;
        }
        case Command::set_config:
            ae::config_validate(c.config);
            if (s && config_same_model(config_, c.config)) {
                s->optimizer().config() = c.config.train.optimizer;
                config_.train.optimizer = c.config.train.optimizer;
                config_.train.epochs = c.config.train.epochs;
                finished_ = s->epoch() >= config_.train.epochs;
                notice_ = "applied at step " + std::to_string(s->steps());
            } else {
                new_session(c.config, nullptr);
                notice_ = "new model";
            }
            break;
        case Command::start:
            if (s && s->epoch() >= config_.train.epochs) {  // finished: train one more epoch per start
                config_.train.epochs = s->epoch() + 1;
            }
            running_ = s != nullptr;
            finished_ = false;
            break;
        case Command::pause:
            running_ = false;
            steps_left_ = 0;
            if (s) s->publish_views();
            break;
        case Command::step:
            running_ = false;
            steps_left_ = s ? std::max(c.batches, 0) : 0;
            break;
        case Command::reset:
            new_session(config_, nullptr);
            notice_ = "reset";
            break;
        case Command::save: {
            if (!s) throw ae::Error("save: no model yet (load a data set first)");
            ae::TrainingState state;
            state.epoch = s->epoch();
            state.step = s->steps();
            // model_file.h: the data set (and the class left out of training), so `ae eval` and a later load
            // use the same images.
            const ae::DatasetRef data = ae::dataset_ref(source_.kind, source_.train_images, source_.train_labels,
                                                        source_.test_images, source_.test_labels, exclude_class_);
            ae::model_file_save(c.path, s->model(), ae::ModelFileInfo{config_, state, data, &s->optimizer()});
            notice_ = "saved " + c.path;
            break;
        }
        case Command::load_model: {
            const ae::ModelFile f = ae::model_file_read(c.path);
            // The file's data set, not whatever is loaded: switch to it (files without one: keep the current).
            const ae::DatasetRef& want = f.data;
            const bool other_files = want.name == "idx" && (want.train_images != source_.train_images ||
                                                            want.test_images != source_.test_images);
            std::string switched;
            if (!want.name.empty() && (want.name != source_.kind || other_files || !train_)) {
                if (want.name != "fashion-mnist" && want.name != "mnist" && want.name != "idx")
                    throw ae::Error(c.path + ": trained on '" + want.name + "' data, which the app cannot load");
                DataSource d;
                d.kind = want.name;
                d.dir = want.name == source_.kind ? source_.dir : "";
                d.train_images = want.train_images;
                d.train_labels = want.train_labels;
                d.test_images = want.test_images;
                d.test_labels = want.test_labels;
                ae::DatasetPair p = data_source_load(d);
                train_ = std::make_shared<const ae::Dataset>(std::move(p.train));
                test_ = std::make_shared<const ae::Dataset>(std::move(p.test));
                data_name_ = d.kind == "idx" ? d.train_images : d.kind;
                source_ = d;
                switched = "; switched to its data set " + data_name_;
            }
            if (!train_) throw ae::Error("load model: load a data set first");
            ae::Config config = f.config;
            config.train.threads = config_.train.threads;
            if (train_->rows != config.model.input_rows || train_->cols != config.model.input_cols)
                throw ae::Error(c.path + ": the model takes " + std::to_string(config.model.input_rows) + "x" +
                                std::to_string(config.model.input_cols) + " images, the data set has " +
                                std::to_string(train_->rows) + "x" + std::to_string(train_->cols));
            new_session(config, nullptr, &f);
            notice_ = "loaded " + c.path + " (trained " + std::to_string(f.state.epoch) + " epochs, " +
                      std::to_string(f.state.step) + " steps" +
                      (f.optimizer.empty() ? ", optimizer starts afresh" : ", optimizer state restored") + ")" + switched;
            break;
        }
        case Command::load_weights:
            new_session(c.config, &c.params);
            notice_ = "loaded weights";
            break;
    }
}

void Trainer::run() {
#if defined(__linux__)
    // Per-thread nice value (Linux: setpriority on a thread id); threads created from here inherit it.
    if (training_nice_ != 0)
        setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), training_nice_);
#endif
    std::shared_ptr<ae::TrainingSession> s;
    auto last_views = Clock::now();
    for (;;) {
        std::deque<Command> commands;
        {
            std::unique_lock<std::mutex> lock(queue_mutex_);
            const bool active = (running_ || steps_left_ > 0) && s && !s->diverged();
            if (!active && queue_.empty()) {
                busy_ = false;
                queue_cv_.notify_all();  // wake wait_idle()
                queue_cv_.wait(lock, [&] { return quit_ || !queue_.empty(); });
            }
            if (quit_) break;
            commands.swap(queue_);
            busy_ = true;
        }
        for (Command& c : commands) {
            try {
                error_.clear();
                notice_.clear();
                apply(c);
            } catch (const std::exception& e) {
                error_ = e.what();
                notice_.clear();
            }
            std::lock_guard<std::mutex> lock(session_mutex_);
            s = session_;
        }
        if (!commands.empty()) publish_status();

        if (!s || !(running_ || steps_left_ > 0) || s->diverged()) continue;
        s->step(1);  // one minibatch: commands and stop() are seen within one batch
        bool changed = false;
        if (steps_left_ > 0 && --steps_left_ == 0) changed = true;
        if (running_ && s->epoch() >= config_.train.epochs) {
            running_ = false;
            finished_ = true;
            changed = true;
        }
        if (s->diverged()) {
            running_ = false;
            steps_left_ = 0;
            error_ = s->message();
            changed = true;
        }
        const double interval = view_interval_.load();
        if (changed || std::chrono::duration<double>(Clock::now() - last_views).count() >= interval) {
            s->publish_views();
            last_views = Clock::now();
        }
        if (changed) publish_status();
    }
}

}  // namespace ae_app
