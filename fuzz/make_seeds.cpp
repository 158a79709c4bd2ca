// Writes valid inputs for every fuzz target, made by the core's own writers (no binary files in git):
//   make_seeds DIR  ->  DIR/{fuzz_idx,fuzz_idx_gzip,fuzz_mnist_json,fuzz_safetensors,fuzz_model_file,fuzz_config}/
// Model files are tiny (a few hundred floats) so that libFuzzer's mutations stay within -max_len.
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/config.h"
#include "ae/model_file.h"
#include "ae/optimizer.h"
#include "ae/rng.h"
#include "ae/safetensors.h"

namespace fs = std::filesystem;

namespace {

std::string g_dir;

void write(const std::string& target, const std::string& name, const std::vector<uint8_t>& bytes) {
    fs::create_directories(g_dir + "/" + target);
    const std::string path = g_dir + "/" + target + "/" + name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
        std::perror(path.c_str());
        std::exit(1);
    }
    std::fclose(f);
}

void write_text(const std::string& target, const std::string& name, const std::string& text) {
    write(target, name, std::vector<uint8_t>(text.begin(), text.end()));
}

std::vector<uint8_t> gzip(const std::vector<uint8_t>& bytes) {
    std::vector<uint8_t> out(compressBound(bytes.size()) + 64);
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // 15 + 16: gzip wrapper
    z.next_in = const_cast<Bytef*>(bytes.data());
    z.avail_in = static_cast<uInt>(bytes.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::vector<uint8_t> idx(const std::vector<uint32_t>& dims, uint8_t fill) {
    std::vector<uint8_t> b = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
    size_t n = 1;
    for (uint32_t d : dims) {
        for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
        n *= d;
    }
    for (size_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(fill + i * 7));
    return b;
}

ae::Config tiny(const std::string& type, const std::string& encoder, int rows, int cols, int latent) {
    ae::Config c;
    c.model = ae::model_defaults(type);
    c.model.input_rows = rows;
    c.model.input_cols = cols;
    c.model.encoder = ae::parse_layer_specs(encoder, "seed");
    c.model.latent = latent;
    c.train.batch = 8;
    return c;
}

// A model file of `c` with random weights; with `steps` > 0 the optimizer state of that many updates.
std::vector<uint8_t> model_file(const ae::Config& c, int steps, const ae::DatasetRef& data) {
    ae::Autoencoder m(c.model);
    ae::Rng rng(7);
    m.init(rng);
    ae::Optimizer opt(c.train.optimizer);
    for (int i = 0; i < steps; ++i) opt.step(m.params());
    return ae::model_file_encode(m, ae::ModelFileInfo{c, {1, steps}, data, &opt});
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    g_dir = argv[1];

    const std::vector<std::pair<std::string, std::vector<uint8_t>>> idx_files = {
        {"images-3x28x28", idx({3, 28, 28}, 1)}, {"images-2x4x5", idx({2, 4, 5}, 9)},
        {"labels-5", idx({5}, 0)},               {"empty-1x0", idx({1, 0}, 0)}};
    for (const auto& [name, bytes] : idx_files) {
        write("fuzz_idx", name, bytes);
        write("fuzz_idx_gzip", name + ".gz", gzip(bytes));
    }

    std::string one = "{\"data\":[", two = "{\"data\":[";
    for (int i = 0; i < 784; ++i) one += (i ? "," : "") + std::string(i % 3 ? "0" : i % 2 ? "1" : "0.5");
    for (int i = 0; i < 2 * 784; ++i) two += (i ? "," : "") + std::to_string((i % 255) / 255.0);
    write_text("fuzz_mnist_json", "one-image.json", one + "]}");
    write_text("fuzz_mnist_json", "two-images.json", two + "],\"label\":3}");
    write_text("fuzz_mnist_json", "empty.json", "{\"data\":[]}");

    struct Seed {
        std::string name;
        ae::Config config;
        int steps;
        ae::DatasetRef data;
    };
    ae::Config sgd = tiny("ae", "5", 4, 3, 2);
    sgd.train.optimizer.type = ae::OptimizerType::sgd;
    ae::Config sparse = tiny("sparse", "", 3, 3, 4);
    ae::Config denoise = tiny("denoising", "4", 3, 3, 2);
    const std::vector<Seed> seeds = {
        {"ae", tiny("ae", "5", 4, 3, 2), 0, {}},
        {"ae-adam", tiny("ae", "5", 4, 3, 2), 2, ae::dataset_ref("idx", "a.gz", "b.gz", "", "", 3)},
        {"ae-sgd", sgd, 1, ae::dataset_ref("mnist")},
        {"vae", tiny("vae", "4", 3, 3, 2), 1, ae::dataset_ref("fashion-mnist")},
        {"conv", tiny("ae", "c2k4s2p1", 8, 8, 2), 0, {}},
        {"conv-pool-vae", tiny("vae", "c2k3s1p1,m2", 4, 4, 2), 1, {}},
        {"linear", tiny("linear", "", 3, 2, 2), 0, {}},
        {"sparse", sparse, 0, {}},
        {"denoising", denoise, 0, {}},
        {"contractive", tiny("contractive", "", 3, 3, 2), 0, {}},
    };
    for (const Seed& s : seeds) {
        const std::vector<uint8_t> bytes = model_file(s.config, s.steps, s.data);
        write("fuzz_safetensors", s.name + ".safetensors", bytes);
        write("fuzz_model_file", s.name + ".safetensors", bytes);
        write_text("fuzz_config", s.name + ".json", ae::config_to_json(s.config, s.name.size() % 2 ? 2 : -1));
    }
    for (const std::string& type : ae::model_types()) {
        ae::Config c;
        c.model = ae::model_defaults(type);
        write_text("fuzz_config", "default-" + type + ".json", ae::config_to_json(c));
    }
    ae::Config b3 = tiny("vae", "c32k4s2p1,c64k4s2p1", 28, 28, 20);
    write_text("fuzz_config", "b3.json", ae::config_to_json(b3));
    ae::Config explicit_decoder = tiny("ae", "c4k3s2p1", 8, 8, 2);
    explicit_decoder.model.decoder = ae::parse_layer_specs("16,u2,c1k3s1p1", "seed");
    write_text("fuzz_config", "explicit-decoder.json", ae::config_to_json(explicit_decoder));
    write_text("fuzz_config", "partial.json", R"({"model": {"latent": 3}, "train": {"lr": 0.01, "seed": 5}})");
    return 0;
}
