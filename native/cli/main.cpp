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
#include "ae/toy_data.h"
#include "config_flags.h"
#include "data_options.h"
#include "tools.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using ae_cli::DataOptions;

struct TrainOptions {
    DataOptions data;
    std::string config_file;
    std::string resume;  // a model file to continue
    std::string out;
    bool quiet = false;
    int eval_every = 0;
    double memory_limit_gb = static_cast<double>(ae::kNativeMemoryLimit >> 30);  // --memory-limit, GiB; 0 = none
};

void add_data_options(CLI::App* cmd, DataOptions& d) {
    d.name = "fashion-mnist";
    ae_cli::add_data_options(cmd, d, "Data set: fashion-mnist, mnist, idx (with --train-images ...), or 2-D points: "
                                     "moons, circle, spiral, sine");
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
        if (t.commitment != 0 || s.code_perplexity != 0)  // vqvae
            std::fprintf(stderr,
                         "    test terms: reconstruction %.4f  codebook %.5f  commitment %.5f; train codes: usage %.3f, "
                         "perplexity %.1f, %d dead entries restarted\n",
                         t.reconstruction, t.codebook, t.commitment, s.code_usage, s.code_perplexity, s.codes_restarted);
    }

private:
    bool quiet_, tty_;
};

json terms_json(const ae::LossTerms& t) {
    return {{"reconstruction", t.reconstruction},
            {"kl", t.kl},
            {"sparsity", t.sparsity},
            {"contractive", t.contractive},
            {"codebook", t.codebook},      // vqvae (0 otherwise)
            {"commitment", t.commitment},  // vqvae (0 otherwise)
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
    if (s.code_perplexity != 0) {  // vqvae: over the epoch's training assignments (absent in "final")
        j["code_usage"] = s.code_usage;
        j["code_perplexity"] = s.code_perplexity;
        j["codes_restarted"] = s.codes_restarted;
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

int run_train(const TrainOptions& o, ae::Config config, const ae::ModelFile* resume = nullptr) {
    ae::DatasetPair data = load_data(o.data);
    auto train = std::make_shared<const ae::Dataset>(std::move(data.train));
    auto test = std::make_shared<const ae::Dataset>(std::move(data.test));
    config.model.input_rows = train->rows;
    config.model.input_cols = train->cols;
    if (config.model.is_conditional()) config.model.num_classes = train->num_classes();  // cvae: y's size
    if (train->has_values() && config.model.is_convolutional())
        throw ae::Error("--data " + o.data.name + ": 2-D points (1 x 2) need Dense layers, the model has convolutional "
                        "ones (--encoder / --decoder)");
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
    if (resume) {
        const bool moments = session.resume(*resume);
        if (!o.quiet)
            std::fprintf(stderr, "ae train: continuing %s at epoch %d, step %lld (%s) up to epoch %d\n",
                         o.resume.c_str(), session.epoch(), static_cast<long long>(session.steps()),
                         moments ? "optimizer state restored" : "the file has no optimizer state: it starts afresh",
                         config.train.epochs);
    }
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
    std::string extra_pngs;
    if (!train->has_values())  // 1 x 2 point "images" are drawn in field.png (write_train_figures) instead
        ae::write_png(out + "/reconstructions.png",
                      ae::render_reconstructions(snap.view_corrupted.size() ? snap.view_corrupted : snap.view_inputs,
                                                 snap.view_reconstructions, snap.image_rows,
                                                 snap.image_cols, static_cast<int>(snap.view_inputs.cols()), 4));
    write_latent_png(out + "/latent.png", session);
    // VAE: 64 decoded samples from the prior N(0, I) (sampling.h), seed = the run's (not for 2-D points); vqvae:
    // from the empirical code distribution of the last epoch.
    if ((config.model.is_vae() || config.model.is_vq()) && !train->has_values()) {
        ae::SampleOptions so;
        so.n = 64;
        so.seed = config.train.seed;
        ae::Matrix images;
        if (config.model.is_conditional()) {  // cvae: a row of 8 per class (at most 10 classes)
            const int rows = std::min(config.model.num_classes, 10);
            images.resize(snap.view_inputs.rows(), 8 * rows);
            so.n = 8;
            for (so.label = 0; so.label < rows; ++so.label)
                images.middleCols(8 * so.label, 8) = ae::sample_model(session.model(), train.get(), so, &session.pool()).images;
        } else {
            images = ae::sample_model(session.model(), train.get(), so, &session.pool()).images;
        }
        ae::write_png(out + "/samples.png", ae::render_image_grid(images, snap.image_rows, snap.image_cols, 8, 2));
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
    else if (config.model.is_vq()) {
        const ae::EpochStats* last = session.epoch_stats().empty() ? nullptr : &session.epoch_stats().back();
        std::printf("test loss %.4f (%s %s + codebook + commitment; reconstruction %.4f, codebook %.5f, commitment "
                    "%.5f), test mse %.5f; code %d x log2 %d bits, last epoch usage %.3f, perplexity %.1f of %d\n",
                    test_loss, ae::loss_name(config.model.loss), ae::loss_unit(config.model),
                    final_stats.test_terms.reconstruction, final_stats.test_terms.codebook,
                    final_stats.test_terms.commitment, test_mse, config.model.code_groups(), config.model.codebook_size,
                    last ? last->code_usage : 0.0, last ? last->code_perplexity : 0.0, config.model.codebook_size);
    } else
        std::printf("test loss %.4f (%s %s + penalties), test mse %.5f\n", test_loss, ae::loss_name(config.model.loss),
                    ae::loss_unit(config.model), test_mse);
    std::printf("report: %s/ (metrics.json, %slatent.png%s, model.safetensors)\n", out.c_str(),
                train->has_values() ? "" : "reconstructions.png, ", extra_pngs.c_str());
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
    const int hw = static_cast<int>(std::max(1u, std::min(8u, std::thread::hardware_concurrency())));
    CLI::App* train = app.add_subcommand("train", "Train an autoencoder and write a report folder");
    add_data_options(train, o.data);
    train->add_option("--config", o.config_file, "JSON config file (see README); flags given explicitly override it")
        ->check(CLI::ExistingFile);
    // Every model and training flag comes from the one description of the options (options.h).
    ae::Config flag_defaults;
    flag_defaults.train.threads = hw;
    ae_host::ConfigFlags flags;
    ae_host::add_config_flags(train, flags, flag_defaults);
    train->add_option("--resume", o.resume,
                      "Continue a model file (from ae train, the app or the page): its weights, epoch and step counts, "
                      "optimizer state and data set. --epochs is the total to reach; only the options that apply "
                      "while training (learning rate, optimizer settings, epochs, threads) may change")
        ->check(CLI::ExistingFile);
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
        // Explicit flags override the config file, or the defaults of the model type (form_check).
        if (o.config_file.empty()) c.train.threads = hw;
        if (!o.resume.empty()) {
            if (!o.config_file.empty()) throw ae::Error("--resume continues the file's own config: drop --config");
            const ae::ModelFile file = ae::model_file_read(o.resume);
            c = file.config;
            c.train.threads = hw;
            c = ae_host::apply_config_flags(flags, c);
            ae::Config same = file.config;
            same.train.threads = c.train.threads;
            const std::string fixed = ae::fields_needing_new_model(same, c);
            if (!fixed.empty())
                throw ae::Error(o.resume + ": --resume continues this model; " + fixed +
                                " cannot change (train a new model for that)");
            if (!ae_host::config_flag_given(flags, "train.epochs") && file.state.epoch >= c.train.epochs)
                throw ae::Error(o.resume + ": trained " + std::to_string(file.state.epoch) + " of its " +
                                std::to_string(c.train.epochs) + " epochs; give --epochs N (the total) to train on");
            TrainOptions r = o;
            if (train->count("--data") == 0) {
                r.data.name.clear();
                r.data = ae_cli::data_options_with(r.data, file.data);
            }
            if (train->count("--exclude-class") == 0) r.data.exclude_class = file.data.exclude_class;
            return run_train(r, c, &file);
        }
        // 2-D points without a config file: the model type's defaults for 2 inputs (toy_data.h) under the flags.
        if (o.config_file.empty() && ae::is_toy_dataset(o.data.name)) {
            const std::string type = ae_host::config_flag_given(flags, "model.type") ? flags.text["model.type"] : "ae";
            const std::vector<std::string>& types = ae::model_types();
            if (std::find(types.begin(), types.end(), type) != types.end()) {
                c = ae::toy_config_defaults(type);
                c.train.threads = hw;
            }
        }
        c = ae_host::apply_config_flags(flags, c);
        return run_train(o, c);
    } catch (const ae::Error& e) {
        std::istringstream lines(e.what());  // one line per bad field (form_check)
        for (std::string line; std::getline(lines, line);) std::fprintf(stderr, "ae: error: %s\n", line.c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ae: unexpected error: %s\n", e.what());
        return 1;
    }
}
