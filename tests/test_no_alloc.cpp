// A training step allocates nothing once the first minibatch has sized the buffers.
//
// Every heap entry point is replaced in this executable: the global operator new/delete (plain, array,
// aligned, nothrow, sized) and the C allocator (malloc, calloc, realloc, free, posix_memalign,
// aligned_alloc, memalign, valloc, pvalloc), forwarding to glibc's __libc_* functions. While
// g_counting is set, every allocation on any thread (the session's pool workers included) is counted.
// Sanitizers bring their own allocator, so under ASan/TSan this file is a single skipped test.
#include <gtest/gtest.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define AE_NO_ALLOC_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AE_NO_ALLOC_SANITIZER 1
#endif

#if defined(AE_NO_ALLOC_SANITIZER) || !defined(__GLIBC__)

TEST(NoAlloc, SkippedUnderSanitizers) {
    GTEST_SKIP() << "allocation counting replaces malloc; not possible under sanitizers or without glibc";
}

#else

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include <malloc.h>
#include <unistd.h>

#include "ae/dataset.h"
#include "ae/session.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
void* __libc_memalign(size_t, size_t);
}

namespace {

std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};

inline void note_allocation() {
    if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
}

void* counted_malloc(size_t n) {
    note_allocation();
    return __libc_malloc(n);
}

void* counted_aligned(size_t align, size_t n) {
    note_allocation();
    return __libc_memalign(align, n);
}

void* new_or_throw(size_t n) {
    void* p = counted_malloc(n == 0 ? 1 : n);
    if (!p) throw std::bad_alloc();
    return p;
}

void* aligned_new_or_throw(size_t n, std::align_val_t a) {
    void* p = counted_aligned(static_cast<size_t>(a), n == 0 ? 1 : n);
    if (!p) throw std::bad_alloc();
    return p;
}

}  // namespace

// ---- C allocator (glibc declares these noexcept in C++) ----
extern "C" {
void* malloc(size_t n) noexcept { return counted_malloc(n); }
void* calloc(size_t n, size_t size) noexcept {
    note_allocation();
    return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) noexcept {
    note_allocation();
    return __libc_realloc(p, n);
}
void free(void* p) noexcept { __libc_free(p); }
void* memalign(size_t align, size_t n) noexcept { return counted_aligned(align, n); }
void* aligned_alloc(size_t align, size_t n) noexcept { return counted_aligned(align, n); }
void* valloc(size_t n) noexcept { return counted_aligned(static_cast<size_t>(sysconf(_SC_PAGESIZE)), n); }
void* pvalloc(size_t n) noexcept {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    return counted_aligned(page, (n + page - 1) / page * page);
}
int posix_memalign(void** out, size_t align, size_t n) noexcept {
    if (align < sizeof(void*) || (align & (align - 1)) != 0) return EINVAL;
    void* p = counted_aligned(align, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
}

// ---- C++ operators ----
void* operator new(size_t n) { return new_or_throw(n); }
void* operator new[](size_t n) { return new_or_throw(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n == 0 ? 1 : n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n == 0 ? 1 : n); }
void* operator new(size_t n, std::align_val_t a) { return aligned_new_or_throw(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return aligned_new_or_throw(n, a); }
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_aligned(static_cast<size_t>(a), n == 0 ? 1 : n);
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_aligned(static_cast<size_t>(a), n == 0 ? 1 : n);
}
void operator delete(void* p) noexcept { __libc_free(p); }
void operator delete[](void* p) noexcept { __libc_free(p); }
void operator delete(void* p, size_t) noexcept { __libc_free(p); }
void operator delete[](void* p, size_t) noexcept { __libc_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { __libc_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { __libc_free(p); }

namespace {

// Counts allocations made (on any thread) between construction and count().
class AllocationCounter {
public:
    AllocationCounter() {
        g_allocations.store(0);
        g_counting.store(true);
    }
    ~AllocationCounter() { g_counting.store(false); }
    long count() {
        g_counting.store(false);
        return g_allocations.load();
    }
};

// Opaque to the optimiser, so allocations in the positive controls are not elided.
template <class T>
void keep(T* p) {
    asm volatile("" : : "g"(p) : "memory");
}

struct alignas(128) OverAligned {
    float v[32];
};

// The counter is real: each entry point is seen.
TEST(NoAlloc, CounterSeesEveryKindOfAllocation) {
    {
        AllocationCounter c;
        std::vector<int> v(1000);
        keep(v.data());
        EXPECT_GE(c.count(), 1) << "std::vector";
    }
    {
        AllocationCounter c;
        auto* o = new OverAligned;  // aligned operator new
        keep(o);
        const long n = c.count();
        delete o;
        EXPECT_EQ(n, 1) << "aligned new";
    }
    {
        AllocationCounter c;
        int* a = new (std::nothrow) int[10];
        keep(a);
        const long n = c.count();
        delete[] a;
        EXPECT_EQ(n, 1) << "nothrow new[]";
    }
    {
        AllocationCounter c;
        void* m = malloc(100);
        keep(m);
        void* z = calloc(10, 10);
        keep(z);
        m = realloc(m, 1000);
        keep(m);
        void* p = nullptr;
        ASSERT_EQ(posix_memalign(&p, 64, 256), 0);
        keep(p);
        void* q = aligned_alloc(64, 256);
        keep(q);
        void* r = memalign(64, 256);
        keep(r);
        const long n = c.count();
        free(m);
        free(z);
        free(p);
        free(q);
        free(r);
        EXPECT_EQ(n, 6) << "malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign";
        EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
    }
    {
        AllocationCounter c;
        ae::Matrix m(100, 100);  // Eigen's aligned allocation
        keep(m.data());
        EXPECT_GE(c.count(), 1) << "Eigen matrix";
    }
    {
        AllocationCounter c;
        int x = 0;
        keep(&x);
        EXPECT_EQ(c.count(), 0) << "no allocation, no count";
    }
}

const ae::DatasetPair& data() {
    static const ae::DatasetPair pair = ae::load_dataset("mnist");
    return pair;
}

void expect_no_allocation_in_steps(int threads) {
    ae::Config config;
    config.model.encoder = {128, 64};
    config.model.latent = 2;
    config.train.batch = 64;
    config.train.epochs = 2;
    config.train.threads = threads;
    auto train = std::make_shared<const ae::Dataset>(ae::dataset_head(data().train, 2000));  // 32 batches
    auto test = std::make_shared<const ae::Dataset>(ae::dataset_head(data().test, 500));
    ae::TrainingSession s(config, train, test);
    ASSERT_EQ(s.batches_per_epoch(), 32);
    ASSERT_EQ(s.step(1), 1);  // sizes the optimizer's moments
    long n = -1;
    {
        AllocationCounter c;
        const int done = s.step(25);  // batches 2..26 of 32: inside the first epoch
        n = c.count();
        EXPECT_EQ(done, 25);
    }
    EXPECT_EQ(s.epoch(), 0);
    EXPECT_EQ(n, 0) << "heap allocations in 25 training steps with " << threads << " thread(s)";
    // One step at a time too (publish_progress after each).
    {
        AllocationCounter c;
        for (int i = 0; i < 4; ++i) s.step(1);
        n = c.count();
    }
    EXPECT_EQ(n, 0) << "heap allocations in step(1) x 4 with " << threads << " thread(s)";
    // Positive control inside the core library: publishing views does allocate, and is seen.
    {
        AllocationCounter c;
        s.publish_views();
        n = c.count();
    }
    EXPECT_GT(n, 0) << "publish_views allocates its views; the counter must see that";
}

TEST(NoAlloc, TrainingStepOneThread) { expect_no_allocation_in_steps(1); }

// Every model type (issue 3): the penalties, corruptions, VAE noise and contractive probes all work in
// buffers sized by the first minibatch.
TEST(NoAlloc, EveryModelType) {
    auto train = std::make_shared<const ae::Dataset>(ae::dataset_head(data().train, 2000));
    auto test = std::make_shared<const ae::Dataset>(ae::dataset_head(data().test, 500));
    for (const std::string& type : ae::model_types()) {
        for (int variant = 0; variant < 2; ++variant) {
            ae::Config config;
            config.model = ae::model_defaults(type);
            config.model.encoder = {64};
            if (type == "linear") config.model.encoder = {};
            if (type == "contractive" && variant == 1) config.model.encoder = {};  // exact one-layer form
            if (type == "sparse" && variant == 1) config.model.sparsity = ae::Sparsity::l1;
            if (type == "denoising" && variant == 1) {
                config.model.corruption = ae::Corruption::block;
                config.model.corruption_level = 7;
            }
            if (type == "vae" && variant == 1) config.model.kl_warmup_epochs = 2;
            config.train.batch = 64;
            config.train.epochs = 2;
            ae::TrainingSession s(config, train, test);
            ASSERT_EQ(s.step(1), 1);
            AllocationCounter c;
            const int done = s.step(10);
            const long n = c.count();
            EXPECT_EQ(done, 10);
            EXPECT_EQ(n, 0) << "heap allocations in 10 steps of model type " << type << " variant " << variant;
        }
    }
}
TEST(NoAlloc, TrainingStepTwoThreads) { expect_no_allocation_in_steps(2); }

// Every layer kind (issue 9): Conv2d, ConvTranspose2d, MaxPool2d, Upsample, Flatten / Unflatten with several
// channels, on one and two threads.
TEST(NoAlloc, EveryLayerKind) {
    auto train = std::make_shared<const ae::Dataset>(ae::dataset_head(data().train, 1000));
    auto test = std::make_shared<const ae::Dataset>(ae::dataset_head(data().test, 200));
    struct Case {
        const char* type;
        const char* encoder;
        const char* decoder;
    };
    const Case cases[] = {{"vae", "c8k4s2p1,c16k4s2p1", ""},          // B3's shape: strided convs, transposed convs
                          {"ae", "c8k3,m2,c4k3,m2,32", ""},             // pools and upsampling, a Dense width
                          {"denoising", "c4k3,m2", "u2,c4k3,c1k3"}};    // an explicit decoder with convolutions
    for (const Case& cs : cases)
        for (int threads : {1, 2}) {
            ae::Config config;
            config.model = ae::model_defaults(cs.type);
            config.model.encoder = ae::parse_layer_specs(cs.encoder, "encoder");
            config.model.decoder = ae::parse_layer_specs(cs.decoder, "decoder");
            config.model.latent = 8;
            config.train.batch = 32;
            config.train.epochs = 2;
            config.train.threads = threads;
            ae::TrainingSession s(config, train, test);
            ASSERT_EQ(s.step(1), 1);
            AllocationCounter c;
            const int done = s.step(10);
            const long n = c.count();
            EXPECT_EQ(done, 10);
            EXPECT_EQ(n, 0) << "heap allocations in 10 steps of " << cs.type << " " << cs.encoder << " / '" << cs.decoder
                            << "' on " << threads << " thread(s)";
        }
}

}  // namespace

#endif
