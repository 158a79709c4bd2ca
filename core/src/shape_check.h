// Private to core/src: argument checks of the layer kernels. Cheap comparisons; a message (and its
// allocation) is built only on failure, so a correct call allocates nothing.
#pragma once

#include <string>

#include "ae/eigen.h"
#include "ae/error.h"

namespace ae {
namespace detail {

[[noreturn]] inline void shape_error(const char* what, const char* name, Eigen::Index rows, Eigen::Index cols,
                                     Eigen::Index want_rows, Eigen::Index want_cols) {
    throw Error(std::string(what) + ": " + name + " is [" + std::to_string(rows) + ", " + std::to_string(cols) +
                "], expected [" + std::to_string(want_rows) + ", " + std::to_string(want_cols) + "]");
}

template <class M>
void check_shape(const char* what, const char* name, const M& m, Eigen::Index rows, Eigen::Index cols) {
    if (m.rows() != rows || m.cols() != cols) shape_error(what, name, m.rows(), m.cols(), rows, cols);
}

// A batch viewed as [C, positions * n] must have its columns back to back.
template <class M>
void check_contiguous(const char* what, const char* name, const M& m) {
    if (m.cols() > 1 && m.outerStride() != m.rows())
        throw Error(std::string(what) + ": " + name + " must be contiguous (outer stride " +
                    std::to_string(m.outerStride()) + " for " + std::to_string(m.rows()) + " rows)");
}

template <class V>
void check_scratch(const char* what, const V& scratch, Eigen::Index need) {
    if (scratch.size() < need)
        throw Error(std::string(what) + ": scratch has " + std::to_string(scratch.size()) + " elements, needs " +
                    std::to_string(need));
}

}  // namespace detail
}  // namespace ae
