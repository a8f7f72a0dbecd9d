#!/usr/bin/env bash
# A mixed fleet on loopback: a coordinator with Swift `tributary-edge` and C `tributary-edge-c`
# processes together, as scripts/fleet-on-loopback.sh sets one up (certificates, `tributary init`
# MLP 64-320-240-10 seed 7, the digits split IID across the edges, 70 % for training), run twice:
# SWIFT_EDGES Swift edges alone, then the same number split into Swift and C edges (edge i gets the
# same data and seed in both). Prints both fleets' round lines and fails (exit 1) unless the
# mixed fleet's final held-out accuracy is within 1 point of the Swift fleet's.
#
#   bash scripts/mixed-fleet-on-loopback.sh                  # 10 Swift edges, then 5 Swift + 5 C; 5 rounds
#   EDGES=10 C_EDGES=5 ROUNDS=5 BIN=.build/debug bash scripts/mixed-fleet-on-loopback.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
edges="${EDGES:-10}" c_edges="${C_EDGES:-5}" rounds="${ROUNDS:-5}" hidden="${HIDDEN:-320,240}"
bin="${BIN:-$root/.build/release}"
[[ -x "$bin/tributary" && -x "$bin/tributary-edge" ]] || { echo "build first (or set BIN): no $bin/tributary and $bin/tributary-edge" >&2; exit 1; }
(( c_edges <= edges )) || { echo "C_EDGES is $c_edges; must be at most EDGES ($edges)" >&2; exit 1; }
make -s -C "$root/edge/c" >/dev/null
C="$root/edge/c/build/tributary-edge-c"
T="$bin/tributary"
source "$root/scripts/lib/session.sh"   # fleet_certs, split_digits
work="$(mktemp -d /tmp/tributary-mixed.XXXXXX)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; if [[ -n "${KEEP:-}" ]]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
cd "$work"

fleet_certs "$T" "$edges"
$T init --out global.ckpt --inputs 64 --hidden "$hidden" --outputs 10 --epochs 1 --batch-size 8 --lr 0.05 --seed 7 >/dev/null
split_digits "$root/data/digits.csv" "$edges"

# Runs one fleet: $1 = its name, $2 = how many of the edges are C clients (the last ones).
fleet() {
  local name="$1" cs="$2" dir="$work/$1"
  mkdir -p "$dir"
  cat > "$dir/coordinator.yaml" <<YAML
listen: 127.0.0.1:0
tls: {certificate: $work/fleet/localhost.pem, key: $work/fleet/localhost-key.pem, ca: $work/fleet/ca.pem, deny_list: $work/fleet/revoked.txt}
registry: {directory: $dir/registry}
model: {initial_checkpoint: $work/global.ckpt}
rounds: {trigger: ready_clients, ready_clients: $edges, target_updates: $edges, over_selection: 1, quorum: $edges, collect_timeout: 300s, max_rounds: $rounds}
evaluation: {held_out: [digits=$work/held-out.csv], max_client_accuracy_drop: 1, max_task_drop: 1}
admin: {enabled: false}
YAML
  $T coordinator serve --config "$dir/coordinator.yaml" > "$dir/coordinator.log" 2> "$dir/coordinator.err" &
  local coordinator=$!
  pids+=("$coordinator")
  for _ in $(seq 1 1200); do grep -q "listening on" "$dir/coordinator.log" 2>/dev/null && break; sleep 0.1; done
  local address
  address="$(grep -o '127.0.0.1:[0-9]*' "$dir/coordinator.log" | head -1)"
  [[ -n "$address" ]] || { cat "$dir/coordinator.err" >&2; exit 1; }
  for i in $(seq 1 "$edges"); do
    local tls=(--ca fleet/ca.pem --cert "fleet/edge-$i.pem" --key "fleet/edge-$i-key.pem")
    if (( i > edges - cs )); then
      "$C" run --coordinator "$address" --server-name localhost "${tls[@]}" --data "edge-$i.csv" --features 64 --seed 1 \
          > "$dir/edge-$i.log" 2>&1 &
    else
      "$bin/tributary-edge" run --coordinator "$address" --server-name localhost "${tls[@]}" --data "edge-$i.csv" \
          --state "$dir/state-$i" > "$dir/edge-$i.log" 2>&1 &
    fi
    pids+=($!)
  done
  wait "$coordinator" || true
  echo "== $name: $((edges - cs)) Swift + $cs C edges"
  grep -E "round [0-9]+ (started|closed|abandoned)|stopped" "$dir/coordinator.log"
}

fleet swift 0
fleet mixed "$c_edges"
# the held-out accuracy after the last promoted round: "digits A% → B%"
final() { grep -o "digits [0-9.]*% → [0-9.]*%" "$work/$1/coordinator.log" | tail -1 | sed 's/.*→ //; s/%//'; }
swift="$(final swift)" mixed="$(final mixed)"
[[ -n "$swift" && -n "$mixed" ]] || { echo "FAIL: a fleet closed no round (swift: '$swift', mixed: '$mixed')" >&2; exit 1; }
if python3 -c "import sys; sys.exit(0 if abs($swift - $mixed) <= 1.0 else 1)"; then
  echo "ok: held-out accuracy after $rounds rounds: $swift % with $edges Swift edges, $mixed % with $((edges - c_edges)) Swift + $c_edges C edges"
else
  echo "FAIL: held-out accuracy $swift % (Swift fleet) vs $mixed % (mixed fleet): more than 1 point apart" >&2
  exit 1
fi
