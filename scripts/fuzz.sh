#!/usr/bin/env bash
# Fuzzes the wire decoder with libFuzzer for a bounded time (default 60 s).
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]
# Builds Fuzz/ (its own package, so the main package never builds with sanitizers) with
# -sanitize=fuzzer and AddressSanitizer, seeds a temp corpus with one frame of every message
# kind, and runs. Exit status is libFuzzer's: non-zero on a crash, with the input saved as
# Fuzz/crash-* for replay (`Fuzz/.build/release/FuzzFrameDecoder Fuzz/crash-…`).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
shift || true
cd "$root/Fuzz"

swift build -c release --product FuzzFrameDecoder --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer >&2
bin="$(swift build -c release --product FuzzFrameDecoder --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer --show-bin-path)/FuzzFrameDecoder"

corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT

# Swift's backtracer would intercept the crash signals that libFuzzer and ASan report.
SWIFT_BACKTRACE=enable=no TRIBUTARY_FUZZ_SEEDS="$corpus" \
  "$bin" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1 "$@"
