#include "ae/safetensors.h"

#include <cstring>
#include <nlohmann/json.hpp>

namespace ae {

std::vector<uint8_t> safetensors_encode(const ParamStore& params, const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json header;
    if (!metadata.empty()) header["__metadata__"] = metadata;
    size_t offset = 0;
    for (const ParamTensor& t : params.tensors()) {
        header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + 4 * t.size}}};
        offset += 4 * t.size;
    }
    std::string text = header.dump();
    while ((8 + text.size()) % 8 != 0) text.push_back(' ');  // align the data section to 8 bytes
    std::vector<uint8_t> out(8 + text.size() + offset);
    uint64_t n = text.size();
    for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(n >> (8 * i));
    std::memcpy(out.data() + 8, text.data(), text.size());
    uint8_t* data = out.data() + 8 + text.size();
    for (const ParamTensor& t : params.tensors()) {
        const float* src = params.values().data() + t.offset;
        for (size_t i = 0; i < t.size; ++i) {  // explicit little-endian, independent of the host
            uint32_t bits;
            std::memcpy(&bits, src + i, 4);
            for (int b = 0; b < 4; ++b) *data++ = static_cast<uint8_t>(bits >> (8 * b));
        }
    }
    return out;
}

}  // namespace ae
