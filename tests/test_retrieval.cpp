#include "ae/retrieval.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "ae/dataset.h"
#include "ae/error.h"

namespace {

ae::Matrix cols(std::initializer_list<std::pair<float, float>> pts) {
    ae::Matrix m(2, static_cast<int>(pts.size()));
    int j = 0;
    for (auto [a, b] : pts) {
        m(0, j) = a;
        m(1, j) = b;
        ++j;
    }
    return m;
}

TEST(Retrieval, KnownSmallExampleSortedWithTiesByIndex) {
    const ae::Matrix x = cols({{0, 0}, {3, 4}, {1, 0}, {0, 1}, {-1, 0}});
    const ae::Vector q = ae::Vector::Zero(2);
    const ae::Neighbors nn = ae::nearest_neighbors(x, q, 4, ae::Distance::euclidean);
    EXPECT_EQ(nn.indices, (std::vector<int>{0, 2, 3, 4}));  // 2, 3, 4 tie at 1: lower index first
    EXPECT_DOUBLE_EQ(nn.distances[0], 0.0);
    EXPECT_DOUBLE_EQ(nn.distances[1], 1.0);
    EXPECT_DOUBLE_EQ(nn.distances[3], 1.0);
    const ae::Neighbors all = ae::nearest_neighbors(x, q, 5, ae::Distance::euclidean);
    EXPECT_EQ(all.indices.back(), 1);
    EXPECT_NEAR(all.distances.back(), 5.0, 1e-12);
}

TEST(Retrieval, CosineIgnoresLengthEuclideanDoesNot) {
    // Item 0 points the query's way but is far; item 1 is near but at 90 degrees.
    const ae::Matrix x = cols({{10, 0}, {0, 1}, {-1, 0}});
    ae::Vector q(2);
    q << 1, 0;
    EXPECT_EQ(ae::nearest_neighbors(x, q, 1, ae::Distance::euclidean).indices[0], 1);
    const ae::Neighbors c = ae::nearest_neighbors(x, q, 3, ae::Distance::cosine);
    EXPECT_EQ(c.indices, (std::vector<int>{0, 1, 2}));
    EXPECT_NEAR(c.distances[0], 0.0, 1e-12);
    EXPECT_NEAR(c.distances[1], 1.0, 1e-12);
    EXPECT_NEAR(c.distances[2], 2.0, 1e-12);
}

TEST(Retrieval, LeaveOneOutExcludesTheQuery) {
    const ae::Matrix x = cols({{0, 0}, {0.1f, 0}, {5, 5}, {5.1f, 5}});
    const std::vector<uint8_t> labels = {0, 0, 1, 1};
    const ae::Neighbors nn = ae::nearest_neighbors(x, x.col(0), 1, ae::Distance::euclidean, 0);
    EXPECT_EQ(nn.indices[0], 1);
    EXPECT_DOUBLE_EQ(ae::retrieval_precision_at_k(x, labels, 1, ae::Distance::euclidean, 10), 1.0);
    // k = 2: each query's second neighbour is of the other class.
    EXPECT_DOUBLE_EQ(ae::retrieval_precision_at_k(x, labels, 2, ae::Distance::euclidean, 10), 0.5);
    // Only the first query.
    const std::vector<uint8_t> mixed = {0, 1, 1, 1};
    EXPECT_DOUBLE_EQ(ae::retrieval_precision_at_k(x, mixed, 1, ae::Distance::euclidean, 1), 0.0);
}

TEST(Retrieval, BadInputsThrow) {
    const ae::Matrix x = cols({{0, 0}, {1, 0}, {2, 0}});
    const ae::Vector q = ae::Vector::Zero(2);
    EXPECT_THROW(ae::nearest_neighbors(x, q, 0, ae::Distance::euclidean), ae::Error);
    EXPECT_THROW(ae::nearest_neighbors(x, q, 4, ae::Distance::euclidean), ae::Error);
    EXPECT_THROW(ae::nearest_neighbors(x, q, 3, ae::Distance::euclidean, 0), ae::Error);
    EXPECT_THROW(ae::nearest_neighbors(x, ae::Vector::Zero(3), 1, ae::Distance::euclidean), ae::Error);
    EXPECT_THROW(ae::nearest_neighbors(ae::Matrix(2, 0), q, 1, ae::Distance::euclidean), ae::Error);
    EXPECT_THROW(ae::retrieval_precision_at_k(x, {0, 1}, 1, ae::Distance::euclidean, 10), ae::Error);
    EXPECT_THROW(ae::retrieval_precision_at_k(x, {0, 1, 1}, 3, ae::Distance::euclidean, 10), ae::Error);
    EXPECT_THROW(ae::distance_from_name("manhattan"), ae::Error);
    EXPECT_EQ(ae::distance_from_name("cosine"), ae::Distance::cosine);
}

// Codes that separate the classes and pixels that do not: the comparison tells them apart, and a query without
// a class (a drawn image) gets neighbours but no precision.
TEST(Retrieval, CompareNeighborsByCodeAndByPixels) {
    const ae::Matrix codes = cols({{0, 0}, {0.1f, 0}, {0.2f, 0}, {9, 9}, {9.1f, 9}, {9.2f, 9}});
    const ae::Matrix pixels = cols({{0, 0}, {5, 5}, {5, 5.2f}, {0.1f, 0}, {0.2f, 0}, {5, 5.1f}});
    const std::vector<uint8_t> labels = {0, 0, 0, 1, 1, 1};
    const ae::NeighborComparison r =
        ae::compare_neighbors(codes, pixels, labels, codes.col(0), pixels.col(0), 2, ae::Distance::euclidean, 0, 0);
    EXPECT_EQ(r.by_code.indices, (std::vector<int>{1, 2}));
    EXPECT_EQ(r.by_pixels.indices, (std::vector<int>{3, 4}));
    EXPECT_DOUBLE_EQ(r.code_precision, 1.0);
    EXPECT_DOUBLE_EQ(r.pixel_precision, 0.0);
    const ae::NeighborComparison drawn =
        ae::compare_neighbors(codes, pixels, labels, codes.col(3), pixels.col(1), 3, ae::Distance::cosine);
    EXPECT_EQ(drawn.by_code.indices.size(), 3u);
    EXPECT_EQ(drawn.code_precision, -1);
    EXPECT_EQ(drawn.pixel_precision, -1);
    EXPECT_THROW(ae::compare_neighbors(codes, pixels.leftCols(5), labels, codes.col(0), pixels.col(0), 2,
                                       ae::Distance::euclidean),
                 ae::Error);
}

// Pixel retrieval on the first 1,000 real Fashion-MNIST test images, leave-one-out, k = 8.
TEST(Retrieval, FashionPixelPrecisionAt8WellAboveChance) {
    const ae::DatasetPair p = ae::load_dataset("fashion-mnist");
    const ae::Matrix x = ae::dataset_images(p.test, 0, 1000);
    const std::vector<uint8_t> labels(p.test.labels.begin(), p.test.labels.begin() + 1000);
    const auto t0 = std::chrono::steady_clock::now();
    const double pe = ae::retrieval_precision_at_k(x, labels, 8, ae::Distance::euclidean, 1000);
    const double pc = ae::retrieval_precision_at_k(x, labels, 8, ae::Distance::cosine, 1000);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("pixel precision@8 over 1000 test images: euclidean %.4f cosine %.4f (%.2f s)\n", pe, pc, s);
    EXPECT_GT(pe, 0.55);  // measured 0.672 (euclidean), 0.689 (cosine); chance is 0.1 (10 balanced classes)
    EXPECT_GT(pc, 0.55);
    EXPECT_LT(pe, 1.0);
}

}  // namespace
