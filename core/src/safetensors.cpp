#include "ae/safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "ae/error.h"

namespace ae {

using nlohmann::json;

const SafetensorsTensor* SafetensorsFile::find(const std::string& name) const {
    for (const SafetensorsTensor& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

size_t safetensors_dtype_size(const std::string& dtype) {
    static const std::map<std::string, size_t> sizes = {
        {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},     {"I32", 4},     {"I16", 2}, {"I8", 1},
        {"U64", 8}, {"U32", 4}, {"U16", 2}, {"U8", 1},   {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};
    auto it = sizes.find(dtype);
    return it == sizes.end() ? 0 : it->second;
}

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

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

}  // namespace

SafetensorsFile safetensors_decode(const uint8_t* bytes, size_t size, const std::string& source) {
    auto fail = [&](const std::string& what) { throw Error(source + ": " + what); };
    if (size < 8)
        fail("file is " + std::to_string(size) + " bytes, too short for the 8-byte header length of a safetensors file");
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    // A header longer than the file, or one that is not a JSON object, means the bytes are something else
    // (a text file's first 8 characters read as a length give ~10^18): say so before any other check.
    if (n > size - 8)
        fail("not a safetensors file: the header length in its first 8 bytes (" + std::to_string(n) +
             " bytes) runs past the end of the file (" + std::to_string(size) + " bytes)");
    if (n == 0 || bytes[8] != '{')
        fail("not a safetensors file: the header does not start with '{' (byte offset 8), a safetensors header is a "
             "JSON object");
    if (n > kSafetensorsMaxHeader)
        fail("header length " + std::to_string(n) + " bytes exceeds the limit of " +
             std::to_string(kSafetensorsMaxHeader) + " bytes (100 MB)");

    // Parse, rejecting duplicate keys at any depth (nlohmann would silently keep the last one).
    std::vector<std::set<std::string>> keys;
    std::string duplicate;
    auto callback = [&](int, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::object_start) keys.emplace_back();
        if (event == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
        if (event == json::parse_event_t::key && !keys.empty() && duplicate.empty()) {
            const std::string& k = parsed.get_ref<const std::string&>();
            if (!keys.back().insert(k).second) duplicate = k;
        }
        return true;
    };
    json header;
    try {
        header = json::parse(reinterpret_cast<const char*>(bytes + 8), reinterpret_cast<const char*>(bytes + 8 + n),
                             callback);
    } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e400
        fail(std::string("invalid JSON header (bytes 8..") + std::to_string(8 + n) + "): " + e.what());
    }
    if (!duplicate.empty()) fail("header has the key '" + duplicate + "' twice");
    if (!header.is_object()) fail("header is not a JSON object");

    SafetensorsFile file;
    const uint64_t data_size = size - 8 - n;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        const json& v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object()) fail("__metadata__ is not a JSON object");
            for (auto m = v.begin(); m != v.end(); ++m) {
                if (!m.value().is_string()) fail("__metadata__." + m.key() + " is not a string");
                file.metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const std::string where = "tensor '" + name + "'";
        if (!v.is_object()) fail(where + ": expected an object with dtype, shape, data_offsets");
        for (auto f = v.begin(); f != v.end(); ++f)
            if (f.key() != "dtype" && f.key() != "shape" && f.key() != "data_offsets")
                fail(where + ": unknown field '" + f.key() + "' (expected dtype, shape, data_offsets)");
        if (!v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
            fail(where + ": missing " + std::string(!v.contains("dtype")   ? "dtype"
                                                    : !v.contains("shape") ? "shape"
                                                                           : "data_offsets"));
        SafetensorsTensor t;
        t.name = name;
        if (!v["dtype"].is_string()) fail(where + ": dtype is not a string");
        t.dtype = v["dtype"].get<std::string>();
        const size_t elem = safetensors_dtype_size(t.dtype);
        if (elem == 0)
            fail(where + ": unknown dtype '" + t.dtype +
                 "' (expected one of F64 F32 F16 BF16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL F8_E4M3 F8_E5M2)");
        if (!v["shape"].is_array()) fail(where + ": shape is not an array");
        uint64_t count = 1;
        bool too_big = false;
        for (const json& d : v["shape"]) {
            if (!d.is_number_unsigned()) fail(where + ": shape entries must be non-negative integers, got " + d.dump());
            const uint64_t dim = d.get<uint64_t>();
            if (dim != 0 && count > UINT64_MAX / 8 / dim) too_big = true;
            if (!too_big) count *= dim;
            t.shape.push_back(static_cast<int64_t>(std::min<uint64_t>(dim, INT64_MAX)));
        }
        const json& off = v["data_offsets"];
        if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            fail(where + ": data_offsets must be two non-negative integers [begin, end], got " + off.dump());
        t.begin = off[0].get<uint64_t>();
        t.end = off[1].get<uint64_t>();
        if (t.begin > t.end)
            fail(where + ": data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) +
                 "] has begin > end");
        if (too_big || t.end - t.begin != count * elem)
            fail(where + ": " + std::to_string(t.end - t.begin) + " bytes in data_offsets, but dtype " + t.dtype +
                 " x shape " + shape_text(t.shape) + " needs " +
                 (too_big ? std::string("more than 2^61") : std::to_string(count * elem)) + " bytes");
        file.tensors.push_back(std::move(t));
    }

    // The byte ranges must tile the data section exactly: no overlap, no hole, nothing past the end.
    std::stable_sort(file.tensors.begin(), file.tensors.end(), [](const SafetensorsTensor& a, const SafetensorsTensor& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t pos = 0;
    const SafetensorsTensor* prev = nullptr;
    for (const SafetensorsTensor& t : file.tensors) {
        const std::string range = "[" + std::to_string(t.begin) + ", " + std::to_string(t.end) + ")";
        if (t.begin < pos)
            fail("tensor '" + t.name + "' bytes " + range + " overlap tensor '" + prev->name + "' (which ends at " +
                 std::to_string(pos) + ")");
        if (t.begin > pos)
            fail("hole in the data section: bytes [" + std::to_string(pos) + ", " + std::to_string(t.begin) +
                 ") before tensor '" + t.name + "' belong to no tensor");
        if (t.end > data_size)
            fail("tensor '" + t.name + "' bytes " + range + " run past the end of the file (the data section has " +
                 std::to_string(data_size) + " bytes)");
        pos = t.end;
        prev = &t;
    }
    if (pos != data_size)
        fail("hole in the data section: bytes [" + std::to_string(pos) + ", " + std::to_string(data_size) +
             ") after the last tensor belong to no tensor");
    file.data.assign(bytes + 8 + n, bytes + size);
    return file;
}

std::vector<float> safetensors_f32(const SafetensorsFile& file, const SafetensorsTensor& tensor,
                                   const std::string& source) {
    if (tensor.dtype != "F32")
        throw Error(source + ": tensor '" + tensor.name + "' has dtype " + tensor.dtype + ", expected F32");
    const size_t count = (tensor.end - tensor.begin) / 4;
    std::vector<float> out(count);
    const uint8_t* p = file.data.data() + tensor.begin;
    for (size_t i = 0; i < count; ++i, p += 4) {
        const uint32_t bits = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                              static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
        std::memcpy(&out[i], &bits, 4);
    }
    return out;
}

void safetensors_check_params(const SafetensorsFile& file, const std::vector<ParamTensor>& params,
                              const std::string& source) {
    for (const ParamTensor& p : params) {
        const std::vector<int64_t> want(p.shape.begin(), p.shape.end());
        const SafetensorsTensor* t = file.find(p.name);
        if (!t)
            throw Error(source + ": tensor '" + p.name + "' (shape " + shape_text(want) +
                        ") is missing; the file does not match its config");
        if (t->dtype != "F32") throw Error(source + ": tensor '" + p.name + "' has dtype " + t->dtype + ", expected F32");
        if (t->shape != want)
            throw Error(source + ": tensor '" + p.name + "' has shape " + shape_text(t->shape) + ", the config needs " +
                        shape_text(want));
    }
    for (const SafetensorsTensor& t : file.tensors) {
        bool known = false;
        for (const ParamTensor& p : params) known = known || p.name == t.name;
        if (!known)
            throw Error(source + ": tensor '" + t.name + "' (shape " + shape_text(t.shape) +
                        ") is not a parameter of the model its config describes");
    }
}

void safetensors_load_params(const SafetensorsFile& file, ParamStore& params, const std::string& source) {
    if (!params.finalized()) throw Error(source + ": internal error: the parameter store is not finalized");
    // Check everything first, then copy: the store is unchanged on error.
    safetensors_check_params(file, params.tensors(), source);
    for (size_t i = 0; i < params.tensors().size(); ++i) {
        const ParamTensor& p = params.tensors()[i];
        std::vector<float> v = safetensors_f32(file, *file.find(p.name), source);
        std::copy(v.begin(), v.end(), params.value(static_cast<int>(i)));
    }
}

}  // namespace ae
