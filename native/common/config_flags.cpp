#include "config_flags.h"

#include <utility>
#include <vector>

#include "ae/error.h"
#include "ae/options.h"

namespace ae_host {

void add_config_flags(CLI::App* cmd, ConfigFlags& flags, const ae::Config& defaults) {
    flags.cmd = cmd;
    for (const ae::FieldInfo& f : ae::config_fields()) {
        if (f.flag.empty()) continue;
        std::string help = f.label + ": " + f.help;
        if (!f.unit.empty()) help += " [" + f.unit + "]";
        if (f.kind != ae::FieldKind::choice) help += "; " + ae::field_range_text(f);
        if (!f.types.empty() && f.path != "model.type") {
            help += "; for";
            for (size_t i = 0; i < f.types.size(); ++i) help += (i ? ", " : " ") + f.types[i];
        }
        const bool per_type = f.path.rfind("model.", 0) == 0 && f.path != "model.type";
        if (per_type) help += " (default: the model type's)";
        if (f.live) help += " (applies while training)";
        CLI::Option* opt = cmd->add_option(f.flag, flags.text[f.path], help);
        if (!per_type) opt->default_str(ae::field_text(defaults, f.path));
        if (f.kind == ae::FieldKind::choice)
            opt->check(CLI::IsMember(f.choices));
        else
            opt->type_name(f.kind == ae::FieldKind::layers   ? "LAYERS"
                           : f.kind == ae::FieldKind::number ? "FLOAT"
                                                             : "INT");
    }
}

bool config_flag_given(const ConfigFlags& flags, const std::string& path) {
    const std::string& flag = ae::config_field(path).flag;
    return !flag.empty() && flags.cmd && flags.cmd->count(flag) > 0;
}

ae::Config apply_config_flags(const ConfigFlags& flags, const ae::Config& base) {
    std::vector<std::pair<std::string, std::string>> given;
    for (const ae::FieldInfo& f : ae::config_fields())
        if (config_flag_given(flags, f.path)) given.emplace_back(f.path, flags.text.at(f.path));
    const ae::FormResult r = ae::form_check(base, given);
    if (r.ok()) return r.config;
    std::string message;
    for (const auto& [path, text] : r.errors) {
        if (!message.empty()) message += "\n";
        const std::string flag = path.empty() ? "" : ae::config_field(path).flag;
        message += flag.empty() ? text : flag + ": " + text;
    }
    throw ae::Error(message);
}

}  // namespace ae_host
