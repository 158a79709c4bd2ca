// Layer specs and the architecture plan (architecture.h): the spec grammar, the PyTorch module layout of the
// reference models (B1, B3, a pooling AE), the mirror decoder's output padding, and the errors naming a field.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "ae/architecture.h"
#include "ae/config.h"
#include "ae/error.h"

namespace {

void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
    try {
        f();
        ADD_FAILURE() << "no error";
    } catch (const ae::Error& e) {
        for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
}

std::vector<std::string> types(const std::vector<ae::ModulePlan>& ms) {
    std::vector<std::string> t;
    for (const auto& m : ms) t.push_back(m.type);
    return t;
}

TEST(LayerSpec, ParsesEveryKindWithDefaults) {
    const auto s = ae::parse_layer_specs("c32k4s2p1,c16k3,m2,512", "--encoder");
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0].kind, ae::LayerKind::conv);
    EXPECT_EQ(s[0].size, 32);
    EXPECT_EQ(s[0].kernel, 4);
    EXPECT_EQ(s[0].stride, 2);
    EXPECT_EQ(s[0].padding, 1);
    EXPECT_EQ(s[1].stride, 1);
    EXPECT_EQ(s[1].padding, 1);  // (k - s) / 2
    EXPECT_EQ(s[2].kind, ae::LayerKind::maxpool);
    EXPECT_EQ(s[2].size, 2);
    EXPECT_TRUE(s[3].is_dense());
    EXPECT_EQ(s[3].size, 512);
    EXPECT_EQ(ae::layer_spec_from_string("c8k3s2", "x").padding, 0);  // (3 - 2) / 2 rounded down
    const auto t = ae::layer_spec_from_string("t32k3s2p1o1", "--decoder");
    EXPECT_EQ(t.kind, ae::LayerKind::conv_transpose);
    EXPECT_EQ(t.output_padding, 1);
    EXPECT_EQ(ae::layer_spec_from_string("u3", "x").kind, ae::LayerKind::upsample);
    // Round trip through text (padding is always written).
    EXPECT_EQ(ae::layer_specs_to_string(s), "c32k4s2p1,c16k3s1p1,m2,512");
    EXPECT_EQ(ae::parse_layer_specs(ae::layer_specs_to_string(s), "x"), s);
    EXPECT_TRUE(ae::parse_layer_specs("", "x").empty());
}

TEST(LayerSpec, BadSpecsNameTheFlagAndTheText) {
    for (const char* bad : {"c32", "c0k3", "x5", "c32k3q1", "c32k3k3", "512,", ",512", "t8k2s2o2", "m0", "0", "c32k3s0",
                            "5a", "m2x"})
        expect_error([&] { ae::parse_layer_specs(bad, "--encoder"); }, {"--encoder"});
    expect_error([&] { ae::layer_spec_from_string("c32", "--encoder"); }, {"'c32'", "kernel"});
}

TEST(Architecture, ConvVaeB3IsThePeersModuleLayout) {
    ae::ModelConfig m = ae::model_defaults("vae");
    m.encoder = ae::parse_layer_specs("c32k4s2p1,c64k4s2p1", "--encoder");
    const ae::ArchitecturePlan p = ae::plan_architecture(m);
    EXPECT_TRUE(p.convolutional);
    EXPECT_EQ(types(p.encoder), (std::vector<std::string>{"Unflatten", "Conv2d", "ReLU", "Conv2d", "ReLU", "Flatten"}));
    EXPECT_EQ(p.encoder[1].name, "encoder.1");
    EXPECT_EQ(p.encoder[3].name, "encoder.3");
    EXPECT_EQ(p.encoder[1].out, (ae::Shape{32, 14, 14}));
    EXPECT_EQ(p.encoder[3].out, (ae::Shape{64, 7, 7}));
    ASSERT_EQ(p.heads.size(), 2u);
    EXPECT_EQ(p.heads[0].name, "mu");
    EXPECT_EQ(p.heads[0].in.size(), 3136);
    EXPECT_EQ(p.heads[1].name, "logvar");
    EXPECT_EQ(types(p.decoder), (std::vector<std::string>{"Linear", "ReLU", "Unflatten", "ConvTranspose2d", "ReLU",
                                                          "ConvTranspose2d", "Flatten"}));
    EXPECT_EQ(p.decoder[0].out.size(), 3136);
    EXPECT_EQ(p.decoder[3].name, "decoder.3");
    EXPECT_EQ(p.decoder[3].in, (ae::Shape{64, 7, 7}));
    EXPECT_EQ(p.decoder[3].out, (ae::Shape{32, 14, 14}));
    EXPECT_EQ(p.decoder[3].spec.output_padding, 0);
    EXPECT_EQ(p.decoder[5].name, "decoder.5");
    EXPECT_EQ(p.decoder[5].out, (ae::Shape{1, 28, 28}));
    EXPECT_NE(p.describe().find("ConvTranspose2d(64, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))"),
              std::string::npos)
        << p.describe();
}

TEST(Architecture, PoolingAutoencoderMirrorsWithUpsampling) {
    ae::ModelConfig m;
    m.encoder = ae::parse_layer_specs("c16k3,m2,c8k3,m2", "--encoder");
    m.latent = 32;
    const ae::ArchitecturePlan p = ae::plan_architecture(m);
    EXPECT_EQ(types(p.encoder), (std::vector<std::string>{"Unflatten", "Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU",
                                                          "MaxPool2d", "Flatten", "Linear"}));
    EXPECT_EQ(p.encoder[6].out, (ae::Shape{8, 7, 7}));
    EXPECT_EQ(p.encoder.back().out.size(), 32);
    EXPECT_EQ(types(p.decoder),
              (std::vector<std::string>{"Linear", "ReLU", "Unflatten", "Upsample", "ConvTranspose2d", "ReLU", "Upsample",
                                        "ConvTranspose2d", "Flatten"}));
    EXPECT_EQ(p.decoder[4].out, (ae::Shape{16, 14, 14}));
    EXPECT_EQ(p.decoder[7].out, (ae::Shape{1, 28, 28}));
}

TEST(Architecture, MirrorChoosesTheOutputPaddingThatRestoresOddSizes) {
    ae::ModelConfig m;
    m.encoder = ae::parse_layer_specs("c8k3s2p1,c8k3s2p1", "--encoder");  // 28 -> 14 -> 7
    m.input_rows = m.input_cols = 27;                                       // 27 -> 14 -> 7
    const ae::ArchitecturePlan p = ae::plan_architecture(m);
    EXPECT_EQ(p.encoder[3].out, (ae::Shape{8, 7, 7}));
    // 7 -> 13 + op = 14 (op 1); 14 -> 27 + op = 27 (op 0).
    EXPECT_EQ(p.decoder[3].spec.output_padding, 1);
    EXPECT_EQ(p.decoder[5].spec.output_padding, 0);
    EXPECT_EQ(p.decoder[5].out, (ae::Shape{1, 27, 27}));
}

TEST(Architecture, DenseModelsKeepTheirNames) {
    ae::ModelConfig m = ae::model_defaults("vae");  // B1: 784-400-[20, 20]
    const ae::ArchitecturePlan p = ae::plan_architecture(m);
    EXPECT_FALSE(p.convolutional);
    EXPECT_EQ(types(p.encoder), (std::vector<std::string>{"Linear", "ReLU"}));
    EXPECT_EQ(types(p.decoder), (std::vector<std::string>{"Linear", "ReLU", "Linear"}));
    ae::ModelConfig a;  // B2: the code layer ends the encoder
    const ae::ArchitecturePlan q = ae::plan_architecture(a);
    EXPECT_EQ(q.encoder.back().name, "encoder.4");
    EXPECT_EQ(q.decoder.back().name, "decoder.4");
}

TEST(Architecture, ExplicitConvDecoder) {
    ae::ModelConfig m;
    m.encoder = ae::parse_layer_specs("c8k3,m2,c8k3,m2", "--encoder");
    m.decoder = ae::parse_layer_specs("64,u2,c8k3,u2,c1k3", "--decoder");
    const ae::ArchitecturePlan p = ae::plan_architecture(m);
    EXPECT_EQ(types(p.decoder), (std::vector<std::string>{"Linear", "ReLU", "Linear", "ReLU", "Unflatten", "Upsample",
                                                          "Conv2d", "ReLU", "Upsample", "Conv2d", "Flatten"}));
    EXPECT_EQ(p.decoder.back().out.size(), 784);
}

TEST(Architecture, ShapeErrorsNameTheFieldLayerAndSizes) {
    ae::Config c;
    c.model.encoder = ae::parse_layer_specs("c8k4s2p1,c8k4s2p1,c8k9s1p0", "x");  // 28 -> 14 -> 7, kernel 9 > 7
    expect_error([&] { ae::config_validate(c); }, {"model.encoder", "layer 3", "kernel 9", "7x7"});
    c.model.encoder = ae::parse_layer_specs("c8k3,m2,m2,m2", "x");  // 28 -> 14 -> 7 -> 3: upsampling gives 6
    expect_error([&] { ae::config_validate(c); }, {"model.encoder", "cannot restore", "8x7x7"});
    c.model.encoder = ae::parse_layer_specs("256,c8k3", "x");
    expect_error([&] { ae::config_validate(c); }, {"model.encoder", "before the Dense widths"});
    c.model.encoder = ae::parse_layer_specs("t8k3", "x");
    expect_error([&] { ae::config_validate(c); }, {"model.encoder", "belong to the decoder"});
    c.model.encoder = ae::parse_layer_specs("c8k3", "x");
    c.model.decoder = ae::parse_layer_specs("t4k3", "x");
    expect_error([&] { ae::config_validate(c); }, {"model.decoder", "4x28x28", "1x28x28"});
    c.model.encoder = {256};
    c.model.decoder = ae::parse_layer_specs("t1k3", "x");
    expect_error([&] { ae::config_validate(c); }, {"model.decoder", "convolutional encoder"});
    ae::Config lin;
    lin.model = ae::model_defaults("linear");
    lin.model.encoder = ae::parse_layer_specs("c8k3", "x");
    expect_error([&] { ae::config_validate(lin); }, {"model.encoder", "linear"});
    ae::Config cae;
    cae.model = ae::model_defaults("contractive");
    cae.model.encoder = ae::parse_layer_specs("c8k3", "x");
    expect_error([&] { ae::config_validate(cae); }, {"model.encoder", "contractive"});
}

TEST(Architecture, ConfigJsonCarriesSpecsAndChannels) {
    ae::Config c;
    c.model = ae::model_defaults("vae");
    c.model.encoder = ae::parse_layer_specs("c32k4s2p1,c64k4s2p1,128", "x");
    const std::string j = ae::config_to_json(c, -1);
    EXPECT_NE(j.find(R"("encoder":["c32k4s2p1","c64k4s2p1",128])"), std::string::npos) << j;
    EXPECT_NE(j.find(R"("input_channels":1)"), std::string::npos) << j;
    const ae::Config back = ae::config_from_json(j);
    EXPECT_EQ(back.model.encoder, c.model.encoder);
    // Old files (numbers only, no input_channels) still read.
    const ae::Config old = ae::config_from_json(R"({"model": {"type": "ae", "encoder": [64, 32]}})");
    EXPECT_EQ(old.model.encoder, (std::vector<ae::LayerSpec>{64, 32}));
    EXPECT_EQ(old.model.input_channels, 1);
    expect_error([] { ae::config_from_json(R"({"model": {"encoder": ["c32"]}})", "cfg.json"); },
                 {"cfg.json", "model.encoder", "'c32'"});
    expect_error([] { ae::config_from_json(R"({"model": {"encoder": [true]}})", "cfg.json"); },
                 {"cfg.json", "model.encoder"});
}

}  // namespace
