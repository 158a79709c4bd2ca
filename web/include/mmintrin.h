// Empty stand-in for <mmintrin.h> (MMX intrinsics), on the include path of the WebAssembly build only.
//
// Why: we compile the core with -msse4.2 -msimd128 so that Emscripten maps Eigen's SSE intrinsics onto
// WASM SIMD (see shared/TOOLCHAIN.md, trap 4, and core/include/ae/eigen.h). Eigen 3.4's
// ConfigureVectorization.h then includes <mmintrin.h> next to <emmintrin.h>, <xmmintrin.h>, ...;
// Emscripten 3.1.6 ships the SSE headers (system/include/compat/{x,e,p,t,s,n}mmintrin.h) but not
// mmintrin.h, because WebAssembly has no 64-bit MMX registers. Eigen uses no MMX type or intrinsic
// (__m64, _mm_empty, ...), so an empty header is enough. Native builds never see this directory.
#pragma once
