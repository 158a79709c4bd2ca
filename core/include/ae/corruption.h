// Input corruptions for denoising autoencoders (P. Vincent, H. Larochelle, Y. Bengio, P.-A. Manzagol,
// "Extracting and composing robust features with denoising autoencoders", ICML 2008; P. Vincent et al.,
// JMLR 11, 2010, sec. 4.2 for masking and salt-and-pepper noise). The loss then compares the
// reconstruction of the corrupted input with the clean input.
//   gaussian     x~ = x + level * ε, ε ~ N(0, 1) per pixel (not clipped: the noise stays zero-mean)
//   salt_pepper  each pixel with probability `level` is replaced by 0 or 1 (equal odds)
//   masking      each pixel with probability `level` is set to 0
//   block        one square of side `level` pixels at a uniformly random position inside the image is set
//                to 0 (the in-filling case)
//   none         x~ = x
// Random numbers come from `rng` in column order, so the same seed gives the same corruption. Shapes:
// clean, out [rows * cols, n] (row-major pixels per column, as the data sets); out may alias clean.
#pragma once

#include "ae/config.h"
#include "ae/eigen.h"
#include "ae/rng.h"

namespace ae {

// Throws ae::Error for a level outside the ranges in config.h (block: a whole side in 1..min(rows, cols)).
void corrupt(Corruption c, float level, int rows, int cols, Rng& rng, const Eigen::Ref<const Matrix>& clean,
             Eigen::Ref<Matrix> out);

}  // namespace ae
