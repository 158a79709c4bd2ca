// 2-D toy data sets generated from a seed, for seeing what an autoencoder learns about a data manifold
// (the denoising vector field of vector_field.h). Each point is one "image" of rows = 1, cols = 2 stored
// as floats (Dataset::values: x then y), already in [0, 1]² so that the sigmoid and identity outputs fit.
//
// The sets (t uniform on its range unless noted; ε ~ N(0, I₂) per point; `noise` is the standard deviation
// of ε in the [0, 1] units of the result; coordinates are clamped to [0, 1] after the noise):
//   moons   two interleaved half circles, as scikit-learn's make_moons (F. Pedregosa et al., JMLR 12, 2011):
//           label 0: (cos t, sin t), label 1: (1 − cos t, 0.5 − sin t), t in [0, π]; mapped by
//           p ↦ ((p.x + 1.25) / 3.5, (p.y − 0.25) / 3.5 + 0.5), so x spans [0.07, 0.93], y [0.29, 0.71].
//           Default noise 0.015 (0.0525 in make_moons' units).
//   circle  centre (0.5, 0.5), radius 0.35: (0.5 + 0.35 cos t, 0.5 + 0.35 sin t), t in [0, 2π); label 0.
//           Default noise 0.015.
//   spiral  two Archimedean arms a = 0, 1 (the label), 1.5 turns each: s = √u with u in [0, 1] (points
//           about evenly spaced along the arm), r = 0.05 + 0.38 s, θ = 3π s + π a, point
//           (0.5 + r cos θ, 0.5 + r sin θ). Along a ray from the centre the arms alternate 0.127 apart. Default noise 0.01.
//   sine    one period of a sine: t in [0, 1], (0.05 + 0.9 t, 0.5 + 0.3 sin 2πt); label 0. Default noise 0.02.
// Determinism: one Rng (rng.h) per split (stream 1 train, stream 2 test) from `seed`; draws per point in
// the order label (moons, spiral: below(2)), t (uniform_double), ε_x, ε_y (normal). The same seed gives the
// same points in one build; std::sin / std::cos may differ in the last bit between standard libraries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ae/config.h"
#include "ae/dataset.h"

namespace ae {

// "moons", "circle", "spiral", "sine".
const std::vector<std::string>& toy_dataset_names();
bool is_toy_dataset(const std::string& name);

struct ToyDataOptions {
    int train = 2000, test = 500;  // points per split, each >= 1
    uint64_t seed = 1;             // `ae train --data moons` and every host use seed 1
    double noise = -1.0;           // standard deviation in [0, 1] units; < 0: the set's default (above)
};

// The train and test splits of set `name` (named "moons/train", "moons/test", ...), rows = 1, cols = 2,
// points in Dataset::values, labels and class names as above ("upper moon", "lower moon"; "arm 0",
// "arm 1"; one class named after the set otherwise). Throws ae::Error for an unknown name, a count < 1
// or > 10,000,000, or a noise above 1.
DatasetPair toy_dataset(const std::string& name, const ToyDataOptions& o = {});

// The defaults of model type `type` (config.h model_defaults) adapted to 2-D points: input 1 x 2, Dense
// encoder [64, 64], identity output and mse loss (the points are coordinates, not pixel intensities),
// latent 1 (a curve through the plane: the bottleneck that makes a plain AE learn the manifold) except
// for denoising (latent 2: the corruption, not a bottleneck, makes r(x) − x point to the data; Alain &
// Bengio 2014) and vae (latent 2), gaussian corruption σ 0.05 for denoising (0.3 is scaled for pixels),
// contractive weight 1e-3 (with 0.1 the penalty outweighs the squared error of [0, 1] points and the field
// collapses the moons onto a line), vqvae: one group (codebook_dim = latent) of 16 entries, and every other field (sparsity, beta) as model_defaults(type). Training: batch 64,
// 200 epochs (6,400 steps of 64 points, about a second on one core), the rest as TrainConfig.
// Measured on moons (README; `ae train --data moons --model T`, seed 1, alignment of vector_field.h):
// denoising 0.850 (seeds 2, 3: 0.869, 0.831), ae 0.732, contractive 0.46, untrained about 0.14.
Config toy_config_defaults(const std::string& type);

}  // namespace ae
