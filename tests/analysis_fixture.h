// A small model trained briefly on real Fashion-MNIST (the first 2,000 training and 500 test images), shared
// by the analysis tests (test_anomaly, test_sampling, test_interpolation, test_manifold, test_model_file).
#pragma once

#include <memory>
#include <string>

#include "ae/config.h"
#include "ae/dataset.h"
#include "ae/error.h"
#include "ae/session.h"

namespace analysis_fixture {

inline std::shared_ptr<const ae::Dataset> head(const ae::Dataset& d, int n) {
    return std::make_shared<const ae::Dataset>(ae::dataset_head(d, n));
}

struct Data {
    std::shared_ptr<const ae::Dataset> train, test;
};

// Loaded once per test program.
inline const Data& fashion() {
    static const Data d = [] {
        const ae::DatasetPair p = ae::load_dataset("fashion-mnist");
        return Data{head(p.train, 2000), head(p.test, 500)};
    }();
    return d;
}

inline ae::Config small_config(const std::string& type = "ae", int latent = 4) {
    ae::Config c;
    c.model = ae::model_defaults(type);
    c.model.encoder = {64};
    c.model.decoder.clear();
    c.model.latent = latent;
    c.train.batch = 100;
    c.train.seed = 3;
    return c;
}

// A session trained for `steps` minibatches.
inline std::unique_ptr<ae::TrainingSession> trained(const ae::Config& c, int steps = 40) {
    auto s = std::make_unique<ae::TrainingSession>(c, fashion().train, fashion().test);
    s->step(steps);
    return s;
}

}  // namespace analysis_fixture
