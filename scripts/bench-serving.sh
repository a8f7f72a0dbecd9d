#!/usr/bin/env bash
# Serving on the edge, two parts:
#  1. TributaryServingBench, in one process: predict latency p50/p99 (one example) and throughput
#     (batches of 64) on a 64-64-10 and a 100k-parameter model (64-512-128-10), in process and over
#     loopback HTTP; the feedback store's ingest rate for logged predictions (SQLite WAL,
#     synchronous=NORMAL: a commit is durable across a process crash, not an OS crash; no fsync per commit).
#  2. The real agent: `tributary-edge run` (100k-parameter model, 2,000 local examples) trains one
#     round against `tributary coordinator serve`, adopts the release, then serves 2,000 single
#     and 200 batch-of-64 predictions over loopback HTTP; its RSS now, its peak (the round's
#     training included) and its private memory.
# Usage: bash scripts/bench-serving.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product TributaryServingBench >/dev/null
swift build -c release --product tributary >/dev/null
swift build -c release --product tributary-edge >/dev/null
B=.build/release
$B/TributaryServingBench

dir=$(mktemp -d)
trap 'kill $edge $coordinator 2>/dev/null || true; rm -rf "$dir"' EXIT
$B/tributary certs init --dir "$dir/fleet" >/dev/null
$B/tributary certs issue --dir "$dir/fleet" --server localhost --ip 127.0.0.1 >/dev/null
$B/tributary certs issue --dir "$dir/fleet" --client edge-serve >/dev/null
$B/tributary init --out "$dir/model.ckpt" --inputs 64 --hidden 512,128 --outputs 10 --epochs 2 --seed 1 >/dev/null
python3 - "$dir/local.csv" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    for _ in range(2000):
        label = random.randrange(10)
        f.write(",".join(f"{random.gauss(label / 10, 1):.4f}" for _ in range(64)) + f",{label}\n")
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
(cd "$dir" && exec "$OLDPWD/$B/tributary" coordinator serve --config coordinator.yaml > coordinator.out 2>/dev/null) &
coordinator=$!
for _ in $(seq 150); do grep -q "listening on" "$dir/coordinator.out" 2>/dev/null && break; sleep 0.2; done
port=$(grep -o "127.0.0.1:[0-9]*" "$dir/coordinator.out" | head -1 | cut -d: -f2)
cat > "$dir/edge.yaml" <<YAML
coordinator: {address: "127.0.0.1:$port"}
tls: {ca: $dir/fleet/ca.pem, cert: $dir/fleet/edge-serve.pem, key: $dir/fleet/edge-serve-key.pem}
state: {directory: $dir/state}
feedback: {features: 64, classes: 10, import: [$dir/local.csv]}
ingestion: {enabled: true, listen: "127.0.0.1:0"}
YAML
$B/tributary-edge run --config "$dir/edge.yaml" > "$dir/edge.out" 2>/dev/null &
edge=$!
for _ in $(seq 600); do grep -q "adopted model version 2" "$dir/edge.out" 2>/dev/null && break; sleep 0.2; done
http=$(grep -o "feedback endpoint listening on 127.0.0.1:[0-9]*" "$dir/edge.out" | head -1 | cut -d: -f2)
python3 - "$http" <<'PY'
import http.client, json, random, sys, time
random.seed(3)
connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
def predict(rows):
    connection.request("POST", "/v1/predict", json.dumps({"instances": rows}), {"Content-Type": "application/json"})
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200, body
rows = [[random.gauss(0, 1) for _ in range(64)] for _ in range(64)]
start = time.perf_counter()
for i in range(2000): predict([rows[i % 64]])
single = time.perf_counter() - start
start = time.perf_counter()
for _ in range(200): predict(rows)
batch = time.perf_counter() - start
print(f"tributary-edge over HTTP from Python's http.client (client included): {single / 2000 * 1e6:.0f} µs per single-example request, {200 * 64 / batch:.0f} examples/s in batches of 64")
PY
status=/proc/$edge/status
echo "tributary-edge serving (64-512-128-10, after one round of training on 2,000 examples and 2,000 + 200 requests: 14,800 predictions logged, the newest 10,000 kept):" \
     "RSS $(awk '/^VmRSS:/ {print int($2/1024)}' $status) MiB, peak $(awk '/^VmHWM:/ {print int($2/1024)}' $status) MiB," \
     "private (RssAnon) $(awk '/^RssAnon:/ {print int($2/1024)}' $status) MiB"
