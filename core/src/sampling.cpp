#include "ae/sampling.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "ae/error.h"
#include "ae/latent.h"
#include "ae/rng.h"

namespace ae {

const char* sample_source_name(SampleSource s) {
    return s == SampleSource::prior ? "prior" : s == SampleSource::code_counts ? "code_counts" : "training_gaussian";
}

SampleSet sample_model(const Autoencoder& model, const Dataset* train, const SampleOptions& o, ThreadPool* pool) {
    if (o.n < 1) throw Error("samples: n must be >= 1, got " + std::to_string(o.n));
    Rng rng(o.seed, kSampleStream);
    SampleSet s;
    if (model.is_vae()) {
        s.source = SampleSource::prior;
        s.codes = prior_samples(model.latent_dim(), o.n, rng);
        s.description = "the prior N(0, I)";
    } else if (model.is_vq()) {
        s.source = SampleSource::code_counts;
        s.codes = model.sample_codes(o.n, rng);
        s.description = "codebook indices drawn per group from the last training epoch's code frequencies (the "
                        "simple independent prior, not the paper's PixelCNN)";
    } else {
        if (!train) throw Error("samples: a model without a prior needs its training data (to fit a Gaussian)");
        const Matrix codes = dataset_codes(model, *train, std::max(o.fit_codes, 2), pool);
        if (codes.cols() < 2) throw Error(train->name + ": need at least 2 training images to fit a Gaussian");
        s.source = SampleSource::training_gaussian;
        s.fit_count = static_cast<int>(codes.cols());
        s.codes = gaussian_samples(gaussian_fit(codes), o.n, rng);
        s.description = "a Gaussian fitted to " + std::to_string(s.fit_count) +
                        " training codes (a plain autoencoder has no prior)";
    }
    if (model.is_conditional()) {
        const int c = o.label < 0 ? model.default_class() : o.label;
        const std::vector<int> labels(static_cast<size_t>(o.n), c);
        s.images = model.decode(s.codes, pool, labels.data());  // ae::Error for a class out of range
        s.description += ", decoded with class " + std::to_string(c);
    } else {
        s.images = model.decode(s.codes, pool);
    }
    return s;
}

Matrix swap_class(const Autoencoder& model, const Eigen::Ref<const Matrix>& x, const int* from, int to,
                  ThreadPool* pool) {
    if (!model.is_conditional())
        throw Error("swap_class: the model is not a conditional VAE (model.type '" + model.config().type + "')");
    if (to < 0 || to >= model.condition_dim())
        throw Error("swap_class: class " + std::to_string(to) + " is outside 0.." +
                    std::to_string(model.condition_dim() - 1));
    const Matrix mu = model.encode(x, pool, from);
    const std::vector<int> labels(static_cast<size_t>(x.cols()), to);
    return model.decode(mu, pool, labels.data());
}

ClassSwapGrid class_swap_grid(const Autoencoder& model, const Dataset& d, int first, int n, ThreadPool* pool) {
    if (!model.is_conditional())
        throw Error("class swap: the model is not a conditional VAE (model.type '" + model.config().type + "')");
    if (n < 1) throw Error("class swap: n must be >= 1, got " + std::to_string(n));
    const Matrix x = dataset_images(d, first, n);  // [D, n]; names the data set when out of range
    ClassSwapGrid g;
    g.rows = n;
    g.cols = model.condition_dim() + 1;
    g.labels.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) g.labels[static_cast<size_t>(i)] = d.labels[static_cast<size_t>(first + i)];
    const Matrix mu = model.encode(x, pool, g.labels.data());  // [latent, n]; ae::Error for a label >= C
    // Every (image, class) pair in one decode: the codes repeated C times, class c on block c.
    const int C = model.condition_dim();
    Matrix z(mu.rows(), static_cast<Eigen::Index>(n) * C);
    std::vector<int> to(static_cast<size_t>(n) * C);
    for (int c = 0; c < C; ++c) {
        z.middleCols(static_cast<Eigen::Index>(c) * n, n) = mu;
        std::fill_n(to.begin() + static_cast<std::ptrdiff_t>(c) * n, n, c);
    }
    const Matrix y = model.decode(z, pool, to.data());  // [D, n C]
    g.images.resize(x.rows(), static_cast<Eigen::Index>(n) * g.cols);
    for (int i = 0; i < n; ++i) {
        g.images.col(static_cast<Eigen::Index>(i) * g.cols) = x.col(i);
        for (int c = 0; c < C; ++c)
            g.images.col(static_cast<Eigen::Index>(i) * g.cols + 1 + c) = y.col(static_cast<Eigen::Index>(c) * n + i);
    }
    return g;
}

SampleSet sample_around(const Autoencoder& model, const Vector& x, int n, double sigma, uint64_t seed, ThreadPool* pool) {
    if (n < 1) throw Error("samples: n must be >= 1, got " + std::to_string(n));
    if (x.size() != model.input_dim())
        throw Error("samples: the image has " + std::to_string(x.size()) + " pixels, the model takes " +
                    std::to_string(model.input_dim()));
    Rng rng(seed, kSampleStream);
    const Matrix z0 = model.encode(x, pool);
    SampleSet s;
    s.codes = add_latent_noise(z0.replicate(1, n), sigma, rng);
    s.codes.col(0) = z0.col(0);
    s.images = model.decode(s.codes, pool);
    char sd[32];
    std::snprintf(sd, sizeof sd, "%g", sigma);
    s.description = std::string("the image's code plus N(0, ") + sd + "^2 I) latent noise (first: no noise)";
    return s;
}

}  // namespace ae
