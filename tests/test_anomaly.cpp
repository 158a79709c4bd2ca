// anomaly.h: histogram, worst-k with its tie-break, AUROC per class, and the report on real data.
#include "ae/anomaly.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "ae/metrics.h"
#include "analysis_fixture.h"

namespace {

TEST(ErrorHistogram, BinsFromZeroToTheMaximum) {
    const ae::ErrorHistogram h = ae::error_histogram({0.0, 0.1, 0.25, 0.5, 1.0, 1.0}, 4);
    ASSERT_EQ(h.edges.size(), 5u);
    EXPECT_DOUBLE_EQ(h.edges[0], 0.0);
    EXPECT_DOUBLE_EQ(h.edges[4], 1.0);
    EXPECT_DOUBLE_EQ(h.max_error, 1.0);
    EXPECT_EQ(h.counts, (std::vector<int>{2, 1, 1, 2}));  // 0.25 -> bin 1, 0.5 -> bin 2, the max -> the last bin
    const ae::ErrorHistogram z = ae::error_histogram({0.0, 0.0}, 3);
    EXPECT_EQ(z.counts, (std::vector<int>{2, 0, 0}));
    EXPECT_THROW(ae::error_histogram({1.0}, 0), ae::Error);
}

TEST(WorstIndices, LargestFirstTiesByIndex) {
    EXPECT_EQ(ae::worst_indices({0.5, 0.9, 0.9, 0.1, 0.9}, 4), (std::vector<int>{1, 2, 4, 0}));
    EXPECT_EQ(ae::worst_indices({0.5, 0.9}, 10), (std::vector<int>{1, 0}));
    EXPECT_TRUE(ae::worst_indices({0.5}, 0).empty());
}

TEST(AurocByClass, EachClassAgainstTheRestNanWhenAbsent) {
    const std::vector<double> s = {0.9, 0.8, 0.1, 0.2};
    const std::vector<uint8_t> y = {1, 1, 0, 0};
    const std::vector<double> a = ae::auroc_by_class(s, y, 3);
    EXPECT_DOUBLE_EQ(a[0], 0.0);
    EXPECT_DOUBLE_EQ(a[1], 1.0);
    EXPECT_TRUE(std::isnan(a[2]));
}

TEST(AnomalyReport, RealFashionMnistIsConsistentWithTheModel) {
    using namespace analysis_fixture;
    auto s = trained(small_config());
    const ae::Dataset& test = *fashion().test;
    ae::AnomalyOptions o;
    o.bins = 20;
    o.worst = 8;
    o.ssim_images = 50;
    const ae::AnomalyReport r = ae::anomaly_report(s->model(), test, o);
    ASSERT_EQ(r.errors.size(), static_cast<size_t>(test.count));
    const ae::Matrix x = ae::dataset_images(test, 0, test.count);
    const std::vector<double> e = ae::per_image_mse(x, s->model().reconstruct(x));
    for (int i = 0; i < test.count; ++i) EXPECT_NEAR(r.errors[i], e[i], 1e-9);
    EXPECT_NEAR(r.mse, ae::mse(x, s->model().reconstruct(x)), 1e-6);
    EXPECT_EQ(std::accumulate(r.histogram.counts.begin(), r.histogram.counts.end(), 0), test.count);
    ASSERT_EQ(r.worst.size(), 8u);
    EXPECT_EQ(r.worst, ae::worst_indices(r.errors, 8));
    for (int j = 0; j < 8; ++j) {
        EXPECT_EQ(r.worst_errors[j], r.errors[r.worst[j]]);
        if (j) EXPECT_GE(r.worst_errors[j - 1], r.worst_errors[j]);
    }
    EXPECT_EQ(r.worst_inputs.cols(), 8);
    EXPECT_TRUE(r.worst_inputs.col(0).isApprox(x.col(r.worst[0])));
    ASSERT_EQ(r.auroc_by_class.size(), 10u);
    for (double a : r.auroc_by_class) EXPECT_TRUE(a >= 0.0 && a <= 1.0);
    EXPECT_EQ(r.ssim_images, 50);
    EXPECT_GT(r.ssim, 0.0);
    EXPECT_GT(r.psnr, 5.0);
}

}  // namespace
