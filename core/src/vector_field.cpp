// The reconstruction vector field and its alignment with the data (see vector_field.h).
#include "ae/vector_field.h"

#include <cmath>
#include <limits>
#include <string>

#include "ae/error.h"

namespace ae {

ReconstructionField reconstruction_field(const Autoencoder& model, float lo, float hi, int n, ThreadPool* pool) {
    if (model.input_dim() != 2)
        throw Error("reconstruction_field: the model takes " + std::to_string(model.input_dim()) +
                    " inputs, expected 2 (a model trained on 2-D points)");
    if (n < 2 || n > 1000) throw Error("reconstruction_field: grid side n = " + std::to_string(n) + " is outside 2..1000");
    if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi))
        throw Error("reconstruction_field: range [" + std::to_string(lo) + ", " + std::to_string(hi) +
                    "] must be finite with lo < hi");
    ReconstructionField f;
    f.n = n;
    f.lo = lo;
    f.hi = hi;
    f.grid.resize(2, static_cast<Eigen::Index>(n) * n);
    const float step = (hi - lo) / static_cast<float>(n - 1);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            f.grid(0, i * n + j) = lo + step * j;
            f.grid(1, i * n + j) = lo + step * i;
        }
    f.reconstructions = model.reconstruct(f.grid, pool);
    f.field = f.reconstructions - f.grid;
    return f;
}

FieldAlignment field_alignment(const Matrix& grid, const Matrix& field, const Matrix& data,
                               const FieldAlignmentOptions& o) {
    if (grid.rows() != 2 || field.rows() != 2 || data.rows() != 2 || field.cols() != grid.cols())
        throw Error("field_alignment: expected grid [2, g], field [2, g] and data [2, m], got grid [" +
                    std::to_string(grid.rows()) + ", " + std::to_string(grid.cols()) + "], field [" +
                    std::to_string(field.rows()) + ", " + std::to_string(field.cols()) + "], data [" +
                    std::to_string(data.rows()) + ", " + std::to_string(data.cols()) + "]");
    if (data.cols() == 0) throw Error("field_alignment: no data points");
    if (!(o.min_distance >= 0.0f && o.min_distance <= o.max_distance))
        throw Error("field_alignment: distances [" + std::to_string(o.min_distance) + ", " +
                    std::to_string(o.max_distance) + "] must satisfy 0 <= min_distance <= max_distance");
    FieldAlignment r;
    double sum = 0.0;
    for (Eigen::Index k = 0; k < grid.cols(); ++k) {
        const double gx = grid(0, k), gy = grid(1, k);
        double best = std::numeric_limits<double>::infinity(), dx = 0.0, dy = 0.0;
        for (Eigen::Index m = 0; m < data.cols(); ++m) {
            const double ex = data(0, m) - gx, ey = data(1, m) - gy;
            const double d2 = ex * ex + ey * ey;
            if (d2 < best) {
                best = d2;
                dx = ex;
                dy = ey;
            }
        }
        const double d = std::sqrt(best);
        const double fx = field(0, k), fy = field(1, k);
        const double norm = std::sqrt(fx * fx + fy * fy);
        if (!(d >= o.min_distance && d <= o.max_distance) || d == 0.0 || !(norm > 0.0 && std::isfinite(norm))) continue;
        sum += (fx * dx + fy * dy) / (norm * d);
        ++r.points;
    }
    if (r.points > 0) r.mean_cosine = sum / r.points;
    return r;
}

}  // namespace ae
