// Command-line flags for every model and training option, generated from the core's description of
// the options (ae/options.h), shared by `ae train` and `ae-app`: the same flags, help, ranges and
// messages in both.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "ae/config.h"

namespace ae_host {

struct ConfigFlags {
    std::map<std::string, std::string> text;  // field path -> the text given on the command line
    CLI::App* cmd = nullptr;
};

// One flag per field that has one (FieldInfo::flag), with the field's label, help, unit, range and
// model types as its help; defaults are shown from `defaults` (model fields: "the model type's").
void add_config_flags(CLI::App* cmd, ConfigFlags& flags, const ae::Config& defaults);
// True when the user gave the field's flag.
bool config_flag_given(const ConfigFlags& flags, const std::string& path);
// The flags the user gave on top of `base` (ae::form_check: --model first, then the rest). Throws
// ae::Error with one "--flag: message" line per bad field.
ae::Config apply_config_flags(const ConfigFlags& flags, const ae::Config& base);

}  // namespace ae_host
