#include "ae/anomaly.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "ae/error.h"
#include "ae/metrics.h"

namespace ae {

ErrorHistogram error_histogram(const std::vector<double>& errors, int bins) {
    if (bins < 1) throw Error("error_histogram: bins must be >= 1, got " + std::to_string(bins));
    ErrorHistogram h;
    for (double e : errors) h.max_error = std::max(h.max_error, e);
    h.edges.resize(bins + 1);
    for (int i = 0; i <= bins; ++i) h.edges[i] = h.max_error * i / bins;
    h.counts.assign(bins, 0);
    for (double e : errors) {
        const int b = h.max_error > 0 ? static_cast<int>(e / h.max_error * bins) : 0;
        ++h.counts[std::clamp(b, 0, bins - 1)];
    }
    return h;
}

std::vector<int> worst_indices(const std::vector<double>& errors, int k) {
    const int n = static_cast<int>(errors.size());
    k = std::clamp(k, 0, n);
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int a, int b) { return errors[a] > errors[b] || (errors[a] == errors[b] && a < b); });
    order.resize(k);
    return order;
}

std::vector<double> auroc_by_class(const std::vector<double>& scores, const std::vector<uint8_t>& labels, int n_classes) {
    if (scores.size() != labels.size()) throw Error("auroc_by_class: scores and labels differ in length");
    std::vector<double> out(std::max(n_classes, 0), std::numeric_limits<double>::quiet_NaN());
    for (int c = 0; c < n_classes; ++c) {
        std::vector<uint8_t> pos(labels.size());
        size_t n_pos = 0;
        for (size_t i = 0; i < labels.size(); ++i) n_pos += pos[i] = labels[i] == c;
        if (n_pos > 0 && n_pos < labels.size()) out[c] = auroc(scores, pos);
    }
    return out;
}

AnomalyReport anomaly_report(const Autoencoder& model, const Dataset& test, const AnomalyOptions& o, ThreadPool* pool) {
    if (o.worst < 0 || o.ssim_images < 0) throw Error("anomaly_report: worst and ssim_images must be >= 0");
    if (test.dim() != model.input_dim())
        throw Error(test.name + ": images have " + std::to_string(test.dim()) + " pixels, the model takes " +
                    std::to_string(model.input_dim()));
    AnomalyReport r;
    r.errors.resize(test.count);
    r.class_names = test.class_names;
    const int chunk = 500, D = test.dim();
    const bool ssim_ok = test.rows >= SsimOptions{}.window && test.cols >= SsimOptions{}.window;
    const int n_ssim = ssim_ok ? std::min(o.ssim_images, test.count) : 0;
    double psnr_sum = 0.0, ssim_sum = 0.0;
    int psnr_n = 0;
    Matrix x(D, std::min(chunk, std::max(test.count, 1)));
    for (int first = 0; first < test.count; first += chunk) {
        const int n = std::min(chunk, test.count - first);
        dataset_load_images(test, nullptr, first, n, x.leftCols(n));
        const Matrix y = model.reconstruct(x.leftCols(n), pool);
        const std::vector<double> e = per_image_mse(x.leftCols(n), y);
        for (int j = 0; j < n; ++j) {
            r.errors[first + j] = e[j];
            const double p = psnr_from_mse(e[j]);
            if (std::isfinite(p)) {
                psnr_sum += p;
                ++psnr_n;
            }
            if (first + j < n_ssim) ssim_sum += ssim_image(x.col(j).data(), y.col(j).data(), test.rows, test.cols);
        }
    }
    r.histogram = error_histogram(r.errors, o.bins);
    r.worst = worst_indices(r.errors, o.worst);
    const int k = static_cast<int>(r.worst.size());
    r.worst_inputs.resize(D, k);
    for (int j = 0; j < k; ++j) {
        r.worst_errors.push_back(r.errors[r.worst[j]]);
        dataset_load_images(test, nullptr, r.worst[j], 1, r.worst_inputs.col(j));
    }
    r.worst_reconstructions = k ? model.reconstruct(r.worst_inputs, pool) : Matrix(D, 0);
    r.auroc_by_class = auroc_by_class(r.errors, test.labels, static_cast<int>(test.class_names.size()));
    r.mse = test.count ? std::accumulate(r.errors.begin(), r.errors.end(), 0.0) / test.count : 0.0;
    r.psnr = psnr_n ? psnr_sum / psnr_n : std::numeric_limits<double>::infinity();
    r.ssim_images = n_ssim;
    r.ssim = n_ssim ? ssim_sum / n_ssim : std::numeric_limits<double>::quiet_NaN();
    return r;
}

}  // namespace ae
