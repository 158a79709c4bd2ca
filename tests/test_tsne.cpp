#include "ae/tsne.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "ae/dataset.h"
#include "ae/error.h"
#include "ae/metrics.h"
#include "ae/pca.h"
#include "ae/rng.h"
#include "test_util.h"

namespace {

// `clusters` Gaussian clusters of `per` points in d dimensions: centres ~ N(0, spread^2 I), points
// ~ N(centre, I). Labels are the cluster index.
ae::Matrix gaussian_clusters(int clusters, int per, int d, double spread, uint64_t seed, std::vector<uint8_t>& labels) {
    ae::Rng rng(seed);
    Eigen::MatrixXd centres(d, clusters);
    for (int c = 0; c < clusters; ++c)
        for (int i = 0; i < d; ++i) centres(i, c) = spread * rng.normal();
    ae::Matrix x(d, clusters * per);
    labels.clear();
    for (int j = 0; j < clusters * per; ++j) {
        const int c = j / per;
        for (int i = 0; i < d; ++i) x(i, j) = static_cast<float>(centres(i, c) + rng.normal());
        labels.push_back(static_cast<uint8_t>(c));
    }
    return x;
}

// 5-NN accuracy of the even-indexed points classifying the odd-indexed ones.
double split_knn(const ae::Matrix& y, const std::vector<uint8_t>& labels, int k = 5) {
    const int n = static_cast<int>(y.cols());
    ae::Matrix a(y.rows(), (n + 1) / 2), b(y.rows(), n / 2);
    std::vector<uint8_t> la, lb;
    for (int j = 0; j < n; ++j) {
        if (j % 2 == 0) {
            a.col(j / 2) = y.col(j);
            la.push_back(labels[j]);
        } else {
            b.col(j / 2) = y.col(j);
            lb.push_back(labels[j]);
        }
    }
    return ae::knn_accuracy(a, la, b, lb, k);
}

// Fraction of each point's 10 nearest neighbours in x that are also among its 10 nearest in y.
double neighbourhood_preservation(const ae::Matrix& x, const ae::Matrix& y, int k = 10) {
    const int n = static_cast<int>(x.cols());
    auto knn = [&](const ae::Matrix& m, int i) {
        std::vector<std::pair<double, int>> d;
        for (int j = 0; j < n; ++j)
            if (j != i) d.emplace_back((m.col(i) - m.col(j)).cast<double>().squaredNorm(), j);
        std::partial_sort(d.begin(), d.begin() + k, d.end());
        std::vector<int> out;
        for (int q = 0; q < k; ++q) out.push_back(d[q].second);
        std::sort(out.begin(), out.end());
        return out;
    };
    double kept = 0;
    for (int i = 0; i < n; ++i) {
        const std::vector<int> a = knn(x, i), b = knn(y, i);
        std::vector<int> both;
        std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
        kept += both.size();
    }
    return kept / (static_cast<double>(n) * k);
}

TEST(Tsne, KeepsGaussianClustersApartAndKlFalls) {
    std::vector<uint8_t> labels;
    // 6 clusters x 50 points in 50-D; the clusters' centres are ~7 standard deviations apart.
    const ae::Matrix x = gaussian_clusters(6, 50, 50, 5.0, 11, labels);
    ae::TsneOptions o;
    o.perplexity = 20;
    o.iterations = 500;
    ae::Tsne t(x, o);
    std::vector<double> kl;
    for (int i = 0; i < 10; ++i) kl.push_back(t.step(50).kl);
    EXPECT_EQ(t.iteration(), 500);
    EXPECT_TRUE(t.done());
    // After the exaggeration phase (iteration 250) the cost is the true KL: it falls from there on.
    for (int i = 5; i < 10; ++i) EXPECT_LE(kl[i], kl[i - 1] + 1e-3) << "iteration " << 50 * (i + 1);
    EXPECT_LT(kl.back(), 0.9 * kl[4]);
    EXPECT_LT(kl.back(), 1.5);
    EXPECT_GT(kl.back(), 0.0);
    const ae::Matrix& y = t.embedding();
    ASSERT_EQ(y.rows(), 2);
    ASSERT_EQ(y.cols(), 300);
    EXPECT_TRUE(y.allFinite());
    EXPECT_GE(split_knn(y, labels), 0.99);
    // Each cluster is compact and apart: the smallest distance between points of different clusters is
    // larger than the median distance within a cluster.
    std::vector<double> within;
    double between = std::numeric_limits<double>::infinity();
    for (int i = 0; i < 300; ++i)
        for (int j = i + 1; j < 300; ++j) {
            const double d = (y.col(i) - y.col(j)).norm();
            if (labels[i] == labels[j]) within.push_back(d);
            else between = std::min(between, d);
        }
    std::nth_element(within.begin(), within.begin() + within.size() / 2, within.end());
    EXPECT_GT(between, within[within.size() / 2]);
    // Local structure: at least 35% of the 10 nearest neighbours in 50-D stay 10 nearest in 2-D (measured
    // 0.48; within a cluster the points are isotropic noise, so much more is not possible; PCA-2D: 0.26).
    const double kept = neighbourhood_preservation(x, y);
    const ae::Pca p = ae::pca_fit(x, 2);
    const double kept_pca = neighbourhood_preservation(x, ae::pca_project(p, x));
    EXPECT_GT(kept, 0.35);
    EXPECT_GT(kept, kept_pca);
    std::printf("t-SNE clusters: KL %.3f -> %.3f, 5-NN %.3f, 10-NN kept %.3f (PCA-2D %.3f)\n", kl[4], kl.back(),
                split_knn(y, labels), kept, kept_pca);
}

TEST(Tsne, SameSeedSameMapOtherSeedOtherMap) {
    std::vector<uint8_t> labels;
    const ae::Matrix x = gaussian_clusters(3, 20, 10, 4.0, 2, labels);
    ae::TsneOptions o;
    o.perplexity = 5;
    o.iterations = 100;
    double kl1 = 0, kl2 = 0;
    const ae::Matrix a = ae::tsne_embed(x, o, &kl1);
    // Stepping in pieces gives the same map as one run.
    ae::Tsne t(x, o);
    for (int i = 0; i < 10; ++i) t.step(10);
    kl2 = t.kl();
    EXPECT_TRUE(a == t.embedding());
    EXPECT_EQ(kl1, kl2);
    o.seed = 2;
    const ae::Matrix b = ae::tsne_embed(x, o);
    EXPECT_FALSE(a == b);
}

TEST(Tsne, AffinitiesAreSymmetricAndSumToOne) {
    std::vector<uint8_t> labels;
    const ae::Matrix x = gaussian_clusters(2, 20, 5, 3.0, 5, labels);
    ae::TsneOptions o;
    o.perplexity = 4;
    ae::Tsne t(x, o);
    const auto& r = t.p_rows();
    const auto& c = t.p_cols();
    const auto& v = t.p_values();
    double sum = 0;
    auto at = [&](int i, int j) {
        for (int e = r[i]; e < r[i + 1]; ++e)
            if (c[e] == j) return v[e];
        return 0.0;
    };
    for (int i = 0; i < 40; ++i)
        for (int e = r[i]; e < r[i + 1]; ++e) {
            sum += v[e];
            EXPECT_NE(c[e], i);
            EXPECT_NEAR(v[e], at(c[e], i), 1e-15);
        }
    EXPECT_NEAR(sum, 1.0, 1e-12);
    // step(0) only reports.
    EXPECT_EQ(t.step(0).iteration, 0);
}

TEST(Tsne, BarnesHutMatchesExactRepulsion) {
    std::vector<uint8_t> labels;
    const ae::Matrix x = gaussian_clusters(4, 25, 20, 4.0, 8, labels);
    ae::TsneOptions o;
    o.perplexity = 10;
    o.theta = 0.0;  // exact
    ae::Tsne exact(x, o);
    o.theta = 0.5;
    ae::Tsne bh(x, o);
    exact.step(600);
    bh.step(600);
    // Not the same map (the approximation changes the path), but costs of the same size.
    EXPECT_NEAR(bh.kl(), exact.kl(), 0.1 * exact.kl());
}

TEST(Tsne, BadInputsThrowWithAMessage) {
    using test_util::error_of;
    std::vector<uint8_t> labels;
    const ae::Matrix x = gaussian_clusters(2, 20, 5, 3.0, 5, labels);  // 40 points
    ae::TsneOptions o;
    EXPECT_NE(error_of([&] { ae::Tsne t(x, o); }).find("perplexity 30 out of range for 40 points"), std::string::npos);
    o.perplexity = 5;
    EXPECT_NE(error_of([&] { ae::Tsne t(x.leftCols(5), o); }).find("at least 8 needed"), std::string::npos);
    ae::Matrix bad = x;
    bad(3, 7) = std::numeric_limits<float>::quiet_NaN();
    EXPECT_NE(error_of([&] { ae::Tsne t(bad, o); }).find("non-finite value at row 3 of point 7"), std::string::npos);
    EXPECT_NE(error_of([&] { ae::Tsne t(ae::Matrix::Zero(2, 10001), o); }).find("at most 10000"), std::string::npos);
    o.learning_rate = -1;
    EXPECT_NE(error_of([&] { ae::Tsne t(x, o); }).find("learning rate"), std::string::npos);
    o.learning_rate = 200;
    o.early_exaggeration = 0.5;
    EXPECT_NE(error_of([&] { ae::Tsne t(x, o); }).find("early exaggeration"), std::string::npos);
    o.early_exaggeration = 12;
    o.iterations = 0;
    EXPECT_NE(error_of([&] { ae::Tsne t(x, o); }).find("iterations 0"), std::string::npos);
    o.iterations = 10;
    ae::Tsne t(x, o);
    EXPECT_NE(error_of([&] { t.step(-1); }).find("expected >= 0"), std::string::npos);
}

// Real data: 1,000 Fashion-MNIST test images (pixels). The t-SNE map's 5-NN accuracy beats PCA-2D's.
TEST(Tsne, FashionMnistBeatsPca) {
#ifndef __OPTIMIZE__
    GTEST_SKIP() << "quality, not memory safety: runs in release (3 s; much longer under debug-asan)";
#endif
    ae::DatasetPair d;
    try {
        d = ae::load_dataset("fashion-mnist");
    } catch (const ae::Error& e) {
        GTEST_SKIP() << e.what();
    }
    const int n = 1000;
    const ae::Matrix x = ae::dataset_images(d.test, 0, n);
    std::vector<uint8_t> labels(d.test.labels.begin(), d.test.labels.begin() + n);
    const auto t0 = std::chrono::steady_clock::now();
    double kl = 0;
    const ae::Matrix y = ae::tsne_embed(x, {}, &kl);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const ae::Matrix yp = ae::pca_project(ae::pca_fit(x, 2), x);
    const double acc = split_knn(y, labels), acc_pca = split_knn(yp, labels);
    std::printf("Fashion-MNIST 1,000 test images: 5-NN t-SNE %.3f, PCA-2D %.3f, KL %.3f, %.2f s\n", acc, acc_pca, kl, s);
    // Measured: t-SNE 0.692, PCA-2D 0.498 (500 images classify the other 500).
    EXPECT_GT(acc, 0.65);
    EXPECT_GT(acc, acc_pca + 0.15);
}

}  // namespace
