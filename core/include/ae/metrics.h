// Evaluation metrics for reconstructions, codes and anomaly scores. Images are columns of a matrix
// ([rows * cols, n], grey levels in [0, 1], pixels row-major); every sum is accumulated in double.
//
//   mse, bce          per-pixel means over all pixels and images (PyTorch reduction='mean')
//   psnr              peak signal-to-noise ratio with data range 1, per image, averaged over images
//   ssim              structural similarity, Wang, Bovik, Sheikh & Simoncelli, "Image quality assessment:
//                     from error visibility to structural similarity", IEEE TIP 13(4), 2004
//   auroc             area under the ROC curve via the Mann-Whitney U statistic (ties count 1/2)
//   knn_accuracy      k-nearest-neighbour (Euclidean) classification accuracy of codes
//   code_usage, code_perplexity   how a vqvae uses its codebook, from assignment counts
#pragma once

#include <cstdint>
#include <vector>

#include "ae/eigen.h"

namespace ae {

// vqvae codebook use from the assignment counts of its K entries (any non-negative counts, e.g. an epoch's
// training assignments, every group pooled): the fraction of entries with a count > 0, and the perplexity
// exp(-sum_k p_k log p_k), p_k = count_k / total (K when all are used equally, 1 when one entry takes all; 0 for
// no assignments).
double code_usage(const std::vector<double>& counts);
double code_perplexity(const std::vector<double>& counts);

// Mean of (x - y)^2 over all elements. Throws ae::Error for different shapes or an empty matrix.
double mse(const Matrix& x, const Matrix& y);

// Per-image reconstruction error: x, y [D, n] -> [n], entry j = mean over the D pixels of (x - y)^2
// (accumulated in double): the anomaly score of anomaly.h and `ae eval`. Throws ae::Error for different shapes.
std::vector<double> per_image_mse(const Matrix& x, const Matrix& y);

// Mean binary cross-entropy of probabilities `p` against targets `x` in [0, 1]:
//     -[x log p + (1 - x) log(1 - p)],   each log clamped to >= -100 (as torch.nn.functional.binary_cross_entropy),
// so p = 0 or 1 gives a large finite loss instead of inf. Same shape rules as mse.
double bce(const Matrix& x, const Matrix& p);

// PSNR in dB of one image pair with data range 1: 10 log10(1 / MSE); +inf for identical images.
double psnr_from_mse(double mse);
// Mean over images (columns) of the per-image PSNR. +inf if any image is reproduced exactly.
double psnr(const Matrix& x, const Matrix& y);

// SSIM parameters. Defaults are Wang et al.'s: an 11 x 11 Gaussian window with sigma = 1.5 (normalised to
// sum 1), K1 = 0.01, K2 = 0.03, dynamic range L = 1, so C1 = (K1 L)^2, C2 = (K2 L)^2.
struct SsimOptions {
    int window = 11;
    double sigma = 1.5;
    double k1 = 0.01, k2 = 0.03, range = 1.0;
};

// Mean SSIM of one pair of images [rows x cols], pixels row-major in x and y. At every window position
// fully inside the image ("valid" filtering, as in the authors' reference MATLAB ssim_index.m), with
// Gaussian-weighted local statistics mu, sigma^2 = E_w[x^2] - mu^2 and sigma_xy = E_w[xy] - mu_x mu_y:
//     SSIM = (2 mu_x mu_y + C1)(2 sigma_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(sigma_x^2 + sigma_y^2 + C2))
// averaged over the (rows - window + 1) x (cols - window + 1) positions (18 x 18 for 28 x 28 images).
// Throws ae::Error if the image is smaller than the window.
double ssim_image(const float* x, const float* y, int rows, int cols, const SsimOptions& o = {});
// Mean over images (columns) of ssim_image. Throws ae::Error for different shapes or rows * cols != x.rows().
double ssim(const Matrix& x, const Matrix& y, int rows, int cols, const SsimOptions& o = {});

// Probability that a random positive scores higher than a random negative (ties count 1/2), computed from
// the rank sum with mid-ranks for ties: AUROC = (R_pos - n_pos (n_pos + 1) / 2) / (n_pos n_neg)
// (Mann & Whitney 1947; Hanley & McNeil, Radiology 143, 1982). O(n log n). Throws ae::Error for different
// lengths, no positives or no negatives, or a NaN score.
double auroc(const std::vector<double>& scores, const std::vector<uint8_t>& is_positive);

// Classifies each test code [k, m] by a majority vote of its k_neighbors nearest training codes [k, n]
// (squared Euclidean distance, computed in double; equal distances are ordered by training index) and
// returns the fraction whose vote equals test_labels. A tied vote goes to the tied class whose nearest
// member is closest. Throws ae::Error for mismatched sizes, k_neighbors < 1 or > n.
// Cost O(m n k) with blocked matrix products.
double knn_accuracy(const Matrix& train_codes, const std::vector<uint8_t>& train_labels, const Matrix& test_codes,
                    const std::vector<uint8_t>& test_labels, int k_neighbors = 5);

}  // namespace ae
