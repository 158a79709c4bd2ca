#include "ae/latent.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ae/error.h"

namespace ae {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

namespace {

// Horner evaluation of c[0] + c[1] r + ... + c[7] r^7.
double poly7(const double* c, double r) {
    double v = c[7];
    for (int i = 6; i >= 0; --i) v = v * r + c[i];
    return v;
}

}  // namespace

double normal_quantile(double p) {
    if (!(p >= 0.0 && p <= 1.0))
        throw Error("normal_quantile: probability " + std::to_string(p) + " is outside [0, 1]");
    if (p == 0.0) return -std::numeric_limits<double>::infinity();
    if (p == 1.0) return std::numeric_limits<double>::infinity();
    // Coefficients of AS 241 (PPND16), Wichura 1988, table in the paper / its Fortran listing.
    static const double a[8] = {3.3871328727963666080e0,  1.3314166789178437745e+2, 1.9715909503065514427e+3,
                                1.3731693765509461125e+4, 4.5921953931549871457e+4, 6.7265770927008700853e+4,
                                3.3430575583588128105e+4, 2.5090809287301226727e+3};
    static const double b[8] = {1.0,
                                4.2313330701600911252e+1, 6.8718700749205790830e+2, 5.3941960214247511077e+3,
                                2.1213794301586595867e+4, 3.9307895800092710610e+4, 2.8729085735721942674e+4,
                                5.2264952788528545610e+3};
    static const double c[8] = {1.42343711074968357734e0,  4.63033784615654529590e0,  5.76949722146069140550e0,
                                3.64784832476320460504e0,  1.27045825245236838258e0,  2.41780725177450611770e-1,
                                2.27238449892691845833e-2, 7.74545014278341407640e-4};
    static const double d[8] = {1.0,
                                2.05319162663775882187e0,  1.67638483018380384940e0,  6.89767334985100004550e-1,
                                1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
                                1.05075007164441684324e-9};
    static const double e[8] = {6.65790464350110377720e0,  5.46378491116411436990e0,  1.78482653991729133580e0,
                                2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                2.71155556874348757815e-5, 2.01033439929228813265e-7};
    static const double f[8] = {1.0,
                                5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
                                7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7,
                                2.04426310338993978564e-15};
    const double q = p - 0.5;
    if (std::fabs(q) <= 0.425) {
        const double r = 0.180625 - q * q;
        return q * poly7(a, r) / poly7(b, r);
    }
    double r = q < 0.0 ? p : 1.0 - p;
    r = std::sqrt(-portable_log(r));
    double value;
    if (r <= 5.0) {
        r -= 1.6;
        value = poly7(c, r) / poly7(d, r);
    } else {
        r -= 5.0;
        value = poly7(e, r) / poly7(f, r);
    }
    return q < 0.0 ? -value : value;
}

LatentProjection latent_project_2d(const Matrix& codes, const LatentProjection* previous) {
    const Eigen::Index k = codes.rows(), n = codes.cols();
    if (k < 1 || n < 1) throw Error("latent_project_2d: no codes (empty matrix)");
    LatentProjection out;
    out.points = Matrix::Zero(2, n);
    if (k == 1) {
        out.points.row(0) = codes.row(0);
        out.x_label = "z1";
        return out;
    }
    if (k == 2) {
        out.points = codes;
        out.x_label = "z1";
        out.y_label = "z2";
        return out;
    }
    if (n < 2) throw Error("latent_project_2d: PCA of a " + std::to_string(k) + "-D latent needs at least 2 codes");
    out.pca = pca_fit(codes, 2, previous != nullptr && previous->uses_pca ? &previous->pca.components : nullptr);
    out.points = pca_project(out.pca, codes);
    out.uses_pca = true;
    out.x_label = "PC1";
    out.y_label = "PC2";
    const double total = out.pca.total_variance;
    out.explained = total > 0.0 ? static_cast<double>(out.pca.variances.cast<double>().sum()) / total : 1.0;
    return out;
}

Matrix latent_project(const LatentProjection& p, const Matrix& codes) {
    const Eigen::Index k = codes.rows();
    if (p.uses_pca) {
        if (k != p.pca.mean.size())
            throw Error("latent_project: codes have " + std::to_string(k) + " dimensions, the projection " +
                        std::to_string(p.pca.mean.size()));
        return pca_project(p.pca, codes);
    }
    if (k > 2) throw Error("latent_project: no PCA fitted for " + std::to_string(k) + "-D codes");
    Matrix out = Matrix::Zero(2, codes.cols());
    out.topRows(k) = codes;
    return out;
}

Matrix latent_unproject(const LatentProjection& p, const Matrix& points, int k) {
    if (points.rows() != 2) throw Error("latent_unproject: expected [2, n] points");
    if (p.uses_pca) return pca_reconstruct(p.pca, points);
    if (k < 1 || k > 2) throw Error("latent_unproject: no PCA fitted for " + std::to_string(k) + "-D codes");
    return points.topRows(k);
}

GridSpacing grid_spacing_from_string(const std::string& s) {
    if (s == "linear") return GridSpacing::linear;
    if (s == "normal" || s == "normal_quantile") return GridSpacing::normal_quantile;
    throw Error("grid spacing '" + s + "': expected linear or normal");
}

const char* grid_spacing_name(GridSpacing s) { return s == GridSpacing::linear ? "linear" : "normal"; }

std::vector<double> grid_axis(int n, double lo, double hi, GridSpacing spacing) {
    if (n < 1) throw Error("grid_axis: " + std::to_string(n) + " points, expected at least 1");
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
        throw Error("grid_axis: range [" + std::to_string(lo) + ", " + std::to_string(hi) +
                    "] must be finite with lo < hi");
    std::vector<double> v(n);
    if (spacing == GridSpacing::linear) {
        for (int i = 0; i < n; ++i) v[i] = n == 1 ? 0.5 * (lo + hi) : lo + (hi - lo) * i / (n - 1);
        return v;
    }
    if (std::fabs(lo) > 8.0 || std::fabs(hi) > 8.0)
        throw Error("grid_axis: normal spacing needs |lo|, |hi| <= 8, got [" + std::to_string(lo) + ", " +
                    std::to_string(hi) + "]");
    const double plo = normal_cdf(lo), phi = normal_cdf(hi);
    for (int i = 0; i < n; ++i) {
        const double t = n == 1 ? 0.5 : static_cast<double>(i) / (n - 1);
        v[i] = normal_quantile(plo + (phi - plo) * t);
    }
    if (n > 1) {  // exact endpoints despite the round trip through Phi
        v[0] = lo;
        v[n - 1] = hi;
    }
    return v;
}

Matrix manifold_grid_codes(const Vector& base, int dim_x, int dim_y, int n, double lo, double hi,
                           GridSpacing spacing) {
    return manifold_grid_codes(base, dim_x, dim_y, n, lo, hi, lo, hi, spacing);
}

Matrix manifold_grid_codes(const Vector& base, int dim_x, int dim_y, int n, double x_lo, double x_hi, double y_lo,
                           double y_hi, GridSpacing spacing) {
    const int k = static_cast<int>(base.size());
    if (dim_x < 0 || dim_x >= k || dim_y < 0 || dim_y >= k || dim_x == dim_y)
        throw Error("manifold grid: dimensions " + std::to_string(dim_x) + " and " + std::to_string(dim_y) +
                    " must be two different indices in [0, " + std::to_string(k) + ")");
    const std::vector<double> axis = grid_axis(n, x_lo, x_hi, spacing);
    const std::vector<double> yaxis = grid_axis(n, y_lo, y_hi, spacing);
    Matrix codes(k, static_cast<Eigen::Index>(n) * n);
    for (int r = 0; r < n; ++r) {
        for (int c = 0; c < n; ++c) {
            auto col = codes.col(static_cast<Eigen::Index>(r) * n + c);
            col = base;
            col(dim_x) = static_cast<float>(axis[c]);
            col(dim_y) = static_cast<float>(yaxis[n - 1 - r]);
        }
    }
    return codes;
}

std::pair<double, double> code_quantile_range(const Matrix& codes, int dim, double q_lo, double q_hi) {
    if (codes.size() == 0) throw Error("code range: no codes");
    if (dim < 0 || dim >= codes.rows())
        throw Error("code range: dimension " + std::to_string(dim) + " outside [0, " + std::to_string(codes.rows()) + ")");
    if (!(0.0 <= q_lo && q_lo <= q_hi && q_hi <= 1.0))
        throw Error("code range: quantiles must satisfy 0 <= q_lo <= q_hi <= 1");
    std::vector<float> v(codes.cols());
    for (Eigen::Index j = 0; j < codes.cols(); ++j) v[j] = codes(dim, j);
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return static_cast<double>(v[static_cast<size_t>(std::lround(q * (v.size() - 1)))]); };
    double lo = at(q_lo), hi = at(q_hi);
    if (!(lo < hi)) hi = lo + 1.0;
    return {lo, hi};
}

namespace {

void check_pair(const Vector& a, const Vector& b, int steps, const char* what) {
    if (a.size() != b.size())
        throw Error(std::string(what) + ": sizes differ (" + std::to_string(a.size()) + " and " +
                    std::to_string(b.size()) + ")");
    if (a.size() < 1) throw Error(std::string(what) + ": empty vectors");
    if (steps < 2) throw Error(std::string(what) + ": " + std::to_string(steps) + " steps, expected at least 2");
}

Matrix lerp_impl(const Vector& a, const Vector& b, int steps) {
    Matrix out(a.size(), steps);
    const Eigen::VectorXd ad = a.cast<double>(), bd = b.cast<double>();
    for (int i = 0; i < steps; ++i) {
        const double t = static_cast<double>(i) / (steps - 1);
        out.col(i) = ((1.0 - t) * ad + t * bd).cast<float>();
    }
    return out;
}

}  // namespace

Matrix lerp_codes(const Vector& a, const Vector& b, int steps) {
    check_pair(a, b, steps, "lerp");
    return lerp_impl(a, b, steps);
}

Matrix blend_images(const Vector& x_a, const Vector& x_b, int steps) {
    check_pair(x_a, x_b, steps, "pixel blend");
    return lerp_impl(x_a, x_b, steps);
}

Matrix slerp_codes(const Vector& a, const Vector& b, int steps) {
    check_pair(a, b, steps, "slerp");
    const Eigen::VectorXd ad = a.cast<double>(), bd = b.cast<double>();
    const double na = ad.norm(), nb = bd.norm();
    if (na == 0.0 || nb == 0.0) return lerp_impl(a, b, steps);
    const double cosw = std::max(-1.0, std::min(1.0, ad.dot(bd) / (na * nb)));
    const double w = std::acos(cosw);
    if (w < 1e-6) return lerp_impl(a, b, steps);
    if (w > M_PI - 1e-6) throw Error("slerp: the two codes point in opposite directions; the spherical path is undefined");
    Matrix out(a.size(), steps);
    const double s = std::sin(w);
    for (int i = 0; i < steps; ++i) {
        const double t = static_cast<double>(i) / (steps - 1);
        out.col(i) = (std::sin((1.0 - t) * w) / s * ad + std::sin(t * w) / s * bd).cast<float>();
    }
    return out;
}

Matrix prior_samples(int latent, int n, Rng& rng) {
    if (latent < 1 || n < 0)
        throw Error("prior samples: latent " + std::to_string(latent) + ", n " + std::to_string(n) +
                    " (expected latent >= 1, n >= 0)");
    Matrix z(latent, n);
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < latent; ++i) z(i, j) = static_cast<float>(rng.normal());
    return z;
}

GaussianFit gaussian_fit(const Matrix& codes) {
    const Eigen::Index k = codes.rows(), n = codes.cols();
    if (k < 1 || n < 2) throw Error("gaussian_fit: need at least 2 codes, got " + std::to_string(n));
    if (!codes.allFinite()) throw Error("gaussian_fit: the codes contain NaN or infinite values");
    const Eigen::MatrixXd x = codes.cast<double>();
    const Eigen::VectorXd mean = x.rowwise().mean();
    const Eigen::MatrixXd c = x.colwise() - mean;
    GaussianFit g;
    g.mean = mean.cast<float>();
    if (k > kGaussianCholeskyMaxDim) {
        const double trace = c.squaredNorm() / static_cast<double>(n - 1);
        g.jitter_sd = std::sqrt(std::max(1e-12, 1e-6 * trace / static_cast<double>(k)));
        g.factor = (c / std::sqrt(static_cast<double>(n - 1))).cast<float>();
        return g;
    }
    Eigen::MatrixXd cov = c * c.transpose() / static_cast<double>(n - 1);
    const double jitter = std::max(1e-12, 1e-6 * cov.trace() / static_cast<double>(k));
    cov.diagonal().array() += jitter;
    Eigen::LLT<Eigen::MatrixXd> llt(cov);
    if (llt.info() != Eigen::Success) throw Error("gaussian_fit: the covariance of the codes is not positive definite");
    g.chol = Eigen::MatrixXd(llt.matrixL()).cast<float>();
    return g;
}

Matrix gaussian_samples(const GaussianFit& g, int n, Rng& rng) {
    const int k = static_cast<int>(g.mean.size());
    if (g.factor.size() > 0) {
        if (g.factor.rows() != k) throw Error("gaussian_samples: mean and factor sizes differ");
        const Eigen::MatrixXd eps_n = prior_samples(static_cast<int>(g.factor.cols()), n, rng).cast<double>();
        const Eigen::MatrixXd eps_k = prior_samples(k, n, rng).cast<double>();
        Eigen::MatrixXd z = g.factor.cast<double>() * eps_n + g.jitter_sd * eps_k;
        z.colwise() += g.mean.cast<double>();
        return z.cast<float>();
    }
    if (g.chol.rows() != k || g.chol.cols() != k) throw Error("gaussian_samples: mean and Cholesky factor sizes differ");
    const Eigen::MatrixXd eps = prior_samples(k, n, rng).cast<double>();
    Eigen::MatrixXd z = g.chol.cast<double>() * eps;
    z.colwise() += g.mean.cast<double>();
    return z.cast<float>();
}

Matrix add_latent_noise(const Matrix& codes, double sigma, Rng& rng) {
    if (!(sigma >= 0.0) || !std::isfinite(sigma))
        throw Error("latent noise: sigma " + std::to_string(sigma) + ", expected a finite number >= 0");
    Matrix out = codes;
    for (Eigen::Index j = 0; j < codes.cols(); ++j)
        for (Eigen::Index i = 0; i < codes.rows(); ++i) out(i, j) += static_cast<float>(sigma * rng.normal());
    return out;
}

}  // namespace ae
