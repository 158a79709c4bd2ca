// Model files in the safetensors format (Hugging Face, https://github.com/huggingface/safetensors):
//   8-byte little-endian header length N | N bytes of JSON header | raw tensor data.
// The header maps each tensor name to {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}
// (offsets relative to the start of the data section) and "__metadata__" to string -> string pairs.
// We store the model's parameters under PyTorch state_dict names ("encoder.0.weight", [out, in]) and,
// in the metadata, "config" (the Config JSON, see config.h) and "format" = "autoencoder-lab/1".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ae/params.h"

namespace ae {

// Serialises every tensor of `params` (F32, little-endian) with the given metadata.
std::vector<uint8_t> safetensors_encode(const ParamStore& params, const std::map<std::string, std::string>& metadata);

// Native: encodes and writes atomically (temporary file, fsync, rename). Errors name the path.
void safetensors_save(const std::string& path, const ParamStore& params,
                      const std::map<std::string, std::string>& metadata);

}  // namespace ae
