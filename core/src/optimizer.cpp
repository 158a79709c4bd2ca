#include "ae/optimizer.h"

#include <cmath>

#include "ae/eigen.h"
#include "ae/error.h"

namespace ae {

const char* optimizer_name(OptimizerType t) {
    switch (t) {
        case OptimizerType::sgd: return "sgd";
        case OptimizerType::adam: return "adam";
        case OptimizerType::adamw: return "adamw";
    }
    return "?";
}

OptimizerType optimizer_from_string(const std::string& s) {
    if (s == "sgd") return OptimizerType::sgd;
    if (s == "adam") return OptimizerType::adam;
    if (s == "adamw") return OptimizerType::adamw;
    throw Error("unknown optimizer '" + s + "' (expected sgd, adam or adamw)");
}

void Optimizer::update_range(float* p_ptr, const float* g_ptr, size_t begin, size_t end, double bc1,
                             double bc2) {
    const Eigen::Index n = static_cast<Eigen::Index>(end - begin);
    Eigen::Map<Eigen::ArrayXf> p(p_ptr + begin, n), m(m_.data() + begin, n);
    Eigen::Map<const Eigen::ArrayXf> g(g_ptr + begin, n);
    const float lr = config_.lr, wd = config_.weight_decay;
    if (config_.type == OptimizerType::sgd) {
        if (wd != 0.0f) m = config_.momentum * m + g + wd * p;
        else m = config_.momentum * m + g;
        p -= lr * m;
        return;
    }
    Eigen::Map<Eigen::ArrayXf> v(v_.data() + begin, n);
    const float b1 = config_.beta1, b2 = config_.beta2;
    if (config_.type == OptimizerType::adamw) {
        if (wd != 0.0f) p *= 1.0f - lr * wd;
        m = b1 * m + (1.0f - b1) * g;
        v = b2 * v + (1.0f - b2) * g.square();
    } else if (wd != 0.0f) {
        m = b1 * m + (1.0f - b1) * (g + wd * p);
        v = b2 * v + (1.0f - b2) * (g + wd * p).square();
    } else {
        m = b1 * m + (1.0f - b1) * g;
        v = b2 * v + (1.0f - b2) * g.square();
    }
    // p -= lr * (m / bc1) / (sqrt(v / bc2) + eps), arranged as PyTorch does it.
    const float step = static_cast<float>(config_.lr / bc1);
    const float inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2));
    const float eps = config_.eps;
    // A plain loop, which the compiler vectorises with the correctly rounded packet sqrt and division
    // (this file is built with -fno-math-errno and -ffp-contract=off, core/CMakeLists.txt), so every element
    // gets the same result whichever lane or thread computes it. Not Eigen's v.sqrt(): with EIGEN_FAST_MATH
    // (Eigen's default) its AVX/AVX-512 packet sqrt is rsqrt + one Newton step, not correctly rounded, while
    // the scalar head/tail of an unaligned Map uses the exact sqrt, so results depended on heap alignment.
    // (A unaryExpr with std::sqrt kept Eigen from vectorising the expression at all: 27% of B1's time.)
    float* pp = p.data();
    const float* mp = m.data();
    const float* vp = v.data();
    for (Eigen::Index i = 0; i < n; ++i) pp[i] -= step * mp[i] / (std::sqrt(vp[i]) * inv_sqrt_bc2 + eps);
}

void Optimizer::step(ParamStore& store, ThreadPool* pool) {
    const size_t n = store.values().size();
    if (m_.size() != n) {
        m_.assign(n, 0.0f);
        if (config_.type != OptimizerType::sgd) v_.assign(n, 0.0f);
    }
    ++t_;
    double bc1 = 1.0, bc2 = 1.0;
    if (config_.type != OptimizerType::sgd) {
        bc1 = 1.0 - std::pow(static_cast<double>(config_.beta1), static_cast<double>(t_));
        bc2 = 1.0 - std::pow(static_cast<double>(config_.beta2), static_cast<double>(t_));
    }
    float* p = store.values().data();
    const float* g = store.grads().data();
    const int parts = (pool && n >= 65536) ? pool->size() : 1;
    auto task = [&](int i) {
        size_t b = n * i / parts / 16 * 16, e = i + 1 == parts ? n : n * (i + 1) / parts / 16 * 16;
        update_range(p, g, b, e, bc1, bc2);
    };
    if (parts == 1) task(0);
    else pool->run(parts, task);
}

}  // namespace ae
