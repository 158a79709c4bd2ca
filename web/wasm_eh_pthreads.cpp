// Linked into the threaded module (ae-mt.js) only: a fix for C++ exceptions under -pthread -fwasm-exceptions
// with this machine's toolchain (Debian: emscripten 3.1.6 with clang 14).
//
// With native WebAssembly exceptions, a landing pad in compiled code writes the landing-pad index and the
// LSDA into the global __wasm_lpad_context, calls _Unwind_CallPersonality, and reads the selector the
// personality function wrote back there. Emscripten 3.1.6's libunwind (system/lib/libunwind/src/
// Unwind-wasm.c, archive libunwind-mt-except.a) declares that variable thread_local, but clang 14's
// WasmEHPrepare still accesses it as a plain global, so the two sides talk past each other: in the -pthread
// build NO typed catch clause ever matches (catch (const std::exception&), even catch (int), fall through to
// catch (...); checked with a ten-line program under Node), and the bindings' errors became "unknown C++
// exception". (Later LLVM releases make the compiler's access thread-local too.)
//
// This file defines every symbol of Unwind-wasm.c (the same code, from LLVM's libunwind, Apache-2.0 WITH
// LLVM-exception) with a plain global context, so the linker never takes the archive's member. Only the
// module's main thread (the page's Web Worker) throws and catches here: the thread pool's tasks must not
// throw (core/include/ae/thread_pool.h), so the shared context is not raced.
#include <stddef.h>
#include <stdint.h>

#include <unwind.h>  // libunwind's (web/CMakeLists.txt puts emscripten's system/lib/libunwind/include first)

extern "C" {

_Unwind_Reason_Code __gxx_personality_wasm0(int version, _Unwind_Action actions, uint64_t exceptionClass,
                                            _Unwind_Exception* unwind_exception, _Unwind_Context* context);

struct _Unwind_LandingPadContext {
    uintptr_t lpad_index;  // in: landing pad index
    uintptr_t lsda;        // in: LSDA address
    uintptr_t selector;    // out: selector value computed by the personality function
};

_Unwind_LandingPadContext __wasm_lpad_context;  // NOT thread_local: what clang 14's code accesses

_Unwind_Reason_Code _Unwind_CallPersonality(void* exception_ptr) {
    auto* exception_object = static_cast<_Unwind_Exception*>(exception_ptr);
    __wasm_lpad_context.selector = 0;
    // Wasm has no two-phase unwinding: only the cleanup phase.
    return __gxx_personality_wasm0(1, _UA_CLEANUP_PHASE, exception_object->exception_class, exception_object,
                                   reinterpret_cast<_Unwind_Context*>(&__wasm_lpad_context));
}

_Unwind_Reason_Code _Unwind_RaiseException(_Unwind_Exception* exception_object) {
    __builtin_wasm_throw(0, exception_object);
}

void _Unwind_DeleteException(_Unwind_Exception* exception_object) {
    if (exception_object->exception_cleanup != nullptr)
        (*exception_object->exception_cleanup)(_URC_FOREIGN_EXCEPTION_CAUGHT, exception_object);
}

void _Unwind_SetGR(_Unwind_Context* context, int index, uintptr_t value) {
    if (index != 1) return;  // only the selector (index 1 in the personality function)
    reinterpret_cast<_Unwind_LandingPadContext*>(context)->selector = value;
}

uintptr_t _Unwind_GetIP(_Unwind_Context* context) {
    // Used as a 1-based index after decrementing 1.
    return reinterpret_cast<_Unwind_LandingPadContext*>(context)->lpad_index + 2;
}

void _Unwind_SetIP(_Unwind_Context*, uintptr_t) {}

uintptr_t _Unwind_GetLanguageSpecificData(_Unwind_Context* context) {
    return reinterpret_cast<_Unwind_LandingPadContext*>(context)->lsda;
}

uintptr_t _Unwind_GetRegionStart(_Unwind_Context*) { return 0; }

}  // extern "C"
