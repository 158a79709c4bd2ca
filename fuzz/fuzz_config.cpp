// Config JSON (config.h) and layer specs (architecture.h): parse, validate, plan, estimate the memory.
#include "ae/architecture.h"
#include "ae/config.h"
#include "ae/memory.h"
#include "fuzz.h"

AE_FUZZ_TARGET({
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (size < 64) {
        try {
            (void)ae::parse_layer_specs(text, "--encoder");
        } catch (const ae::Error&) {
        }
    }
    const ae::Config c = ae::config_from_json(text, "fuzz.json");
    (void)ae::config_to_json(c);
    (void)ae::plan_architecture(c.model).describe();
    const ae::MemoryEstimate e = ae::estimate_training_memory(c);
    if (e.parameters == 0) __builtin_trap();  // every model has a weighted layer
    try {
        ae::check_memory(c, ae::kPageMemoryLimit, "the page's limit");
    } catch (const ae::Error&) {
    }
})
