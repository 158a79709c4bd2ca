// Codes of a data set: the model's encode (the posterior mean mu for a VAE) of its images in [0, 1]
// (dataset_images). Every analysis that fits something to codes (the Gaussian of sampling.h, the
// quantile range and PCA plane of manifold.h, the latent map's projection) uses the codes of the FIRST
// kAnalysisCodes images of a data set (all of them when it has fewer), in every host.
#pragma once

#include "ae/autoencoder.h"
#include "ae/dataset.h"
#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {

// How many images of a data set the analyses encode (also SessionOptions::view_codes' default).
constexpr int kAnalysisCodes = 2000;

// [latent, min(max_images, d.count)] codes of the first images of d. Throws ae::Error when the model's
// input size differs from the images' (naming the data set). cvae: each image encoded with its own class
// (its data set label; ae::Error naming the data set if its class count differs from num_classes).
Matrix dataset_codes(const Autoencoder& model, const Dataset& d, int max_images = kAnalysisCodes,
                     ThreadPool* pool = nullptr);

}  // namespace ae
