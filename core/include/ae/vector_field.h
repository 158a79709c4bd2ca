// The reconstruction vector field r(x) − x of an autoencoder on 2-D inputs, and how well it points back to
// the data.
//
// A denoising autoencoder trained with small Gaussian corruption σ learns r(x) − x ≈ σ² ∂ log p(x) / ∂x:
// the field points towards higher data density, i.e. back to the data manifold (G. Alain, Y. Bengio,
// "What regularized auto-encoders learn from the data-generating distribution", JMLR 15, 2014, Thm. 1;
// P. Vincent et al., "Stacked denoising autoencoders", JMLR 11, 2010, sec. 3.3 and Fig. 2, the manifold
// view of denoising). The toy sets of toy_data.h live in [0, 1]², so the grid and the field are in those
// units.
//
// Shapes: one column per 2-D point, row 0 = x, row 1 = y.
#pragma once

#include <cstdint>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/dataset.h"
#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {

struct ReconstructionField {
    int n = 0;               // grid side
    float lo = 0, hi = 1;    // both axes span [lo, hi]
    Matrix grid;             // [2, n * n]: point k = i * n + j is (lo + (hi − lo) j / (n − 1), lo + (hi − lo) i / (n − 1))
    Matrix reconstructions;  // [2, n * n]: r(x) = model.reconstruct(x) (no corruption; a VAE decodes its mean μ)
    Matrix field;            // [2, n * n]: r(x) − x, in the units of the inputs
};

// The field on an n x n grid over [lo, hi]². Throws ae::Error when the model does not take 2 inputs,
// n is outside 2..1000, or lo, hi are not finite with lo < hi.
ReconstructionField reconstruction_field(const Autoencoder& model, float lo, float hi, int n,
                                         ThreadPool* pool = nullptr);

struct FieldAlignmentOptions {
    float min_distance = 0.02f;  // grid points nearer the data than this are skipped (the direction to
                                 // the nearest noisy point is noise there), in input units
    float max_distance = 0.15f;  // ... and farther than this (far from the data the field need not point
                                 // to the nearest point)
};

struct FieldAlignment {
    double mean_cosine = 0.0;  // in [−1, 1]; 0 when no grid point counts
    int points = 0;            // grid points counted
};

// The mean over grid points x with min_distance <= d(x) <= max_distance of
//     cos ∠(r(x) − x, p(x) − x),   p(x) = the data point nearest x (Euclidean), d(x) = ‖p(x) − x‖,
// skipping points where ‖r(x) − x‖ = 0. 1 = every arrow points straight at the data; a field unrelated to
// the data gives about 0. grid, field: [2, g]; data: [2, m] (e.g. the test points). Throws ae::Error for
// other shapes, m = 0, or min_distance > max_distance.
FieldAlignment field_alignment(const Matrix& grid, const Matrix& field, const Matrix& data,
                               const FieldAlignmentOptions& o = {});

// Arrows for drawing a field as line segments (the GUIs upload them as they are; shaders/segments.vert):
// for each grid point k with a finite, non-zero f_k, the shaft g_k -> g_k + scale f_k and two barbs from the
// head back at ±25° to the shaft, each `head` times the shaft's length long but at most head_max (data
// units). Returns 4 floats per segment (x0, y0, x1, y1), 3 segments per arrow, arrows in grid order.
// grid, field: [2, g]. Throws ae::Error for other shapes or a scale, head or head_max not finite and > 0.
std::vector<float> field_arrow_segments(const Matrix& grid, const Matrix& field, float scale = 1.0f,
                                        float head = 0.3f, float head_max = 0.012f);

// Everything a host draws for a model on 2-D points, computed once here for the page, the app and `ae field`:
// the field over an n x n grid of [lo, hi]², the test points and their reconstructions, the alignment of the
// field with those points, and the arrows (arrow_scale 1: each arrow ends at r(x), as in the figure of `ae
// field`; the GUIs draw 0.5, so that the long arrows far from the data do not cover the picture).
struct FieldView {
    ReconstructionField field;
    Matrix points;                 // [2, m] test points: m = min(count, max_points), spread over the set
    std::vector<uint8_t> labels;   // [m]
    Matrix reconstructions;        // [2, m] r(points)
    FieldAlignment alignment;      // field_alignment(field.grid, field.field, points), default options
    std::vector<float> arrows;     // field_arrow_segments(field.grid, field.field, arrow_scale)
};

// Throws ae::Error when the model does not take 2 inputs or `test` holds no 2-D points (Dataset::values,
// rows x cols = 1 x 2, as toy_data.h makes), n as reconstruction_field, max_points < 1, or an arrow_scale as
// field_arrow_segments' scale.
FieldView field_view(const Autoencoder& model, const Dataset& test, float lo = 0.0f, float hi = 1.0f, int n = 24,
                     int max_points = 500, ThreadPool* pool = nullptr, float arrow_scale = 1.0f);

}  // namespace ae
