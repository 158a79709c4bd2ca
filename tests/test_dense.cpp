// Dense layer: gradients with respect to W, b and x checked against central differences in double
// precision, gradient accumulation, and the threaded split (pools of 2 and 3 threads) against no pool.
//
// Gradient check: L = sum(u .* y), y = W x + b, random u; analytic dW, db, dx from dense_backward against
// (L(p + h) - L(p - h)) / (2h), h = 1e-6, relative error |a - n| / max(1, |a|, |n|) < 1e-7. L is linear
// in each parameter, so there is no truncation error; the rounding error of L (~40 terms of size ~3) is
// ~ 1e-14 / h = 1e-8.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ae/dense.h"
#include "ae/rng.h"
#include "ae/thread_pool.h"

namespace {

using MatD = Eigen::MatrixXd;
using VecD = Eigen::VectorXd;
using RowD = ae::RowMatrixT<double>;

constexpr double kH = 1e-6;
constexpr double kTol = 1e-7;

double rel_err(double a, double n) { return std::fabs(a - n) / std::max({1.0, std::fabs(a), std::fabs(n)}); }

template <class M>
void fill_normal(ae::Rng& rng, M& m, double scale = 1.0) {
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c) m(r, c) = static_cast<typename M::Scalar>(scale * rng.normal());
}

double objective(const RowD& W, const VecD& b, const MatD& x, const MatD& u) {
    MatD y(W.rows(), x.cols());
    ae::dense_forward<double>(W, b, x, y);
    return (u.array() * y.array()).sum();
}

TEST(Dense, ForwardIsAffine) {
    ae::Rng rng(1, 1);
    RowD W(3, 4);
    VecD b(3);
    MatD x(4, 5);
    fill_normal(rng, W);
    fill_normal(rng, b);
    fill_normal(rng, x);
    MatD y(3, 5);
    ae::dense_forward<double>(W, b, x, y);
    for (int j = 0; j < 5; ++j)
        for (int i = 0; i < 3; ++i) {
            double ref = b(i);
            for (int k = 0; k < 4; ++k) ref += W(i, k) * x(k, j);
            EXPECT_NEAR(y(i, j), ref, 1e-14);
        }
}

TEST(Dense, GradientsMatchCentralDifferences) {
    ae::Rng rng(303, 1);
    for (int batch : {1, 4}) {
        const int in = 7, out = 5;
        RowD W(out, in);
        VecD b(out);
        MatD x(in, batch), u(out, batch);
        fill_normal(rng, W);
        fill_normal(rng, b);
        fill_normal(rng, x);
        fill_normal(rng, u);
        RowD dW = RowD::Zero(out, in);
        VecD db = VecD::Zero(out);
        MatD dx(in, batch);
        Eigen::Ref<MatD> dx_ref(dx);
        ae::dense_backward<double>(W, x, u, dW, db, &dx_ref);

        for (int i = 0; i < out; ++i)
            for (int k = 0; k < in; ++k) {
                RowD Wp = W, Wm = W;
                Wp(i, k) += kH;
                Wm(i, k) -= kH;
                const double n = (objective(Wp, b, x, u) - objective(Wm, b, x, u)) / (2 * kH);
                ASSERT_LT(rel_err(dW(i, k), n), kTol) << "dW(" << i << "," << k << ") batch " << batch;
            }
        for (int i = 0; i < out; ++i) {
            VecD bp = b, bm = b;
            bp(i) += kH;
            bm(i) -= kH;
            const double n = (objective(W, bp, x, u) - objective(W, bm, x, u)) / (2 * kH);
            ASSERT_LT(rel_err(db(i), n), kTol) << "db(" << i << ") batch " << batch;
        }
        for (Eigen::Index i = 0; i < x.size(); ++i) {
            MatD xp = x, xm = x;
            xp(i) += kH;
            xm(i) -= kH;
            const double n = (objective(W, b, xp, u) - objective(W, b, xm, u)) / (2 * kH);
            ASSERT_LT(rel_err(dx(i), n), kTol) << "dx(" << i << ") batch " << batch;
        }
    }
}

// dW and db accumulate (+=); dx is overwritten; a null dx skips the input gradient.
TEST(Dense, GradientsAccumulate) {
    ae::Rng rng(5, 5);
    RowD W(4, 6);
    MatD x(6, 3), u(4, 3);
    fill_normal(rng, W);
    fill_normal(rng, x);
    fill_normal(rng, u);
    RowD dW = RowD::Zero(4, 6);
    VecD db = VecD::Zero(4);
    MatD dx = MatD::Constant(6, 3, 123.0);
    Eigen::Ref<MatD> dx_ref(dx);
    ae::dense_backward<double>(W, x, u, dW, db, &dx_ref);
    const RowD dW1 = dW;
    const VecD db1 = db;
    const MatD dx1 = dx;
    EXPECT_LT((dx1 - W.transpose() * u).cwiseAbs().maxCoeff(), 1e-13);
    ae::dense_backward<double>(W, x, u, dW, db, &dx_ref);
    EXPECT_LT((dW - 2 * dW1).cwiseAbs().maxCoeff(), 1e-13);
    EXPECT_LT((db - 2 * db1).cwiseAbs().maxCoeff(), 1e-13);
    EXPECT_LT((dx - dx1).cwiseAbs().maxCoeff(), 1e-13);
    ae::dense_backward<double>(W, x, u, dW, db, nullptr);
    EXPECT_LT((dW - 3 * dW1).cwiseAbs().maxCoeff(), 1e-13);
}

// Threaded forward/backward equal the single-threaded result: columns of y and dx and rows of dW are
// computed by independent blocks, so only GEMM's internal summation order may differ. Tolerance relative
// to the largest entry: 1e-12 in double, 1e-5 in float.
template <typename T>
void check_threads_match(double tol) {
    using Mat = ae::MatrixT<T>;
    using Row = ae::RowMatrixT<T>;
    using Vec = ae::VectorT<T>;
    ae::Rng rng(606, 1);
    const int in = 70, out = 48;  // out = 48: three 16-row blocks for the dW split
    Row W(out, in);
    Vec b(out);
    fill_normal(rng, W, 0.3);
    fill_normal(rng, b);
    ae::ThreadPool pool2(2), pool3(3);
    for (int batch : {1, 17, 64, 300}) {
        SCOPED_TRACE(batch);
        Mat x(in, batch), u(out, batch);
        fill_normal(rng, x);
        fill_normal(rng, u);
        Mat y0(out, batch);
        ae::dense_forward<T>(W, b, x, y0, nullptr);
        Row dW0 = Row::Zero(out, in);
        Vec db0 = Vec::Zero(out);
        Mat dx0(in, batch);
        Eigen::Ref<Mat> dx0_ref(dx0);
        ae::dense_backward<T>(W, x, u, dW0, db0, &dx0_ref, nullptr);
        for (ae::ThreadPool* pool : {&pool2, &pool3}) {
            SCOPED_TRACE(pool->size());
            Mat y(out, batch);
            ae::dense_forward<T>(W, b, x, y, pool);
            Row dW = Row::Zero(out, in);
            Vec db = Vec::Zero(out);
            Mat dx(in, batch);
            Eigen::Ref<Mat> dx_ref(dx);
            ae::dense_backward<T>(W, x, u, dW, db, &dx_ref, pool);
            auto close = [tol](const auto& a, const auto& ref) {
                const double scale = std::max(1.0, double(ref.cwiseAbs().maxCoeff()));
                return double((a - ref).cwiseAbs().maxCoeff()) <= tol * scale;
            };
            EXPECT_TRUE(close(y, y0));
            EXPECT_TRUE(close(dW, dW0));
            EXPECT_TRUE(close(db, db0));
            EXPECT_TRUE(close(dx, dx0));
        }
    }
}

TEST(Dense, ThreadPoolMatchesSingleThreadDouble) { check_threads_match<double>(1e-12); }
TEST(Dense, ThreadPoolMatchesSingleThreadFloat) { check_threads_match<float>(1e-5); }

// The gradients do not depend on where the gradient buffer sits in memory: the model's dW and db are
// maps into one std::vector (16-byte aligned at best), and SIMD code that treats an unaligned head or
// tail differently from the body would make training depend on heap addresses (bit-exact check).
TEST(Dense, GradientsDoNotDependOnBufferAlignment) {
    ae::Rng rng(909, 1);
    const int in = 37, out = 75, batch = 130;
    ae::RowMatrix W(out, in);
    ae::Matrix x(in, batch), dy(out, batch);
    fill_normal(rng, W);
    fill_normal(rng, x);
    fill_normal(rng, dy);
    ae::ThreadPool pool(2);
    for (ae::ThreadPool* p : {static_cast<ae::ThreadPool*>(nullptr), &pool}) {
        std::vector<float> ref_dW, ref_db;
        for (int offset = 0; offset < 16; ++offset) {
            std::vector<float> buf(offset + out * in + out + 16, 0.0f);
            Eigen::Map<ae::RowMatrix> dW(buf.data() + offset, out, in);
            Eigen::Map<ae::Vector> db(buf.data() + offset + out * in, out);
            ae::dense_backward<float>(W, x, dy, dW, db, nullptr, p);
            std::vector<float> gW(dW.data(), dW.data() + out * in), gb(db.data(), db.data() + out);
            if (offset == 0) {
                ref_dW = gW;
                ref_db = gb;
            } else {
                EXPECT_EQ(gW, ref_dW) << "dW at float offset " << offset;
                EXPECT_EQ(gb, ref_db) << "db at float offset " << offset;
            }
        }
    }
}

// Writing into the left columns of a larger buffer (how the model uses its workspace) works with a pool.
TEST(Dense, WritesIntoWorkspaceColumns) {
    ae::Rng rng(8, 8);
    ae::RowMatrix W(40, 30);
    ae::Vector b(40);
    ae::Matrix x(30, 100);
    fill_normal(rng, W);
    fill_normal(rng, b);
    fill_normal(rng, x);
    ae::Matrix ws = ae::Matrix::Constant(40, 128, 7.0f);
    ae::ThreadPool pool(3);
    auto block = ws.leftCols(100);
    ae::dense_forward<float>(W, b, x, block, &pool);
    ae::Matrix ref(40, 100);
    ae::dense_forward<float>(W, b, x, ref, nullptr);
    EXPECT_LT((ws.leftCols(100) - ref).cwiseAbs().maxCoeff(), 1e-4f);
    EXPECT_TRUE((ws.rightCols(28).array() == 7.0f).all());  // untouched beyond the batch
}

}  // namespace
