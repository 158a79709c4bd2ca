// Every op of the core through the one gradient-check harness (op_gradcheck.h): the convolutional kernels
// (Conv2d, ConvTranspose2d, MaxPool2d, Upsample, the HWC <-> CHW permutations) and the existing ops (Dense,
// activations, losses, penalties, VAE pieces). Plus, for the convolutional kernels: forward against a naive
// direct-loop reference written here in double, bitwise equality of 1, 2 and 3 threads in float, and geometry
// and shape errors.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "ae/dense.h"  // first: see TOOLCHAIN.md (clang 14 mangling of Eigen::Ref)
#include "ae/activation.h"
#include "ae/conv2d.h"
#include "ae/conv_transpose2d.h"
#include "ae/error.h"
#include "ae/loss.h"
#include "ae/penalty.h"
#include "ae/pool.h"
#include "ae/reshape.h"
#include "ae/rng.h"
#include "ae/thread_pool.h"
#include "ae/upsample.h"
#include "ae/vae.h"
#include "op_gradcheck.h"

namespace {

using opcheck::as_vector;
using opcheck::Grad;
using opcheck::Mat;
using opcheck::OpCase;
using opcheck::row_major;
using opcheck::Tensors;
using RowD = ae::RowMatrixT<double>;

void check(const OpCase& c) { opcheck::expect_gradients(c); }

// ---------------------------------------------------------------------------------------------------------
// Cases of the convolutional kernels.

std::string conv_name(const char* kind, int ci, int co, int k, int s, int p, int h, int w, int op = 0) {
    std::string n = std::string(kind) + " " + std::to_string(ci) + "->" + std::to_string(co) + " k" +
                    std::to_string(k) + " s" + std::to_string(s) + " p" + std::to_string(p);
    if (op) n += " op" + std::to_string(op);
    return n + " on " + std::to_string(h) + "x" + std::to_string(w);
}

OpCase conv2d_case(const ae::Conv2dGeometry& g, int n, bool input_grad = true) {
    OpCase c;
    c.name = conv_name("Conv2d", g.in_c, g.out_c, g.kernel, g.stride, g.padding, g.in_h, g.in_w);
    if (!input_grad) c.name += " (first layer, no dx)";
    c.inputs = {{"W", g.out_c, g.patch_size(), -1, 1, Grad::accumulate},
                {"b", g.out_c, 1, -1, 1, Grad::accumulate},
                {"x", g.in_size(), n, -1, 1, input_grad ? Grad::overwrite : Grad::none}};
    c.out_rows = g.out_size();
    c.out_cols = n;
    auto scratch = std::make_shared<Eigen::VectorXd>(ae::conv2d_scratch_size(g, n));
    c.forward = [g, scratch](const Tensors& in, Mat& y) {
        ae::conv2d_forward<double>(g, row_major(in[0]), as_vector(in[1]), in[2], y, *scratch);
        return 0.0;
    };
    c.backward = [g, scratch, input_grad](const Tensors& in, const Mat&, const Mat& dy, Tensors& d) {
        auto dW = row_major(d[0]);
        auto db = as_vector(d[1]);
        Eigen::Ref<Mat> dx(d[2]);
        ae::conv2d_backward<double>(g, row_major(in[0]), in[2], dy, dW, db, input_grad ? &dx : nullptr, *scratch);
    };
    return c;
}

OpCase conv_transpose2d_case(const ae::ConvTranspose2dGeometry& g, int n) {
    OpCase c;
    c.name = conv_name("ConvTranspose2d", g.in_c, g.out_c, g.kernel, g.stride, g.padding, g.in_h, g.in_w,
                       g.output_padding);
    c.inputs = {{"W", g.in_c, g.patch_size(), -1, 1, Grad::accumulate},
                {"b", g.out_c, 1, -1, 1, Grad::accumulate},
                {"x", g.in_size(), n, -1, 1, Grad::overwrite}};
    c.out_rows = g.out_size();
    c.out_cols = n;
    auto scratch = std::make_shared<Eigen::VectorXd>(ae::conv_transpose2d_scratch_size(g, n));
    c.forward = [g, scratch](const Tensors& in, Mat& y) {
        ae::conv_transpose2d_forward<double>(g, row_major(in[0]), as_vector(in[1]), in[2], y, *scratch);
        return 0.0;
    };
    c.backward = [g, scratch](const Tensors& in, const Mat&, const Mat& dy, Tensors& d) {
        auto dW = row_major(d[0]);
        auto db = as_vector(d[1]);
        Eigen::Ref<Mat> dx(d[2]);
        ae::conv_transpose2d_backward<double>(g, row_major(in[0]), in[2], dy, dW, db, &dx, *scratch);
    };
    return c;
}

// Windows whose maximum is not within 1e-4 of another element: the max-pool is smooth around the draw.
bool pool_windows_untied(const ae::MaxPool2dGeometry& g, const Mat& x) {
    const int C = g.channels, W = g.in_w, p = g.kernel;
    for (Eigen::Index s = 0; s < x.cols(); ++s)
        for (int c = 0; c < C; ++c)
            for (int oy = 0; oy < g.out_h(); ++oy)
                for (int ox = 0; ox < g.out_w(); ++ox) {
                    double best = -1e300, second = -1e300;
                    for (int ky = 0; ky < p; ++ky)
                        for (int kx = 0; kx < p; ++kx) {
                            const double v = x(((oy * p + ky) * W + ox * p + kx) * C + c, s);
                            if (v > best) {
                                second = best;
                                best = v;
                            } else if (v > second) {
                                second = v;
                            }
                        }
                    if (p > 1 && best - second < 1e-4) return false;
                }
    return true;
}

OpCase maxpool2d_case(const ae::MaxPool2dGeometry& g, int n) {
    OpCase c;
    c.name = "MaxPool2d " + std::to_string(g.kernel) + " on " + std::to_string(g.channels) + "x" +
             std::to_string(g.in_h) + "x" + std::to_string(g.in_w);
    c.inputs = {{"x", g.in_size(), n, -1, 1, Grad::overwrite}};
    c.out_rows = g.out_size();
    c.out_cols = n;
    auto argmax = std::make_shared<ae::IndexVector>(ae::maxpool2d_index_size(g, n));
    c.forward = [g, argmax](const Tensors& in, Mat& y) {
        ae::maxpool2d_forward<double>(g, in[0], y, *argmax);
        return 0.0;
    };
    c.backward = [g, argmax](const Tensors&, const Mat&, const Mat& dy, Tensors& d) {
        ae::maxpool2d_backward<double>(g, *argmax, dy, d[0]);
    };
    c.away_from_kinks = [g](const Tensors& in) { return pool_windows_untied(g, in[0]); };
    return c;
}

OpCase upsample_case(const ae::UpsampleGeometry& g, int n) {
    OpCase c;
    c.name = "Upsample x" + std::to_string(g.scale) + " on " + std::to_string(g.channels) + "x" +
             std::to_string(g.in_h) + "x" + std::to_string(g.in_w);
    c.inputs = {{"x", g.in_size(), n, -1, 1, Grad::overwrite}};
    c.out_rows = g.out_size();
    c.out_cols = n;
    c.forward = [g](const Tensors& in, Mat& y) {
        ae::upsample_nearest_forward<double>(g, in[0], y);
        return 0.0;
    };
    c.backward = [g](const Tensors&, const Mat&, const Mat& dy, Tensors& d) {
        ae::upsample_nearest_backward<double>(g, dy, d[0]);
    };
    return c;
}

OpCase reshape_case(bool to_chw, int C, int H, int W, int n) {
    OpCase c;
    c.name = std::string(to_chw ? "hwc_to_chw " : "chw_to_hwc ") + std::to_string(C) + "x" + std::to_string(H) +
             "x" + std::to_string(W);
    c.inputs = {{"x", Eigen::Index(C) * H * W, n, -1, 1, Grad::overwrite}};
    c.out_rows = Eigen::Index(C) * H * W;
    c.out_cols = n;
    c.forward = [=](const Tensors& in, Mat& y) {
        if (to_chw) ae::hwc_to_chw<double>(C, H, W, in[0], y);
        else ae::chw_to_hwc<double>(C, H, W, in[0], y);
        return 0.0;
    };
    c.backward = [=](const Tensors&, const Mat&, const Mat& dy, Tensors& d) {
        if (to_chw) ae::hwc_to_chw_backward<double>(C, H, W, dy, d[0]);
        else ae::chw_to_hwc_backward<double>(C, H, W, dy, d[0]);
    };
    return c;
}

ae::Conv2dGeometry conv(int ci, int co, int k, int s, int p, int h, int w) { return {ci, h, w, co, k, s, p}; }
ae::ConvTranspose2dGeometry convt(int ci, int co, int k, int s, int p, int op, int h, int w) {
    return {ci, h, w, co, k, s, p, op};
}

TEST(OpGradient, Conv2d_1to3_k3_s1_p0_7x7) { check(conv2d_case(conv(1, 3, 3, 1, 0, 7, 7), 2)); }
TEST(OpGradient, Conv2d_2to4_k3_s1_p1_5x9) { check(conv2d_case(conv(2, 4, 3, 1, 1, 5, 9), 2)); }
TEST(OpGradient, Conv2d_2to3_k4_s2_p1_7x7) { check(conv2d_case(conv(2, 3, 4, 2, 1, 7, 7), 2)); }
TEST(OpGradient, Conv2d_1to2_k4_s2_p1_8x8) { check(conv2d_case(conv(1, 2, 4, 2, 1, 8, 8), 3)); }
TEST(OpGradient, Conv2d_3to2_k5_s2_p0_9x7) { check(conv2d_case(conv(3, 2, 5, 2, 0, 9, 7), 2)); }
TEST(OpGradient, Conv2d_2to3_k1_s1_p0_5x9) { check(conv2d_case(conv(2, 3, 1, 1, 0, 5, 9), 3)); }
TEST(OpGradient, Conv2d_2to2_k3_s2_p0_8x5_FloorDropsLastRow) { check(conv2d_case(conv(2, 2, 3, 2, 0, 8, 5), 2)); }
TEST(OpGradient, Conv2d_3to2_k5_s1_p2_5x5) { check(conv2d_case(conv(3, 2, 5, 1, 2, 5, 5), 2)); }
TEST(OpGradient, Conv2d_FirstLayerWithoutDx) { check(conv2d_case(conv(1, 3, 3, 2, 1, 7, 6), 2, false)); }

TEST(OpGradient, ConvTranspose2d_3to1_k3_s1_p0_5x5) { check(conv_transpose2d_case(convt(3, 1, 3, 1, 0, 0, 5, 5), 2)); }
TEST(OpGradient, ConvTranspose2d_2to3_k4_s2_p1_4x5) { check(conv_transpose2d_case(convt(2, 3, 4, 2, 1, 0, 4, 5), 2)); }
TEST(OpGradient, ConvTranspose2d_2to2_k3_s2_p1_op1_3x4) {
    check(conv_transpose2d_case(convt(2, 2, 3, 2, 1, 1, 3, 4), 2));
}
TEST(OpGradient, ConvTranspose2d_1to2_k5_s3_p2_op2_3x3) {
    check(conv_transpose2d_case(convt(1, 2, 5, 3, 2, 2, 3, 3), 2));
}
TEST(OpGradient, ConvTranspose2d_2to3_k1_s1_p0_5x9) { check(conv_transpose2d_case(convt(2, 3, 1, 1, 0, 0, 5, 9), 3)); }
TEST(OpGradient, ConvTranspose2d_3to2_k2_s2_p0_3x5) { check(conv_transpose2d_case(convt(3, 2, 2, 2, 0, 0, 3, 5), 2)); }
TEST(OpGradient, ConvTranspose2d_4to2_k5_s2_p2_op1_4x3) {
    check(conv_transpose2d_case(convt(4, 2, 5, 2, 2, 1, 4, 3), 2));
}

TEST(OpGradient, MaxPool2d_k2_on_2x7x7) { check(maxpool2d_case({2, 7, 7, 2}, 2)); }
TEST(OpGradient, MaxPool2d_k3_on_3x8x7) { check(maxpool2d_case({3, 8, 7, 3}, 2)); }
TEST(OpGradient, MaxPool2d_k2_on_1x4x6) { check(maxpool2d_case({1, 4, 6, 2}, 3)); }

TEST(OpGradient, Upsample_x2_on_2x3x4) { check(upsample_case({2, 3, 4, 2}, 2)); }
TEST(OpGradient, Upsample_x3_on_3x2x3) { check(upsample_case({3, 2, 3, 3}, 2)); }

TEST(OpGradient, HwcToChw_3x2x4) { check(reshape_case(true, 3, 2, 4, 2)); }
TEST(OpGradient, ChwToHwc_3x2x4) { check(reshape_case(false, 3, 2, 4, 2)); }

// ---------------------------------------------------------------------------------------------------------
// Cases of the existing ops.

TEST(OpGradient, Dense) {
    const int in_f = 6, out_f = 4, n = 3;
    OpCase c;
    c.name = "Dense 6->4";
    c.inputs = {{"W", out_f, in_f, -1, 1, Grad::accumulate},
                {"b", out_f, 1, -1, 1, Grad::accumulate},
                {"x", in_f, n, -1, 1, Grad::overwrite}};
    c.out_rows = out_f;
    c.out_cols = n;
    c.forward = [](const Tensors& in, Mat& y) {
        ae::dense_forward<double>(row_major(in[0]), as_vector(in[1]), in[2], y);
        return 0.0;
    };
    c.backward = [](const Tensors& in, const Mat&, const Mat& dy, Tensors& d) {
        auto dW = row_major(d[0]);
        auto db = as_vector(d[1]);
        Eigen::Ref<Mat> dx(d[2]);
        ae::dense_backward<double>(row_major(in[0]), in[2], dy, dW, db, &dx);
    };
    check(c);
}

bool away_from_zero(const Mat& m, double margin = 1e-3) { return (m.array().abs() > margin).all(); }

class ActivationGradient : public ::testing::TestWithParam<ae::Activation> {};

TEST_P(ActivationGradient, MatchesCentralDifferences) {
    const ae::Activation a = GetParam();
    OpCase c;
    c.name = std::string("activation ") + ae::activation_name(a);
    c.inputs = {{"x", 4, 5, -3, 3, Grad::overwrite}};
    c.out_rows = 4;
    c.out_cols = 5;
    c.forward = [a](const Tensors& in, Mat& y) {
        ae::activation_forward<double>(a, in[0], y);
        return 0.0;
    };
    c.backward = [a](const Tensors&, const Mat& y, const Mat& dy, Tensors& d) {
        ae::activation_backward<double>(a, y, dy, d[0]);
    };
    c.away_from_kinks = [](const Tensors& in) { return away_from_zero(in[0]); };  // relu, leaky_relu at 0
    check(c);
}

INSTANTIATE_TEST_SUITE_P(OpGradient, ActivationGradient,
                         ::testing::Values(ae::Activation::identity, ae::Activation::relu, ae::Activation::leaky_relu,
                                           ae::Activation::sigmoid, ae::Activation::tanh),
                         [](const auto& info) { return std::string(ae::activation_name(info.param)); });

// The reconstruction loss as a function of the logits z (targets t are data): value = scale * sum l(z, t)
// from loss_value, gradient from loss_forward_backward, whose returned sum must agree with loss_value.
OpCase loss_case(ae::Loss loss, ae::Activation out) {
    const double scale = 0.7;
    OpCase c;
    c.name = std::string("loss ") + ae::loss_name(loss) + " with " + ae::activation_name(out) + " output";
    c.inputs = {{"z", 6, 4, -3, 3, Grad::overwrite}, {"t", 6, 4, 0, 1, Grad::none}};
    c.forward = [=](const Tensors& in, Mat&) {
        Mat y(in[0].rows(), in[0].cols());
        ae::activation_forward<double>(out, in[0], y);
        return scale * ae::loss_value<double>(loss, in[0], y, in[1]);
    };
    c.backward = [=](const Tensors& in, const Mat&, const Mat&, Tensors& d) {
        Mat y(in[0].rows(), in[0].cols()), y_ref(in[0].rows(), in[0].cols());
        const double sum = ae::loss_forward_backward<double>(loss, out, in[0], in[1], y, d[0], scale);
        ae::activation_forward<double>(out, in[0], y_ref);
        EXPECT_NEAR(sum, ae::loss_value<double>(loss, in[0], y_ref, in[1]), 1e-12 * std::max(1.0, std::fabs(sum)));
        EXPECT_LT((y - y_ref).cwiseAbs().maxCoeff(), 1e-15);
    };
    return c;
}

TEST(OpGradient, LossBceSigmoid) { check(loss_case(ae::Loss::bce, ae::Activation::sigmoid)); }
TEST(OpGradient, LossMseSigmoid) { check(loss_case(ae::Loss::mse, ae::Activation::sigmoid)); }
TEST(OpGradient, LossMseIdentity) { check(loss_case(ae::Loss::mse, ae::Activation::identity)); }

TEST(OpGradient, SparsityL1) {
    const double scale = 0.3;
    OpCase c;
    c.name = "sparsity l1";
    c.inputs = {{"h", 5, 4, -1, 1, Grad::accumulate}};
    c.forward = [=](const Tensors& in, Mat&) {
        Mat unused = Mat::Zero(in[0].rows(), in[0].cols());
        return scale * ae::sparsity_l1_forward_backward<double>(in[0], unused, scale);
    };
    c.backward = [=](const Tensors& in, const Mat&, const Mat&, Tensors& d) {
        ae::sparsity_l1_forward_backward<double>(in[0], d[0], scale);
    };
    c.away_from_kinks = [](const Tensors& in) { return away_from_zero(in[0]); };  // |h| at 0
    check(c);
}

TEST(OpGradient, SparsityKl) {
    const double scale = 0.3, rho = 0.1;
    OpCase c;
    c.name = "sparsity kl";
    c.inputs = {{"h", 5, 6, 0.02, 0.98, Grad::accumulate}};  // sigmoid codes, rho_hat away from the clamp
    c.forward = [=](const Tensors& in, Mat&) {
        Mat unused = Mat::Zero(in[0].rows(), in[0].cols());
        Eigen::VectorXd rho_hat(in[0].rows());
        return scale * ae::sparsity_kl_forward_backward<double>(in[0], rho, unused, scale, rho_hat);
    };
    c.backward = [=](const Tensors& in, const Mat&, const Mat&, Tensors& d) {
        Eigen::VectorXd rho_hat(in[0].rows());
        ae::sparsity_kl_forward_backward<double>(in[0], rho, d[0], scale, rho_hat);
    };
    check(c);
}

class ContractiveGradient : public ::testing::TestWithParam<ae::Activation> {};

// The one-layer contractive penalty as a function of W and of the pre-activation a (y = f(a) is computed
// from a here, as the encoder does): dW accumulates the direct term, da the term through f'(a).
TEST_P(ContractiveGradient, MatchesCentralDifferences) {
    const ae::Activation f = GetParam();
    const double scale = 0.5;
    const int code = 3, in_f = 4, n = 5;
    OpCase c;
    c.name = std::string("contractive exact, ") + ae::activation_name(f);
    c.inputs = {{"W", code, in_f, -1, 1, Grad::accumulate}, {"a", code, n, -2, 2, Grad::accumulate}};
    auto eval = [=](const Tensors& in, Eigen::Ref<RowD> dW, Eigen::Ref<Mat> da) {
        Mat y(code, n), d1(code, n), d2(code, n);
        ae::activation_forward<double>(f, in[1], y);
        return ae::contractive_exact_forward_backward<double>(f, row_major(in[0]), y, dW, da, scale, d1, d2);
    };
    c.forward = [=](const Tensors& in, Mat&) {
        RowD dW = RowD::Zero(code, in_f);
        Mat da = Mat::Zero(code, n);
        return scale * eval(in, dW, da);
    };
    c.backward = [=](const Tensors& in, const Mat&, const Mat&, Tensors& d) {
        auto dW = row_major(d[0]);
        eval(in, dW, d[1]);
    };
    c.away_from_kinks = [](const Tensors& in) { return away_from_zero(in[1]); };  // relu's f' jumps at 0
    check(c);
}

INSTANTIATE_TEST_SUITE_P(OpGradient, ContractiveGradient,
                         ::testing::Values(ae::Activation::identity, ae::Activation::relu, ae::Activation::leaky_relu,
                                           ae::Activation::sigmoid, ae::Activation::tanh),
                         [](const auto& info) { return std::string(ae::activation_name(info.param)); });

TEST(OpGradient, VaeReparameterize) {
    OpCase c;
    c.name = "vae reparameterize";
    c.inputs = {{"mu", 3, 4, -2, 2, Grad::overwrite},
                {"logvar", 3, 4, -2, 1, Grad::overwrite},
                {"eps", 3, 4, -2, 2, Grad::none}};
    c.out_rows = 3;
    c.out_cols = 4;
    c.forward = [](const Tensors& in, Mat& z) {
        ae::reparameterize<double>(in[0], in[1], in[2], z);
        return 0.0;
    };
    c.backward = [](const Tensors& in, const Mat& z, const Mat& dz, Tensors& d) {
        ae::reparameterize_backward<double>(in[0], z, dz, d[0], d[1]);
    };
    check(c);
}

TEST(OpGradient, VaeGaussianKl) {
    const double scale = 0.8;
    OpCase c;
    c.name = "vae gaussian kl";
    c.inputs = {{"mu", 3, 4, -2, 2, Grad::accumulate}, {"logvar", 3, 4, -2, 1, Grad::accumulate}};
    c.forward = [=](const Tensors& in, Mat&) {
        Mat a = Mat::Zero(3, 4), b = Mat::Zero(3, 4);
        return scale * ae::gaussian_kl_forward_backward<double>(in[0], in[1], a, b, scale);
    };
    c.backward = [=](const Tensors& in, const Mat&, const Mat&, Tensors& d) {
        ae::gaussian_kl_forward_backward<double>(in[0], in[1], d[0], d[1], scale);
    };
    check(c);
}

// The harness itself: a wrong backward, or one that overwrites where it should accumulate, is caught.
TEST(OpGradient, HarnessCatchesWrongGradients) {
    OpCase c;
    c.name = "deliberately wrong";
    c.inputs = {{"x", 3, 2, -1, 1, Grad::overwrite}};
    c.out_rows = 3;
    c.out_cols = 2;
    c.forward = [](const Tensors& in, Mat& y) {
        y = in[0].array().square();
        return 0.0;
    };
    c.backward = [](const Tensors& in, const Mat&, const Mat& dy, Tensors& d) {
        d[0] = 2.001 * in[0].cwiseProduct(dy);  // 0.05% off
    };
    EXPECT_NONFATAL_FAILURE(opcheck::eval_grad(c), "deliberately wrong");

    c.backward = [](const Tensors& in, const Mat&, const Mat& dy, Tensors& d) { d[0] = 2 * in[0].cwiseProduct(dy); };
    EXPECT_LT(opcheck::eval_grad(c).worst, 1e-8);
    c.inputs[0].grad = Grad::accumulate;  // the same backward now forgets the junk already in the buffer
    EXPECT_NONFATAL_FAILURE(opcheck::eval_grad(c), "deliberately wrong");
}

}  // namespace
