// Optimizers against updates written out by hand in double precision (3-element parameter, to 1e-6).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ae/error.h"
#include "ae/optimizer.h"
#include "ae/params.h"
#include "ae/thread_pool.h"

namespace {

using ae::OptimizerConfig;
using ae::OptimizerType;

constexpr double kTol = 1e-6;

// A store holding one tensor "p" of 3 values (padded to 16 floats internally).
struct Store3 {
    ae::ParamStore store;
    int t = -1;
    explicit Store3(const double (&p)[3]) {
        t = store.add("p", {3});
        store.finalize();
        for (int i = 0; i < 3; ++i) store.value(t)[i] = static_cast<float>(p[i]);
    }
    void set_grad(const double (&g)[3]) {
        for (int i = 0; i < 3; ++i) store.grad(t)[i] = static_cast<float>(g[i]);
    }
    double value(int i) const { return store.value(t)[i]; }
};

// The parameter and gradients (exactly representable in float, so the hand computation starts from the
// same numbers as the optimizer).
const double kP0[3] = {1.0, -2.0, 0.5};
const double kG1[3] = {0.5, -1.0, 2.0};
const double kG2[3] = {-0.25, 0.75, 1.5};

TEST(Optimizer, NamesRoundTripAndErrors) {
    for (OptimizerType t : {OptimizerType::sgd, OptimizerType::adam, OptimizerType::adamw})
        EXPECT_EQ(ae::optimizer_from_string(ae::optimizer_name(t)), t);
    for (const char* bad : {"", "Adam", "adamx", "rmsprop"}) {
        try {
            ae::optimizer_from_string(bad);
            FAIL() << "expected ae::Error for '" << bad << "'";
        } catch (const ae::Error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("'" + std::string(bad) + "'"), std::string::npos) << msg;
            EXPECT_NE(msg.find("sgd"), std::string::npos) << msg;  // lists the accepted names
        }
    }
}

// Adam (Kingma & Ba, Alg. 1), two steps, no weight decay:
//   m_t = b1 m + (1 - b1) g,  v_t = b2 v + (1 - b2) g^2,
//   p  -= lr * (m_t / (1 - b1^t)) / (sqrt(v_t / (1 - b2^t)) + eps)
TEST(Optimizer, AdamTwoStepsByHand) {
    const double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    OptimizerConfig cfg;
    cfg.type = OptimizerType::adam;
    cfg.lr = float(lr);
    cfg.beta1 = float(b1);
    cfg.beta2 = float(b2);
    cfg.eps = float(eps);
    ae::Optimizer opt(cfg);
    Store3 s(kP0);

    double p[3], m[3] = {0, 0, 0}, v[3] = {0, 0, 0};
    for (int i = 0; i < 3; ++i) p[i] = kP0[i];
    // The float optimizer uses the float-rounded hyperparameters; compute by hand with the same values.
    const double lrf = double(float(lr)), b1f = double(float(b1)), b2f = double(float(b2)), epsf = double(float(eps));

    // Step 1: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2, so p -= lr g / (|g| + eps) = lr sign(g).
    s.set_grad(kG1);
    opt.step(s.store);
    for (int i = 0; i < 3; ++i) {
        m[i] = b1f * m[i] + (1 - b1f) * kG1[i];
        v[i] = b2f * v[i] + (1 - b2f) * kG1[i] * kG1[i];
        const double mh = m[i] / (1 - b1f), vh = v[i] / (1 - b2f);
        p[i] -= lrf * mh / (std::sqrt(vh) + epsf);
    }
    EXPECT_NEAR(p[0], 0.9, 1e-6);  // the closed form of step 1: 1.0 - 0.1 * sign(0.5)
    EXPECT_NEAR(p[1], -1.9, 1e-6);
    EXPECT_NEAR(p[2], 0.4, 1e-6);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(s.value(i), p[i], kTol) << "step 1, element " << i;
    EXPECT_EQ(opt.steps(), 1);

    // Step 2, bias corrections 1 - b1^2 = 0.19 and 1 - b2^2 = 0.001999.
    s.set_grad(kG2);
    opt.step(s.store);
    for (int i = 0; i < 3; ++i) {
        m[i] = b1f * m[i] + (1 - b1f) * kG2[i];
        v[i] = b2f * v[i] + (1 - b2f) * kG2[i] * kG2[i];
        const double mh = m[i] / (1 - b1f * b1f), vh = v[i] / (1 - b2f * b2f);
        p[i] -= lrf * mh / (std::sqrt(vh) + epsf);
    }
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(s.value(i), p[i], kTol) << "step 2, element " << i;
    EXPECT_EQ(opt.steps(), 2);
    // Moments as computed by hand.
    for (int i = 0; i < 3; ++i) {
        EXPECT_NEAR(opt.first_moment()[i], m[i], 1e-7);
        EXPECT_NEAR(opt.second_moment()[i], v[i], 1e-7);
    }
    // Padding after the tensor is neither read into the update nor moved: zero grads keep zeros.
    for (size_t i = 3; i < s.store.values().size(); ++i) EXPECT_EQ(s.store.values()[i], 0.0f);
}

// Adam with weight decay: L2 penalty added to the gradient, g' = g + wd p (PyTorch's Adam).
TEST(Optimizer, AdamL2WeightDecayOneStepByHand) {
    const double lr = 0.01, b1 = 0.8, b2 = 0.99, eps = 1e-6, wd = 0.5;
    OptimizerConfig cfg;
    cfg.type = OptimizerType::adam;
    cfg.lr = float(lr);
    cfg.beta1 = float(b1);
    cfg.beta2 = float(b2);
    cfg.eps = float(eps);
    cfg.weight_decay = float(wd);
    ae::Optimizer opt(cfg);
    Store3 s(kP0);
    s.set_grad(kG1);
    opt.step(s.store);
    for (int i = 0; i < 3; ++i) {
        const double g = kG1[i] + double(float(wd)) * kP0[i];
        const double m = (1 - double(float(b1))) * g, v = (1 - double(float(b2))) * g * g;
        const double mh = m / (1 - double(float(b1))), vh = v / (1 - double(float(b2)));
        const double p = kP0[i] - double(float(lr)) * mh / (std::sqrt(vh) + double(float(eps)));
        EXPECT_NEAR(s.value(i), p, kTol) << "element " << i;
    }
}

// AdamW (Loshchilov & Hutter): decoupled decay p *= 1 - lr wd, then the Adam update. One and two steps.
TEST(Optimizer, AdamWOneAndTwoStepsByHand) {
    const double lr = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
    OptimizerConfig cfg;
    cfg.type = OptimizerType::adamw;
    cfg.lr = float(lr);
    cfg.beta1 = float(b1);
    cfg.beta2 = float(b2);
    cfg.eps = float(eps);
    cfg.weight_decay = float(wd);
    ae::Optimizer opt(cfg);
    Store3 s(kP0);
    const double lrf = double(float(lr)), b1f = double(float(b1)), b2f = double(float(b2)), epsf = double(float(eps)),
                 wdf = double(float(wd));
    double p[3], m[3] = {0, 0, 0}, v[3] = {0, 0, 0};
    for (int i = 0; i < 3; ++i) p[i] = kP0[i];

    s.set_grad(kG1);
    opt.step(s.store);
    // Step 1: p = p (1 - 0.005) - 0.05 sign(g), e.g. 1.0 * 0.995 - 0.05 = 0.945.
    for (int i = 0; i < 3; ++i) {
        p[i] *= 1 - lrf * wdf;
        m[i] = (1 - b1f) * kG1[i];
        v[i] = (1 - b2f) * kG1[i] * kG1[i];
        p[i] -= lrf * (m[i] / (1 - b1f)) / (std::sqrt(v[i] / (1 - b2f)) + epsf);
    }
    EXPECT_NEAR(p[0], 0.945, 1e-6);
    EXPECT_NEAR(p[1], -1.94, 1e-6);   // -2 * 0.995 + 0.05
    EXPECT_NEAR(p[2], 0.4475, 1e-6);  // 0.5 * 0.995 - 0.05
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(s.value(i), p[i], kTol) << "step 1, element " << i;

    s.set_grad(kG2);
    opt.step(s.store);
    for (int i = 0; i < 3; ++i) {
        p[i] *= 1 - lrf * wdf;
        m[i] = b1f * m[i] + (1 - b1f) * kG2[i];
        v[i] = b2f * v[i] + (1 - b2f) * kG2[i] * kG2[i];
        p[i] -= lrf * (m[i] / (1 - b1f * b1f)) / (std::sqrt(v[i] / (1 - b2f * b2f)) + epsf);
    }
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(s.value(i), p[i], kTol) << "step 2, element " << i;
}

// SGD with momentum (PyTorch): v = mu v + g, p -= lr v; two steps, without and with L2 decay.
TEST(Optimizer, SgdMomentumTwoStepsByHand) {
    for (double wd : {0.0, 0.2}) {
        SCOPED_TRACE(wd);
        const double lr = 0.1, mu = 0.9;
        OptimizerConfig cfg;
        cfg.type = OptimizerType::sgd;
        cfg.lr = float(lr);
        cfg.momentum = float(mu);
        cfg.weight_decay = float(wd);
        ae::Optimizer opt(cfg);
        Store3 s(kP0);
        const double lrf = double(float(lr)), muf = double(float(mu)), wdf = double(float(wd));
        double p[3], vel[3] = {0, 0, 0};
        for (int i = 0; i < 3; ++i) p[i] = kP0[i];
        s.set_grad(kG1);
        opt.step(s.store);
        for (int i = 0; i < 3; ++i) {
            vel[i] = muf * vel[i] + kG1[i] + wdf * p[i];
            p[i] -= lrf * vel[i];
        }
        if (wd == 0.0) {  // step 1 without decay: p - lr g
            EXPECT_NEAR(p[0], 0.95, 1e-6);
            EXPECT_NEAR(p[1], -1.9, 1e-6);
            EXPECT_NEAR(p[2], 0.3, 1e-6);
        }
        for (int i = 0; i < 3; ++i) EXPECT_NEAR(s.value(i), p[i], kTol) << "step 1, element " << i;
        s.set_grad(kG2);
        opt.step(s.store);
        for (int i = 0; i < 3; ++i) {
            vel[i] = muf * vel[i] + kG2[i] + wdf * p[i];
            p[i] -= lrf * vel[i];
        }
        if (wd == 0.0) {  // step 2: v = 0.9 * 0.5 - 0.25 = 0.2, p = 0.95 - 0.02 = 0.93
            EXPECT_NEAR(p[0], 0.93, 1e-6);
        }
        for (int i = 0; i < 3; ++i) EXPECT_NEAR(s.value(i), p[i], kTol) << "step 2, element " << i;
        for (int i = 0; i < 3; ++i) EXPECT_NEAR(opt.first_moment()[i], vel[i], 1e-6);
    }
}

TEST(Optimizer, ResetStartsOver) {
    OptimizerConfig cfg;
    cfg.lr = 0.1f;
    ae::Optimizer a(cfg), b(cfg);
    Store3 sa(kP0), sb(kP0);
    sa.set_grad(kG1);
    a.step(sa.store);
    a.reset();
    EXPECT_EQ(a.steps(), 0);
    for (int i = 0; i < 3; ++i) sa.store.value(sa.t)[i] = float(kP0[i]);
    sa.set_grad(kG2);
    sb.set_grad(kG2);
    a.step(sa.store);
    b.step(sb.store);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(sa.value(i), sb.value(i));
}

// The threaded update (split into 16-float aligned ranges for >= 65536 values) equals the serial one.
TEST(Optimizer, ThreadedUpdateMatchesSerial) {
    for (OptimizerType type : {OptimizerType::sgd, OptimizerType::adam, OptimizerType::adamw}) {
        OptimizerConfig cfg;
        cfg.type = type;
        cfg.lr = 0.01f;
        cfg.weight_decay = 0.01f;
        ae::ParamStore a, b;
        a.add("w", {317, 331});
        b.add("w", {317, 331});
        a.finalize();
        b.finalize();
        for (size_t i = 0; i < a.values().size(); ++i) {
            a.values()[i] = b.values()[i] = std::sin(0.1f * float(i));
            a.grads()[i] = b.grads()[i] = std::cos(0.37f * float(i));
        }
        ae::Optimizer oa(cfg), ob(cfg);
        ae::ThreadPool pool(3);
        for (int k = 0; k < 3; ++k) {
            oa.step(a, nullptr);
            ob.step(b, &pool);
        }
        EXPECT_EQ(a.values(), b.values()) << ae::optimizer_name(type);
    }
}

}  // namespace
