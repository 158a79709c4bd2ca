// The options of a model and its training, described once: every form, every `--help` and every range
// check is generated from this table.
//   - config_fields(): for each field of the Config JSON (config.h) its label, one-line help, unit, kind,
//     allowed values or range, the model types it applies to, and whether a change applies to a running
//     session at the next minibatch ("live": optimizer settings, epochs) or needs a new model;
//   - field_text / field_set_text: a field's value as the text a form shows, and back, with the range
//     check; errors are in words and start with the field's label ("encoder layers: 'abc' is not a list
//     of layers ...");
//   - form_check(): a whole form at once (as `ae train` flags, the app's and the page's form give it),
//     returning the Config or one message per field, config_validate's rules included;
//   - config_choices(): for each string field the values it accepts, in documentation order;
//   - loss_terms(): the terms of the training objective (LossTerms, autoencoder.h) with their JSON name,
//     their display label and an accessor, in the order the hosts plot and print them.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/config.h"

namespace ae {

enum class FieldKind {
    choice,   // one of `choices`
    integer,  // whole number in [min, max]
    number,   // float32 in [min, max] (or (min, max] with min_exclusive, [min, max) with max_exclusive)
    layers,   // comma-separated layer specs (architecture.h): 512,256 or c32k4s2p1,m2; "" = none
    seed,     // unsigned integer in [0, 2^53) (exact in a JavaScript number)
};

struct FieldInfo {
    std::string path;   // JSON path: "model.latent"
    std::string flag;   // `ae train` flag: "--latent" ("" for fields the data set fills in: input size)
    std::string label;  // form label: "latent size"
    std::string help;   // one line, with the formula or paper where one applies
    std::string unit;   // "" | "units" | "pixels" | "epochs" | "images" | "threads" ...
    FieldKind kind = FieldKind::number;
    std::vector<std::string> choices;  // kind choice, documentation order
    double min = 0, max = 0;           // kind integer / number
    bool min_exclusive = false, max_exclusive = false;
    std::string group;                 // "model" | "regularization" | "training" | "optimizer" | "data"
    bool advanced = false;             // forms fold it under "more options"
    bool live = false;                 // a change applies to a running session at the next minibatch
    std::vector<std::string> types;    // the model types it applies to; empty = every type
};

// In form order (most used first). Includes model.input_channels/rows/cols (flag "": the data set sets
// them) and train.threads (the hosts choose it).
const std::vector<FieldInfo>& config_fields();
// The description of one field; ae::Error for an unknown path.
const FieldInfo& config_field(const std::string& path);
// The field's range in words: "1..65536", "(0, 1000]", "one of relu, leaky_relu, ...".
std::string field_range_text(const FieldInfo& f);
// Whether the field means anything for this config: its model types, and the settings it depends on
// (sparsity_target only with the kl penalty, momentum only with sgd, corruption_level only with a
// corruption, ...). Forms hide the others (keeping their values).
bool field_applies(const FieldInfo& f, const Config& c);

// The value as a form shows it: "512,256", "0.001", "relu", "1".
std::string field_text(const Config& c, const std::string& path);
// Parses `text` for the field, checks its kind and range, and stores it in c. Throws ae::Error in
// words starting with the label, e.g. "learning rate: '2000' is outside (0, 1000]". Does not apply the
// other fields' rules (config_validate does).
void field_set_text(Config& c, const std::string& path, const std::string& text);

struct FormResult {
    Config config;                                  // valid when errors is empty
    std::map<std::string, std::string> errors;      // field path -> message ("" path: not one field's)
    bool ok() const { return errors.empty(); }
};
// Applies `given` (path -> text) on top of `base`: model.type first (a new type starts from its
// defaults, keeping the input size), then the others in table order; a sparsity penalty named without
// a weight gets its default weight (and a sigmoid code for kl), loss bce without an output gets the
// sigmoid output (as `ae train` and JSON configs do). A bad value of a field that does not apply to the
// result (field_applies) is dropped, the field keeps its value. Then config_validate; its message goes
// to the field it names. Never throws for bad values.
FormResult form_check(const Config& base, const std::vector<std::pair<std::string, std::string>>& given);

// The same for hosts that speak JSON (the page's Worker): config_fields() as a JSON array of objects
// {path, flag, label, help, unit, kind ("choice" | "integer" | "number" | "layers" | "seed"), choices,
// min, max, minExclusive, maxExclusive, range (field_range_text), group, advanced, live, types}, and
// form_check on a base config (JSON text) and `given` as [[path, text], ...], returning
// {configJson (config_to_json of the result, or null), errors: {path: message},
//  applies: {path: bool}, values: {path: field_text}}. Throws ae::Error for malformed JSON.
std::string config_fields_json();
std::string form_check_json(const std::string& base_config_json, const std::string& given_json);

// The labels of the non-live fields that differ between a and b ("" when only live fields differ, so
// that b can be applied to a running session of a).
std::string fields_needing_new_model(const Config& a, const Config& b);

// Field path -> accepted values (each list matches the field's *_from_string parser).
const std::map<std::string, std::vector<std::string>>& config_choices();

struct LossTermInfo {
    const char* name;   // "reconstruction" | "kl" | "sparsity" | "contractive" | "total" (JSON, bindings)
    const char* label;  // "reconstruction" | "KL" | "sparsity" | "contractive" | "total" (plots, tables)
    double LossTerms::*field;
};
// In order: reconstruction, kl, sparsity, contractive, total.
const std::vector<LossTermInfo>& loss_terms();

}  // namespace ae
