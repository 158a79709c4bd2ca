// The options described once (options.h): the table covers every config field, every value inside a
// range round-trips through the model-file JSON, every value outside is refused in words naming the
// field, and the form check puts each message on its field.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "ae/config.h"
#include "ae/error.h"
#include "ae/options.h"
#include "test_util.h"

namespace {

using nlohmann::json;

using test_util::error_of;

TEST(Options, TableCoversEveryConfigField) {
    const json j = json::parse(ae::config_to_json(ae::Config{}));
    std::set<std::string> in_json, in_table;
    for (const auto& section : j.items())
        for (const auto& f : section.value().items()) in_json.insert(section.key() + "." + f.key());
    for (const ae::FieldInfo& f : ae::config_fields()) {
        in_table.insert(f.path);
        EXPECT_FALSE(f.label.empty()) << f.path;
        EXPECT_FALSE(f.help.empty()) << f.path;
        if (f.group != "data") EXPECT_EQ(f.flag.rfind("--", 0), 0u) << f.path << " has no flag";
        EXPECT_EQ(ae::config_field(f.path).path, f.path);
    }
    EXPECT_EQ(in_json, in_table);
    EXPECT_THROW(ae::config_field("model.nope"), ae::Error);
}

// A value just inside and just outside each end of the range, as stored (float32 for numbers).
struct Probe {
    std::string inside, outside;
};
std::vector<Probe> probes(const ae::FieldInfo& f) {
    auto text = [](double x) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.9g", x);
        return std::string(buf);
    };
    std::vector<Probe> p;
    auto whole = [](double x) { return std::to_string(static_cast<long long>(x)); };
    if (f.kind == ae::FieldKind::integer || f.kind == ae::FieldKind::seed) {
        p.push_back({whole(f.min), whole(f.min - 1)});
        p.push_back({whole(f.max), whole(f.max + 1)});
    } else if (f.kind == ae::FieldKind::number) {
        const float lo = static_cast<float>(f.min), hi = static_cast<float>(f.max);
        p.push_back({text(f.min_exclusive ? std::nextafter(lo, hi) : lo), text(f.min_exclusive ? lo : -1e-3)});
        p.push_back({text(f.max_exclusive ? std::nextafter(hi, lo) : hi), text(f.max_exclusive ? hi : f.max * 1.01)});
    }
    return p;
}

// Issue 12, item 2: a value that validation accepts must survive the file the project writes.
TEST(Options, EveryRangeEndRoundTripsThroughTheModelFileJson) {
    int checked = 0;
    for (const ae::FieldInfo& f : ae::config_fields()) {
        for (const Probe& p : probes(f)) {
            ae::Config c;
            ae::field_set_text(c, f.path, p.inside);
            ASSERT_NO_THROW(ae::config_validate(c)) << f.path << " = " << p.inside;
            const ae::Config back = ae::config_from_json(ae::config_to_json(c), "round trip");
            EXPECT_EQ(ae::field_text(back, f.path), ae::field_text(c, f.path)) << f.path;
            const std::string msg = error_of([&] { ae::field_set_text(c, f.path, p.outside); });
            EXPECT_EQ(msg.rfind(f.label + ": ", 0), 0u) << f.path << " = " << p.outside << ": '" << msg << "'";
            EXPECT_NE(msg.find("outside"), std::string::npos) << msg;
            ++checked;
        }
    }
    EXPECT_GE(checked, 2 * 20);
}

TEST(Options, FloatOverflowIsRefusedAsStoredNotWrittenAsNull) {
    ae::Config c;
    EXPECT_EQ(error_of([&] { ae::field_set_text(c, "train.eps", "1e39"); }), "Adam ε: 1e39 is outside (0, 1]");
    // A JSON config: refused before it becomes infinity.
    const std::string msg = error_of([] { ae::config_from_json(R"({"train": {"eps": 1e39}})", "c.json"); });
    EXPECT_NE(msg.find("c.json: train.eps: expected a number in (0, 1]"), std::string::npos) << msg;
    // A Config set in code to infinity fails validation (and so is never saved).
    c.train.optimizer.eps = INFINITY;
    EXPECT_NE(error_of([&] { ae::config_validate(c); }).find("train.eps"), std::string::npos);
    c.train.optimizer.eps = 1e-8f;
    c.model.beta = NAN;
    EXPECT_NE(error_of([&] { ae::config_validate(c); }).find("model.beta"), std::string::npos);
}

TEST(Options, MessagesAreInWords) {
    ae::Config c;
    EXPECT_EQ(error_of([&] { ae::field_set_text(c, "model.latent", "abc"); }), "latent size: 'abc' is not a whole number");
    EXPECT_EQ(error_of([&] { ae::field_set_text(c, "model.latent", ""); }),
              "latent size: empty (expected a whole number in 1..65536)");
    EXPECT_EQ(error_of([&] { ae::field_set_text(c, "train.lr", "fast"); }), "learning rate: 'fast' is not a number");
    EXPECT_EQ(error_of([&] { ae::field_set_text(c, "train.lr", "nan"); }), "learning rate: 'nan' is not a number");
    EXPECT_EQ(error_of([&] { ae::field_set_text(c, "model.activation", "gelu"); }),
              "hidden activation: 'gelu' is not one of relu, leaky_relu, sigmoid, tanh, identity");
    EXPECT_EQ(error_of([&] { ae::field_set_text(c, "model.encoder", "512,abc"); })
                  .rfind("encoder layers: 'abc' is not a layer spec", 0),
              0u);
    ae::field_set_text(c, "model.encoder", " 512, 256 ");
    EXPECT_EQ(ae::field_text(c, "model.encoder"), "512,256");
    ae::field_set_text(c, "train.lr", "3e-4");
    EXPECT_EQ(ae::field_text(c, "train.lr"), "0.0003");
}

TEST(Options, FormCheckPutsEachMessageOnItsField) {
    const ae::Config base;
    // Two bad fields at once: both marked.
    ae::FormResult r = ae::form_check(base, {{"model.latent", "0"}, {"train.batch", "x"}});
    ASSERT_EQ(r.errors.size(), 2u);
    EXPECT_EQ(r.errors["model.latent"], "latent size: 0 is outside 1..65536");
    EXPECT_EQ(r.errors["train.batch"], "batch size: 'x' is not a whole number");
    // A rule between fields (config_validate) lands on the field it names, with its label.
    r = ae::form_check(base, {{"model.loss", "bce"}, {"model.output", "identity"}});
    ASSERT_EQ(r.errors.count("model.output"), 1u);
    EXPECT_EQ(r.errors["model.output"], "output activation: loss bce needs a sigmoid output");
    // A hidden field (momentum with adam) is not checked and keeps its value.
    r = ae::form_check(base, {{"train.optimizer", "adam"}, {"train.momentum", "abc"}});
    EXPECT_TRUE(r.ok());
    EXPECT_FLOAT_EQ(r.config.train.optimizer.momentum, 0.9f);
    r = ae::form_check(base, {{"train.optimizer", "sgd"}, {"train.momentum", "abc"}});
    EXPECT_EQ(r.errors["train.momentum"], "momentum: 'abc' is not a number");
    // A new model type starts from its defaults; the penalty named without a weight gets its default.
    r = ae::form_check(base, {{"model.type", "vae"}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(ae::field_text(r.config, "model.encoder"), "400");
    EXPECT_EQ(r.config.model.latent, 20);
    r = ae::form_check(base, {{"model.sparsity", "kl"}});
    ASSERT_TRUE(r.ok());
    EXPECT_FLOAT_EQ(r.config.model.sparsity_weight, 0.1f);
    EXPECT_EQ(r.config.model.latent_activation, ae::Activation::sigmoid);
}

TEST(Options, WhichFieldsApply) {
    ae::Config c;
    auto applies = [&](const char* p) { return ae::field_applies(ae::config_field(p), c); };
    EXPECT_FALSE(applies("model.beta"));
    EXPECT_FALSE(applies("model.sparsity_weight"));
    EXPECT_FALSE(applies("train.momentum"));
    EXPECT_TRUE(applies("train.beta1"));
    c = ae::form_check(c, {{"model.type", "vae"}, {"train.optimizer", "sgd"}}).config;
    EXPECT_TRUE(applies("model.beta"));
    EXPECT_FALSE(applies("model.sparsity"));
    EXPECT_FALSE(applies("model.corruption"));
    EXPECT_TRUE(applies("train.momentum"));
    EXPECT_FALSE(applies("train.eps"));
}

TEST(Options, LiveFieldsApplyToARunningSession) {
    ae::Config a, b;
    b.train.optimizer.lr = 0.01f;
    b.train.epochs = 3;
    b.train.optimizer.beta1 = 0.5f;
    EXPECT_EQ(ae::fields_needing_new_model(a, b), "");
    b.model.latent = 8;
    b.train.batch = 64;
    b.train.optimizer.type = ae::OptimizerType::sgd;
    EXPECT_EQ(ae::fields_needing_new_model(a, b), "latent size, optimizer, batch size");
}

TEST(Options, ChoicesMatchTheParsers) {
    for (const auto& [path, values] : ae::config_choices())
        for (const std::string& v : values) {
            ae::Config c;
            EXPECT_NO_THROW(ae::field_set_text(c, path, v)) << path << " " << v;
            EXPECT_EQ(ae::field_text(c, path), v);
        }
}

}  // namespace

namespace {

// The JSON form the page's Worker uses: the same check, the same messages.
TEST(Options, JsonFormForThePage) {
    const json fields = json::parse(ae::config_fields_json());
    ASSERT_EQ(fields.size(), ae::config_fields().size());
    EXPECT_EQ(fields[0]["path"], "model.type");
    const json r = json::parse(ae::form_check_json(ae::config_to_json(ae::Config{}), R"([["model.latent", "abc"]])"));
    EXPECT_TRUE(r["configJson"].is_null());
    EXPECT_EQ(r["errors"]["model.latent"], "latent size: 'abc' is not a whole number");
    EXPECT_EQ(r["applies"]["model.beta"], false);
    const json ok = json::parse(ae::form_check_json(ae::config_to_json(ae::Config{}), R"([["model.type", "vae"]])"));
    EXPECT_EQ(ok["values"]["model.encoder"], "400");
    EXPECT_EQ(ae::config_from_json(ok["configJson"].get<std::string>()).model.type, "vae");
    EXPECT_THROW(ae::form_check_json("{}", "[1, 2"), ae::Error);
}

}  // namespace
