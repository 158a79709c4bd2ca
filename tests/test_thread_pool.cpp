// ae::ThreadPool: every task index runs exactly once, for any pool size and task count, and runs can
// follow each other back to back (a race between generations would run a task twice, skip one, or hang).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "ae/thread_pool.h"

namespace {

// Runs `pool` over n tasks and returns how often each index ran.
std::vector<int> run_counts(ae::ThreadPool& pool, int n_tasks) {
    std::unique_ptr<std::atomic<int>[]> hits(new std::atomic<int>[std::max(n_tasks, 1)]);
    for (int i = 0; i < n_tasks; ++i) hits[i].store(0);
    auto fn = [&](int i) { hits[i].fetch_add(1, std::memory_order_relaxed); };
    pool.run(n_tasks, fn);
    std::vector<int> out(n_tasks);
    for (int i = 0; i < n_tasks; ++i) out[i] = hits[i].load();
    return out;
}

TEST(ThreadPool, SizeCountsTheCaller) {
    for (int n = 1; n <= 4; ++n) {
        ae::ThreadPool pool(n);
        EXPECT_EQ(pool.size(), n);
    }
    ae::ThreadPool zero(0);  // no workers: everything on the caller
    EXPECT_EQ(zero.size(), 1);
}

TEST(ThreadPool, EveryTaskExactlyOnce) {
    for (int threads = 1; threads <= 4; ++threads) {
        ae::ThreadPool pool(threads);
        for (int rep = 0; rep < 50; ++rep) {
            for (int n_tasks : {0, 1, 2, 3, 4, 5, 7, 8, 64, 1000}) {
                std::vector<int> counts = run_counts(pool, n_tasks);
                for (int i = 0; i < n_tasks; ++i)
                    ASSERT_EQ(counts[i], 1) << "threads " << threads << ", tasks " << n_tasks << ", index " << i;
            }
        }
    }
}

TEST(ThreadPool, WorkIsSpreadOverThreads) {
    ae::ThreadPool pool(3);
    std::mutex m;
    std::set<std::thread::id> ids;
    // Long enough tasks that the workers get a share before the caller drains the queue.
    auto fn = [&](int) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::lock_guard<std::mutex> lock(m);
        ids.insert(std::this_thread::get_id());
    };
    pool.run(12, fn);
    EXPECT_GE(ids.size(), 2u);
}

// 10,000 runs back to back per pool size; each run's tasks write their own slot and the total is
// checked after every run, so a task of one generation running in the next would be caught.
TEST(ThreadPool, TenThousandRunsBackToBack) {
    for (int threads = 2; threads <= 4; ++threads) {
        ae::ThreadPool pool(threads);
        const int n_tasks = threads;  // the shape dense_forward uses: one block per thread
        std::vector<std::atomic<int>> slot(n_tasks);
        std::atomic<long> total{0};
        for (int run = 0; run < 10000; ++run) {
            for (auto& s : slot) s.store(0, std::memory_order_relaxed);
            auto fn = [&](int i) {
                slot[i].fetch_add(1, std::memory_order_relaxed);
                total.fetch_add(1, std::memory_order_relaxed);
            };
            pool.run(n_tasks, fn);
            for (int i = 0; i < n_tasks; ++i)
                ASSERT_EQ(slot[i].load(std::memory_order_relaxed), 1)
                    << "threads " << threads << ", run " << run << ", index " << i;
        }
        EXPECT_EQ(total.load(), 10000L * n_tasks);
    }
}

// Results written by workers are visible to the caller when run() returns (no atomics in the task).
TEST(ThreadPool, WritesAreVisibleAfterRun) {
    ae::ThreadPool pool(4);
    std::vector<int> data(4096);
    for (int run = 0; run < 2000; ++run) {
        auto fn = [&](int i) {
            for (int k = i * 1024; k < (i + 1) * 1024; ++k) data[k] = run;
        };
        pool.run(4, fn);
        for (int k = 0; k < 4096; k += 97) ASSERT_EQ(data[k], run);
    }
}

}  // namespace
