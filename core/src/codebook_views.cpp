#include "ae/codebook_views.h"

#include <cmath>
#include <string>

#include "ae/error.h"

namespace ae {

CodeGridShape code_grid_shape(int groups) {
    CodeGridShape s;
    if (groups < 1) return s;
    for (int r = static_cast<int>(std::sqrt(static_cast<double>(groups))); r >= 1; --r)
        if (groups % r == 0) {
            s.rows = r;
            s.cols = groups / r;
            return s;
        }
    return s;
}

namespace {
void require_vq(const Autoencoder& model, const char* what) {
    if (!model.is_vq())
        throw Error(std::string(what) + ": the model is not a VQ-VAE (model.type '" + model.config().type + "')");
}
}  // namespace

CodeIndexView code_index_view(const Autoencoder& model, const Vector& x, const std::vector<std::pair<int, int>>& edits,
                              ThreadPool* pool) {
    require_vq(model, "code indices");
    if (x.size() != model.input_dim())
        throw Error("code indices: the image has " + std::to_string(x.size()) + " pixels, the model takes " +
                    std::to_string(model.input_dim()));
    const int M = model.code_groups(), K = model.config().codebook_size;
    CodeIndexView v;
    v.grid = code_grid_shape(M);
    v.codebook_size = K;
    const Matrix xm = x;                                       // [D, 1]
    const Eigen::MatrixXi idx = model.encode_indices(xm, pool);  // [M, 1]
    v.indices.assign(idx.data(), idx.data() + M);
    v.edited_indices = v.indices;
    for (const auto& [g, k] : edits) {
        if (g < 0 || g >= M) throw Error("code indices: group " + std::to_string(g) + " is outside 0.." + std::to_string(M - 1));
        if (k < 0 || k >= K)
            throw Error("code indices: codebook entry " + std::to_string(k) + " is outside 0.." + std::to_string(K - 1));
        v.edited_indices[static_cast<size_t>(g)] = k;
    }
    Eigen::MatrixXi both(M, 2);
    for (int g = 0; g < M; ++g) {
        both(g, 0) = v.indices[static_cast<size_t>(g)];
        both(g, 1) = v.edited_indices[static_cast<size_t>(g)];
    }
    const Matrix y = model.decode(model.codes_to_latent(both), pool);  // [D, 2]
    v.reconstruction = y.col(0);
    v.edited = y.col(1);
    return v;
}

Matrix codebook_images(const Autoencoder& model, ThreadPool* pool) {
    require_vq(model, "codebook images");
    const int M = model.code_groups(), K = model.config().codebook_size;
    Eigen::MatrixXi idx(M, K);
    for (int k = 0; k < K; ++k) idx.col(k).setConstant(k);
    return model.decode(model.codes_to_latent(idx), pool);  // [D, K]
}

}  // namespace ae
