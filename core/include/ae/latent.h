// Latent-space tools: pure math on codes (one code per column, [latent, n]); the hosts call the model's
// encode/decode around them. Nothing here touches a model, a file or a global.
//
//   - 2-D projection of codes of any size for plotting (the code itself for latent 2, PCA above);
//   - manifold grids: codes that sweep two chosen latent dimensions over a range, with linear or
//     inverse-normal-CDF spacing (the latter as in Kingma & Welling, "Auto-Encoding Variational Bayes",
//     ICLR 2014, fig. 4: equal steps of probability under the N(0, 1) prior);
//   - interpolation between two codes, linear (lerp) and spherical (slerp), and the pixel-space blend of
//     the two images for comparison;
//   - samples from the prior N(0, I), from a Gaussian fitted to codes (for models without a prior), and
//     codes with added Gaussian noise.
// All random numbers come from ae::Rng (PCG32 + portable normals): same seed, same samples on every
// platform.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ae/eigen.h"
#include "ae/pca.h"
#include "ae/rng.h"

namespace ae {

// --- The standard normal distribution -------------------------------------------------------------------

// Phi(x) = P(Z <= x) for Z ~ N(0, 1), computed as erfc(-x / sqrt 2) / 2.
double normal_cdf(double x);

// Phi^-1(p), the inverse of normal_cdf: Wichura's algorithm AS 241 (PPND16), M. J. Wichura, "The
// Percentage Points of the Normal Distribution", Applied Statistics 37(3), 477-484, 1988: rational
// approximations of degree 7 in three regions (|p - 1/2| <= 0.425; sqrt(-log min(p, 1-p)) <= 5; beyond),
// relative accuracy about 1e-16 (measured: 1e-15 at p = 0.975, 3e-14 at p = 1e-20). The logarithm is ae::portable_log (same result on every platform).
// normal_quantile(0) = -inf, normal_quantile(1) = +inf. Throws ae::Error for p outside [0, 1] or NaN.
double normal_quantile(double p);

// --- 2-D projection ---------------------------------------------------------------------------------------

struct LatentProjection {
    Matrix points;             // [2, n] plot coordinates
    std::string x_label, y_label;  // "z1", "z2" (latent 2); "PC1", "PC2" (latent > 2); "z1", "" (latent 1)
    double explained = 1.0;    // fraction of the codes' total variance shown by the two axes (1 for latent <= 2)
    bool uses_pca = false;
    Pca pca;                   // the fitted PCA when uses_pca (project further codes with pca_project)
};

// codes: [k, n] -> 2-D points. k = 1: (z1, 0); k = 2: the codes themselves; k > 2: the codes' first two
// principal components (pca.h; n >= 2 needed). Throws ae::Error for an empty matrix or, for k > 2, n < 2.
// `previous`: the last projection of (slightly older) codes of the same model, if any; a wide latent's PCA
// (pca_fit's subspace iteration) starts from its axes, so redrawing the map while training stays cheap.
LatentProjection latent_project_2d(const Matrix& codes, const LatentProjection* previous = nullptr);

// Further codes [k, n] through the same projection -> [2, n] (k = 1: (z1, 0); k = 2: the codes; k > 2:
// pca_project with p.pca). Throws ae::Error when k does not match the projection's.
Matrix latent_project(const LatentProjection& p, const Matrix& codes);
// Plot points [2, n] back to codes [k, n] (k <= 2: the first k coordinates; k > 2: pca_reconstruct, the
// point in the PCA plane through the codes' mean).
Matrix latent_unproject(const LatentProjection& p, const Matrix& points, int k);

// --- Manifold grids ---------------------------------------------------------------------------------------

enum class GridSpacing {
    linear,           // v_i = lo + (hi - lo) * i / (n - 1)
    normal_quantile,  // v_i = Phi^-1(Phi(lo) + (Phi(hi) - Phi(lo)) * i / (n - 1)): equal prior mass between points
};
GridSpacing grid_spacing_from_string(const std::string& s);  // "linear" | "normal" (or "normal_quantile")
const char* grid_spacing_name(GridSpacing s);                 // "linear" | "normal"

// n values from lo to hi inclusive (n = 1: the midpoint of the spacing). Throws ae::Error for n < 1,
// non-finite or lo >= hi, and, for normal_quantile, |lo| or |hi| > 8 (Phi rounds to 0 or 1 beyond).
std::vector<double> grid_axis(int n, double lo, double hi, GridSpacing spacing);

// Codes for an n x n manifold grid: every code equals `base` [latent] except dimensions dim_x and dim_y,
// which take grid_axis values. Result [latent, n * n], cell (row r, column c) in column r * n + c, with
// z[dim_x] = axis[c] growing to the right and z[dim_y] = axis[n - 1 - r] growing upwards (row 0 on top),
// so render_image_grid(decode(codes), ..., grid_cols = n) draws it like a plot. Throws ae::Error for
// dimensions outside [0, latent) or equal, and for the grid_axis errors.
Matrix manifold_grid_codes(const Vector& base, int dim_x, int dim_y, int n, double lo, double hi,
                           GridSpacing spacing);
// The same with a separate range per axis: z[dim_x] over [x_lo, x_hi], z[dim_y] over [y_lo, y_hi].
Matrix manifold_grid_codes(const Vector& base, int dim_x, int dim_y, int n, double x_lo, double x_hi, double y_lo,
                           double y_hi, GridSpacing spacing);

// The [q_lo, q_hi] quantile range (nearest rank: the value at index round(q * (n - 1)) of the sorted
// values) of latent dimension `dim` over codes [k, n], widened to [lo, lo + 1] when degenerate: a manifold
// range that covers the data without its outliers (the CLI uses 1%..99%). Throws ae::Error for an empty
// matrix, dim outside [0, k), or quantiles outside 0 <= q_lo <= q_hi <= 1.
std::pair<double, double> code_quantile_range(const Matrix& codes, int dim, double q_lo = 0.01, double q_hi = 0.99);

// --- Interpolation ----------------------------------------------------------------------------------------

// a, b: [k] -> [k, steps], column i at t = i / (steps - 1): (1 - t) a + t b. Throws for steps < 2 or
// a size mismatch.
Matrix lerp_codes(const Vector& a, const Vector& b, int steps);

// Spherical interpolation (K. Shoemake, "Animating rotation with quaternion curves", SIGGRAPH 1985; for
// latent codes T. White, "Sampling Generative Networks", arXiv:1609.04468, 2016):
//     slerp(a, b; t) = sin((1 - t) W) / sin W * a + sin(t W) / sin W * b,   cos W = a.b / (|a| |b|)
// It follows the great circle when |a| = |b| and interpolates the norm otherwise; computed in double.
// Falls back to lerp when W < 1e-6 or either code is zero. Throws ae::Error when the codes are antipodal
// (W > pi - 1e-6: the path is undefined), for steps < 2 or a size mismatch.
Matrix slerp_codes(const Vector& a, const Vector& b, int steps);

// The pixel-space blend of two images x_a, x_b: [D] -> [D, steps]: the same formula as lerp_codes,
// applied to pixels (the baseline a decoded interpolation is compared with).
Matrix blend_images(const Vector& x_a, const Vector& x_b, int steps);

// --- Sampling ---------------------------------------------------------------------------------------------

// [latent, n] draws from the prior N(0, I): column j, row i is the (j * latent + i)-th rng.normal().
// Throws ae::Error for latent < 1 or n < 0.
Matrix prior_samples(int latent, int n, Rng& rng);

// A Gaussian fitted to codes [k, n] (n >= 2): the sample mean and covariance (divided by n - 1), computed in
// double with jitter = 1e-6 * (mean variance) (at least 1e-12) added to the diagonal so that degenerate codes
// still factor. Two exact representations of the same N(mean, C + jitter I):
//   k <= kGaussianCholeskyMaxDim: the lower Cholesky factor L, L L^T = C + jitter I;
//   wider codes (a 5,000-D latent took 37 s in the page to form and factor C): the centred codes themselves,
//   F = (codes - mean) / sqrt(n - 1) [k, n], since C = F F^T; a draw is mean + F eps_n + sqrt(jitter) eps_k,
//   O(k n) per draw and no k x k matrix.
constexpr int kGaussianCholeskyMaxDim = 512;
struct GaussianFit {
    Vector mean;            // [k]
    Matrix chol;            // [k, k] lower triangular (k <= kGaussianCholeskyMaxDim), else empty
    Matrix factor;          // [k, n] F (k > kGaussianCholeskyMaxDim), else empty
    double jitter_sd = 0.0; // sqrt(jitter) with `factor` (inside L otherwise)
};
GaussianFit gaussian_fit(const Matrix& codes);

// [k, n] draws: mean + L eps (eps ~ N(0, I) drawn as in prior_samples), or mean + F eps_n + jitter_sd eps_k.
Matrix gaussian_samples(const GaussianFit& g, int n, Rng& rng);

// codes + sigma * eps, eps ~ N(0, I) drawn column by column as in prior_samples. sigma >= 0 (throws otherwise).
Matrix add_latent_noise(const Matrix& codes, double sigma, Rng& rng);

}  // namespace ae
