// model_file.h: data set and optimizer state in model files; old files still load; TrainingSession::resume.
#include "ae/model_file.h"

#include <gtest/gtest.h>

#include "ae/safetensors.h"
#include "analysis_fixture.h"

namespace {

using namespace analysis_fixture;

std::vector<uint8_t> save(ae::TrainingSession& s, const ae::DatasetRef& d) {
    return ae::model_file_encode(s.model(), ae::ModelFileInfo{s.config(), {s.epoch(), s.steps()}, d, &s.optimizer()});
}

TEST(ModelFile, RecordsTheDataSetAndTheOptimizerMoments) {
    auto s = trained(small_config("ae", 4), 12);
    const ae::DatasetRef d{"idx", "train.gz", "train-labels.gz", "", "", 3};
    const std::vector<uint8_t> bytes = save(*s, d);
    const ae::SafetensorsFile raw = ae::safetensors_decode(bytes.data(), bytes.size(), "t");
    EXPECT_EQ(raw.metadata.at("data"), "idx");
    EXPECT_EQ(raw.metadata.at("data_train_images"), "train.gz");
    EXPECT_EQ(raw.metadata.count("data_test_images"), 0u);
    EXPECT_EQ(raw.metadata.at("exclude_class"), "3");
    EXPECT_EQ(raw.metadata.at("optimizer"), "adam");
    EXPECT_EQ(raw.metadata.at("optimizer_step"), "12");
    ASSERT_NE(raw.find("optimizer.m.encoder.0.weight"), nullptr);
    ASSERT_NE(raw.find("optimizer.v.decoder.2.bias"), nullptr);
    EXPECT_EQ(raw.tensors.size(), 3 * s->model().params().tensors().size());

    const ae::ModelFile f = ae::model_file_decode(bytes.data(), bytes.size(), "t");
    EXPECT_EQ(f.data.name, "idx");
    EXPECT_EQ(f.data.train_labels, "train-labels.gz");
    EXPECT_EQ(f.data.exclude_class, 3);
    EXPECT_EQ(f.state.step, 12);
    EXPECT_EQ(f.optimizer.type, "adam");
    EXPECT_EQ(f.optimizer.steps, 12);
    EXPECT_EQ(f.optimizer.m, s->optimizer().m());
    EXPECT_EQ(f.optimizer.v, s->optimizer().v());
    EXPECT_EQ(f.tensors.tensors.size(), s->model().params().tensors().size());  // the model's own tensors only
    EXPECT_EQ(ae::model_file_build(f).params().values(), s->model().params().values());
}

TEST(ModelFile, OldFilesWithoutDataOrOptimizerStillLoad) {
    auto s = trained(small_config("ae", 4), 3);
    const std::vector<uint8_t> bytes = ae::safetensors_encode(
        s->model().params(), ae::model_file_metadata(s->config(), ae::TrainingState{0, 3}));
    const ae::ModelFile f = ae::model_file_decode(bytes.data(), bytes.size(), "old");
    EXPECT_TRUE(f.data.name.empty());
    EXPECT_EQ(f.data.exclude_class, -1);
    EXPECT_TRUE(f.optimizer.empty());
    ae::TrainingSession fresh(s->config(), fashion().train, fashion().test);
    EXPECT_FALSE(fresh.resume(f));
    EXPECT_EQ(fresh.steps(), 3);
    EXPECT_EQ(fresh.model().params().values(), s->model().params().values());
}

TEST(ModelFile, IncompleteOptimizerStateIsRejected) {
    auto s = trained(small_config("ae", 4), 2);
    // Only the first moments under an "adam" label: v is missing.
    ae::ParamStore p;
    for (const ae::ParamTensor& t : s->model().params().tensors()) p.add(t.name, t.shape);
    for (const ae::ParamTensor& t : s->model().params().tensors()) p.add("optimizer.m." + t.name, t.shape);
    p.finalize();
    auto meta = ae::model_file_metadata(s->config(), ae::TrainingState{0, 2});
    meta["optimizer"] = "adam";
    const std::vector<uint8_t> bytes = ae::safetensors_encode(p, meta);
    EXPECT_THROW(ae::model_file_decode(bytes.data(), bytes.size(), "t"), ae::Error);
}

TEST(TrainingSessionResume, ContinuesStepsEpochsAndAdamMoments) {
    ae::Config c = small_config("ae", 4);
    auto s = trained(c, 25);  // 20 batches per epoch: epoch 1, step 25
    const std::vector<uint8_t> bytes = save(*s, {"fashion-mnist", "", "", "", "", -1});
    const ae::ModelFile f = ae::model_file_decode(bytes.data(), bytes.size(), "t");
    ae::TrainingSession r(c, fashion().train, fashion().test);
    EXPECT_TRUE(r.resume(f));
    EXPECT_EQ(r.epoch(), 1);
    EXPECT_EQ(r.steps(), 25);
    EXPECT_EQ(r.optimizer().steps(), 25);
    EXPECT_EQ(r.optimizer().m(), s->optimizer().m());
    EXPECT_EQ(r.model().params().values(), s->model().params().values());
    r.step(1);
    EXPECT_EQ(r.steps(), 26);
    EXPECT_EQ(r.optimizer().steps(), 26);  // Adam's bias correction continues from t = 25
    EXPECT_EQ(r.snapshot().first_step, 25);
    // Another optimizer type starts afresh.
    ae::Config sgd = c;
    sgd.train.optimizer.type = ae::OptimizerType::sgd;
    ae::TrainingSession q(sgd, fashion().train, fashion().test);
    EXPECT_FALSE(q.resume(f));
    EXPECT_EQ(q.optimizer().steps(), 0);
}

}  // namespace
