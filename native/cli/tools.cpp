// `ae eval`, `ae sample`, `ae interpolate`, `ae manifold`, `ae reconstruct` (see tools.h). Each command loads
// a model file, loads data when it needs any, calls the core, and writes a PNG, JSON or raw floats.
#include "tools.h"

#include "data_options.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "ae/atomic_file.h"
#include "ae/dataset.h"
#include "ae/error.h"
#include "ae/latent.h"
#include "ae/metrics.h"
#include "ae/model_file.h"
#include "ae/pca.h"
#include "ae/plot.h"
#include "ae/png.h"
#include "ae/rng.h"
#include "ae/session.h"
#include "ae/vae.h"

namespace ae_cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// --- Shared pieces --------------------------------------------------------------------------------------

using DataArgs = DataOptions;  // name empty: the data set named in the model file ("data" metadata)

void add_data_args(CLI::App* cmd, DataArgs& d) {
    add_data_options(cmd, d, "Data set: fashion-mnist, mnist or idx (default: the one the model was trained on)");
}

struct Loaded {
    std::string path;
    ae::ModelFile file;
    ae::Autoencoder model;
};

Loaded load_model(const std::string& path) {
    ae::ModelFile f = ae::model_file_read(path);
    ae::Autoencoder m = ae::model_file_build(f, path);
    return Loaded{path, std::move(f), std::move(m)};
}

std::string meta(const ae::ModelFile& f, const std::string& key, const std::string& fallback = "") {
    auto it = f.tensors.metadata.find(key);
    return it == f.tensors.metadata.end() ? fallback : it->second;
}

bool is_vae(const ae::ModelFile& f) { return f.config.model.type == "vae"; }

ae::DatasetPair load_data(const DataArgs& d, const Loaded& m) {
    const std::string name = !d.name.empty() ? d.name : meta(m.file, "data", "fashion-mnist");
    ae::DatasetPair p = ae_cli::load_data(d, name);
    const ae::ModelConfig& c = m.file.config.model;
    if (p.test.rows != c.input_rows || p.test.cols != c.input_cols)
        throw ae::Error(m.path + ": the model takes " + std::to_string(c.input_rows) + "x" +
                        std::to_string(c.input_cols) + " images, data set '" + name + "' has " +
                        std::to_string(p.test.rows) + "x" + std::to_string(p.test.cols));
    return p;
}

// Images [first, first + n) of d as columns in [0, 1].
ae::Matrix images(const ae::Dataset& d, int first, int n) {
    ae::Matrix x(d.dim(), n);
    ae::TrainingSession::load_batch(d, nullptr, first, n, x);
    return x;
}

int default_threads() { return static_cast<int>(std::max(1u, std::min(8u, std::thread::hardware_concurrency()))); }

void write_text(const std::string& path, const std::string& text) { ae::write_file_atomic(path, text.data(), text.size()); }

std::string dir_of(const std::string& path) {
    const fs::path p = fs::path(path).parent_path();
    return p.empty() ? "." : p.string();
}

// Per-image mean squared error: [D, n] x2 -> n.
std::vector<double> per_image_mse(const ae::Matrix& x, const ae::Matrix& y) {
    std::vector<double> e(x.cols());
    for (Eigen::Index j = 0; j < x.cols(); ++j) e[j] = (x.col(j) - y.col(j)).cast<double>().squaredNorm() / x.rows();
    return e;
}

// --- ae eval --------------------------------------------------------------------------------------------

struct EvalArgs {
    std::string model, out;
    DataArgs data;
    int knn = 5, anomaly_class = -1, iwae = 0, threads = default_threads();
    uint64_t seed = 1;  // the VAE's z samples for the ELBO and IWAE estimates
};

int run_eval(const EvalArgs& a) {
    Loaded m = load_model(a.model);
    if (a.iwae > 0 && !is_vae(m.file))
        throw ae::Error("--iwae " + std::to_string(a.iwae) + ": the importance-weighted bound needs a VAE, " + a.model +
                        " is a '" + m.file.config.model.type + "' model");
    ae::DatasetPair data = load_data(a.data, m);
    ae::ThreadPool pool(a.threads);
    const ae::Dataset& train = data.train;
    const ae::Dataset& test = data.test;
    const int k = m.model.latent_dim();
    const int rows = test.rows, cols = test.cols;

    // The class left out in training (__metadata__.exclude_class), -1 if none.
    const std::string excluded_text = meta(m.file, "exclude_class");
    if (!excluded_text.empty() &&
        (excluded_text.size() > 3 || excluded_text.find_first_not_of("0123456789") != std::string::npos))
        throw ae::Error(a.model + ": __metadata__.exclude_class = '" + excluded_text + "', expected a class index");
    const int excluded = excluded_text.empty() ? -1 : std::stoi(excluded_text);
    const int anomaly = a.anomaly_class >= 0 ? a.anomaly_class : excluded;

    std::fprintf(stderr, "ae eval: %s (%s, latent %d, epoch %d) on %s: %d train / %d test images\n", a.model.c_str(),
                 m.file.config.model.type.c_str(), k, m.file.state.epoch, train.name.c_str(), train.count, test.count);
    const ae::Matrix x_test = images(test, 0, test.count);
    const ae::Matrix x_train = images(train, 0, train.count);

    // Reconstruction quality.
    const ae::Matrix recon = m.model.reconstruct(x_test, &pool);
    const double mse = ae::mse(x_test, recon), bce = ae::bce(x_test, recon);
    const double psnr = ae::psnr(x_test, recon), ssim = ae::ssim(x_test, recon, rows, cols);

    // Codes: kNN accuracy of test codes against training codes, AE vs PCA with k components.
    const ae::Matrix z_train = m.model.encode(x_train, &pool), z_test = m.model.encode(x_test, &pool);
    const double knn_ae = ae::knn_accuracy(z_train, train.labels, z_test, test.labels, a.knn);
    // PCA fitted on the data the model was trained on (without the excluded class, if any).
    const ae::Pca pca = excluded < 0 ? ae::pca_fit(x_train, k) : [&] {
        const ae::Dataset seen = ae::dataset_without_class(train, excluded);
        return ae::pca_fit(images(seen, 0, seen.count), k);
    }();
    const ae::Matrix p_test = ae::pca_project(pca, x_test);
    const double knn_pca = ae::knn_accuracy(ae::pca_project(pca, x_train), train.labels, p_test, test.labels, a.knn);
    const ae::Matrix pca_recon = ae::pca_reconstruct(pca, p_test);
    const double pca_mse = ae::mse(x_test, pca_recon);
    // PCA reconstructions leave [0, 1]; PSNR and SSIM compare the clipped images (MSE uses the raw ones).
    const ae::Matrix pca_clipped = pca_recon.cwiseMax(0.0f).cwiseMin(1.0f);
    const double pca_psnr = ae::psnr(x_test, pca_clipped), pca_ssim = ae::ssim(x_test, pca_clipped, rows, cols);

    json j;
    j["model"] = a.model;
    j["config"] = json::parse(ae::config_to_json(m.file.config));
    j["state"] = {{"epoch", m.file.state.epoch}, {"step", m.file.state.step}};
    j["data"] = {{"train", train.name}, {"train_count", train.count}, {"test", test.name}, {"test_count", test.count}};
    j["reconstruction"] = {{"mse", mse},   {"bce", bce}, {"psnr_db", psnr}, {"ssim", ssim},
                           {"units", "mse, bce: mean per pixel; psnr: dB, data range 1, mean over images; "
                                     "ssim: Wang et al. 2004, 11x11 Gaussian sigma 1.5, mean over images"}};
    j["pca"] = {{"components", k}, {"mse", pca_mse}, {"psnr_db", pca_psnr}, {"ssim", pca_ssim},
                {"note", "PCA fitted on the training images the model saw; psnr/ssim on reconstructions clipped to [0, 1]"}};
    j["knn"] = {{"k", a.knn}, {"ae_accuracy", knn_ae}, {"pca_accuracy", knn_pca}, {"code_size", k}};

    std::printf("%s: %s model, latent %d, trained %d epochs\n", a.model.c_str(), m.file.config.model.type.c_str(), k,
                m.file.state.epoch);
    std::printf("test set: %s (%d images)\n\n", test.name.c_str(), test.count);
    std::printf("  %-40s %12s %12s\n", "metric", "autoencoder", ("PCA (k=" + std::to_string(k) + ")").c_str());
    std::printf("  %-40s %12.5f %12.5f\n", "reconstruction MSE (per pixel)", mse, pca_mse);
    std::printf("  %-40s %12.5f %12s\n", "reconstruction BCE (per pixel, nats)", bce, "-");
    std::printf("  %-40s %12.2f %12.2f\n", "PSNR (dB, range 1)", psnr, pca_psnr);
    std::printf("  %-40s %12.4f %12.4f\n", "SSIM (11x11 Gaussian, sigma 1.5)", ssim, pca_ssim);
    std::printf("  %-40s %12.4f %12.4f\n", ("kNN accuracy (k=" + std::to_string(a.knn) + ", " + std::to_string(k) +
                                            "-D codes)").c_str(), knn_ae, knn_pca);

    // VAE: the bounds on log p(x) (nats per image, one z sample per image for the ELBO, K for IWAE),
    // KL per latent dimension and active units.
    Eigen::VectorXd elbo;
    if (is_vae(m.file)) {
        ae::Rng rng(a.seed, 7);
        elbo = ae::vae_elbo_per_image(m.model, x_test, rng, &pool);
        const ae::VaeLatentStats st = ae::vae_latent_stats(m.model, x_test, &pool);
        j["vae"] = {{"elbo", elbo.mean()},
                    {"units", "nats per image; ELBO with one z sample per image"},
                    {"kl_per_dim", st.kl_per_dim},
                    {"active_units", st.active_units},
                    {"active_threshold", 0.01}};
        std::printf("  %-40s %12.2f %12s\n", "ELBO (nats per image, 1 sample)", elbo.mean(), "-");
        if (a.iwae > 0) {
            const double iwae = ae::vae_iwae_per_image(m.model, x_test, a.iwae, rng, &pool).mean();
            j["vae"]["iwae"] = iwae;
            j["vae"]["iwae_k"] = a.iwae;
            std::printf("  %-40s %12.2f %12s\n", ("IWAE bound (K=" + std::to_string(a.iwae) + ", nats per image)").c_str(),
                        iwae, "-");
        }
        std::printf("  %-40s %12d %12s\n", "active units (Cov_x E[z_j] > 0.01)", st.active_units, "-");
    }

    if (anomaly >= 0) {
        if (anomaly >= test.num_classes())
            throw ae::Error("--anomaly-class " + std::to_string(anomaly) + ": the test set has classes 0.." +
                            std::to_string(test.num_classes() - 1));
        std::vector<uint8_t> positive(test.count);
        for (int i = 0; i < test.count; ++i) positive[i] = test.labels[i] == anomaly;
        const double auc = ae::auroc(per_image_mse(x_test, recon), positive);
        const double auc_pca = ae::auroc(per_image_mse(x_test, pca_recon), positive);
        const std::string cname = anomaly < static_cast<int>(test.class_names.size()) ? test.class_names[anomaly] : "";
        j["anomaly"] = {{"class", anomaly},
                        {"class_name", cname},
                        {"excluded_in_training", excluded == anomaly},
                        {"score", "reconstruction MSE per image"},
                        {"auroc", auc},
                        {"pca_auroc", auc_pca}};
        std::printf("  %-40s %12.4f %12.4f\n", ("anomaly AUROC, class " + std::to_string(anomaly) + " (" + cname + ")").c_str(),
                    auc, auc_pca);
        if (elbo.size() == test.count) {
            std::vector<double> neg_elbo(test.count);
            for (int i = 0; i < test.count; ++i) neg_elbo[i] = -elbo(i);
            const double auc_elbo = ae::auroc(neg_elbo, positive);
            j["anomaly"]["auroc_neg_elbo"] = auc_elbo;
            std::printf("  %-40s %12.4f %12s\n", "anomaly AUROC with -ELBO as the score", auc_elbo, "-");
        }
        if (excluded != anomaly)
            std::printf("  (class %d was not excluded when this model was trained: the AUROC is not an anomaly test)\n",
                        anomaly);
    }
    const std::string out = a.out.empty() ? dir_of(a.model) + "/eval.json" : a.out;
    write_text(out, j.dump(2) + "\n");
    std::printf("\nmetrics: %s\n", out.c_str());
    return 0;
}

// --- ae sample ------------------------------------------------------------------------------------------

struct SampleArgs {
    std::string model, out = "samples.png";
    DataArgs data;
    int n = 64, grid_cols = 0, scale = 2, fit_codes = 10000;
    int around = -1;     // >= 0: decode the code of this test image plus latent noise instead
    double noise = 0.5;  // sigma of that noise
    uint64_t seed = 1;
};

// Codes to decode into samples: the prior for a VAE, else a Gaussian fitted to training codes.
ae::Matrix sample_codes(const Loaded& m, const ae::Dataset* train, int n, int fit_codes, ae::Rng& rng,
                        std::string& how) {
    const int k = m.model.latent_dim();
    if (is_vae(m.file)) {
        how = "prior N(0, I)";
        return ae::prior_samples(k, n, rng);
    }
    const int count = std::min(train->count, fit_codes);
    const ae::GaussianFit g = ae::gaussian_fit(m.model.encode(images(*train, 0, count)));
    how = "a Gaussian fitted to " + std::to_string(count) + " training codes (a plain autoencoder has no prior)";
    return ae::gaussian_samples(g, n, rng);
}

int run_sample(const SampleArgs& a) {
    Loaded m = load_model(a.model);
    ae::Rng rng(a.seed);
    std::string how;
    ae::DatasetPair data;
    if (!is_vae(m.file) || a.around >= 0) data = load_data(a.data, m);
    ae::Matrix z;
    if (a.around >= 0) {  // decoding with added latent noise: z(I) + sigma * eps
        if (a.around >= data.test.count)
            throw ae::Error("--around " + std::to_string(a.around) + ": the test set has " +
                            std::to_string(data.test.count) + " images");
        const ae::Matrix z0 = m.model.encode(images(data.test, a.around, 1));
        z = ae::add_latent_noise(z0.replicate(1, a.n), a.noise, rng);
        z.col(0) = z0.col(0);  // the first cell shows the noiseless reconstruction
        how = "the code of test image " + std::to_string(a.around) + " plus N(0, " + std::to_string(a.noise) +
              "^2 I) latent noise (first cell: no noise)";
    } else {
        z = sample_codes(m, &data.train, a.n, a.fit_codes, rng, how);
    }
    const ae::Matrix x = m.model.decode(z);
    const ae::ModelConfig& c = m.file.config.model;
    const int g = a.grid_cols > 0 ? a.grid_cols : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(a.n))));
    ae::write_png(a.out, ae::render_image_grid(x, c.input_rows, c.input_cols, g, a.scale));
    std::printf("%d samples decoded from %s (seed %llu): %s\n", a.n, how.c_str(),
                static_cast<unsigned long long>(a.seed), a.out.c_str());
    return 0;
}

// --- ae interpolate -------------------------------------------------------------------------------------

struct InterpArgs {
    std::string model, out = "interp.png";
    DataArgs data;
    int a = 0, b = 1, steps = 10, scale = 3;
    bool slerp = false;
};

int run_interpolate(const InterpArgs& a) {
    Loaded m = load_model(a.model);
    ae::DatasetPair data = load_data(a.data, m);
    const ae::Dataset& test = data.test;
    for (int i : {a.a, a.b})
        if (i < 0 || i >= test.count)
            throw ae::Error("--a/--b: test image " + std::to_string(i) + " does not exist (the test set has " +
                            std::to_string(test.count) + " images)");
    ae::Matrix pair(test.dim(), 2);
    pair.col(0) = images(test, a.a, 1).col(0);
    pair.col(1) = images(test, a.b, 1).col(0);
    const ae::Matrix z = m.model.encode(pair);
    const ae::Vector za = z.col(0), zb = z.col(1);
    const ae::Matrix path = a.slerp ? ae::slerp_codes(za, zb, a.steps) : ae::lerp_codes(za, zb, a.steps);
    const ae::Matrix decoded = m.model.decode(path);
    const ae::Matrix blend = ae::blend_images(pair.col(0), pair.col(1), a.steps);
    ae::Matrix both(test.dim(), 2 * a.steps);
    both << decoded, blend;
    ae::write_png(a.out, ae::render_image_grid(both, test.rows, test.cols, a.steps, a.scale));
    std::printf("test images %d (%s) -> %d (%s), %d steps: top row decoded %s path, bottom row pixel blend: %s\n", a.a,
                test.class_names[test.labels[a.a]].c_str(), a.b, test.class_names[test.labels[a.b]].c_str(), a.steps,
                a.slerp ? "slerp" : "lerp", a.out.c_str());
    return 0;
}

// --- ae manifold ----------------------------------------------------------------------------------------

struct ManifoldArgs {
    std::string model, out = "manifold.png", spacing = "linear";
    DataArgs data;
    std::vector<int> dims = {0, 1};
    std::vector<double> range;  // empty: VAE [-2, 2]; else the test codes' 1st..99th percentile per axis
    int n = 20, scale = 1;
};

struct Grid {
    ae::Matrix codes;
    double x_lo, x_hi, y_lo, y_hi;
};

// A manifold grid over dims (dx, dy); base = the mean test code (0 for a VAE); range as in ManifoldArgs.
Grid manifold_grid(const ae::Autoencoder& model, bool vae, const ae::Matrix& test_codes, int dx, int dy, int n,
                   const std::vector<double>& range, ae::GridSpacing spacing) {
    const int k = model.latent_dim();
    ae::Vector base = vae ? ae::Vector::Zero(k) : ae::Vector(test_codes.rowwise().mean());
    Grid g{};
    if (range.size() == 2) {
        g.x_lo = g.y_lo = range[0];
        g.x_hi = g.y_hi = range[1];
    } else if (vae) {
        g.x_lo = g.y_lo = -2.0;
        g.x_hi = g.y_hi = 2.0;
    } else {
        std::tie(g.x_lo, g.x_hi) = ae::code_quantile_range(test_codes, dx);
        std::tie(g.y_lo, g.y_hi) = ae::code_quantile_range(test_codes, dy);
    }
    g.codes = ae::manifold_grid_codes(base, dx, dy, n, g.x_lo, g.x_hi, g.y_lo, g.y_hi, spacing);
    return g;
}

int run_manifold(const ManifoldArgs& a) {
    Loaded m = load_model(a.model);
    if (a.dims.size() != 2) throw ae::Error("--dims: expected two latent dimensions, e.g. 0,1");
    if (!a.range.empty() && (a.range.size() != 2 || !(a.range[0] < a.range[1])))
        throw ae::Error("--range: expected LO,HI with LO < HI");
    const ae::GridSpacing spacing = ae::grid_spacing_from_string(a.spacing);
    ae::Matrix codes;
    if (!is_vae(m.file) || a.range.empty()) {
        ae::DatasetPair data = load_data(a.data, m);
        codes = m.model.encode(images(data.test, 0, data.test.count));
    }
    const Grid g = manifold_grid(m.model, is_vae(m.file), codes, a.dims[0], a.dims[1], a.n, a.range, spacing);
    const ae::ModelConfig& c = m.file.config.model;
    ae::write_png(a.out, ae::render_image_grid(m.model.decode(g.codes), c.input_rows, c.input_cols, a.n, a.scale));
    std::printf("%dx%d grid, z%d in [%.3g, %.3g] (left to right), z%d in [%.3g, %.3g] (bottom to top), %s spacing: %s\n",
                a.n, a.n, a.dims[0] + 1, g.x_lo, g.x_hi, a.dims[1] + 1, g.y_lo, g.y_hi, ae::grid_spacing_name(spacing),
                a.out.c_str());
    return 0;
}

// --- ae reconstruct -------------------------------------------------------------------------------------

struct ReconArgs {
    std::string model, out = "recon.f32", codes_out;
    DataArgs data;
    int first = 16;
};

int run_reconstruct(const ReconArgs& a) {
    Loaded m = load_model(a.model);
    ae::DatasetPair data = load_data(a.data, m);
    const int n = std::min(a.first, data.test.count);
    const ae::Matrix x = images(data.test, 0, n);
    const ae::Matrix z = m.model.encode(x);
    const ae::Matrix r = m.model.decode(z);
    // Column-major [D, n] is image-major [n, D] in memory: float32, little-endian (x86-64 and WebAssembly).
    ae::write_file_atomic(a.out, r.data(), sizeof(float) * static_cast<size_t>(r.size()));
    if (!a.codes_out.empty()) ae::write_file_atomic(a.codes_out, z.data(), sizeof(float) * static_cast<size_t>(z.size()));
    std::printf("%d reconstructions of the first test images, float32 [%d, %d]: %s\n", n, n, static_cast<int>(x.rows()),
                a.out.c_str());
    return 0;
}

// --- Registration ---------------------------------------------------------------------------------------

class Commands : public ToolCommands {
public:
    explicit Commands(CLI::App& app) {
        eval_ = app.add_subcommand("eval", "Evaluate a model file: reconstruction, PSNR/SSIM, kNN vs PCA, anomaly AUROC");
        eval_->add_option("model", ea_.model, "Model file (model.safetensors written by ae train)")
            ->required()
            ->check(CLI::ExistingFile);
        add_data_args(eval_, ea_.data);
        eval_->add_option("--out", ea_.out, "Metrics JSON (default: eval.json next to the model file)");
        eval_->add_option("--knn", ea_.knn, "Neighbours for the kNN classifier")->check(CLI::Range(1, 1000))
            ->capture_default_str();
        eval_->add_option("--anomaly-class", ea_.anomaly_class,
                          "Class scored as the anomaly for AUROC (default: the class excluded in training, if any)");
        eval_->add_option("--iwae", ea_.iwae, "Importance samples K for the IWAE bound (VAE only)")
            ->check(CLI::Range(1, 100000));
        eval_->add_option("--seed", ea_.seed, "Seed of the VAE's z samples (ELBO, IWAE)")->capture_default_str();
        eval_->add_option("--threads", ea_.threads, "Threads for the matrix products")->check(CLI::Range(1, 256))
            ->capture_default_str();

        sample_ = app.add_subcommand("sample", "Decode random codes into an image grid (VAE: the prior)");
        sample_->add_option("model", sa_.model, "Model file")->required()->check(CLI::ExistingFile);
        sample_->add_option("--n", sa_.n, "Number of samples")->check(CLI::Range(1, 10000))->capture_default_str();
        sample_->add_option("--out", sa_.out, "PNG file")->capture_default_str();
        sample_->add_option("--seed", sa_.seed, "Random seed")->capture_default_str();
        sample_->add_option("--grid-cols", sa_.grid_cols, "Images per row (default: ceil(sqrt(n)))")
            ->check(CLI::Range(1, 1000));
        sample_->add_option("--scale", sa_.scale, "Pixel upscaling")->check(CLI::Range(1, 16))->capture_default_str();
        sample_->add_option("--fit-codes", sa_.fit_codes,
                            "Non-VAE models: training codes the sampling Gaussian is fitted to")
            ->check(CLI::Range(2, 1000000))
            ->capture_default_str();
        sample_->add_option("--around", sa_.around,
                            "Instead: decode the code of test image I plus Gaussian latent noise (see --noise)")
            ->check(CLI::NonNegativeNumber);
        sample_->add_option("--noise", sa_.noise, "Standard deviation of the latent noise for --around")
            ->check(CLI::NonNegativeNumber)
            ->capture_default_str();
        add_data_args(sample_, sa_.data);

        interp_ = app.add_subcommand("interpolate", "Decode the path between the codes of two test images, above "
                                                    "their pixel blend");
        interp_->add_option("model", ia_.model, "Model file")->required()->check(CLI::ExistingFile);
        interp_->add_option("--a", ia_.a, "First test image index")->capture_default_str();
        interp_->add_option("--b", ia_.b, "Second test image index")->capture_default_str();
        interp_->add_option("--steps", ia_.steps, "Images along the path, ends included")
            ->check(CLI::Range(2, 100))
            ->capture_default_str();
        interp_->add_flag("--slerp", ia_.slerp, "Spherical instead of linear interpolation of the codes");
        interp_->add_option("--out", ia_.out, "PNG file")->capture_default_str();
        interp_->add_option("--scale", ia_.scale, "Pixel upscaling")->check(CLI::Range(1, 16))->capture_default_str();
        add_data_args(interp_, ia_.data);

        manifold_ = app.add_subcommand("manifold", "Decode a grid of codes over two latent dimensions");
        manifold_->add_option("model", ma_.model, "Model file")->required()->check(CLI::ExistingFile);
        manifold_->add_option("--dims", ma_.dims, "The two latent dimensions (0-based), e.g. 0,1")
            ->delimiter(',')
            ->expected(2);
        manifold_->add_option("--range", ma_.range,
                              "LO,HI for both axes (default: VAE -2,2; otherwise the test codes' 1%..99% range)")
            ->delimiter(',')
            ->expected(2);
        manifold_->add_option("--spacing", ma_.spacing, "linear, or normal (inverse normal CDF: equal prior mass)")
            ->check(CLI::IsMember({"linear", "normal"}))
            ->capture_default_str();
        manifold_->add_option("--n", ma_.n, "Grid side")->check(CLI::Range(2, 100))->capture_default_str();
        manifold_->add_option("--scale", ma_.scale, "Pixel upscaling")->check(CLI::Range(1, 16))->capture_default_str();
        manifold_->add_option("--out", ma_.out, "PNG file")->capture_default_str();
        add_data_args(manifold_, ma_.data);

        recon_ = app.add_subcommand("reconstruct", "Write the reconstructions of the first test images as raw float32");
        recon_->add_option("model", ra_.model, "Model file")->required()->check(CLI::ExistingFile);
        recon_->add_option("--first", ra_.first, "Number of test images")->check(CLI::Range(1, 1000000))
            ->capture_default_str();
        recon_->add_option("--out", ra_.out, "Output: float32 little-endian [n, D], image-major")->capture_default_str();
        recon_->add_option("--codes", ra_.codes_out, "Also write the codes, float32 [n, latent]");
        add_data_args(recon_, ra_.data);
    }

    bool parsed() const override {
        return eval_->parsed() || sample_->parsed() || interp_->parsed() || manifold_->parsed() || recon_->parsed();
    }

    int run() override {
        if (eval_->parsed()) return run_eval(ea_);
        if (sample_->parsed()) return run_sample(sa_);
        if (interp_->parsed()) return run_interpolate(ia_);
        if (manifold_->parsed()) return run_manifold(ma_);
        return run_reconstruct(ra_);
    }

private:
    CLI::App *eval_, *sample_, *interp_, *manifold_, *recon_;
    EvalArgs ea_;
    SampleArgs sa_;
    InterpArgs ia_;
    ManifoldArgs ma_;
    ReconArgs ra_;
};

}  // namespace

std::unique_ptr<ToolCommands> add_tool_commands(CLI::App& app) { return std::make_unique<Commands>(app); }

std::string write_train_figures(const std::string& out_dir, ae::TrainingSession& session) {
    const ae::Autoencoder& model = session.model();
    const ae::Dataset& test = session.test_data();
    if (model.latent_dim() != 2 || test.count == 0) return "";
    const ae::Matrix codes = model.encode(images(test, 0, test.count), &session.pool());
    const bool vae = session.config().model.type == "vae";
    const Grid g = manifold_grid(model, vae, codes, 0, 1, 20, {},
                                 vae ? ae::GridSpacing::normal_quantile : ae::GridSpacing::linear);
    ae::write_png(out_dir + "/manifold.png",
                  ae::render_image_grid(model.decode(g.codes, &session.pool()), test.rows, test.cols, 20, 1));
    return ", manifold.png";
}

}  // namespace ae_cli
