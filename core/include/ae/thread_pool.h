// A small fixed pool of worker threads for splitting matrix products across cores.
//
// Why our own pool and not Eigen's OpenMP path: Eigen's parallel GEMM heap-allocates its packing
// buffers on every product, and a training step must not allocate. We split each product into
// independent column (or row) blocks, and every block runs Eigen's single-threaded GEMM, whose
// packing buffers live on the stack (EIGEN_STACK_ALLOCATION_LIMIT is raised for the core target).
//
// run(n_tasks, fn) calls fn(task) for task in [0, n_tasks) on the caller and the workers and returns
// when all are done. It is not reentrant: one run at a time per pool. Workers are created once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ae {

class ThreadPool {
public:
    // n_threads counts the calling thread: 1 means no workers (everything runs on the caller).
    explicit ThreadPool(int n_threads = 1);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return static_cast<int>(workers_.size()) + 1; }

    // Calls fn(i) for i in [0, n_tasks). fn must not throw. Does not allocate.
    template <class F>
    void run(int n_tasks, F& fn) {
        if (n_tasks <= 1 || workers_.empty()) {
            for (int i = 0; i < n_tasks; ++i) fn(i);
            return;
        }
        dispatch(n_tasks, &fn, [](void* ctx, int i) { (*static_cast<F*>(ctx))(i); });
    }

private:
    using Trampoline = void (*)(void*, int);
    void dispatch(int n_tasks, void* ctx, Trampoline call);
    void worker_loop();
    void drain();
    void stop_workers();

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_cv_;
    std::atomic<uint64_t> generation_{0};  // written under mutex_; read by spinning workers without it
    std::atomic<bool> stop_{false};
    void* ctx_ = nullptr;
    Trampoline call_ = nullptr;
    int n_tasks_ = 0;
    std::atomic<int> next_{0};
    std::atomic<int> busy_workers_{0};  // workers that have not yet finished this generation
};

}  // namespace ae
