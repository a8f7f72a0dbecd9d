#!/usr/bin/env bash
# The C client's training trigger against the Swift one on the same outcome streams: compiles the
# Swift side's drift files (Sources/TributaryLearning/Drift/*.swift, unchanged) with a small main
# that prints the same decisions as edge/c/tests/trigger_decisions.c, feeds both the seeded 0/1
# streams of edge/c/tests/trigger_stream.h (seeds 1...SEEDS, default 5), and fails on any difference.
# Decisions: each Page-Hinkley alarm (defaults: delta 0.005, threshold 50, 30 values) and each reason
# the default trigger (accuracy drop 0.1 over 50 outcomes, Page-Hinkley 50; volume off) fires,
# the trigger trained after each.
#
#   bash scripts/c-edge-trigger-vs-swift.sh      # needs swiftc and a C compiler
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/tributary-trigger.XXXXXX)"
trap 'rm -rf "$work"' EXIT
make -s -C "$root/edge/c" build/tests/trigger_decisions >/dev/null
C="$root/edge/c/build/tests/trigger_decisions"
cat > "$work/main.swift" <<'SWIFT'
var detector = PageHinkley()
var trigger = TrainingTrigger(configuration: .init(accuracyDropMargin: 0.1, accuracyWindow: 50, pageHinkley: PageHinkley(threshold: 50)))
var index = 0
while let line = readLine() {
    for character in line where character == "0" || character == "1" {
        let correct = character == "1"
        if detector.observe(correct ? 0 : 1) { print("ph \(index)") }
        if let reason = trigger.handle(.prediction(correct: correct)) {
            print("\(reason.name) \(index)")
            _ = trigger.handle(.trained(heldOutAccuracy: nil))
        }
        index += 1
    }
}
SWIFT
swiftc -O -module-name TriggerCheck "$root"/Sources/TributaryLearning/Drift/*.swift "$work/main.swift" -o "$work/swift-decisions"
status=0
for seed in $(seq 1 "${SEEDS:-5}"); do
  "$C" stream "$seed" > "$work/stream"
  "$C" decide < "$work/stream" > "$work/c.txt"
  "$work/swift-decisions" < "$work/stream" > "$work/swift.txt"
  if cmp -s "$work/c.txt" "$work/swift.txt"; then
    echo "seed $seed: the same $(wc -l < "$work/c.txt") decisions ($(tr '\n' ' ' < "$work/c.txt" | cut -c1-80)...)"
  else
    echo "seed $seed: the C and Swift triggers differ:" >&2
    diff "$work/c.txt" "$work/swift.txt" >&2 || true
    status=1
  fi
done
exit $status
