#include "ae/manifold.h"

#include <cmath>

#include "ae/error.h"
#include "ae/pca.h"

namespace ae {

ManifoldPlane manifold_plane_from_string(const std::string& s) {
    if (s == "latent") return ManifoldPlane::latent_dims;
    if (s == "pca") return ManifoldPlane::pca;
    throw Error("manifold: unknown plane '" + s + "' (expected latent or pca)");
}

const char* manifold_plane_name(ManifoldPlane p) { return p == ManifoldPlane::pca ? "pca" : "latent"; }

ManifoldPlane manifold_map_plane(int latent) { return latent > 2 ? ManifoldPlane::pca : ManifoldPlane::latent_dims; }

ManifoldGrid manifold_grid(const Autoencoder& model, const Matrix& codes, const ManifoldOptions& o, ThreadPool* pool) {
    const int k = model.latent_dim();
    const bool vae = model.is_vae();
    if (k < 2) throw Error("manifold: needs a latent of at least 2 dimensions, the model has " + std::to_string(k));
    if (o.n < 1 || o.n > 256) throw Error("manifold: grid side must be 1..256, got " + std::to_string(o.n));
    if (!(o.q_lo > 0.0 && o.q_lo < o.q_hi && o.q_hi < 1.0))
        throw Error("manifold: quantiles must satisfy 0 < q_lo < q_hi < 1");
    if (o.range && !(std::isfinite(o.range->first) && std::isfinite(o.range->second) && o.range->first < o.range->second))
        throw Error("manifold: range must be finite LO < HI");
    const bool pca = o.plane == ManifoldPlane::pca;
    if (!pca && (o.dim_x < 0 || o.dim_x >= k || o.dim_y < 0 || o.dim_y >= k || o.dim_x == o.dim_y))
        throw Error("manifold: dims " + std::to_string(o.dim_x) + "," + std::to_string(o.dim_y) +
                    " must be two different latent dimensions in 0.." + std::to_string(k - 1));
    const bool need_codes = pca || !vae;
    if (need_codes && codes.cols() < (pca ? 2 : 1))
        throw Error("manifold: needs " + std::string(pca ? "at least 2 codes (PCA plane)" : "codes (the range)"));
    if (need_codes && codes.rows() != k) throw Error("manifold: codes have the wrong latent size");

    ManifoldGrid g;
    g.n = o.n;
    g.plane = o.plane;
    g.spacing = o.spacing ? *o.spacing : (vae ? GridSpacing::normal_quantile : GridSpacing::linear);

    Pca p;
    Matrix plane_codes;  // [2, m] the codes' plane coordinates (non-VAE ranges)
    if (pca) {
        p = pca_fit(codes, 2);
        if (!vae && !o.range) plane_codes = pca_project(p, codes);
        g.x_label = "PC1";
        g.y_label = "PC2";
    } else {
        if (!vae && !o.range) {
            plane_codes.resize(2, codes.cols());
            plane_codes.row(0) = codes.row(o.dim_x);
            plane_codes.row(1) = codes.row(o.dim_y);
        }
        g.x_label = "z" + std::to_string(o.dim_x + 1);
        g.y_label = "z" + std::to_string(o.dim_y + 1);
    }

    // Reference interval of the spacing and the range per axis.
    double z_lo, z_hi, lo[2], hi[2];
    if (o.range) {
        z_lo = o.range->first;
        z_hi = o.range->second;
        lo[0] = lo[1] = z_lo;
        hi[0] = hi[1] = z_hi;
        g.range_source = "given";
    } else {
        z_lo = normal_quantile(o.q_lo);
        z_hi = normal_quantile(o.q_hi);
        for (int a = 0; a < 2; ++a) {
            if (vae) {
                const double centre = pca ? -static_cast<double>(p.components.col(a).dot(p.mean)) : 0.0;
                lo[a] = centre + z_lo;
                hi[a] = centre + z_hi;
            } else {
                std::tie(lo[a], hi[a]) = code_quantile_range(plane_codes, a, o.q_lo, o.q_hi);
            }
        }
        g.range_source = vae ? "prior quantiles" : "code quantiles";
    }
    const std::vector<double> u = grid_axis(o.n, z_lo, z_hi, g.spacing);
    std::vector<double> axis[2];
    for (int a = 0; a < 2; ++a)
        for (double ui : u) axis[a].push_back(lo[a] + (hi[a] - lo[a]) * (ui - z_lo) / (z_hi - z_lo));
    g.x_lo = lo[0];
    g.x_hi = hi[0];
    g.y_lo = lo[1];
    g.y_hi = hi[1];

    const int n = o.n;
    g.points.resize(2, n * n);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) {
            g.points(0, r * n + c) = static_cast<float>(axis[0][c]);
            g.points(1, r * n + c) = static_cast<float>(axis[1][n - 1 - r]);
        }
    if (pca) {
        g.codes = pca_reconstruct(p, g.points);
    } else {
        const Vector base = vae ? Vector(Vector::Zero(k)) : Vector(codes.rowwise().mean());
        g.codes = base.replicate(1, n * n);
        g.codes.row(o.dim_x) = g.points.row(0);
        g.codes.row(o.dim_y) = g.points.row(1);
    }
    g.images = model.decode(g.codes, pool);
    return g;
}

}  // namespace ae
