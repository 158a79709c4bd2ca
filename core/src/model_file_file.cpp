#include "ae/atomic_file.h"
#include "ae/idx.h"
#include "ae/model_file.h"

namespace ae {

ModelFile model_file_read(const std::string& path) {
    const std::vector<uint8_t> bytes = read_file_bytes(path);  // idx.h: the project's one file reader
    return model_file_decode(bytes.data(), bytes.size(), path);
}

void model_file_save(const std::string& path, const Autoencoder& model, const Config& config,
                     const TrainingState& state) {
    std::vector<uint8_t> bytes = model_file_encode(model, config, state);
    write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace ae
