// The VQ-VAE's views (model type vqvae; A. van den Oord, O. Vinyals, K. Kavukcuoglu, "Neural Discrete
// Representation Learning", NeurIPS 2017), one definition for the page and the desktop app: an image's code
// as the M codebook indices of its groups (laid out as a small grid), the decoding of edited indices, and
// the K codebook entries decoded. Samples from the empirical code distribution are sampling.h's.
#pragma once

#include <vector>

#include "ae/autoencoder.h"
#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {

// Rows and columns of the grid the M = latent / codebook_dim groups of a code are shown in, row-major: the most
// nearly square rows x cols with rows * cols == M (M prime: 1 x M). For M = 16: 4 x 4.
struct CodeGridShape {
    int rows = 1, cols = 1;
};
CodeGridShape code_grid_shape(int groups);

struct CodeIndexView {
    CodeGridShape grid;              // the layout of `indices`
    int codebook_size = 0;           // K
    std::vector<int> indices;        // [M] the image's codebook entries (nearest, as training quantises), g = 0..M-1
    Matrix reconstruction;           // [D, 1] decoded from `indices`
    Matrix edited;                   // [D, 1] decoded from `edited_indices` (the reconstruction when none given)
    std::vector<int> edited_indices; // [M]
};
// x: [D]. edits: (group, entry) pairs applied to the image's indices before the second decoding; ae::Error for a
// model that is not a vqvae, a group outside 0..M-1 or an entry outside 0..K-1 (naming it).
CodeIndexView code_index_view(const Autoencoder& model, const Vector& x,
                              const std::vector<std::pair<int, int>>& edits = {}, ThreadPool* pool = nullptr);

// The codebook decoded: image k is the decoding of the code whose every group is entry k: [D, K]. ae::Error for
// a model that is not a vqvae.
Matrix codebook_images(const Autoencoder& model, ThreadPool* pool = nullptr);

}  // namespace ae
