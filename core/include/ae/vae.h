// Variational autoencoder math (D. P. Kingma, M. Welling, "Auto-Encoding Variational Bayes", ICLR 2014)
// and its evaluation: the per-image ELBO, the importance-weighted bound (Y. Burda, R. Grosse,
// R. Salakhutdinov, "Importance Weighted Autoencoders", ICLR 2016), KL per latent dimension and active
// units (Burda et al. 2016, sec. 5.2).
//
// Encoder q(z|x) = N(μ(x), diag σ²(x)) with heads μ and log σ²; prior p(z) = N(0, I).
//   reparameterization  z = μ + exp(log σ² / 2) ⊙ ε,  ε ~ N(0, I)
//   KL(q ‖ p) = 0.5 sum_j (μ_j² + σ_j² - 1 - log σ_j²)                     (Kingma & Welling, appendix B)
// Decoder likelihood p(x|z) from config.loss:
//   bce: Bernoulli with logits: log p(x|z) = -sum_d BCEWithLogits(logit_d, x_d)   (x in [0, 1])
//   mse: Gaussian with fixed variance 1/2: log p(x|z) = -sum_d (y_d - x_d)² - (D/2) log π; the constant
//        (D/2) log π is left out everywhere (losses, ELBO, IWAE) so the numbers equal the training loss.
// Units: nats per image. ELBO = E_q[log p(x|z)] - KL = -(reconstruction + KL) with one sample of z.
// IWAE_K = log (1/K) sum_k p(x, z_k) / q(z_k | x), z_k ~ q(z|x) independent; IWAE_1 = ELBO in
// expectation and IWAE_K increases with K towards log p(x) (Burda et al., theorem 1). Computed with
// log-sum-exp (max subtracted) in double.
// Conditional VAE (cvae, Sohn et al. 2015): q(z|x, y), p(x|z, y), prior N(0, I) independent of y; the same
// formulas give the conditional ELBO and IWAE_K of log p(x|y). `labels` (n entries, the class y of each
// image; null = the model's default_class()) is read by the cvae and ignored by the vae.
#pragma once

#include <vector>

#include "ae/autoencoder.h"
#include "ae/eigen.h"
#include "ae/rng.h"
#include "ae/thread_pool.h"

namespace ae {

// z = mu + exp(logvar / 2) ⊙ eps. All [latent, n]; z may not alias the inputs.
template <typename T>
void reparameterize(const Eigen::Ref<const MatrixT<T>>& mu, const Eigen::Ref<const MatrixT<T>>& logvar,
                    const Eigen::Ref<const MatrixT<T>>& eps, Eigen::Ref<MatrixT<T>> z);
// Given dz = dL/dz: dmu = dz, dlogvar = dz ⊙ (z - mu) / 2 (= dz ⊙ σ ε / 2). Overwrites dmu, dlogvar.
template <typename T>
void reparameterize_backward(const Eigen::Ref<const MatrixT<T>>& mu, const Eigen::Ref<const MatrixT<T>>& z,
                             const Eigen::Ref<const MatrixT<T>>& dz, Eigen::Ref<MatrixT<T>> dmu,
                             Eigen::Ref<MatrixT<T>> dlogvar);
// Returns sum over all elements of the KL above; dmu += scale * μ, dlogvar += scale * (σ² - 1) / 2.
template <typename T>
double gaussian_kl_forward_backward(const Eigen::Ref<const MatrixT<T>>& mu, const Eigen::Ref<const MatrixT<T>>& logvar,
                                    Eigen::Ref<MatrixT<T>> dmu, Eigen::Ref<MatrixT<T>> dlogvar, T scale);

// Per-image ELBO (nats, one z sample per image from rng) of x [D, n] in [0, 1]: [n] values
// (higher is better; the training loss with beta = 1 is -mean). Throws ae::Error if the model is not a vae.
Eigen::VectorXd vae_elbo_per_image(const Autoencoder& model, const Eigen::Ref<const Matrix>& x, Rng& rng,
                                   ThreadPool* pool = nullptr, const int* labels = nullptr);
// Per-image IWAE bound with K >= 1 importance samples: [n] values, nats. IWAE_K >= ELBO in expectation.
Eigen::VectorXd vae_iwae_per_image(const Autoencoder& model, const Eigen::Ref<const Matrix>& x, int K, Rng& rng,
                                   ThreadPool* pool = nullptr, const int* labels = nullptr);

struct VaeLatentStats {
    std::vector<double> kl_per_dim;  // [latent] mean over images of KL_j (nats); sums to the mean KL
    std::vector<double> mu_variance; // [latent] Cov_x(E_q[z_j]) = variance of μ_j over the images
    int active_units = 0;            // count of dimensions with mu_variance > threshold
};
// Burda et al. 2016: unit j is active if Cov_x(E_{q(z|x)}[z_j]) > 0.01 (threshold). x: [D, n], n >= 2.
VaeLatentStats vae_latent_stats(const Autoencoder& model, const Eigen::Ref<const Matrix>& x,
                                ThreadPool* pool = nullptr, double threshold = 0.01, const int* labels = nullptr);

}  // namespace ae
