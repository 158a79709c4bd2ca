// The first layer's weights as small images ("what the first layer looks for"), for the weights view of
// every host.
//   Dense first layer (nn.Linear(D, h)): row j of W [h, D] is an image of the input's shape
//       [C, H, W] (for C > 1 the channels side by side);
//   Conv2d first layer (nn.Conv2d(C, K, k)): kernel j, W[j] [C, k, k], is a k x k image per input channel
//       (side by side).
// Each filter is scaled on its own to [0, 1] with 0.5 at zero weight: pixel = 0.5 + 0.5 w / max_i |w_i|
// (grey = 0, white = the largest positive, black = the most negative weight), the convention of weight
// visualisations that show sign (e.g. Hinton's filters of an RBM; Ng's CS294A notes use min-max).
#pragma once

#include "ae/autoencoder.h"
#include "ae/eigen.h"

namespace ae {

struct FilterImages {
    int rows = 0, cols = 0;  // size of one tile (channels side by side: cols = C * width)
    Matrix tiles;            // [rows * cols, count], row-major pixels of each tile in [0, 1]
    std::string layer;       // e.g. "encoder.0 (Linear 784 -> 512)" or "encoder.1 (Conv2d 1 -> 32, 4x4)"
};

// At most `max_filters` (>= 1) filters of the model's first weighted encoder layer, in order; the vae's μ head
// when the encoder has no hidden layer. Throws ae::Error if max_filters < 1.
FilterImages first_layer_filters(const Autoencoder& model, int max_filters = 64);

}  // namespace ae
