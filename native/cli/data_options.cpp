#include "data_options.h"

#include "ae/error.h"

namespace ae_cli {

void add_data_options(CLI::App* cmd, DataOptions& d, const std::string& data_help) {
    CLI::Option* data = cmd->add_option("--data", d.name, data_help)->check(CLI::IsMember({"fashion-mnist", "mnist", "idx", "moons", "circle", "spiral", "sine"}));
    if (!d.name.empty()) data->capture_default_str();
    cmd->add_option("--data-dir", d.dir, "Directory holding the data set's files (default: the package's)");
    cmd->add_option("--train-images", d.train_images, "IDX (optionally .gz) training images, for --data idx");
    cmd->add_option("--train-labels", d.train_labels, "IDX training labels, for --data idx");
    cmd->add_option("--test-images", d.test_images, "IDX test images (default: hold out 10% of training)");
    cmd->add_option("--test-labels", d.test_labels, "IDX test labels");
    cmd->add_option("--limit-train", d.limit_train, "Use only the first N training images (0 = all)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--limit-test", d.limit_test, "Use only the first N test images (0 = all)")
        ->check(CLI::NonNegativeNumber);
}

ae::DatasetPair load_data(const DataOptions& d, const std::string& name) {
    ae::DatasetPair p;
    if (name == "idx") {
        if (d.train_images.empty() || d.train_labels.empty())
            throw ae::Error("--data idx needs --train-images and --train-labels");
        p = ae::load_idx_dataset(d.train_images, d.train_labels, d.test_images, d.test_labels);
    } else {
        p = ae::load_dataset(name, d.dir);
    }
    if (d.limit_train > 0) p.train = ae::dataset_head(p.train, d.limit_train);
    if (d.limit_test > 0) p.test = ae::dataset_head(p.test, d.limit_test);
    if (d.exclude_class >= 0) p.train = ae::dataset_without_class(p.train, d.exclude_class);
    return p;
}

ae::DatasetRef dataset_ref(const DataOptions& d) {
    return ae::dataset_ref(d.name, d.train_images, d.train_labels, d.test_images, d.test_labels, d.exclude_class);
}

DataOptions data_options_with(DataOptions d, const ae::DatasetRef& r) {
    if (!d.name.empty()) return d;
    d.name = r.name.empty() ? "fashion-mnist" : r.name;  // files older than the "data" entry: the old default
    if (d.name == "idx" && d.train_images.empty()) {
        d.train_images = r.train_images;
        d.train_labels = r.train_labels;
        d.test_images = r.test_images;
        d.test_labels = r.test_labels;
    }
    return d;
}

}  // namespace ae_cli
