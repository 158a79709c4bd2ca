// The layer kinds behind the Layer interface: thin wrappers over each kind's forward/backward pair
// (dense.h, activation.h, conv2d.h, conv_transpose2d.h, pool.h, upsample.h, reshape.h).
#include "ae/layer.h"

#include "ae/activation.h"
#include "ae/dense.h"
#include "ae/error.h"

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
    // to_chw: x channels-last -> y C, H, W; else the inverse.
    void permute(ConstMatrixRef x, Eigen::Ref<Matrix> y, bool to_chw) const {
        if (identity()) {
            if (x.data() != y.data()) y = x;
            return;
        }
        const Eigen::Index C = map_.c, P = static_cast<Eigen::Index>(map_.h) * map_.w;
        for (Eigen::Index s = 0; s < x.cols(); ++s) {
            const float* src = x.col(s).data();
            float* dst = y.col(s).data();
            if (to_chw)
                for (Eigen::Index c = 0; c < C; ++c)
                    for (Eigen::Index q = 0; q < P; ++q) dst[c * P + q] = src[q * C + c];
            else
                for (Eigen::Index q = 0; q < P; ++q)
                    for (Eigen::Index c = 0; c < C; ++c) dst[q * C + c] = src[c * P + q];
        }
    }
    bool flatten_;
    Shape map_;
};

}  // namespace

std::shared_ptr<const Layer> make_layer(const ModulePlan& plan, ParamStore& params) {
    const std::string& t = plan.type;
    if (t == "Linear") return std::make_shared<DenseLayer>(plan, params);
    if (t == "ReLU" || t == "LeakyReLU" || t == "Sigmoid" || t == "Tanh" || t == "Identity")
        return std::make_shared<ActivationLayer>(plan);
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
