// traversal.h: latent traversals (one dimension moves, the others stay at the image's code) and the
// per-dimension histograms of the codes.
#include "ae/traversal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "ae/codes.h"
#include "ae/error.h"
#include "ae/latent.h"
#include "analysis_fixture.h"

namespace {

using namespace analysis_fixture;

TEST(Traversal, EachRowMovesOnlyItsDimensionFromLoToHi) {
    ae::Vector base(4);
    base << 0.5f, -1.0f, 2.0f, 0.25f;
    const ae::Matrix c = ae::traversal_codes(base, {2, 0}, {-1.0, 0.0}, {1.0, 4.0}, 5);
    ASSERT_EQ(c.rows(), 4);
    ASSERT_EQ(c.cols(), 10);
    for (int s = 0; s < 5; ++s) {
        EXPECT_NEAR(c(2, s), -1.0 + 0.5 * s, 1e-6);  // row 0: dimension 2 over [-1, 1]
        EXPECT_NEAR(c(0, 5 + s), 1.0 * s, 1e-6);     // row 1: dimension 0 over [0, 4]
        for (int d : {0, 1, 3}) EXPECT_EQ(c(d, s), base(d));
        for (int d : {1, 2, 3}) EXPECT_EQ(c(d, 5 + s), base(d));
    }
    EXPECT_THROW(ae::traversal_codes(base, {4}, {0.0}, {1.0}, 5), ae::Error);
    EXPECT_THROW(ae::traversal_codes(base, {1}, {1.0}, {1.0}, 5), ae::Error);
    EXPECT_THROW(ae::traversal_codes(base, {1}, {0.0}, {1.0}, 1), ae::Error);
    EXPECT_THROW(ae::traversal_codes(base, {1, 2}, {0.0}, {1.0}, 3), ae::Error);
}

TEST(Traversal, WideLatentShowsTheDimensionsOfLargestVariance) {
    ae::Rng rng(5, 1);
    ae::Matrix codes(6, 400);
    const float scale[6] = {0.1f, 3.0f, 0.01f, 2.0f, 3.0f, 0.5f};  // dims 1 and 4 tie in scale, not in draws
    for (int j = 0; j < 400; ++j)
        for (int d = 0; d < 6; ++d) codes(d, j) = scale[d] * static_cast<float>(rng.normal());
    const std::vector<int> top = ae::traversal_dims(codes, 3);
    ASSERT_EQ(top.size(), 3u);
    EXPECT_EQ(std::set<int>(top.begin(), top.begin() + 2), (std::set<int>{1, 4}));
    EXPECT_EQ(top[2], 3);
    const std::vector<int> all = ae::traversal_dims(codes, 6);
    EXPECT_EQ(all, (std::vector<int>{0, 1, 2, 3, 4, 5}));  // all shown: in index order
    EXPECT_THROW(ae::traversal_dims(codes, 0), ae::Error);
}

TEST(Traversal, VaeRowsSpanThePriorAndDecodeTheirCodes) {
    auto s = trained(small_config("vae", 3), 40);
    const ae::Matrix codes = ae::dataset_codes(s->model(), *fashion().test);
    const ae::Vector x = ae::dataset_images(*fashion().test, 7, 1).col(0);
    ae::TraversalOptions o;
    o.steps = 7;
    const ae::Traversal t = ae::latent_traversal(s->model(), x, codes, o);
    EXPECT_EQ(t.dims, (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(t.range_source, "prior quantiles");
    EXPECT_NEAR(t.lo[1], ae::normal_quantile(0.01), 1e-12);
    EXPECT_NEAR(t.hi[1], ae::normal_quantile(0.99), 1e-12);
    EXPECT_TRUE(t.base.isApprox(s->model().encode(x).col(0)));
    EXPECT_TRUE(t.images.isApprox(s->model().decode(t.codes)));
    EXPECT_EQ(t.images.cols(), 21);
}

TEST(Traversal, MovingTheMostVariedCodeDimensionChangesTheImage) {
#ifndef __OPTIMIZE__
    GTEST_SKIP() << "trains for 150 steps: 44-64 s under ASan in CI; a quality test, run in release";
#endif
    // A trained autoencoder: along the first row (the dimension of largest code variance) the decoded
    // image changes far more than the decoder's float noise; the ranges are the codes' 1%..99% quantiles.
    auto s = trained(small_config("ae", 4), 150);
    const ae::Matrix codes = ae::dataset_codes(s->model(), *fashion().test);
    const ae::Vector x = ae::dataset_images(*fashion().test, 0, 1).col(0);
    ae::TraversalOptions o;
    o.max_dims = 2;
    const ae::Traversal t = ae::latent_traversal(s->model(), x, codes, o);
    ASSERT_EQ(t.dims.size(), 2u);
    EXPECT_EQ(t.range_source, "code quantiles");
    const auto r = ae::code_quantile_range(codes, t.dims[0]);
    EXPECT_DOUBLE_EQ(t.lo[0], r.first);
    EXPECT_DOUBLE_EQ(t.hi[0], r.second);
    const double change = (t.images.col(o.steps - 1) - t.images.col(0)).cwiseAbs().mean();
    EXPECT_GT(change, 0.02) << "mean |pixel change| from one end of the row to the other";
    EXPECT_THROW(ae::latent_traversal(s->model(), ae::Vector::Zero(10), codes, o), ae::Error);
    EXPECT_THROW(ae::latent_traversal(s->model(), x, codes.topRows(3), o), ae::Error);
    o.steps = 1;
    EXPECT_THROW(ae::latent_traversal(s->model(), x, codes, o), ae::Error);
}

TEST(LatentHistograms, CountEveryCodeOnceWithTheDimensionsMeanAndSd) {
    ae::Matrix codes(2, 10);
    for (int j = 0; j < 10; ++j) {
        codes(0, j) = static_cast<float>(j);  // 0..9 in 3 bins of width 3: [0,3) [3,6) [6,9]
        codes(1, j) = 1.5f;                   // degenerate: [1, 2]
    }
    const std::vector<ae::LatentHistogram> h = ae::latent_histograms(codes, 3);
    ASSERT_EQ(h.size(), 2u);
    EXPECT_EQ(h[0].counts, (std::vector<int>{3, 3, 4}));
    EXPECT_DOUBLE_EQ(h[0].lo, 0.0);
    EXPECT_DOUBLE_EQ(h[0].hi, 9.0);
    EXPECT_DOUBLE_EQ(h[0].mean, 4.5);
    EXPECT_NEAR(h[0].sd, std::sqrt(8.25), 1e-12);
    EXPECT_EQ(h[1].counts, (std::vector<int>{0, 10, 0}));
    EXPECT_DOUBLE_EQ(h[1].lo, 1.0);
    EXPECT_DOUBLE_EQ(h[1].sd, 0.0);
    EXPECT_THROW(ae::latent_histograms(codes, 0), ae::Error);
    EXPECT_THROW(ae::latent_histograms(ae::Matrix(2, 0), 5), ae::Error);
}

TEST(LatentHistograms, TrainedVaeCodesCoverThePriorRange) {
#ifndef __OPTIMIZE__
    GTEST_SKIP() << "trains for 150 steps: 44-64 s under ASan in CI; a quality test, run in release";
#endif
    // The material's "hist of the values of the 20 Z's" on a briefly trained VAE (mu of 500 test images):
    // every code is counted once and the units are active (sd of mu measured 2.0, 2.5, 2.1 after 150 steps).
    auto s = trained(small_config("vae", 3), 150);
    const ae::Matrix codes = ae::dataset_codes(s->model(), *fashion().test);
    const std::vector<ae::LatentHistogram> h = ae::latent_histograms(codes, 20);
    ASSERT_EQ(h.size(), 3u);
    double widest = 0;
    for (int k = 0; k < 3; ++k) {
        const ae::LatentHistogram& d = h[k];
        EXPECT_NEAR(d.mean, codes.row(k).cast<double>().mean(), 1e-9);
        EXPECT_EQ(std::accumulate(d.counts.begin(), d.counts.end(), 0), codes.cols());
        widest = std::max(widest, d.sd);
    }
    EXPECT_GT(widest, 0.3) << "at least one unit is active";
}

}  // namespace
