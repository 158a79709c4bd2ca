#include "ae/atomic_file.h"
#include "ae/idx.h"
#include "ae/model_file.h"

namespace ae {

ModelFile model_file_read(const std::string& path) {
    const std::vector<uint8_t> bytes = read_file_bytes(path);  // idx.h: the project's one file reader
    return model_file_decode(bytes.data(), bytes.size(), path);
}

void model_file_save(const std::string& path, const Autoencoder& model, const ModelFileInfo& info) {
    std::vector<uint8_t> bytes = model_file_encode(model, info);
    write_file_atomic(path, bytes.data(), bytes.size());
}

void model_file_save(const std::string& path, const Autoencoder& model, const Config& config,
                     const TrainingState& state) {
    model_file_save(path, model, ModelFileInfo{config, state, {}, nullptr});
}

}  // namespace ae
