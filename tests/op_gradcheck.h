// The one gradient-check harness for the core's ops (after ggml's tests/test-backend-ops.cpp: every op is a
// small case, checked against finite differences with its own tolerance and an escape for kinks).
//
// An OpCase names its inputs (parameters included) with their shapes and the range their random values are
// drawn from, and wraps the op's forward and backward. The harness, in double precision:
//   1. draws every input uniformly in its range (redrawing while case.away_from_kinks says no: ReLU at 0,
//      |h| at 0, ties of a max-pool window), and a random projection r of the output y;
//   2. defines the scalar L(inputs) = sum(r ⊙ y) + value, where value is what the op returns besides y
//      (a loss, a penalty; 0 for a plain layer);
//   3. runs forward, then backward with dy = r, into gradient buffers pre-filled with random junk: an input
//      marked `accumulate` must end at junk + dL/d(input), an `overwrite` input at exactly dL/d(input);
//   4. compares with central differences (L(v + h) - L(v - h)) / 2h, h = 1e-6, element by element:
//        error = |analytic - numeric| / max(|analytic|, |numeric|, 1e-2)
//      (relative, absolute below 1e-2 where the rounding noise of L / 2h dominates), and reports the worst
//      error per input and per op.
// A case's forward and backward are called in that order on the same inputs (backward may use what forward
// left in the case's own scratch); numeric evaluations call forward only.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "ae/eigen.h"
#include "ae/rng.h"

namespace opcheck {

using Mat = Eigen::MatrixXd;
using Tensors = std::vector<Mat>;

enum class Grad { overwrite, accumulate, none };

struct Input {
    std::string name;
    Eigen::Index rows = 1, cols = 1;  // the case may view the memory as row-major [rows, cols] (weights)
    double lo = -1.0, hi = 1.0;       // values drawn uniformly in [lo, hi)
    Grad grad = Grad::overwrite;      // how backward writes this input's gradient; none: not differentiated
};

struct OpCase {
    std::string name;
    std::vector<Input> inputs;
    Eigen::Index out_rows = 0, out_cols = 0;  // y; 0 x 0 when the op only returns a value
    // Computes y (already sized out_rows x out_cols) and returns the op's scalar value (0 if none).
    std::function<double(const Tensors& in, Mat& y)> forward;
    // Given the inputs, forward's y and dy = dL/dy, writes or adds (per Input::grad) dL/d in[i] into grads[i].
    // Scalar values enter L with weight 1 (call the op with scale 1, or scale s if forward returns s * value).
    std::function<void(const Tensors& in, const Mat& y, const Mat& dy, Tensors& grads)> backward;
    double tol = 1e-6;
    std::function<bool(const Tensors& in)> away_from_kinks;  // optional
};

struct Report {
    double worst = 0.0;
    std::vector<double> per_input;  // worst error per input (0 for Grad::none)
    int redraws = 0;
    long checked = 0;               // gradient entries compared
};

inline double rel_error(double a, double n) {
    return std::fabs(a - n) / std::max({std::fabs(a), std::fabs(n), 1e-2});
}

inline void fill_uniform(ae::Rng& rng, Mat& m, double lo, double hi) {
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = lo + (hi - lo) * rng.uniform_double();
}

inline double objective(const OpCase& c, const Tensors& in, const Mat& r, Mat& y) {
    const double value = c.forward(in, y);
    return (y.size() ? (r.array() * y.array()).sum() : 0.0) + value;
}

// Runs the check; the gtest assertions name the op, the input and the entry of the first mismatches.
inline Report eval_grad(const OpCase& c, uint64_t seed = 1) {
    ae::Rng rng(seed, 11);
    Report rep;
    Tensors in;
    for (const Input& i : c.inputs) in.emplace_back(i.rows, i.cols);
    for (;;) {
        for (size_t k = 0; k < in.size(); ++k) fill_uniform(rng, in[k], c.inputs[k].lo, c.inputs[k].hi);
        if (!c.away_from_kinks || c.away_from_kinks(in)) break;
        if (++rep.redraws == 1000) {
            ADD_FAILURE() << c.name << ": no draw away from kinks in 1000 tries";
            return rep;
        }
    }
    Mat r(c.out_rows, c.out_cols), y(c.out_rows, c.out_cols);
    fill_uniform(rng, r, -1.0, 1.0);

    Tensors junk, grads;
    for (size_t k = 0; k < in.size(); ++k) {
        junk.emplace_back(in[k].rows(), in[k].cols());
        fill_uniform(rng, junk.back(), -3.0, 3.0);
        grads.push_back(junk.back());
    }
    objective(c, in, r, y);
    c.backward(in, y, r, grads);

    const double h = 1e-6;
    rep.per_input.assign(in.size(), 0.0);
    for (size_t k = 0; k < in.size(); ++k) {
        const Input& spec = c.inputs[k];
        if (spec.grad == Grad::none) continue;
        long bad = 0;
        std::string first;
        for (Eigen::Index e = 0; e < in[k].size(); ++e) {
            double& v = in[k].data()[e];
            const double saved = v;
            v = saved + h;
            const double lp = objective(c, in, r, y);
            v = saved - h;
            const double lm = objective(c, in, r, y);
            v = saved;
            const double numeric = (lp - lm) / (2 * h);
            double analytic = grads[k].data()[e];
            if (spec.grad == Grad::accumulate) analytic -= junk[k].data()[e];
            const double err = rel_error(analytic, numeric);
            rep.per_input[k] = std::max(rep.per_input[k], err);
            ++rep.checked;
            if (!(err <= c.tol) && bad++ == 0) {  // !(<=) also catches NaN
                char buf[160];
                std::snprintf(buf, sizeof buf, "first [%ld] analytic %.10g numeric %.10g error %.2e", long(e), analytic,
                              numeric, err);
                first = buf;
            }
        }
        if (bad)  // one failure per input, naming the op, the input and the first bad entry
            ADD_FAILURE() << c.name << ": d/d " << spec.name << ": " << bad << " of " << in[k].size()
                          << " entries above tol " << c.tol << ", " << first;
        rep.worst = std::max(rep.worst, rep.per_input[k]);
    }
    return rep;
}

// eval_grad, then one line per op: worst error per input.
inline Report expect_gradients(const OpCase& c, uint64_t seed = 1) {
    Report rep = eval_grad(c, seed);
    char head[96];
    std::snprintf(head, sizeof head, ": worst %.1e (tol %.0e, %ld entries", rep.worst, c.tol, rep.checked);
    std::string line = "[gradcheck] " + c.name + head;
    if (rep.redraws) line += ", " + std::to_string(rep.redraws) + " redraws";
    line += ")";
    for (size_t k = 0; k < c.inputs.size(); ++k)
        if (c.inputs[k].grad != Grad::none) {
            char buf[64];
            std::snprintf(buf, sizeof buf, " %s %.1e", c.inputs[k].name.c_str(), rep.per_input[k]);
            line += buf;
        }
    std::printf("%s\n", line.c_str());
    return rep;
}

// Views of a harness tensor's memory.
inline Eigen::Map<ae::RowMatrixT<double>> row_major(Mat& m) {
    return Eigen::Map<ae::RowMatrixT<double>>(m.data(), m.rows(), m.cols());
}
inline Eigen::Map<const ae::RowMatrixT<double>> row_major(const Mat& m) {
    return Eigen::Map<const ae::RowMatrixT<double>>(m.data(), m.rows(), m.cols());
}
inline Eigen::Map<Eigen::VectorXd> as_vector(Mat& m) { return Eigen::Map<Eigen::VectorXd>(m.data(), m.size()); }
inline Eigen::Map<const Eigen::VectorXd> as_vector(const Mat& m) {
    return Eigen::Map<const Eigen::VectorXd>(m.data(), m.size());
}

}  // namespace opcheck
