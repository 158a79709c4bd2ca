// interpolation.h: the decoded lerp / slerp path between two images' codes beside their pixel blend.
#include "ae/interpolation.h"

#include <gtest/gtest.h>

#include "ae/latent.h"
#include "analysis_fixture.h"

namespace {

using namespace analysis_fixture;

TEST(InterpolationStrip, EndsAreTheImagesCodesAndTheBlendIsPixelwise) {
    auto s = trained(small_config("ae", 4), 20);
    const ae::Matrix x = ae::dataset_images(*fashion().test, 0, 2);
    const ae::Matrix z = s->model().encode(x);
    for (auto mode : {ae::InterpolationMode::lerp, ae::InterpolationMode::slerp}) {
        const ae::InterpolationStrip st = ae::interpolation_strip(s->model(), x.col(0), x.col(1), 7, mode);
        ASSERT_EQ(st.codes.cols(), 7);
        EXPECT_TRUE(st.codes.col(0).isApprox(z.col(0), 1e-5f));
        EXPECT_TRUE(st.codes.col(6).isApprox(z.col(1), 1e-5f));
        EXPECT_TRUE(st.decoded.isApprox(s->model().decode(st.codes)));
        EXPECT_TRUE(st.blend.isApprox(ae::blend_images(x.col(0), x.col(1), 7)));
        EXPECT_TRUE(st.blend.col(3).isApprox(0.5f * (x.col(0) + x.col(1)), 1e-5f));
    }
    const ae::Matrix lerp = ae::interpolation_strip(s->model(), x.col(0), x.col(1), 5, ae::InterpolationMode::lerp).codes;
    EXPECT_TRUE(lerp.isApprox(ae::lerp_codes(z.col(0), z.col(1), 5)));
    EXPECT_THROW(ae::interpolation_strip(s->model(), x.col(0), x.col(1), 1, ae::InterpolationMode::lerp), ae::Error);
    EXPECT_THROW(ae::interpolation_mode_from_string("cubic"), ae::Error);
}

}  // namespace
