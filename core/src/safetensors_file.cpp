#include "ae/atomic_file.h"
#include "ae/idx.h"
#include "ae/safetensors.h"

namespace ae {

void safetensors_save(const std::string& path, const ParamStore& params,
                      const std::map<std::string, std::string>& metadata) {
    std::vector<uint8_t> bytes = safetensors_encode(params, metadata);
    write_file_atomic(path, bytes.data(), bytes.size());
}

SafetensorsFile safetensors_read(const std::string& path) {
    const std::vector<uint8_t> bytes = read_file_bytes(path);  // idx.h: the project's one file reader
    return safetensors_decode(bytes.data(), bytes.size(), path);
}

}  // namespace ae
