// The one exception type the core throws for bad input (files, configs, shapes).
// Messages name the source (file path, JSON field, argument), the position when known (byte offset,
// index), what was found and what was expected. The core never calls abort() on user input.
#pragma once

#include <stdexcept>
#include <string>

namespace ae {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace ae
