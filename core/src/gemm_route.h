// Private: C = A B or C += A B on Eigen objects with direct access (Matrix, Map, Block, Transpose), through
// gemm_f32 (gemm.h) in the WebAssembly SIMD build for float, Eigen's GEMM otherwise. Strides come from the
// objects: element (i, j) of X is at X.data() + i * rs(X) + j * cs(X). C must be column- or row-major with
// unit inner stride (a row-major C is computed as C^T = B^T A^T). Same summation-order guarantee as gemm_f32.
#pragma once

#include <type_traits>

#include "ae/eigen.h"
#include "ae/gemm.h"

namespace ae::detail {

#if defined(__wasm_simd128__)
inline constexpr bool kRouteGemm = true;
#else
inline constexpr bool kRouteGemm = false;
#endif

template <class X>
std::ptrdiff_t row_stride(const X& x) { return X::IsRowMajor ? x.outerStride() : x.innerStride(); }
template <class X>
std::ptrdiff_t col_stride(const X& x) { return X::IsRowMajor ? x.innerStride() : x.outerStride(); }

template <class C, class A, class B>
void gemm_route(C c, const A& a, const B& b, bool accumulate) {
    using Scalar = typename C::Scalar;
    if constexpr (kRouteGemm && std::is_same_v<Scalar, float>) {
        if (C::IsRowMajor) {
            gemm_f32(c.cols(), c.rows(), a.cols(), b.data(), col_stride(b), row_stride(b), a.data(), col_stride(a),
                     row_stride(a), c.data(), row_stride(c), accumulate);
        } else {
            gemm_f32(c.rows(), c.cols(), a.cols(), a.data(), row_stride(a), col_stride(a), b.data(), row_stride(b),
                     col_stride(b), c.data(), col_stride(c), accumulate);
        }
    } else {
        if (accumulate) c.noalias() += a * b;
        else c.noalias() = a * b;
    }
}

}  // namespace ae::detail
