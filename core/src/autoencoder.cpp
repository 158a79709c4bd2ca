#include "ae/dense.h"  // first: em++ mangles Eigen Ref templates by include order (TOOLCHAIN.md)

#include "ae/autoencoder.h"

#include <algorithm>
#include <cmath>

#include "ae/error.h"
#include "ae/init.h"
#include "ae/loss.h"
#include "ae/penalty.h"
#include "ae/vae.h"

namespace ae {

const char* loss_unit(const ModelConfig& m) { return m.is_vae() ? "nats per image" : "per pixel"; }

// ---- Stack -------------------------------------------------------------------------------------------

namespace {

bool is_activation(const Layer& l) {
    const std::string& t = l.type();
    return t == "ReLU" || t == "LeakyReLU" || t == "Sigmoid" || t == "Tanh" || t == "Identity";
}

bool is_view(const Layer& l) { return (l.type() == "Flatten" || l.type() == "Unflatten") && l.in_place(); }

}  // namespace

StackWorkspace Stack::make_workspace(int capacity, bool training) const {
    StackWorkspace ws;
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = *layers[i];
        const bool alias = i > 0 && l.in_place() && (is_view(l) || !layers[i - 1]->backward_reads_output());
        if (alias) {
            ws.slot.push_back(ws.slot.back());
        } else {
            ws.slot.push_back(static_cast<int>(ws.act.size()));
            ws.act.emplace_back(l.out_size(), capacity);
            if (training) ws.grad.emplace_back(l.out_size(), capacity);
        }
        ws.scratch.emplace_back(static_cast<Eigen::Index>(l.scratch_floats(capacity)));
    }
    return ws;
}

void Stack::forward(const ParamStore& p, StackWorkspace& ws, ConstMatrixRef x, ThreadPool* pool) const {
    forward_range(p, ws, x, 0, layers.size(), pool);
}

void Stack::forward_range(const ParamStore& p, StackWorkspace& ws, ConstMatrixRef x, size_t begin, size_t end,
                          ThreadPool* pool) const {
    const Eigen::Index n = x.cols();
    for (size_t i = begin; i < end; ++i) {
        auto y = ws.act[ws.slot[i]].leftCols(n);
        if (i == 0) layers[i]->forward(p, x, y, ws.scratch[i].data(), pool);
        else layers[i]->forward(p, ws.act[ws.slot[i - 1]].leftCols(n), y, ws.scratch[i].data(), pool);
    }
}

void Stack::backward(ParamStore& p, StackWorkspace& ws, ConstMatrixRef x, Eigen::Ref<Matrix>* dx, ThreadPool* pool,
                     const std::vector<const Matrix*>* extra) const {
    const Eigen::Index n = x.cols();
    for (size_t i = layers.size(); i-- > 0;) {
        auto dy = ws.grad[ws.slot[i]].leftCols(n);
        if (extra && (*extra)[i]) dy += (*extra)[i]->leftCols(n);
        auto y = ws.act[ws.slot[i]].leftCols(n);
        float* scratch = ws.scratch[i].data();
        if (i == 0) {
            layers[i]->backward(p, x, y, dy, dx, scratch, pool);
        } else {
            Eigen::Ref<Matrix> dxi = ws.grad[ws.slot[i - 1]].leftCols(n);
            layers[i]->backward(p, ws.act[ws.slot[i - 1]].leftCols(n), y, dy, &dxi, scratch, pool);
        }
    }
}

// ---- Construction ------------------------------------------------------------------------------------

Autoencoder::Autoencoder(const ModelConfig& config) : config_(config), kl_weight_(config.beta) {
    Config full;
    full.model = config;
    config_validate(full);
    plan_ = plan_architecture(config_);
    for (const ModulePlan& m : plan_.encoder) encoder_.layers.push_back(make_layer(m, params_));
    const auto& enc = encoder_.layers;
    if (config_.is_hashing() &&
        (enc.size() < 2 || enc.back()->type() != "Sigmoid" || enc[enc.size() - 2]->type() != "Linear"))
        throw Error("model.latent_activation: semantic hashing needs the encoder to end in Linear + Sigmoid");
    if (is_vae()) {
        mu_ = make_layer(plan_.heads[0], params_);
        logvar_ = make_layer(plan_.heads[1], params_);
    }
    if (config_.is_vq()) {
        const int K = config_.codebook_size, d = config_.codebook_dim, M = config_.code_groups();
        codebook_ = params_.add("codebook", {K, d});
        code_counts_ = params_.add("code_counts", {M, K});
        ema_count_.assign(K, 1.0);
        ema_sum_.assign(static_cast<size_t>(K) * d, 0.0);
        batch_count_.assign(K, 0.0);
        batch_sum_.assign(static_cast<size_t>(K) * d, 0.0);
    }
    for (const ModulePlan& m : plan_.decoder) decoder_.layers.push_back(make_layer(m, params_));
    params_.finalize();

    if (!plan_.convolutional) {
        const auto& L = encoder_.layers;
        for (size_t i = 0; i < L.size(); ++i) {
            if (L[i]->type() != "Linear") continue;
            DenseStep d;
            d.layer = static_cast<int>(i);
            d.t = dense_tensors(*L[i]);
            d.in = L[i]->in_size();
            d.out = L[i]->out_size();
            if (i + 1 < L.size() && is_activation(*L[i + 1])) d.activation = L[i + 1]->plan().activation;
            dense_steps_.push_back(d);
        }
    }
}

void Autoencoder::init(Rng& rng) {
    // The activation that consumes each weighted layer's output: the next module if it is an activation,
    // the output activation for the decoder's last weighted layer, identity otherwise (heads, a linear code).
    auto init_stack = [&](const Stack& s, bool is_decoder) {
        int last_weighted = -1;
        for (size_t i = 0; i < s.layers.size(); ++i)
            if (s.layers[i]->plan().has_params()) last_weighted = static_cast<int>(i);
        for (size_t i = 0; i < s.layers.size(); ++i) {
            const Layer& l = *s.layers[i];
            if (!l.plan().has_params()) continue;
            Activation next = Activation::identity;
            if (i + 1 < s.layers.size() && is_activation(*s.layers[i + 1])) next = s.layers[i + 1]->plan().activation;
            else if (is_decoder && static_cast<int>(i) == last_weighted) next = config_.output;
            l.init_params(params_, config_.init, next, rng);
        }
    };
    init_stack(encoder_, false);
    if (is_vae()) {
        mu_->init_params(params_, config_.init, Activation::identity, rng);
        logvar_->init_params(params_, config_.init, Activation::identity, rng);
    }
    if (is_vq()) {  // uniform on [-1/K, 1/K] (the reference implementation's nn.Embedding init); counts 1
        const float a = 1.0f / static_cast<float>(config_.codebook_size);
        const ParamTensor& cb = params_.tensors()[codebook_];
        for (size_t i = 0; i < cb.size; ++i) codebook()[i] = a * (2.0f * rng.uniform() - 1.0f);
        const ParamTensor& cc = params_.tensors()[code_counts_];
        std::fill_n(code_counts(), cc.size, 1.0f);
        ema_ready_ = false;
    }
    init_stack(decoder_, true);
}

double Autoencoder::macs_per_sample() const {
    double macs = 0.0;
    for (const Stack* s : {&encoder_, &decoder_})
        for (const auto& l : s->layers) macs += l->macs_per_sample();
    if (is_vae()) macs += mu_->macs_per_sample() + logvar_->macs_per_sample();
    return macs;
}

Autoencoder::Workspace Autoencoder::make_workspace(int capacity, bool training) const {
    if (capacity < 1) throw Error("Autoencoder::make_workspace: capacity must be >= 1");
    Workspace ws;
    ws.capacity = capacity;
    ws.training = training;
    ws.enc = encoder_.make_workspace(capacity, training);
    ws.dec = decoder_.make_workspace(capacity, training);
    const int k = latent_dim();
    ws.recon.resize(input_dim(), capacity);
    ws.dcode.resize(k, capacity);  // also the forward's scratch for the kl sparsity value
    if (is_vae()) {
        for (Matrix* m : {&ws.mu, &ws.logvar, &ws.eps, &ws.z, &ws.dmu, &ws.dlogvar}) m->resize(k, capacity);
        if (training) ws.dh2.resize(mu_->in_size(), capacity);
    }
    if (config_.is_contractive()) {
        for (const DenseStep& d : dense_steps_)
            for (auto* v : {&ws.tan_t, &ws.tan_u, &ws.tan_d1, &ws.tan_d2, &ws.tan_g, &ws.extra})
                v->emplace_back(d.out, capacity);
        ws.extra_at.assign(encoder_.layers.size(), nullptr);
        for (size_t l = 0; l < dense_steps_.size(); ++l) ws.extra_at[dense_steps_[l].layer] = &ws.extra[l];
        if (dense_steps_.size() > 1) ws.probe.resize(input_dim(), capacity);
    }
    if (config_.sparsity == Sparsity::kl) ws.rho_hat.resize(k);
    if (is_vq()) {
        ws.z.resize(k, capacity);
        ws.codes.assign(static_cast<size_t>(code_groups()) * capacity, 0);
    }
    if (const int C = condition_dim()) {
        ws.condition = Matrix::Zero(C, capacity);
        ws.xy.resize(input_dim() + C, capacity);
        ws.zy.resize(k + C, capacity);
        if (training) ws.dzy.resize(k + C, capacity);
    }
    return ws;
}

// ---- Forward -----------------------------------------------------------------------------------------

double Autoencoder::forward(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
                            ThreadPool* pool, Rng* rng) const {
    const Eigen::Index n = x.cols();
    if (x.rows() != input_dim() || target.rows() != input_dim() || target.cols() != n || n > ws.capacity || n < 1)
        throw Error("Autoencoder::forward: batch shape does not match the model or workspace");
    const bool vae = is_vae();
    const double dn = static_cast<double>(n), D = input_dim();
    const double unit = vae ? 1.0 / dn : 1.0 / (dn * D);
    ws.n = static_cast<int>(n);
    ws.have_rng = rng != nullptr;
    LossTerms terms;

    // Encoder: x [D, n] (cvae: [x; y] [D + C, n]) -> h [h, n] (the code itself for a deterministic head).
    // Hashing (training): the code Linear's output a [latent, n] gets code_noise * ε before the Sigmoid, the
    // encoder's last module.
    const Eigen::Ref<const Matrix> xin = encoder_input(ws, x);
    if (config_.is_hashing() && rng && ws.training) {
        const size_t L = encoder_.layers.size();
        encoder_.forward_range(params_, ws.enc, xin, 0, L - 1, pool);
        auto a = encoder_.layer_output(ws.enc, static_cast<int>(L) - 2, static_cast<int>(n));
        const float sigma = config_.code_noise;
        for (Eigen::Index c = 0; c < n; ++c)
            for (Eigen::Index r = 0; r < a.rows(); ++r) a(r, c) += sigma * static_cast<float>(rng->normal());
        encoder_.forward_range(params_, ws.enc, xin, L - 1, L, pool);
    } else {
        encoder_.forward(params_, ws.enc, xin, pool);
    }
    const Eigen::Ref<const Matrix> h = encoder_.empty() ? xin : Eigen::Ref<const Matrix>(encoder_.output(ws.enc, n));

    // Gaussian head: mu, logvar [latent, n]; z = mu + exp(logvar / 2) * eps.
    if (vae) {
        auto mu = ws.mu.leftCols(n), lv = ws.logvar.leftCols(n), eps = ws.eps.leftCols(n);
        mu_->forward(params_, h, mu, nullptr, pool);
        logvar_->forward(params_, h, lv, nullptr, pool);
        if (rng) {
            for (Eigen::Index c = 0; c < n; ++c)
                for (Eigen::Index r = 0; r < eps.rows(); ++r) eps(r, c) = static_cast<float>(rng->normal());
        } else {
            eps.setZero();
        }
        reparameterize<float>(mu, lv, eps, ws.z.leftCols(n));
    }
    // Vector quantiser: z_e = h [latent, n] -> z_q [latent, n] (ws.z), codes [M * n].
    double vq_sq = 0.0;
    if (is_vq()) vq_sq = quantize(h, ws.z.leftCols(n), ws.codes.data());
    const Eigen::Ref<const Matrix> code = vae || is_vq() ? Eigen::Ref<const Matrix>(ws.z.leftCols(n)) : h;

    // Decoder: code [latent, n] (cvae: [z; y] [latent + C, n]) -> logits [D, n]; reconstruction = f(logits).
    decoder_.forward(params_, ws.dec, decoder_input(ws, code), pool);
    auto logits = decoder_.output(ws.dec, n);
    auto recon = ws.recon.leftCols(n);
    activation_forward<float>(config_.output, logits, recon);
    const double recon_sum = loss_value<float>(config_.loss, logits, recon, target);
    terms.reconstruction = recon_sum * unit;

    // Terms.
    if (vae) {
        auto dmu = ws.dmu.leftCols(n), dlv = ws.dlogvar.leftCols(n);  // scratch (scale 0)
        dmu.setZero();
        dlv.setZero();
        terms.kl = gaussian_kl_forward_backward<float>(ws.mu.leftCols(n), ws.logvar.leftCols(n), dmu, dlv, 0.0f) / dn;
    }
    if (config_.sparsity == Sparsity::l1) {
        terms.sparsity = config_.sparsity_weight * static_cast<double>(h.cwiseAbs().sum()) / dn;
    } else if (config_.sparsity == Sparsity::kl) {
        auto g = ws.dcode.leftCols(n);  // scratch (scale 0)
        g.setZero();
        terms.sparsity = config_.sparsity_weight *
                         sparsity_kl_forward_backward<float>(h, config_.sparsity_target, g, 0.0f, ws.rho_hat);
    }
    if (config_.is_contractive()) terms.contractive = config_.contractive_weight * contractive_forward(ws, x, rng) / dn;
    if (is_vq()) {  // means over the n * latent code entries
        const double mean_sq = vq_sq / (dn * latent_dim());
        terms.codebook = config_.codebook_update == CodebookUpdate::loss ? mean_sq : 0.0;
        terms.commitment = config_.vq_beta * mean_sq;
    }
    terms.total = terms.reconstruction + kl_weight_ * terms.kl + terms.sparsity + terms.contractive + terms.codebook +
                  terms.commitment;
    ws.terms = terms;
    return recon_sum;
}

// ---- Backward (mirrors forward, bottom up) --------------------------------------------------------------

void Autoencoder::backward(Workspace& ws, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& target,
                           float grad_scale, ThreadPool* pool) {
    const Eigen::Index n = x.cols();
    if (!ws.training) throw Error("Autoencoder::backward: the workspace was made without training buffers");
    if (n != ws.n || target.cols() != n)
        throw Error("Autoencoder::backward: call forward with the same batch first");
    const bool vae = is_vae();
    const double dn = static_cast<double>(n), D = input_dim();
    const double unit = vae ? 1.0 / dn : 1.0 / (dn * D);
    const float mult = static_cast<float>(grad_scale / unit);  // reported-unit gradient -> requested scale

    // Reconstruction: dlogits = grad_scale * d(loss sum)/d(logits).
    auto dlogits = decoder_.output_grad(ws.dec, n);
    loss_backward<float>(config_.loss, config_.output, ws.recon.leftCols(n), target, dlogits, grad_scale);

    // Decoder: dlogits -> dcode (the vae's dz; else the encoder output's gradient directly). cvae: the stacks
    // read [x; y] and [z; y] (assembled by forward); dz = the first latent rows of d[z; y].
    const int C = condition_dim();
    const Eigen::Ref<const Matrix> xin = C ? Eigen::Ref<const Matrix>(ws.xy.leftCols(n)) : x;
    const Eigen::Ref<const Matrix> h = encoder_.empty() ? xin : Eigen::Ref<const Matrix>(encoder_.output(ws.enc, n));
    if (C) {
        Eigen::Ref<Matrix> dzy = ws.dzy.leftCols(n);
        decoder_.backward(params_, ws.dec, ws.zy.leftCols(n), &dzy, pool);
        ws.dcode.leftCols(n) = ws.dzy.topRows(latent_dim()).leftCols(n);
    } else if (vae || is_vq()) {
        Eigen::Ref<Matrix> dz = ws.dcode.leftCols(n);
        decoder_.backward(params_, ws.dec, ws.z.leftCols(n), &dz, pool);
    } else {
        Eigen::Ref<Matrix> dh = encoder_.output_grad(ws.enc, n);
        decoder_.backward(params_, ws.dec, h, &dh, pool);
    }

    // Head and terms: reparameterization + KL (vae), or the sparsity penalty on the code.
    if (vae) {
        auto mu = ws.mu.leftCols(n), lv = ws.logvar.leftCols(n);
        auto dmu = ws.dmu.leftCols(n), dlv = ws.dlogvar.leftCols(n);
        reparameterize_backward<float>(mu, ws.z.leftCols(n), ws.dcode.leftCols(n), dmu, dlv);
        gaussian_kl_forward_backward<float>(mu, lv, dmu, dlv, grad_scale * kl_weight_);
        if (encoder_.empty()) {
            mu_->backward(params_, h, mu, dmu, nullptr, nullptr, pool);
            logvar_->backward(params_, h, lv, dlv, nullptr, nullptr, pool);
        } else {
            Eigen::Ref<Matrix> dh = encoder_.output_grad(ws.enc, n);
            Eigen::Ref<Matrix> dh2 = ws.dh2.leftCols(n);
            mu_->backward(params_, h, mu, dmu, &dh, nullptr, pool);
            logvar_->backward(params_, h, lv, dlv, &dh2, nullptr, pool);
            dh += dh2;
        }
    } else if (is_vq()) {
        // Straight-through: dL/dz_e = dL/dz_q + 2 β (z_e - z_q) / (n latent) (in reported units, times mult).
        auto dh = encoder_.output_grad(ws.enc, n);
        auto zq = ws.z.leftCols(n);
        const float per = mult / static_cast<float>(dn * latent_dim());
        dh = ws.dcode.leftCols(n) + (2.0f * config_.vq_beta * per) * (h - zq);
        // Codebook ("loss"): d/de_k of mean ‖sg[z_e] - e‖² = 2 (e_k - z_e) / (n latent) per assigned group.
        if (config_.codebook_update == CodebookUpdate::loss) {
            const int M = code_groups(), d = config_.codebook_dim;
            float* g = params_.grad(codebook_);
            const float* e = params_.value(codebook_);
            for (Eigen::Index j = 0; j < n; ++j)
                for (int grp = 0; grp < M; ++grp) {
                    const int k = ws.codes[static_cast<size_t>(j) * M + grp];
                    for (int r = 0; r < d; ++r)
                        g[k * d + r] += 2.0f * per * (e[k * d + r] - h(grp * d + r, j));
                }
        }
    } else if (config_.sparsity != Sparsity::none) {
        auto dh = encoder_.output_grad(ws.enc, n);
        if (config_.sparsity == Sparsity::l1)
            sparsity_l1_forward_backward<float>(h, dh, mult * config_.sparsity_weight / static_cast<float>(n));
        else
            sparsity_kl_forward_backward<float>(h, config_.sparsity_target, dh, mult * config_.sparsity_weight,
                                                ws.rho_hat);
    }
    if (config_.is_contractive())
        contractive_backward(ws, x, mult * config_.contractive_weight / static_cast<float>(n));

    // Encoder (no gradient with respect to the data).
    if (!encoder_.empty())
        encoder_.backward(params_, ws.enc, xin, nullptr, pool, config_.is_contractive() ? &ws.extra_at : nullptr);
}

double Autoencoder::forward_backward(Workspace& ws, const Eigen::Ref<const Matrix>& x,
                                     const Eigen::Ref<const Matrix>& target, float grad_scale, ThreadPool* pool,
                                     Rng* rng) {
    if (!rng && (is_vae() || (config_.is_contractive() && dense_steps_.size() > 1)))
        throw Error("Autoencoder::forward_backward: this model type needs an Rng (VAE noise / contractive probes)");
    const double recon = forward(ws, x, target, pool, rng);
    backward(ws, x, target, grad_scale, pool);
    return recon;
}

// ---- Contractive penalty (dense encoders; penalty.h) ---------------------------------------------------

double Autoencoder::contractive_forward(Workspace& ws, const Eigen::Ref<const Matrix>& x, Rng* rng) const {
    const Eigen::Index n = x.cols();
    const int E = static_cast<int>(dense_steps_.size()) - 1;
    auto post = [&](int l) { return encoder_.layer_output(ws.enc, dense_steps_[l].layer, static_cast<int>(n)); };
    if (E == 0) {
        const DenseStep& d = dense_steps_[0];
        auto d1 = ws.tan_d1[0].leftCols(n), d2 = ws.tan_d2[0].leftCols(n);
        activation_derivatives<float>(d.activation, post(0), d1, d2);
        double total = 0.0;
        for (int j = 0; j < d.out; ++j)
            total += static_cast<double>(d1.row(j).squaredNorm()) * weight(d).row(j).squaredNorm();
        return total;
    }
    if (!rng) return 0.0;
    // Gaussian probe v [D, n]; tangent u_l = f'(a_l) ⊙ (W_l u_{l-1}).
    auto v = ws.probe.leftCols(n);
    for (Eigen::Index c = 0; c < n; ++c)
        for (Eigen::Index r = 0; r < v.rows(); ++r) v(r, c) = static_cast<float>(rng->normal());
    for (int l = 0; l <= E; ++l) {
        auto t = ws.tan_t[l].leftCols(n);
        if (l == 0) t.noalias() = weight(dense_steps_[l]) * v;
        else t.noalias() = weight(dense_steps_[l]) * ws.tan_u[l - 1].leftCols(n);
        activation_derivatives<float>(dense_steps_[l].activation, post(l), ws.tan_d1[l].leftCols(n),
                                      ws.tan_d2[l].leftCols(n));
        ws.tan_u[l].leftCols(n) = (ws.tan_d1[l].leftCols(n).array() * t.array()).matrix();
    }
    double total = 0.0;
    for (Eigen::Index c = 0; c < n; ++c) total += static_cast<double>(ws.tan_u[E].col(c).squaredNorm());
    return total;
}

void Autoencoder::contractive_backward(Workspace& ws, const Eigen::Ref<const Matrix>& x, float coef) {
    const Eigen::Index n = x.cols();
    const int E = static_cast<int>(dense_steps_.size()) - 1;
    auto dW = [&](const DenseStep& d) { return Eigen::Map<RowMatrix>(params_.grad(d.t.weight), d.out, d.in); };
    if (E == 0) {
        const DenseStep& d = dense_steps_[0];
        auto extra = ws.extra[0].leftCols(n);
        extra.setZero();
        auto g = dW(d);
        contractive_exact_forward_backward<float>(d.activation, weight(d),
                                                  encoder_.layer_output(ws.enc, d.layer, static_cast<int>(n)), g, extra,
                                                  coef, ws.tan_d1[0].leftCols(n), ws.tan_d2[0].leftCols(n));
        return;
    }
    if (!ws.have_rng) {
        for (auto& e : ws.extra) e.leftCols(n).setZero();
        return;
    }
    // Reverse mode through the tangent chain: gu_E = 2 coef u_E; gd = gu ⊙ t, extra = gd ⊙ f'';
    // gt = gu ⊙ f'; dW_l += gt u_{l-1}^T; gu_{l-1} = W_l^T gt.
    auto v = ws.probe.leftCols(n);
    ws.tan_g[E].leftCols(n) = (2.0f * coef) * ws.tan_u[E].leftCols(n);
    for (int l = E; l >= 0; --l) {
        const DenseStep& d = dense_steps_[l];
        auto gu = ws.tan_g[l].leftCols(n);
        ws.extra[l].leftCols(n) =
            (gu.array() * ws.tan_t[l].leftCols(n).array() * ws.tan_d2[l].leftCols(n).array()).matrix();
        gu.array() *= ws.tan_d1[l].leftCols(n).array();  // gu now holds gt
        auto g = dW(d);
        if (l == 0) g.noalias() += gu * v.transpose();
        else g.noalias() += gu * ws.tan_u[l - 1].leftCols(n).transpose();
        if (l > 0) ws.tan_g[l - 1].leftCols(n).noalias() = weight(d).transpose() * gu;
    }
}

// ---- Batch APIs --------------------------------------------------------------------------------------

int Autoencoder::chunk_for(Eigen::Index n) const {
    // Keep a chunk's workspace near 64 MB: the im2col buffers of a conv model grow with the batch.
    double per_sample = input_dim() * 2.0 + latent_dim() * 8.0;
    for (const Stack* s : {&encoder_, &decoder_})
        for (const auto& l : s->layers) per_sample += l->out_size() + static_cast<double>(l->scratch_floats(1));
    const int cap = static_cast<int>(std::clamp(16.0e6 / per_sample, 1.0, 1024.0));
    return static_cast<int>(std::min<Eigen::Index>(std::max<Eigen::Index>(n, 1), cap));
}

Eigen::Ref<const Matrix> Autoencoder::encoder_input(Workspace& ws, const Eigen::Ref<const Matrix>& x) const {
    const int C = condition_dim();
    if (C == 0) return x;
    const Eigen::Index n = x.cols();
    ws.xy.topLeftCorner(input_dim(), n) = x;
    ws.xy.bottomLeftCorner(C, n) = ws.condition.leftCols(n);
    return ws.xy.leftCols(n);
}

Eigen::Ref<const Matrix> Autoencoder::decoder_input(Workspace& ws, const Eigen::Ref<const Matrix>& code) const {
    const int C = condition_dim();
    if (C == 0) return code;
    const Eigen::Index n = code.cols();
    ws.zy.topLeftCorner(latent_dim(), n) = code;
    ws.zy.bottomLeftCorner(C, n) = ws.condition.leftCols(n);
    return ws.zy.leftCols(n);
}

void Autoencoder::set_default_class(int c) {
    if (c < 0 || (is_conditional() && c >= condition_dim()))
        throw Error("class " + std::to_string(c) + " is outside 0.." + std::to_string(condition_dim() - 1) +
                    " (the model's num_classes is " + std::to_string(condition_dim()) + ")");
    default_class_ = c;
}

void Autoencoder::one_hot_into(Workspace& ws, int n, const int* labels) const {
    const int C = condition_dim();
    if (C == 0) return;
    if (n > ws.capacity) throw Error("Autoencoder::one_hot_into: more columns than the workspace holds");
    auto y = ws.condition.leftCols(n);
    y.setZero();
    for (int j = 0; j < n; ++j) {
        const int c = labels ? labels[j] : default_class_;
        if (c < 0 || c >= C)
            throw Error("class " + std::to_string(c) + " of sample " + std::to_string(j) + " is outside 0.." +
                        std::to_string(C - 1) + " (the model's num_classes is " + std::to_string(C) + ")");
        y(c, j) = 1.0f;
    }
}

void Autoencoder::encode_into(Workspace& ws, const Eigen::Ref<const Matrix>& x, ThreadPool* pool) const {
    const Eigen::Index m = x.cols();
    const Eigen::Ref<const Matrix> xin = encoder_input(ws, x);
    encoder_.forward(params_, ws.enc, xin, pool);
    if (is_vq()) quantize(encoder_.output(ws.enc, static_cast<int>(m)), ws.z.leftCols(m), ws.codes.data());
    if (!is_vae()) return;
    const Eigen::Ref<const Matrix> h = encoder_.empty() ? xin : Eigen::Ref<const Matrix>(encoder_.output(ws.enc, m));
    mu_->forward(params_, h, ws.mu.leftCols(m), nullptr, pool);
    logvar_->forward(params_, h, ws.logvar.leftCols(m), nullptr, pool);
}

Matrix Autoencoder::encode(const Eigen::Ref<const Matrix>& x, ThreadPool* pool, const int* labels) const {
    Matrix mu, logvar;
    encode_gaussian(x, mu, logvar, pool, labels);
    return mu;
}

void Autoencoder::encode_gaussian(const Eigen::Ref<const Matrix>& x, Matrix& mu, Matrix& logvar, ThreadPool* pool,
                                  const int* labels) const {
    if (x.rows() != input_dim())
        throw Error("encode: input has " + std::to_string(x.rows()) + " rows, model expects " +
                    std::to_string(input_dim()));
    const Eigen::Index n = x.cols();
    mu.resize(latent_dim(), n);
    logvar = Matrix::Zero(latent_dim(), n);
    Workspace ws = make_workspace(chunk_for(n), false);
    for (Eigen::Index c = 0; c < n; c += ws.capacity) {
        const Eigen::Index m = std::min<Eigen::Index>(ws.capacity, n - c);
        one_hot_into(ws, static_cast<int>(m), labels ? labels + c : nullptr);
        encode_into(ws, x.middleCols(c, m), pool);
        if (is_vae()) {
            mu.middleCols(c, m) = ws.mu.leftCols(m);
            logvar.middleCols(c, m) = ws.logvar.leftCols(m);
        } else {
            mu.middleCols(c, m) = code(ws, static_cast<int>(m));
        }
    }
}

Matrix Autoencoder::decode_logits(const Eigen::Ref<const Matrix>& z, ThreadPool* pool, const int* labels) const {
    if (z.rows() != latent_dim())
        throw Error("decode: codes have " + std::to_string(z.rows()) + " rows, model's latent size is " +
                    std::to_string(latent_dim()));
    const Eigen::Index n = z.cols();
    Matrix y(input_dim(), n);
    Workspace ws = make_workspace(chunk_for(n), false);
    for (Eigen::Index c = 0; c < n; c += ws.capacity) {
        const Eigen::Index m = std::min<Eigen::Index>(ws.capacity, n - c);
        one_hot_into(ws, static_cast<int>(m), labels ? labels + c : nullptr);
        decoder_.forward(params_, ws.dec, decoder_input(ws, z.middleCols(c, m)), pool);
        y.middleCols(c, m) = decoder_.output(ws.dec, static_cast<int>(m));
    }
    return y;
}

Matrix Autoencoder::decode(const Eigen::Ref<const Matrix>& z, ThreadPool* pool, const int* labels) const {
    Matrix logits = decode_logits(z, pool, labels);
    Matrix y(logits.rows(), logits.cols());
    activation_forward<float>(config_.output, logits, y);
    return y;
}

Matrix Autoencoder::reconstruct(const Eigen::Ref<const Matrix>& x, ThreadPool* pool, const int* labels) const {
    return decode(encode(x, pool, labels), pool, labels);
}

// ---- Vector quantiser (vqvae) ------------------------------------------------------------------------

const float* Autoencoder::codebook() const { return params_.value(codebook_); }
float* Autoencoder::codebook() { return params_.value(codebook_); }
const float* Autoencoder::code_counts() const { return params_.value(code_counts_); }
float* Autoencoder::code_counts() { return params_.value(code_counts_); }

double Autoencoder::quantize(const Eigen::Ref<const Matrix>& z_e, Eigen::Ref<Matrix> z_q, int* codes) const {
    if (!is_vq()) throw Error("quantize: the model is not a vqvae");
    const int K = config_.codebook_size, d = config_.codebook_dim, M = code_groups();
    const float* e = codebook();
    double total = 0.0;
    for (Eigen::Index j = 0; j < z_e.cols(); ++j)
        for (int g = 0; g < M; ++g) {
            int best = 0;
            float best_d = 0.0f;
            for (int k = 0; k < K; ++k) {  // ‖z - e_k‖², ties to the lowest k
                float dist = 0.0f;
                for (int r = 0; r < d; ++r) {
                    const float t = z_e(g * d + r, j) - e[k * d + r];
                    dist += t * t;
                }
                if (k == 0 || dist < best_d) best = k, best_d = dist;
            }
            codes[j * M + g] = best;
            for (int r = 0; r < d; ++r) z_q(g * d + r, j) = e[best * d + r];
            total += best_d;
        }
    return total;
}

Eigen::MatrixXi Autoencoder::encode_indices(const Eigen::Ref<const Matrix>& x, ThreadPool* pool) const {
    if (!is_vq()) throw Error("encode_indices: the model is not a vqvae");
    if (x.rows() != input_dim())
        throw Error("encode_indices: input has " + std::to_string(x.rows()) + " rows, model expects " +
                    std::to_string(input_dim()));
    const int M = code_groups();
    Eigen::MatrixXi idx(M, x.cols());
    Workspace ws = make_workspace(chunk_for(x.cols()), false);
    for (Eigen::Index c = 0; c < x.cols(); c += ws.capacity) {
        const Eigen::Index m = std::min<Eigen::Index>(ws.capacity, x.cols() - c);
        encode_into(ws, x.middleCols(c, m), pool);
        for (Eigen::Index j = 0; j < m; ++j)
            for (int g = 0; g < M; ++g) idx(g, c + j) = ws.codes[j * M + g];
    }
    return idx;
}

Matrix Autoencoder::codes_to_latent(const Eigen::MatrixXi& idx) const {
    if (!is_vq()) throw Error("codes_to_latent: the model is not a vqvae");
    const int K = config_.codebook_size, d = config_.codebook_dim, M = code_groups();
    if (idx.rows() != M) throw Error("codes_to_latent: expected " + std::to_string(M) + " rows of indices");
    Matrix z(latent_dim(), idx.cols());
    for (Eigen::Index j = 0; j < idx.cols(); ++j)
        for (int g = 0; g < M; ++g) {
            const int k = idx(g, j);
            if (k < 0 || k >= K)
                throw Error("codes_to_latent: index " + std::to_string(k) + " outside 0.." + std::to_string(K - 1));
            for (int r = 0; r < d; ++r) z(g * d + r, j) = codebook()[k * d + r];
        }
    return z;
}

Matrix Autoencoder::sample_codes(int n, Rng& rng) const {
    if (!is_vq()) throw Error("sample_codes: the model is not a vqvae");
    const int K = config_.codebook_size, M = code_groups();
    Eigen::MatrixXi idx(M, std::max(n, 0));
    for (int g = 0; g < M; ++g) {
        const float* row = code_counts() + static_cast<size_t>(g) * K;
        double total = 0.0;
        for (int k = 0; k < K; ++k) total += std::max(0.0f, row[k]);
        for (int j = 0; j < n; ++j) {
            if (total <= 0.0) {
                idx(g, j) = static_cast<int>(rng.below(static_cast<uint32_t>(K)));
                continue;
            }
            const double u = rng.uniform_double() * total;
            double acc = 0.0;
            int k = 0;
            for (; k < K - 1; ++k) {
                acc += std::max(0.0f, row[k]);
                if (u < acc) break;
            }
            idx(g, j) = k;
        }
    }
    return codes_to_latent(idx);
}

void Autoencoder::codebook_ema_update(const Workspace& ws) {
    if (!is_vq() || config_.codebook_update != CodebookUpdate::ema) return;
    const int K = config_.codebook_size, d = config_.codebook_dim, M = code_groups(), n = ws.n;
    float* e = codebook();
    if (!ema_ready_) {
        std::fill(ema_count_.begin(), ema_count_.end(), 1.0);
        for (size_t i = 0; i < ema_sum_.size(); ++i) ema_sum_[i] = e[i];
        ema_ready_ = true;
    }
    std::fill(batch_count_.begin(), batch_count_.end(), 0.0);
    std::fill(batch_sum_.begin(), batch_sum_.end(), 0.0);
    auto z_e = encoder_.output(const_cast<StackWorkspace&>(ws.enc), n);
    for (int j = 0; j < n; ++j)
        for (int g = 0; g < M; ++g) {
            const int k = ws.codes[static_cast<size_t>(j) * M + g];
            batch_count_[k] += 1.0;
            for (int r = 0; r < d; ++r) batch_sum_[static_cast<size_t>(k) * d + r] += z_e(g * d + r, j);
        }
    const double gamma = config_.ema_decay, eps = 1e-5;
    double total = 0.0;
    for (int k = 0; k < K; ++k) {
        ema_count_[k] = gamma * ema_count_[k] + (1.0 - gamma) * batch_count_[k];
        total += ema_count_[k];
    }
    for (int k = 0; k < K; ++k) {
        const double nk = (ema_count_[k] + eps) / (total + K * eps) * total;  // Laplace smoothing
        for (int r = 0; r < d; ++r) {
            double& m = ema_sum_[static_cast<size_t>(k) * d + r];
            m = gamma * m + (1.0 - gamma) * batch_sum_[static_cast<size_t>(k) * d + r];
            e[k * d + r] = static_cast<float>(m / nk);
        }
    }
}

int Autoencoder::restart_dead_codes(Workspace& ws, const std::vector<double>& used, Rng& rng) {
    if (!is_vq()) throw Error("restart_dead_codes: the model is not a vqvae");
    const int K = config_.codebook_size, d = config_.codebook_dim, M = code_groups(), n = ws.n;
    if (static_cast<int>(used.size()) != K) throw Error("restart_dead_codes: expected one count per entry");
    if (n < 1) return 0;
    auto z_e = encoder_.output(ws.enc, n);
    float* e = codebook();
    int moved = 0;
    for (int k = 0; k < K; ++k) {
        if (used[k] > 0) continue;
        const int j = static_cast<int>(rng.below(static_cast<uint32_t>(n)));
        const int g = static_cast<int>(rng.below(static_cast<uint32_t>(M)));
        for (int r = 0; r < d; ++r) e[k * d + r] = z_e(g * d + r, j);
        if (ema_ready_) {  // the moved entry's statistics restart at it, with weight 1
            ema_count_[k] = 1.0;
            for (int r = 0; r < d; ++r) ema_sum_[static_cast<size_t>(k) * d + r] = e[k * d + r];
        }
        ++moved;
    }
    return moved;
}

Eigen::MatrixXd Autoencoder::encoder_jacobian(const Eigen::Ref<const Vector>& x) const {
    if (x.size() != input_dim()) throw Error("encoder_jacobian: input size does not match the model");
    if (plan_.convolutional) throw Error("encoder_jacobian: implemented for Dense encoders only");
    if (is_conditional()) throw Error("encoder_jacobian: not available for the conditional VAE (its encoder also reads y)");
    Eigen::MatrixXd U = Eigen::MatrixXd::Identity(input_dim(), input_dim());
    Eigen::VectorXd h = x.cast<double>();
    auto step = [&](const Eigen::MatrixXd& W, const Eigen::VectorXd& b, Activation act) {
        Eigen::VectorXd a = W * h + b;
        Eigen::MatrixXd y(a.size(), 1), d1(a.size(), 1), d2(a.size(), 1);
        activation_forward<double>(act, a, y);
        activation_derivatives<double>(act, y, d1, d2);
        U = d1.col(0).asDiagonal() * (W * U);
        h = y.col(0);
    };
    for (const DenseStep& d : dense_steps_)
        step(weight(d).cast<double>(), Eigen::Map<const Vector>(params_.value(d.t.bias), d.out).cast<double>(),
             d.activation);
    if (is_vae()) {
        const DenseTensors t = dense_tensors(*mu_);
        const int k = latent_dim(), in = mu_->in_size();
        step(Eigen::Map<const RowMatrix>(params_.value(t.weight), k, in).cast<double>(),
             Eigen::Map<const Vector>(params_.value(t.bias), k).cast<double>(), Activation::identity);
    }
    return U;
}

}  // namespace ae
