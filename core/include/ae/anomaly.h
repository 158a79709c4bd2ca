// Anomaly report: the reconstruction error of every test image as an anomaly score (an autoencoder
// reconstructs what resembles its training data best; Japkowicz, Myers & Gluck 1995; Sakurada & Yairi 2014),
// with the histogram, the worst images and the AUROC of each class as "the anomaly". One definition for
// the CLI (`ae eval`, `ae analyze`), the app's Anomalies tab and the page's anomaly view.
//
// Units: errors are mean squared errors per pixel (per_image_mse, metrics.h) of pixels in [0, 1].
#pragma once

#include <cstdint>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/dataset.h"
#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {

struct AnomalyOptions {
    int bins = 40;            // histogram bins, >= 1
    int worst = 16;           // k worst images to return, >= 0 (at most the image count)
    int ssim_images = 2000;   // SSIM over the first this many images (its cost); 0 = none
};

// Histogram of errors over [0, max error] in `bins` equal bins: edges[i] = max * i / bins (bins + 1 edges),
// error e in bin min(floor(e / max * bins), bins - 1); all in bin 0 when max == 0. Throws for bins < 1.
struct ErrorHistogram {
    std::vector<double> edges;  // [bins + 1]
    std::vector<int> counts;    // [bins]
    double max_error = 0.0;
};
ErrorHistogram error_histogram(const std::vector<double>& errors, int bins);

// Indices of the k largest errors, largest first; equal errors in ascending index order (deterministic).
std::vector<int> worst_indices(const std::vector<double>& errors, int k);

// AUROC (metrics.h, Mann-Whitney with ties) of `scores` separating class c from the rest, for every class
// c < n_classes; NaN for a class with no image or with every image.
std::vector<double> auroc_by_class(const std::vector<double>& scores, const std::vector<uint8_t>& labels, int n_classes);

struct AnomalyReport {
    std::vector<double> errors;     // [n] per-image MSE per pixel, test image order
    ErrorHistogram histogram;       // of errors
    std::vector<int> worst;         // [k] test indices (worst_indices)
    std::vector<double> worst_errors;          // [k]
    Matrix worst_inputs, worst_reconstructions;  // [D, k] in [0, 1]
    std::vector<double> auroc_by_class;        // [class_names.size()]
    std::vector<std::string> class_names;
    double mse = 0.0;   // mean of errors
    double psnr = 0.0;  // mean over images of psnr_from_mse, images reproduced exactly left out (+inf if all)
    double ssim = 0.0;  // mean ssim_image over the first ssim_images images (NaN if none or images < 11 px)
    int ssim_images = 0;
};

// The report for all images of `test` (reconstructed in chunks of 500). Throws ae::Error for bad options
// or a model whose input size differs from the images'.
AnomalyReport anomaly_report(const Autoencoder& model, const Dataset& test, const AnomalyOptions& o = {},
                             ThreadPool* pool = nullptr);

}  // namespace ae
