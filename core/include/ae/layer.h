// x: [in.size(), n] -> y: [out.size(), n]   (every layer; one sample per column)
//
// The layer interface: one module of an encoder or decoder stack (architecture.h plans them), with its
// forward and backward next to each other, as tiny-dnn's layer.h and llm.c's *_forward / *_backward pairs.
// A layer holds only its description (shapes, kernel sizes) and the indices of its tensors in the model's
// one flat ParamStore; values and gradients live there, so a layer object is immutable after construction
// and shared between copies of a model.
//
// Memory layout of a batch: a column-major matrix [features, n]. A feature map [C, H, W] is stored
// channels-last (element (c, y, x) of a sample at (y W + x) C + c), so that a convolution over the whole
// batch is one GEMM; Flatten / Unflatten convert to and from PyTorch's flat C, H, W order (identities when
// C == 1 or H W == 1), so every flat vector (input, code, logits, Dense activations) is in PyTorch's order.
//
// Scratch: forward may keep what backward needs (im2col columns, pool indices) in `scratch`, a buffer of
// scratch_floats(n) floats that the model allocates once per workspace; neither routine allocates.
// Gradients of parameters ACCUMULATE (+=) into ParamStore::grad; dx (may be null: not needed) is overwritten.
#pragma once

#include <memory>
#include <string>

#include "ae/architecture.h"
#include "ae/eigen.h"
#include "ae/init.h"
#include "ae/params.h"
#include "ae/rng.h"
#include "ae/thread_pool.h"

namespace ae {

using ConstMatrixRef = const Eigen::Ref<const Matrix>&;

class Layer {
public:
    explicit Layer(const ModulePlan& plan) : plan_(plan) {}
    virtual ~Layer() = default;

    const ModulePlan& plan() const { return plan_; }
    const std::string& type() const { return plan_.type; }  // the PyTorch module name
    int in_size() const { return static_cast<int>(plan_.in.size()); }
    int out_size() const { return static_cast<int>(plan_.out.size()); }

    // Initialises this layer's parameters from `rng` (init.h; `next` is the activation that follows).
    virtual void init_params(ParamStore& /*p*/, Init /*init*/, Activation /*next*/, Rng& /*rng*/) const {}
    virtual size_t scratch_floats(int /*n*/) const { return 0; }
    // True if y may be x's buffer (forward in place) and dx dy's; such a layer reads only its output in backward.
    virtual bool in_place() const { return false; }
    // True if backward reads y (then the next layer may not overwrite it in place).
    virtual bool backward_reads_output() const { return false; }
    // Multiply-adds of forward per sample (benchmarks report FLOP/s = 2 * this * samples / s).
    virtual double macs_per_sample() const { return 0.0; }

    virtual void forward(const ParamStore& p, ConstMatrixRef x, Eigen::Ref<Matrix> y, float* scratch,
                         ThreadPool* pool) const = 0;
    virtual void backward(ParamStore& p, ConstMatrixRef x, ConstMatrixRef y, ConstMatrixRef dy, Eigen::Ref<Matrix>* dx,
                          float* scratch, ThreadPool* pool) const = 0;

private:
    ModulePlan plan_;
};

// The layer of a planned module; registers its tensors ("<name>.weight", "<name>.bias") in `params`
// (before ParamStore::finalize). Throws ae::Error for a module type the core does not implement.
std::shared_ptr<const Layer> make_layer(const ModulePlan& plan, ParamStore& params);

// The Dense layers' tensor indices, for code that needs the weights (the contractive penalty, Jacobians).
struct DenseTensors {
    int weight = -1, bias = -1;  // W [out, in] row-major, b [out]
};
// The tensors of a Linear layer made by make_layer; ae::Error for other types.
DenseTensors dense_tensors(const Layer& layer);

}  // namespace ae
