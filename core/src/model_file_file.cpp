#include <cerrno>
#include <cstdio>
#include <cstring>

#include "ae/atomic_file.h"
#include "ae/error.h"
#include "ae/model_file.h"

namespace ae {

ModelFile model_file_read(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw Error(path + ": cannot open: " + std::strerror(errno));
    std::vector<uint8_t> bytes;
    uint8_t buf[1 << 16];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.insert(bytes.end(), buf, buf + got);
    const bool bad = std::ferror(f) != 0;
    std::fclose(f);
    if (bad) throw Error(path + ": read error");
    return model_file_decode(bytes.data(), bytes.size(), path);
}

void model_file_save(const std::string& path, const Autoencoder& model, const Config& config,
                     const TrainingState& state) {
    std::vector<uint8_t> bytes = model_file_encode(model, config, state);
    write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace ae
