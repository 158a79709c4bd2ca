#include "ae/model_file.h"

#include "ae/error.h"

namespace ae {

namespace {

int64_t parse_count(const std::map<std::string, std::string>& meta, const std::string& key,
                    const std::string& source) {
    auto it = meta.find(key);
    if (it == meta.end()) return 0;
    const std::string& s = it->second;
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
        throw Error(source + ": __metadata__." + key + " = '" + s + "', expected a non-negative integer");
    return std::stoll(s);
}

}  // namespace

std::map<std::string, std::string> model_file_metadata(const Config& config, const TrainingState& state) {
    return {{"format", "autoencoder-lab/1"},
            {"config", config_to_json(config, -1)},
            {"epoch", std::to_string(state.epoch)},
            {"step", std::to_string(state.step)}};
}

std::vector<uint8_t> model_file_encode(const Autoencoder& model, const Config& config, const TrainingState& state) {
    return safetensors_encode(model.params(), model_file_metadata(config, state));
}

ModelFile model_file_decode(const uint8_t* bytes, size_t size, const std::string& source) {
    ModelFile f;
    f.tensors = safetensors_decode(bytes, size, source);
    auto it = f.tensors.metadata.find("config");
    if (it == f.tensors.metadata.end())
        throw Error(source + ": __metadata__ has no \"config\" entry: not a model file written by ae (the config "
                            "fixes the architecture)");
    f.config = config_from_json(it->second, source + ": __metadata__.config");
    config_validate(f.config);
    f.state.epoch = static_cast<int>(std::min<int64_t>(parse_count(f.tensors.metadata, "epoch", source), 1 << 30));
    f.state.step = parse_count(f.tensors.metadata, "step", source);
    // Check the tensors against the config's model now, so a decoded file always builds.
    Autoencoder model(f.config.model);
    safetensors_load_params(f.tensors, model.params(), source);
    return f;
}

Autoencoder model_file_build(const ModelFile& f, const std::string& source) {
    Autoencoder model(f.config.model);
    safetensors_load_params(f.tensors, model.params(), source);
    return model;
}

}  // namespace ae
