#!/usr/bin/env bash
# Fuzzes the C edge client's frame decoder and chunk reassembly (edge/c/tests/fuzz_frame.c) with
# libFuzzer + AddressSanitizer + UBSan for FUZZ_SECONDS (default 60), seed 7. Exit 0 = no crash,
# no leak, no sanitizer report; otherwise libFuzzer's report and the crashing input
# (edge/c/build/crash-*) are left for a unit test.
#
#   bash scripts/fuzz-c-frame.sh                 # FUZZ_CC=clang by default (Swift's clang works)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cc="${FUZZ_CC:-$(command -v clang || echo /opt/swift/usr/bin/clang)}"
make -s -C "$root/edge/c" build/fuzz_frame FUZZ_CC="$cc" 2>&1 | grep -v "Cannot export local symbol" || true
corpus="$(mktemp -d /tmp/tributary-c-fuzz.XXXXXX)"
trap 'rm -rf "$corpus"' EXIT
cd "$root/edge/c/build"
status=0
./fuzz_frame -max_total_time="${FUZZ_SECONDS:-60}" -seed=7 -print_final_stats=1 "$corpus" > "$corpus/fuzz.log" 2>&1 || status=$?
if [[ $status -ne 0 ]]; then
  tail -60 "$corpus/fuzz.log" >&2
  echo "the fuzzer failed (exit $status); the input is in edge/c/build/crash-* or leak-*" >&2
  exit "$status"
fi
grep -E "^Done|number_of_executed_units" "$corpus/fuzz.log"
echo "frame decoder fuzzed for ${FUZZ_SECONDS:-60} s: 0 crashes"
