// The layer kinds behind the Layer interface: thin wrappers over each kind's forward/backward pair
// (dense.h, activation.h, conv2d.h, conv_transpose2d.h, pool.h, upsample.h, reshape.h).
#include "ae/dense.h"  // first: em++ mangles Eigen Ref templates by include order (TOOLCHAIN.md)

#include "ae/layer.h"

#include "ae/activation.h"
#include "ae/conv2d.h"
#include "ae/conv_transpose2d.h"
#include "ae/error.h"
#include "ae/pool.h"
#include "ae/reshape.h"
#include "ae/upsample.h"

namespace ae {

namespace {

// nn.Linear: y = W x + b (dense.h).
class DenseLayer final : public Layer {
public:
    DenseLayer(const ModulePlan& plan, ParamStore& p) : Layer(plan) {
        t_.weight = p.add(plan.name + ".weight", {out_size(), in_size()});
        t_.bias = p.add(plan.name + ".bias", {out_size()});
    }
    const DenseTensors& tensors() const { return t_; }
    void init_params(ParamStore& p, Init init, Activation next, Rng& rng) const override {
        init_dense(init, next, rng, W(p), b(p));
    }
    double macs_per_sample() const override { return static_cast<double>(in_size()) * out_size(); }
    void forward(const ParamStore& p, ConstMatrixRef x, Eigen::Ref<Matrix> y, float*, ThreadPool* pool) const override {
        dense_forward<float>(W(p), b(p), x, y, pool);
    }
    void backward(ParamStore& p, ConstMatrixRef x, ConstMatrixRef, ConstMatrixRef dy, Eigen::Ref<Matrix>* dx, float*,
                  ThreadPool* pool) const override {
        Eigen::Map<RowMatrix> dW(p.grad(t_.weight), out_size(), in_size());
        Eigen::Map<Vector> db(p.grad(t_.bias), out_size());
        dense_backward<float>(W(p), x, dy, dW, db, dx, pool);
    }

private:
    Eigen::Map<const RowMatrix> W(const ParamStore& p) const {
        return Eigen::Map<const RowMatrix>(p.value(t_.weight), out_size(), in_size());
    }
    Eigen::Map<const Vector> b(const ParamStore& p) const {
        return Eigen::Map<const Vector>(p.value(t_.bias), out_size());
    }
    Eigen::Map<RowMatrix> W(ParamStore& p) const { return Eigen::Map<RowMatrix>(p.value(t_.weight), out_size(), in_size()); }
    Eigen::Map<Vector> b(ParamStore& p) const { return Eigen::Map<Vector>(p.value(t_.bias), out_size()); }
    DenseTensors t_;
};

// Element-wise activation (activation.h), in place; backward from the output.
class ActivationLayer final : public Layer {
public:
    using Layer::Layer;
    bool in_place() const override { return true; }
    bool backward_reads_output() const override { return true; }
    void forward(const ParamStore&, ConstMatrixRef x, Eigen::Ref<Matrix> y, float*, ThreadPool*) const override {
        if (plan().activation == Activation::identity && x.data() == y.data()) return;
        activation_forward<float>(plan().activation, x, y);
    }
    void backward(ParamStore&, ConstMatrixRef, ConstMatrixRef y, ConstMatrixRef dy, Eigen::Ref<Matrix>* dx, float*,
                  ThreadPool*) const override {
        if (!dx) return;
        if (plan().activation == Activation::identity && dx->data() == dy.data()) return;
        activation_backward<float>(plan().activation, y, dy, *dx);
    }
};

// Flatten (channels-last map -> PyTorch's flat C, H, W) and Unflatten (the inverse). Identities, in place,
// when the map has one channel or one pixel.
class ReshapeLayer final : public Layer {
public:
    ReshapeLayer(const ModulePlan& plan, bool flatten) : Layer(plan), flatten_(flatten) {
        map_ = flatten ? plan.in : plan.out;
    }
    bool in_place() const override { return identity(); }
    void forward(const ParamStore&, ConstMatrixRef x, Eigen::Ref<Matrix> y, float*, ThreadPool*) const override {
        permute(x, y, flatten_);
    }
    void backward(ParamStore&, ConstMatrixRef, ConstMatrixRef, ConstMatrixRef dy, Eigen::Ref<Matrix>* dx, float*,
                  ThreadPool*) const override {
        if (dx) permute(dy, *dx, !flatten_);
    }

private:
    bool identity() const { return map_.c == 1 || static_cast<long long>(map_.h) * map_.w == 1; }
    // to_chw: x channels-last -> y C, H, W (Flatten); else the inverse (Unflatten).
    void permute(ConstMatrixRef x, Eigen::Ref<Matrix> y, bool to_chw) const {
        if (identity()) {
            if (x.data() != y.data()) y = x;
            return;
        }
        if (to_chw) hwc_to_chw<float>(map_.c, map_.h, map_.w, x, y);
        else chw_to_hwc<float>(map_.c, map_.h, map_.w, x, y);
    }
    bool flatten_;
    Shape map_;
};

// Weights [rows, cols] row-major and bias [rows'] of a weighted layer in the store.
struct WeightedTensors {
    int weight = -1, bias = -1, rows = 0, cols = 0, bias_size = 0;
    Eigen::Map<const RowMatrix> W(const ParamStore& p) const { return {p.value(weight), rows, cols}; }
    Eigen::Map<const Vector> b(const ParamStore& p) const { return {p.value(bias), bias_size}; }
    Eigen::Map<RowMatrix> dW(ParamStore& p) const { return {p.grad(weight), rows, cols}; }
    Eigen::Map<Vector> db(ParamStore& p) const { return {p.grad(bias), bias_size}; }
    void init(ParamStore& p, Init init, Activation next, Rng& rng) const {
        init_dense(init, next, rng, Eigen::Map<RowMatrix>(p.value(weight), rows, cols),
                   Eigen::Map<Vector>(p.value(bias), bias_size));
    }
};

// nn.Conv2d (conv2d.h): weight [out, in, k, k] viewed as [out, in k k].
class Conv2dLayer final : public Layer {
public:
    Conv2dLayer(const ModulePlan& plan, ParamStore& p) : Layer(plan) {
        g_ = {plan.in.c, plan.in.h, plan.in.w, plan.out.c, plan.spec.kernel, plan.spec.stride, plan.spec.padding};
        conv2d_check(g_, plan.name.c_str());
        const int k = g_.kernel;
        t_.weight = p.add(plan.name + ".weight", {g_.out_c, g_.in_c, k, k});
        t_.bias = p.add(plan.name + ".bias", {g_.out_c});
        t_.rows = g_.out_c;
        t_.cols = static_cast<int>(g_.patch_size());
        t_.bias_size = g_.out_c;
    }
    void init_params(ParamStore& p, Init init, Activation next, Rng& rng) const override { t_.init(p, init, next, rng); }
    size_t scratch_floats(int n) const override { return static_cast<size_t>(conv2d_scratch_size(g_, n)); }
    double macs_per_sample() const override { return static_cast<double>(g_.weight_size()) * g_.positions(); }
    void forward(const ParamStore& p, ConstMatrixRef x, Eigen::Ref<Matrix> y, float* scratch,
                 ThreadPool* pool) const override {
        Eigen::Map<Vector> s(scratch, conv2d_scratch_size(g_, x.cols()));
        conv2d_forward<float>(g_, t_.W(p), t_.b(p), x, y, s, pool);
    }
    void backward(ParamStore& p, ConstMatrixRef x, ConstMatrixRef, ConstMatrixRef dy, Eigen::Ref<Matrix>* dx,
                  float* scratch, ThreadPool* pool) const override {
        Eigen::Map<Vector> s(scratch, conv2d_scratch_size(g_, x.cols()));
        conv2d_backward<float>(g_, t_.W(p), x, dy, t_.dW(p), t_.db(p), dx, s, pool);
    }

private:
    Conv2dGeometry g_;
    WeightedTensors t_;
};

// nn.ConvTranspose2d (conv_transpose2d.h): weight [in, out, k, k] viewed as [in, out k k].
class ConvTranspose2dLayer final : public Layer {
public:
    ConvTranspose2dLayer(const ModulePlan& plan, ParamStore& p) : Layer(plan) {
        g_ = {plan.in.c,         plan.in.h,           plan.in.w,          plan.out.c,
              plan.spec.kernel,  plan.spec.stride,    plan.spec.padding,  plan.spec.output_padding};
        conv_transpose2d_check(g_, plan.name.c_str());
        const int k = g_.kernel;
        t_.weight = p.add(plan.name + ".weight", {g_.in_c, g_.out_c, k, k});
        t_.bias = p.add(plan.name + ".bias", {g_.out_c});
        t_.rows = g_.in_c;
        t_.cols = static_cast<int>(g_.patch_size());
        t_.bias_size = g_.out_c;
    }
    // PyTorch's fan_in of a ConvTranspose2d weight [in, out, k, k] is out k k (dimension 1): the view's columns.
    void init_params(ParamStore& p, Init init, Activation next, Rng& rng) const override { t_.init(p, init, next, rng); }
    size_t scratch_floats(int n) const override { return static_cast<size_t>(conv_transpose2d_scratch_size(g_, n)); }
    double macs_per_sample() const override { return static_cast<double>(g_.weight_size()) * g_.positions(); }
    void forward(const ParamStore& p, ConstMatrixRef x, Eigen::Ref<Matrix> y, float* scratch,
                 ThreadPool* pool) const override {
        Eigen::Map<Vector> s(scratch, conv_transpose2d_scratch_size(g_, x.cols()));
        conv_transpose2d_forward<float>(g_, t_.W(p), t_.b(p), x, y, s, pool);
    }
    void backward(ParamStore& p, ConstMatrixRef x, ConstMatrixRef, ConstMatrixRef dy, Eigen::Ref<Matrix>* dx,
                  float* scratch, ThreadPool* pool) const override {
        Eigen::Map<Vector> s(scratch, conv_transpose2d_scratch_size(g_, x.cols()));
        conv_transpose2d_backward<float>(g_, t_.W(p), x, dy, t_.dW(p), t_.db(p), dx, s, pool);
    }

private:
    ConvTranspose2dGeometry g_;
    WeightedTensors t_;
};

// nn.MaxPool2d(p) (pool.h); the scratch holds the int32 argmax of each output.
class MaxPool2dLayer final : public Layer {
public:
    explicit MaxPool2dLayer(const ModulePlan& plan) : Layer(plan) {
        g_ = {plan.in.c, plan.in.h, plan.in.w, plan.spec.size};
        maxpool2d_check(g_, plan.name.c_str());
    }
    size_t scratch_floats(int n) const override { return static_cast<size_t>(maxpool2d_index_size(g_, n)); }
    void forward(const ParamStore&, ConstMatrixRef x, Eigen::Ref<Matrix> y, float* scratch,
                 ThreadPool* pool) const override {
        maxpool2d_forward<float>(g_, x, y, index(scratch, x.cols()), pool);
    }
    void backward(ParamStore&, ConstMatrixRef x, ConstMatrixRef, ConstMatrixRef dy, Eigen::Ref<Matrix>* dx,
                  float* scratch, ThreadPool* pool) const override {
        if (dx) maxpool2d_backward<float>(g_, index(scratch, x.cols()), dy, *dx, pool);
    }

private:
    Eigen::Map<IndexVector> index(float* scratch, Eigen::Index n) const {
        static_assert(sizeof(float) == sizeof(std::int32_t), "the argmax shares the float scratch");
        return Eigen::Map<IndexVector>(reinterpret_cast<std::int32_t*>(scratch), maxpool2d_index_size(g_, n));
    }
    MaxPool2dGeometry g_;
};

// nn.Upsample(scale_factor=f, mode='nearest') (upsample.h).
class UpsampleLayer final : public Layer {
public:
    explicit UpsampleLayer(const ModulePlan& plan) : Layer(plan) {
        g_ = {plan.in.c, plan.in.h, plan.in.w, plan.spec.size};
        upsample_check(g_, plan.name.c_str());
    }
    void forward(const ParamStore&, ConstMatrixRef x, Eigen::Ref<Matrix> y, float*, ThreadPool* pool) const override {
        upsample_nearest_forward<float>(g_, x, y, pool);
    }
    void backward(ParamStore&, ConstMatrixRef, ConstMatrixRef, ConstMatrixRef dy, Eigen::Ref<Matrix>* dx, float*,
                  ThreadPool* pool) const override {
        if (dx) upsample_nearest_backward<float>(g_, dy, *dx, pool);
    }

private:
    UpsampleGeometry g_;
};

}  // namespace

std::shared_ptr<const Layer> make_layer(const ModulePlan& plan, ParamStore& params) {
    const std::string& t = plan.type;
    if (t == "Linear") return std::make_shared<DenseLayer>(plan, params);
    if (t == "ReLU" || t == "LeakyReLU" || t == "Sigmoid" || t == "Tanh" || t == "Identity")
        return std::make_shared<ActivationLayer>(plan);
    if (t == "Conv2d") return std::make_shared<Conv2dLayer>(plan, params);
    if (t == "ConvTranspose2d") return std::make_shared<ConvTranspose2dLayer>(plan, params);
    if (t == "MaxPool2d") return std::make_shared<MaxPool2dLayer>(plan);
    if (t == "Upsample") return std::make_shared<UpsampleLayer>(plan);
    if (t == "Flatten") return std::make_shared<ReshapeLayer>(plan, true);
    if (t == "Unflatten") return std::make_shared<ReshapeLayer>(plan, false);
    throw Error(plan.name + ": layer type " + t + " is not implemented in this build");
}

DenseTensors dense_tensors(const Layer& layer) {
    const auto* d = dynamic_cast<const DenseLayer*>(&layer);
    if (!d) throw Error(layer.plan().name + ": expected a Linear layer, got " + layer.type());
    return d->tensors();
}

}  // namespace ae
