// Input corruptions for denoising (corruption.h): what each one does to the pixels, rates measured
// over many pixels, determinism from the seed, and errors for bad levels.
#include <gtest/gtest.h>

#include <cmath>

#include "ae/corruption.h"
#include "ae/error.h"
#include "ae/rng.h"

namespace {

using ae::Corruption;

ae::Matrix clean_images(int n) {
    ae::Matrix x(28 * 28, n);
    ae::Rng rng(5, 5);
    for (int c = 0; c < n; ++c)
        for (int r = 0; r < 784; ++r) x(r, c) = 0.2f + 0.6f * rng.uniform();  // never exactly 0 or 1
    return x;
}

TEST(Corruption, GaussianAddsZeroMeanNoiseOfSigma) {
    const ae::Matrix x = clean_images(100);
    ae::Matrix y(784, 100);
    ae::Rng rng(1, 1);
    ae::corrupt(Corruption::gaussian, 0.3f, 28, 28, rng, x, y);
    const Eigen::ArrayXXf d = (y - x).array();
    const double mean = d.mean();
    const double sd = std::sqrt((d - mean).square().mean());
    EXPECT_NEAR(mean, 0.0, 0.005);   // 78,400 draws: standard error 0.001
    EXPECT_NEAR(sd, 0.3, 0.005);
}

TEST(Corruption, SaltPepperAndMaskingRates) {
    const ae::Matrix x = clean_images(100);
    ae::Matrix y(784, 100);
    ae::Rng rng(2, 1);
    ae::corrupt(Corruption::salt_pepper, 0.2f, 28, 28, rng, x, y);
    const double changed = ((y - x).array() != 0).cast<double>().mean();
    const double ones = (y.array() == 1.0f).cast<double>().mean(), zeros = (y.array() == 0.0f).cast<double>().mean();
    EXPECT_NEAR(changed, 0.2, 0.01);
    EXPECT_NEAR(ones, 0.1, 0.01);
    EXPECT_NEAR(zeros, 0.1, 0.01);
    EXPECT_NEAR(ones + zeros, changed, 1e-12);  // a changed pixel is salt or pepper, nothing else
    ae::corrupt(Corruption::masking, 0.35f, 28, 28, rng, x, y);
    EXPECT_NEAR((y.array() == 0.0f).cast<double>().mean(), 0.35, 0.01);
    EXPECT_TRUE(((y.array() == 0.0f) || (y.array() == x.array())).all());
}

TEST(Corruption, BlockZeroesOneSquarePerImage) {
    const ae::Matrix x = clean_images(50);
    ae::Matrix y(784, 50);
    ae::Rng rng(3, 1);
    ae::corrupt(Corruption::block, 9.0f, 28, 28, rng, x, y);
    int distinct_corners = 0, last_corner = -1;
    for (int c = 0; c < 50; ++c) {
        int rmin = 28, rmax = -1, cmin = 28, cmax = -1, count = 0;
        for (int r = 0; r < 28; ++r)
            for (int q = 0; q < 28; ++q)
                if (y(r * 28 + q, c) == 0.0f) {
                    ++count;
                    rmin = std::min(rmin, r), rmax = std::max(rmax, r), cmin = std::min(cmin, q), cmax = std::max(cmax, q);
                } else {
                    EXPECT_EQ(y(r * 28 + q, c), x(r * 28 + q, c));
                }
        EXPECT_EQ(count, 81);
        EXPECT_EQ(rmax - rmin, 8);
        EXPECT_EQ(cmax - cmin, 8);
        const int corner = rmin * 28 + cmin;
        distinct_corners += corner != last_corner;
        last_corner = corner;
    }
    EXPECT_GT(distinct_corners, 30);  // random positions
    // Full-size block: the whole image.
    ae::corrupt(Corruption::block, 28.0f, 28, 28, rng, x, y);
    EXPECT_EQ(y.cwiseAbs().maxCoeff(), 0.0f);
}

TEST(Corruption, DeterministicFromTheSeedAndInPlace) {
    const ae::Matrix x = clean_images(10);
    for (Corruption c : {Corruption::gaussian, Corruption::salt_pepper, Corruption::masking, Corruption::block}) {
        SCOPED_TRACE(ae::corruption_name(c));
        const float level = c == Corruption::block ? 5.0f : 0.3f;
        ae::Matrix a(784, 10), b = x;
        ae::Rng r1(7, 7), r2(7, 7);
        ae::corrupt(c, level, 28, 28, r1, x, a);
        ae::corrupt(c, level, 28, 28, r2, b, b);  // in place
        EXPECT_EQ(a, b);
        EXPECT_NE(a, x);
    }
    ae::Matrix y(784, 10);
    ae::Rng r(1, 1);
    ae::corrupt(Corruption::none, 0.3f, 28, 28, r, x, y);
    EXPECT_EQ(y, x);
}

TEST(Corruption, BadLevelsAndShapesThrow) {
    const ae::Matrix x = clean_images(2);
    ae::Matrix y(784, 2);
    ae::Rng r(1, 1);
    EXPECT_THROW(ae::corrupt(Corruption::masking, 1.5f, 28, 28, r, x, y), ae::Error);
    EXPECT_THROW(ae::corrupt(Corruption::salt_pepper, -0.1f, 28, 28, r, x, y), ae::Error);
    EXPECT_THROW(ae::corrupt(Corruption::block, 2.5f, 28, 28, r, x, y), ae::Error);
    EXPECT_THROW(ae::corrupt(Corruption::block, 29.0f, 28, 28, r, x, y), ae::Error);
    EXPECT_THROW(ae::corrupt(Corruption::gaussian, NAN, 28, 28, r, x, y), ae::Error);
    ae::Matrix wrong(783, 2);
    EXPECT_THROW(ae::corrupt(Corruption::gaussian, 0.1f, 28, 28, r, x, wrong), ae::Error);
}

}  // namespace
