#!/usr/bin/env bash
# Builds and runs every test: native release (unit, gradient checks, data errors, determinism,
# end-to-end, CLI), WebAssembly (Node against the real .wasm), and the fast suites under
# AddressSanitizer + UndefinedBehaviorSanitizer, the thread tests under ThreadSanitizer, and 30 s of fuzzing per
# parser (fuzz/run.sh). Assumes .ci/setup.sh
# has run.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
JOBS=${JOBS:-$(nproc)}

step() { echo; echo "=== $* === ($(date +%T))"; }

step "native release: build"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"
step "native release: ctest (without the label reference: the B3 conv-VAE reference run, ctest -L reference)"
ctest --preset release -j "$JOBS" -LE reference

step "wasm: build"
cmake --preset wasm >/dev/null
cmake --build --preset wasm -j "$JOBS"
step "wasm: ctest (without the label bench: the page benchmark, ctest --preset wasm -L bench)"
ctest --preset wasm -LE bench

step "debug-asan: build"
cmake --preset debug-asan >/dev/null
cmake --build --preset debug-asan -j "$JOBS"
step "debug-asan: ctest (without the slow label)"
ctest --preset debug-asan -j "$JOBS"

step "tsan: build the thread tests (session hand-off, thread pool, the app's training thread)"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$JOBS" --target test_session test_thread_pool test_trainer
step "tsan: ctest (label threads)"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --preset tsan -j "$JOBS"

step "fuzz: every parser for 30 s under libFuzzer + ASan + UBSan (exit != 0 on a crash, leak, OOM or timeout)"
JOBS="$JOBS" bash fuzz/run.sh 30

echo; echo "all tests passed ($(date +%T))"
