// Shared by the fuzz targets: run a parser on the input; an ae::Error is the expected outcome for bad
// bytes, anything else (another exception, a sanitizer report, a leak, a timeout) is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "ae/error.h"

#define AE_FUZZ_TARGET(body)                                                        \
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {      \
        try {                                                                      \
            body                                                                   \
        } catch (const ae::Error&) {                                               \
        }                                                                          \
        return 0;                                                                  \
    }
