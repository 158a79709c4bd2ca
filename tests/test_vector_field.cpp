#include "ae/vector_field.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <memory>

#include "ae/autoencoder.h"
#include "ae/dataset.h"
#include "ae/error.h"
#include "ae/plot.h"
#include "ae/session.h"
#include "ae/toy_data.h"
#include "test_util.h"

namespace {

// A 2 -> 2 -> 2 linear autoencoder set to r(x) = a x + b (encoder weight a I, bias 0; decoder weight I,
// bias b per coordinate): its field r(x) − x = (a − 1) x + b is known in closed form.
ae::Autoencoder affine_model(float a, float b) {
    ae::ModelConfig m = ae::model_defaults("linear");
    m.input_rows = 1;
    m.input_cols = 2;
    m.latent = 2;
    ae::Autoencoder model(m);
    ae::ParamStore& p = model.params();
    for (size_t t = 0; t < p.tensors().size(); ++t) {
        const ae::ParamTensor& info = p.tensors()[t];
        const bool enc = info.name.find("encoder") != std::string::npos;
        float* v = p.value(static_cast<int>(t));
        if (info.shape.size() == 2) {
            v[0] = v[3] = enc ? a : 1.0f;
            v[1] = v[2] = 0.0f;
        } else {
            v[0] = v[1] = enc ? 0.0f : b;
        }
    }
    return model;
}

TEST(VectorField, GridAndFieldOfAKnownFunction) {
    // r(x) = 0.5 x + 0.25: the field 0.25 − 0.5 x points at (0.5, 0.5), half way.
    const ae::Autoencoder model = affine_model(0.5f, 0.25f);
    const ae::ReconstructionField f = ae::reconstruction_field(model, -1.0f, 2.0f, 4);
    ASSERT_EQ(f.n, 4);
    ASSERT_EQ(f.grid.rows(), 2);
    ASSERT_EQ(f.grid.cols(), 16);
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
            const int k = i * 4 + j;
            EXPECT_FLOAT_EQ(f.grid(0, k), -1.0f + j);  // x steps along a row, y from row to row
            EXPECT_FLOAT_EQ(f.grid(1, k), -1.0f + i);
            for (int r = 0; r < 2; ++r) {
                EXPECT_NEAR(f.reconstructions(r, k), 0.5f * f.grid(r, k) + 0.25f, 1e-6f);
                EXPECT_NEAR(f.field(r, k), 0.25f - 0.5f * f.grid(r, k), 1e-6f);
            }
        }
    // Against the single data point (0.5, 0.5) every arrow points straight at the data: alignment 1; the
    // reversed field gives −1; a field turned by 90 degrees gives 0.
    ae::Matrix centre(2, 1);
    centre << 0.5f, 0.5f;
    ae::FieldAlignmentOptions all;
    all.min_distance = 0.0f;
    all.max_distance = 10.0f;
    const ae::FieldAlignment a = ae::field_alignment(f.grid, f.field, centre, all);
    EXPECT_EQ(a.points, 16);  // no grid point coincides with (0.5, 0.5)
    EXPECT_NEAR(a.mean_cosine, 1.0, 1e-6);
    EXPECT_NEAR(ae::field_alignment(f.grid, -f.field, centre, all).mean_cosine, -1.0, 1e-6);
    ae::Matrix turned(2, f.field.cols());
    turned.row(0) = -f.field.row(1);
    turned.row(1) = f.field.row(0);
    EXPECT_NEAR(ae::field_alignment(f.grid, turned, centre, all).mean_cosine, 0.0, 1e-6);
    // The distance window: only grid points 0.5..1.0 from the centre count: (0, 0), (1, 0), (0, 1), (1, 1)
    // at 0.707.
    ae::FieldAlignmentOptions ring;
    ring.min_distance = 0.5f;
    ring.max_distance = 1.0f;
    EXPECT_EQ(ae::field_alignment(f.grid, f.field, centre, ring).points, 4);
}

TEST(VectorField, BadArguments) {
    const ae::Autoencoder model = affine_model(1.0f, 0.0f);
    test_util::expect_contains(test_util::error_of([&] { ae::reconstruction_field(model, 0.0f, 1.0f, 1); }),
                               {"grid side n = 1"});
    test_util::expect_contains(test_util::error_of([&] { ae::reconstruction_field(model, 1.0f, 1.0f, 8); }),
                               {"lo < hi"});
    ae::ModelConfig image = ae::model_defaults("ae");
    test_util::expect_contains(
        test_util::error_of([&] { ae::reconstruction_field(ae::Autoencoder(image), 0.0f, 1.0f, 8); }),
        {"784 inputs, expected 2"});
    const ae::Matrix g = ae::Matrix::Zero(2, 4), d3 = ae::Matrix::Zero(3, 4);
    test_util::expect_contains(test_util::error_of([&] { ae::field_alignment(g, g, d3); }), {"data [3, 4]"});
    test_util::expect_contains(test_util::error_of([&] { ae::field_alignment(g, g, ae::Matrix(2, 0)); }),
                               {"no data points"});
    // The identity model's field is 0 everywhere: no grid point counts.
    const ae::ReconstructionField f = ae::reconstruction_field(model, 0.0f, 1.0f, 5);
    EXPECT_EQ(f.field.cwiseAbs().maxCoeff(), 0.0f);
    ae::Matrix one(2, 1);
    one << 0.3f, 0.3f;
    EXPECT_EQ(ae::field_alignment(f.grid, f.field, one).points, 0);
}

// Alignment of the session's model on the moons test points, over the default 24 x 24 grid of [0, 1]².
double moons_alignment(const ae::TrainingSession& s, int* points = nullptr) {
    const ae::Dataset& test = s.test_data();
    const ae::ReconstructionField f = ae::reconstruction_field(s.model(), 0.0f, 1.0f, 24);
    const ae::FieldAlignment a = ae::field_alignment(f.grid, f.field, ae::dataset_images(test, 0, test.count));
    if (points) *points = a.points;
    return a.mean_cosine;
}

// 200 epochs of 32 batches, as `ae train --data moons --model denoising`. Measured (2026-12-02, release):
// alignment 0.850 after these steps (seeds 2, 3 through the CLI: 0.869, 0.831), 0.14 untrained, about 1 s.
constexpr int kSteps = 6400;
constexpr double kFloor = 0.75;

TEST(VectorField, DenoisingAutoencoderPointsBackToTheMoons) {
    // The defining behaviour (Alain & Bengio 2014): a denoising AE trained with small Gaussian corruption
    // learns r(x) − x pointing back to the data. toy_config_defaults("denoising"): 2-64-64-2-64-64-2, relu,
    // identity output, mse, σ = 0.05; Adam lr 1e-3, batch 64, 200 epochs of 2,000 points; seed 1, one thread.
    const ae::DatasetPair p = ae::toy_dataset("moons");
    auto train = std::make_shared<const ae::Dataset>(p.train);
    auto test = std::make_shared<const ae::Dataset>(p.test);
    const ae::Config c = ae::toy_config_defaults("denoising");
    ae::TrainingSession s(c, train, test);
    int counted = 0;
    const double untrained = moons_alignment(s, &counted);
    const auto t0 = std::chrono::steady_clock::now();
    s.step(kSteps);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    int trained_points = 0;
    const double trained = moons_alignment(s, &trained_points);
    std::printf("moons, denoising AE: alignment untrained %.4f (%d grid points), after %d steps %.4f (%d points), "
                "%.2f s\n",
                untrained, counted, kSteps, trained, trained_points, seconds);
    EXPECT_GT(trained_points, 150);
    EXPECT_GT(trained, kFloor);
    EXPECT_GT(trained, untrained + 0.3);
}

}  // namespace
