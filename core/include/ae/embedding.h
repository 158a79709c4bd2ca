// The lecture material's comparison of dimensionality reductions ("PCA, neighbour embedding (t-SNE, UMAP)
// and autoencoders"): the same n images mapped to 2-D four ways, side by side, each scored by the k-NN
// accuracy of its map.
//
//   1. PCA of the pixels            latent.h latent_project_2d of the pixels (the first two principal axes)
//   2. t-SNE of the pixels          tsne.h (van der Maaten 2014)
//   3. the autoencoder's codes      the codes themselves for a 2-D latent, else their first two principal axes
//                                   (the latent map of every host)
//   4. t-SNE of the codes           tsne.h
//
//   map k-NN accuracy   the even-indexed points (with their labels) classify the odd-indexed ones by a k-NN
//                       majority vote in the 2-D map (metrics.h knn_accuracy), so no point votes for itself.
//
// Shapes as in the rest of the core: one column per image, pixels [D, n], codes [latent, n], points [2, n].
// Cost: two t-SNE runs (tsne.h: about 1.4-2.7 s natively for 1,000 images and 1,000 iterations each).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ae/eigen.h"
#include "ae/tsne.h"

namespace ae {

struct EmbeddingView {
    std::string title;         // "PCA of the pixels", "t-SNE of the pixels", "8-D codes (PCA)", "t-SNE of the 8-D codes"
    std::string x_label, y_label;
    Matrix points;             // [2, n]
    double knn_accuracy = 0;   // map k-NN accuracy (above), in [0, 1]
    double kl = -1;            // KL(P || Q) of a t-SNE map (nats), -1 for the others
    double explained = -1;     // fraction of the variance the PCA plane shows (1 for a 2-D latent), -1 for t-SNE
};

// n indices spread evenly over 0..m-1 (i * m / n), so that a subset of a data set stored class by class (the
// MNIST test split) still holds every class. n is clamped to [0, m].
std::vector<int> spread_indices(int m, int n);
// The columns `index` of x: [rows, index.size()]. Throws ae::Error for an index outside x.
Matrix select_columns(const Matrix& x, const std::vector<int>& index);
// The same labels.
std::vector<uint8_t> select_labels(const std::vector<uint8_t>& labels, const std::vector<int>& index);

// Map k-NN accuracy of points [2, n] (any dimension works) with labels [n]. Throws ae::Error for
// labels.size() != n, k < 1, or fewer than k reference points (n / 2 rounded up).
double map_knn_accuracy(const Matrix& points, const std::vector<uint8_t>& labels, int k = 5);

// The four views above, in that order, for pixels [D, n] and codes [latent, n] of the same n images.
// Throws ae::Error when they disagree on n or with labels, and as latent_project_2d / Tsne do (t-SNE needs
// kTsneMinPoints..kTsneMaxPoints points and 3 * perplexity < n - 1).
std::vector<EmbeddingView> compare_embeddings(const Matrix& pixels, const Matrix& codes,
                                              const std::vector<uint8_t>& labels, const TsneOptions& o = {},
                                              int k = 5);

}  // namespace ae
