#include "ae/toy_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ae/autoencoder.h"
#include "ae/dataset.h"
#include "ae/error.h"
#include "test_util.h"

namespace {

// Mean distance of the points of `d` with label `label` to the noiseless curve, estimated against a dense
// sample of the curve (toy_dataset with noise 0 and many points).
double mean_distance_to_curve(const ae::Dataset& d, const ae::Dataset& curve) {
    double sum = 0.0;
    for (int i = 0; i < d.count; ++i) {
        double best = 1e9;
        for (int j = 0; j < curve.count; ++j) {
            if (curve.labels[j] != d.labels[i]) continue;
            const double dx = d.values[2 * i] - curve.values[2 * j], dy = d.values[2 * i + 1] - curve.values[2 * j + 1];
            best = std::min(best, dx * dx + dy * dy);
        }
        sum += std::sqrt(best);
    }
    return sum / d.count;
}

TEST(ToyData, CountsRangeLabelsAndShape) {
    for (const std::string& name : ae::toy_dataset_names()) {
        const ae::DatasetPair p = ae::toy_dataset(name);
        for (const ae::Dataset* d : {&p.train, &p.test}) {
            EXPECT_EQ(d->rows, 1) << name;
            EXPECT_EQ(d->cols, 2) << name;
            EXPECT_TRUE(d->pixels.empty()) << name;
            EXPECT_TRUE(d->has_values()) << name;
            EXPECT_EQ(d->values.size(), 2u * static_cast<size_t>(d->count)) << name;
            EXPECT_EQ(d->labels.size(), static_cast<size_t>(d->count)) << name;
            for (float v : d->values) {
                EXPECT_GE(v, 0.0f) << name;
                EXPECT_LE(v, 1.0f) << name;
            }
            for (uint8_t l : d->labels) EXPECT_LT(l, d->num_classes()) << name;
        }
        EXPECT_EQ(p.train.count, 2000) << name;
        EXPECT_EQ(p.test.count, 500) << name;
        EXPECT_EQ(p.train.name, name + "/train");
        EXPECT_EQ(p.test.name, name + "/test");
        // The two-class sets are about balanced; the points spread over a good part of the square.
        if (p.train.num_classes() == 2) {
            const long ones = std::count(p.train.labels.begin(), p.train.labels.end(), 1);
            EXPECT_GT(ones, 900) << name;
            EXPECT_LT(ones, 1100) << name;
        }
        const Eigen::Map<const Eigen::Matrix<float, 2, Eigen::Dynamic>> x(p.train.values.data(), 2, p.train.count);
        EXPECT_GT(x.row(0).maxCoeff() - x.row(0).minCoeff(), 0.6f) << name;
        EXPECT_GT(x.row(1).maxCoeff() - x.row(1).minCoeff(), 0.35f) << name;
    }
    EXPECT_EQ(ae::toy_dataset("moons").train.class_names, (std::vector<std::string>{"upper moon", "lower moon"}));
    EXPECT_EQ(ae::toy_dataset("spiral").train.num_classes(), 2);
    EXPECT_EQ(ae::toy_dataset("circle").train.num_classes(), 1);
}

TEST(ToyData, DeterministicBySeedAndSplitsDiffer) {
    for (const std::string& name : ae::toy_dataset_names()) {
        const ae::DatasetPair a = ae::toy_dataset(name), b = ae::toy_dataset(name);
        EXPECT_EQ(a.train.values, b.train.values) << name;
        EXPECT_EQ(a.train.labels, b.train.labels) << name;
        EXPECT_EQ(a.test.values, b.test.values) << name;
        ae::ToyDataOptions o;
        o.seed = 2;
        const ae::DatasetPair c = ae::toy_dataset(name, o);
        EXPECT_NE(a.train.values, c.train.values) << name;
        // The test split is not a copy of the training split's first points.
        EXPECT_NE(std::vector<float>(a.train.values.begin(), a.train.values.begin() + 1000),
                  std::vector<float>(a.test.values.begin(), a.test.values.end()))
            << name;
    }
}

TEST(ToyData, NoiseIsTheDocumentedDistanceFromTheCurve) {
    // For isotropic 2-D Gaussian noise of σ far smaller than the curvature radius, the distance to the curve
    // is |N(0, σ²)| along the normal: mean σ √(2/π).
    const double expected_noise[] = {0.015, 0.015, 0.01, 0.02};  // moons, circle, spiral, sine (toy_data.h)
    for (size_t s = 0; s < 4; ++s) {
        const std::string& name = ae::toy_dataset_names()[s];
        ae::ToyDataOptions o;
        o.train = 500;
        o.test = 1;
        const ae::Dataset d = ae::toy_dataset(name, o).train;
        o.train = 20000;
        o.noise = 0.0;
        const ae::Dataset curve = ae::toy_dataset(name, o).train;
        const double mean = mean_distance_to_curve(d, curve), want = expected_noise[s] * std::sqrt(2.0 / M_PI);
        EXPECT_NEAR(mean, want, 0.2 * want) << name;
    }
}

TEST(ToyData, MoonsAsDocumented) {
    ae::ToyDataOptions o;
    o.noise = 0.0;
    o.train = 4000;
    const ae::Dataset d = ae::toy_dataset("moons", o).train;
    for (int i = 0; i < d.count; ++i) {
        // Undo the documented map and check the point lies on its half circle.
        const double px = d.values[2 * i] * 3.5 - 1.25, py = (d.values[2 * i + 1] - 0.5) * 3.5 + 0.25;
        const double cx = d.labels[i] == 0 ? 0.0 : 1.0, cy = d.labels[i] == 0 ? 0.0 : 0.5;
        EXPECT_NEAR(std::hypot(px - cx, py - cy), 1.0, 1e-5);
        EXPECT_TRUE(d.labels[i] == 0 ? py >= cy - 1e-6 : py <= cy + 1e-6);
    }
}

TEST(ToyData, BatchesAndSubsetsKeepTheFloats) {
    const ae::DatasetPair p = ae::toy_dataset("spiral");
    const ae::Matrix x = ae::dataset_images(p.test, 3, 4);
    ASSERT_EQ(x.rows(), 2);
    ASSERT_EQ(x.cols(), 4);
    for (int j = 0; j < 4; ++j) {
        EXPECT_EQ(x(0, j), p.test.values[2 * (3 + j)]);
        EXPECT_EQ(x(1, j), p.test.values[2 * (3 + j) + 1]);
    }
    const ae::Dataset h = ae::dataset_head(p.train, 10);
    EXPECT_EQ(h.count, 10);
    EXPECT_EQ(h.values, std::vector<float>(p.train.values.begin(), p.train.values.begin() + 20));
    const ae::Dataset w = ae::dataset_without_class(p.train, 1);
    EXPECT_EQ(w.values.size(), 2u * static_cast<size_t>(w.count));
    EXPECT_EQ(w.count, static_cast<int>(std::count(p.train.labels.begin(), p.train.labels.end(), 0)));
    const ae::DatasetPair s = ae::dataset_holdout_split(p.train, 0.25);
    EXPECT_EQ(s.test.count, 500);
    EXPECT_EQ(s.test.values, std::vector<float>(p.train.values.begin() + 3000, p.train.values.end()));
    // load_dataset knows the toy names (no files).
    EXPECT_EQ(ae::load_dataset("circle").test.values, ae::toy_dataset("circle").test.values);
}

TEST(ToyData, BadArguments) {
    test_util::expect_contains(test_util::error_of([] { ae::toy_dataset("square"); }),
                               {"square", "moons, circle, spiral or sine"});
    ae::ToyDataOptions o;
    o.test = 0;
    test_util::expect_contains(test_util::error_of([&] { ae::toy_dataset("moons", o); }), {"test count 0"});
    o.test = 10;
    o.noise = 2.0;
    test_util::expect_contains(test_util::error_of([&] { ae::toy_dataset("moons", o); }), {"noise"});
}

TEST(ToyData, ModelDefaultsFitTwoInputs) {
    for (const std::string& type : ae::model_types()) {
        const ae::Config c = ae::toy_config_defaults(type);
        EXPECT_EQ(c.model.input_dim(), 2) << type;
        EXPECT_EQ(c.model.type, type);
        EXPECT_EQ(c.model.loss, ae::Loss::mse) << type;
        EXPECT_NO_THROW(ae::config_validate(c)) << type;
        EXPECT_NO_THROW(ae::Autoencoder(c.model)) << type;
    }
    const ae::Config d = ae::toy_config_defaults("denoising");
    EXPECT_EQ(d.model.corruption, ae::Corruption::gaussian);
    EXPECT_FLOAT_EQ(d.model.corruption_level, 0.05f);
    EXPECT_EQ(d.model.latent, 2);
    EXPECT_EQ(d.train.batch, 64);
    EXPECT_EQ(ae::toy_config_defaults("ae").model.latent, 1);
    EXPECT_THROW(ae::toy_config_defaults("bogus"), ae::Error);
}

}  // namespace
