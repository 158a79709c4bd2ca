#!/usr/bin/env bash
# Builds and runs every test: native release (unit, gradient checks, data errors, determinism,
# end-to-end, CLI), WebAssembly (Node against the real .wasm), and the fast suites under
# AddressSanitizer + UndefinedBehaviorSanitizer. Assumes .ci/setup.sh has run.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
JOBS=${JOBS:-$(nproc)}

step() { echo; echo "=== $* ==="; }

step "native release: build"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"
step "native release: ctest"
ctest --preset release -j "$JOBS"

step "wasm: build"
cmake --preset wasm >/dev/null
cmake --build --preset wasm -j "$JOBS"
step "wasm: ctest"
ctest --preset wasm

step "debug-asan: build"
cmake --preset debug-asan >/dev/null
cmake --build --preset debug-asan -j "$JOBS"
step "debug-asan: ctest (without the slow label)"
ctest --preset debug-asan -j "$JOBS"

echo; echo "all tests passed"
