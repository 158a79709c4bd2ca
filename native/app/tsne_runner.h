// The latent map's t-SNE (core tsne.h) or UMAP (umap.h) on a thread of its own, so the UI thread stays responsive: start()
// copies the codes and runs ae::Tsne (start_umap: ae::Umap) a few iterations (epochs) at a time, publishing each map under a mutex with a
// version; the UI polls() it once per frame. No math here: the map and its KL come from the core.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "ae/error.h"
#include "ae/tsne.h"
#include "ae/umap.h"

namespace ae_app {

class TsneRunner {
public:
    struct Map {
        ae::Matrix points;  // [2, n]
        bool umap = false;  // a UMAP map: iteration counts epochs, no KL
        double kl = 0.0;
        int iteration = 0, iterations = 0;
        double learning_rate = 0.0;
        std::string error;  // the core's message when the t-SNE could not start
        uint64_t version = 0;
    };

    ~TsneRunner() { stop(); }

    // codes: [k, n]. Stops a running map first.
    void start(const ae::Matrix& codes, const ae::TsneOptions& o) {
        launch([codes, o] { return ae::Tsne(codes, o); }, [this](const ae::Tsne& t) { publish(t); });
    }
    void start_umap(const ae::Matrix& codes, const ae::UmapOptions& o) {
        launch([codes, o] { return ae::Umap(codes, o); }, [this](const ae::Umap& u) { publish_umap(u); });
    }

    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }

    bool running() const { return running_; }

    // Copies the map into `out` when it changed since out.version; true if it did.
    bool poll(Map& out) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (map_.version == out.version) return false;
        out = map_;
        return true;
    }

private:
    // Makes the map on the thread (the affinities or the graph take the longest), then steps it 5 at a time.
    template <class Make, class Publish>
    void launch(Make make, Publish publish) {
        stop();
        stop_ = false;
        running_ = true;
        thread_ = std::thread([this, make, publish] {
            try {
                auto map = make();
                publish(map);
                while (!stop_ && !map.done()) {
                    map.step(5);
                    publish(map);
                }
            } catch (const ae::Error& e) {
                std::lock_guard<std::mutex> lock(mutex_);
                map_.error = e.what();
                ++map_.version;
            }
            running_ = false;
        });
    }

    void publish_umap(const ae::Umap& u) {
        std::lock_guard<std::mutex> lock(mutex_);
        map_.points = u.embedding();
        map_.umap = true;
        map_.kl = 0.0;
        map_.iteration = u.epoch();
        map_.iterations = u.options().epochs;
        map_.learning_rate = u.options().learning_rate;
        map_.error.clear();
        ++map_.version;
    }
    void publish(const ae::Tsne& t) {
        std::lock_guard<std::mutex> lock(mutex_);
        map_.umap = false;
        map_.points = t.embedding();
        map_.kl = t.kl();
        map_.iteration = t.iteration();
        map_.iterations = t.options().iterations;
        map_.learning_rate = t.learning_rate();
        map_.error.clear();
        ++map_.version;
    }

    std::thread thread_;
    std::atomic<bool> stop_{false}, running_{false};
    std::mutex mutex_;
    Map map_;
};

}  // namespace ae_app
