// The app's vector-field tab (core field_comparison.h) on a thread of its own: start() builds the models and
// trains them in slices, publishing each model's field view (vector_field.h) under a mutex with a version
// after every slice; the UI polls() it once per frame. No math here: the fields come from the core.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ae/error.h"
#include "ae/field_comparison.h"

namespace ae_app {

class FieldRunner {
public:
    struct Model {
        std::string type;
        ae::FieldView view;
        double loss = 0.0;
        bool diverged = false;
        std::string message;
    };
    struct State {
        std::string data;
        std::vector<Model> models;
        std::vector<std::string> class_names;
        int64_t steps = 0, total_steps = 0;
        bool done = false;
        std::string error;  // the core's message when the models could not be made
        uint64_t version = 0;
    };

    ~FieldRunner() { stop(); }

    // Trains `types` on toy set `data` (both as FieldComparison takes them), 200 minibatches per slice; the
    // arrows of each view are drawn at arrow_scale times r(x) − x.
    void start(const std::string& data, const std::vector<std::string>& types, float arrow_scale) {
        stop();
        stop_ = false;
        running_ = true;
        thread_ = std::thread([this, data, types, arrow_scale] {
            try {
                ae::FieldComparison fc(data, types);
                publish(fc, data, arrow_scale);
                while (!stop_ && !fc.done()) {
                    fc.step(200);
                    publish(fc, data, arrow_scale);
                }
            } catch (const ae::Error& e) {
                std::lock_guard<std::mutex> lock(mutex_);
                state_.error = e.what();
                ++state_.version;
            }
            running_ = false;
        });
    }

    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }

    bool running() const { return running_; }
    // Still training, or a state newer than version `seen` not yet polled (a scripted screenshot waits for both).
    bool busy(uint64_t seen) const {
        if (running_) return true;
        std::lock_guard<std::mutex> lock(mutex_);
        return state_.version != seen;
    }

    // Copies the state into `out` when it changed since out.version; true if it did.
    bool poll(State& out) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (state_.version == out.version) return false;
        out = state_;
        return true;
    }

private:
    void publish(const ae::FieldComparison& fc, const std::string& data, float arrow_scale) {
        State s;
        s.data = data;
        for (int i = 0; i < fc.models(); ++i) {
            const ae::TrainingSession& t = fc.session(i);
            s.models.push_back({fc.type(i), fc.view(i, 24, arrow_scale), fc.recent_loss(i), t.diverged(), t.message()});
        }
        s.class_names = fc.data().test.class_names;
        s.steps = fc.steps();
        s.total_steps = fc.total_steps();
        s.done = fc.done();
        std::lock_guard<std::mutex> lock(mutex_);
        s.version = state_.version + 1;
        state_ = std::move(s);
    }

    std::thread thread_;
    std::atomic<bool> stop_{false}, running_{false};
    mutable std::mutex mutex_;
    State state_;
};

}  // namespace ae_app
