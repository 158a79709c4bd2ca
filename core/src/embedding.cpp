#include "ae/embedding.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "ae/error.h"
#include "ae/latent.h"
#include "ae/metrics.h"

namespace ae {

std::vector<int> spread_indices(int m, int n) {
    n = std::max(0, std::min(n, m));
    std::vector<int> idx(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = static_cast<int>(static_cast<int64_t>(i) * m / n);
    return idx;
}

Matrix select_columns(const Matrix& x, const std::vector<int>& index) {
    Matrix out(x.rows(), static_cast<Eigen::Index>(index.size()));
    for (size_t j = 0; j < index.size(); ++j) {
        if (index[j] < 0 || index[j] >= x.cols())
            throw Error("select_columns: index " + std::to_string(index[j]) + " outside the " +
                        std::to_string(x.cols()) + " columns");
        out.col(static_cast<Eigen::Index>(j)) = x.col(index[j]);
    }
    return out;
}

std::vector<uint8_t> select_labels(const std::vector<uint8_t>& labels, const std::vector<int>& index) {
    std::vector<uint8_t> out(index.size());
    for (size_t j = 0; j < index.size(); ++j) {
        if (index[j] < 0 || static_cast<size_t>(index[j]) >= labels.size())
            throw Error("select_labels: index " + std::to_string(index[j]) + " outside the " +
                        std::to_string(labels.size()) + " labels");
        out[j] = labels[static_cast<size_t>(index[j])];
    }
    return out;
}

double map_knn_accuracy(const Matrix& points, const std::vector<uint8_t>& labels, int k) {
    const int n = static_cast<int>(points.cols());
    if (static_cast<int>(labels.size()) != n)
        throw Error("map_knn_accuracy: " + std::to_string(labels.size()) + " labels for " + std::to_string(n) +
                    " points");
    const int refs = (n + 1) / 2, queries = n / 2;
    if (k < 1 || k > refs || queries < 1)
        throw Error("map_knn_accuracy: k = " + std::to_string(k) + " needs at least " + std::to_string(2 * k) +
                    " points, got " + std::to_string(n));
    Matrix a(points.rows(), refs), b(points.rows(), queries);
    std::vector<uint8_t> la(static_cast<size_t>(refs)), lb(static_cast<size_t>(queries));
    for (int j = 0; j < n; ++j) {
        if (j % 2 == 0) {
            a.col(j / 2) = points.col(j);
            la[static_cast<size_t>(j / 2)] = labels[static_cast<size_t>(j)];
        } else {
            b.col(j / 2) = points.col(j);
            lb[static_cast<size_t>(j / 2)] = labels[static_cast<size_t>(j)];
        }
    }
    return knn_accuracy(a, la, b, lb, k);
}

std::vector<EmbeddingView> compare_embeddings(const Matrix& pixels, const Matrix& codes,
                                              const std::vector<uint8_t>& labels, const TsneOptions& o, int k) {
    if (pixels.cols() != codes.cols() || static_cast<size_t>(pixels.cols()) != labels.size())
        throw Error("compare_embeddings: " + std::to_string(pixels.cols()) + " images, " +
                    std::to_string(codes.cols()) + " codes and " + std::to_string(labels.size()) + " labels");
    const int n = static_cast<int>(pixels.cols());
    tsne_check(o, n);
    std::vector<EmbeddingView> out(4);
    const LatentProjection pp = latent_project_2d(pixels);
    out[0].title = "PCA of the pixels";
    out[0].explained = pp.explained;
    out[0].x_label = "PC1";
    out[0].y_label = "PC2";
    out[0].points = pp.points;
    const std::string codes_name = std::to_string(codes.rows()) + "-D codes";
    const LatentProjection cp = latent_project_2d(codes);
    out[2].title = cp.uses_pca ? codes_name + " (PCA)" : codes_name;
    out[2].explained = cp.explained;
    out[2].x_label = cp.x_label;
    out[2].y_label = cp.y_label;
    out[2].points = cp.points;
    for (int v : {1, 3}) {
        out[v].title = std::string("t-SNE of ") + (v == 1 ? "the pixels" : "the " + codes_name);
        out[v].x_label = "t-SNE 1";
        out[v].y_label = "t-SNE 2";
        out[v].points = tsne_embed(v == 1 ? pixels : codes, o, &out[v].kl);
    }
    for (EmbeddingView& e : out) e.knn_accuracy = map_knn_accuracy(e.points, labels, k);
    return out;
}

}  // namespace ae
