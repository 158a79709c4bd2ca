// Latent traversals and histograms (traversal.h).
#include "ae/traversal.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ae/error.h"
#include "ae/latent.h"

namespace ae {

std::vector<int> traversal_dims(const Matrix& codes, int max_dims) {
    if (max_dims < 1) throw Error("traversal: max_dims must be >= 1, got " + std::to_string(max_dims));
    if (codes.size() == 0) throw Error("traversal: no codes");
    const int k = static_cast<int>(codes.rows());
    std::vector<int> dims(k);
    std::iota(dims.begin(), dims.end(), 0);
    if (k <= max_dims) return dims;
    const Eigen::MatrixXd c = codes.cast<double>();
    const Eigen::VectorXd var = (c.colwise() - c.rowwise().mean()).rowwise().squaredNorm();
    std::stable_sort(dims.begin(), dims.end(), [&](int a, int b) { return var(a) > var(b); });
    dims.resize(max_dims);
    return dims;
}

Matrix traversal_codes(const Vector& base, const std::vector<int>& dims, const std::vector<double>& lo,
                       const std::vector<double>& hi, int steps) {
    if (steps < 2) throw Error("traversal: " + std::to_string(steps) + " steps, expected at least 2");
    if (dims.size() != lo.size() || dims.size() != hi.size())
        throw Error("traversal: " + std::to_string(dims.size()) + " dimensions but " + std::to_string(lo.size()) +
                    " and " + std::to_string(hi.size()) + " range ends");
    const int k = static_cast<int>(base.size());
    const int rows = static_cast<int>(dims.size());
    Matrix out = base.replicate(1, static_cast<Eigen::Index>(rows) * steps);
    for (int r = 0; r < rows; ++r) {
        if (dims[r] < 0 || dims[r] >= k)
            throw Error("traversal: dimension " + std::to_string(dims[r]) + " outside [0, " + std::to_string(k) + ")");
        const std::vector<double> axis = grid_axis(steps, lo[r], hi[r], GridSpacing::linear);  // throws for lo >= hi
        for (int s = 0; s < steps; ++s) out(dims[r], static_cast<Eigen::Index>(r) * steps + s) = static_cast<float>(axis[s]);
    }
    return out;
}

Traversal latent_traversal(const Autoencoder& model, const Vector& x, const Matrix& codes, const TraversalOptions& o,
                           ThreadPool* pool) {
    if (o.steps < 2 || o.steps > 64) throw Error("traversal: steps must be in 2..64, got " + std::to_string(o.steps));
    if (o.max_dims < 1 || o.max_dims > 256)
        throw Error("traversal: max_dims must be in 1..256, got " + std::to_string(o.max_dims));
    if (!(0.0 < o.q_lo && o.q_lo < o.q_hi && o.q_hi < 1.0))
        throw Error("traversal: quantiles must satisfy 0 < q_lo < q_hi < 1");
    if (x.size() != model.input_dim())
        throw Error("traversal: the image has " + std::to_string(x.size()) + " pixels, the model takes " +
                    std::to_string(model.input_dim()));
    if (codes.cols() < 1 || codes.rows() != model.latent_dim())
        throw Error("traversal: the reference codes are [" + std::to_string(codes.rows()) + ", " +
                    std::to_string(codes.cols()) + "], expected [" + std::to_string(model.latent_dim()) + ", n >= 1]");
    Traversal t;
    t.steps = o.steps;
    t.dims = traversal_dims(codes, o.max_dims);
    const bool prior = model.is_vae();
    t.range_source = prior ? "prior quantiles" : "code quantiles";
    for (int d : t.dims) {
        const std::pair<double, double> r = prior ? std::make_pair(normal_quantile(o.q_lo), normal_quantile(o.q_hi))
                                                  : code_quantile_range(codes, d, o.q_lo, o.q_hi);
        t.lo.push_back(r.first);
        t.hi.push_back(r.second);
    }
    t.base = model.encode(x, pool).col(0);
    t.codes = traversal_codes(t.base, t.dims, t.lo, t.hi, t.steps);
    t.images = model.decode(t.codes, pool);
    return t;
}

std::vector<LatentHistogram> latent_histograms(const Matrix& codes, int bins) {
    if (bins < 1 || bins > 1000) throw Error("latent histograms: bins must be in 1..1000, got " + std::to_string(bins));
    if (codes.size() == 0) throw Error("latent histograms: no codes");
    const Eigen::Index n = codes.cols();
    std::vector<LatentHistogram> out(codes.rows());
    for (Eigen::Index d = 0; d < codes.rows(); ++d) {
        LatentHistogram& h = out[d];
        const Eigen::VectorXd v = codes.row(d).transpose().cast<double>();
        h.lo = v.minCoeff();
        h.hi = v.maxCoeff();
        if (!(h.lo < h.hi)) {
            h.lo -= 0.5;
            h.hi += 0.5;
        }
        h.mean = v.mean();
        h.sd = std::sqrt((v.array() - h.mean).square().sum() / static_cast<double>(n));
        h.counts.assign(bins, 0);
        const double w = (h.hi - h.lo) / bins;
        for (Eigen::Index j = 0; j < n; ++j) {
            const int b = std::min(bins - 1, static_cast<int>((v(j) - h.lo) / w));
            ++h.counts[std::max(0, b)];
        }
    }
    return out;
}

}  // namespace ae
