#include "ae/init.h"

#include <cmath>

#include "ae/error.h"

namespace ae {

const char* init_name(Init i) {
    switch (i) {
        case Init::automatic: return "auto";
        case Init::glorot: return "glorot";
        case Init::he: return "he";
        case Init::torch: return "torch";
    }
    return "?";
}

Init init_from_string(const std::string& s) {
    if (s == "auto") return Init::automatic;
    if (s == "glorot" || s == "xavier") return Init::glorot;
    if (s == "he" || s == "kaiming") return Init::he;
    if (s == "torch") return Init::torch;
    throw Error("unknown init '" + s + "' (expected auto, glorot, he or torch)");
}

namespace {

// Fills x with independent draws from U(-a, a), row by row (the storage order of a row-major W).
template <class M>
void fill_uniform(Rng& rng, double a, M&& x) {
    for (Eigen::Index r = 0; r < x.rows(); ++r)
        for (Eigen::Index c = 0; c < x.cols(); ++c)
            x(r, c) = static_cast<float>((2.0 * rng.uniform_double() - 1.0) * a);
}

}  // namespace

void init_dense(Init init, Activation next, Rng& rng, Eigen::Ref<RowMatrix> W, Eigen::Ref<Vector> b) {
    const double fan_in = static_cast<double>(W.cols()), fan_out = static_cast<double>(W.rows());
    if (init == Init::automatic)
        init = (next == Activation::relu || next == Activation::leaky_relu) ? Init::he : Init::glorot;
    if (init == Init::torch) {
        const double a = 1.0 / std::sqrt(fan_in);
        fill_uniform(rng, a, W);
        fill_uniform(rng, a, b);
        return;
    }
    if (init == Init::glorot) {
        fill_uniform(rng, std::sqrt(6.0 / (fan_in + fan_out)), W);
    } else {
        const double sd = std::sqrt(2.0 / fan_in);
        for (Eigen::Index r = 0; r < W.rows(); ++r)
            for (Eigen::Index c = 0; c < W.cols(); ++c) W(r, c) = static_cast<float>(rng.normal() * sd);
    }
    b.setZero();
}

}  // namespace ae
