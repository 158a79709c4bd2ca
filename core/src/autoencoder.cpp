#include "ae/autoencoder.h"

#include <algorithm>
#include <cmath>

#include "ae/dense.h"
#include "ae/error.h"
#include "ae/init.h"
#include "ae/loss.h"
#include "ae/penalty.h"
#include "ae/vae.h"

namespace ae {

const char* loss_unit(const ModelConfig& m) { return m.is_vae() ? "nats per image" : "per pixel"; }

Autoencoder::Autoencoder(const ModelConfig& config) : config_(config), kl_weight_(config.beta) {
    Config full;
    full.model = config;
    config_validate(full);
    const bool vae = config.is_vae();

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
        std::string prefix = std::string(in_encoder ? "encoder." : "decoder.") + std::to_string(index);
        const bool code_layer = static_cast<int>(l) == n_encoder_ - 1;
        if (vae && code_layer) prefix = "mu";
        layer.weight = params_.add(prefix + ".weight", {layer.out, layer.in});
        layer.bias = params_.add(prefix + ".bias", {layer.out});
        if (code_layer) layer.activation = config.latent_activation;
        else if (l + 2 == widths.size()) layer.activation = config.output;
        else layer.activation = config.activation;
        layers_.push_back(layer);
        if (vae && code_layer) {
            logvar_.in = layer.in;
            logvar_.out = layer.out;
            logvar_.activation = Activation::identity;
            logvar_.weight = params_.add("logvar.weight", {layer.out, layer.in});
            logvar_.bias = params_.add("logvar.bias", {layer.out});
        }
    }
    params_.finalize();
}

void Autoencoder::init(Rng& rng) {
    for (size_t i = 0; i < layers_.size(); ++i) {
        const Layer& l = layers_[i];
        Eigen::Map<RowMatrix> W(params_.value(l.weight), l.out, l.in);
        Eigen::Map<Vector> b(params_.value(l.bias), l.out);
        init_dense(config_.init, l.activation, rng, W, b);
        if (is_vae() && static_cast<int>(i) == n_encoder_ - 1) {
            Eigen::Map<RowMatrix> Wl(params_.value(logvar_.weight), logvar_.out, logvar_.in);
            Eigen::Map<Vector> bl(params_.value(logvar_.bias), logvar_.out);
            init_dense(config_.init, logvar_.activation, rng, Wl, bl);
        }
    }
}

Eigen::Map<const RowMatrix> Autoencoder::weight_of(const Layer& l) const {
    return Eigen::Map<const RowMatrix>(params_.value(l.weight), l.out, l.in);
}

Eigen::Map<const Vector> Autoencoder::bias_of(const Layer& l) const {
    return Eigen::Map<const Vector>(params_.value(l.bias), l.out);
}

Eigen::Map<const RowMatrix> Autoencoder::weight(int l) const { return weight_of(layers_[l]); }

Eigen::Map<const Vector> Autoencoder::bias(int l) const { return bias_of(layers_[l]); }

Autoencoder::Workspace Autoencoder::make_workspace(int capacity) const {
    if (capacity < 1) throw Error("Autoencoder::make_workspace: capacity must be >= 1");
    Workspace ws;
    ws.capacity = capacity;
    for (const Layer& l : layers_) {
        ws.pre.emplace_back(l.out, capacity);
        ws.post.emplace_back(l.out, capacity);
        ws.grad.emplace_back(l.out, capacity);
    }
    const int k = latent_dim();
    if (is_vae()) {
        for (Matrix* m : {&ws.logvar, &ws.eps, &ws.z, &ws.grad_z, &ws.grad_logvar}) m->resize(k, capacity);
        ws.grad_in.resize(logvar_.in, capacity);
    }
    if (config_.is_contractive()) {
        for (int l = 0; l < n_encoder_; ++l)
            for (auto* v : {&ws.tan_t, &ws.tan_u, &ws.tan_d1, &ws.tan_d2, &ws.tan_g, &ws.extra})
                v->emplace_back(layers_[l].out, capacity);
        if (n_encoder_ > 1) ws.probe.resize(input_dim(), capacity);
    }
    if (config_.sparsity == Sparsity::kl) ws.rho_hat.resize(k);
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

double Autoencoder::contractive(Workspace& ws, const Eigen::Ref<const Matrix>& x, float coef, Rng* rng,
                                bool backward) const {
    const Eigen::Index n = x.cols();
    ParamStore& params = const_cast<ParamStore&>(params_);  // backward only: called from forward_backward
    const int E = n_encoder_ - 1;
    if (n_encoder_ == 1) {
        auto y = ws.post[0].leftCols(n);
        auto d1 = ws.tan_d1[0].leftCols(n);
        auto d2 = ws.tan_d2[0].leftCols(n);
        if (!backward) {
            activation_derivatives<float>(layers_[0].activation, y, d1, d2);
            double total = 0.0;
            for (int j = 0; j < layers_[0].out; ++j)
                total += static_cast<double>(d1.row(j).squaredNorm()) * weight(0).row(j).squaredNorm();
            return total;
        }
        auto extra = ws.extra[0].leftCols(n);
        extra.setZero();
        Eigen::Map<RowMatrix> dW(params.grad(layers_[0].weight), layers_[0].out, layers_[0].in);
        return contractive_exact_forward_backward<float>(layers_[0].activation, weight(0), y, dW, extra, coef, d1, d2);
    }
    if (!rng) return 0.0;
    // Gaussian probe v [D, n]; tangent u_l = f'(a_l) ⊙ (W_l u_{l-1}).
    auto v = ws.probe.leftCols(n);
    for (Eigen::Index c = 0; c < n; ++c)
        for (Eigen::Index r = 0; r < v.rows(); ++r) v(r, c) = static_cast<float>(rng->normal());
    for (int l = 0; l <= E; ++l) {
        auto t = ws.tan_t[l].leftCols(n);
        if (l == 0) t.noalias() = weight(l) * v;
        else t.noalias() = weight(l) * ws.tan_u[l - 1].leftCols(n);
        activation_derivatives<float>(layers_[l].activation, ws.post[l].leftCols(n), ws.tan_d1[l].leftCols(n),
                                      ws.tan_d2[l].leftCols(n));
        ws.tan_u[l].leftCols(n) = (ws.tan_d1[l].leftCols(n).array() * t.array()).matrix();
    }
    double total = 0.0;
    for (Eigen::Index c = 0; c < n; ++c) total += static_cast<double>(ws.tan_u[E].col(c).squaredNorm());
    if (!backward) return total;
    // Reverse mode through the tangent chain: gu_E = 2 coef u_E; gd = gu ⊙ t, extra = gd ⊙ f'';
    // gt = gu ⊙ f'; dW_l += gt u_{l-1}^T; gu_{l-1} = W_l^T gt.
    ws.tan_g[E].leftCols(n) = (2.0f * coef) * ws.tan_u[E].leftCols(n);
    for (int l = E; l >= 0; --l) {
        auto gu = ws.tan_g[l].leftCols(n);
        ws.extra[l].leftCols(n) =
            (gu.array() * ws.tan_t[l].leftCols(n).array() * ws.tan_d2[l].leftCols(n).array()).matrix();
        gu.array() *= ws.tan_d1[l].leftCols(n).array();  // gu now holds gt
        Eigen::Map<RowMatrix> dW(params.grad(layers_[l].weight), layers_[l].out, layers_[l].in);
        if (l == 0) dW.noalias() += gu * v.transpose();
        else dW.noalias() += gu * ws.tan_u[l - 1].leftCols(n).transpose();
        if (l > 0) ws.tan_g[l - 1].leftCols(n).noalias() = weight(l).transpose() * gu;
    }
    return total;
}

double Autoencoder::run(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
                        float grad_scale, ThreadPool* pool, Rng* rng, bool backward) const {
    const Eigen::Index n = x.cols();
    if (x.rows() != input_dim() || target.rows() != input_dim() || target.cols() != n || n > ws.capacity || n < 1)
        throw Error(std::string("Autoencoder::") + (backward ? "forward_backward" : "forward") +
                    ": batch shape does not match the model or workspace");
    ParamStore& params = const_cast<ParamStore&>(params_);  // written only when backward (non-const caller)
    const int L = static_cast<int>(layers_.size()) - 1;
    const int E = n_encoder_ - 1;
    const bool vae = is_vae();
    const double dn = static_cast<double>(n), D = input_dim();
    const double unit = vae ? 1.0 / dn : 1.0 / (dn * D);
    const float mult = static_cast<float>(grad_scale / unit);  // reported-unit gradient -> requested scale
    LossTerms terms;

    // Encoder (the μ head is the code layer for the vae).
    run_layers(ws, 0, n_encoder_, x, pool);
    auto hin = [&](int l) -> Eigen::Ref<const Matrix> {
        if (l == 0) return x;
        return ws.post[l - 1].leftCols(n);
    };
    if (vae) {
        auto mu = ws.post[E].leftCols(n);
        auto lv = ws.logvar.leftCols(n);
        dense_forward<float>(weight_of(logvar_), bias_of(logvar_), hin(E), lv, pool);
        auto eps = ws.eps.leftCols(n);
        if (rng) {
            for (Eigen::Index c = 0; c < n; ++c)
                for (Eigen::Index r = 0; r < eps.rows(); ++r) eps(r, c) = static_cast<float>(rng->normal());
        } else {
            eps.setZero();
        }
        reparameterize<float>(mu, lv, eps, ws.z.leftCols(n));
        run_layers(ws, n_encoder_, L + 1, ws.z.leftCols(n), pool);
    } else {
        run_layers(ws, n_encoder_, L + 1, ws.post[E].leftCols(n), pool);
    }

    double recon = 0.0;
    if (backward) {
        recon = loss_forward_backward<float>(config_.loss, config_.output, ws.pre[L].leftCols(n), target,
                                             ws.post[L].leftCols(n), ws.grad[L].leftCols(n), grad_scale);
    } else {
        activation_forward<float>(config_.output, ws.pre[L].leftCols(n), ws.post[L].leftCols(n));
        recon = loss_value<float>(config_.loss, ws.pre[L].leftCols(n), ws.post[L].leftCols(n), target);
    }
    terms.reconstruction = recon * unit;

    // Contractive penalty first: its pre-activation gradients (ws.extra) join the main backward below.
    if (config_.is_contractive()) {
        const float coef = mult * config_.contractive_weight / static_cast<float>(n);
        terms.contractive = config_.contractive_weight * contractive(ws, x, coef, rng, backward) / dn;
    }
    if (!backward) {
        auto h = ws.post[E].leftCols(n);
        if (config_.sparsity == Sparsity::l1) {
            terms.sparsity = config_.sparsity_weight * static_cast<double>(h.cwiseAbs().sum()) / dn;
        } else if (config_.sparsity == Sparsity::kl) {
            auto g = ws.grad[E].leftCols(n);  // scratch
            g.setZero();
            terms.sparsity = config_.sparsity_weight *
                             sparsity_kl_forward_backward<float>(h, config_.sparsity_target, g, 0.0f, ws.rho_hat);
        }
        if (vae) {
            auto dmu = ws.grad_z.leftCols(n);  // scratch
            auto dlv = ws.grad_logvar.leftCols(n);
            terms.kl = gaussian_kl_forward_backward<float>(ws.post[E].leftCols(n), ws.logvar.leftCols(n), dmu, dlv,
                                                           0.0f) / dn;
        }
        terms.total = terms.reconstruction + kl_weight_ * terms.kl + terms.sparsity + terms.contractive;
        ws.terms = terms;
        return recon;
    }

    // Backpropagation.
    for (int l = L; l >= 0; --l) {
        const Layer& layer = layers_[l];
        Eigen::Map<RowMatrix> dW(params.grad(layer.weight), layer.out, layer.in);
        Eigen::Map<Vector> db(params.grad(layer.bias), layer.out);
        auto dy = ws.grad[l].leftCols(n);
        if (vae && l == E) {
            // Both heads read hin(E); their input gradients add up.
            Eigen::Map<RowMatrix> dWl(params.grad(logvar_.weight), logvar_.out, logvar_.in);
            Eigen::Map<Vector> dbl(params.grad(logvar_.bias), logvar_.out);
            if (l == 0) {
                dense_backward<float>(weight(l), x, dy, dW, db, nullptr, pool);
                dense_backward<float>(weight_of(logvar_), x, ws.grad_logvar.leftCols(n), dWl, dbl, nullptr, pool);
                break;
            }
            Eigen::Ref<Matrix> dx = ws.grad[l - 1].leftCols(n);
            Eigen::Ref<Matrix> dx2 = ws.grad_in.leftCols(n);
            dense_backward<float>(weight(l), hin(l), dy, dW, db, &dx, pool);
            dense_backward<float>(weight_of(logvar_), hin(l), ws.grad_logvar.leftCols(n), dWl, dbl, &dx2, pool);
            dx += dx2;
            activation_backward<float>(layers_[l - 1].activation, ws.post[l - 1].leftCols(n), dx, dx);
            continue;
        }
        if (l == 0) {
            dense_backward<float>(weight(l), x, dy, dW, db, nullptr, pool);
            continue;
        }
        if (vae && l == n_encoder_) {
            // Decoder input is z: dz, then through the reparameterization and the KL.
            Eigen::Ref<Matrix> dz = ws.grad_z.leftCols(n);
            dense_backward<float>(weight(l), ws.z.leftCols(n), dy, dW, db, &dz, pool);
            auto dmu = ws.grad[E].leftCols(n);
            auto dlv = ws.grad_logvar.leftCols(n);
            reparameterize_backward<float>(ws.post[E].leftCols(n), ws.z.leftCols(n), dz, dmu, dlv);
            terms.kl = gaussian_kl_forward_backward<float>(ws.post[E].leftCols(n), ws.logvar.leftCols(n), dmu, dlv,
                                                           grad_scale * kl_weight_) / dn;
            continue;
        }
        Eigen::Ref<Matrix> dx = ws.grad[l - 1].leftCols(n);
        dense_backward<float>(weight(l), ws.post[l - 1].leftCols(n), dy, dW, db, &dx, pool);
        if (l - 1 == E) {  // dx is d/d(code); add the sparsity penalty's gradient before the code activation
            auto h = ws.post[E].leftCols(n);
            if (config_.sparsity == Sparsity::l1) {
                terms.sparsity = config_.sparsity_weight *
                                 sparsity_l1_forward_backward<float>(h, dx, mult * config_.sparsity_weight /
                                                                                static_cast<float>(n)) / dn;
            } else if (config_.sparsity == Sparsity::kl) {
                terms.sparsity = config_.sparsity_weight *
                                 sparsity_kl_forward_backward<float>(h, config_.sparsity_target, dx,
                                                                     mult * config_.sparsity_weight, ws.rho_hat);
            }
        }
        activation_backward<float>(layers_[l - 1].activation, ws.post[l - 1].leftCols(n), dx, dx);
        if (config_.is_contractive() && l - 1 <= E) dx += ws.extra[l - 1].leftCols(n);
    }
    terms.total = terms.reconstruction + kl_weight_ * terms.kl + terms.sparsity + terms.contractive;
    ws.terms = terms;
    return recon;
}

double Autoencoder::forward(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
                            ThreadPool* pool, Rng* rng) const {
    return run(ws, x, target, 0.0f, pool, rng, false);
}

double Autoencoder::forward_backward(Workspace& ws, const Eigen::Ref<const Matrix>& x,
                                     const Eigen::Ref<const Matrix>& target, float grad_scale, ThreadPool* pool,
                                     Rng* rng) {
    if (!rng && (is_vae() || (config_.is_contractive() && n_encoder_ > 1)))
        throw Error("Autoencoder::forward_backward: this model type needs an Rng (VAE noise / contractive probes)");
    return run(ws, x, target, grad_scale, pool, rng, true);
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

void Autoencoder::encode_gaussian(const Eigen::Ref<const Matrix>& x, Matrix& mu, Matrix& logvar,
                                  ThreadPool* pool) const {
    mu = encode(x, pool);
    logvar = Matrix::Zero(latent_dim(), x.cols());
    if (!is_vae()) return;
    const Eigen::Index n = x.cols();
    const int E = n_encoder_ - 1;
    Workspace ws = make_workspace(static_cast<int>(std::min<Eigen::Index>(std::max<Eigen::Index>(n, 1), 1024)));
    for (Eigen::Index c = 0; c < n; c += ws.capacity) {
        Eigen::Index m = std::min<Eigen::Index>(ws.capacity, n - c);
        if (E > 0) {
            run_layers(ws, 0, E, x.middleCols(c, m), pool);
            dense_forward<float>(weight_of(logvar_), bias_of(logvar_), ws.post[E - 1].leftCols(m),
                                 logvar.middleCols(c, m), pool);
        } else {
            dense_forward<float>(weight_of(logvar_), bias_of(logvar_), x.middleCols(c, m), logvar.middleCols(c, m),
                                 pool);
        }
    }
}

Matrix Autoencoder::decode_logits(const Eigen::Ref<const Matrix>& z, ThreadPool* pool) const {
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
        y.middleCols(c, m) = ws.pre[L].leftCols(m);
    }
    return y;
}

Matrix Autoencoder::decode(const Eigen::Ref<const Matrix>& z, ThreadPool* pool) const {
    Matrix logits = decode_logits(z, pool);
    Matrix y(logits.rows(), logits.cols());
    activation_forward<float>(config_.output, logits, y);
    return y;
}

Matrix Autoencoder::reconstruct(const Eigen::Ref<const Matrix>& x, ThreadPool* pool) const {
    return decode(encode(x, pool), pool);
}

Eigen::MatrixXd Autoencoder::encoder_jacobian(const Eigen::Ref<const Vector>& x) const {
    if (x.size() != input_dim()) throw Error("encoder_jacobian: input size does not match the model");
    Eigen::MatrixXd U = Eigen::MatrixXd::Identity(input_dim(), input_dim());
    Eigen::VectorXd h = x.cast<double>();
    for (int l = 0; l < n_encoder_; ++l) {
        const Eigen::MatrixXd W = weight(l).cast<double>();
        Eigen::VectorXd a = W * h + bias(l).cast<double>();
        Eigen::MatrixXd y(a.size(), 1), d1(a.size(), 1), d2(a.size(), 1);
        activation_forward<double>(layers_[l].activation, a, y);
        activation_derivatives<double>(layers_[l].activation, y, d1, d2);
        U = d1.col(0).asDiagonal() * (W * U);
        h = y.col(0);
    }
    return U;
}

}  // namespace ae
