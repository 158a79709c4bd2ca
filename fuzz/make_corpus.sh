#!/usr/bin/env bash
# Seed corpora for the fuzz targets, made at run time from valid files written by the core itself
# (fuzz_make_seeds, built by the `fuzz` preset): nothing binary is kept in git.
# Usage: fuzz/make_corpus.sh [SEED_DIR]   (default build/fuzz/seeds)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/fuzz/seeds}
bin=build/fuzz/fuzz/fuzz_make_seeds
[ -x "$bin" ] || { echo "make_corpus: $bin missing: run fuzz/run.sh (or cmake --build --preset fuzz)" >&2; exit 1; }
rm -rf "$out"
"$bin" "$out"
for d in "$out"/*/; do echo "make_corpus: $(ls "$d" | wc -l) seeds in $d"; done
