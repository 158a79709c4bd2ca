// Model files: safetensors encoding round trip, every strict-loading rejection (files built here byte by
// byte), model files (config in __metadata__, training state), and crash-safe saving (a writer process
// killed mid-save never leaves a broken target).
#include "ae/safetensors.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ae/atomic_file.h"
#include "ae/model_file.h"
#include "ae/rng.h"
#include "test_util.h"

namespace {

using nlohmann::json;
using test_util::error_of;
using test_util::expect_contains;

std::vector<uint8_t> f32_bytes(std::initializer_list<float> v) {
    std::vector<uint8_t> out;
    for (float f : v) {
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        for (int b = 0; b < 4; ++b) out.push_back(static_cast<uint8_t>(bits >> (8 * b)));
    }
    return out;
}

std::string decode_error(const std::string& header, const std::vector<uint8_t>& data) {
    std::vector<uint8_t> f = test_util::make_safetensors(header, data);
    return error_of([&] { ae::safetensors_decode(f.data(), f.size(), "t.safetensors"); });
}

// Two F32 tensors a [2] and b [1, 2] in 16 data bytes.
const char* kTwo = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                   R"("b":{"dtype":"F32","shape":[1,2],"data_offsets":[8,16]}})";

TEST(Safetensors, DecodesAHandWrittenFile) {
    std::vector<uint8_t> f = test_util::make_safetensors(
        R"({"__metadata__":{"k":"v"},"b":{"dtype":"F32","shape":[1,2],"data_offsets":[8,16]},)"
        R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}   )",
        f32_bytes({1.0f, -2.5f, 3.0f, 1e-3f}));
    ae::SafetensorsFile s = ae::safetensors_decode(f.data(), f.size(), "t");
    ASSERT_EQ(s.tensors.size(), 2u);
    EXPECT_EQ(s.tensors[0].name, "a");  // sorted by offset
    EXPECT_EQ(s.metadata.at("k"), "v");
    EXPECT_EQ(s.tensors[1].shape, (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(ae::safetensors_f32(s, s.tensors[0], "t"), (std::vector<float>{1.0f, -2.5f}));
    EXPECT_EQ(ae::safetensors_f32(s, s.tensors[1], "t"), (std::vector<float>{3.0f, 1e-3f}));
}

TEST(Safetensors, EncodeDecodeRoundTripIsExactAndAligned) {
    ae::ParamStore p;
    p.add("encoder.0.weight", {3, 5});
    p.add("encoder.0.bias", {3});
    p.finalize();
    ae::Rng rng(7);
    for (float& v : p.values()) v = static_cast<float>(rng.normal());
    std::vector<uint8_t> bytes = ae::safetensors_encode(p, {{"config", "{}"}});
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    EXPECT_EQ((8 + n) % 8, 0u);
    ae::SafetensorsFile s = ae::safetensors_decode(bytes.data(), bytes.size(), "t");
    ae::ParamStore q;
    q.add("encoder.0.weight", {3, 5});
    q.add("encoder.0.bias", {3});
    q.finalize();
    ae::safetensors_load_params(s, q, "t");
    for (int t = 0; t < 2; ++t)
        for (size_t i = 0; i < p.tensors()[t].size; ++i) EXPECT_EQ(q.value(t)[i], p.value(t)[i]);
}

TEST(Safetensors, RejectsShortFileAndHugeOrTruncatedHeader) {
    std::vector<uint8_t> tiny = {1, 2, 3};
    expect_contains(error_of([&] { ae::safetensors_decode(tiny.data(), tiny.size(), "t.st"); }),
                    {"t.st", "3 bytes", "too short"});
    // Header length just above 100 MB in a file that holds it: rejected before the JSON is parsed.
    const uint64_t n = ae::kSafetensorsMaxHeader + 1;
    std::vector<uint8_t> huge(8 + n, ' ');
    for (int i = 0; i < 8; ++i) huge[i] = static_cast<uint8_t>(n >> (8 * i));
    huge[8] = '{';
    expect_contains(error_of([&] { ae::safetensors_decode(huge.data(), huge.size(), "t.st"); }),
                    {"header length 100000001", "exceeds", "100 MB"});
    std::vector<uint8_t> cut = test_util::make_safetensors(kTwo, f32_bytes({1, 2, 3, 4}));
    cut.resize(40);  // the header claims more bytes than there are
    expect_contains(error_of([&] { ae::safetensors_decode(cut.data(), cut.size(), "t.st"); }),
                    {"runs past the end of the file", "40 bytes"});
}

// A text file chosen as a model: its first 8 characters read as a length give ~2.3e18 bytes. The message
// says what the file is not, instead of a header limit.
TEST(Safetensors, TextFileIsNotASafetensorsFile) {
    const std::string text = "these are my notes, not a model\n";
    const std::vector<uint8_t> bytes(text.begin(), text.end());
    const std::string e = error_of([&] { ae::safetensors_decode(bytes.data(), bytes.size(), "notes.txt"); });
    expect_contains(e, {"notes.txt", "not a safetensors file", "runs past the end of the file"});
    EXPECT_EQ(e.find("exceeds the limit"), std::string::npos) << e;
    // A header length that fits the file but a header that is not a JSON object.
    std::vector<uint8_t> small(16, 'x');
    small[0] = 4;
    for (int i = 1; i < 8; ++i) small[i] = 0;
    expect_contains(error_of([&] { ae::safetensors_decode(small.data(), small.size(), "x.bin"); }),
                    {"x.bin", "not a safetensors file", "does not start with '{'"});
    // An empty file of 8 zero bytes (header length 0).
    const std::vector<uint8_t> zeros(8, 0);
    expect_contains(error_of([&] { ae::safetensors_decode(zeros.data(), zeros.size(), "z.bin"); }),
                    {"not a safetensors file"});
}

TEST(Safetensors, RejectsInvalidJson) {
    expect_contains(decode_error(R"({"a":{"dtype":"F32",)", {}), {"invalid JSON header"});
    expect_contains(decode_error(R"({"a":1} trailing)", {}), {"invalid JSON header"});
    expect_contains(decode_error("[1,2]", {}), {"does not start with '{'"});
    expect_contains(decode_error("{\"a\xff\":{}}", {}), {"invalid JSON header"});  // not UTF-8
    expect_contains(decode_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                 R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                 f32_bytes({1, 2})),
                    {"key 'a' twice"});
}

TEST(Safetensors, RejectsMalformedEntries) {
    expect_contains(decode_error(R"({"a":{"dtype":"F32","shape":[1]}})", {}), {"tensor 'a'", "missing data_offsets"});
    expect_contains(decode_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}})", f32_bytes({1})),
                    {"unknown field 'x'"});
    expect_contains(decode_error(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", f32_bytes({1})),
                    {"shape entries must be non-negative integers", "-1"});
    expect_contains(decode_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", f32_bytes({1})),
                    {"begin > end"});
    expect_contains(decode_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", f32_bytes({1})),
                    {"data_offsets must be two"});
    expect_contains(decode_error(R"({"__metadata__":{"k":1}})", {}), {"__metadata__.k is not a string"});
}

TEST(Safetensors, RejectsUnknownDtype) {
    expect_contains(decode_error(R"({"a":{"dtype":"F24","shape":[1],"data_offsets":[0,3]}})", {0, 0, 0}),
                    {"tensor 'a'", "unknown dtype 'F24'"});
}

TEST(Safetensors, RejectsSizeThatDisagreesWithDtypeTimesShape) {
    expect_contains(decode_error(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", f32_bytes({1, 2})),
                    {"tensor 'a'", "8 bytes in data_offsets", "F32 x shape [3] needs 12 bytes"});
    expect_contains(decode_error(R"({"a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,16]}})",
                                 f32_bytes({1, 2, 3, 4})),
                    {"needs 8 bytes"});
    // A shape whose byte count overflows 64 bits is caught, not wrapped around.
    expect_contains(decode_error(R"({"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", {}),
                    {"more than 2^61"});
}

TEST(Safetensors, RejectsOverlapsHolesAndRangesPastTheEnd) {
    expect_contains(decode_error(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                 f32_bytes({1, 2, 3})),
                    {"tensor 'b'", "overlap tensor 'a'"});
    expect_contains(decode_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                 R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                                 f32_bytes({1, 2, 3})),
                    {"hole", "bytes [4, 8) before tensor 'b'"});
    expect_contains(decode_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", f32_bytes({1, 2})),
                    {"hole", "[0, 4) before tensor 'a'"});
    expect_contains(decode_error(kTwo, f32_bytes({1, 2, 3})), {"tensor 'b'", "run past the end of the file"});
    expect_contains(decode_error(kTwo, f32_bytes({1, 2, 3, 4, 5})), {"hole", "[16, 20) after the last tensor"});
}

// A small real model and its file bytes.
ae::Config small_config() {
    ae::Config c;
    c.model.input_rows = 4;
    c.model.input_cols = 3;
    c.model.encoder = {5};
    c.model.latent = 2;
    return c;
}

TEST(ModelFile, RoundTripKeepsConfigStateAndWeights) {
    ae::Config c = small_config();
    ae::Autoencoder m(c.model);
    ae::Rng rng(3);
    m.init(rng);
    std::vector<uint8_t> bytes = ae::model_file_encode(m, c, {4, 1234});
    ae::ModelFile f = ae::model_file_decode(bytes.data(), bytes.size(), "m");
    EXPECT_EQ(f.state.epoch, 4);
    EXPECT_EQ(f.state.step, 1234);
    EXPECT_EQ(ae::config_to_json(f.config), ae::config_to_json(c));
    ae::Autoencoder back = ae::model_file_build(f);
    EXPECT_EQ(back.params().values(), m.params().values());
    ae::Matrix x = ae::Matrix::Random(12, 3).cwiseAbs();
    EXPECT_EQ(back.reconstruct(x), m.reconstruct(x));
}

// Re-encodes a model file with a changed config or tensor set.
std::vector<uint8_t> with_config(const ae::Config& file_config, const ae::ParamStore& params) {
    return ae::safetensors_encode(params, ae::model_file_metadata(file_config, {1, 10}));
}

TEST(ModelFile, RejectsAConfigThatDoesNotMatchTheTensors) {
    ae::Config c = small_config();
    ae::Autoencoder m(c.model);
    auto err = [](const std::vector<uint8_t>& b) {
        return error_of([&] { ae::model_file_decode(b.data(), b.size(), "m.safetensors"); });
    };
    // Wrong shape: the config says latent 3, the tensors were made for latent 2.
    ae::Config wide = c;
    wide.model.latent = 3;
    expect_contains(err(with_config(wide, m.params())),
                    {"m.safetensors", "tensor 'encoder.2.weight'", "shape [2, 5]", "config needs [3, 5]"});
    // Missing tensor: the file lacks the last bias.
    ae::ParamStore fewer;
    for (const ae::ParamTensor& t : m.params().tensors())
        if (t.name != "decoder.2.bias") fewer.add(t.name, t.shape);
    fewer.finalize();
    expect_contains(err(with_config(c, fewer)), {"tensor 'decoder.2.bias'", "shape [12]", "missing"});
    // Extra tensor.
    ae::ParamStore extra;
    for (const ae::ParamTensor& t : m.params().tensors()) extra.add(t.name, t.shape);
    extra.add("decoder.99.weight", {2, 2});
    extra.finalize();
    expect_contains(err(with_config(c, extra)), {"tensor 'decoder.99.weight'", "not a parameter"});
    // No config at all, or a broken one.
    std::vector<uint8_t> bare = ae::safetensors_encode(m.params(), {{"format", "x"}});
    expect_contains(err(bare), {"no \"config\""});
    std::vector<uint8_t> broken = ae::safetensors_encode(m.params(), {{"config", "{\"model\":{\"latent\":-1}}"}});
    expect_contains(err(broken), {"m.safetensors", "model.latent"});
    std::map<std::string, std::string> meta = ae::model_file_metadata(c, {});
    meta["epoch"] = "-2";
    std::vector<uint8_t> bad_epoch = ae::safetensors_encode(m.params(), meta);
    expect_contains(err(bad_epoch), {"__metadata__.epoch", "non-negative integer"});
}

TEST(ModelFile, VaeRoundTripAndMissingHead) {
    ae::Config c;
    c.model = ae::model_defaults("vae");
    c.model.input_rows = 4;
    c.model.input_cols = 3;
    c.model.encoder = {6};
    c.model.latent = 2;
    ae::Autoencoder m(c.model);
    ae::Rng rng(5);
    m.init(rng);
    std::vector<uint8_t> bytes = ae::model_file_encode(m, c, {2, 20});
    ae::ModelFile f = ae::model_file_decode(bytes.data(), bytes.size(), "v");
    EXPECT_EQ(f.config.model.type, "vae");
    ASSERT_NE(f.tensors.find("logvar.weight"), nullptr);
    ae::Autoencoder back = ae::model_file_build(f);
    const ae::Matrix x = ae::Matrix::Random(12, 2).cwiseAbs();
    EXPECT_EQ(back.encode(x), m.encode(x));  // mu
    // The same tensors without the log-variance head: the VAE config needs it.
    ae::ParamStore no_head;
    for (const ae::ParamTensor& t : m.params().tensors())
        if (t.name.rfind("logvar.", 0) != 0) no_head.add(t.name, t.shape);
    no_head.finalize();
    std::vector<uint8_t> b2 = ae::safetensors_encode(no_head, ae::model_file_metadata(c, {}));
    expect_contains(error_of([&] { ae::model_file_decode(b2.data(), b2.size(), "v"); }),
                    {"tensor 'logvar.weight'", "missing"});
}

TEST(ModelFile, ReadNamesTheMissingPath) {
    expect_contains(error_of([] { ae::model_file_read("/nonexistent/dir/m.safetensors"); }),
                    {"/nonexistent/dir/m.safetensors", "cannot open"});
}

// Crash safety. A child process saves two different versions of a 8 MB file over the same target in a
// loop with write_file_atomic; the parent SIGKILLs it at spread-out moments. After every kill the target
// must be byte-identical to one of the two versions (never truncated or mixed) and decode strictly.
TEST(AtomicSave, WriterKilledMidSaveLeavesOldOrNewFile) {
    test_util::TempDir dir("ae_kill");
    const std::string target = dir.file("model.safetensors");
    std::vector<uint8_t> versions[2];
    for (int v = 0; v < 2; ++v) {
        ae::ParamStore p;
        p.add("w", {1024, 2048});
        p.finalize();
        std::fill(p.values().begin(), p.values().end(), static_cast<float>(v + 1));
        versions[v] = ae::safetensors_encode(p, {{"version", std::to_string(v)}});
    }
    ae::write_file_atomic(target, versions[0].data(), versions[0].size());

    // At least 12 kills; more (up to 60) until 5 of them have landed mid-save, so that a heavily loaded
    // machine (where the child may barely run before the kill) still exercises the interesting case.
    int mid_save = 0, kills = 0;
    for (int k = 0; k < 60 && (k < 12 || mid_save < 5); ++k, ++kills) {
        int ready[2];
        ASSERT_EQ(pipe(ready), 0);
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            close(ready[0]);
            char c = 1;
            if (write(ready[1], &c, 1) != 1) _exit(2);
            for (unsigned i = 0;; ++i) {
                const std::vector<uint8_t>& v = versions[i % 2];
                try {
                    ae::write_file_atomic(target, v.data(), v.size());
                } catch (...) {
                    _exit(3);
                }
            }
        }
        close(ready[1]);
        char c;
        ASSERT_EQ(read(ready[0], &c, 1), 1);  // the child is running
        close(ready[0]);
        usleep(static_cast<useconds_t>(2000 + 1700 * (k % 12)));  // 2 .. 21 ms into the save loop
        ASSERT_EQ(kill(pid, SIGKILL), 0);
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the writer stopped on its own";

        // Left-over temporaries show the kill landed inside a save; remove them for the next round.
        for (const std::string& name : dir.entries()) {
            if (name.find(".tmp-") != std::string::npos) {
                ++mid_save;
                std::filesystem::remove(dir.file(name));
            }
        }
        std::ifstream f(target, std::ios::binary);
        std::vector<uint8_t> got((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        ASSERT_TRUE(got == versions[0] || got == versions[1])
            << "kill " << k << ": target has " << got.size() << " bytes, neither version";
        ae::SafetensorsFile s = ae::safetensors_decode(got.data(), got.size(), target);
        EXPECT_EQ(s.tensors.size(), 1u);
    }
    // Most kills hit the write or the fsync of the 8 MB temporary (the loop spends almost all its time
    // there); at least one must have, or this test did not test anything.
    EXPECT_GE(mid_save, 1);
    std::printf("writer killed %d times, %d times in the middle of a save\n", kills, mid_save);
}

}  // namespace
