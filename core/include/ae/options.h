// The value lists every form and report is generated from, in one place:
//   - config_choices(): for each string field of the Config JSON (config.h) the values it accepts, in
//     documentation order ("model.activation" -> relu, leaky_relu, sigmoid, tanh, identity, ...);
//   - loss_terms(): the terms of the training objective (LossTerms, autoencoder.h) with their JSON name,
//     their display label and an accessor, in the order the hosts plot and print them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ae/autoencoder.h"

namespace ae {

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
