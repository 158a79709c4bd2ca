#!/usr/bin/env bash
# Builds the fuzz targets if needed (preset `fuzz`), makes the seed corpora (fuzz/make_corpus.sh) and runs
# every target for SECONDS, JOBS targets at a time, with a 2 GB memory limit (-rss_limit_mb, also the largest
# single allocation) and a 10 s per-input timeout. Exits non-zero on any crash, sanitizer report, leak,
# out-of-memory or timeout; the reproducer is written to build/fuzz/artifacts/<target>-*.
# The corpora grow in build/fuzz/corpus/<target>/ and are reused by the next run.
# Usage: fuzz/run.sh SECONDS [TARGET...]      (JOBS=N for the build, default 2)
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
((${#targets[@]})) || targets=(fuzz_idx fuzz_idx_gzip fuzz_mnist_json fuzz_safetensors fuzz_model_file fuzz_config)
JOBS=${JOBS:-2}

if ! { cmake --preset fuzz >/dev/null && cmake --build --preset fuzz -j "$JOBS"; }; then
  echo "fuzz/run.sh: build failed" >&2
  exit 1
fi
fuzz/make_corpus.sh build/fuzz/seeds >/dev/null || exit 1
mkdir -p build/fuzz/artifacts build/fuzz/logs

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# One target per job at a time (JOBS at once, default 2: each libFuzzer process is single-threaded), each for
# SECONDS; the table is printed in the targets' order once all have run.
run_one() {
  local t=$1 bin=build/fuzz/fuzz/$1 corpus=build/fuzz/corpus/$1 log=build/fuzz/logs/$1.log max_len start rc took execs crashes result
  mkdir -p "$corpus"
  case $t in
    fuzz_mnist_json) max_len=32768 ;;                 # the two-image seed is ~15 KB of text
    fuzz_safetensors | fuzz_model_file) max_len=16384 ;;
    *) max_len=4096 ;;
  esac
  start=$(date +%s)
  timeout --signal=KILL $((secs + 120)) "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -max_len=$max_len -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$t-" \
    "$corpus" "build/fuzz/seeds/$t" >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crashes=$(ls build/fuzz/artifacts/ 2>/dev/null | grep -c "^$t-" || true)
  result=ok
  [ "$rc" -ne 0 ] && result="FAILED (exit $rc, log $log)"
  printf '%-18s %8s %12s %8s %8s  %s\n' "$t" "$took" "${execs:-?}" "$(ls "$corpus" | wc -l)" "$crashes" "$result" \
    >"build/fuzz/logs/$t.row"
  echo "$rc" >"build/fuzz/logs/$t.rc"
}

rm -f build/fuzz/logs/*.row build/fuzz/logs/*.rc
printf '%-18s %8s %12s %8s %8s  %s\n' target seconds executions corpus crashes result
for t in "${targets[@]}"; do
  while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n; done
  run_one "$t" &
done
wait
failed=0
for t in "${targets[@]}"; do
  cat "build/fuzz/logs/$t.row"
  rc=$(cat "build/fuzz/logs/$t.rc")
  if [ "$rc" -ne 0 ]; then
    failed=1
    grep -E "ERROR|SUMMARY|runtime error|Test unit written|==[0-9]+==" "build/fuzz/logs/$t.log" | head -20 >&2
  fi
done
exit $failed
