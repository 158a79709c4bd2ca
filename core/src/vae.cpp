#include "ae/vae.h"

#include <algorithm>
#include <cmath>

#include "ae/error.h"
#include "ae/loss.h"

namespace ae {

template <typename T>
void reparameterize(const Eigen::Ref<const MatrixT<T>>& mu, const Eigen::Ref<const MatrixT<T>>& logvar,
                    const Eigen::Ref<const MatrixT<T>>& eps, Eigen::Ref<MatrixT<T>> z) {
    z = (mu.array() + (T(0.5) * logvar.array()).exp() * eps.array()).matrix();
}

template <typename T>
void reparameterize_backward(const Eigen::Ref<const MatrixT<T>>& mu, const Eigen::Ref<const MatrixT<T>>& z,
                             const Eigen::Ref<const MatrixT<T>>& dz, Eigen::Ref<MatrixT<T>> dmu,
                             Eigen::Ref<MatrixT<T>> dlogvar) {
    dlogvar = (T(0.5) * dz.array() * (z.array() - mu.array())).matrix();
    dmu = dz;
}

template <typename T>
double gaussian_kl_forward_backward(const Eigen::Ref<const MatrixT<T>>& mu, const Eigen::Ref<const MatrixT<T>>& logvar,
                                    Eigen::Ref<MatrixT<T>> dmu, Eigen::Ref<MatrixT<T>> dlogvar, T scale) {
    double total = 0.0;
    for (Eigen::Index c = 0; c < mu.cols(); ++c) {
        auto m = mu.col(c).array();
        auto lv = logvar.col(c).array();
        total += 0.5 * static_cast<double>((m.square() + lv.exp() - T(1) - lv).sum());
        if (scale != T(0)) {
            dmu.col(c).array() += scale * m;
            dlogvar.col(c).array() += scale * T(0.5) * (lv.exp() - T(1));
        }
    }
    return total;
}

#define AE_VAE_INSTANTIATE(T)                                                                                     \
    template void reparameterize<T>(const Eigen::Ref<const MatrixT<T>>&, const Eigen::Ref<const MatrixT<T>>&,     \
                                    const Eigen::Ref<const MatrixT<T>>&, Eigen::Ref<MatrixT<T>>);                \
    template void reparameterize_backward<T>(const Eigen::Ref<const MatrixT<T>>&, const Eigen::Ref<const MatrixT<T>>&, \
                                             const Eigen::Ref<const MatrixT<T>>&, Eigen::Ref<MatrixT<T>>,        \
                                             Eigen::Ref<MatrixT<T>>);                                             \
    template double gaussian_kl_forward_backward<T>(const Eigen::Ref<const MatrixT<T>>&,                         \
                                                    const Eigen::Ref<const MatrixT<T>>&, Eigen::Ref<MatrixT<T>>, \
                                                    Eigen::Ref<MatrixT<T>>, T);
AE_VAE_INSTANTIATE(float)
AE_VAE_INSTANTIATE(double)

namespace {

void require_vae(const Autoencoder& m, const char* what) {
    if (!m.is_vae()) throw Error(std::string(what) + ": the model is not a vae (model.type '" + m.config().type + "')");
}

// log p(x|z) per column (nats; see vae.h for the mse constant).
Eigen::VectorXd log_likelihood(const Autoencoder& m, const Matrix& logits, const Eigen::Ref<const Matrix>& x) {
    Eigen::VectorXd out(x.cols());
    Matrix y(logits.rows(), 1);
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
        activation_forward<float>(m.config().output, logits.col(c), y);
        out(c) = -loss_value<float>(m.config().loss, logits.col(c), y, x.col(c));
    }
    return out;
}

}  // namespace

Eigen::VectorXd vae_elbo_per_image(const Autoencoder& model, const Eigen::Ref<const Matrix>& x, Rng& rng,
                                   ThreadPool* pool, const int* labels) {
    require_vae(model, "vae_elbo_per_image");
    Matrix mu, lv;
    model.encode_gaussian(x, mu, lv, pool, labels);
    Matrix eps(mu.rows(), mu.cols()), z(mu.rows(), mu.cols());
    for (Eigen::Index c = 0; c < eps.cols(); ++c)
        for (Eigen::Index r = 0; r < eps.rows(); ++r) eps(r, c) = static_cast<float>(rng.normal());
    reparameterize<float>(mu, lv, eps, z);
    Eigen::VectorXd ll = log_likelihood(model, model.decode_logits(z, pool, labels), x);
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
        auto m = mu.col(c).array().cast<double>();
        auto l = lv.col(c).array().cast<double>();
        ll(c) -= 0.5 * (m.square() + l.exp() - 1.0 - l).sum();
    }
    return ll;
}

Eigen::VectorXd vae_iwae_per_image(const Autoencoder& model, const Eigen::Ref<const Matrix>& x, int K, Rng& rng,
                                   ThreadPool* pool, const int* labels) {
    require_vae(model, "vae_iwae_per_image");
    if (K < 1 || K > 100000) throw Error("vae_iwae_per_image: K must be 1..100000, got " + std::to_string(K));
    const Eigen::Index n = x.cols();
    const int k = model.latent_dim();
    Matrix mu, lv;
    model.encode_gaussian(x, mu, lv, pool, labels);
    Eigen::MatrixXd logw(K, n);
    Matrix eps(k, n), z(k, n);
    for (int s = 0; s < K; ++s) {
        for (Eigen::Index c = 0; c < n; ++c)
            for (int r = 0; r < k; ++r) eps(r, c) = static_cast<float>(rng.normal());
        reparameterize<float>(mu, lv, eps, z);
        Eigen::VectorXd ll = log_likelihood(model, model.decode_logits(z, pool, labels), x);
        for (Eigen::Index c = 0; c < n; ++c) {
            // log p(z) - log q(z|x); the (k/2) log 2π terms cancel. q: z = μ + σ ε -> -0.5 (ε² + log σ²).
            double lp = 0.0, lq = 0.0;
            for (int r = 0; r < k; ++r) {
                const double zz = z(r, c), e = eps(r, c);
                lp += -0.5 * zz * zz;
                lq += -0.5 * (e * e + static_cast<double>(lv(r, c)));
            }
            logw(s, c) = ll(c) + lp - lq;
        }
    }
    Eigen::VectorXd out(n);
    for (Eigen::Index c = 0; c < n; ++c) {
        const double mx = logw.col(c).maxCoeff();
        out(c) = mx + std::log((logw.col(c).array() - mx).exp().sum() / K);
    }
    return out;
}

VaeLatentStats vae_latent_stats(const Autoencoder& model, const Eigen::Ref<const Matrix>& x, ThreadPool* pool,
                                double threshold, const int* labels) {
    require_vae(model, "vae_latent_stats");
    if (x.cols() < 2) throw Error("vae_latent_stats: needs at least 2 images");
    Matrix mu, lv;
    model.encode_gaussian(x, mu, lv, pool, labels);
    const int k = model.latent_dim();
    const double n = static_cast<double>(x.cols());
    VaeLatentStats s;
    s.kl_per_dim.assign(k, 0.0);
    s.mu_variance.assign(k, 0.0);
    for (int j = 0; j < k; ++j) {
        auto m = mu.row(j).array().cast<double>();
        auto l = lv.row(j).array().cast<double>();
        s.kl_per_dim[j] = 0.5 * (m.square() + l.exp() - 1.0 - l).sum() / n;
        const double mean = m.sum() / n;
        s.mu_variance[j] = (m - mean).square().sum() / (n - 1.0);
        if (s.mu_variance[j] > threshold) ++s.active_units;
    }
    return s;
}

}  // namespace ae
