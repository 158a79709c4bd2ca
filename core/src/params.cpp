#include "ae/params.h"

#include <algorithm>

#include "ae/error.h"

namespace ae {

int ParamStore::add(const std::string& name, std::vector<int> shape) {
    if (finalized_) throw Error("ParamStore: cannot add '" + name + "' after finalize()");
    ParamTensor t;
    t.name = name;
    t.size = 1;
    for (int s : shape) {
        if (s <= 0) throw Error("ParamStore: tensor '" + name + "' has a non-positive dimension");
        t.size *= static_cast<size_t>(s);
    }
    t.shape = std::move(shape);
    t.offset = total_;
    total_ += (t.size + 15) / 16 * 16;
    tensors_.push_back(std::move(t));
    return static_cast<int>(tensors_.size()) - 1;
}

void ParamStore::finalize() {
    values_.assign(total_, 0.0f);
    grads_.assign(total_, 0.0f);
    finalized_ = true;
}

size_t ParamStore::count() const {
    size_t n = 0;
    for (const auto& t : tensors_) n += t.size;
    return n;
}

void ParamStore::zero_grad() { std::fill(grads_.begin(), grads_.end(), 0.0f); }

}  // namespace ae
