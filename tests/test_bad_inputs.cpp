// Issue 12 "Hardening": the reproducers found by a first fuzzing pass and by crafted files, each turned
// into a test. Every bad input must end in an ae::Error naming the file or field, never another
// exception type (nlohmann's out_of_range, std::bad_alloc) and never a multi-GB allocation.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "ae/config.h"
#include "ae/error.h"
#include "ae/idx.h"
#include "ae/memory.h"
#include "ae/model_file.h"
#include "ae/safetensors.h"
#include "test_util.h"

namespace {

using test_util::error_of;
using test_util::expect_contains;
using test_util::make_idx;
using test_util::TempDir;

// Peak resident memory of this process so far, in MB (ctest runs each test in its own process).
double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// (1) A number too large for a double in a JSON config: nlohmann's out_of_range.406 became "unexpected
// error" (exit 1) in the CLI and terminated a fuzzer.
TEST(BadInputs, NumberOverflowInAConfigNamesTheFile) {
    for (const char* text : {R"({"train": {"lr": 1e400}})", R"({"model": {"latent": 1e400}})", "1e400",
                             R"({"model": {"encoder": [-1e400]}})"}) {
        const std::string msg = error_of([&] { ae::config_from_json(text, "run.json"); });
        expect_contains(msg, {"run.json", "number overflow"});
    }
}

// (1) The same number in a model file's header (the tensor table or the metadata's config).
TEST(BadInputs, NumberOverflowInASafetensorsHeaderNamesTheFile) {
    const std::vector<uint8_t> data(4, 0);
    const std::string headers[] = {
        R"({"w": {"dtype": "F32", "shape": [1e400], "data_offsets": [0, 4]}})",
        R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4e999]}})",
    };
    for (const std::string& h : headers) {
        const std::vector<uint8_t> bytes = test_util::make_safetensors(h, data);
        const std::string msg = error_of([&] { ae::safetensors_decode(bytes.data(), bytes.size(), "m.safetensors"); });
        expect_contains(msg, {"m.safetensors", "invalid JSON header", "number overflow"});
    }
    // A config in the metadata with the overflow inside its own (string) JSON: named as __metadata__.config.
    ae::Config c;
    c.model.input_rows = c.model.input_cols = 2;
    c.model.encoder = {3};
    ae::Autoencoder m(c.model);
    auto meta = ae::model_file_metadata(c, {});
    meta["config"] = R"({"train": {"lr": 1e400}})";
    const std::vector<uint8_t> bytes = ae::safetensors_encode(m.params(), meta);
    const std::string msg = error_of([&] { ae::model_file_decode(bytes.data(), bytes.size(), "m.safetensors"); });
    expect_contains(msg, {"m.safetensors", "__metadata__.config", "number overflow"});
}

// (3) A small model file whose config asks for 512x512 inputs and a 2048-wide encoder allocated more than
// 4 GB before its tensors were checked; with 4096x4096 and [65536] it ended in std::bad_alloc.
TEST(BadInputs, ModelFileWithAHugeConfigIsCheckedBeforeTheModelIsBuilt) {
    ae::Config small;
    small.model.input_rows = small.model.input_cols = 2;
    small.model.encoder = {3};
    ae::Autoencoder m(small.model);
    struct Case {
        int side, width;
        const char* needs;
    } cases[] = {{512, 2048, "config needs [2048, 262144]"}, {4096, 65536, "config needs [65536, 16777216]"}};
    for (const Case& k : cases) {
        ae::Config big = small;
        big.model.input_rows = big.model.input_cols = k.side;
        big.model.encoder = {k.width};
        const std::vector<uint8_t> bytes = ae::safetensors_encode(m.params(), ae::model_file_metadata(big, {}));
        ASSERT_LT(bytes.size(), 4096u);
        const std::string msg = error_of([&] { ae::model_file_decode(bytes.data(), bytes.size(), "big.safetensors"); });
        expect_contains(msg, {"big.safetensors", "tensor 'encoder.0.weight'", "shape [3, 4]", k.needs});
    }
    EXPECT_LT(peak_rss_mb(), 1024.0) << "decoding a 2 KB file must not allocate the model its config describes";
}

// Writes `header` then `zeros` zero bytes through gzip (streamed: no buffer of that size here).
void write_gz_bomb(const std::string& path, const std::vector<uint8_t>& header, size_t zeros) {
    gzFile f = gzopen(path.c_str(), "wb1");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, header.data(), static_cast<unsigned>(header.size())), static_cast<int>(header.size()));
    const std::vector<uint8_t> block(1 << 20, 0);
    for (size_t done = 0; done < zeros; done += block.size())
        ASSERT_EQ(gzwrite(f, block.data(), static_cast<unsigned>(block.size())), static_cast<int>(block.size()));
    ASSERT_EQ(gzclose(f), Z_OK);
}

// (4) A gzip IDX that expands far beyond what its header promises (5.3 MB -> 5.37 GB exhausted memory):
// decompression stops one byte past the promise.
TEST(BadInputs, GzipIdxExpandingBeyondItsHeaderStopsAtThePromise) {
    TempDir dir;
    const std::string path = dir.file("bomb-images-idx3-ubyte.gz");
    // 10 images of 28x28 promised (7,856 bytes), then 64 MB of zeros (about 64 KB compressed).
    write_gz_bomb(path, make_idx({10, 28, 28}, std::vector<uint8_t>(10 * 28 * 28, 7)), size_t{64} << 20);
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, {path, "expands beyond the 7856 bytes its IDX header promises"});
    EXPECT_LT(peak_rss_mb(), 256.0);
}

TEST(BadInputs, GzipIdxWhoseHeaderPromisesMoreThanTheLimit) {
    TempDir dir;
    const std::string path = dir.file("huge-images-idx3-ubyte.gz");
    // 100,000 images of 200x200: 4 GB promised, above the 2 GiB limit; refused after 16 bytes.
    write_gz_bomb(path, make_idx({100000, 200, 200}, {}), 1 << 20);
    expect_contains(error_of([&] { ae::idx_read(path); }), {path, "promises 4000000016 bytes", "above the limit"});
    // An honest gzip IDX still reads, and a short one is still "truncated".
    const std::string ok = dir.file("ok-idx1-ubyte.gz");
    write_gz_bomb(ok, make_idx({3}, {1, 2, 3}), 0);
    EXPECT_EQ(ae::idx_read(ok).data, (std::vector<uint8_t>{1, 2, 3}));
    const std::string shorter = dir.file("short-idx1-ubyte.gz");
    write_gz_bomb(shorter, make_idx({4}, {1, 2, 3}), 0);
    expect_contains(error_of([&] { ae::idx_read(shorter); }), {shorter, "truncated"});
    // Not an IDX header at all: idx_parse names the bad magic (decompression stopped after 4 bytes).
    const std::string text = dir.file("text.idx.gz");
    write_gz_bomb(text, {'h', 'e', 'l', 'l', 'o'}, 1 << 20);
    expect_contains(error_of([&] { ae::idx_read(text); }), {text, "magic"});
}

// (5) `ae train --latent 65536 --encoder 65536` ended in std::bad_alloc: the memory check refuses it
// with the estimate (the CLI's exit code 2 is tests/cli's cli.absurd_size).
TEST(BadInputs, AbsurdSizesAreRefusedWithTheEstimate) {
    ae::Config c;
    c.model.latent = 65536;
    c.model.encoder = {65536};
    ae::config_validate(c);
    const std::string msg = error_of([&] { ae::check_memory(c, ae::kNativeMemoryLimit, "the limit", "--memory-limit GB"); });
    expect_contains(msg, {"encoder [65536]", "latent 65536", "train.batch 256", "needs", "GB", "the limit is 4 GB",
                          "--memory-limit"});
    EXPECT_LT(peak_rss_mb(), 256.0);
}

}  // namespace
