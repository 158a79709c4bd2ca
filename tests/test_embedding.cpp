// embedding.h: the four-way comparison of 2-D maps (PCA / t-SNE of pixels and of codes) with map k-NN accuracy.
#include "ae/embedding.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "ae/error.h"
#include "analysis_fixture.h"

namespace {

using namespace analysis_fixture;

TEST(Embedding, MapKnnAccuracyOnKnownPoints) {
    // Two classes far apart: perfect; the same points with labels alternating along x: the even points vote
    // for the odd ones' opposite class.
    ae::Matrix p(2, 8);
    p << 0, 0.1f, 0.2f, 0.3f, 10, 10.1f, 10.2f, 10.3f,  //
        0, 0, 0, 0, 0, 0, 0, 0;
    EXPECT_DOUBLE_EQ(ae::map_knn_accuracy(p, {0, 0, 0, 0, 1, 1, 1, 1}, 1), 1.0);
    EXPECT_DOUBLE_EQ(ae::map_knn_accuracy(p, {0, 1, 0, 1, 0, 1, 0, 1}, 1), 0.0);
    EXPECT_THROW(ae::map_knn_accuracy(p, {0, 1}, 1), ae::Error);
    EXPECT_THROW(ae::map_knn_accuracy(p, {0, 0, 0, 0, 1, 1, 1, 1}, 5), ae::Error);
}

// The four views on 40 points in two far-apart clusters (small enough for the sanitizer builds): every map
// keeps them apart.
TEST(Embedding, SmallComparisonKeepsTwoClustersApart) {
    ae::Matrix pixels(6, 40), codes(3, 40);
    std::vector<uint8_t> labels(40);
    for (int j = 0; j < 40; ++j) {
        const int c = (j / 2) % 2;  // 0, 0, 1, 1, ...: both classes among the even and among the odd points
        labels[j] = static_cast<uint8_t>(c);
        for (int d = 0; d < 6; ++d) pixels(d, j) = (c ? 5.0f : 0.0f) + 0.01f * static_cast<float>((j * 7 + d * 3) % 11);
        for (int d = 0; d < 3; ++d) codes(d, j) = (c ? -3.0f : 3.0f) + 0.02f * static_cast<float>((j * 5 + d) % 7);
    }
    ae::TsneOptions o;
    o.perplexity = 5;
    o.exaggeration_iterations = 50;
    o.iterations = 300;
    const std::vector<ae::EmbeddingView> v = ae::compare_embeddings(pixels, codes, labels, o, 3);
    ASSERT_EQ(v.size(), 4u);
    // PCA keeps the two clusters apart exactly; t-SNE's short run nearly (0.95-1.0 across builds; chance 0.5).
    EXPECT_DOUBLE_EQ(v[0].knn_accuracy, 1.0);
    EXPECT_DOUBLE_EQ(v[2].knn_accuracy, 1.0);
    EXPECT_GE(v[1].knn_accuracy, 0.85);
    EXPECT_GE(v[3].knn_accuracy, 0.85);
    EXPECT_EQ(v[2].title, "3-D codes (PCA)");
}

// 500 real Fashion-MNIST test images and the codes of a briefly trained 8-D autoencoder: four maps, each with
// its 5-NN accuracy; t-SNE keeps more of the classes' neighbourhoods than PCA's linear 2-D map.
TEST(Embedding, FourMapsOfFashionMnistTsneBeatsPcaOnPixels) {
#ifndef __OPTIMIZE__
    GTEST_SKIP() << "map quality, not memory safety: over a minute under ASan (runs in release; the small "
                    "comparison above runs everywhere)";
#endif
    auto s = trained(small_config("ae", 8), 200);
    const ae::Dataset& test = *fashion().test;
    const int n = 500;
    const ae::Matrix x = ae::dataset_images(test, 0, n);
    const std::vector<uint8_t> labels(test.labels.begin(), test.labels.begin() + n);
    ae::TsneOptions o;
    o.iterations = 500;
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<ae::EmbeddingView> v = ae::compare_embeddings(x, s->model().encode(x), labels, o);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(v.size(), 4u);
    for (const ae::EmbeddingView& e : v) {
        std::printf("%-36s 5-NN %.3f%s\n", e.title.c_str(), e.knn_accuracy, e.kl >= 0 ? (" KL " + std::to_string(e.kl)).c_str() : "");
        EXPECT_EQ(e.points.rows(), 2);
        EXPECT_EQ(e.points.cols(), n);
        EXPECT_TRUE(e.points.allFinite());
        EXPECT_GT(e.knn_accuracy, 0.3);  // chance is 0.1
    }
    std::printf("(%.1f s)\n", sec);
    EXPECT_EQ(v[0].title, "PCA of the pixels");
    EXPECT_GT(v[0].explained, 0.2);
    EXPECT_LT(v[0].explained, 1.0);
    EXPECT_EQ(v[1].explained, -1);
    EXPECT_EQ(v[3].title, "t-SNE of the 8-D codes");
    EXPECT_LT(v[0].kl, 0);
    EXPECT_GT(v[1].kl, 0);
    EXPECT_GT(v[1].knn_accuracy, v[0].knn_accuracy + 0.1);  // measured 0.628 vs 0.480 (500 images, 500 iterations)
    EXPECT_THROW(ae::compare_embeddings(x, s->model().encode(x.leftCols(10)), labels, o), ae::Error);
}

}  // namespace
