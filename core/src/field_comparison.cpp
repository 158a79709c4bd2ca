// Models trained side by side on a 2-D toy set (see field_comparison.h).
#include "ae/field_comparison.h"

#include <algorithm>

#include "ae/error.h"
#include "ae/toy_data.h"

namespace ae {

FieldComparison::FieldComparison(const std::string& data, const std::vector<std::string>& types, int threads)
    : data_(toy_dataset(data)), types_(types) {
    if (types.empty() || types.size() > 4)
        throw Error("field comparison: expected 1 to 4 model types, got " + std::to_string(types.size()));
    auto train = std::make_shared<const Dataset>(data_.train);
    auto test = std::make_shared<const Dataset>(data_.test);
    for (const std::string& t : types) {
        try {
            Config c = toy_config_defaults(t);
            c.train.threads = threads;
            sessions_.push_back(std::make_unique<TrainingSession>(c, train, test));
        } catch (const Error& e) {
            throw Error("model type " + t + " on " + data + ": " + e.what());
        }
    }
}

int FieldComparison::step(int n) {
    int trained = 0;
    for (auto& s : sessions_) {
        if (s->diverged()) continue;
        const int64_t left = static_cast<int64_t>(s->config().train.epochs) * s->batches_per_epoch() - s->steps();
        const int k = static_cast<int>(std::min<int64_t>(std::max(n, 0), std::max<int64_t>(left, 0)));
        if (k > 0) trained = std::max(trained, s->step(k));
    }
    return trained;
}

bool FieldComparison::done() const {
    for (const auto& s : sessions_)
        if (!s->diverged() && s->steps() < static_cast<int64_t>(s->config().train.epochs) * s->batches_per_epoch())
            return false;
    return true;
}

const std::string& FieldComparison::type(int i) const { return types_.at(static_cast<size_t>(i)); }
const TrainingSession& FieldComparison::session(int i) const { return *sessions_.at(static_cast<size_t>(i)); }

int64_t FieldComparison::steps() const {
    int64_t m = 0;
    for (const auto& s : sessions_) m = std::max(m, s->steps());
    return m;
}

int64_t FieldComparison::total_steps() const {
    const TrainingSession& s = *sessions_.front();
    return static_cast<int64_t>(s.config().train.epochs) * s.batches_per_epoch();
}

double FieldComparison::recent_loss(int i) const {
    const std::vector<float>& l = session(i).batch_losses();
    const size_t k = std::min<size_t>(32, l.size());
    if (k == 0) return 0.0;
    double sum = 0.0;
    for (size_t j = l.size() - k; j < l.size(); ++j) sum += l[j];
    return sum / static_cast<double>(k);
}

FieldView FieldComparison::view(int i, int n, float arrow_scale) const {
    TrainingSession& s = *sessions_.at(static_cast<size_t>(i));
    return field_view(s.model(), s.test_data(), 0.0f, 1.0f, n, 500, &s.pool(), arrow_scale);
}

}  // namespace ae
