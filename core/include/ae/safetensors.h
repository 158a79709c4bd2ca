// Model files in the safetensors format (Hugging Face, https://github.com/huggingface/safetensors):
//   8-byte little-endian header length N | N bytes of JSON header | raw tensor data.
// The header maps each tensor name to {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}
// (byte offsets relative to the start of the data section, end exclusive) and "__metadata__" to
// string -> string pairs. We store the model's parameters under PyTorch state_dict names
// ("encoder.0.weight", [out, in]) and, in the metadata, "config" (the Config JSON, see config.h),
// "format" = "autoencoder-lab/1", and the training state "epoch" and "step" (decimal strings).
//
// Reading is strict (safetensors_decode): every byte of the file must be accounted for, and every
// violation is an ae::Error naming the source, the tensor and what was expected:
//   - a file shorter than 8 bytes, a header length above 100,000,000 bytes (the limit of the reference
//     implementation, "100 MB") or running past the end of the file;
//   - a header that is not valid UTF-8 JSON, not an object, has duplicate keys, or whose entries lack
//     or add fields (each tensor has exactly dtype, shape, data_offsets);
//   - an unknown dtype (known: F64 F32 F16 BF16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL F8_E4M3 F8_E5M2);
//   - a shape with negative or non-integer entries; data_offsets that are not two integers begin <= end;
//   - a byte size end - begin that disagrees with dtype size x product(shape);
//   - tensors whose byte ranges overlap, leave a hole between them or before the first, run past the
//     end of the file, or leave bytes after the last tensor;
//   - "__metadata__" that is not an object of strings.
// Encoding and decoding are pure (no file I/O, usable in the WebAssembly build); safetensors_save and
// safetensors_read (safetensors_file.cpp) are the native file wrappers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ae/params.h"

namespace ae {

// Largest accepted JSON header, in bytes (the reference implementation's MAX_HEADER_SIZE).
constexpr uint64_t kSafetensorsMaxHeader = 100000000;

struct SafetensorsTensor {
    std::string name;
    std::string dtype;            // "F32", "F16", ...
    std::vector<int64_t> shape;   // row-major, outermost first (PyTorch order)
    uint64_t begin = 0, end = 0;  // byte range within the data section
};

struct SafetensorsFile {
    std::map<std::string, std::string> metadata;  // "__metadata__" (empty when absent)
    std::vector<SafetensorsTensor> tensors;       // sorted by begin (file order)
    std::vector<uint8_t> data;                    // the data section (everything after the header)

    // The tensor named `name`, or nullptr.
    const SafetensorsTensor* find(const std::string& name) const;
};

// Size in bytes of one element of `dtype`; 0 for an unknown dtype.
size_t safetensors_dtype_size(const std::string& dtype);

// Serialises every tensor of `params` (F32, little-endian, in registration order) with the given metadata.
// The header is padded with spaces so that the data section starts at an 8-byte aligned offset.
std::vector<uint8_t> safetensors_encode(const ParamStore& params, const std::map<std::string, std::string>& metadata);

// Parses and checks `size` bytes (see the list of rejections above). `source` (a path or "upload")
// prefixes every error message.
SafetensorsFile safetensors_decode(const uint8_t* bytes, size_t size, const std::string& source);

// The values of an F32 tensor as floats (converted from little-endian). Throws ae::Error if the tensor's
// dtype is not F32.
std::vector<float> safetensors_f32(const SafetensorsFile& file, const SafetensorsTensor& tensor,
                                   const std::string& source);

// Copies the file's tensors into `params` by name. The sets of names must be equal and each tensor must be
// F32 with exactly the registered shape; otherwise ae::Error names the first missing tensor (with the
// expected shape), the first extra tensor, or the tensor whose dtype or shape differs. `params` is
// left unchanged when an error is thrown.
void safetensors_load_params(const SafetensorsFile& file, ParamStore& params, const std::string& source);
// The checks of safetensors_load_params alone, against a tensor list (e.g. an unfinalized ParamStore's
// tensors(), see parameter_layout in memory.h): nothing of the model's size is allocated.
void safetensors_check_params(const SafetensorsFile& file, const std::vector<ParamTensor>& params,
                              const std::string& source);

// Native: encodes and writes atomically (temporary file, fsync, rename). Errors name the path.
void safetensors_save(const std::string& path, const ParamStore& params,
                      const std::map<std::string, std::string>& metadata);

// Native: reads the whole file and decodes it. Errors name the path (missing file, read error, or any
// of the decode rejections).
SafetensorsFile safetensors_read(const std::string& path);

}  // namespace ae
