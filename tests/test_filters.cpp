// first_layer_filters (filters.h): the first layer's weights as tiles, for Dense and Conv2d first layers.
#include <gtest/gtest.h>

#include <cmath>

#include "ae/autoencoder.h"
#include "ae/error.h"
#include "ae/filters.h"
#include "ae/rng.h"

namespace {

TEST(Filters, DenseRowsAreInputShapedTilesScaledBySign) {
    ae::ModelConfig m;  // 784-512-256-2
    ae::Autoencoder model(m);
    ae::Rng rng(3, 1);
    model.init(rng);
    const ae::FilterImages f = ae::first_layer_filters(model, 10);
    EXPECT_EQ(f.rows, 28);
    EXPECT_EQ(f.cols, 28);
    ASSERT_EQ(f.tiles.cols(), 10);
    EXPECT_EQ(f.layer, "encoder.0 (Linear 784 -> 512)");
    const float* w = model.params().value(0);  // encoder.0.weight [512, 784]
    for (int j = 0; j < 10; ++j) {
        float mx = 0;
        for (int i = 0; i < 784; ++i) mx = std::max(mx, std::fabs(w[j * 784 + i]));
        for (int i = 0; i < 784; ++i) EXPECT_NEAR(f.tiles(i, j), 0.5f + 0.5f * w[j * 784 + i] / mx, 1e-6f);
        EXPECT_GE(f.tiles.col(j).minCoeff(), 0.0f);
        EXPECT_LE(f.tiles.col(j).maxCoeff(), 1.0f);
    }
    EXPECT_EQ(ae::first_layer_filters(model, 100000).tiles.cols(), 512);
    EXPECT_THROW(ae::first_layer_filters(model, 0), ae::Error);
}

TEST(Filters, ConvKernelsAreKernelSizedTilesPerInputChannel) {
    ae::ModelConfig m = ae::model_defaults("vae");
    m.input_channels = 2;
    m.encoder = ae::parse_layer_specs("c6k4s2p1", "encoder");
    ae::Autoencoder model(m);
    ae::Rng rng(4, 1);
    model.init(rng);
    const ae::FilterImages f = ae::first_layer_filters(model);
    EXPECT_EQ(f.rows, 4);
    EXPECT_EQ(f.cols, 8);  // two channels side by side
    EXPECT_EQ(f.tiles.cols(), 6);
    EXPECT_EQ(f.layer, "encoder.1 (Conv2d 2 -> 6, 4x4)");
    // Kernel 5, channel 1, row 2, column 3 of the weight [6, 2, 4, 4].
    const float* w = model.params().value(0);
    float mx = 0;
    for (int i = 0; i < 32; ++i) mx = std::max(mx, std::fabs(w[5 * 32 + i]));
    EXPECT_NEAR(f.tiles(2 * 8 + 4 + 3, 5), 0.5f + 0.5f * w[5 * 32 + 16 + 2 * 4 + 3] / mx, 1e-6f);
}

TEST(Filters, VaeWithoutHiddenLayerShowsTheMuHead) {
    ae::ModelConfig m = ae::model_defaults("vae");
    m.encoder = {};
    m.latent = 4;
    ae::Autoencoder model(m);
    const ae::FilterImages f = ae::first_layer_filters(model);
    EXPECT_EQ(f.tiles.cols(), 4);
    EXPECT_EQ(f.layer, "mu (Linear 784 -> 4)");
}

}  // namespace
