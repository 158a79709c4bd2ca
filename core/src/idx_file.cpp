// Reading files, plain or gzip-compressed (native builds only; excluded from the WebAssembly build).
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <memory>

#include "ae/error.h"
#include "ae/idx.h"

namespace ae {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<uint8_t> read_plain(const std::string& path) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw Error(path + ": cannot open file: " + std::strerror(errno));
    // Size the buffer from the file size (one allocation: first-touch page faults are not free); a pipe
    // or a file that grows still reads fully through the doubling below.
    size_t expected = 0;
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
        const uintmax_t n = std::filesystem::file_size(path, ec);
        if (!ec && n < (uintmax_t{1} << 40)) expected = static_cast<size_t>(n);
    }
    std::vector<uint8_t> bytes(expected + 1);
    size_t used = 0;
    for (;;) {
        if (used == bytes.size()) bytes.resize(bytes.size() * 2);
        const size_t got = std::fread(bytes.data() + used, 1, bytes.size() - used, f.get());
        used += got;
        if (got == 0) break;
    }
    if (std::ferror(f.get())) {
        throw Error(path + ": read error after " + std::to_string(used) + " bytes: " + std::strerror(errno));
    }
    bytes.resize(used);
    return bytes;
}

// gzip through zlib's gz* interface. A stream that ends early (Z_BUF_ERROR at end of input), a corrupt
// stream or a bad CRC (Z_DATA_ERROR), and a file without a gzip header are all errors naming the path.
// The decompressed size is bounded (issue 12: 5.3 MB expanding to 5.37 GB behind a valid IDX header):
// never more than kGzipMaxBytes, and with `idx`, never more than the header's promise (4 + 4 x dimensions
// + their product bytes, itself at most kIdxMaxBytes): reading stops one byte past it.
std::vector<uint8_t> read_gzip(const std::string& path, bool idx) {
    // Open with fopen first: an exact reason for a missing file, and the size hint of the gzip trailer
    // (ISIZE, the uncompressed length mod 2^32) so the output buffer is allocated once.
    size_t hint = 0;
    {
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> probe(std::fopen(path.c_str(), "rb"), &std::fclose);
        if (!probe) throw Error(path + ": cannot open file: " + std::strerror(errno));
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) throw Error(path + ": not a regular file");
        const uintmax_t compressed = std::filesystem::file_size(path, ec);
        uint8_t trailer[4];
        if (!ec && compressed >= 18 && compressed < (uintmax_t{1} << 40) &&
            std::fseek(probe.get(), -4, SEEK_END) == 0 && std::fread(trailer, 1, 4, probe.get()) == 4) {
            hint = size_t{trailer[0]} | (size_t{trailer[1]} << 8) | (size_t{trailer[2]} << 16) |
                   (size_t{trailer[3]} << 24);
            // Trust the hint up to 64:1 (a corrupt or truncated trailer must not allocate gigabytes);
            // beyond that the buffer grows by doubling.
            const size_t max_hint = static_cast<size_t>(compressed) * 64;
            if (hint > max_hint) hint = max_hint;
        }
    }
    std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), &gzclose_r);
    if (!f) throw Error(path + ": cannot open gzip file: " + std::strerror(errno));
    gzbuffer(f.get(), 1u << 18);

    // zlib's messages start with the path; keep only the reason.
    auto zlib_reason = [&](int& errnum) {
        std::string msg = gzerror(f.get(), &errnum);
        if (msg.compare(0, path.size() + 2, path + ": ") == 0) msg.erase(0, path.size() + 2);
        return msg;
    };

    std::vector<uint8_t> bytes(hint + 1 > (1u << 16) ? hint + 1 : (1u << 16));
    size_t used = 0;
    size_t cap = static_cast<size_t>(kGzipMaxBytes) + 1;  // read at most this many bytes (one past a limit)
    uint64_t promise = 0;                                  // idx: the header's total size, once known
    bool header_seen = !idx;
    for (;;) {
        if (!header_seen && used >= 4) {
            const size_t ndim = bytes[3];
            if (bytes[0] != 0 || bytes[1] != 0 || ndim == 0) {
                cap = used;  // not an IDX header: stop here and let idx_parse name what is wrong
                header_seen = true;
            } else if (used >= 4 + 4 * ndim) {
                uint64_t product = 1;
                bool over = false;
                for (size_t i = 0; i < ndim; ++i) {
                    const uint64_t d = uint64_t{bytes[4 + 4 * i]} << 24 | uint64_t{bytes[5 + 4 * i]} << 16 |
                                       uint64_t{bytes[6 + 4 * i]} << 8 | uint64_t{bytes[7 + 4 * i]};
                    if (d != 0 && product > UINT64_MAX / 2 / d) over = true;
                    if (!over) product *= d;
                }
                promise = 4 + 4 * ndim + product;
                if (over || promise > kIdxMaxBytes)
                    throw Error(path + ": the IDX header promises " +
                                (over ? std::string("more than 2^63") : std::to_string(promise)) +
                                " bytes of data, above the limit of " + std::to_string(kIdxMaxBytes) + " bytes (2 GiB)");
                cap = static_cast<size_t>(promise) + 1;
                header_seen = true;
            }
        }
        if (used >= cap) {
            if (idx && header_seen && used > promise && promise > 0)
                throw Error(path + ": the gzip stream expands beyond the " + std::to_string(promise) +
                            " bytes its IDX header promises (decompression stopped at " + std::to_string(used) +
                            " bytes)");
            if (!idx)
                throw Error(path + ": the gzip stream expands beyond the limit of " + std::to_string(kGzipMaxBytes) +
                            " bytes (4 GiB)");
            break;
        }
        if (used == bytes.size()) bytes.resize(std::min(bytes.size() * 2, cap));
        size_t room = std::min(bytes.size(), cap) - used;
        // Until the header is known, read only what the header needs.
        if (!header_seen) room = std::min<size_t>(room, used < 4 ? 4 - used : 4 + 4 * size_t{bytes[3]} - used);
        if (room > (1u << 30)) room = 1u << 30;  // gzread takes an unsigned and returns an int
        const int got = gzread(f.get(), bytes.data() + used, static_cast<unsigned>(room));
        if (got < 0) {
            int errnum = 0;
            const std::string reason = zlib_reason(errnum);
            if (errnum == Z_BUF_ERROR) {
                throw Error(path + ": truncated gzip file: compressed stream ends early (" + reason + ")");
            }
            throw Error(path + ": corrupt gzip file: " + reason);
        }
        if (got == 0) break;
        used += static_cast<size_t>(got);
    }
    int errnum = Z_OK;
    const std::string reason = zlib_reason(errnum);
    if (errnum == Z_BUF_ERROR) {
        throw Error(path + ": truncated gzip file: compressed stream ends after " + std::to_string(used) +
                    " decompressed bytes (" + reason + ")");
    }
    if (errnum != Z_OK) {
        throw Error(path + ": corrupt gzip file after " + std::to_string(used) + " decompressed bytes: " +
                    reason);
    }
    if (gzdirect(f.get())) throw Error(path + ": not a gzip file (no gzip header), but the name ends in .gz");
    bytes.resize(used);
    return bytes;
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) {
    return ends_with(path, ".gz") ? read_gzip(path, false) : read_plain(path);
}

IdxArray idx_read(const std::string& path) {
    return idx_parse(ends_with(path, ".gz") ? read_gzip(path, true) : read_plain(path), path);
}

}  // namespace ae
