// IDX, the file format of MNIST and Fashion-MNIST (Y. LeCun, C. Cortes, C. Burges,
// http://yann.lecun.com/exdb/mnist/ "FILE FORMATS FOR THE MNIST DATABASE").
//
// Layout: bytes 0-1 zero; byte 2 type code (0x08 unsigned byte, 0x09 signed byte, 0x0B int16,
// 0x0C int32, 0x0D float32, 0x0E float64); byte 3 number of dimensions (1..255); then one big-endian
// uint32 per dimension; then the data, big-endian, row-major. We accept only type 0x08 (unsigned
// byte), the type of every MNIST-family file, and reject other codes with a message naming them.
//
// Errors (ae::Error, message starts with the source name given by the caller, e.g. the path):
// too short for the header, bad magic (first two bytes not zero), unsupported type code, zero
// dimensions, a zero-sized dimension, a dimension product that overflows 64 bits or exceeds
// the bytes present (truncated), and trailing bytes after the data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ae {

struct IdxArray {
    std::vector<uint32_t> dims;  // e.g. {60000, 28, 28} for images, {60000} for labels
    std::vector<uint8_t> data;   // product(dims) bytes, row-major
    size_t count() const { return dims.empty() ? 0 : dims[0]; }
    // Bytes per item: product of dims[1..] (1 for a label file).
    size_t item_size() const;
};

// Parses an IDX file held in memory. `source` names it in error messages.
IdxArray idx_parse(const uint8_t* bytes, size_t size, const std::string& source);
// Same checks; takes over the buffer (the header is shifted out in place): no second copy of the data.
IdxArray idx_parse(std::vector<uint8_t>&& bytes, const std::string& source);

// Largest IDX file accepted from a gzip stream (its header's promise) and largest gzip expansion.
constexpr uint64_t kIdxMaxBytes = uint64_t{1} << 31;   // 2 GiB (Fashion-MNIST's training images: 47 MB)
constexpr uint64_t kGzipMaxBytes = uint64_t{1} << 32;  // 4 GiB

// Reads a file (native builds only). Paths ending in ".gz" are decompressed with zlib. A missing or
// unreadable file, or a corrupt gzip stream, is an ae::Error naming the path; so is a stream that
// expands beyond kGzipMaxBytes. idx_read bounds a gzip stream by its IDX header: a header promising
// more than kIdxMaxBytes, or a stream longer than the header promises, stops decompression with an
// error (at most one byte past the promise is ever decompressed).
std::vector<uint8_t> read_file_bytes(const std::string& path);
IdxArray idx_read(const std::string& path);

}  // namespace ae
