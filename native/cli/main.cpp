// `ae`: the headless autoencoder trainer. Every command only parses arguments, calls the core and
// writes reports; the math lives in core/.
//
//   ae train --data fashion-mnist --encoder 512,256 --latent 2 --epochs 10 --out runs/NAME
//   ae bench [--model b1|b2|b3|all] [--epochs 1] [--threads 2]
//   ae info
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "ae/atomic_file.h"
#include "ae/config.h"
#include "ae/dataset.h"
#include "ae/eigen.h"
#include "ae/error.h"
#include "ae/codes.h"
#include "ae/latent.h"
#include "ae/memory.h"
#include "ae/model_file.h"
#include "ae/options.h"
#include "ae/pca.h"
#include "ae/plot.h"
#include "ae/png.h"
#include "ae/safetensors.h"
#include "ae/sampling.h"
#include "ae/session.h"
#include "data_options.h"
#include "tools.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using ae_cli::DataOptions;

struct TrainOptions {
    DataOptions data;
    std::string config_file;
    std::string encoder = "512,256", decoder;
    std::string activation = "relu", latent_activation = "identity", output = "sigmoid";
    std::string loss = "bce", init = "torch", optimizer = "adam";
    std::string sparsity = "none", corruption = "none";
    float sparsity_weight = 0, sparsity_target = 0.05f, corruption_level = 0.3f, contractive_weight = 0.1f;
    float beta = 1.0f;
    int kl_warmup_epochs = 0;
    std::string out;
    bool quiet = false;
    int eval_every = 0;
    double memory_limit_gb = static_cast<double>(ae::kNativeMemoryLimit >> 30);  // --memory-limit, GiB; 0 = none
};

void add_data_options(CLI::App* cmd, DataOptions& d) {
    d.name = "fashion-mnist";
    ae_cli::add_data_options(cmd, d, "Data set: fashion-mnist, mnist, or idx (with --train-images ...)");
}

ae::DatasetPair load_data(const DataOptions& d) { return ae_cli::load_data(d, d.name); }

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

// Progress bar for the current epoch on a terminal; plain lines otherwise.
class Progress {
public:
    explicit Progress(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO)) {}
    void update(int epoch, int epochs, int batch, int batches, double loss, double rate) {
        if (quiet_ || !tty_) return;
        const int width = 30;
        const int filled = batches ? width * batch / batches : 0;
        std::string bar(filled, '#');
        bar += std::string(width - filled, '.');
        std::fprintf(stderr, "\repoch %d/%d [%s] %d/%d loss %.4f %s samples/s   ", epoch, epochs, bar.c_str(), batch,
                     batches, loss, fmt("%.0f", rate).c_str());
        std::fflush(stderr);
    }
    void epoch_done(const ae::EpochStats& s, int epochs) {
        if (quiet_) return;
        if (tty_) std::fprintf(stderr, "\r%100s\r", "");
        std::fprintf(stderr, "epoch %d/%d  train loss %.4f  test loss %.4f  test mse %.5f  %.0f samples/s  %.1f s\n",
                     s.epoch, epochs, s.train_loss, s.test_loss, s.test_mse, s.samples_per_sec, s.seconds);
        const ae::LossTerms& t = s.test_terms;
        if (t.kl != 0 || t.sparsity != 0 || t.contractive != 0)
            std::fprintf(stderr, "    test terms: reconstruction %.4f  kl %.4f  sparsity %.5f  contractive %.5f\n",
                         t.reconstruction, t.kl, t.sparsity, t.contractive);
    }

private:
    bool quiet_, tty_;
};

json terms_json(const ae::LossTerms& t) {
    return {{"reconstruction", t.reconstruction},
            {"kl", t.kl},
            {"sparsity", t.sparsity},
            {"contractive", t.contractive},
            {"total", t.total}};
}

json epoch_json(const ae::EpochStats& s) {
    json j = {{"epoch", s.epoch},
              {"train_loss", s.train_loss},
              {"test_loss", s.test_loss},
              {"test_mse", s.test_mse},
              {"train_terms", terms_json(s.train_terms)},
              {"test_terms", terms_json(s.test_terms)},
              {"test_mean_activation", s.test_mean_activation},
              {"test_near_zero_fraction", s.test_near_zero_fraction},
              {"samples_per_s", s.samples_per_sec},
              {"seconds", s.seconds}};
    if (!s.test_kl_per_dim.empty()) {
        j["test_kl_per_dim"] = s.test_kl_per_dim;
        j["test_active_units"] = s.test_active_units;
        j["kl_weight"] = s.kl_weight;
    }
    return j;
}

void write_text_atomic(const std::string& path, const std::string& text) {
    ae::write_file_atomic(path, text.data(), text.size());
}

// Test-set codes as a 2-D scatter through ae::latent_project_2d (the code itself for latent 2, its first
// two principal components above; latent 1: the code against the class).
void write_latent_png(const std::string& path, ae::TrainingSession& s) {
    const ae::Dataset& test = s.test_data();
    const ae::Matrix z = ae::dataset_codes(s.model(), test, test.count, &s.pool());
    ae::LatentProjection p = ae::latent_project_2d(z);
    std::string title = "Test-set codes (" + std::to_string(test.count) + " images)";
    if (z.rows() == 1) {
        for (int i = 0; i < z.cols(); ++i) p.points(1, i) = static_cast<float>(test.labels[i]);
        p.y_label = "class";
        title = "Test-set codes (1-D latent) by class";
    } else if (p.uses_pca) {
        title = "Test-set codes: PCA of the " + std::to_string(z.rows()) + "-D latent (" +
                fmt("%.0f", 100.0 * p.explained) + "% of variance)";
    }
    ae::write_png(path, ae::render_scatter(p.points, test.labels, test.class_names, title, p.x_label, p.y_label, 1000, 760));
}

// The values a config field accepts (options.h), for CLI11's checks.
const std::vector<std::string>& choices(const std::string& field) { return ae::config_choices().at(field); }

int run_train(const TrainOptions& o, ae::Config config) {
    ae::DatasetPair data = load_data(o.data);
    auto train = std::make_shared<const ae::Dataset>(std::move(data.train));
    auto test = std::make_shared<const ae::Dataset>(std::move(data.test));
    config.model.input_rows = train->rows;
    config.model.input_cols = train->cols;
    ae::config_validate(config);
    // The memory the model and its workspace need, checked before the output folder or the model exist.
    ae::SessionOptions session_options;
    session_options.memory_limit = static_cast<size_t>(o.memory_limit_gb * static_cast<double>(size_t{1} << 30));
    session_options.memory_limit_hint = "--memory-limit GB to raise it";
    if (session_options.memory_limit > 0)
        ae::check_memory(config, session_options.memory_limit, "the limit", session_options.memory_limit_hint);

    std::string out = o.out;
    if (out.empty()) out = "runs/" + o.data.name + "-" + config.model.type + "-seed" + std::to_string(config.train.seed);
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw ae::Error(out + ": cannot create the output directory: " + ec.message());

    if (!o.quiet)
        std::fprintf(stderr, "ae train: %s, %d train / %d test images %dx%d; model %s; %d thread(s); SIMD %s\n",
                     o.data.name.c_str(), train->count, test->count, train->rows, train->cols,
                     config.model.type.c_str(), config.train.threads, ae::simd_instruction_sets());

    ae::TrainingSession session(config, train, test, session_options);
    Progress progress(o.quiet);
    const int bpe = session.batches_per_epoch();
    const int chunk = std::max(1, std::min(bpe / 50, 20));
    size_t reported = 0;
    while (session.epoch() < config.train.epochs && !session.diverged()) {
        int todo = std::min(chunk, bpe - static_cast<int>(session.steps() % bpe));
        session.step(todo);
        const auto& losses = session.batch_losses();
        double recent = 0.0;
        int nrecent = 0;
        for (size_t i = losses.size(); i > 0 && nrecent < 20; --i, ++nrecent) recent += losses[i - 1];
        progress.update(session.epoch() + 1, config.train.epochs, static_cast<int>(session.steps() % bpe), bpe,
                        nrecent ? recent / nrecent : 0.0, session.samples_per_sec());
        for (; reported < session.epoch_stats().size(); ++reported)
            progress.epoch_done(session.epoch_stats()[reported], config.train.epochs);
    }

    // Reports (written even after divergence: the weights are those of the last good step).
    json metrics;
    metrics["config"] = json::parse(ae::config_to_json(config));
    metrics["data"] = {{"name", o.data.name}, {"train_count", train->count}, {"test_count", test->count},
                       {"rows", train->rows}, {"cols", train->cols}, {"class_names", test->class_names}};
    metrics["epochs"] = json::array();
    for (const auto& s : session.epoch_stats()) metrics["epochs"].push_back(epoch_json(s));
    ae::EpochStats final_stats;
    session.evaluate_test_stats(final_stats);
    const double test_loss = final_stats.test_loss, test_mse = final_stats.test_mse;
    metrics["final"] = epoch_json(final_stats);
    metrics["final"].erase("epoch");
    metrics["final"].erase("train_loss");
    metrics["final"].erase("train_terms");
    metrics["final"].erase("samples_per_s");
    metrics["final"].erase("seconds");
    metrics["final"]["steps"] = session.steps();
    metrics["final"]["loss_unit"] = ae::loss_unit(config.model);
    metrics["diverged"] = session.diverged();
    if (session.diverged()) metrics["message"] = session.message();
    metrics["simd"] = ae::simd_instruction_sets();
    write_text_atomic(out + "/metrics.json", metrics.dump(2) + "\n");

    session.publish_views();
    ae::Snapshot snap = session.snapshot();
    ae::write_png(out + "/reconstructions.png",
                  ae::render_reconstructions(snap.view_corrupted.size() ? snap.view_corrupted : snap.view_inputs,
                                             snap.view_reconstructions, snap.image_rows,
                                             snap.image_cols, static_cast<int>(snap.view_inputs.cols()), 4));
    write_latent_png(out + "/latent.png", session);
    std::string extra_pngs;
    if (config.model.is_vae()) {  // 64 decoded samples from the prior N(0, I) (sampling.h), seed = the run's
        ae::SampleOptions so;
        so.n = 64;
        so.seed = config.train.seed;
        const ae::SampleSet smp = ae::sample_model(session.model(), train.get(), so, &session.pool());
        ae::write_png(out + "/samples.png", ae::render_image_grid(smp.images, snap.image_rows, snap.image_cols, 8, 2));
        extra_pngs += ", samples.png";
    }
    extra_pngs += ae_cli::write_train_figures(out, session);  // manifold.png for 2-D latents
    ae::model_file_save(out + "/model.safetensors", session.model(),
                        ae::ModelFileInfo{config, {session.epoch(), session.steps()}, ae_cli::dataset_ref(o.data),
                                          &session.optimizer()});

    if (session.diverged()) {
        std::fprintf(stderr, "ae train: %s\nReports and the last good weights are in %s/\n", session.message().c_str(),
                     out.c_str());
        return 3;
    }
    if (config.model.is_vae())
        std::printf("test loss %.4f (%s + beta KL, %s; reconstruction %.4f, KL %.4f, %d active units), test mse "
                    "%.5f\n",
                    test_loss, ae::loss_name(config.model.loss), ae::loss_unit(config.model),
                    final_stats.test_terms.reconstruction, final_stats.test_terms.kl, final_stats.test_active_units,
                    test_mse);
    else
        std::printf("test loss %.4f (%s %s + penalties), test mse %.5f\n", test_loss, ae::loss_name(config.model.loss),
                    ae::loss_unit(config.model), test_mse);
    std::printf("report: %s/ (metrics.json, reconstructions.png, latent.png%s, model.safetensors)\n", out.c_str(),
                extra_pngs.c_str());
    return 0;
}

// Throughput of the two reference models of ../shared/peers/torch_peer.py on Fashion-MNIST.
int run_bench(const std::string& which, int epochs, int threads, bool as_json, const DataOptions& d) {
    ae::DatasetPair data = load_data(d);
    auto train = std::make_shared<const ae::Dataset>(std::move(data.train));
    auto test = std::make_shared<const ae::Dataset>(ae::dataset_head(data.test, 1000));
    struct Ref {
        const char* name;
        const char* what;
        const char* encoder;
        int latent, batch;
        bool vae;
    };
    const Ref refs[] = {{"b1", "VAE 784-400-[mu 20, logvar 20]-400-784, batch 128", "400", 20, 128, true},
                        {"b2", "AE 784-512-256-2, batch 256", "512,256", 2, 256, false},
                        {"b3", "conv VAE c32k4s2p1,c64k4s2p1-[mu 20, logvar 20], mirrored decoder, batch 128",
                         "c32k4s2p1,c64k4s2p1", 20, 128, true}};
    for (const Ref& r : refs) {
        if (which != "all" && which != r.name) continue;
        ae::Config c;
        if (r.vae) c.model = ae::model_defaults("vae");
        c.model.encoder = ae::parse_layer_specs(r.encoder, "--model");
        c.model.latent = r.latent;
        c.train.batch = r.batch;
        c.train.epochs = epochs;
        c.train.threads = threads;
        ae::TrainingSession s(c, train, test);
        std::vector<double> rates;
        while (s.epoch() < epochs) s.step(s.batches_per_epoch());
        for (const auto& e : s.epoch_stats()) rates.push_back(e.samples_per_sec);
        std::sort(rates.begin(), rates.end());
        const double median = rates[rates.size() / 2];
        // Training work: forward + backward (input and weight gradients) = 3 products per layer.
        const double gflops = 6.0 * s.model().macs_per_sample() * median * 1e-9;
        if (as_json) {
            std::printf("%s\n", json({{"model", r.name}, {"what", r.what}, {"threads", threads}, {"epochs", epochs},
                                      {"median_samples_per_s", std::round(median)},
                                      {"training_gflops", std::round(gflops * 10) / 10},
                                      {"test_loss", s.epoch_stats().back().test_loss},
                                      {"simd", ae::simd_instruction_sets()}})
                                    .dump()
                                    .c_str());
        } else {
            std::printf("%s (%s): %.0f samples/s median over %d epoch(s), %d thread(s), %.1f GFLOP/s of training\n",
                        r.name, r.what, median, epochs, threads, gflops);
        }
        std::fflush(stdout);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ae: train and inspect autoencoders on real image data (Fashion-MNIST, MNIST, your IDX files)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "ae 0.1.0");

    TrainOptions o;
    ae::Config cfg;
    const int hw = static_cast<int>(std::max(1u, std::min(8u, std::thread::hardware_concurrency())));
    int latent = cfg.model.latent, batch = cfg.train.batch, epochs = cfg.train.epochs, threads = hw;
    uint64_t seed = 1;
    float lr = cfg.train.optimizer.lr, momentum = 0.9f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, wd = 0.0f;
    std::string model_type = "ae";

    CLI::App* train = app.add_subcommand("train", "Train an autoencoder and write a report folder");
    add_data_options(train, o.data);
    train->add_option("--config", o.config_file, "JSON config file (see README); flags given explicitly override it")
        ->check(CLI::ExistingFile);
    train->add_option("--model", model_type,
                      "Model type: ae (plain), linear, sparse, denoising, contractive, vae. Each type has its own "
                      "defaults for the flags below that say 'type default' (see README, model types)")
        ->check(CLI::IsMember(ae::model_types()))
        ->capture_default_str();
    train->add_option("--encoder", o.encoder,
                      "Encoder layers, input side first: Dense widths (512,256), convolutions c32k4s2p1 (32 channels, "
                      "kernel 4, stride 2, padding 1; s and p optional) and max pools m2 before the widths ('' = none; "
                      "type default)");
    train->add_option("--decoder", o.decoder,
                      "Decoder layers, code side first: Dense widths, then (conv encoders) transposed convolutions "
                      "t32k4s2p1[o1], convolutions c8k3 and upsampling u2 (default: the mirror of the encoder)");
    train->add_option("--latent", latent, "Code (latent) size (type default)")->check(CLI::Range(1, 65536));
    train->add_option("--activation", o.activation,
                      "Hidden activation: relu, leaky_relu, sigmoid, tanh, identity (type default)");
    train->add_option("--latent-activation", o.latent_activation, "Code-layer activation (type default)");
    train->add_option("--output", o.output, "Output activation: sigmoid or identity (type default)");
    train->add_option("--loss", o.loss, "Reconstruction loss: bce (from logits) or mse; vae: Bernoulli or "
                                        "fixed-variance Gaussian decoder (type default)")
        ->check(CLI::IsMember(choices("model.loss")));
    train->add_option("--sparsity", o.sparsity, "Sparsity penalty on the code: none, l1 (weight * sum |h|), kl "
                                                "(weight * sum_j KL(rho || rho_hat_j), sigmoid code) (type default)")
        ->check(CLI::IsMember(choices("model.sparsity")));
    train->add_option("--sparsity-weight", o.sparsity_weight, "Sparsity weight (default 1e-3 for l1, 0.1 for kl)")
        ->check(CLI::NonNegativeNumber);
    train->add_option("--sparsity-target", o.sparsity_target, "Target mean activation rho for kl (default 0.05)")
        ->check(CLI::Range(1e-6, 1.0 - 1e-6));
    train->add_option("--corruption", o.corruption, "Input corruption (denoising): none, gaussian, salt_pepper, "
                                                    "masking, block (type default; denoising: gaussian)")
        ->check(CLI::IsMember(choices("model.corruption")));
    train->add_option("--corruption-level", o.corruption_level, "Gaussian sigma, salt_pepper/masking rate, or block "
                                                                "side in pixels (default 0.3)")
        ->check(CLI::NonNegativeNumber);
    train->add_option("--contractive-weight", o.contractive_weight,
                      "Contractive penalty weight lambda on ||J_f(x)||_F^2 (contractive; default 0.1)")
        ->check(CLI::NonNegativeNumber);
    train->add_option("--beta", o.beta, "KL weight of the vae (default 1)")->check(CLI::NonNegativeNumber);
    train->add_option("--kl-warmup", o.kl_warmup_epochs, "Epochs over which the vae's KL weight rises linearly "
                                                         "from 0 to beta (default 0: none)")
        ->check(CLI::Range(0, 1000000));
    train->add_option("--init", o.init,
                      "Weight init: torch (nn.Linear default), auto (He before ReLU, else Glorot), glorot, he")
        ->check(CLI::IsMember(choices("model.init")))
        ->capture_default_str();
    train->add_option("--optimizer", o.optimizer, "sgd (with momentum), adam, adamw")
        ->check(CLI::IsMember(choices("train.optimizer")))
        ->capture_default_str();
    train->add_option("--lr", lr, "Learning rate")->check(CLI::PositiveNumber)->capture_default_str();
    train->add_option("--momentum", momentum, "SGD momentum")->check(CLI::Range(0.0, 0.9999))->capture_default_str();
    train->add_option("--beta1", beta1, "Adam beta1")->check(CLI::Range(0.0, 0.9999))->capture_default_str();
    train->add_option("--beta2", beta2, "Adam beta2")->check(CLI::Range(0.0, 0.999999))->capture_default_str();
    train->add_option("--eps", eps, "Adam epsilon")->check(CLI::PositiveNumber)->capture_default_str();
    train->add_option("--weight-decay", wd, "Weight decay (decoupled for adamw, L2 otherwise)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    train->add_option("--batch", batch, "Minibatch size")->check(CLI::Range(1, 65536))->capture_default_str();
    train->add_option("--epochs", epochs, "Epochs")->check(CLI::Range(0, 1000000))->capture_default_str();
    train->add_option("--seed", seed, "Random seed (same seed, same build: same losses)")->capture_default_str();
    train->add_option("--threads", threads, "Threads for the matrix products (default: cores, up to 8)")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    train->add_option("--out", o.out, "Report folder (default runs/<data>-<model>-seed<seed>)");
    train->add_flag("--quiet,-q", o.quiet, "No progress output");
    train->add_option("--memory-limit", o.memory_limit_gb,
                      "Refuse a model whose parameters, optimizer moments and workspace at the batch size need more "
                      "than this many GB (estimate; 0 = no limit)")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    train->add_option("--exclude-class", o.data.exclude_class,
                      "Leave class C out of the training set (anomaly detection: ae eval reports its AUROC)")
        ->check(CLI::NonNegativeNumber);

    std::string bench_model = "all";
    int bench_epochs = 1, bench_threads = hw;
    bool bench_json = false;
    DataOptions bench_data;
    CLI::App* bench = app.add_subcommand("bench", "Training throughput of the reference models B1, B2 and B3 "
                                                  "(see ../shared/peers/torch_peer.py)");
    bench->add_option("--model", bench_model, "b1, b2, b3 or all")
        ->check(CLI::IsMember({"b1", "b2", "b3", "all"}))
        ->capture_default_str();
    bench->add_option("--epochs", bench_epochs, "Epochs over the 60,000 training images (median reported)")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    bench->add_option("--threads", bench_threads, "Threads")->check(CLI::Range(1, 256))->capture_default_str();
    bench->add_flag("--json", bench_json, "One JSON line per model");
    add_data_options(bench, bench_data);

    CLI::App* info = app.add_subcommand("info", "Print build information (SIMD instruction sets)");

    auto tools = ae_cli::add_tool_commands(app);  // eval, sample, interpolate, manifold, reconstruct (tools.cpp)

    // A usage error (unknown flag, value out of range) is a bad input like any other: exit code 2 with
    // CLI11's one-line message; --help and --version exit 0.
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }

    try {
        if (info->parsed()) {
            std::printf("ae 0.1.0\nEigen %d.%d.%d, SIMD: %s\n", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION,
                        EIGEN_MINOR_VERSION, ae::simd_instruction_sets());
            return 0;
        }
        if (tools->parsed()) return tools->run();
        if (bench->parsed()) return run_bench(bench_model, bench_epochs, bench_threads, bench_json, bench_data);

        ae::Config c;
        if (!o.config_file.empty()) {
            std::ifstream f(o.config_file);
            std::stringstream ss;
            ss << f.rdbuf();
            c = ae::config_from_json(ss.str(), o.config_file);
        }
        // Explicit flags override the config file, or the defaults of the model type (model_defaults).
        auto given = [&](const char* flag) { return train->count(flag) > 0; };
        ae::ModelConfig& m = c.model;
        ae::OptimizerConfig& opt = c.train.optimizer;
        if (o.config_file.empty()) {
            m = ae::model_defaults(model_type);
            c.train.threads = threads;
        } else if (given("--model") && model_type != m.type) {
            const int rows = m.input_rows, cols = m.input_cols;
            m = ae::model_defaults(model_type);
            m.input_rows = rows;
            m.input_cols = cols;
        }
        if (given("--encoder")) m.encoder = ae::parse_layer_specs(o.encoder, "--encoder");
        if (given("--decoder")) m.decoder = ae::parse_layer_specs(o.decoder, "--decoder");
        if (given("--latent")) m.latent = latent;
        if (given("--activation")) m.activation = ae::activation_from_string(o.activation);
        if (given("--latent-activation")) m.latent_activation = ae::activation_from_string(o.latent_activation);
        if (given("--output")) m.output = ae::activation_from_string(o.output);
        if (given("--loss")) {
            m.loss = ae::loss_from_string(o.loss);
            if (m.loss == ae::Loss::bce && !given("--output")) m.output = ae::Activation::sigmoid;
        }
        if (given("--sparsity")) {
            m.sparsity = ae::sparsity_from_string(o.sparsity);
            m.sparsity_weight = ae::sparsity_default_weight(m.sparsity);
            if (m.sparsity == ae::Sparsity::kl && !given("--latent-activation"))
                m.latent_activation = ae::Activation::sigmoid;
        }
        if (given("--sparsity-weight")) m.sparsity_weight = o.sparsity_weight;
        if (given("--sparsity-target")) m.sparsity_target = o.sparsity_target;
        if (given("--corruption")) m.corruption = ae::corruption_from_string(o.corruption);
        if (given("--corruption-level")) m.corruption_level = o.corruption_level;
        if (given("--contractive-weight")) m.contractive_weight = o.contractive_weight;
        if (given("--beta")) m.beta = o.beta;
        if (given("--kl-warmup")) m.kl_warmup_epochs = o.kl_warmup_epochs;
        if (given("--init")) m.init = ae::init_from_string(o.init);
        if (given("--optimizer")) opt.type = ae::optimizer_from_string(o.optimizer);
        if (given("--lr")) opt.lr = lr;
        if (given("--momentum")) opt.momentum = momentum;
        if (given("--beta1")) opt.beta1 = beta1;
        if (given("--beta2")) opt.beta2 = beta2;
        if (given("--eps")) opt.eps = eps;
        if (given("--weight-decay")) opt.weight_decay = wd;
        if (given("--batch")) c.train.batch = batch;
        if (given("--epochs")) c.train.epochs = epochs;
        if (given("--seed")) c.train.seed = seed;
        if (given("--threads")) c.train.threads = threads;
        return run_train(o, c);
    } catch (const ae::Error& e) {
        std::fprintf(stderr, "ae: error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ae: unexpected error: %s\n", e.what());
        return 1;
    }
}
