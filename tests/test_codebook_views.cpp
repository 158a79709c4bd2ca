// The VQ-VAE's views (codebook_views.h): the grid layout of a code's groups, an image's indices and the decoding
// of edited ones, the codebook decoded; each checked against the model's own encode_indices / codes_to_latent /
// decode, and their errors.
#include <gtest/gtest.h>

#include <vector>

#include "ae/autoencoder.h"
#include "ae/codebook_views.h"
#include "ae/config.h"
#include "ae/rng.h"
#include "model_gradcheck.h"
#include "test_util.h"

namespace {

ae::Autoencoder small_vq() {
    ae::ModelConfig m = ae::model_defaults("vqvae");
    m.input_rows = 4;
    m.input_cols = 4;
    m.encoder = {6};
    m.latent = 6;
    m.codebook_dim = 2;  // M = 3 groups
    m.codebook_size = 5;
    ae::Autoencoder model(m);
    ae::Rng rng(5, 1);
    model.init(rng);
    // Spread the codebook so that different images pick different entries.
    float* e = model.codebook();
    for (int i = 0; i < 10; ++i) e[i] = 0.3f * static_cast<float>((i * 7) % 10) - 1.3f;
    return model;
}

TEST(CodebookViews, GridShape) {
    auto shape = [](int m) { const ae::CodeGridShape s = ae::code_grid_shape(m); return std::vector<int>{s.rows, s.cols}; };
    EXPECT_EQ(shape(16), (std::vector<int>{4, 4}));
    EXPECT_EQ(shape(12), (std::vector<int>{3, 4}));
    EXPECT_EQ(shape(7), (std::vector<int>{1, 7}));
    EXPECT_EQ(shape(1), (std::vector<int>{1, 1}));
    EXPECT_EQ(shape(49), (std::vector<int>{7, 7}));
}

TEST(CodebookViews, IndicesEditsAndCodebook) {
    const ae::Autoencoder model = small_vq();
    ae::Rng rng(9, 2);
    const ae::Matrix x = gradcheck::random_pixels(rng, 16, 1);
    const ae::CodeIndexView v = ae::code_index_view(model, x.col(0), {{1, 4}});
    EXPECT_EQ(v.grid.rows * v.grid.cols, 3);
    EXPECT_EQ(v.codebook_size, 5);
    const Eigen::MatrixXi idx = model.encode_indices(x);
    ASSERT_EQ(v.indices.size(), 3u);
    for (int g = 0; g < 3; ++g) EXPECT_EQ(v.indices[g], idx(g, 0));
    EXPECT_LT((v.reconstruction - model.decode(model.codes_to_latent(idx))).cwiseAbs().maxCoeff(), 1e-6f);
    EXPECT_LT((v.reconstruction - model.reconstruct(x)).cwiseAbs().maxCoeff(), 1e-6f);  // the quantised code
    Eigen::MatrixXi e = idx;
    e(1, 0) = 4;
    EXPECT_EQ(v.edited_indices, (std::vector<int>{idx(0, 0), 4, idx(2, 0)}));
    EXPECT_LT((v.edited - model.decode(model.codes_to_latent(e))).cwiseAbs().maxCoeff(), 1e-6f);
    const ae::CodeIndexView same = ae::code_index_view(model, x.col(0));
    EXPECT_EQ(same.edited, same.reconstruction);

    const ae::Matrix book = ae::codebook_images(model);
    ASSERT_EQ(book.cols(), 5);
    for (int k = 0; k < 5; ++k) {
        const Eigen::MatrixXi all = Eigen::MatrixXi::Constant(3, 1, k);
        EXPECT_LT((book.col(k) - model.decode(model.codes_to_latent(all)).col(0)).cwiseAbs().maxCoeff(), 1e-6f);
    }

    test_util::expect_contains(test_util::error_of([&] { ae::code_index_view(model, x.col(0), {{3, 0}}); }),
                               {"group 3", "0..2"});
    test_util::expect_contains(test_util::error_of([&] { ae::code_index_view(model, x.col(0), {{0, 5}}); }),
                               {"entry 5", "0..4"});
    test_util::expect_contains(test_util::error_of([&] { ae::code_index_view(model, ae::Vector::Zero(15)); }),
                               "15 pixels");
    ae::ModelConfig plain = ae::model_defaults("ae");
    plain.input_rows = plain.input_cols = 4;
    const ae::Autoencoder ae_model(plain);
    test_util::expect_contains(test_util::error_of([&] { ae::codebook_images(ae_model); }), "not a VQ-VAE");
}

}  // namespace
