#include "ae/filters.h"

#include <algorithm>
#include <cmath>

#include "ae/error.h"

namespace ae {

FilterImages first_layer_filters(const Autoencoder& model, int max_filters) {
    if (max_filters < 1) throw Error("first_layer_filters: max_filters must be >= 1");
    const ArchitecturePlan& plan = model.plan();
    const ModulePlan* first = nullptr;
    for (const ModulePlan& m : plan.encoder)
        if (m.has_params()) {
            first = &m;
            break;
        }
    if (!first && !plan.heads.empty()) first = &plan.heads[0];
    if (!first) throw Error("first_layer_filters: the model has no weighted encoder layer");
    const ParamStore& p = model.params();
    int tensor = -1;
    for (size_t t = 0; t < p.tensors().size(); ++t)
        if (p.tensors()[t].name == first->name + ".weight") tensor = static_cast<int>(t);
    if (tensor < 0) throw Error("first_layer_filters: no tensor " + first->name + ".weight");
    const float* w = p.value(tensor);

    FilterImages f;
    const int C = first->type == "Conv2d" ? first->in.c : plan.input.c;
    const int h = first->type == "Conv2d" ? first->spec.kernel : plan.input.h;
    const int wd = first->type == "Conv2d" ? first->spec.kernel : plan.input.w;
    const int count = std::min<int>(max_filters, first->type == "Conv2d" ? first->out.c : static_cast<int>(first->out.size()));
    f.rows = h;
    f.cols = C * wd;
    f.tiles.resize(static_cast<Eigen::Index>(f.rows) * f.cols, count);
    f.layer = first->name + " (" + first->type + " " + std::to_string(first->type == "Conv2d" ? first->in.c : first->in.size()) +
              " -> " + std::to_string(first->type == "Conv2d" ? first->out.c : first->out.size()) +
              (first->type == "Conv2d" ? ", " + std::to_string(h) + "x" + std::to_string(wd) : std::string()) + ")";
    // Both layouts store one filter contiguously as [C, h, w] (PyTorch order: Linear rows are the flat C, H, W
    // input; Conv2d weight [out, in, k, k]).
    const Eigen::Index per = static_cast<Eigen::Index>(C) * h * wd;
    for (int j = 0; j < count; ++j) {
        const float* src = w + j * per;
        float m = 0.0f;
        for (Eigen::Index i = 0; i < per; ++i) m = std::max(m, std::fabs(src[i]));
        const float s = m > 0.0f ? 0.5f / m : 0.0f;
        for (int c = 0; c < C; ++c)
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < wd; ++x)
                    f.tiles(static_cast<Eigen::Index>(y) * f.cols + c * wd + x, j) =
                        std::clamp(0.5f + s * src[(static_cast<Eigen::Index>(c) * h + y) * wd + x], 0.0f, 1.0f);
    }
    return f;
}

}  // namespace ae
