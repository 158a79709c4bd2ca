// manifold.h: one grid definition; plane, range and spacing options.
#include "ae/manifold.h"

#include <gtest/gtest.h>

#include "ae/codes.h"
#include "ae/pca.h"
#include "analysis_fixture.h"

namespace {

using namespace analysis_fixture;

TEST(ManifoldGrid, VaeLatentPlaneSpansThePriorQuantilesWithNormalSpacing) {
    auto s = trained(small_config("vae", 3), 10);
    ae::ManifoldOptions o;
    o.n = 5;
    o.dim_x = 2;
    o.dim_y = 0;
    const ae::ManifoldGrid g = ae::manifold_grid(s->model(), ae::Matrix(), o);  // needs no codes
    EXPECT_EQ(g.spacing, ae::GridSpacing::normal_quantile);
    EXPECT_EQ(g.range_source, "prior quantiles");
    EXPECT_NEAR(g.x_lo, ae::normal_quantile(0.01), 1e-12);
    EXPECT_NEAR(g.y_hi, ae::normal_quantile(0.99), 1e-12);
    const std::vector<double> axis = ae::grid_axis(5, g.x_lo, g.x_hi, ae::GridSpacing::normal_quantile);
    for (int c = 0; c < 5; ++c) {
        EXPECT_NEAR(g.codes(2, c), axis[c], 1e-6);          // top row: x grows to the right
        EXPECT_NEAR(g.codes(0, c), axis[4], 1e-6);          // top row: the largest y
        EXPECT_NEAR(g.codes(1, c), 0.0, 1e-12);             // other dims at the prior mean
    }
    EXPECT_TRUE(g.images.isApprox(s->model().decode(g.codes)));
}

TEST(ManifoldGrid, AutoencoderUsesTheCodesQuantilesAndMean) {
    auto s = trained(small_config("ae", 4));
    const ae::Matrix codes = ae::dataset_codes(s->model(), *fashion().test);
    ae::ManifoldOptions o;
    o.n = 4;
    const ae::ManifoldGrid g = ae::manifold_grid(s->model(), codes, o);
    EXPECT_EQ(g.spacing, ae::GridSpacing::linear);
    const auto rx = ae::code_quantile_range(codes, 0), ry = ae::code_quantile_range(codes, 1);
    EXPECT_DOUBLE_EQ(g.x_lo, rx.first);
    EXPECT_DOUBLE_EQ(g.x_hi, rx.second);
    EXPECT_DOUBLE_EQ(g.y_lo, ry.first);
    EXPECT_NEAR(g.codes(0, 0), rx.first, 1e-5);   // top-left: x_lo, y_hi
    EXPECT_NEAR(g.codes(1, 0), ry.second, 1e-5);
    EXPECT_NEAR(g.codes(0, 15), rx.second, 1e-5);  // bottom-right: x_hi, y_lo
    EXPECT_NEAR(g.codes(1, 15), ry.first, 1e-5);
    EXPECT_NEAR(g.codes(3, 7), codes.row(3).mean(), 1e-5);
    o.range = std::make_pair(-1.0, 1.0);
    const ae::ManifoldGrid given = ae::manifold_grid(s->model(), codes, o);
    EXPECT_EQ(given.range_source, "given");
    EXPECT_NEAR(given.codes(0, 0), -1.0, 1e-6);
}

TEST(ManifoldGrid, PcaPlaneCodesLieInTheCodesPrincipalPlane) {
    auto s = trained(small_config("ae", 6));
    const ae::Matrix codes = ae::dataset_codes(s->model(), *fashion().test);
    ae::ManifoldOptions o;
    o.n = 3;
    o.plane = ae::manifold_map_plane(6);
    ASSERT_EQ(o.plane, ae::ManifoldPlane::pca);
    const ae::ManifoldGrid g = ae::manifold_grid(s->model(), codes, o);
    const ae::Pca p = ae::pca_fit(codes, 2);
    EXPECT_TRUE(ae::pca_project(p, g.codes).isApprox(g.points, 1e-4f));
    EXPECT_EQ(g.x_label, "PC1");
    // The same plane as the latent map (latent_project_2d).
    const ae::LatentProjection map = ae::latent_project_2d(codes);
    EXPECT_TRUE(ae::latent_project(map, g.codes).isApprox(g.points, 1e-4f));
}

TEST(ManifoldGrid, RejectsBadOptions) {
    auto s = trained(small_config("ae", 4), 5);
    const ae::Matrix codes = ae::dataset_codes(s->model(), *fashion().test);
    ae::ManifoldOptions o;
    o.dim_y = 0;
    EXPECT_THROW(ae::manifold_grid(s->model(), codes, o), ae::Error);
    o = {};
    o.q_lo = 0.0;
    EXPECT_THROW(ae::manifold_grid(s->model(), codes, o), ae::Error);
    o = {};
    EXPECT_THROW(ae::manifold_grid(s->model(), ae::Matrix(), o), ae::Error);  // a plain AE needs codes
}

}  // namespace
