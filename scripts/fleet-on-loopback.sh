#!/usr/bin/env bash
# A coordinator and N edge agents as separate processes on loopback, from the CLI alone:
# certificates from `tributary certs`, a model from `tributary init`, the digits data split IID
# across the edges (about 125 examples each), `tributary coordinator serve --config` and N
# `tributary-edge run` processes. Prints the coordinator's round lines (each closed round shows
# the held-out accuracy before → after and its wall time) and the registry's versions.
#
#   bash scripts/fleet-on-loopback.sh                    # 10 edges, 5 rounds, MLP 64-320-240-10 (100,250 parameters)
#   EDGES=10 ROUNDS=10 HIDDEN=64 bash scripts/fleet-on-loopback.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
edges="${EDGES:-10}" rounds="${ROUNDS:-5}" hidden="${HIDDEN:-320,240}"
BIN="${BIN:-$root/.build/release}"   # build first: swift build -c release --product tributary && … --product tributary-edge
source "$root/scripts/lib/session.sh"
session_binaries
session_start fleet
logs=(coordinator.log coordinator.err)

T="$bin/tributary"
fleet_certs "$T" "$edges"
$T init --out global.ckpt --inputs 64 --hidden "$hidden" --outputs 10 --epochs 1 --batch-size 8 --lr 0.05 --seed 7 >/dev/null

# IID split of 70% of the digits across the edges; the other 30% is the coordinator's held-out set.
split_digits "$root/data/digits.csv" "$edges"

cat > coordinator.yaml <<YAML
listen: 127.0.0.1:0
tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem, deny_list: fleet/revoked.txt}
registry: {directory: registry}
model: {initial_checkpoint: global.ckpt}
rounds: {trigger: ready_clients, ready_clients: $edges, target_updates: $edges, over_selection: 1, quorum: $edges, collect_timeout: 60s, max_rounds: $rounds}
evaluation: {held_out: [digits=held-out.csv], max_client_accuracy_drop: 1, max_task_drop: 1}
admin: {enabled: false}
YAML

start_coordinator
coordinator="${pids[-1]}"
echo "coordinator (pid $coordinator) on 127.0.0.1:$port; starting $edges edge agents"
start_edges "$edges" "$port"
wait "$coordinator" || true
grep -E "round [0-9]+ (started|closed|abandoned)|released|stopped" coordinator.log
echo
$T models list --registry registry
echo
echo "round wall times (s): $(grep -o '[0-9.]*s$' coordinator.log | tr -d s | tr '\n' ' ')"
