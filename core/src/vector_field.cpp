// The reconstruction vector field and its alignment with the data (see vector_field.h).
#include "ae/vector_field.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "ae/embedding.h"
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

std::vector<float> field_arrow_segments(const Matrix& grid, const Matrix& field, float scale, float head,
                                        float head_max) {
    if (grid.rows() != 2 || field.rows() != 2 || field.cols() != grid.cols())
        throw Error("field_arrow_segments: expected grid and field [2, g] of the same size, got [" +
                    std::to_string(grid.rows()) + ", " + std::to_string(grid.cols()) + "] and [" +
                    std::to_string(field.rows()) + ", " + std::to_string(field.cols()) + "]");
    for (const float v : {scale, head, head_max})
        if (!(std::isfinite(v) && v > 0.0f))
            throw Error("field_arrow_segments: scale, head and head_max must be finite and > 0, got " +
                        std::to_string(scale) + ", " + std::to_string(head) + ", " + std::to_string(head_max));
    const float c = std::cos(0.436332f), s = std::sin(0.436332f);  // 25 degrees
    std::vector<float> out;
    out.reserve(static_cast<size_t>(grid.cols()) * 12);
    for (Eigen::Index k = 0; k < grid.cols(); ++k) {
        const float x0 = grid(0, k), y0 = grid(1, k);
        const float dx = scale * field(0, k), dy = scale * field(1, k);
        const float len = std::sqrt(dx * dx + dy * dy);
        if (!(std::isfinite(x0) && std::isfinite(y0) && std::isfinite(len) && len > 0.0f)) continue;
        const float x1 = x0 + dx, y1 = y0 + dy;
        const float b = std::min(head * len, head_max) / len;  // barb length over shaft length
        // The barbs: the reversed shaft direction turned by +-25 degrees.
        const float bx = -dx * b, by = -dy * b;
        out.insert(out.end(), {x0, y0, x1, y1,
                               x1, y1, x1 + c * bx - s * by, y1 + s * bx + c * by,
                               x1, y1, x1 + c * bx + s * by, y1 - s * bx + c * by});
    }
    return out;
}

FieldView field_view(const Autoencoder& model, const Dataset& test, float lo, float hi, int n, int max_points,
                     ThreadPool* pool, float arrow_scale) {
    if (model.input_dim() != 2 || !test.has_values() || test.rows * test.cols != 2)
        throw Error("the vector field needs a model on 2-D points (the data sets moons, circle, spiral, sine); "
                    "this model takes " + std::to_string(model.input_dim()) + " inputs and " + test.name +
                    " holds " + std::to_string(test.rows) + " x " + std::to_string(test.cols) +
                    (test.has_values() ? " values" : " pixels") + " per item");
    if (max_points < 1) throw Error("field_view: max_points " + std::to_string(max_points) + " must be >= 1");
    if (test.count < 1) throw Error("field_view: " + test.name + " holds no points");
    FieldView v;
    v.field = reconstruction_field(model, lo, hi, n, pool);
    const std::vector<int> index = spread_indices(test.count, std::min(test.count, max_points));
    v.points = select_columns(dataset_images(test, 0, test.count), index);
    v.labels = select_labels(test.labels, index);
    v.reconstructions = model.reconstruct(v.points, pool);
    v.alignment = field_alignment(v.field.grid, v.field.field, v.points);
    v.arrows = field_arrow_segments(v.field.grid, v.field.field, arrow_scale);
    return v;
}

}  // namespace ae
