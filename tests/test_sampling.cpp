// sampling.h: one RNG stream per seed; the prior for a VAE, a Gaussian fitted to TRAINING codes otherwise.
#include "ae/sampling.h"

#include <gtest/gtest.h>

#include "ae/latent.h"
#include "ae/rng.h"
#include "analysis_fixture.h"

namespace {

using namespace analysis_fixture;

TEST(SampleModel, VaeDrawsThePriorFromTheSampleStream) {
    auto s = trained(small_config("vae", 4), 10);
    const ae::SampleSet a = ae::sample_model(s->model(), nullptr, ae::SampleOptions{6, 42});
    ae::Rng rng(42, ae::kSampleStream);
    EXPECT_EQ(a.source, ae::SampleSource::prior);
    EXPECT_TRUE(a.codes.isApprox(ae::prior_samples(4, 6, rng)));
    EXPECT_TRUE(a.images.isApprox(s->model().decode(a.codes)));
    const ae::SampleSet b = ae::sample_model(s->model(), nullptr, ae::SampleOptions{6, 42});
    EXPECT_EQ(a.images, b.images);  // same seed, same images
    const ae::SampleSet c = ae::sample_model(s->model(), nullptr, ae::SampleOptions{6, 43});
    EXPECT_NE(a.codes, c.codes);
}

TEST(SampleModel, PlainAutoencoderFitsTrainingCodes) {
    auto s = trained(small_config("ae", 4));
    const ae::Dataset& train = *fashion().train;
    ae::SampleOptions o{4000, 1, 1500};
    const ae::SampleSet a = ae::sample_model(s->model(), &train, o);
    EXPECT_EQ(a.source, ae::SampleSource::training_gaussian);
    EXPECT_EQ(a.fit_count, 1500);
    // The samples follow the training codes' Gaussian: means agree within a few standard errors.
    const ae::Matrix z = ae::dataset_codes(s->model(), train, 1500);
    const ae::GaussianFit g = ae::gaussian_fit(z);
    ae::Rng rng(1, ae::kSampleStream);
    EXPECT_TRUE(a.codes.isApprox(ae::gaussian_samples(g, 4000, rng)));
    for (int i = 0; i < 4; ++i) {
        const double sd = std::sqrt((z.row(i).array() - z.row(i).mean()).square().sum() / (z.cols() - 1));
        EXPECT_NEAR(a.codes.row(i).mean(), z.row(i).mean(), 5 * sd / std::sqrt(4000.0) + 1e-6);
    }
    EXPECT_THROW(ae::sample_model(s->model(), nullptr, o), ae::Error);
    EXPECT_THROW(ae::sample_model(s->model(), &train, ae::SampleOptions{0, 1}), ae::Error);
}

TEST(SampleAround, FirstCellIsTheNoiselessReconstruction) {
    auto s = trained(small_config("ae", 4), 10);
    const ae::Vector x = ae::dataset_images(*fashion().test, 3, 1).col(0);
    const ae::SampleSet a = ae::sample_around(s->model(), x, 5, 0.5, 7);
    EXPECT_TRUE(a.images.col(0).isApprox(s->model().reconstruct(x).col(0)));
    EXPECT_FALSE(a.codes.col(1).isApprox(a.codes.col(0)));
}

}  // namespace
