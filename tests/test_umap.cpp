// umap.h: the curve fit, the map of well-separated clusters, determinism, Fashion-MNIST pixels beside PCA and
// t-SNE, and the option errors.
#include "ae/umap.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "ae/embedding.h"
#include "ae/error.h"
#include "ae/pca.h"
#include "ae/rng.h"
#include "ae/tsne.h"
#include "analysis_fixture.h"
#include "test_util.h"

namespace {

using namespace analysis_fixture;

TEST(Umap, CurveMatchesTheReferenceParameters) {
    // umap-learn's find_ab_params(spread 1, min_dist 0.1) = (1.5769, 0.8951); min_dist 0.5: (0.5830, 1.3343).
    const auto [a, b] = ae::umap_curve(0.1);
    EXPECT_NEAR(a, 1.577, 0.02);
    EXPECT_NEAR(b, 0.895, 0.01);
    const auto [a5, b5] = ae::umap_curve(0.5);
    EXPECT_NEAR(a5, 0.583, 0.02);
    EXPECT_NEAR(b5, 1.334, 0.02);
}

// Three Gaussian clusters of 100 points in 10-D, centres 8 apart (sd 1): labels 0, 1, 2.
ae::Matrix blobs(std::vector<uint8_t>& labels) {
    ae::Rng rng(3);
    ae::Matrix x(10, 300);
    labels.resize(300);
    for (int i = 0; i < 300; ++i) {
        labels[i] = static_cast<uint8_t>(i % 3);
        for (int r = 0; r < 10; ++r) x(r, i) = static_cast<float>(rng.normal() + (r == labels[i] ? 8.0 : 0.0));
    }
    return x;
}

TEST(Umap, KeepsWellSeparatedClustersApartAndIsDeterministic) {
    std::vector<uint8_t> labels;
    const ae::Matrix x = blobs(labels);
    ae::UmapOptions o;
    o.epochs = 200;
    ae::Umap u(x, o);
    EXPECT_GT(u.edges(), 300 * 14);  // each point's 14 neighbours, in both directions after the union
    const ae::Matrix start = u.embedding();
    EXPECT_NEAR(start.cwiseAbs().maxCoeff(), 10.0f, 1e-4f);
    u.step(50);
    EXPECT_EQ(u.epoch(), 50);
    EXPECT_FALSE(u.done());
    EXPECT_FALSE(u.embedding().isApprox(start));
    u.step(1000);
    EXPECT_EQ(u.epoch(), 200);
    EXPECT_TRUE(u.done());
    const ae::Matrix& y = u.embedding();
    ASSERT_TRUE(y.allFinite());
    const double acc = ae::map_knn_accuracy(y, labels, 5);
    // Each cluster's spread in the map is small against the distance between cluster means.
    Eigen::MatrixXf means = Eigen::MatrixXf::Zero(2, 3);
    for (int i = 0; i < 300; ++i) means.col(labels[i]) += y.col(i) / 100.0f;
    double within = 0.0;
    for (int i = 0; i < 300; ++i) within += (y.col(i) - means.col(labels[i])).norm() / 300.0;
    const double between = std::min({(means.col(0) - means.col(1)).norm(), (means.col(0) - means.col(2)).norm(),
                                     (means.col(1) - means.col(2)).norm()});
    std::printf("blobs: 5-NN %.3f, mean distance to the cluster mean %.3f, nearest two means %.3f apart\n", acc,
                within, between);
    EXPECT_GE(acc, 0.99);
    EXPECT_GT(between, 3.0 * within);
    // The same seed gives the same map; another seed another one.
    EXPECT_EQ(ae::umap_embed(x, o), y);
    o.seed = 2;
    EXPECT_NE(ae::umap_embed(x, o), y);
}

TEST(Umap, FashionMnistPixelsBeatPcaAsTsneDoes) {
#ifndef __OPTIMIZE__
    GTEST_SKIP() << "map quality, not memory safety (runs in release)";
#endif
    const ae::Dataset& test = *fashion().test;
    const std::vector<int> idx = ae::spread_indices(test.count, 1000);
    const ae::Matrix x = ae::select_columns(ae::dataset_images(test, 0, test.count), idx);
    const std::vector<uint8_t> labels = ae::select_labels(test.labels, idx);
    const auto t0 = std::chrono::steady_clock::now();
    const ae::Matrix y = ae::umap_embed(x);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const ae::Pca p = ae::pca_fit(x, 2);
    const double umap = ae::map_knn_accuracy(y, labels), pca = ae::map_knn_accuracy(ae::pca_project(p, x), labels);
    ae::TsneOptions o;
    o.iterations = 500;
    const double tsne = ae::map_knn_accuracy(ae::tsne_embed(x, o), labels);
    std::printf("1,000 Fashion-MNIST test images: 5-NN of the map UMAP %.3f (%.2f s), t-SNE %.3f, PCA %.3f\n", umap, sec,
                tsne, pca);
    EXPECT_GT(umap, pca + 0.1);
    EXPECT_GT(umap, tsne - 0.05);
}

TEST(Umap, BadOptionsNameTheOption) {
    std::vector<uint8_t> labels;
    const ae::Matrix x = blobs(labels);
    auto with = [&](auto set) {
        ae::UmapOptions o;
        set(o);
        return test_util::error_of([&] { ae::Umap u(x, o); });
    };
    test_util::expect_contains(with([](ae::UmapOptions& o) { o.n_neighbors = 1; }), {"n_neighbors 1"});
    test_util::expect_contains(with([](ae::UmapOptions& o) { o.min_dist = -1; }), {"min_dist -1"});
    test_util::expect_contains(with([](ae::UmapOptions& o) { o.epochs = 0; }), {"epochs 0"});
    test_util::expect_contains(with([](ae::UmapOptions& o) { o.learning_rate = 0; }), {"learning_rate 0"});
    test_util::expect_contains(with([](ae::UmapOptions& o) { o.n_neighbors = 400; }), {"at least n_neighbors + 1 = 401"});
    ae::Matrix bad = x;
    bad(0, 0) = std::nanf("");
    test_util::expect_contains(test_util::error_of([&] { ae::Umap u(bad); }), {"non-finite"});
}

}  // namespace
