#include "ae/codes.h"

#include <algorithm>
#include <string>
#include <vector>

#include "ae/error.h"

namespace ae {

Matrix dataset_codes(const Autoencoder& model, const Dataset& d, int max_images, ThreadPool* pool) {
    if (d.dim() != model.input_dim())
        throw Error(d.name + ": images have " + std::to_string(d.dim()) + " pixels, the model takes " +
                    std::to_string(model.input_dim()));
    const int n = std::max(0, std::min(max_images, d.count));
    if (!model.is_conditional()) return model.encode(dataset_images(d, 0, n), pool);
    // cvae: each image's code given its own class (q(z|x, y)).
    if (d.num_classes() != model.condition_dim())
        throw Error(d.name + ": the data set has " + std::to_string(d.num_classes()) +
                    " classes, the conditional VAE expects " + std::to_string(model.condition_dim()));
    const std::vector<int> labels(d.labels.begin(), d.labels.begin() + n);
    return model.encode(dataset_images(d, 0, n), pool, labels.data());
}

}  // namespace ae
