#!/usr/bin/env bash
# Peak RSS of tributary-edge during one round against `tributary coordinator serve`.
# Default: a 784-128-10 MLP (101,770 parameters) and 2,000 local examples of 784 features (seeded).
# Usage: bash scripts/edge-rss.sh   (builds the release binaries first)
#        INPUTS=64 HIDDEN=1024,32 EXAMPLES=2000 bash scripts/edge-rss.sh     (64-1024-32-10: 100,330 parameters)
#        EDGE_BIN=path/to/tributary-edge bash scripts/edge-rss.sh          (another build of the edge)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product tributary >/dev/null
[ -n "${EDGE_BIN:-}" ] || swift build -c release --product tributary-edge >/dev/null
B=.build/release
EDGE=${EDGE_BIN:-$B/tributary-edge}
INPUTS=${INPUTS:-784}; HIDDEN=${HIDDEN:-128}; EXAMPLES=${EXAMPLES:-2000}
dir=$(mktemp -d)
trap 'kill $coordinator 2>/dev/null || true; rm -rf "$dir"' EXIT
$B/tributary certs init --dir "$dir/fleet" >/dev/null
$B/tributary certs issue --dir "$dir/fleet" --server localhost --ip 127.0.0.1 >/dev/null
$B/tributary certs issue --dir "$dir/fleet" --client edge-rss >/dev/null
$B/tributary init --out "$dir/model.ckpt" --inputs "$INPUTS" --hidden "$HIDDEN" --outputs 10 --epochs 2 --seed 1 >/dev/null
python3 - "$dir/local.csv" "$INPUTS" "$EXAMPLES" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    for _ in range(int(sys.argv[3])):
        label = random.randrange(10)
        f.write(",".join(f"{random.gauss(label / 10, 1):.4f}" for _ in range(int(sys.argv[2]))) + f",{label}\n")
PY
cat > "$dir/coordinator.yaml" <<YAML
listen: 127.0.0.1:0
tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem}
registry: {directory: registry}
model: {initial_checkpoint: model.ckpt}
rounds: {trigger: ready_clients, ready_clients: 1, target_updates: 1, quorum: 1, max_rounds: 1}
evaluation: {max_client_accuracy_drop: 1}
admin: {enabled: false}
YAML
$B/tributary coordinator serve --config "$dir/coordinator.yaml" > "$dir/coordinator.out" 2>/dev/null &
coordinator=$!
for _ in $(seq 100); do grep -q "listening on" "$dir/coordinator.out" && break; sleep 0.2; done
port=$(grep -o "127.0.0.1:[0-9]*" "$dir/coordinator.out" | head -1 | cut -d: -f2)
cat > "$dir/edge.yaml" <<YAML
coordinator: {address: "127.0.0.1:$port"}
tls: {ca: $dir/fleet/ca.pem, cert: $dir/fleet/edge-rss.pem, key: $dir/fleet/edge-rss-key.pem}
state: {directory: $dir/state}
feedback: {features: $INPUTS, classes: 10}
YAML
# The import is its own process (as on a device: the store fills over time); the agent's peak is the round's.
/usr/bin/time -v $EDGE import --config "$dir/edge.yaml" "$dir/local.csv" 2> "$dir/import-time.txt"
echo "import: $(grep "Maximum resident" "$dir/import-time.txt")"
/usr/bin/time -v $EDGE run --config "$dir/edge.yaml" --rounds 1 2> "$dir/time.txt" | grep -E "sent Update" &
# Peak private (anonymous) memory, sampled every 5 ms; the rest of the RSS is code pages mapped
# from the binary and shared libraries (clean, shared with other processes, reclaimable).
anon=0
for _ in $(seq 4000); do
    pid=$(pgrep -n -f "tributary-edge run --config $dir/edge.yaml" || true)
    [ -n "$pid" ] && break
    sleep 0.005
done
while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
    now=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${now:-0}" -gt "$anon" ] && anon=$now
    sleep 0.005
done
wait
echo "run:    $(grep "Maximum resident" "$dir/time.txt")"
echo "        peak anonymous (private) memory, sampled: $anon kB"
echo "        $(grep "Elapsed" "$dir/time.txt")"
/usr/bin/time -v $EDGE --help > /dev/null 2> "$dir/help-time.txt"
echo "--help (the binary alone): $(grep "Maximum resident" "$dir/help-time.txt")"
