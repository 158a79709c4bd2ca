// Single entry point for Eigen in the project. Every file includes this instead of <Eigen/Dense>.
//
// Under Emscripten, Eigen 3.4 has no WebAssembly packet backend. We compile with -msse4.2 -msimd128 so
// emscripten maps SSE intrinsics onto WASM SIMD, and fix two things Eigen gets wrong there (see
// ../shared/TOOLCHAIN.md, trap 4): it treats clang as "GCC 4.2" and emits x86 inline asm, so we
// reset EIGEN_COMP_GNUC after Macros.h; and it includes <mmintrin.h>, which emscripten 3.1.6 lacks
// (web/include/mmintrin.h is an empty stand-in on the WASM include path only).
#pragma once

#if defined(__EMSCRIPTEN__)
#include <Eigen/src/Core/util/Macros.h>
#undef EIGEN_COMP_GNUC
#define EIGEN_COMP_GNUC 0
#undef EIGEN_GNUC_AT_LEAST
#define EIGEN_GNUC_AT_LEAST(x, y) 0
#endif

#include <Eigen/Dense>

namespace ae {

template <typename T>
using MatrixT = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <typename T>
using VectorT = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <typename T>
using RowMatrixT = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Column-major float matrix; in activations one column is one sample: [features, batch].
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
using Vector = Eigen::Matrix<float, Eigen::Dynamic, 1>;
using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;
using VectorMap = Eigen::Map<Vector>;
// Row-major [rows, cols] view: the memory layout of a PyTorch weight tensor [out, in].
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixMap = Eigen::Map<RowMatrix>;

// A writable window onto the first `cols` columns of a preallocated buffer.
using MatrixBlock = Eigen::Block<Matrix, Eigen::Dynamic, Eigen::Dynamic, true>;

// Which SIMD instruction sets Eigen's packets use in this build ("SSE, SSE2, ..." or "None").
const char* simd_instruction_sets();

}  // namespace ae
