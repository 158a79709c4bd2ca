// Config <-> JSON: round trip, and errors that name the offending field.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ae/config.h"
#include "ae/error.h"

namespace {

// Expects config_from_json(text) to throw ae::Error whose message contains every string in `needles`.
void expect_error(const std::string& text, const std::vector<std::string>& needles) {
    try {
        ae::config_from_json(text, "my.json");
        ADD_FAILURE() << "expected ae::Error for " << text;
    } catch (const ae::Error& e) {
        const std::string msg = e.what();
        for (const std::string& n : needles)
            EXPECT_NE(msg.find(n), std::string::npos) << "message '" << msg << "' lacks '" << n << "'";
    }
}

ae::Config non_default_config() {
    ae::Config c;
    c.model.input_rows = 20;
    c.model.input_cols = 24;
    c.model.encoder = {300, 100, 30};
    c.model.decoder = {40, 200};
    c.model.latent = 7;
    c.model.activation = ae::Activation::tanh;
    c.model.latent_activation = ae::Activation::sigmoid;
    c.model.output = ae::Activation::sigmoid;
    c.model.loss = ae::Loss::mse;
    c.model.init = ae::Init::he;
    c.model.type = "sparse";
    c.model.sparsity = ae::Sparsity::kl;
    c.model.sparsity_weight = 0.37f;
    c.model.sparsity_target = 0.11f;
    c.model.corruption = ae::Corruption::block;
    c.model.corruption_level = 5.0f;
    c.model.contractive_weight = 0.7f;
    c.model.beta = 4.0f;
    c.model.kl_warmup_epochs = 3;
    c.model.code_noise = 2.5f;
    c.train.optimizer.type = ae::OptimizerType::adamw;
    c.train.optimizer.lr = 0.003f;
    c.train.optimizer.momentum = 0.5f;
    c.train.optimizer.beta1 = 0.85f;
    c.train.optimizer.beta2 = 0.995f;
    c.train.optimizer.eps = 1e-7f;
    c.train.optimizer.weight_decay = 0.01f;
    c.train.batch = 77;
    c.train.epochs = 13;
    c.train.seed = 9007199254740991ull;  // 2^53 - 1: the largest seed (exact in a JavaScript number)
    c.train.threads = 3;
    return c;
}

void expect_same(const ae::Config& a, const ae::Config& b) {
    EXPECT_EQ(a.model.type, b.model.type);
    EXPECT_EQ(a.model.input_rows, b.model.input_rows);
    EXPECT_EQ(a.model.input_cols, b.model.input_cols);
    EXPECT_EQ(a.model.encoder, b.model.encoder);
    EXPECT_EQ(a.model.decoder, b.model.decoder);
    EXPECT_EQ(a.model.latent, b.model.latent);
    EXPECT_EQ(a.model.activation, b.model.activation);
    EXPECT_EQ(a.model.latent_activation, b.model.latent_activation);
    EXPECT_EQ(a.model.output, b.model.output);
    EXPECT_EQ(a.model.loss, b.model.loss);
    EXPECT_EQ(a.model.init, b.model.init);
    EXPECT_EQ(a.model.sparsity, b.model.sparsity);
    EXPECT_EQ(a.model.sparsity_weight, b.model.sparsity_weight);
    EXPECT_EQ(a.model.sparsity_target, b.model.sparsity_target);
    EXPECT_EQ(a.model.corruption, b.model.corruption);
    EXPECT_EQ(a.model.corruption_level, b.model.corruption_level);
    EXPECT_EQ(a.model.contractive_weight, b.model.contractive_weight);
    EXPECT_EQ(a.model.beta, b.model.beta);
    EXPECT_EQ(a.model.kl_warmup_epochs, b.model.kl_warmup_epochs);
    EXPECT_EQ(a.model.code_noise, b.model.code_noise);
    EXPECT_EQ(a.train.optimizer.type, b.train.optimizer.type);
    EXPECT_EQ(a.train.optimizer.lr, b.train.optimizer.lr);  // floats survive exactly
    EXPECT_EQ(a.train.optimizer.momentum, b.train.optimizer.momentum);
    EXPECT_EQ(a.train.optimizer.beta1, b.train.optimizer.beta1);
    EXPECT_EQ(a.train.optimizer.beta2, b.train.optimizer.beta2);
    EXPECT_EQ(a.train.optimizer.eps, b.train.optimizer.eps);
    EXPECT_EQ(a.train.optimizer.weight_decay, b.train.optimizer.weight_decay);
    EXPECT_EQ(a.train.batch, b.train.batch);
    EXPECT_EQ(a.train.epochs, b.train.epochs);
    EXPECT_EQ(a.train.seed, b.train.seed);
    EXPECT_EQ(a.train.threads, b.train.threads);
}

TEST(Config, DefaultsRoundTrip) {
    const ae::Config c;
    const std::string json = ae::config_to_json(c);
    const ae::Config back = ae::config_from_json(json);
    expect_same(c, back);
    EXPECT_EQ(ae::config_to_json(back), json);
}

TEST(Config, NonDefaultRoundTrip) {
    const ae::Config c = non_default_config();
    for (int indent : {-1, 0, 2, 4}) {
        const std::string json = ae::config_to_json(c, indent);
        const ae::Config back = ae::config_from_json(json);
        expect_same(c, back);
        EXPECT_EQ(ae::config_to_json(back, indent), json);
    }
}

TEST(Config, EmptyObjectGivesDefaults) {
    expect_same(ae::config_from_json("{}"), ae::Config());
    expect_same(ae::config_from_json(R"({"model": {}, "train": {}})"), ae::Config());
}

TEST(Config, PartialObjectKeepsOtherDefaults) {
    const ae::Config c = ae::config_from_json(R"({"model": {"latent": 16}, "train": {"lr": 0.01}})");
    EXPECT_EQ(c.model.latent, 16);
    EXPECT_EQ(c.model.encoder, (std::vector<ae::LayerSpec>{512, 256}));
    EXPECT_FLOAT_EQ(c.train.optimizer.lr, 0.01f);
    EXPECT_EQ(c.train.batch, 256);
    EXPECT_EQ(ae::plan_architecture(c.model).decoder[0].out.c, 256);  // mirror of the encoder
    EXPECT_EQ(ae::plan_architecture(c.model).decoder[2].out.c, 512);
}

TEST(Config, UnknownFieldsAreErrorsNamingThem) {
    expect_error(R"({"modle": {}})", {"my.json", "modle", "unknown field"});
    expect_error(R"({"model": {"latnet": 3}})", {"model.latnet", "unknown field"});
    expect_error(R"({"train": {"learning_rate": 0.1}})", {"train.learning_rate", "unknown field"});
}

TEST(Config, WrongTypesAreErrorsNamingTheField) {
    expect_error(R"({"model": {"latent": "two"}})", {"model.latent", "\"two\""});
    expect_error(R"({"model": {"latent": 2.5}})", {"model.latent"});
    expect_error(R"({"model": {"encoder": 512}})", {"model.encoder", "array"});
    expect_error(R"({"model": {"encoder": [512, "x"]}})", {"model.encoder"});
    expect_error(R"({"model": {"activation": 3}})", {"model.activation", "string"});
    expect_error(R"({"train": {"lr": "fast"}})", {"train.lr", "number"});
    expect_error(R"({"train": {"seed": -1}})", {"train.seed"});
    expect_error(R"({"train": {"batch": true}})", {"train.batch"});
    expect_error(R"({"model": []})", {"model", "object"});
    expect_error(R"({"train": 5})", {"train", "object"});
    expect_error(R"([1, 2])", {"my.json", "object"});
}

TEST(Config, OutOfRangeValuesAreErrorsNamingTheField) {
    expect_error(R"({"model": {"latent": -3}})", {"model.latent", "-3"});
    expect_error(R"({"model": {"latent": 0}})", {"model.latent"});
    expect_error(R"({"model": {"input_rows": 0}})", {"model.input_rows"});
    expect_error(R"({"model": {"encoder": [512, 0]}})", {"model.encoder"});
    expect_error(R"({"train": {"batch": 0}})", {"train.batch"});
    expect_error(R"({"train": {"threads": 1000}})", {"train.threads"});
    expect_error(R"({"train": {"epochs": -1}})", {"train.epochs"});
    expect_error(R"({"train": {"lr": -0.1}})", {"train.lr"});
    expect_error(R"({"train": {"lr": 0}})", {"train.lr"});
    expect_error(R"({"train": {"beta1": 1.0}})", {"train.beta1"});
    expect_error(R"({"train": {"beta2": -0.5}})", {"train.beta2"});
    expect_error(R"({"train": {"momentum": 1.5}})", {"train.momentum"});
    expect_error(R"({"train": {"eps": 0}})", {"train.eps"});
    expect_error(R"({"train": {"weight_decay": -1}})", {"train.weight_decay"});
}

TEST(Config, BadEnumValuesNameTheFieldAndTheValue) {
    expect_error(R"({"model": {"activation": "swish"}})", {"model.activation", "swish"});
    expect_error(R"({"model": {"output": "softmax"}})", {"model.output", "softmax"});
    expect_error(R"({"model": {"loss": "l1"}})", {"model.loss", "l1"});
    expect_error(R"({"model": {"init": "zeros"}})", {"model.init", "zeros"});
    expect_error(R"({"model": {"type": "gan"}})", {"model.type", "gan"});
    expect_error(R"({"train": {"optimizer": "rmsprop"}})", {"train.optimizer", "rmsprop"});
    // A consistent-looking but invalid combination: bce needs a sigmoid output.
    expect_error(R"({"model": {"loss": "bce", "output": "identity"}})", {"model.output", "sigmoid"});
}

TEST(Config, EveryTypeRoundTripsFromItsDefaults) {
    for (const std::string& type : ae::model_types()) {
        ae::Config c;
        c.model = ae::model_defaults(type);
        EXPECT_NO_THROW(ae::config_validate(c)) << type;
        const ae::Config back = ae::config_from_json(ae::config_to_json(c));
        expect_same(c, back);
        // {"type": T} alone starts from the same defaults.
        expect_same(ae::config_from_json(R"({"model": {"type": ")" + type + R"("}})"), c);
    }
}

TEST(Config, TypeDefaults) {
    const ae::ModelConfig lin = ae::model_defaults("linear");
    EXPECT_EQ(lin.activation, ae::Activation::identity);
    EXPECT_EQ(lin.latent_activation, ae::Activation::identity);
    EXPECT_EQ(lin.output, ae::Activation::identity);
    EXPECT_EQ(lin.loss, ae::Loss::mse);
    const ae::ModelConfig vae = ae::model_defaults("vae");
    EXPECT_EQ(vae.loss, ae::Loss::bce);
    EXPECT_EQ(vae.encoder, (std::vector<ae::LayerSpec>{400}));
    EXPECT_EQ(vae.latent, 20);
    EXPECT_EQ(vae.beta, 1.0f);
    const ae::ModelConfig sp = ae::model_defaults("sparse");
    EXPECT_EQ(sp.sparsity, ae::Sparsity::kl);
    EXPECT_FLOAT_EQ(sp.sparsity_weight, 0.1f);
    EXPECT_FLOAT_EQ(sp.sparsity_target, 0.05f);
    EXPECT_EQ(sp.latent_activation, ae::Activation::sigmoid);
    const ae::ModelConfig dn = ae::model_defaults("denoising");
    EXPECT_EQ(dn.corruption, ae::Corruption::gaussian);
    EXPECT_FLOAT_EQ(dn.corruption_level, 0.3f);
    EXPECT_FLOAT_EQ(ae::model_defaults("contractive").contractive_weight, 0.1f);
    EXPECT_THROW(ae::model_defaults("gan"), ae::Error);
    // Fields given next to the type override its defaults; naming a penalty brings its default weight.
    ae::Config c = ae::config_from_json(R"({"model": {"type": "vae", "latent": 2, "loss": "mse", "beta": 4,
                                            "kl_warmup_epochs": 5}})");
    EXPECT_EQ(c.model.latent, 2);
    EXPECT_EQ(c.model.loss, ae::Loss::mse);
    EXPECT_EQ(c.model.beta, 4.0f);
    EXPECT_EQ(c.model.kl_warmup_epochs, 5);
    EXPECT_EQ(c.model.encoder, (std::vector<ae::LayerSpec>{400}));
    c = ae::config_from_json(R"({"model": {"type": "sparse", "sparsity": "l1"}})");
    EXPECT_FLOAT_EQ(c.model.sparsity_weight, 1e-3f);
    c = ae::config_from_json(R"({"model": {"type": "sparse", "sparsity": "l1", "sparsity_weight": 0.5}})");
    EXPECT_FLOAT_EQ(c.model.sparsity_weight, 0.5f);
}

TEST(Config, ModelFieldErrorsNameTheField) {
    expect_error(R"({"model": {"sparsity": "l2"}})", {"model.sparsity", "l2"});
    expect_error(R"({"model": {"corruption": "blur"}})", {"model.corruption", "blur"});
    expect_error(R"({"model": {"type": "sparse", "sparsity": "none"}})", {"model.sparsity"});
    expect_error(R"({"model": {"sparsity": "kl"}})", {"model.latent_activation", "sigmoid"});
    expect_error(R"({"model": {"type": "sparse", "sparsity_target": 1.0}})", {"model.sparsity_target"});
    expect_error(R"({"model": {"type": "sparse", "sparsity_target": 0}})", {"model.sparsity_target"});
    expect_error(R"({"model": {"sparsity_weight": -1}})", {"model.sparsity_weight"});
    expect_error(R"({"model": {"sparsity_weight": "big"}})", {"model.sparsity_weight", "number"});
    expect_error(R"({"model": {"type": "denoising", "corruption": "none"}})", {"model.corruption"});
    expect_error(R"({"model": {"corruption": "masking", "corruption_level": 1.5}})",
                 {"model.corruption_level", "masking"});
    expect_error(R"({"model": {"corruption": "salt_pepper", "corruption_level": -0.1}})", {"model.corruption_level"});
    expect_error(R"({"model": {"corruption": "block", "corruption_level": 2.5}})", {"model.corruption_level", "block"});
    expect_error(R"({"model": {"corruption": "block", "corruption_level": 29}})", {"model.corruption_level", "1..28"});
    expect_error(R"({"model": {"contractive_weight": -0.1}})", {"model.contractive_weight"});
    expect_error(R"({"model": {"type": "vae", "beta": -1}})", {"model.beta"});
    expect_error(R"({"model": {"type": "vae", "kl_warmup_epochs": -2}})", {"model.kl_warmup_epochs"});
    expect_error(R"({"model": {"type": "vae", "kl_warmup_epochs": 1.5}})", {"model.kl_warmup_epochs"});
    expect_error(R"({"model": {"type": "vae", "latent_activation": "relu"}})", {"model.latent_activation", "vae"});
    expect_error(R"({"model": {"type": "vae", "corruption": "gaussian"}})", {"model.corruption", "vae"});
    expect_error(R"({"model": {"type": "linear", "activation": "relu"}})", {"model.activation", "linear"});
    expect_error(R"({"model": {"type": "linear", "loss": "bce", "output": "sigmoid"}})", {"model.loss", "mse"});
}

TEST(Config, InvalidJsonNamesSourceAndByte) {
    expect_error(R"({"model": {"latent": 2,}})", {"my.json", "invalid JSON", "byte"});
    expect_error("", {"my.json"});
}

TEST(Config, ValidateRejectsBadStructs) {
    ae::Config c;
    c.model.latent = 0;
    EXPECT_THROW(ae::config_validate(c), ae::Error);
    c = ae::Config();
    c.train.batch = -5;
    EXPECT_THROW(ae::config_validate(c), ae::Error);
    c = ae::Config();
    c.model.encoder = {16, -1};
    EXPECT_THROW(ae::config_validate(c), ae::Error);
    EXPECT_NO_THROW(ae::config_validate(ae::Config()));
}

TEST(Config, ParseWidths) {
    EXPECT_EQ(ae::parse_widths("512,256", "--encoder"), (std::vector<int>{512, 256}));
    EXPECT_EQ(ae::parse_widths("7", "--encoder"), (std::vector<int>{7}));
    EXPECT_EQ(ae::parse_widths("", "--encoder"), (std::vector<int>{}));
    EXPECT_EQ(ae::parse_widths("1,65536", "--encoder"), (std::vector<int>{1, 65536}));
    for (const char* bad : {"512,", ",512", "1,,2", "abc", "12x", "0", "-4", "65537", "3.5", "99999999999"}) {
        try {
            ae::parse_widths(bad, "--decoder");
            ADD_FAILURE() << "expected ae::Error for '" << bad << "'";
        } catch (const ae::Error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("--decoder"), std::string::npos) << msg;
            EXPECT_NE(msg.find(bad), std::string::npos) << msg;
        }
    }
}

}  // namespace
