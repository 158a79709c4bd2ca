#include "ae/autoencoder.h"

#include <algorithm>

#include "ae/dense.h"
#include "ae/error.h"
#include "ae/init.h"
#include "ae/loss.h"

namespace ae {

const char* loss_unit(const ModelConfig& m) { return m.is_vae() ? "nats per image" : "per pixel"; }

Autoencoder::Autoencoder(const ModelConfig& config) : config_(config) {
    Config full;
    full.model = config;
    config_validate(full);
    if (config.type != "ae")  // the schema is in place; the model types land one by one
        throw Error("model.type: '" + config.type + "' is not implemented yet in this build");

    std::vector<int> widths = {config.input_dim()};
    for (int w : config.encoder) widths.push_back(w);
    widths.push_back(config.latent);
    n_encoder_ = static_cast<int>(widths.size()) - 1;
    for (int w : config.decoder_widths()) widths.push_back(w);
    widths.push_back(config.input_dim());

    for (size_t l = 0; l + 1 < widths.size(); ++l) {
        Layer layer;
        layer.in = widths[l];
        layer.out = widths[l + 1];
        const bool in_encoder = static_cast<int>(l) < n_encoder_;
        const int index = 2 * static_cast<int>(in_encoder ? l : l - n_encoder_);
        const std::string prefix = std::string(in_encoder ? "encoder." : "decoder.") + std::to_string(index);
        layer.weight = params_.add(prefix + ".weight", {layer.out, layer.in});
        layer.bias = params_.add(prefix + ".bias", {layer.out});
        if (static_cast<int>(l) == n_encoder_ - 1) layer.activation = config.latent_activation;
        else if (l + 2 == widths.size()) layer.activation = config.output;
        else layer.activation = config.activation;
        layers_.push_back(layer);
    }
    params_.finalize();
}

void Autoencoder::init(Rng& rng) {
    for (const Layer& l : layers_) {
        Eigen::Map<RowMatrix> W(params_.value(l.weight), l.out, l.in);
        Eigen::Map<Vector> b(params_.value(l.bias), l.out);
        init_dense(config_.init, l.activation, rng, W, b);
    }
}

Eigen::Map<const RowMatrix> Autoencoder::weight(int l) const {
    return Eigen::Map<const RowMatrix>(params_.value(layers_[l].weight), layers_[l].out, layers_[l].in);
}

Eigen::Map<const Vector> Autoencoder::bias(int l) const {
    return Eigen::Map<const Vector>(params_.value(layers_[l].bias), layers_[l].out);
}

Autoencoder::Workspace Autoencoder::make_workspace(int capacity) const {
    if (capacity < 1) throw Error("Autoencoder::make_workspace: capacity must be >= 1");
    Workspace ws;
    ws.capacity = capacity;
    for (const Layer& l : layers_) {
        ws.pre.emplace_back(l.out, capacity);
        ws.post.emplace_back(l.out, capacity);
        ws.grad.emplace_back(l.out, capacity);
    }
    return ws;
}

void Autoencoder::run_layers(Workspace& ws, int first, int last, const Eigen::Ref<const Matrix>& in,
                             ThreadPool* pool) const {
    const Eigen::Index n = in.cols();
    for (int l = first; l < last; ++l) {
        auto pre = ws.pre[l].leftCols(n);
        if (l == first) dense_forward<float>(weight(l), bias(l), in, pre, pool);
        else dense_forward<float>(weight(l), bias(l), ws.post[l - 1].leftCols(n), pre, pool);
        const bool last_layer = l + 1 == static_cast<int>(layers_.size());
        if (!last_layer) activation_forward<float>(layers_[l].activation, pre, ws.post[l].leftCols(n));
    }
}

double Autoencoder::forward(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
                            ThreadPool* pool) const {
    const Eigen::Index n = x.cols();
    if (x.rows() != input_dim() || target.rows() != input_dim() || target.cols() != n || n > ws.capacity)
        throw Error("Autoencoder::forward: batch shape does not match the model or workspace");
    run_layers(ws, 0, static_cast<int>(layers_.size()), x, pool);
    const int L = static_cast<int>(layers_.size()) - 1;
    activation_forward<float>(config_.output, ws.pre[L].leftCols(n), ws.post[L].leftCols(n));
    const double loss = loss_value<float>(config_.loss, ws.pre[L].leftCols(n), ws.post[L].leftCols(n), target);
    ws.terms = LossTerms();
    ws.terms.reconstruction = ws.terms.total = loss / (static_cast<double>(n) * input_dim());
    return loss;
}

double Autoencoder::forward_backward(Workspace& ws, const Eigen::Ref<const Matrix>& x,
                                     const Eigen::Ref<const Matrix>& target, float grad_scale, ThreadPool* pool) {
    const Eigen::Index n = x.cols();
    if (x.rows() != input_dim() || target.rows() != input_dim() || target.cols() != n || n > ws.capacity)
        throw Error("Autoencoder::forward_backward: batch shape does not match the model or workspace");
    const int L = static_cast<int>(layers_.size()) - 1;
    run_layers(ws, 0, L + 1, x, pool);
    double loss = loss_forward_backward<float>(config_.loss, config_.output, ws.pre[L].leftCols(n), target,
                                               ws.post[L].leftCols(n), ws.grad[L].leftCols(n), grad_scale);
    ws.terms = LossTerms();
    ws.terms.reconstruction = ws.terms.total = loss / (static_cast<double>(n) * input_dim());
    for (int l = L; l >= 0; --l) {
        const Layer& layer = layers_[l];
        Eigen::Map<RowMatrix> dW(params_.grad(layer.weight), layer.out, layer.in);
        Eigen::Map<Vector> db(params_.grad(layer.bias), layer.out);
        auto dy = ws.grad[l].leftCols(n);
        if (l == 0) {
            dense_backward<float>(weight(l), x, dy, dW, db, nullptr, pool);
        } else {
            Eigen::Ref<Matrix> dx = ws.grad[l - 1].leftCols(n);
            dense_backward<float>(weight(l), ws.post[l - 1].leftCols(n), dy, dW, db, &dx, pool);
            activation_backward<float>(layers_[l - 1].activation, ws.post[l - 1].leftCols(n), dx, dx);
        }
    }
    return loss;
}

Matrix Autoencoder::encode(const Eigen::Ref<const Matrix>& x, ThreadPool* pool) const {
    if (x.rows() != input_dim())
        throw Error("encode: input has " + std::to_string(x.rows()) + " rows, model expects " +
                    std::to_string(input_dim()));
    const Eigen::Index n = x.cols();
    Matrix z(latent_dim(), n);
    Workspace ws = make_workspace(static_cast<int>(std::min<Eigen::Index>(std::max<Eigen::Index>(n, 1), 1024)));
    for (Eigen::Index c = 0; c < n; c += ws.capacity) {
        Eigen::Index m = std::min<Eigen::Index>(ws.capacity, n - c);
        run_layers(ws, 0, n_encoder_, x.middleCols(c, m), pool);
        z.middleCols(c, m) = ws.post[n_encoder_ - 1].leftCols(m);
    }
    return z;
}

Matrix Autoencoder::decode(const Eigen::Ref<const Matrix>& z, ThreadPool* pool) const {
    if (z.rows() != latent_dim())
        throw Error("decode: codes have " + std::to_string(z.rows()) + " rows, model's latent size is " +
                    std::to_string(latent_dim()));
    const Eigen::Index n = z.cols();
    const int L = static_cast<int>(layers_.size()) - 1;
    Matrix y(input_dim(), n);
    Workspace ws = make_workspace(static_cast<int>(std::min<Eigen::Index>(std::max<Eigen::Index>(n, 1), 1024)));
    for (Eigen::Index c = 0; c < n; c += ws.capacity) {
        Eigen::Index m = std::min<Eigen::Index>(ws.capacity, n - c);
        run_layers(ws, n_encoder_, L + 1, z.middleCols(c, m), pool);
        activation_forward<float>(config_.output, ws.pre[L].leftCols(m), y.middleCols(c, m));
    }
    return y;
}

Matrix Autoencoder::reconstruct(const Eigen::Ref<const Matrix>& x, ThreadPool* pool) const {
    return decode(encode(x, pool), pool);
}

}  // namespace ae
