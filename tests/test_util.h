// Helpers shared by the GoogleTest suites: a temporary directory, raw file writes, IDX bytes, and
// checks on ae::Error messages.
#pragma once

#include <algorithm>

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "ae/error.h"

namespace test_util {

// A fresh, empty directory under the system temporary directory, removed with its contents at the end
// of the test. Unique per process and per instance.
class TempDir {
public:
    explicit TempDir(const std::string& prefix = "ae_test") {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                (prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    // Names of the directory's entries (e.g. to check no temporary file was left behind).
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(path_)) names.push_back(e.path().filename().string());
        return names;
    }

private:
    std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(f.good()) << path;
}

// An IDX file: magic 0 0, type code, dimension count, big-endian dimensions, then `data`.
inline std::vector<uint8_t> make_idx(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data,
                                     uint8_t type_code = 0x08) {
    std::vector<uint8_t> bytes = {0, 0, type_code, static_cast<uint8_t>(dims.size())};
    for (uint32_t d : dims) {
        bytes.push_back(static_cast<uint8_t>(d >> 24));
        bytes.push_back(static_cast<uint8_t>(d >> 16));
        bytes.push_back(static_cast<uint8_t>(d >> 8));
        bytes.push_back(static_cast<uint8_t>(d));
    }
    bytes.insert(bytes.end(), data.begin(), data.end());
    return bytes;
}

// A safetensors file from a header JSON text and a data section (8-byte little-endian header length first).
inline std::vector<uint8_t> make_safetensors(const std::string& header, const std::vector<uint8_t>& data) {
    const uint64_t n = header.size();
    std::vector<uint8_t> out(8 + n + data.size());
    for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(n >> (8 * i));
    std::copy(header.begin(), header.end(), out.begin() + 8);
    std::copy(data.begin(), data.end(), out.begin() + 8 + static_cast<std::ptrdiff_t>(n));
    return out;
}

// Runs `fn`, expects an ae::Error, returns its message ("" and a failure when nothing is thrown).
inline std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const ae::Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected an ae::Error";
    return "";
}

inline void expect_contains(const std::string& message, std::initializer_list<std::string> parts) {
    for (const std::string& part : parts)
        EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
}

inline void expect_contains(const std::string& message, const std::string& part) {
    expect_contains(message, {part});
}

}  // namespace test_util
