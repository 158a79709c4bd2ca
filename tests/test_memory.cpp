// The training-memory estimate (memory.h): the parameter layout equals the model's, the estimate is
// what the formula says, and the checker refuses absurd configs in the core, the session and the CLI.
#include "ae/memory.h"

#include <gtest/gtest.h>

#include <memory>

#include "ae/autoencoder.h"
#include "ae/error.h"
#include "ae/session.h"
#include "test_util.h"

namespace {

using test_util::error_of;
using test_util::expect_contains;

ae::Config conv_vae() {
    ae::Config c;
    c.model = ae::model_defaults("vae");
    c.model.encoder = ae::parse_layer_specs("c32k4s2p1,c64k4s2p1", "test");
    c.train.batch = 128;
    return c;
}

// The layout is exactly the tensors Autoencoder registers (names, shapes, padded offsets), for every kind.
TEST(Memory, ParameterLayoutIsTheModelsLayout) {
    std::vector<ae::Config> configs(4);
    configs[1].model = ae::model_defaults("vae");
    configs[2] = conv_vae();
    configs[3].model = ae::model_defaults("contractive");
    for (const ae::Config& c : configs) {
        const ae::ParamStore layout = ae::parameter_layout(c.model);
        EXPECT_FALSE(layout.finalized());
        EXPECT_TRUE(layout.values().empty());
        ae::Autoencoder m(c.model);
        ASSERT_EQ(layout.tensors().size(), m.params().tensors().size());
        for (size_t i = 0; i < layout.tensors().size(); ++i) {
            EXPECT_EQ(layout.tensors()[i].name, m.params().tensors()[i].name);
            EXPECT_EQ(layout.tensors()[i].shape, m.params().tensors()[i].shape);
            EXPECT_EQ(layout.tensors()[i].offset, m.params().tensors()[i].offset);
        }
        EXPECT_EQ(ae::estimate_training_memory(c).parameters, m.params().count());
    }
}

// The default model 784-512-256-2 (mirrored), Adam, batch 256, by hand.
TEST(Memory, EstimateOfTheDefaultModel) {
    ae::Config c;
    const ae::MemoryEstimate e = ae::estimate_training_memory(c);
    const size_t p = 784 * 512 + 512 + 512 * 256 + 256 + 256 * 2 + 2 + 2 * 256 + 256 + 256 * 512 + 512 + 512 * 784 + 784;
    EXPECT_EQ(e.parameters, p);
    // value, gradient, two Adam moments, the kept copy, a snapshot copy (padding adds < 16 floats per tensor)
    EXPECT_GE(e.parameter_bytes, 6 * 4 * p);
    EXPECT_LT(e.parameter_bytes, 6 * 4 * (p + 12 * 16));
    // Workspace: at least the activations and their gradients at batch 256 (modules: Linear + ReLU pairs).
    EXPECT_GT(e.workspace_bytes, 2 * 4 * 256 * size_t{512 + 256 + 2 + 256 + 512 + 784});
    EXPECT_LT(e.total_bytes(), size_t{64} << 20);
    // Twice the batch: the workspace roughly doubles, the parameters stay.
    c.train.batch = 512;
    const ae::MemoryEstimate e2 = ae::estimate_training_memory(c);
    EXPECT_EQ(e2.parameter_bytes, e.parameter_bytes);
    EXPECT_GT(e2.workspace_bytes, e.workspace_bytes * 3 / 2);
    EXPECT_NO_THROW(ae::check_memory(c, ae::kNativeMemoryLimit));
    EXPECT_NO_THROW(ae::check_memory(conv_vae(), ae::kPageMemoryLimit));
}

TEST(Memory, CheckNamesTheFieldsTheEstimateAndTheLimit) {
    ae::Config c;
    c.model.latent = 5000;
    const std::string msg = error_of([&] { ae::check_memory(c, 16 << 20, "the page's limit"); });
    expect_contains(msg, {"latent 5000", "train.batch 256", "needs", "MB", "the page's limit is 16 MB"});
    // The example: latent and encoder 65536 need tens of GB.
    c.model.latent = 65536;
    c.model.encoder = {65536};
    const size_t bytes = ae::estimate_training_bytes(c);
    EXPECT_GT(bytes, size_t{30} << 30);
    expect_contains(error_of([&] { ae::check_memory(c, ae::kNativeMemoryLimit, "the limit", "--memory-limit GB"); }),
                    {"needs " + ae::format_bytes(bytes), "the limit is 4 GB (--memory-limit GB)"});
    // The largest accepted sizes do not overflow the estimate.
    c.model.input_rows = c.model.input_cols = 4096;
    c.model.input_channels = 1;
    c.train.batch = 65536;
    EXPECT_GT(ae::estimate_training_bytes(c), size_t{1} << 40);
}

TEST(Memory, FormatBytes) {
    EXPECT_EQ(ae::format_bytes(size_t{4} << 30), "4 GB");
    EXPECT_EQ(ae::format_bytes(size_t{3} << 29), "1.5 GB");
    EXPECT_EQ(ae::format_bytes(size_t{512} << 20), "512 MB");
    EXPECT_EQ(ae::format_bytes(10), "1 MB");
}

// The session checks before it builds the model (the page and the app create sessions directly).
TEST(Memory, SessionRefusesBeforeAllocating) {
    auto d = std::make_shared<ae::Dataset>();
    d->name = "tiny";
    d->count = 4;
    d->rows = d->cols = 28;
    d->pixels.assign(4 * 784, 0);
    d->labels.assign(4, 0);
    d->class_names = {"a"};
    ae::Config c;
    c.model.latent = 65536;
    c.model.encoder = {65536};
    ae::SessionOptions o;
    o.memory_limit_name = "the page's limit";
    o.memory_limit = ae::kPageMemoryLimit;
    expect_contains(error_of([&] { ae::TrainingSession s(c, d, d, o); }), {"needs", "the page's limit is 1 GB"});
    // The default model trains within the default limit.
    ae::Config ok;
    ok.train.batch = 4;
    EXPECT_NO_THROW(ae::TrainingSession(ok, d, d));
}

}  // namespace
