// IDX parsing from a memory buffer (shared by the native and WebAssembly builds: no file or zlib code).
#include "ae/idx.h"

#include <cstdio>
#include <limits>
#include <utility>

#include "ae/error.h"

namespace ae {

namespace {

// "0x0D (float32)" for the message of an unsupported type code.
std::string idx_type_name(uint8_t code) {
    const char* name = "unknown";
    switch (code) {
        case 0x08: name = "unsigned byte"; break;
        case 0x09: name = "signed byte"; break;
        case 0x0B: name = "int16"; break;
        case 0x0C: name = "int32"; break;
        case 0x0D: name = "float32"; break;
        case 0x0E: name = "float64"; break;
        default: break;
    }
    char buf[48];
    std::snprintf(buf, sizeof(buf), "0x%02X (%s)", static_cast<unsigned>(code), name);
    return buf;
}

std::string dims_string(const std::vector<uint32_t>& dims) {
    std::string s;
    for (size_t i = 0; i < dims.size(); i++) {
        if (i > 0) s += "x";
        s += std::to_string(dims[i]);
    }
    return s;
}

// Validates the header and the total size; fills `dims` and returns the header size in bytes.
size_t idx_check(const uint8_t* bytes, size_t size, const std::string& source, std::vector<uint32_t>& dims) {
    if (size < 4) {
        throw Error(source + ": truncated header: IDX needs at least 4 bytes (magic, type, dimension count), "
                    "file has " + std::to_string(size));
    }
    if (bytes[0] != 0 || bytes[1] != 0) {
        char buf[96];
        std::snprintf(buf, sizeof(buf), "bad magic: first two bytes are 0x%02X 0x%02X, expected 0x00 0x00",
                      static_cast<unsigned>(bytes[0]), static_cast<unsigned>(bytes[1]));
        throw Error(source + ": " + buf + " (not an IDX file)");
    }
    const uint8_t type_code = bytes[2];
    if (type_code != 0x08) {
        throw Error(source + ": unsupported type code " + idx_type_name(type_code) +
                    " at byte 2, expected 0x08 (unsigned byte)");
    }
    const size_t ndims = bytes[3];
    if (ndims == 0) throw Error(source + ": zero dimensions at byte 3, expected 1 to 255");

    const size_t header_size = 4 + 4 * ndims;
    if (size < header_size) {
        throw Error(source + ": truncated header: " + std::to_string(ndims) + " dimensions need a " +
                    std::to_string(header_size) + "-byte header, file has " + std::to_string(size) +
                    " bytes");
    }

    dims.assign(ndims, 0);
    uint64_t product = 1;
    for (size_t i = 0; i < ndims; i++) {
        const uint8_t* p = bytes + 4 + 4 * i;
        const uint32_t d = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) |
                           uint32_t{p[3]};
        dims[i] = d;
        if (d == 0) {
            throw Error(source + ": dimension " + std::to_string(i) + " (byte " + std::to_string(4 + 4 * i) +
                        ") is zero");
        }
        if (product > std::numeric_limits<uint64_t>::max() / d) {
            const std::vector<uint32_t> so_far(dims.begin(), dims.begin() + i + 1);
            throw Error(source + ": dimensions overflow: the product of dimensions 0.." + std::to_string(i) +
                        " (" + dims_string(so_far) + ") does not fit in 64 bits");
        }
        product *= d;
    }

    const uint64_t present = size - header_size;
    if (product > present) {
        throw Error(source + ": truncated data: header promises " + std::to_string(product) +
                    " bytes of data, file has " + std::to_string(present) + " (dims " + dims_string(dims) +
                    ", after the " + std::to_string(header_size) + "-byte header)");
    }
    if (product < present) {
        throw Error(source + ": trailing bytes: " + std::to_string(present - product) + " bytes after the " +
                    std::to_string(product) + " bytes of data (" + dims_string(dims) + "); file size " +
                    std::to_string(size) + ", expected " + std::to_string(header_size + product));
    }
    return header_size;
}

}  // namespace

size_t IdxArray::item_size() const {
    size_t n = 1;
    for (size_t i = 1; i < dims.size(); i++) n *= dims[i];
    return n;
}

IdxArray idx_parse(const uint8_t* bytes, size_t size, const std::string& source) {
    IdxArray a;
    const size_t header_size = idx_check(bytes, size, source, a.dims);
    a.data.assign(bytes + header_size, bytes + size);
    return a;
}

IdxArray idx_parse(std::vector<uint8_t>&& bytes, const std::string& source) {
    IdxArray a;
    const size_t header_size = idx_check(bytes.data(), bytes.size(), source, a.dims);
    bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header_size));
    a.data = std::move(bytes);
    return a;
}

}  // namespace ae
