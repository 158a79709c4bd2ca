// Samples: decoded random codes. One definition for `ae sample`, `ae train`'s samples.png, the app's
// "Prior samples" tab and the page's samples view, so the same model file and seed give the same images
// in every host.
//   VAE:        z ~ the prior N(0, I) (latent.h prior_samples); cvae: decoded with the class y = label;
//   vqvae:      each group's codebook index drawn independently from the model's code_counts (the empirical
//               code distribution of the last training epoch; the simple prior, not the paper's PixelCNN);
//   otherwise:  z ~ a Gaussian (full covariance, latent.h gaussian_fit) fitted to the codes of the first
//               fit_codes TRAINING images (a plain autoencoder has no prior; the training codes are what
//               the decoder was trained to invert).
// Random numbers: one PCG32 stream per seed, ae::Rng(seed, kSampleStream); column j of the codes uses
// normals j * latent .. j * latent + latent - 1 of that stream (latent.h). Nothing else draws from it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/codes.h"
#include "ae/dataset.h"
#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {

constexpr uint64_t kSampleStream = 11;

enum class SampleSource { prior, training_gaussian, code_counts };
const char* sample_source_name(SampleSource s);  // "prior" | "training_gaussian" | "code_counts"

struct SampleOptions {
    int n = 64;                        // samples, >= 1
    uint64_t seed = 1;
    int fit_codes = kAnalysisCodes;    // non-VAE: training images the Gaussian is fitted to (>= 2 used)
    int label = -1;                    // cvae: the class to sample, in [0, num_classes); -1 = default_class()
};

struct SampleSet {
    Matrix codes;          // [latent, n]
    Matrix images;         // [D, n] decoded, in [0, 1] for a sigmoid output
    SampleSource source = SampleSource::prior;
    int fit_count = 0;     // training codes the Gaussian was fitted to (0 for the prior)
    std::string description;  // e.g. "the prior N(0, I)", "a Gaussian fitted to 2000 training codes"
};

// `train` is needed for a non-VAE model (ae::Error if null or with fewer than 2 images).
SampleSet sample_model(const Autoencoder& model, const Dataset* train, const SampleOptions& o,
                       ThreadPool* pool = nullptr);

// cvae: "the same style, another class" (Sohn et al. 2015): x [D, n] encoded with its own classes `from`
// (n entries), μ decoded with the class `to` for every image: [D, n]. ae::Error for a model that is not a
// cvae or a class outside [0, num_classes).
Matrix swap_class(const Autoencoder& model, const Eigen::Ref<const Matrix>& x, const int* from, int to,
                  ThreadPool* pool = nullptr);

// cvae: the "same style, another class" grid over n test images from `first`: grid row i is test image
// first + i, then its code μ (encoded with its own label) decoded with each class 0 .. C-1. The one
// definition behind the page's and the app's class-swap views.
struct ClassSwapGrid {
    Matrix images;            // [D, n (C + 1)], row-major over the grid: column i (C + 1) is image i itself,
                              // column i (C + 1) + 1 + c its code decoded with class c
    int rows = 0, cols = 0;   // n and C + 1
    std::vector<int> labels;  // [n] the images' own classes
};
// ae::Error for a model that is not a cvae, n < 1, or [first, first + n) outside the data set (naming it).
ClassSwapGrid class_swap_grid(const Autoencoder& model, const Dataset& d, int first, int n,
                              ThreadPool* pool = nullptr);

// n decodings of x's code plus N(0, sigma^2 I) latent noise (latent.h add_latent_noise) from
// Rng(seed, kSampleStream); column 0 is the noiseless reconstruction. x: [D].
SampleSet sample_around(const Autoencoder& model, const Vector& x, int n, double sigma, uint64_t seed,
                        ThreadPool* pool = nullptr);

}  // namespace ae
