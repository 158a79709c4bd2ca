// IDX parsing and file reading: the happy path, and one test per kind of malformed input. Every error
// must name the file (or the `source` given to idx_parse) and say what is wrong, with the numbers.
#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "ae/error.h"
#include "ae/idx.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using test_util::error_of;
using test_util::expect_contains;
using test_util::make_idx;
using test_util::TempDir;
using test_util::write_file;

std::vector<uint8_t> iota_bytes(size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; i++) v[i] = static_cast<uint8_t>(i * 7 + 3);
    return v;
}

std::vector<uint8_t> read_raw(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
    gzFile f = gzopen(path.c_str(), "wb9");
    ASSERT_NE(f, nullptr) << path;
    if (!bytes.empty()) {
        const int written = gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
        ASSERT_EQ(written, static_cast<int>(bytes.size()));
    }
    ASSERT_EQ(gzclose(f), Z_OK);
}

// ---- happy path -------------------------------------------------------------------------------------------

TEST(IdxParse, ParsesImagesFromMemory) {
    const std::vector<uint8_t> data = iota_bytes(3 * 4 * 5);
    const std::vector<uint8_t> bytes = make_idx({3, 4, 5}, data);
    const ae::IdxArray a = ae::idx_parse(bytes.data(), bytes.size(), "mem");
    EXPECT_EQ(a.dims, (std::vector<uint32_t>{3, 4, 5}));
    EXPECT_EQ(a.count(), 3u);
    EXPECT_EQ(a.item_size(), 20u);
    EXPECT_EQ(a.data, data);
}

TEST(IdxParse, LabelFileHasItemSizeOne) {
    const std::vector<uint8_t> bytes = make_idx({6}, {0, 1, 2, 3, 4, 5});
    const ae::IdxArray a = ae::idx_parse(bytes.data(), bytes.size(), "labels");
    EXPECT_EQ(a.count(), 6u);
    EXPECT_EQ(a.item_size(), 1u);
    EXPECT_EQ(a.data[5], 5);
}

TEST(IdxParse, BigEndianDimensions) {
    // 0x00000102 = 258 items of 1 byte.
    const std::vector<uint8_t> bytes = make_idx({258}, iota_bytes(258));
    EXPECT_EQ(bytes[4], 0);
    EXPECT_EQ(bytes[6], 1);
    EXPECT_EQ(bytes[7], 2);
    EXPECT_EQ(ae::idx_parse(bytes.data(), bytes.size(), "mem").count(), 258u);
}

TEST(IdxParse, MovingOverloadMatchesCopyingOverload) {
    std::vector<uint8_t> bytes = make_idx({2, 3, 3}, iota_bytes(18));
    const ae::IdxArray copied = ae::idx_parse(bytes.data(), bytes.size(), "mem");
    const ae::IdxArray moved = ae::idx_parse(std::move(bytes), "mem");
    EXPECT_EQ(copied.dims, moved.dims);
    EXPECT_EQ(copied.data, moved.data);
}

TEST(IdxParse, ErrorNamesTheSourceString) {
    const std::vector<uint8_t> bytes = {1, 2, 3, 4, 5};
    const std::string msg = error_of([&] { ae::idx_parse(bytes.data(), bytes.size(), "upload:digits.idx"); });
    expect_contains(msg, {"upload:digits.idx: ", "bad magic"});
}

TEST(IdxRead, ReadsPlainFile) {
    TempDir dir;
    const std::string path = dir.file("images.idx");
    const std::vector<uint8_t> data = iota_bytes(4 * 28 * 28);
    write_file(path, make_idx({4, 28, 28}, data));
    const ae::IdxArray a = ae::idx_read(path);
    EXPECT_EQ(a.dims, (std::vector<uint32_t>{4, 28, 28}));
    EXPECT_EQ(a.data, data);
}

TEST(IdxRead, ReadsGzipFile) {
    TempDir dir;
    const std::string path = dir.file("images.idx.gz");
    const std::vector<uint8_t> data = iota_bytes(300 * 28 * 28);  // several gzread calls' worth
    write_gz(path, make_idx({300, 28, 28}, data));
    const ae::IdxArray a = ae::idx_read(path);
    EXPECT_EQ(a.dims, (std::vector<uint32_t>{300, 28, 28}));
    EXPECT_EQ(a.data, data);
}

TEST(ReadFileBytes, ReadsPlainAndGzipBytesExactly) {
    TempDir dir;
    const std::vector<uint8_t> bytes = iota_bytes(100000);
    write_file(dir.file("a.bin"), bytes);
    write_gz(dir.file("a.bin.gz"), bytes);
    EXPECT_EQ(ae::read_file_bytes(dir.file("a.bin")), bytes);
    EXPECT_EQ(ae::read_file_bytes(dir.file("a.bin.gz")), bytes);
}

TEST(ReadFileBytes, EmptyPlainFileIsEmpty) {
    TempDir dir;
    write_file(dir.file("empty.bin"), {});
    EXPECT_TRUE(ae::read_file_bytes(dir.file("empty.bin")).empty());
}

TEST(ReadFileBytes, EmptyGzipStreamIsEmpty) {
    TempDir dir;
    write_gz(dir.file("empty.bin.gz"), {});
    EXPECT_TRUE(ae::read_file_bytes(dir.file("empty.bin.gz")).empty());
}

TEST(ReadFileBytes, TrailingGarbageAfterGzipStreamIsIgnoredLikeGzip) {
    TempDir dir;
    const std::vector<uint8_t> bytes = iota_bytes(1000);
    write_gz(dir.file("t.gz"), bytes);
    std::vector<uint8_t> gz = read_raw(dir.file("t.gz"));
    gz.push_back(0x42);
    write_file(dir.file("t.gz"), gz);
    EXPECT_EQ(ae::read_file_bytes(dir.file("t.gz")), bytes);
}

// ---- missing and unreadable files -------------------------------------------------------------------------

TEST(IdxRead, MissingFile) {
    TempDir dir;
    const std::string path = dir.file("nope.idx");
    expect_contains(error_of([&] { ae::idx_read(path); }), {"cannot open file", "No such file"});
    expect_contains(error_of([&] { ae::idx_read(path); }), path + ": ");
}

TEST(IdxRead, MissingGzipFile) {
    TempDir dir;
    const std::string path = dir.file("nope.idx.gz");
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"cannot open file", "No such file"});
}

TEST(ReadFileBytes, DirectoryIsAnError) {
    TempDir dir;
    const std::string path = dir.file("subdir");
    fs::create_directories(path);
    const std::string msg = error_of([&] { ae::read_file_bytes(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"Is a directory"});
}

TEST(ReadFileBytes, DirectoryNamedGzIsAnError) {
    TempDir dir;
    const std::string path = dir.file("subdir.gz");
    fs::create_directories(path);
    const std::string msg = error_of([&] { ae::read_file_bytes(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"not a regular file"});
}

// ---- malformed IDX content --------------------------------------------------------------------------------

TEST(IdxRead, WrongMagic) {
    TempDir dir;
    const std::string path = dir.file("t.idx");
    std::vector<uint8_t> bytes = make_idx({2}, {0, 1});
    bytes[0] = 0x1F;
    bytes[1] = 0x8B;
    write_file(path, bytes);
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"bad magic", "0x1F 0x8B", "expected 0x00 0x00"});
}

TEST(IdxRead, UnsupportedTypeCode) {
    TempDir dir;
    const std::string path = dir.file("t.idx");
    write_file(path, make_idx({2}, {0, 0, 0, 0, 0, 0, 0, 0}, 0x0D));
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"unsupported type code", "0x0D", "float32", "expected 0x08"});
}

TEST(IdxRead, UnknownTypeCode) {
    TempDir dir;
    const std::string path = dir.file("t.idx");
    write_file(path, make_idx({1}, {0}, 0x42));
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"unsupported type code", "0x42", "unknown"});
}

TEST(IdxRead, ZeroDimensions) {
    TempDir dir;
    const std::string path = dir.file("t.idx");
    write_file(path, {0, 0, 8, 0});
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"zero dimensions"});
}

TEST(IdxRead, ZeroSizedDimension) {
    TempDir dir;
    const std::string path = dir.file("t.idx");
    write_file(path, make_idx({10, 0, 28}, {}));
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"dimension 1", "is zero"});
}

TEST(IdxRead, TruncatedHeaderBeforeDimensionCount) {
    TempDir dir;
    const std::string path = dir.file("t.idx");
    write_file(path, {0, 0, 8});
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"truncated header", "at least 4 bytes", "file has 3"});
}

TEST(IdxRead, TruncatedHeaderInDimensions) {
    TempDir dir;
    const std::string path = dir.file("t.idx");
    std::vector<uint8_t> bytes = make_idx({10, 28, 28}, {});
    bytes.resize(10);  // 3 dimensions need 16 header bytes
    write_file(path, bytes);
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"truncated header", "3 dimensions need a 16-byte header", "file has 10 bytes"});
}

TEST(IdxRead, TruncatedData) {
    TempDir dir;
    const std::string path = dir.file("t.idx");
    write_file(path, make_idx({10, 28, 28}, iota_bytes(100)));
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": truncated data: header promises 7840 bytes of data, file has 100");
    expect_contains(msg, {"10x28x28"});
}

TEST(IdxRead, TrailingBytes) {
    TempDir dir;
    const std::string path = dir.file("t.idx");
    write_file(path, make_idx({2, 2, 2}, iota_bytes(13)));
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"trailing bytes", "5 bytes after the 8 bytes of data"});
    expect_contains(msg, {"file size 29, expected 24"});
}

TEST(IdxRead, DimensionProductOverflows) {
    TempDir dir;
    const std::string path = dir.file("t.idx");
    write_file(path, make_idx({0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu}, iota_bytes(64)));
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"overflow", "4294967295x4294967295x4294967295", "64 bits"});
}

TEST(IdxRead, HugeDimensionProductThatFitsIsTruncatedNotAllocated) {
    // 2^16 * 2^16 * 2^16 = 2^48 bytes: no 64-bit overflow, but far more than the file holds.
    TempDir dir;
    const std::string path = dir.file("t.idx");
    write_file(path, make_idx({65536, 65536, 65536}, iota_bytes(10)));
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"truncated data", "header promises 281474976710656 bytes of data, file has 10"});
}

// ---- gzip -------------------------------------------------------------------------------------------------

TEST(IdxRead, TruncatedGzipFile) {
    TempDir dir;
    const std::string path = dir.file("t.idx.gz");
    write_gz(path, make_idx({50, 28, 28}, iota_bytes(50 * 28 * 28)));
    std::vector<uint8_t> gz = read_raw(path);
    ASSERT_GT(gz.size(), 40u);
    gz.resize(gz.size() / 2);
    write_file(path, gz);
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"truncated gzip file", "unexpected end of file"});
}

TEST(IdxRead, GzipMissingTrailer) {
    // The whole deflate stream is there, only the CRC/length trailer is cut: still truncated, not short data.
    TempDir dir;
    const std::string path = dir.file("t.idx.gz");
    write_gz(path, make_idx({3}, {1, 2, 3}));
    std::vector<uint8_t> gz = read_raw(path);
    gz.resize(gz.size() - 4);
    write_file(path, gz);
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"truncated gzip file"});
}

TEST(IdxRead, CorruptGzipStream) {
    TempDir dir;
    const std::string path = dir.file("t.idx.gz");
    write_gz(path, make_idx({50, 28, 28}, iota_bytes(50 * 28 * 28)));
    std::vector<uint8_t> gz = read_raw(path);
    gz[10] = 0xFF;  // first deflate block header: BTYPE 11 is reserved
    write_file(path, gz);
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"corrupt gzip file", "invalid block type"});
}

TEST(IdxRead, GzipCrcMismatch) {
    TempDir dir;
    const std::string path = dir.file("t.idx.gz");
    write_gz(path, make_idx({4}, {1, 2, 3, 4}));
    std::vector<uint8_t> gz = read_raw(path);
    gz[gz.size() - 8] ^= 0xFF;  // CRC-32 of the trailer
    write_file(path, gz);
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"corrupt gzip file", "incorrect data check"});
}

TEST(IdxRead, GzNameButNotGzip) {
    TempDir dir;
    const std::string path = dir.file("t.idx.gz");
    write_file(path, make_idx({4}, {1, 2, 3, 4}));  // plain IDX under a .gz name
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"not a gzip file"});
}

TEST(IdxRead, EmptyGzFile) {
    TempDir dir;
    const std::string path = dir.file("t.idx.gz");
    write_file(path, {});
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": ");
    expect_contains(msg, {"not a gzip file"});
}

TEST(IdxRead, MalformedIdxInsideGzipNamesTheGzPath) {
    TempDir dir;
    const std::string path = dir.file("t.idx.gz");
    write_gz(path, make_idx({10, 28, 28}, iota_bytes(100)));
    const std::string msg = error_of([&] { ae::idx_read(path); });
    expect_contains(msg, path + ": truncated data: header promises 7840 bytes of data, file has 100");
}

}  // namespace
