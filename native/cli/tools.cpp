// `ae eval`, `ae sample`, `ae interpolate`, `ae manifold`, `ae reconstruct` (see tools.h). Each command loads
// a model file, loads data when it needs any, calls the core, and writes a PNG, JSON or raw floats.
#include "tools.h"

#include "data_options.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "ae/anomaly.h"
#include "ae/arithmetic.h"
#include "ae/atomic_file.h"
#include "ae/codes.h"
#include "ae/dataset.h"
#include "ae/embedding.h"
#include "ae/error.h"
#include "ae/interpolation.h"
#include "ae/latent.h"
#include "ae/manifold.h"
#include "ae/metrics.h"
#include "ae/model_file.h"
#include "ae/pca.h"
#include "ae/plot.h"
#include "ae/png.h"
#include "ae/retrieval.h"
#include "ae/rng.h"
#include "ae/sampling.h"
#include "ae/session.h"
#include "ae/traversal.h"
#include "ae/tsne.h"
#include "ae/umap.h"
#include "ae/vae.h"
#include "ae/vector_field.h"

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

bool is_vae(const ae::ModelFile& f) { return f.config.model.is_vae(); }  // vae and cvae

// cvae: the class of each image of d (the condition y of its code), else empty (the model ignores labels).
std::vector<int> condition_labels(const Loaded& m, const ae::Dataset& d) {
    if (!m.model.is_conditional()) return {};
    if (d.num_classes() != m.model.condition_dim())
        throw ae::Error(d.name + ": the data set has " + std::to_string(d.num_classes()) + " classes, " + m.path +
                        " is a conditional VAE of " + std::to_string(m.model.condition_dim()));
    return std::vector<int>(d.labels.begin(), d.labels.end());
}
const int* labels_or_null(const std::vector<int>& v) { return v.empty() ? nullptr : v.data(); }

// The data set given on the command line, else the one recorded in the model file (model_file.h DatasetRef;
// files without it: fashion-mnist).
ae::DatasetPair load_data(const DataArgs& d, const Loaded& m) {
    const DataArgs use = ae_cli::data_options_with(d, m.file.data);
    ae::DatasetPair p = ae_cli::load_data(use, use.name);
    const ae::ModelConfig& c = m.file.config.model;
    if (p.test.rows != c.input_rows || p.test.cols != c.input_cols)
        throw ae::Error(m.path + ": the model takes " + std::to_string(c.input_rows) + "x" +
                        std::to_string(c.input_cols) + " images, data set '" + use.name + "' has " +
                        std::to_string(p.test.rows) + "x" + std::to_string(p.test.cols));
    return p;
}

ae::Matrix images(const ae::Dataset& d, int first, int n) { return ae::dataset_images(d, first, n); }

int default_threads() { return static_cast<int>(std::max(1u, std::min(8u, std::thread::hardware_concurrency()))); }

// ae::Error "FLAG I: the test set has N images" for an index outside the test set.
void check_test_index(const ae::Dataset& test, int i, const std::string& flag) {
    if (i < 0 || i >= test.count)
        throw ae::Error(flag + " " + std::to_string(i) + ": the test set has " + std::to_string(test.count) + " images");
}

// --out PNG, --scale, --threads (when given) and the data options of the commands that draw test images.
void add_png_args(CLI::App* cmd, std::string& out, int& scale, int* threads, DataArgs& data) {
    cmd->add_option("--out", out, "PNG file")->capture_default_str();
    cmd->add_option("--scale", scale, "Pixel upscaling")->check(CLI::Range(1, 16))->capture_default_str();
    if (threads)
        cmd->add_option("--threads", *threads, "Threads for the encoder")->check(CLI::Range(1, 256))
            ->capture_default_str();
    add_data_args(cmd, data);
}

void write_text(const std::string& path, const std::string& text) { ae::write_file_atomic(path, text.data(), text.size()); }

std::string dir_of(const std::string& path) {
    const fs::path p = fs::path(path).parent_path();
    return p.empty() ? "." : p.string();
}

// --- ae eval --------------------------------------------------------------------------------------------

struct EvalArgs {
    std::string model, out;
    DataArgs data;
    int knn = 5, anomaly_class = -1, iwae = 0, threads = default_threads();
    int retrieval_k = 8;  // precision@k of leave-one-out retrieval among the test images
    std::string metric = "euclidean";
    int radius = 2;       // hashing: the Hamming ball's radius in bits
    uint64_t seed = 1;  // the VAE's z samples for the ELBO and IWAE estimates
};

int run_eval(const EvalArgs& a) {
    Loaded m = load_model(a.model);
    if (a.iwae > 0 && !is_vae(m.file))
        throw ae::Error("--iwae " + std::to_string(a.iwae) + ": the importance-weighted bound needs a VAE, " + a.model +
                        " is a '" + m.file.config.model.type + "' model");
    if (m.file.config.model.is_hashing() && a.radius > m.model.latent_dim())
        throw ae::Error("--radius " + std::to_string(a.radius) + ": the codes of " + a.model + " have " +
                        std::to_string(m.model.latent_dim()) + " bits");
    ae::DatasetPair data = load_data(a.data, m);
    ae::ThreadPool pool(a.threads);
    const ae::Dataset& train = data.train;
    const ae::Dataset& test = data.test;
    const int k = m.model.latent_dim();
    const int rows = test.rows, cols = test.cols;

    // The class left out in training (__metadata__.exclude_class), -1 if none.
    const int excluded = m.file.data.exclude_class;
    const int anomaly = a.anomaly_class >= 0 ? a.anomaly_class : excluded;

    std::fprintf(stderr, "ae eval: %s (%s, latent %d, epoch %d) on %s: %d train / %d test images\n", a.model.c_str(),
                 m.file.config.model.type.c_str(), k, m.file.state.epoch, train.name.c_str(), train.count, test.count);
    const ae::Matrix x_test = images(test, 0, test.count);
    const ae::Matrix x_train = images(train, 0, train.count);
    const std::vector<int> y_train = condition_labels(m, train), y_test = condition_labels(m, test);  // cvae
    const int* ytr = labels_or_null(y_train);
    const int* yte = labels_or_null(y_test);

    // Reconstruction quality.
    const ae::Matrix recon = m.model.reconstruct(x_test, &pool, yte);
    const double mse = ae::mse(x_test, recon), bce = ae::bce(x_test, recon);
    // SSIM needs images of at least its 11 x 11 window: NaN (JSON null) for 2-D points and small images.
    const bool has_ssim = rows >= ae::SsimOptions().window && cols >= ae::SsimOptions().window;
    const double psnr = ae::psnr(x_test, recon), ssim = has_ssim ? ae::ssim(x_test, recon, rows, cols) : NAN;

    // Codes: kNN accuracy of test codes against training codes, AE vs PCA with k components.
    const ae::Matrix z_train = m.model.encode(x_train, &pool, ytr), z_test = m.model.encode(x_test, &pool, yte);
    const double knn_ae = ae::knn_accuracy(z_train, train.labels, z_test, test.labels, a.knn);
    // PCA fitted on the data the model was trained on (without the excluded class, if any).
    const ae::Pca pca = excluded < 0 ? ae::pca_fit(x_train, k) : [&] {
        const ae::Dataset seen = ae::dataset_without_class(train, excluded);
        return ae::pca_fit(images(seen, 0, seen.count), k);
    }();
    const ae::Matrix p_test = ae::pca_project(pca, x_test);
    const double knn_pca = ae::knn_accuracy(ae::pca_project(pca, x_train), train.labels, p_test, test.labels, a.knn);
    const ae::Matrix pca_recon = ae::pca_reconstruct(pca, p_test);
    // Retrieval (retrieval.h): precision@k of 1000 test images (spread over the test set) as
    // queries among all test images.
    const ae::Distance metric = ae::distance_from_name(a.metric, "--metric");
    const int queries = std::min(1000, test.count);
    const int rk = std::min(a.retrieval_k, test.count - 1);
    const double ret_ae = ae::retrieval_precision_at_k(z_test, test.labels, rk, metric, queries);
    const double ret_pca = ae::retrieval_precision_at_k(p_test, test.labels, rk, metric, queries);
    const double ret_pixels = ae::retrieval_precision_at_k(x_test, test.labels, rk, metric, queries);
    const double pca_mse = ae::mse(x_test, pca_recon);
    // PCA reconstructions leave [0, 1]; PSNR and SSIM compare the clipped images (MSE uses the raw ones).
    const ae::Matrix pca_clipped = pca_recon.cwiseMax(0.0f).cwiseMin(1.0f);
    const double pca_psnr = ae::psnr(x_test, pca_clipped), pca_ssim = has_ssim ? ae::ssim(x_test, pca_clipped, rows, cols) : NAN;

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
    j["retrieval"] = {{"k", rk},
                      {"metric", ae::distance_name(metric)},
                      {"queries", queries},
                      {"ae_precision", ret_ae},
                      {"pca_precision", ret_pca},
                      {"pixel_precision", ret_pixels},
                      {"note", "precision@k by class; each of `queries` test images spread over the test set "
                               "against all other test images"}};

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
    std::printf("  %-40s %12.4f %12.4f\n", ("retrieval precision@" + std::to_string(rk) + " (" +
                                            ae::distance_name(metric) + ")").c_str(), ret_ae, ret_pca);
    std::printf("  %-40s %12.4f %12s\n", ("  the same by pixels (" + std::to_string(queries) + " queries)").c_str(),
                ret_pixels, "");

    // VAE: the bounds on log p(x) (nats per image, one z sample per image for the ELBO, K for IWAE),
    // KL per latent dimension and active units.
    Eigen::VectorXd elbo;
    if (is_vae(m.file)) {
        ae::Rng rng(a.seed, 7);
        elbo = ae::vae_elbo_per_image(m.model, x_test, rng, &pool, yte);
        const ae::VaeLatentStats st = ae::vae_latent_stats(m.model, x_test, &pool, 0.01, yte);
        j["vae"] = {{"elbo", elbo.mean()},
                    {"units", m.model.is_conditional() ? "nats per image; the conditional ELBO of log p(x|y), one z "
                                                         "sample per image, y the image's class"
                                                       : "nats per image; ELBO with one z sample per image"},
                    {"kl_per_dim", st.kl_per_dim},
                    {"active_units", st.active_units},
                    {"active_threshold", 0.01}};
        std::printf("  %-40s %12.2f %12s\n", "ELBO (nats per image, 1 sample)", elbo.mean(), "-");
        if (a.iwae > 0) {
            const double iwae = ae::vae_iwae_per_image(m.model, x_test, a.iwae, rng, &pool, yte).mean();
            j["vae"]["iwae"] = iwae;
            j["vae"]["iwae_k"] = a.iwae;
            std::printf("  %-40s %12.2f %12s\n", ("IWAE bound (K=" + std::to_string(a.iwae) + ", nats per image)").c_str(),
                        iwae, "-");
        }
        std::printf("  %-40s %12d %12s\n", "active units (Cov_x E[z_j] > 0.01)", st.active_units, "-");
    }

    // vqvae: the code's bits and how the test images use the codebook (every group pooled).
    if (m.model.is_vq()) {
        const ae::ModelConfig& c = m.file.config.model;
        const Eigen::MatrixXi idx = m.model.encode_indices(x_test, &pool);
        std::vector<double> counts(static_cast<size_t>(c.codebook_size), 0.0);
        for (Eigen::Index i = 0; i < idx.size(); ++i) counts[static_cast<size_t>(idx.data()[i])] += 1.0;
        const double usage = ae::code_usage(counts), perplexity = ae::code_perplexity(counts);
        j["vqvae"] = {{"groups", c.code_groups()},
                      {"codebook_size", c.codebook_size},
                      {"bits", c.code_groups() * std::log2(static_cast<double>(c.codebook_size))},
                      {"test_code_usage", usage},
                      {"test_code_perplexity", perplexity},
                      {"note", "the test images' codebook assignments, every group pooled: the fraction of the K "
                               "entries chosen and exp(entropy) of their frequencies"}};
        std::printf("  %-40s %12.4f %12s\n", "codebook usage (test assignments)", usage, "-");
        std::printf("  %-40s %12.2f %12s\n", ("code perplexity (of K = " + std::to_string(c.codebook_size) + ")").c_str(),
                    perplexity, "-");
    }

    // Semantic hashing (retrieval.h): how binary the test codes are, and Hamming-ball retrieval on the test
    // set, each test image a query against the others.
    if (m.file.config.model.is_hashing()) {
        const double binary = ae::code_binariness(z_test);
        const ae::HammingRetrieval hr = ae::hamming_retrieval(ae::binarize_codes(z_test), test.labels, a.radius,
                                                              test.count);
        j["hashing"] = {{"bits", k},
                        {"binariness", binary},
                        {"radius", hr.radius},
                        {"precision", hr.precision},
                        {"recall", hr.recall},
                        {"queries", hr.queries},
                        {"empty_queries", hr.empty_queries},
                        {"mean_ball_size", hr.mean_ball_size},
                        {"note", "bits = code > 0.5; binariness: fraction of code units within 0.1 of 0 or 1; "
                                 "Hamming ball of each test image among the other test images, relevant = same "
                                 "class; precision over the non-empty balls (Salakhutdinov & Hinton 2009)"}};
        std::printf("  %-40s %12.4f %12s\n", "binariness (code units within 0.1 of 0/1)", binary, "-");
        std::printf("  %-40s %12.4f %12s\n", ("Hamming precision (radius " + std::to_string(a.radius) + ")").c_str(),
                    hr.precision, "-");
        std::printf("  %-40s %12.4f %12s\n", ("Hamming recall (radius " + std::to_string(a.radius) + ")").c_str(),
                    hr.recall, "-");
        std::printf("  %-40s %12.1f %12s\n", "mean Hamming ball size (images)", hr.mean_ball_size, "-");
        if (hr.empty_queries > 0)
            std::printf("  (%d of %d test images have an empty ball: left out of the precision)\n", hr.empty_queries,
                        hr.queries);
    }

    if (anomaly >= 0) {
        if (anomaly >= test.num_classes())
            throw ae::Error("--anomaly-class " + std::to_string(anomaly) + ": the test set has classes 0.." +
                            std::to_string(test.num_classes() - 1));
        std::vector<uint8_t> positive(test.count);
        for (int i = 0; i < test.count; ++i) positive[i] = test.labels[i] == anomaly;
        const double auc = ae::auroc(ae::per_image_mse(x_test, recon), positive);
        const double auc_pca = ae::auroc(ae::per_image_mse(x_test, pca_recon), positive);
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
    int n = 64, grid_cols = 0, scale = 2, fit_codes = ae::kAnalysisCodes;
    int around = -1;     // >= 0: decode the code of this test image plus latent noise instead
    double noise = 0.5;  // sigma of that noise
    int label = -1;      // cvae: the class to decode (--class); -1: the default class 0
    uint64_t seed = 1;
};

int run_sample(const SampleArgs& a) {
    Loaded m = load_model(a.model);
    if (a.label >= 0 && !m.model.is_conditional())
        throw ae::Error("--class " + std::to_string(a.label) + ": " + a.model + " is a '" + m.file.config.model.type +
                        "' model; only a conditional VAE (cvae) decodes a chosen class");
    if (a.label >= m.model.condition_dim() && m.model.is_conditional())
        throw ae::Error("--class " + std::to_string(a.label) + ": " + a.model + " has classes 0.." +
                        std::to_string(m.model.condition_dim() - 1));
    if (a.label >= 0 && a.around >= 0)
        throw ae::Error("--class with --around: not available (the class of a test image is swapped by "
                        "ae reconstruct --class)");
    ae::DatasetPair data;
    if ((!is_vae(m.file) && !m.model.is_vq()) || a.around >= 0) data = load_data(a.data, m);
    ae::SampleSet s;
    if (a.around >= 0) {  // sampling.h sample_around: z(I) + sigma * eps
        check_test_index(data.test, a.around, "--around");
        s = ae::sample_around(m.model, images(data.test, a.around, 1).col(0), a.n, a.noise, a.seed);
    } else {
        s = ae::sample_model(m.model, &data.train, ae::SampleOptions{a.n, a.seed, a.fit_codes, a.label});
    }
    const ae::ModelConfig& c = m.file.config.model;
    const int g = a.grid_cols > 0 ? a.grid_cols : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(a.n))));
    ae::write_png(a.out, ae::render_image_grid(s.images, c.input_rows, c.input_cols, g, a.scale));
    std::printf("%d samples decoded from %s (seed %llu): %s\n", a.n, s.description.c_str(),
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
    const ae::InterpolationStrip st =
        ae::interpolation_strip(m.model, images(test, a.a, 1).col(0), images(test, a.b, 1).col(0), a.steps,
                                a.slerp ? ae::InterpolationMode::slerp : ae::InterpolationMode::lerp);
    ae::Matrix both(test.dim(), 2 * a.steps);
    both << st.decoded, st.blend;
    ae::write_png(a.out, ae::render_image_grid(both, test.rows, test.cols, a.steps, a.scale));
    std::printf("test images %d (%s) -> %d (%s), %d steps: top row decoded %s path, bottom row pixel blend: %s\n", a.a,
                test.class_names[test.labels[a.a]].c_str(), a.b, test.class_names[test.labels[a.b]].c_str(), a.steps,
                a.slerp ? "slerp" : "lerp", a.out.c_str());
    return 0;
}

// --- ae manifold ----------------------------------------------------------------------------------------

struct ManifoldArgs {
    std::string model, out = "manifold.png", spacing = "auto", plane = "latent";
    DataArgs data;
    std::vector<int> dims = {0, 1};
    std::vector<double> range;  // empty: the quantile range of manifold.h
    std::vector<double> quantiles = {0.01, 0.99};
    int n = 20, scale = 1;
};

ae::ManifoldOptions manifold_options(const ManifoldArgs& a) {
    if (a.dims.size() != 2) throw ae::Error("--dims: expected two latent dimensions, e.g. 0,1");
    if (!a.range.empty() && (a.range.size() != 2 || !(a.range[0] < a.range[1])))
        throw ae::Error("--range: expected LO,HI with LO < HI");
    if (a.quantiles.size() != 2) throw ae::Error("--quantiles: expected QLO,QHI");
    ae::ManifoldOptions o;
    o.n = a.n;
    o.plane = ae::manifold_plane_from_string(a.plane);
    o.dim_x = a.dims[0];
    o.dim_y = a.dims[1];
    if (a.spacing != "auto") o.spacing = ae::grid_spacing_from_string(a.spacing);
    o.q_lo = a.quantiles[0];
    o.q_hi = a.quantiles[1];
    if (a.range.size() == 2) o.range = std::make_pair(a.range[0], a.range[1]);
    return o;
}

int run_manifold(const ManifoldArgs& a) {
    Loaded m = load_model(a.model);
    const ae::ManifoldOptions o = manifold_options(a);
    ae::Matrix codes;  // the first kAnalysisCodes test codes (codes.h); a VAE's latent plane with a range needs none
    if (!is_vae(m.file) || o.plane == ae::ManifoldPlane::pca || !o.range)
        codes = ae::dataset_codes(m.model, load_data(a.data, m).test);
    const ae::ManifoldGrid g = ae::manifold_grid(m.model, codes, o);
    const ae::ModelConfig& c = m.file.config.model;
    ae::write_png(a.out, ae::render_image_grid(g.images, c.input_rows, c.input_cols, a.n, a.scale));
    std::printf("%dx%d grid, %s in [%.3g, %.3g] (left to right), %s in [%.3g, %.3g] (bottom to top), %s, %s spacing: %s\n",
                a.n, a.n, g.x_label.c_str(), g.x_lo, g.x_hi, g.y_label.c_str(), g.y_lo, g.y_hi, g.range_source.c_str(),
                ae::grid_spacing_name(g.spacing), a.out.c_str());
    return 0;
}

// --- ae analyze -----------------------------------------------------------------------------------------

struct AnalyzeArgs {
    std::string model, out = "analysis.json";
    DataArgs data;
    int n = 8, grid = 5, steps = 6, a = 0, b = 1, bins = 40, worst = 16;
    uint64_t seed = 1;
};

json floats(const ae::Matrix& m) { return std::vector<float>(m.data(), m.data() + m.size()); }

// The numbers behind samples, manifold, interpolation and the anomaly report, as JSON (column-major
// matrices flattened: image after image), so another host (tests/wasm/analysis.test.js) can compare.
int run_analyze(const AnalyzeArgs& a) {
    Loaded m = load_model(a.model);
    const ae::DatasetPair data = load_data(a.data, m);
    json j;
    j["model"] = a.model;
    j["data"] = {{"train", data.train.name}, {"train_count", data.train.count}, {"test", data.test.name},
                 {"test_count", data.test.count}};
    const ae::SampleSet s = ae::sample_model(m.model, &data.train, ae::SampleOptions{a.n, a.seed, ae::kAnalysisCodes});
    j["samples"] = {{"n", a.n}, {"seed", a.seed}, {"source", ae::sample_source_name(s.source)}, {"codes", floats(s.codes)},
                    {"images", floats(s.images)}};
    const ae::Matrix codes = ae::dataset_codes(m.model, data.test);
    j["manifold"] = json::object();
    for (const ae::ManifoldPlane plane : {ae::ManifoldPlane::latent_dims, ae::ManifoldPlane::pca}) {
        ae::ManifoldOptions o;
        o.n = a.grid;
        o.plane = plane;
        const ae::ManifoldGrid g = ae::manifold_grid(m.model, codes, o);
        j["manifold"][ae::manifold_plane_name(plane)] = {
            {"n", a.grid}, {"range", {g.x_lo, g.x_hi, g.y_lo, g.y_hi}}, {"points", floats(g.points)},
            {"images", floats(g.images)}};
    }
    const ae::Vector xa = images(data.test, a.a, 1).col(0), xb = images(data.test, a.b, 1).col(0);
    for (const ae::InterpolationMode mode : {ae::InterpolationMode::lerp, ae::InterpolationMode::slerp}) {
        const ae::InterpolationStrip st = ae::interpolation_strip(m.model, xa, xb, a.steps, mode);
        j["interpolation"][ae::interpolation_mode_name(mode)] = {
            {"a", a.a}, {"b", a.b}, {"steps", a.steps}, {"codes", floats(st.codes)}, {"decoded", floats(st.decoded)},
            {"blend", floats(st.blend)}};
    }
    ae::AnomalyOptions ao;
    ao.bins = a.bins;
    ao.worst = a.worst;
    const ae::AnomalyReport r = ae::anomaly_report(m.model, data.test, ao);
    json auc = json::array();
    for (double v : r.auroc_by_class) auc.push_back(std::isfinite(v) ? json(v) : json(nullptr));
    j["anomaly"] = {{"errors", r.errors}, {"counts", r.histogram.counts}, {"edges", r.histogram.edges},
                    {"worst", r.worst}, {"worst_errors", r.worst_errors}, {"auroc_by_class", auc}, {"mse", r.mse},
                    {"psnr", r.psnr}, {"ssim", r.ssim}, {"ssim_images", r.ssim_images}};
    write_text(a.out, j.dump() + "\n");
    std::printf("analysis of %s on %s: %s\n", a.model.c_str(), data.test.name.c_str(), a.out.c_str());
    return 0;
}

// --- ae reconstruct -------------------------------------------------------------------------------------

struct ReconArgs {
    std::string model, out = "recon.f32", codes_out;
    DataArgs data;
    int first = 16;
    int label = -1;  // cvae: decode every code with this class (--class; the swap), -1: each image's own class
};

int run_reconstruct(const ReconArgs& a) {
    Loaded m = load_model(a.model);
    ae::DatasetPair data = load_data(a.data, m);
    const int n = std::min(a.first, data.test.count);
    const ae::Matrix x = images(data.test, 0, n);
    if (a.label >= 0 && !m.model.is_conditional())
        throw ae::Error("--class " + std::to_string(a.label) + ": " + a.model + " is a '" + m.file.config.model.type +
                        "' model; only a conditional VAE (cvae) swaps the class");
    if (a.label >= m.model.condition_dim() && m.model.is_conditional())
        throw ae::Error("--class " + std::to_string(a.label) + ": " + a.model + " has classes 0.." +
                        std::to_string(m.model.condition_dim() - 1));
    const std::vector<int> own = condition_labels(m, data.test);  // cvae: q(z | x, its class)
    const ae::Matrix z = m.model.encode(x, nullptr, labels_or_null(own));
    const std::vector<int> to(static_cast<size_t>(n), a.label);
    const ae::Matrix r = m.model.decode(z, nullptr, a.label >= 0 ? to.data() : labels_or_null(own));
    // Column-major [D, n] is image-major [n, D] in memory: float32, little-endian (x86-64 and WebAssembly).
    ae::write_file_atomic(a.out, r.data(), sizeof(float) * static_cast<size_t>(r.size()));
    if (!a.codes_out.empty()) ae::write_file_atomic(a.codes_out, z.data(), sizeof(float) * static_cast<size_t>(z.size()));
    std::printf("%d reconstructions of the first test images, float32 [%d, %d]: %s\n", n, n, static_cast<int>(x.rows()),
                a.out.c_str());
    return 0;
}

// --- ae traverse ----------------------------------------------------------------------------------------

struct TraverseArgs {
    std::string model, out = "traverse.png";
    DataArgs data;
    int image = 0, bins = 20, scale = 2;
    ae::TraversalOptions t;
};

// A text histogram: one block character per bin, height by count relative to the fullest bin.
std::string histogram_bar(const std::vector<int>& counts) {
    static const char* blocks[] = {" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};
    const int top = std::max(1, *std::max_element(counts.begin(), counts.end()));
    std::string s;
    for (int c : counts) s += blocks[c == 0 ? 0 : 1 + (7 * c) / top];
    return s;
}

// traversal.h: the decoded traversal of test image --image (rows = latent dimensions) as a PNG, and each
// latent variable's histogram over the first 2000 test codes as text.
int run_traverse(const TraverseArgs& a) {
    Loaded m = load_model(a.model);
    ae::DatasetPair data = load_data(a.data, m);
    const ae::Dataset& test = data.test;
    check_test_index(test, a.image, "--image");
    const ae::Matrix codes = ae::dataset_codes(m.model, test);
    const ae::Traversal t = ae::latent_traversal(m.model, images(test, a.image, 1).col(0), codes, a.t);
    ae::write_png(a.out, ae::render_image_grid(t.images, test.rows, test.cols, t.steps, a.scale));
    std::printf("test image %d (%s): %zu rows x %d steps, ranges from the %s, other dimensions at its code: %s\n",
                a.image, test.class_names[test.labels[a.image]].c_str(), t.dims.size(), t.steps,
                t.range_source.c_str(), a.out.c_str());
    for (size_t r = 0; r < t.dims.size(); ++r)
        std::printf("  row %2zu: z%-3d from %8.3f to %8.3f (the image's value %8.3f)\n", r + 1, t.dims[r] + 1, t.lo[r],
                    t.hi[r], t.base(t.dims[r]));
    const std::vector<ae::LatentHistogram> h = ae::latent_histograms(codes, a.bins);
    std::printf("\nhistograms of the %lld test codes%s (%d bins from min to max):\n",
                static_cast<long long>(codes.cols()), m.model.is_vae() ? " (mu; the prior is N(0, 1))" : "", a.bins);
    for (size_t d = 0; d < h.size(); ++d)
        std::printf("  z%-3zu mean %8.3f  sd %7.3f  [%8.3f, %8.3f] |%s|\n", d + 1, h[d].mean, h[d].sd, h[d].lo, h[d].hi,
                    histogram_bar(h[d].counts).c_str());
    return 0;
}

// --- ae neighbors ---------------------------------------------------------------------------------------

struct NeighborsArgs {
    std::string model, out = "nn.png", metric = "euclidean";
    DataArgs data;
    int query = 0, k = 8, scale = 2, threads = default_threads();
};

// retrieval.h: the k test images nearest to test image --query by code distance and by pixel distance, each
// with its precision@k by class; the PNG has two rows, the query then its neighbours by code, and by pixels.
int run_neighbors(const NeighborsArgs& a) {
    Loaded m = load_model(a.model);
    ae::DatasetPair data = load_data(a.data, m);
    const ae::Dataset& test = data.test;
    check_test_index(test, a.query, "--query");
    if (a.k >= test.count)
        throw ae::Error("--k " + std::to_string(a.k) + ": the test set has only " + std::to_string(test.count) +
                        " images");
    ae::ThreadPool pool(a.threads);
    const ae::Distance metric = ae::distance_from_name(a.metric, "--metric");
    const ae::Matrix pixels = images(test, 0, test.count);
    const ae::Matrix codes = ae::dataset_codes(m.model, test, test.count, &pool);
    const ae::NeighborComparison r = ae::compare_neighbors(codes, pixels, test.labels, codes.col(a.query),
                                                           pixels.col(a.query), a.k, metric, a.query,
                                                           test.labels[a.query]);
    ae::Matrix grid(pixels.rows(), 2 * (a.k + 1));
    for (int row = 0; row < 2; ++row) {
        const ae::Neighbors& nn = row == 0 ? r.by_code : r.by_pixels;
        grid.col(row * (a.k + 1)) = pixels.col(a.query);
        for (int i = 0; i < a.k; ++i) grid.col(row * (a.k + 1) + 1 + i) = pixels.col(nn.indices[i]);
    }
    ae::write_png(a.out, ae::render_image_grid(grid, test.rows, test.cols, a.k + 1, a.scale));
    std::printf("test image %d (%s): its %d nearest of the other %d test images, %s distance\n", a.query,
                test.class_names[test.labels[a.query]].c_str(), a.k, test.count - 1, ae::distance_name(metric));
    for (int row = 0; row < 2; ++row) {
        const ae::Neighbors& nn = row == 0 ? r.by_code : r.by_pixels;
        std::printf("  by %-6s precision@%d %.3f:", row == 0 ? "code" : "pixels", a.k,
                    row == 0 ? r.code_precision : r.pixel_precision);
        for (int i = 0; i < a.k; ++i)
            std::printf(" #%d %s (%.3g)%s", nn.indices[i], test.class_names[test.labels[nn.indices[i]]].c_str(),
                        nn.distances[i], i + 1 < a.k ? "," : "\n");
    }
    std::printf("%s: row 1 the query and its neighbours by code (%lld-D), row 2 by pixels\n", a.out.c_str(),
                static_cast<long long>(codes.rows()));
    return 0;
}

// --- ae arithmetic --------------------------------------------------------------------------------------

struct ArithmeticArgs {
    std::string model, out = "arithmetic.png", from, to, analogy;
    DataArgs data;
    int image = 0, steps = 7, scale = 2, threads = default_threads();
    std::vector<double> range = {-1.0, 2.0};
};

// A class given by index ("7") or by name, case-insensitively ("sneaker", "Ankle boot").
int class_index(const ae::Dataset& d, const std::string& text, const std::string& flag) {
    auto lower = [](std::string s) {
        for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return s;
    };
    for (int c = 0; c < d.num_classes(); ++c)
        if (text == std::to_string(c) || lower(text) == lower(d.class_names[c])) return c;
    std::string names;
    for (const std::string& n : d.class_names) names += (names.empty() ? "" : ", ") + n;
    throw ae::Error(flag + " " + text + ": not a class of " + d.name + " (0.." + std::to_string(d.num_classes() - 1) +
                    " or one of: " + names + ")");
}

// arithmetic.h: with --from/--to, row 1 decodes test image --image's code plus s (mean(to) - mean(from)) for
// --steps strengths over --range (class means over the first 10,000 training codes); with --analogy A,B,C,
// a row of the reconstructions of A, B, C and the decoding of z(A) - z(B) + z(C).
int run_arithmetic(const ArithmeticArgs& a) {
    if (a.from.empty() != a.to.empty()) throw ae::Error("--from and --to go together");
    if (a.from.empty() && a.analogy.empty()) throw ae::Error("give --from C --to C (an attribute vector) or --analogy A,B,C");
    Loaded m = load_model(a.model);
    ae::DatasetPair data = load_data(a.data, m);
    const ae::Dataset& test = data.test;
    ae::ThreadPool pool(a.threads);
    std::vector<ae::Matrix> rows;
    int width = 0;
    if (!a.from.empty()) {
        check_test_index(test, a.image, "--image");
        const int from = class_index(test, a.from, "--from"), to = class_index(test, a.to, "--to");
        if (a.range.size() != 2 || !(a.range[0] < a.range[1])) throw ae::Error("--range: expected LO,HI with LO < HI");
        const ae::Dataset& train = data.train;
        const int n = std::min(train.count, 10000);
        const ae::ClassMeans means = ae::class_mean_codes(
            m.model.encode(images(train, 0, n), &pool),
            std::vector<uint8_t>(train.labels.begin(), train.labels.begin() + n), train.num_classes());
        const ae::ArithmeticStrip st =
            ae::attribute_strip(m.model, images(test, a.image, 1).col(0), ae::attribute_vector(means, from, to),
                                ae::strength_range(a.range[0], a.range[1], a.steps));
        rows.push_back(st.images);
        width = a.steps;
        std::printf("test image %d (%s) + s (mean(%s) - mean(%s)), class means over %d training codes, s =", a.image,
                    test.class_names[test.labels[a.image]].c_str(), test.class_names[to].c_str(),
                    test.class_names[from].c_str(), n);
        for (double s : st.strengths) std::printf(" %g", s);
        std::printf("\n");
    }
    if (!a.analogy.empty()) {
        int idx[3];
        char tail = 0;
        if (std::sscanf(a.analogy.c_str(), "%d,%d,%d%c", &idx[0], &idx[1], &idx[2], &tail) != 3)
            throw ae::Error("--analogy " + a.analogy + ": expected three test image indices A,B,C");
        for (int i : idx) check_test_index(test, i, "--analogy");
        const ae::Analogy r = ae::latent_analogy(m.model, images(test, idx[0], 1).col(0), images(test, idx[1], 1).col(0),
                                                 images(test, idx[2], 1).col(0));
        rows.push_back(r.images);
        width = std::max(width, 4);
        auto cls = [&](int i) { return test.class_names[test.labels[i]]; };
        std::printf("analogy: z(#%d %s) - z(#%d %s) + z(#%d %s), decoded after their reconstructions\n", idx[0],
                    cls(idx[0]).c_str(), idx[1], cls(idx[1]).c_str(), idx[2], cls(idx[2]).c_str());
    }
    // One row per part, padded with blank cells to the widest.
    ae::Matrix grid = ae::Matrix::Zero(test.dim(), width * static_cast<int>(rows.size()));
    for (size_t r = 0; r < rows.size(); ++r) grid.middleCols(static_cast<Eigen::Index>(r) * width, rows[r].cols()) = rows[r];
    ae::write_png(a.out, ae::render_image_grid(grid, test.rows, test.cols, width, a.scale));
    std::printf("%s\n", a.out.c_str());
    return 0;
}

// --- ae embed -------------------------------------------------------------------------------------------

struct EmbedArgs {
    std::string model, out = "map.png", method = "tsne", space = "codes";
    DataArgs data;
    int n = ae::kAnalysisCodes, threads = default_threads();
    ae::TsneOptions tsne;
    ae::UmapOptions umap;
};

// The codes (or pixels) of n test images spread evenly over the test set mapped to 2-D by PCA
// (latent_project_2d, the map of every host)
// or t-SNE (tsne.h) or UMAP (umap.h), drawn as a scatter coloured by class, with its 5-NN accuracy.
int run_embed(const EmbedArgs& a) {
    Loaded m = load_model(a.model);
    ae::DatasetPair data = load_data(a.data, m);
    const ae::Dataset& test = data.test;
    const int n = std::min(a.n, test.count);
    ae::ThreadPool pool(a.threads);
    // n test images spread evenly over the test set (embedding.h), so every class shows in MNIST's sorted split.
    const std::vector<int> idx = ae::spread_indices(test.count, n);
    const ae::Matrix pixels = ae::select_columns(images(test, 0, test.count), idx);
    const ae::Matrix x = a.space == "pixels" || a.method == "compare" ? pixels : m.model.encode(pixels, &pool);
    const std::vector<uint8_t> labels = ae::select_labels(test.labels, idx);
    const std::string what = a.space == "pixels" ? "pixels" : std::to_string(x.rows()) + "-D codes";
    const auto t0 = std::chrono::steady_clock::now();
    if (a.method == "compare") {
        // embedding.h: PCA and t-SNE of the pixels and of the codes, 2 x 2, each with its map 5-NN accuracy.
        const std::vector<ae::EmbeddingView> v =
            ae::compare_embeddings(x, m.model.encode(x, &pool), labels, a.tsne);
        std::vector<ae::Image> figs;
        std::printf("%d test images (spread over the test set), 5-NN accuracy of each 2-D map (even-indexed points classify the odd):\n", n);
        for (const ae::EmbeddingView& e : v) {
            char title[160];
            std::snprintf(title, sizeof title, "%s: 5-NN %.3f", e.title.c_str(), e.knn_accuracy);
            figs.push_back(ae::render_scatter(e.points, labels, test.class_names, title, e.x_label, e.y_label, 700, 540));
            std::printf("  %-40s %.3f", e.title.c_str(), e.knn_accuracy);
            if (e.kl >= 0) std::printf("  (KL %.3f)", e.kl);
            if (e.explained >= 0) std::printf("  (%.0f%% of the variance)", 100 * e.explained);
            std::printf("\n");
        }
        ae::write_png(a.out, ae::tile_images(figs, 2));
        std::printf("%.2f s: %s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                    a.out.c_str());
        return 0;
    }
    ae::Matrix points;
    std::string title, x_label, y_label;
    if (a.method == "pca") {
        ae::LatentProjection p = ae::latent_project_2d(x);
        points = p.points;
        x_label = p.x_label;
        y_label = p.y_label;
        title = "PCA of the " + what + " of " + std::to_string(n) + " test images";
        if (p.uses_pca) title += " (" + std::to_string(static_cast<int>(std::lround(100.0 * p.explained))) + "% of variance)";
        std::printf("PCA of the %s of %d test images", what.c_str(), n);
    } else if (a.method == "umap") {
        ae::UmapOptions o = a.umap;
        o.seed = a.tsne.seed;
        points = ae::umap_embed(x, o);
        char buf[160];
        std::snprintf(buf, sizeof buf, "UMAP of the %s of %d test images (%d neighbours)", what.c_str(), n,
                      o.n_neighbors);
        title = buf;
        x_label = "UMAP 1";
        y_label = "UMAP 2";
        std::printf("UMAP of the %s of %d test images: %d neighbours, min_dist %g, %d epochs, 5-NN %.3f", what.c_str(),
                    n, o.n_neighbors, o.min_dist, o.epochs, ae::map_knn_accuracy(points, labels));
    } else {
        ae::Tsne t(x, a.tsne);
        const ae::TsneProgress r = t.step(a.tsne.iterations);
        points = r.embedding;
        char buf[160];
        std::snprintf(buf, sizeof buf, "t-SNE of the %s of %d test images (perplexity %g, KL %.3f)", what.c_str(), n,
                      a.tsne.perplexity, r.kl);
        title = buf;
        x_label = "t-SNE 1";
        y_label = "t-SNE 2";
        std::printf("t-SNE of the %s of %d test images: perplexity %g, learning rate %g, %d iterations, KL %.4f",
                    what.c_str(), n, a.tsne.perplexity, t.learning_rate(), r.iteration, r.kl);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ae::write_png(a.out, ae::render_scatter(points, labels, test.class_names, title, x_label, y_label, 1000, 760));
    std::printf(", %.2f s: %s\n", s, a.out.c_str());
    return 0;
}

// --- ae field -------------------------------------------------------------------------------------------

struct FieldArgs {
    std::string model, out = "field.png";
    DataArgs data;
    int n = 24;
    float arrow_scale = 1.0f;
    std::vector<float> range = {0.0f, 1.0f};
};

std::string fmt_g(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// The reconstruction field of a model on 2-D points over an n x n grid of [lo, hi]² (vector_field.h
// field_view), drawn with the test points and their reconstructions into `path`.
ae::FieldView write_field_png(const std::string& path, const ae::Autoencoder& model, const ae::Dataset& test, int n,
                              float lo, float hi, float arrow_scale, ae::ThreadPool* pool) {
    ae::FieldView v = ae::field_view(model, test, lo, hi, n, test.count, pool, arrow_scale);
    char title[160];
    std::snprintf(title, sizeof title, "r(x) - x, %s AE: alignment %.3f", model.config().type.c_str(),
                  v.alignment.mean_cosine);
    ae::write_png(path, ae::render_vector_field(v.points, v.labels, test.class_names, v.reconstructions,
                                                v.field.grid, v.field.field, title, 900, 820, arrow_scale));
    return v;
}

int run_field(const FieldArgs& a) {
    if (!(a.range[0] < a.range[1]))
        throw ae::Error("--range " + fmt_g(a.range[0]) + "," + fmt_g(a.range[1]) + ": expected LO < HI");
    Loaded m = load_model(a.model);
    ae::DatasetPair data = load_data(a.data, m);
    ae::ThreadPool pool(default_threads());
    const ae::FieldView f = write_field_png(a.out, m.model, data.test, a.n, a.range[0], a.range[1], a.arrow_scale, &pool);
    const ae::FieldAlignmentOptions o;
    double mean_length = 0.0;
    for (Eigen::Index k = 0; k < f.field.field.cols(); ++k) mean_length += f.field.field.col(k).norm();
    mean_length /= static_cast<double>(f.field.field.cols());
    std::printf("%s on %s (%d points): r(x) - x on a %d x %d grid over [%g, %g]^2, mean length %.4f\n",
                a.model.c_str(), data.test.name.c_str(), data.test.count, a.n, a.n, a.range[0], a.range[1],
                mean_length);
    std::printf("alignment %.4f: mean cosine between r(x) - x and the direction to the nearest test point, over the "
                "%d grid points %g..%g away\n",
                f.alignment.mean_cosine, f.alignment.points, o.min_distance, o.max_distance);
    std::printf("figure: %s\n", a.out.c_str());
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
        eval_->add_option("--retrieval-k", ea_.retrieval_k, "k of the retrieval precision@k")
            ->check(CLI::Range(1, 1000))
            ->capture_default_str();
        eval_->add_option("--metric", ea_.metric, "Distance for retrieval")
            ->check(CLI::IsMember({"euclidean", "cosine"}))
            ->capture_default_str();
        eval_->add_option("--anomaly-class", ea_.anomaly_class,
                          "Class scored as the anomaly for AUROC (default: the class excluded in training, if any)");
        eval_->add_option("--iwae", ea_.iwae, "Importance samples K for the IWAE bound (VAE only)")
            ->check(CLI::Range(1, 100000));
        eval_->add_option("--seed", ea_.seed, "Seed of the VAE's z samples (ELBO, IWAE)")->capture_default_str();
        eval_->add_option("--radius", ea_.radius, "Hamming ball radius in bits for the retrieval (hashing only)")
            ->check(CLI::Range(0, 65536))
            ->capture_default_str();
        eval_->add_option("--threads", ea_.threads, "Threads for the matrix products")->check(CLI::Range(1, 256))
            ->capture_default_str();

        sample_ = app.add_subcommand("sample", "Decode random codes into an image grid (VAE: the prior; vqvae: each group's "
                                              "codebook index drawn from the last training epoch's code frequencies, the "
                                              "simple independent prior, not the paper's PixelCNN)");
        sample_->add_option("model", sa_.model, "Model file")->required()->check(CLI::ExistingFile);
        sample_->add_option("--n", sa_.n, "Number of samples")->check(CLI::Range(1, 10000))->capture_default_str();
        sample_->add_option("--out", sa_.out, "PNG file")->capture_default_str();
        sample_->add_option("--seed", sa_.seed, "Random seed")->capture_default_str();
        sample_->add_option("--class", sa_.label, "cvae: the class to generate (default 0)")->check(CLI::Range(0, 65535));
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
        manifold_->add_option("--plane", ma_.plane, "latent (the --dims) or pca (the codes' first two principal components)")
            ->check(CLI::IsMember({"latent", "pca"}))
            ->capture_default_str();
        manifold_->add_option("--range", ma_.range,
                              "LO,HI for both axes (default: the --quantiles range: of the prior for a VAE, of the "
                              "first 2000 test codes otherwise)")
            ->delimiter(',')
            ->expected(2);
        manifold_->add_option("--quantiles", ma_.quantiles, "QLO,QHI of the default range")
            ->delimiter(',')
            ->expected(2);
        manifold_->add_option("--spacing", ma_.spacing,
                              "auto (VAE: normal, else linear), linear, or normal (inverse normal CDF: equal probability)")
            ->check(CLI::IsMember({"auto", "linear", "normal"}))
            ->capture_default_str();
        manifold_->add_option("--n", ma_.n, "Grid side")->check(CLI::Range(2, 100))->capture_default_str();
        manifold_->add_option("--scale", ma_.scale, "Pixel upscaling")->check(CLI::Range(1, 16))->capture_default_str();
        manifold_->add_option("--out", ma_.out, "PNG file")->capture_default_str();
        add_data_args(manifold_, ma_.data);

        analyze_ = app.add_subcommand("analyze", "Write the numbers of samples, manifold, interpolation and anomaly "
                                                 "report as JSON (for comparing hosts)");
        analyze_->add_option("model", aa_.model, "Model file")->required()->check(CLI::ExistingFile);
        analyze_->add_option("--out", aa_.out, "JSON file")->capture_default_str();
        analyze_->add_option("--n", aa_.n, "Samples")->check(CLI::Range(1, 1000))->capture_default_str();
        analyze_->add_option("--seed", aa_.seed, "Sample seed")->capture_default_str();
        analyze_->add_option("--grid", aa_.grid, "Manifold grid side")->check(CLI::Range(1, 64))->capture_default_str();
        analyze_->add_option("--steps", aa_.steps, "Interpolation steps")->check(CLI::Range(2, 64))->capture_default_str();
        analyze_->add_option("--a", aa_.a, "First test image of the interpolation")->capture_default_str();
        analyze_->add_option("--b", aa_.b, "Second test image")->capture_default_str();
        analyze_->add_option("--worst", aa_.worst, "Worst images in the anomaly report")->capture_default_str();
        add_data_args(analyze_, aa_.data);

        traverse_ = app.add_subcommand("traverse", "Decode each latent dimension moving over its range with the others "
                                                   "at a test image's code (rows = dimensions), and print each latent "
                                                   "variable's histogram");
        traverse_->add_option("model", ta_.model, "Model file")->required()->check(CLI::ExistingFile);
        traverse_->add_option("--image", ta_.image, "Test image index")->check(CLI::NonNegativeNumber)->capture_default_str();
        traverse_->add_option("--steps", ta_.t.steps, "Images per row")->check(CLI::Range(2, 64))->capture_default_str();
        traverse_->add_option("--dims", ta_.t.max_dims,
                              "Rows: all dimensions up to this many, else those of largest code variance")
            ->check(CLI::Range(1, 256))
            ->capture_default_str();
        traverse_->add_option("--bins", ta_.bins, "Histogram bins")->check(CLI::Range(1, 200))->capture_default_str();
        add_png_args(traverse_, ta_.out, ta_.scale, nullptr, ta_.data);

        embed_ = app.add_subcommand("embed", "Map the codes (or pixels) of test images to 2-D by PCA, t-SNE or UMAP, as a "
                                             "scatter PNG coloured by class");
        embed_->add_option("model", ba_.model, "Model file")->required()->check(CLI::ExistingFile);
        embed_->add_option("--method", ba_.method,
                           "pca, tsne (Barnes-Hut t-SNE), umap, or compare (PCA and t-SNE of the pixels and of the "
                           "codes, 2 x 2, with each map's 5-NN accuracy)")
            ->check(CLI::IsMember({"pca", "tsne", "umap", "compare"}))
            ->capture_default_str();
        embed_->add_option("--space", ba_.space, "codes (the model's encode) or pixels")
            ->check(CLI::IsMember({"codes", "pixels"}))
            ->capture_default_str();
        embed_->add_option("--n", ba_.n, "Number of test images (spread evenly over the test set)")->check(CLI::Range(1, ae::kTsneMaxPoints))
            ->capture_default_str();
        embed_->add_option("--perplexity", ba_.tsne.perplexity, "t-SNE perplexity (< (n - 1) / 3)")
            ->capture_default_str();
        embed_->add_option("--iterations", ba_.tsne.iterations, "t-SNE iterations")->check(CLI::Range(1, 100000))
            ->capture_default_str();
        embed_->add_option("--learning-rate", ba_.tsne.learning_rate, "t-SNE learning rate (0: max(n / 48, 50))")
            ->capture_default_str();
        embed_->add_option("--exaggeration", ba_.tsne.early_exaggeration,
                           "t-SNE early exaggeration (first 250 iterations)")
            ->capture_default_str();
        embed_->add_option("--theta", ba_.tsne.theta, "Barnes-Hut accuracy (0: exact)")->capture_default_str();
        embed_->add_option("--seed", ba_.tsne.seed, "t-SNE seed (start positions); UMAP seed (negative samples)")
            ->capture_default_str();
        embed_->add_option("--neighbors", ba_.umap.n_neighbors, "UMAP n_neighbors (the point itself counted)")
            ->check(CLI::Range(2, 1000))->capture_default_str();
        embed_->add_option("--min-dist", ba_.umap.min_dist, "UMAP min_dist")->check(CLI::Range(0.0, 2.99))
            ->capture_default_str();
        embed_->add_option("--epochs", ba_.umap.epochs, "UMAP epochs")->check(CLI::Range(1, 100000))->capture_default_str();
        embed_->add_option("--out", ba_.out, "PNG file")->capture_default_str();
        embed_->add_option("--threads", ba_.threads, "Threads for the encoder")->check(CLI::Range(1, 256))
            ->capture_default_str();
        add_data_args(embed_, ba_.data);

        neighbors_ = app.add_subcommand("neighbors", "The test images nearest to one test image by code distance "
                                                     "and by pixel distance, with the precision@k of each");
        neighbors_->add_option("model", na_.model, "Model file")->required()->check(CLI::ExistingFile);
        neighbors_->add_option("--query", na_.query, "Test image index")->check(CLI::NonNegativeNumber)
            ->capture_default_str();
        neighbors_->add_option("--k", na_.k, "Neighbours")->check(CLI::Range(1, 64))->capture_default_str();
        neighbors_->add_option("--metric", na_.metric, "Distance, for codes and pixels alike")
            ->check(CLI::IsMember({"euclidean", "cosine"}))
            ->capture_default_str();
        add_png_args(neighbors_, na_.out, na_.scale, &na_.threads, na_.data);

        arith_ = app.add_subcommand("arithmetic", "Latent arithmetic: a test image's code moved along an attribute "
                                                  "vector (mean code of one class minus another's), or an analogy "
                                                  "z(A) - z(B) + z(C), decoded");
        arith_->add_option("model", aa2_.model, "Model file")->required()->check(CLI::ExistingFile);
        arith_->add_option("--image", aa2_.image, "Test image index the attribute vector is added to")
            ->capture_default_str();
        arith_->add_option("--from", aa2_.from, "Class the attribute vector starts from (index or name)");
        arith_->add_option("--to", aa2_.to, "Class it points to: v = mean(to) - mean(from)");
        arith_->add_option("--range", aa2_.range, "Strengths s from LO to HI")->delimiter(',')->expected(2)
            ->capture_default_str();
        arith_->add_option("--steps", aa2_.steps, "Number of strengths")->check(CLI::Range(2, 32))->capture_default_str();
        arith_->add_option("--analogy", aa2_.analogy, "Test image indices A,B,C: decode z(A) - z(B) + z(C)");
        add_png_args(arith_, aa2_.out, aa2_.scale, &aa2_.threads, aa2_.data);

        field_ = app.add_subcommand("field", "Models on 2-D points: the reconstruction vector field r(x) - x on a grid "
                                             "as arrows, with the test points and their reconstructions, and how well "
                                             "it points back to the data");
        field_->add_option("model", fa_.model, "Model file (trained with --data moons, circle, spiral or sine)")
            ->required()
            ->check(CLI::ExistingFile);
        field_->add_option("--n", fa_.n, "Grid side")->check(CLI::Range(2, 200))->capture_default_str();
        field_->add_option("--range", fa_.range, "LO,HI of both axes")->delimiter(',')->expected(2)->capture_default_str();
        field_->add_option("--arrow-scale", fa_.arrow_scale, "Arrow length per unit of r(x) - x (1: the head at r(x))")
            ->check(CLI::Range(0.0f, 100.0f))
            ->capture_default_str();
        field_->add_option("--out", fa_.out, "PNG file")->capture_default_str();
        add_data_args(field_, fa_.data);

        recon_ = app.add_subcommand("reconstruct", "Write the reconstructions of the first test images as raw float32");
        recon_->add_option("model", ra_.model, "Model file")->required()->check(CLI::ExistingFile);
        recon_->add_option("--first", ra_.first, "Number of test images")->check(CLI::Range(1, 1000000))
            ->capture_default_str();
        recon_->add_option("--out", ra_.out, "Output: float32 little-endian [n, D], image-major")->capture_default_str();
        recon_->add_option("--codes", ra_.codes_out, "Also write the codes, float32 [n, latent]");
        recon_->add_option("--class", ra_.label, "cvae: decode with this class instead of each image's own (the swap)")
            ->check(CLI::Range(0, 65535));
        add_data_args(recon_, ra_.data);
    }

    bool parsed() const override {
        return eval_->parsed() || analyze_->parsed() || sample_->parsed() || interp_->parsed() || manifold_->parsed() || recon_->parsed() ||
               embed_->parsed() || traverse_->parsed() || neighbors_->parsed() ||
               arith_->parsed() || field_->parsed();
    }

    int run() override {
        if (eval_->parsed()) return run_eval(ea_);
        if (sample_->parsed()) return run_sample(sa_);
        if (interp_->parsed()) return run_interpolate(ia_);
        if (manifold_->parsed()) return run_manifold(ma_);
        if (analyze_->parsed()) return run_analyze(aa_);
        if (embed_->parsed()) return run_embed(ba_);
        if (traverse_->parsed()) return run_traverse(ta_);
        if (neighbors_->parsed()) return run_neighbors(na_);
        if (arith_->parsed()) return run_arithmetic(aa2_);
        if (field_->parsed()) return run_field(fa_);
        return run_reconstruct(ra_);
    }

private:
    CLI::App *eval_, *sample_, *interp_, *manifold_, *analyze_, *recon_, *embed_, *traverse_, *neighbors_, *arith_,
        *field_;
    ArithmeticArgs aa2_;
    FieldArgs fa_;
    TraverseArgs ta_;
    NeighborsArgs na_;
    EvalArgs ea_;
    SampleArgs sa_;
    InterpArgs ia_;
    ManifoldArgs ma_;
    AnalyzeArgs aa_;
    ReconArgs ra_;
    EmbedArgs ba_;
};

}  // namespace

std::unique_ptr<ToolCommands> add_tool_commands(CLI::App& app) { return std::make_unique<Commands>(app); }

std::string write_train_figures(const std::string& out_dir, ae::TrainingSession& session) {
    const ae::Autoencoder& model = session.model();
    const ae::Dataset& test = session.test_data();
    if (test.has_values() && model.input_dim() == 2) {  // 2-D points: the vector field instead of a manifold
        write_field_png(out_dir + "/field.png", model, test, 24, 0.0f, 1.0f, 1.0f, &session.pool());
        return ", field.png";
    }
    if (model.latent_dim() != 2 || test.count == 0) return "";
    ae::ManifoldOptions o;  // manifold.h defaults: 20 x 20 over z1, z2
    const ae::ManifoldGrid g = ae::manifold_grid(model, ae::dataset_codes(model, test, ae::kAnalysisCodes, &session.pool()),
                                                 o, &session.pool());
    ae::write_png(out_dir + "/manifold.png", ae::render_image_grid(g.images, test.rows, test.cols, o.n, 1));
    return ", manifold.png";
}

}  // namespace ae_cli
