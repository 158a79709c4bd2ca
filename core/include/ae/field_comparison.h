// Models trained side by side on one 2-D toy set, for the vector-field view of the page and the app (the
// material's figure of the field r(x) − x a denoising autoencoder learns around 2-D data, next to what a
// contractive autoencoder learns; Alain & Bengio 2014, see vector_field.h). Each model is model type T with
// toy_config_defaults(T) on toy_dataset(data) (seed 1, the data `ae train --data D --model T` uses), so a
// host's picture matches `ae train` + `ae field`. The host steps it in slices and draws view(i) between
// them, so the arrows move while the models train.
//
// Not thread-safe: one thread steps it and reads its views (the app's field thread, the page's Worker).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ae/dataset.h"
#include "ae/session.h"
#include "ae/vector_field.h"

namespace ae {

class FieldComparison {
public:
    // types: 1..4 model types taking 2-D points (ae, linear, sparse, denoising, contractive, vae, hashing).
    // threads: train.threads of every model. Throws ae::Error for an unknown data set (toy_data.h's
    // message), an empty or longer list, or a type the toy defaults cannot make (the config's message,
    // prefixed with the type).
    FieldComparison(const std::string& data, const std::vector<std::string>& types, int threads = 1);

    // Up to n minibatches on every model that is still training (each stops at its epochs, 200 by
    // toy_config_defaults, or when it diverges). Returns the minibatches trained per model (0 when done()).
    int step(int n);
    bool done() const;
    int models() const { return static_cast<int>(sessions_.size()); }
    const std::string& type(int i) const;
    const TrainingSession& session(int i) const;
    int64_t steps() const;        // minibatches each model has trained
    int64_t total_steps() const;  // minibatches of the whole run (epochs x batches per epoch)
    // Mean training loss (per coordinate, the loss of the model type) of model i's last min(32, steps)
    // minibatches; 0 before the first.
    double recent_loss(int i) const;
    // Model i's field over an n x n grid of [0, 1]² and its test points, arrows at arrow_scale times r(x) − x
    // (vector_field.h field_view).
    FieldView view(int i, int n = 24, float arrow_scale = 1.0f) const;
    const DatasetPair& data() const { return data_; }

private:
    DatasetPair data_;
    std::vector<std::string> types_;
    std::vector<std::unique_ptr<TrainingSession>> sessions_;
};

}  // namespace ae
