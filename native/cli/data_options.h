// The data-set flags shared by every `ae` command that reads images (train, bench, eval, sample, ...).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "ae/dataset.h"
#include "ae/model_file.h"

namespace ae_cli {

struct DataOptions {
    std::string name;  // fashion-mnist | mnist | idx | a 2-D toy set (moons, circle, spiral, sine); empty: the command's default (a model file's data set)
    std::string dir;
    std::string train_images, train_labels, test_images, test_labels;
    int limit_train = 0, limit_test = 0;
    int exclude_class = -1;  // ae train --exclude-class: drop this class from the training set
};

// --data (described by `data_help`; its default is shown when d.name is preset), --data-dir, the four IDX
// paths and --limit-train / --limit-test.
void add_data_options(CLI::App* cmd, DataOptions& d, const std::string& data_help);

// Loads data set `name` (d.name is ignored) with d's files, limits and excluded class. Errors name the
// missing flag or file (ae::Error).
ae::DatasetPair load_data(const DataOptions& d, const std::string& name);

// What a model file records about d (model_file.h DatasetRef): the name, the IDX paths as given, the
// excluded class.
ae::DatasetRef dataset_ref(const DataOptions& d);

// d with the fields the user left empty filled from a model file's data set (name, IDX paths, and
// nothing else: limits and the data directory stay the command's).
DataOptions data_options_with(DataOptions d, const ae::DatasetRef& r);

}  // namespace ae_cli
