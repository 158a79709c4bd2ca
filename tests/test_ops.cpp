// Every op of the core through the one gradient-check harness (op_gradcheck.h): the convolutional kernels
// (Conv2d, ConvTranspose2d, MaxPool2d, Upsample, the HWC <-> CHW permutations) and the existing ops (Dense,
// activations, losses, penalties, VAE pieces). Plus, for the convolutional kernels: forward against a naive
// direct-loop reference written here in double, bitwise equality of 1, 2 and 3 threads in float, and geometry
// and shape errors.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
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
TEST(OpGradient, Conv2d_2to2_k2_s1_p3_2x3_WindowsInThePadding) { check(conv2d_case(conv(2, 2, 2, 1, 3, 2, 3), 2)); }
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

// ---------------------------------------------------------------------------------------------------------
// Forward against naive direct loops (the textbook definitions, PyTorch's semantics, in double). A map element
// (c, y, x) of sample s is x((y W + x) C + c, s); weights are flat PyTorch tensors.

Mat random_mat(ae::Rng& rng, Eigen::Index r, Eigen::Index c) {
    Mat m(r, c);
    opcheck::fill_uniform(rng, m, -1, 1);
    return m;
}

Mat conv2d_reference(const ae::Conv2dGeometry& g, const Mat& Wflat, const Mat& b, const Mat& x) {
    const int Ci = g.in_c, Co = g.out_c, k = g.kernel, Ho = g.out_h(), Wo = g.out_w();
    Mat y(g.out_size(), x.cols());
    for (Eigen::Index s = 0; s < x.cols(); ++s)
        for (int co = 0; co < Co; ++co)
            for (int oy = 0; oy < Ho; ++oy)
                for (int ox = 0; ox < Wo; ++ox) {
                    double sum = b(co);
                    for (int ci = 0; ci < Ci; ++ci)
                        for (int ky = 0; ky < k; ++ky)
                            for (int kx = 0; kx < k; ++kx) {
                                const int iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx;
                                if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                                sum += Wflat.data()[((co * Ci + ci) * k + ky) * k + kx] *
                                       x((iy * g.in_w + ix) * Ci + ci, s);
                            }
                    y((oy * Wo + ox) * Co + co, s) = sum;
                }
    return y;
}

// ConvTranspose2d by its definition: every input element scatters W(ci, co, :, :) x into the output.
Mat conv_transpose2d_reference(const ae::ConvTranspose2dGeometry& g, const Mat& Wflat, const Mat& b, const Mat& x) {
    const int Ci = g.in_c, Co = g.out_c, k = g.kernel, Ho = g.out_h(), Wo = g.out_w();
    Mat y(g.out_size(), x.cols());
    for (Eigen::Index s = 0; s < x.cols(); ++s) {
        for (int q = 0; q < Ho * Wo; ++q)
            for (int co = 0; co < Co; ++co) y(q * Co + co, s) = b(co);
        for (int ci = 0; ci < Ci; ++ci)
            for (int iy = 0; iy < g.in_h; ++iy)
                for (int ix = 0; ix < g.in_w; ++ix)
                    for (int co = 0; co < Co; ++co)
                        for (int ky = 0; ky < k; ++ky)
                            for (int kx = 0; kx < k; ++kx) {
                                const int oy = iy * g.stride - g.padding + ky, ox = ix * g.stride - g.padding + kx;
                                if (oy < 0 || oy >= Ho || ox < 0 || ox >= Wo) continue;
                                y((oy * Wo + ox) * Co + co, s) += Wflat.data()[((ci * Co + co) * k + ky) * k + kx] *
                                                                   x((iy * g.in_w + ix) * Ci + ci, s);
                            }
    }
    return y;
}

TEST(OpReference, Conv2dMatchesDirectLoops) {
    ae::Rng rng(5, 1);
    for (const ae::Conv2dGeometry& g : {conv(1, 3, 3, 1, 0, 7, 7), conv(2, 4, 3, 1, 1, 5, 9), conv(3, 2, 4, 2, 1, 7, 7),
                                        conv(2, 3, 5, 2, 2, 9, 6), conv(4, 2, 1, 1, 0, 3, 5), conv(1, 32, 4, 2, 1, 28, 28),
                                        conv(3, 5, 3, 3, 0, 10, 8), conv(2, 2, 5, 1, 0, 5, 5),
                                        conv(2, 3, 1, 1, 2, 3, 4), conv(3, 2, 2, 1, 3, 2, 2)}) {  // windows in the padding
        const int n = 3;
        Mat W = random_mat(rng, g.out_c, g.patch_size()), b = random_mat(rng, g.out_c, 1),
            x = random_mat(rng, g.in_size(), n), y(g.out_size(), n);
        Eigen::VectorXd scratch(ae::conv2d_scratch_size(g, n));
        ae::conv2d_forward<double>(g, row_major(W), as_vector(b), x, y, scratch);
        EXPECT_LT((y - conv2d_reference(g, W, b, x)).cwiseAbs().maxCoeff(), 1e-12)
            << conv_name("Conv2d", g.in_c, g.out_c, g.kernel, g.stride, g.padding, g.in_h, g.in_w);
    }
}

TEST(OpReference, ConvTranspose2dMatchesDirectLoops) {
    ae::Rng rng(6, 1);
    for (const ae::ConvTranspose2dGeometry& g :
         {convt(3, 1, 3, 1, 0, 0, 5, 5), convt(2, 3, 4, 2, 1, 0, 4, 5), convt(2, 2, 3, 2, 1, 1, 3, 4),
          convt(1, 2, 5, 3, 2, 2, 3, 3), convt(2, 3, 1, 1, 0, 0, 5, 9), convt(3, 2, 2, 2, 0, 0, 3, 5),
          convt(64, 32, 4, 2, 1, 0, 7, 7), convt(4, 2, 5, 2, 2, 1, 4, 3), convt(2, 2, 3, 1, 1, 0, 6, 2)}) {
        const int n = 2;
        Mat W = random_mat(rng, g.in_c, g.patch_size()), b = random_mat(rng, g.out_c, 1),
            x = random_mat(rng, g.in_size(), n), y(g.out_size(), n);
        Eigen::VectorXd scratch(ae::conv_transpose2d_scratch_size(g, n));
        ae::conv_transpose2d_forward<double>(g, row_major(W), as_vector(b), x, y, scratch);
        EXPECT_LT((y - conv_transpose2d_reference(g, W, b, x)).cwiseAbs().maxCoeff(), 1e-12)
            << conv_name("ConvTranspose2d", g.in_c, g.out_c, g.kernel, g.stride, g.padding, g.in_h, g.in_w,
                         g.output_padding);
    }
}

TEST(OpReference, ConvTranspose2dIsTheAdjointOfConv2d) {
    // <conv(u), v> = <u, convT(v)> for the matching geometries and no bias: the pair the decoder relies on.
    ae::Rng rng(7, 1);
    const ae::ConvTranspose2dGeometry t = convt(3, 2, 4, 2, 1, 1, 4, 5);
    const ae::Conv2dGeometry c = t.conv_view();
    ASSERT_EQ(c.out_h(), t.in_h);
    ASSERT_EQ(c.out_w(), t.in_w);
    Mat W = random_mat(rng, t.in_c, t.patch_size()), u = random_mat(rng, c.in_size(), 2),
        v = random_mat(rng, t.in_size(), 2);
    Mat cu(c.out_size(), 2), tv(t.out_size(), 2);
    Eigen::VectorXd s1(ae::conv2d_scratch_size(c, 2)), s2(ae::conv_transpose2d_scratch_size(t, 2));
    ae::conv2d_forward<double>(c, row_major(W), Eigen::VectorXd::Zero(c.out_c), u, cu, s1);
    ae::conv_transpose2d_forward<double>(t, row_major(W), Eigen::VectorXd::Zero(t.out_c), v, tv, s2);
    EXPECT_NEAR((cu.array() * v.array()).sum(), (u.array() * tv.array()).sum(), 1e-12);
}

// Golden values from PyTorch 1.13 (float64): weights, biases and the CHW input filled with sin(a i + b) in
// their flat PyTorch order, x brought to HWC with chw_to_hwc, y brought back with hwc_to_chw:
//   c = nn.Conv2d(2, 2, 3, 2, 1); t = nn.ConvTranspose2d(2, 3, 3, 2, 1, output_padding=1)
//   weight: sin(0.37 i + 0.1), bias: sin(1.3 i + 0.2), x: sin(0.23 i + 0.3), x of shape [1, 2, 4, 5] / [1, 2, 2, 3]
Mat sin_fill(Eigen::Index rows, Eigen::Index cols, double a, double b) {
    Mat m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = std::sin(a * double(i) + b);
    return m;
}

TEST(OpReference, MatchesPyTorch) {
    {
        const ae::Conv2dGeometry g = conv(2, 2, 3, 2, 1, 4, 5);
        const Mat W = sin_fill(2, 18, 0.37, 0.1), b = sin_fill(2, 1, 1.3, 0.2), x_chw = sin_fill(40, 1, 0.23, 0.3);
        Mat x(40, 1), y(g.out_size(), 1), y_chw(g.out_size(), 1);
        ae::chw_to_hwc<double>(2, 4, 5, x_chw, x);
        Eigen::VectorXd scratch(ae::conv2d_scratch_size(g, 1));
        ae::conv2d_forward<double>(g, row_major(W), as_vector(b), x, y, scratch);
        ae::hwc_to_chw<double>(2, 2, 3, y, y_chw);
        const std::vector<double> torch = {3.2718669456,  5.55695027106,  3.48266357684,  0.326991100544,
                                           -3.19198661314, -3.75667924356, 2.75694802425,  5.17307676976,
                                           4.0787439064,  2.99661845832,  0.241343680062, -1.75643402814};
        ASSERT_EQ(y_chw.size(), Eigen::Index(torch.size()));
        for (size_t i = 0; i < torch.size(); ++i) EXPECT_NEAR(y_chw(i), torch[i], 1e-10) << "Conv2d [" << i << "]";
    }
    {
        const ae::ConvTranspose2dGeometry g = convt(2, 3, 3, 2, 1, 1, 2, 3);
        ASSERT_EQ(g.out_h(), 4);
        ASSERT_EQ(g.out_w(), 6);
        const Mat W = sin_fill(2, 27, 0.37, 0.1), b = sin_fill(3, 1, 1.3, 0.2), x_chw = sin_fill(12, 1, 0.23, 0.3);
        Mat x(12, 1), y(g.out_size(), 1), y_chw(g.out_size(), 1);
        ae::chw_to_hwc<double>(2, 2, 3, x_chw, x);
        Eigen::VectorXd scratch(ae::conv_transpose2d_scratch_size(g, 1));
        ae::conv_transpose2d_forward<double>(g, row_major(W), as_vector(b), x, y, scratch);
        ae::hwc_to_chw<double>(3, 4, 6, y, y_chw);
        const std::vector<double> torch = {
            -0.340326701984, -0.559919650514, -0.08748819764,  -0.0647418868983, 0.180421425344,  0.344868559677,
            0.219326480398,  0.526392740861,  0.508194520653,  1.06995031645,    0.780760732736,  1.08333233835,
            0.449292114596,  0.940422751565,  0.704963201066,  1.39747040932,    0.933969201954,  0.941142924616,
            0.642571150735,  1.14795980944,   0.666941561244,  1.16407070076,    0.666649379859,  0.422133526016,
            1.42630136813,   1.54303380431,   1.18349165474,   1.07062485643,    0.930886015766,  0.773833706146,
            0.769069104419,  0.277510254944,  0.495612350586,  -0.226405153215,  0.248588354935,  0.00278129671927,
            0.681788485451,  0.139335633476,  0.449318335727,  -0.270496236522,  0.245719120786,  0.290468739645,
            0.572580594031,  0.131841640112,  0.599837454353,  0.210088589284,   0.648037827431,  0.912461997758,
            0.0315479271595, 0.0218074499202, 0.255735219608,  0.454727873272,   0.484096542792,  0.628195562102,
            0.76309821392,   1.42175218172,   1.01146537758,   1.86819062291,    1.22420437304,   1.4045471705,
            0.704604742949,  1.27918107594,   0.905646268399,  1.62729220531,    1.0766328229,    0.981543661051,
            0.725876355105,  1.08636677403,   0.647956910945,  0.916531335389,   0.553554275341,  0.278580407048};
        ASSERT_EQ(y_chw.size(), Eigen::Index(torch.size()));
        for (size_t i = 0; i < torch.size(); ++i)
            EXPECT_NEAR(y_chw(i), torch[i], 1e-10) << "ConvTranspose2d [" << i << "]";
    }
}

TEST(OpReference, MaxPool2dMatchesDirectLoopsAndFloors) {
    ae::Rng rng(8, 1);
    for (const ae::MaxPool2dGeometry& g :
         {ae::MaxPool2dGeometry{2, 7, 7, 2}, ae::MaxPool2dGeometry{3, 8, 7, 3}, ae::MaxPool2dGeometry{1, 5, 9, 4}}) {
        const int n = 2;
        Mat x = random_mat(rng, g.in_size(), n), y(g.out_size(), n);
        ae::IndexVector argmax(ae::maxpool2d_index_size(g, n));
        ae::maxpool2d_forward<double>(g, x, y, argmax);
        EXPECT_EQ(g.out_h(), g.in_h / g.kernel);
        for (int s = 0; s < n; ++s)
            for (int c = 0; c < g.channels; ++c)
                for (int oy = 0; oy < g.out_h(); ++oy)
                    for (int ox = 0; ox < g.out_w(); ++ox) {
                        double best = -1e300;
                        for (int ky = 0; ky < g.kernel; ++ky)
                            for (int kx = 0; kx < g.kernel; ++kx)
                                best = std::max(best, x(((oy * g.kernel + ky) * g.in_w + ox * g.kernel + kx) *
                                                            g.channels + c, s));
                        const Eigen::Index o = (oy * g.out_w() + ox) * g.channels + c;
                        EXPECT_EQ(y(o, s), best);
                        EXPECT_EQ(x(argmax(s * g.out_size() + o), s), best);
                    }
    }
}

TEST(OpReference, MaxPool2dTiesGoToTheFirstMaximumAndNaNPropagates) {
    const ae::MaxPool2dGeometry g{2, 4, 4, 2};
    Mat x = Mat::Zero(g.in_size(), 1), y(g.out_size(), 1), dx(g.in_size(), 1);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    x((0 * 4 + 3) * 2 + 1, 0) = nan;  // channel 1, window (0, 1): NaNs at (0, 3) and (1, 3); the last one wins,
    x((1 * 4 + 3) * 2 + 1, 0) = nan;  // as in PyTorch's CPU kernel (if (v > max || isnan(v)) take v)
    ae::IndexVector argmax(ae::maxpool2d_index_size(g, 1));
    ae::maxpool2d_forward<double>(g, x, y, argmax);
    for (int oy = 0; oy < 2; ++oy)
        for (int ox = 0; ox < 2; ++ox)
            for (int c = 0; c < 2; ++c) {
                const int o = (oy * 2 + ox) * 2 + c;
                if (c == 1 && oy == 0 && ox == 1) {
                    EXPECT_TRUE(std::isnan(y(o, 0)));
                    EXPECT_EQ(argmax(o), (1 * 4 + 3) * 2 + 1);
                } else {
                    EXPECT_EQ(argmax(o), ((2 * oy) * 4 + 2 * ox) * 2 + c) << "tie: first element of the window";
                }
            }
    Mat dy = Mat::Ones(g.out_size(), 1);
    ae::maxpool2d_backward<double>(g, argmax, dy, dx);
    EXPECT_EQ(dx.sum(), g.out_size());
    EXPECT_EQ(dx(0, 0), 1.0);
    EXPECT_EQ(dx(2, 0), 0.0);  // (0, 1) channel 0: not the first of its window
}

TEST(OpReference, UpsampleMatchesDirectLoops) {
    ae::Rng rng(9, 1);
    for (const ae::UpsampleGeometry& g : {ae::UpsampleGeometry{2, 3, 4, 2}, ae::UpsampleGeometry{3, 2, 5, 3}}) {
        Mat x = random_mat(rng, g.in_size(), 2), y(g.out_size(), 2);
        ae::upsample_nearest_forward<double>(g, x, y);
        for (int s = 0; s < 2; ++s)
            for (int oy = 0; oy < g.out_h(); ++oy)
                for (int ox = 0; ox < g.out_w(); ++ox)
                    for (int c = 0; c < g.channels; ++c)
                        EXPECT_EQ(y((oy * g.out_w() + ox) * g.channels + c, s),
                                  x(((oy / g.scale) * g.in_w + ox / g.scale) * g.channels + c, s));
    }
}

TEST(OpReference, ReshapesPermuteAsFlattenAndUnflatten) {
    // C = 2, H = 1, W = 3: HWC memory a0 b0 a1 b1 a2 b2 (channels a, b) flattens to CHW a0 a1 a2 b0 b1 b2.
    Mat hwc(6, 1), chw(6, 1), back(6, 1);
    hwc << 10, 20, 11, 21, 12, 22;
    ae::hwc_to_chw<double>(2, 1, 3, hwc, chw);
    Mat expect(6, 1);
    expect << 10, 11, 12, 20, 21, 22;
    EXPECT_EQ(chw, expect);
    ae::chw_to_hwc<double>(2, 1, 3, chw, back);
    EXPECT_EQ(back, hwc);
    // Identities when C == 1 or H W == 1.
    ae::Rng rng(10, 1);
    Mat x = random_mat(rng, 12, 2), y(12, 2);
    ae::hwc_to_chw<double>(1, 3, 4, x, y);
    EXPECT_EQ(x, y);
    ae::hwc_to_chw<double>(12, 1, 1, x, y);
    EXPECT_EQ(x, y);
}

// ---------------------------------------------------------------------------------------------------------
// Threads: 1, 2 and 3 threads give the same bits (float, the training type).

ae::Matrix random_float(ae::Rng& rng, Eigen::Index r, Eigen::Index c) {
    ae::Matrix m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = 2 * rng.uniform() - 1;
    return m;
}

template <class A, class B>
bool same_bits(const A& a, const B& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

struct ConvOutputs {
    ae::Matrix y, dx;
    ae::RowMatrix dW;
    ae::Vector db;
};

template <class G, class Fwd, class Bwd>
ConvOutputs run_conv(const G& g, int n, ae::ThreadPool* pool, Eigen::Index w_rows, Eigen::Index scratch_size, Fwd fwd,
                     Bwd bwd) {
    ae::Rng rng(21, 3);
    ae::RowMatrix W = random_float(rng, w_rows, g.weight_size() / w_rows);
    ae::Vector b = random_float(rng, g.out_c, 1);
    ae::Matrix x = random_float(rng, g.in_size(), n), dy = random_float(rng, g.out_size(), n);
    ConvOutputs o{ae::Matrix(g.out_size(), n), ae::Matrix(g.in_size(), n), ae::RowMatrix(W.rows(), W.cols()),
                  ae::Vector(g.out_c)};
    o.dW.setConstant(0.25f);  // accumulate onto something
    o.db.setConstant(-0.5f);
    ae::Vector scratch(scratch_size);
    fwd(g, W, b, x, o.y, scratch, pool);
    Eigen::Ref<ae::Matrix> dx(o.dx);
    bwd(g, W, x, dy, o.dW, o.db, &dx, scratch, pool);
    return o;
}

void expect_same(const ConvOutputs& a, const ConvOutputs& b, const std::string& what) {
    EXPECT_TRUE(same_bits(a.y, b.y)) << what << ": y";
    EXPECT_TRUE(same_bits(a.dW, b.dW)) << what << ": dW";
    EXPECT_TRUE(same_bits(a.db, b.db)) << what << ": db";
    EXPECT_TRUE(same_bits(a.dx, b.dx)) << what << ": dx";
}

TEST(OpThreads, Conv2dBitwiseIdenticalFor1To3Threads) {
    ae::ThreadPool pool2(2), pool3(3);
    for (const ae::Conv2dGeometry& g : {conv(1, 32, 4, 2, 1, 28, 28), conv(32, 64, 4, 2, 1, 14, 14),
                                        conv(3, 5, 3, 1, 1, 9, 7), conv(2, 17, 5, 2, 0, 11, 13),
                                        conv(3, 40, 3, 1, 1, 8, 8)})  // 40 rows: a 32 + 8 split
        for (int n : {16, 13}) {
            auto run = [&](ae::ThreadPool* p) {
                return run_conv(g, n, p, g.out_c, ae::conv2d_scratch_size(g, n), ae::conv2d_forward<float>,
                                ae::conv2d_backward<float>);
            };
            const ConvOutputs one = run(nullptr);
            const std::string what = conv_name("Conv2d", g.in_c, g.out_c, g.kernel, g.stride, g.padding, g.in_h,
                                               g.in_w) + " n " + std::to_string(n);
            expect_same(one, run(&pool2), what + ", 2 threads");
            expect_same(one, run(&pool3), what + ", 3 threads");
        }
}

TEST(OpThreads, ConvTranspose2dBitwiseIdenticalFor1To3Threads) {
    ae::ThreadPool pool2(2), pool3(3);
    for (const ae::ConvTranspose2dGeometry& g : {convt(64, 32, 4, 2, 1, 0, 7, 7), convt(32, 1, 4, 2, 1, 0, 14, 14),
                                                 convt(3, 5, 3, 2, 1, 1, 9, 7), convt(17, 2, 5, 3, 0, 2, 6, 5),
                                                 convt(40, 40, 3, 2, 1, 1, 4, 4)})
        for (int n : {16, 13}) {
            auto run = [&](ae::ThreadPool* p) {
                return run_conv(g, n, p, g.in_c, ae::conv_transpose2d_scratch_size(g, n),
                                ae::conv_transpose2d_forward<float>, ae::conv_transpose2d_backward<float>);
            };
            const ConvOutputs one = run(nullptr);
            const std::string what = conv_name("ConvTranspose2d", g.in_c, g.out_c, g.kernel, g.stride, g.padding,
                                               g.in_h, g.in_w, g.output_padding) + " n " + std::to_string(n);
            expect_same(one, run(&pool2), what + ", 2 threads");
            expect_same(one, run(&pool3), what + ", 3 threads");
        }
}

TEST(OpThreads, PoolAndUpsampleBitwiseIdenticalFor1To3Threads) {
    ae::ThreadPool pool2(2), pool3(3);
    ae::Rng rng(22, 3);
    const ae::MaxPool2dGeometry pg{16, 14, 13, 2};
    const ae::UpsampleGeometry ug{16, 7, 6, 2};
    const int n = 13;
    const ae::Matrix x = random_float(rng, pg.in_size(), n), dy = random_float(rng, pg.out_size(), n);
    const ae::Matrix ux = random_float(rng, ug.in_size(), n), udy = random_float(rng, ug.out_size(), n);
    auto run = [&](ae::ThreadPool* p) {
        std::vector<ae::Matrix> out = {ae::Matrix(pg.out_size(), n), ae::Matrix(pg.in_size(), n),
                                       ae::Matrix(ug.out_size(), n), ae::Matrix(ug.in_size(), n)};
        ae::IndexVector argmax(ae::maxpool2d_index_size(pg, n));
        ae::maxpool2d_forward<float>(pg, x, out[0], argmax, p);
        ae::maxpool2d_backward<float>(pg, argmax, dy, out[1], p);
        ae::upsample_nearest_forward<float>(ug, ux, out[2], p);
        ae::upsample_nearest_backward<float>(ug, udy, out[3], p);
        return out;
    };
    const auto one = run(nullptr);
    for (ae::ThreadPool* p : {&pool2, &pool3}) {
        const auto many = run(p);
        for (size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(same_bits(one[i], many[i])) << "output " << i;
    }
}

// ---------------------------------------------------------------------------------------------------------
// Geometry and shape errors: ae::Error with the sizes in the message.

void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
    try {
        f();
        ADD_FAILURE() << "no ae::Error thrown (expected one mentioning '" << parts[0] << "')";
    } catch (const ae::Error& e) {
        const std::string m = e.what();
        for (const std::string& p : parts) EXPECT_NE(m.find(p), std::string::npos) << "'" << p << "' not in: " << m;
    }
}

TEST(OpErrors, GeometriesAreValidated) {
    expect_error([] { ae::conv2d_check(conv(1, 4, 5, 1, 0, 3, 3), "encoder conv 1"); },
                 {"encoder conv 1", "kernel 5", "larger than the padded input 3x3"});
    expect_error([] { ae::conv2d_check(conv(1, 4, 5, 1, 0, 3, 9), "enc"); }, {"kernel 5", "padded input 3x9 (3x9 + 2*0)"});
    ae::conv2d_check(conv(1, 4, 5, 1, 1, 3, 3), "ok");  // 3 + 2 = 5: one output
    expect_error([] { ae::conv2d_check(conv(1, 4, 3, 0, 0, 8, 8), "enc"); }, {"stride must be >= 1"});
    expect_error([] { ae::conv2d_check(conv(0, 4, 3, 1, 0, 8, 8), "enc"); }, {"channel"});
    expect_error([] { ae::conv2d_check(conv(1, 4, 3, 1, -1, 8, 8), "enc"); }, {"padding"});
    expect_error([] { ae::conv_transpose2d_check(convt(4, 2, 4, 2, 1, 2, 7, 7), "decoder deconv 2"); },
                 {"decoder deconv 2", "output_padding 2", "smaller than stride 2"});
    expect_error([] { ae::conv_transpose2d_check(convt(4, 2, 3, 1, 1, 1, 7, 7), "dec"); }, {"output_padding 1"});
    expect_error([] { ae::conv_transpose2d_check(convt(4, 2, 1, 1, 2, 0, 2, 2), "dec"); }, {"output", "empty"});
    ae::conv_transpose2d_check(convt(4, 2, 4, 2, 1, 1, 7, 7), "ok");
    expect_error([] { ae::maxpool2d_check({2, 3, 5, 4}, "pool"); }, {"pool", "kernel 4", "larger than the input 3x5"});
    expect_error([] { ae::upsample_check({2, 3, 5, 0}, "up"); }, {"up", "scale 0"});
}

TEST(OpErrors, ShapesAndScratchAreChecked) {
    const ae::Conv2dGeometry g = conv(2, 3, 3, 1, 1, 5, 5);
    Mat W(3, 18), b(3, 1), x(50, 2), y(75, 2), bad_x(49, 2);
    Eigen::VectorXd scratch(ae::conv2d_scratch_size(g, 2)), small(10);
    W.setZero();
    b.setZero();
    x.setZero();
    expect_error([&] { ae::conv2d_forward<double>(g, row_major(W), as_vector(b), bad_x, y, scratch); },
                 {"conv2d_forward", "x is [49, 2], expected [50, 2]"});
    expect_error([&] { ae::conv2d_forward<double>(g, row_major(W), as_vector(b), x, y, small); },
                 {"scratch has 10 elements, needs " + std::to_string(scratch.size())});
    Mat W_bad(3, 9);
    expect_error([&] { ae::conv2d_forward<double>(g, row_major(W_bad), as_vector(b), x, y, scratch); },
                 {"W is [3, 9], expected [3, 18]"});
    Mat big(80, 2);  // a block of rows is not a contiguous batch
    big.setZero();
    expect_error([&] { ae::conv2d_forward<double>(g, row_major(W), as_vector(b), big.topRows(50), y, scratch); },
                 {"x must be contiguous"});
    const ae::ConvTranspose2dGeometry t = convt(2, 3, 4, 2, 1, 1, 3, 3);
    Mat Wt(2, 48), yt(t.out_size() + 1, 2), xt(t.in_size(), 2);
    Eigen::VectorXd st(ae::conv_transpose2d_scratch_size(t, 2));
    expect_error([&] { ae::conv_transpose2d_forward<double>(t, row_major(Wt), as_vector(b), xt, yt, st); },
                 {"conv_transpose2d_forward", "y is [" + std::to_string(t.out_size() + 1)});
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
