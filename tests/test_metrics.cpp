// Metrics against hand-computed values and independent brute-force computations.
#include "ae/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ae/rng.h"
#include "test_util.h"

namespace {

using test_util::error_of;
using test_util::expect_contains;

TEST(Metrics, MseBceByHand) {
    ae::Matrix x(2, 1), p(2, 1);
    x << 0.0f, 1.0f;
    p << 0.25f, 0.5f;
    EXPECT_NEAR(ae::mse(x, p), (0.0625 + 0.25) / 2, 1e-12);
    EXPECT_NEAR(ae::bce(x, p), -(std::log(0.75) + std::log(0.5)) / 2, 1e-7);
    // Clamped logs (as PyTorch): a confident wrong prediction costs 100 nats, not inf.
    ae::Matrix q(2, 1);
    q << 1.0f, 0.0f;
    EXPECT_NEAR(ae::bce(x, q), 100.0, 1e-9);
    expect_contains(error_of([&] { ae::mse(x, ae::Matrix(3, 1)); }), {"mse", "shapes differ"});
}

TEST(Metrics, PsnrPerImageAveraged) {
    EXPECT_NEAR(ae::psnr_from_mse(0.01), 20.0, 1e-12);
    EXPECT_EQ(ae::psnr_from_mse(0.0), INFINITY);
    // Image 0 off by 0.1 everywhere (MSE 0.01, 20 dB), image 1 off by 0.01 (MSE 1e-4, 40 dB).
    ae::Matrix x = ae::Matrix::Constant(4, 2, 0.5f), y = x;
    y.col(0).array() += 0.1f;
    y.col(1).array() += 0.01f;
    EXPECT_NEAR(ae::psnr(x, y), 30.0, 1e-4);
}

// Straightforward SSIM: the 2-D Gaussian window applied at every valid position, no separable filtering.
double ssim_brute(const ae::Vector& x, const ae::Vector& y, int rows, int cols) {
    const int w = 11;
    double win[11][11], sum = 0;
    for (int i = 0; i < w; ++i)
        for (int j = 0; j < w; ++j) sum += win[i][j] = std::exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5));
    const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
    double total = 0;
    int count = 0;
    for (int r = 0; r + w <= rows; ++r) {
        for (int c = 0; c + w <= cols; ++c) {
            double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
            for (int i = 0; i < w; ++i) {
                for (int j = 0; j < w; ++j) {
                    const double g = win[i][j] / sum, a = x((r + i) * cols + c + j), b = y((r + i) * cols + c + j);
                    mx += g * a;
                    my += g * b;
                    sxx += g * a * a;
                    syy += g * b * b;
                    sxy += g * a * b;
                }
            }
            sxx -= mx * mx;
            syy -= my * my;
            sxy -= mx * my;
            total += (2 * mx * my + c1) * (2 * sxy + c2) / ((mx * mx + my * my + c1) * (sxx + syy + c2));
            ++count;
        }
    }
    return total / count;
}

TEST(Metrics, SsimKnownValues) {
    ae::Rng rng(3);
    ae::Matrix x(28 * 28, 3), y(28 * 28, 3);
    for (int j = 0; j < 3; ++j)
        for (int i = 0; i < 28 * 28; ++i) {
            x(i, j) = rng.uniform();
            y(i, j) = std::min(1.0f, std::max(0.0f, x(i, j) + 0.2f * static_cast<float>(rng.normal())));
        }
    EXPECT_NEAR(ae::ssim(x, x, 28, 28), 1.0, 1e-12);  // SSIM(x, x) = 1
    // Constant images a and b: the variances vanish, SSIM = (2ab + C1) / (a^2 + b^2 + C1).
    const double a = 0.3, b = 0.6, c1 = 1e-4;
    ae::Matrix ca = ae::Matrix::Constant(28 * 28, 1, static_cast<float>(a));
    ae::Matrix cb = ae::Matrix::Constant(28 * 28, 1, static_cast<float>(b));
    EXPECT_NEAR(ae::ssim(ca, cb, 28, 28), (2 * a * b + c1) / (a * a + b * b + c1), 1e-6);
    // Against the brute-force definition on noisy images, and on a non-square image.
    for (int j = 0; j < 3; ++j) {
        const double s = ae::ssim_image(x.col(j).data(), y.col(j).data(), 28, 28);
        EXPECT_NEAR(s, ssim_brute(x.col(j), y.col(j), 28, 28), 1e-12);
        EXPECT_LT(s, 0.9);
        EXPECT_GT(s, 0.0);
    }
    ae::Matrix xr = x.topRows(14 * 20), yr = y.topRows(14 * 20);
    EXPECT_NEAR(ae::ssim_image(xr.col(0).data(), yr.col(0).data(), 14, 20), ssim_brute(xr.col(0), yr.col(0), 14, 20),
                1e-12);
    // Symmetric, and less noise gives a higher SSIM.
    EXPECT_NEAR(ae::ssim(x, y, 28, 28), ae::ssim(y, x, 28, 28), 1e-12);
    ae::Matrix closer = x + 0.25 * (y - x);
    EXPECT_GT(ae::ssim(x, closer, 28, 28), ae::ssim(x, y, 28, 28));
    expect_contains(error_of([] { ae::Matrix s(100, 1); ae::ssim(s, s, 10, 10); }), "smaller than the 11x11 window");
    expect_contains(error_of([&] { ae::ssim(x, y, 27, 28); }), "not 27x28");
}

TEST(Metrics, AurocByHandAndAgainstPairCounting) {
    EXPECT_EQ(ae::auroc({1, 2, 3, 4}, {0, 0, 1, 1}), 1.0);
    EXPECT_EQ(ae::auroc({1, 2, 3, 4}, {1, 1, 0, 0}), 0.0);
    EXPECT_EQ(ae::auroc({5, 5, 5, 5}, {1, 0, 1, 0}), 0.5);
    // positives {1, 2}, negatives {2, 0}: pairs (1>2) 0, (1>0) 1, (2=2) 1/2, (2>0) 1 -> 2.5 / 4.
    EXPECT_EQ(ae::auroc({1, 2, 2, 0}, {1, 1, 0, 0}), 0.625);
    ae::Rng rng(8);
    std::vector<double> s(300);
    std::vector<uint8_t> pos(300);
    for (size_t i = 0; i < s.size(); ++i) {
        pos[i] = rng.below(3) == 0;
        s[i] = std::round(4 * (rng.normal() + pos[i])) / 4;  // many ties
    }
    double wins = 0, pairs = 0;
    for (size_t i = 0; i < s.size(); ++i)
        for (size_t j = 0; j < s.size(); ++j)
            if (pos[i] && !pos[j]) {
                wins += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
                pairs += 1;
            }
    EXPECT_NEAR(ae::auroc(s, pos), wins / pairs, 1e-12);
    expect_contains(error_of([] { ae::auroc({1, 2}, {1, 1}); }), "needs both classes");
    expect_contains(error_of([] { ae::auroc({1, NAN}, {1, 0}); }), "NaN");
}

TEST(Metrics, KnnByHandAndAgainstBruteForce) {
    // 1-D codes: class 0 near 0, class 1 near 10; a test point at 4 has neighbours 0,1,2 (class 0) and 9,10.
    ae::Matrix tr(1, 6), te(1, 2);
    tr << 0, 1, 2, 9, 10, 11;
    te << 4, 8;
    std::vector<uint8_t> trl = {0, 0, 0, 1, 1, 1};
    EXPECT_EQ(ae::knn_accuracy(tr, trl, te, {0, 1}, 5), 1.0);
    EXPECT_EQ(ae::knn_accuracy(tr, trl, te, {1, 1}, 5), 0.5);
    // Tied vote (k = 2): neighbours 2 (class 0, distance 3) and 9 (class 1, distance 2) -> class 1 wins on
    // the nearest member.
    ae::Matrix t2(1, 1);
    t2 << 7;
    EXPECT_EQ(ae::knn_accuracy(tr, trl, t2, {1}, 2), 1.0);
    // Random clusters in 6-D against a sort-based reference.
    ae::Rng rng(4);
    const int n = 400, m = 150, d = 6, classes = 4;
    ae::Matrix a(d, n), b(d, m);
    std::vector<uint8_t> la(n), lb(m);
    auto fill = [&](ae::Matrix& z, std::vector<uint8_t>& l) {
        for (int j = 0; j < z.cols(); ++j) {
            l[j] = static_cast<uint8_t>(rng.below(classes));
            for (int i = 0; i < d; ++i) z(i, j) = static_cast<float>(rng.normal() + (i == l[j] ? 1.5 : 0.0));
        }
    };
    fill(a, la);
    fill(b, lb);
    int correct = 0;
    for (int j = 0; j < m; ++j) {
        std::vector<std::pair<double, int>> dist(n);
        for (int i = 0; i < n; ++i) dist[i] = {(a.col(i) - b.col(j)).cast<double>().squaredNorm(), i};
        std::sort(dist.begin(), dist.end());
        int votes[classes] = {0};
        for (int r = 0; r < 5; ++r) ++votes[la[dist[r].second]];
        int best = *std::max_element(votes, votes + classes);
        int winner = -1;
        for (int r = 0; r < 5 && winner < 0; ++r)
            if (votes[la[dist[r].second]] == best) winner = la[dist[r].second];
        correct += winner == lb[j];
    }
    const double acc = ae::knn_accuracy(a, la, b, lb, 5);
    EXPECT_NEAR(acc, static_cast<double>(correct) / m, 1e-12);
    EXPECT_GT(acc, 0.5);  // well above chance (0.25): the clusters are separable
    expect_contains(error_of([&] { ae::knn_accuracy(a, la, b, lb, 0); }), "k = 0");
    expect_contains(error_of([&] { ae::knn_accuracy(a, la, ae::Matrix(3, m), lb, 5); }), "dimensions");
}

}  // namespace
