#!/usr/bin/env bash
# Fails (exit 1) if the edge executable links coordinator or server code again, two ways:
#  1. the transitive target closure of the `tributary-edge` product in Package.swift (from
#     `swift package describe --type json`) must hold none of the forbidden targets below;
#  2. the built binary must hold no symbol of those modules (Swift mangles a module name as
#     <length><name>, e.g. 20TributaryCoordinator) and no `CoordinatorServer`.
# Prints the closure. Extra SwiftPM options (e.g. --ignore-lock) may be passed in SWIFTPM_FLAGS.
set -euo pipefail
cd "$(dirname "$0")/.."

forbidden="TributaryCoordinator TributaryCoordinatorTransport TributaryRegistry TributaryRounds TributaryAggregation TributarySimulation TributaryCLI TributaryExperiments"
flags=(${SWIFTPM_FLAGS:-})

description="$(mktemp)"
trap 'rm -f "$description"' EXIT
swift package "${flags[@]}" describe --type json > "$description"

python3 - "$description" $forbidden <<'EOF'
import json, sys
package = json.load(open(sys.argv[1]))
forbidden = set(sys.argv[2:])
targets = {t["name"]: t for t in package["targets"]}
product = next(p for p in package["products"] if p["name"] == "tributary-edge")
closure, stack = set(), list(product["targets"])
while stack:
    name = stack.pop()
    if name in closure:
        continue
    closure.add(name)
    stack.extend(targets[name].get("target_dependencies", []))
print("tributary-edge links these targets:", " ".join(sorted(closure)))
bad = sorted(closure & forbidden)
if bad:
    print("error: tributary-edge's target closure holds coordinator/server targets:", ", ".join(bad), file=sys.stderr)
    sys.exit(1)
EOF

swift build "${flags[@]}" --product tributary-edge > /dev/null
binary="$(swift build "${flags[@]}" --show-bin-path)/tributary-edge"
symbols="$(nm "$binary")"
status=0
for module in $forbidden; do
  count="$(grep -c "${#module}${module}" <<< "$symbols" || true)"
  if [[ "$count" != 0 ]]; then
    echo "error: $binary holds $count symbols of $module" >&2
    status=1
  fi
done
count="$(grep -c "CoordinatorServer" <<< "$symbols" || true)"
if [[ "$count" != 0 ]]; then
  echo "error: $binary holds $count CoordinatorServer symbols" >&2
  status=1
fi
[[ $status == 0 ]] && echo "tributary-edge binary: no symbol of $forbidden, none of CoordinatorServer"
exit $status
