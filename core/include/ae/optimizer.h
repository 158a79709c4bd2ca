// First-order optimizers over the flat parameter store (one loop over one buffer).
//   sgd    v = mu v + g;  p -= lr v                       (momentum as in PyTorch's SGD; Polyak 1964)
//          with weight_decay wd: g += wd p first (L2 penalty).
//   adam   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
//          p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)   D. Kingma, J. Ba, ICLR 2015, Alg. 1
//          with weight_decay wd: g += wd p first (L2 penalty, as PyTorch's Adam).
//   adamw  p -= lr wd p (decoupled decay), then the Adam update   I. Loshchilov, F. Hutter, ICLR 2019
// Units: lr is the step size per update; t counts updates from 1.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ae/params.h"
#include "ae/thread_pool.h"

namespace ae {

enum class OptimizerType { sgd, adam, adamw };

const char* optimizer_name(OptimizerType t);
OptimizerType optimizer_from_string(const std::string& s);  // "sgd" | "adam" | "adamw"; ae::Error otherwise

struct OptimizerConfig {
    OptimizerType type = OptimizerType::adam;
    float lr = 1e-3f;
    float momentum = 0.9f;  // sgd
    float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
    float weight_decay = 0.0f;  // adamw: decoupled (PyTorch's default there is 0.01); sgd/adam: L2
};

class Optimizer {
public:
    explicit Optimizer(const OptimizerConfig& config) : config_(config) {}
    // Applies one update to store.values() from store.grads(); sizes its moment buffers on the first
    // call (no allocation afterwards).
    void step(ParamStore& store, ThreadPool* pool = nullptr);
    void reset() { t_ = 0; m_.clear(); v_.clear(); }
    int64_t steps() const { return t_; }
    OptimizerConfig& config() { return config_; }
    const OptimizerConfig& config() const { return config_; }
    // Moment buffers (first/second moments for Adam, velocity in m for SGD), for saving.
    std::vector<float>& first_moment() { return m_; }
    std::vector<float>& second_moment() { return v_; }
    void set_steps(int64_t t) { t_ = t; }
    const std::vector<float>& m() const { return m_; }
    const std::vector<float>& v() const { return v_; }
    // Continues from saved state (model_file.h): t updates done, moments in ParamStore::values() layout
    // (v empty for sgd). The next step() uses them if their size matches the store.
    void restore(int64_t t, std::vector<float> m, std::vector<float> v) {
        t_ = t;
        m_ = std::move(m);
        v_ = std::move(v);
    }

private:
    void update_range(float* p, const float* g, size_t begin, size_t end, double bc1, double bc2);

    OptimizerConfig config_;
    int64_t t_ = 0;
    std::vector<float> m_, v_;
};

}  // namespace ae
