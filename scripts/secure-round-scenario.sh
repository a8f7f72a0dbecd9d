#!/usr/bin/env bash
# Secure aggregation over real processes (issue 16): a coordinator with `secure_aggregation` on
# (a 32-bit ring: the compressed form of a masked upload) and `compression` set (int8 delta and
# Fisher for any plaintext Update), and EDGES `tributary-edge` processes over mutual TLS on loopback.
#
#   1. every round is secure: each edge's RoundOffer carries SecAggParameters, the edges advertise
#      keys, share them, train, and send their masked vector instead of an Update; the coordinator
#      unmasks only the sum and commits it (versions 2 and 3);
#   2. round 3 loses an edge after it shared its keys (SIGKILL while it trains, held there by
#      tributary-edge-crashtest's pause point): its pairwise masks are rebuilt from its neighbours'
#      shares and the round still commits from the survivors' sum;
#   3. the coordinator's log shows masked inputs only (no Update was accepted with an example
#      count: a masked input counts 0) and the bytes it received: 4 bytes per element.
#
#   bash scripts/secure-round-scenario.sh             # uses .build/debug (swift build first, with
#                                                     # the tributary-edge-crashtest product)
#   EDGES=8 BIN=.build/release KEEP=1 bash scripts/secure-round-scenario.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
edges="${EDGES:-6}"
source "$root/scripts/lib/session.sh"
session_binaries
session_start secure
T="$bin/tributary"
logs=(coordinator.log coordinator.err edge-1.log edge-1.err)

step "fleet: CA, certificates, $edges edges' data, version 1"
fleet_certs "$T" "$edges"
$T init --out global.ckpt --inputs 64 --hidden 32 --outputs 10 --epochs 2 --batch-size 16 --lr 0.05 --seed 7 >/dev/null
split_digits "$root/data/digits.csv" "$edges"

cat > coordinator.yaml <<YAML
listen: 127.0.0.1:0
tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem}
registry: {directory: registry}
model: {initial_checkpoint: global.ckpt}
rounds: {trigger: manual, target_updates: $edges, over_selection: 1, quorum: 3, collect_timeout: 120s}
evaluation: {held_out: [digits=held-out.csv], max_client_accuracy_drop: 1, max_task_drop: 1}
secure_aggregation: {enabled: true, dropout_rate: 0.3, ring_bits: 32, share_timeout: 20s, unmask_timeout: 20s}
compression: {delta: int8, fisher: int8}
YAML
start_coordinator
[[ -n "$admin" ]] || fail "the admin endpoint is needed to start rounds"
echo "coordinator on 127.0.0.1:$port, admin $admin; starting $edges edges"
start_edges "$edges" "$port"
population() { [[ "$($T round status --admin "$admin" | json "d['population']")" == "$1" ]]; }
wait_for 120 "$edges edges connected" population "$edges"

for round in 1 2; do
  step "round $round: secure, every edge"
  $T round start --admin "$admin" >/dev/null
  wait_for 300 "round $round to close" bash -c "[ \$(grep -c '^round [0-9]* closed' coordinator.log) -ge $round ]"
  grep -E "^round $round (secure aggregation|closed)" coordinator.log | sed 's/^/  /'
done

step "round 3: edge-1 is killed after sharing its keys"
# edge-1 comes back as tributary-edge-crashtest (the same agent with a pause point): it shares its
# keys, then holds its training job until it is SIGKILLed, so it never sends its masked input.
crash="$bin/tributary-edge-crashtest"
[[ -x "$crash" ]] || fail "build first: swift build --product tributary-edge-crashtest"
kill "${pids[-$edges]}" 2>/dev/null || true
wait_for 60 "edge-1 to leave" population "$((edges - 1))"
"$crash" --pause-at training --coordinator "127.0.0.1:$port" --server-name localhost --ca fleet/ca.pem \
  --cert fleet/edge-1.pem --key fleet/edge-1-key.pem --data edge-1.csv --state state-1 > edge-1.log 2> edge-1.err &
slow=$!
pids+=($slow)
wait_for 120 "edge-1 back" population "$edges"
$T round start --admin "$admin" >/dev/null
wait_for 120 "edge-1 to pause in training" grep -q "paused at training" edge-1.log
# Its keys and shares go out while it trains; the masked-input request proves both phases closed.
wait_for 120 "edge-1 to have shared its keys" grep -q "round 3: masked input requested" edge-1.log
kill -9 "$slow"
wait_for 300 "round 3 to close" bash -c "[ \$(grep -c '^round [0-9]* closed' coordinator.log) -ge 3 ]"
grep -E "^round 3 (secure aggregation|closed)" coordinator.log | sed 's/^/  /'

step "checks"
[[ "$(grep -c '^round [0-9]* secure aggregation aggregated' coordinator.log)" == 3 ]] || fail "not every round was unmasked"
grep -q "^round 3 secure aggregation unmasking: $((edges - 1)) masked inputs; 1 clients dropped after sharing keys" coordinator.log \
  || fail "round 3 did not lose exactly edge-1 after it shared its keys"
if grep -E "update accepted from .*: [1-9][0-9]* examples" coordinator.log; then fail "an Update's example count reached the coordinator"; fi
for i in $(seq 2 "$edges"); do grep -q "secure aggregation unmasking answered" "edge-$i.log" || fail "edge-$i answered no unmasking"; done
$T models list --registry registry | sed 's/^/  /'
[[ "$($T models list --registry registry | grep -c promoted)" -ge 3 ]] || fail "fewer than three versions were promoted"
echo "secure rounds over real processes: OK"
