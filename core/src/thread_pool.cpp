#include "ae/thread_pool.h"

#include <chrono>

namespace ae {

ThreadPool::ThreadPool(int n_threads) {
    try {
        for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this] { worker_loop(); });
    } catch (...) {
        // A thread could not be created (std::system_error; in a WebAssembly build: no free Worker).
        // Stop the ones already running: a destroyed joinable std::thread would terminate the program.
        stop_workers();
        throw;
    }
}

ThreadPool::~ThreadPool() { stop_workers(); }

void ThreadPool::stop_workers() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
}

// Takes task indices until none are left. ctx_, call_ and n_tasks_ are written only while no
// worker is inside drain() (dispatch waits for every worker to check out), so plain reads are safe.
void ThreadPool::drain() {
    for (;;) {
        int i = next_.fetch_add(1, std::memory_order_relaxed);
        if (i >= n_tasks_) return;
        call_(ctx_, i);
    }
}

void ThreadPool::dispatch(int n_tasks, void* ctx, Trampoline call) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ctx_ = ctx;
        call_ = call;
        n_tasks_ = n_tasks;
        next_.store(0, std::memory_order_relaxed);
        busy_workers_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
        ++generation_;
    }
    wake_.notify_all();
    drain();
    // Products take 0.1-1 ms: spin briefly before blocking.
    for (int spin = 0; spin < 20000; ++spin)
        if (busy_workers_.load(std::memory_order_acquire) == 0) return;
    std::unique_lock<std::mutex> lock(mutex_);
    done_cv_.wait(lock, [this] { return busy_workers_.load(std::memory_order_acquire) == 0; });
}

// How long a worker that finished its part keeps polling for the next one before it blocks on the
// condition variable. A training step dispatches a product every 0.05-1 ms with serial work between them,
// and waking a blocked thread costs about as much (a futex natively; Atomics.wait/notify in WebAssembly,
// where B1's worker spent 34% of its time in emscripten_futex_wait and the caller often ran both halves of a
// product before the worker woke). Bounded, so an idle pool sleeps.
constexpr auto kWorkerSpin = std::chrono::microseconds(300);

void ThreadPool::worker_loop() {
    uint64_t seen = 0;
    for (;;) {
        if (generation_.load(std::memory_order_acquire) == seen) {
            const auto until = std::chrono::steady_clock::now() + kWorkerSpin;
            for (int k = 1; generation_.load(std::memory_order_acquire) == seen && !stop_.load(std::memory_order_relaxed); ++k)
                if (k % 256 == 0 && std::chrono::steady_clock::now() > until) break;
        }
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
            if (stop_) return;
            seen = generation_.load(std::memory_order_relaxed);
        }
        drain();
        if (busy_workers_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            std::lock_guard<std::mutex> lock(mutex_);
            done_cv_.notify_all();
        }
    }
}

}  // namespace ae
