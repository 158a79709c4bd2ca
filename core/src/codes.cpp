#include "ae/codes.h"

#include <algorithm>
#include <string>

#include "ae/error.h"

namespace ae {

Matrix dataset_codes(const Autoencoder& model, const Dataset& d, int max_images, ThreadPool* pool) {
    if (d.dim() != model.input_dim())
        throw Error(d.name + ": images have " + std::to_string(d.dim()) + " pixels, the model takes " +
                    std::to_string(model.input_dim()));
    const int n = std::max(0, std::min(max_images, d.count));
    return model.encode(dataset_images(d, 0, n), pool);
}

}  // namespace ae
