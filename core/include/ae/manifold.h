// The manifold grid: decoded codes on an n x n grid over a plane of the latent space (Kingma & Welling,
// "Auto-Encoding Variational Bayes", ICLR 2014, fig. 4). ONE definition for `ae manifold`, `ae train`'s
// manifold.png, the app's Manifold tab and the page's manifold view; the options pick:
//
//   plane   latent_dims: latent dimensions dim_x, dim_y; the other dimensions sit at the base code
//                        (0 = the prior mean for a VAE, the codes' mean otherwise);
//           pca:         the plane of the codes' first two principal components (pca_fit(codes, 2), the
//                        plane of the latent map, latent.h latent_project_2d); a plane point p decodes
//                        z = mean + C p (pca_reconstruct). manifold_map_plane(latent) is the map's plane.
//   range   per axis [lo, hi] in plane coordinates, from quantiles q_lo < q_hi (default 1%..99%):
//           VAE:        of the prior N(0, I) seen in the plane (latent_dims: Phi^-1(q); pca: the prior's
//                        projection, N(-C^T mean, I), so centre - (C^T mean)_a + Phi^-1(q));
//           otherwise:  of the codes' plane coordinates (latent.h code_quantile_range, nearest rank);
//           or `range` given explicitly (both axes).
//   spacing linear, or normal_quantile (equal probability steps); default normal_quantile for a VAE,
//           linear otherwise. Axis values: u_i = grid_axis(n, z_lo, z_hi, spacing) (latent.h) with
//           [z_lo, z_hi] = [Phi^-1(q_lo), Phi^-1(q_hi)] (the explicit range itself when given), mapped
//           affinely onto [lo, hi]: v_i = lo + (hi - lo) (u_i - z_lo) / (z_hi - z_lo).
//   codes   the codes the range, base and PCA come from: codes.h dataset_codes(model, test) (the first
//           kAnalysisCodes test images) in every host. A VAE with plane latent_dims needs none.
// Layout: cell (row r, column c) is column r * n + c; x = axis_x[c] grows to the right, y = axis_y[n - 1 - r]
// grows upwards (row 0 on top), as manifold_grid_codes in latent.h.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "ae/autoencoder.h"
#include "ae/eigen.h"
#include "ae/latent.h"
#include "ae/thread_pool.h"

namespace ae {

enum class ManifoldPlane { latent_dims, pca };
ManifoldPlane manifold_plane_from_string(const std::string& s);  // "latent" | "pca"
const char* manifold_plane_name(ManifoldPlane p);                // "latent" | "pca"
// The latent map's plane (latent_project_2d): latent_dims for latent <= 2, pca above.
ManifoldPlane manifold_map_plane(int latent);

struct ManifoldOptions {
    int n = 20;                                     // grid side, 1..256
    ManifoldPlane plane = ManifoldPlane::latent_dims;
    int dim_x = 0, dim_y = 1;                       // latent_dims
    std::optional<GridSpacing> spacing;             // default: normal_quantile (VAE), linear
    double q_lo = 0.01, q_hi = 0.99;                // 0 < q_lo < q_hi < 1
    std::optional<std::pair<double, double>> range; // explicit [lo, hi] for both axes
};

struct ManifoldGrid {
    int n = 0;
    ManifoldPlane plane = ManifoldPlane::latent_dims;
    GridSpacing spacing = GridSpacing::linear;
    Matrix points;   // [2, n * n] plane coordinates of each cell
    Matrix codes;    // [latent, n * n]
    Matrix images;   // [D, n * n] decode(codes)
    double x_lo = 0, x_hi = 0, y_lo = 0, y_hi = 0;
    std::string x_label, y_label;  // "z1", "z2" (1-based dims) or "PC1", "PC2"
    std::string range_source;      // "prior quantiles", "code quantiles" or "given"
};

// Throws ae::Error for latent < 2, bad options, or too few codes (pca: >= 2; non-VAE: >= 1).
ManifoldGrid manifold_grid(const Autoencoder& model, const Matrix& codes, const ManifoldOptions& o,
                           ThreadPool* pool = nullptr);

}  // namespace ae
