#include "ae/model_file.h"

#include <algorithm>

#include "ae/error.h"
#include "ae/memory.h"

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

std::string meta_or(const std::map<std::string, std::string>& meta, const std::string& key) {
    auto it = meta.find(key);
    return it == meta.end() ? std::string() : it->second;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// A store laid out like `model` (same order, same padding) whose tensors are named prefix + name.
ParamStore prefixed_store(const ParamStore& model, const std::string& prefix) {
    ParamStore s;
    for (const ParamTensor& t : model.tensors()) s.add(prefix + t.name, t.shape);
    s.finalize();
    return s;
}

// The tensors of `f` whose names start (or, with keep_prefixed false, do not start) with `prefix`.
SafetensorsFile filter_tensors(const SafetensorsFile& f, const std::string& prefix, bool keep_prefixed) {
    SafetensorsFile out;
    out.metadata = f.metadata;
    out.data = f.data;
    for (const SafetensorsTensor& t : f.tensors)
        if (starts_with(t.name, prefix) == keep_prefixed) out.tensors.push_back(t);
    return out;
}

}  // namespace

DatasetRef dataset_ref(const std::string& name, const std::string& train_images, const std::string& train_labels,
                       const std::string& test_images, const std::string& test_labels, int exclude_class) {
    DatasetRef r;
    r.name = name;
    if (name == "idx" || name == "png") r = DatasetRef{name, train_images, train_labels, test_images, test_labels, -1};
    r.exclude_class = exclude_class;
    return r;
}

std::map<std::string, std::string> model_file_metadata(const ModelFileInfo& info) {
    std::map<std::string, std::string> m = {{"format", "autoencoder-lab/1"},
                                            {"config", config_to_json(info.config, -1)},
                                            {"epoch", std::to_string(info.state.epoch)},
                                            {"step", std::to_string(info.state.step)}};
    const DatasetRef& d = info.data;
    if (!d.name.empty()) m["data"] = d.name;
    const std::pair<const char*, const std::string*> paths[] = {{"data_train_images", &d.train_images},
                                                                {"data_train_labels", &d.train_labels},
                                                                {"data_test_images", &d.test_images},
                                                                {"data_test_labels", &d.test_labels}};
    for (const auto& p : paths)
        if (!p.second->empty()) m[p.first] = *p.second;
    if (d.exclude_class >= 0) m["exclude_class"] = std::to_string(d.exclude_class);
    if (info.optimizer && info.optimizer->steps() > 0) {
        m["optimizer"] = optimizer_name(info.optimizer->config().type);
        m["optimizer_step"] = std::to_string(info.optimizer->steps());
    }
    return m;
}

std::map<std::string, std::string> model_file_metadata(const Config& config, const TrainingState& state) {
    return model_file_metadata(ModelFileInfo{config, state, {}, nullptr});
}

std::vector<uint8_t> model_file_encode(const Autoencoder& model, const ModelFileInfo& info) {
    const ParamStore& p = model.params();
    const Optimizer* opt = info.optimizer;
    const bool with_m = opt && opt->steps() > 0 && opt->m().size() == p.values().size();
    const bool with_v = with_m && opt->config().type != OptimizerType::sgd && opt->v().size() == p.values().size();
    if (!with_m) return safetensors_encode(p, model_file_metadata(info));
    // One store: the parameters, then optimizer.m.*, then optimizer.v.* (each block in the model's layout).
    ParamStore all;
    for (const ParamTensor& t : p.tensors()) all.add(t.name, t.shape);
    for (const ParamTensor& t : p.tensors()) all.add(std::string(kOptimizerTensorPrefix) + "m." + t.name, t.shape);
    if (with_v)
        for (const ParamTensor& t : p.tensors()) all.add(std::string(kOptimizerTensorPrefix) + "v." + t.name, t.shape);
    all.finalize();
    const size_t n = p.tensors().size();
    for (size_t i = 0; i < n; ++i) {
        const ParamTensor& t = p.tensors()[i];
        std::copy_n(p.values().data() + t.offset, t.size, all.value(static_cast<int>(i)));
        std::copy_n(opt->m().data() + t.offset, t.size, all.value(static_cast<int>(n + i)));
        if (with_v) std::copy_n(opt->v().data() + t.offset, t.size, all.value(static_cast<int>(2 * n + i)));
    }
    return safetensors_encode(all, model_file_metadata(info));
}

std::vector<uint8_t> model_file_encode(const Autoencoder& model, const Config& config, const TrainingState& state) {
    return model_file_encode(model, ModelFileInfo{config, state, {}, nullptr});
}

ModelFile model_file_decode(const uint8_t* bytes, size_t size, const std::string& source) {
    ModelFile f;
    const SafetensorsFile all = safetensors_decode(bytes, size, source);
    f.tensors = filter_tensors(all, kOptimizerTensorPrefix, false);
    const auto& meta = all.metadata;
    auto it = meta.find("config");
    if (it == meta.end())
        throw Error(source + ": __metadata__ has no \"config\" entry: not a model file written by ae (the config "
                            "fixes the architecture)");
    f.config = config_from_json(it->second, source + ": __metadata__.config");
    config_validate(f.config);
    f.state.epoch = static_cast<int>(std::min<int64_t>(parse_count(meta, "epoch", source), 1 << 30));
    f.state.step = parse_count(meta, "step", source);
    f.data.name = meta_or(meta, "data");
    f.data.train_images = meta_or(meta, "data_train_images");
    f.data.train_labels = meta_or(meta, "data_train_labels");
    f.data.test_images = meta_or(meta, "data_test_images");
    f.data.test_labels = meta_or(meta, "data_test_labels");
    if (meta.count("exclude_class")) {
        const int64_t c = parse_count(meta, "exclude_class", source);
        if (c > 255) throw Error(source + ": __metadata__.exclude_class = " + std::to_string(c) + ", expected a class index");
        f.data.exclude_class = static_cast<int>(c);
    }
    // Check the tensors against the config's model now, so a decoded file always builds; first against the
    // parameter layout alone (no allocation), so a small file whose config asks for a huge model is refused
    // before anything of that size exists (issue 12). After the check the model is as large as the file.
    safetensors_check_params(f.tensors, parameter_layout(f.config.model).tensors(), source);
    Autoencoder model(f.config.model);
    safetensors_load_params(f.tensors, model.params(), source);
    // Optimizer state: all of optimizer.m.* (and optimizer.v.* for adam/adamw), or none.
    const SafetensorsFile opt = filter_tensors(all, kOptimizerTensorPrefix, true);
    const std::string type = meta_or(meta, "optimizer");
    if (opt.tensors.empty() && type.empty()) return f;
    const std::string what = source + ": optimizer state";
    if (type.empty()) throw Error(what + ": \"optimizer.*\" tensors without __metadata__.optimizer");
    const OptimizerType t = optimizer_from_string(type);
    const bool with_v = t != OptimizerType::sgd;
    ParamStore m = prefixed_store(model.params(), std::string(kOptimizerTensorPrefix) + "m.");
    ParamStore v = prefixed_store(model.params(), std::string(kOptimizerTensorPrefix) + "v.");
    safetensors_load_params(filter_tensors(opt, std::string(kOptimizerTensorPrefix) + "m.", true), m, what);
    const SafetensorsFile vt = filter_tensors(opt, std::string(kOptimizerTensorPrefix) + "v.", true);
    if (with_v) safetensors_load_params(vt, v, what);
    const size_t expected = (with_v ? 2 : 1) * model.params().tensors().size();
    if (opt.tensors.size() != expected)
        throw Error(what + ": " + std::to_string(opt.tensors.size()) + " \"optimizer.*\" tensors, expected " +
                    std::to_string(expected) + " for " + type);
    f.optimizer.type = type;
    f.optimizer.steps = parse_count(meta, "optimizer_step", source);
    f.optimizer.m = std::move(m.values());
    if (with_v) f.optimizer.v = std::move(v.values());
    return f;
}

bool model_file_restore_optimizer(const ModelFile& f, Optimizer& opt) {
    if (f.optimizer.empty() || f.optimizer.type != optimizer_name(opt.config().type)) return false;
    opt.restore(f.optimizer.steps, f.optimizer.m, f.optimizer.v);
    return true;
}

Autoencoder model_file_build(const ModelFile& f, const std::string& source) {
    Autoencoder model(f.config.model);
    safetensors_load_params(f.tensors, model.params(), source);
    return model;
}

}  // namespace ae
