#!/usr/bin/env bash
# A canary rollout over real processes, as an operator would run it (issue 15's scenario):
#
#   1. a coordinator with `release.policy: canary` (cohort: edge-03 and edge-07, named) and ten
#      `tributary-edge` processes over mutual TLS on loopback, all serving version 1; Debian's
#      Prometheus scrapes the coordinator's /metrics;
#   2. every edge imports deliberately mislabelled data (each label shifted by one) and trains; the
#      round's candidate, version 2, passes the gate (the coordinator has no held-out set) and the
#      edges' federated evaluation (each holds back a quarter of its data, as mislabelled as the
#      rest: it cannot see the problem), and goes to the two canaries only; the other eight keep
#      version 1;
#   3. an app asks each edge for predictions and sends the true labels back: live feedback. The
#      canary's live accuracy is compared with the control's (one-sided two-proportion z-test);
#      version 2 is rolled back automatically, the canaries serve version 1 again, and the eight
#      others never adopted version 2;
#   4. that feedback (true labels) is the edges' next data (a round trains on what arrived since the
#      last, `context.only_new`): the next round's candidate, version 3, goes to the
#      canaries, passes the same comparison and is promoted to all ten;
#   5. the registry holds both decisions with their figures (`tributary models show`), and
#      Prometheus tells the same story (rollouts by decision, live feedback per arm).
#
#   bash scripts/canary-rollout-scenario.sh             # uses .build/debug (swift build first)
#   BIN=.build/release KEEP=1 bash scripts/canary-rollout-scenario.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/session.sh"
session_binaries
session_start canary
T="$bin/tributary"
EDGES=(edge-01 edge-02 edge-03 edge-04 edge-05 edge-06 edge-07 edge-08 edge-09 edge-10)
CANARIES=(edge-03 edge-07)
logs=(coordinator.log coordinator.err edge-03.log edge-01.log)

step "fleet: CA, certificates, data, and version 1 trained on clean data"
$T certs init --dir fleet >/dev/null
$T certs issue --dir fleet --server localhost --ip 127.0.0.1 >/dev/null
for e in "${EDGES[@]}"; do $T certs issue --dir fleet --client "$e" >/dev/null; done
python3 - "$root/data/digits.csv" "${EDGES[@]}" <<'PY'
import random, sys
lines = open(sys.argv[1]).read().splitlines()
header, rows = lines[0], [l for l in lines[1:] if l]
random.Random(5).shuffle(rows)
base, pool = rows[:500], rows[500:]
open("base.csv", "w").write(header + "\n" + "\n".join(base) + "\n")
for i, edge in enumerate(sys.argv[2:]):
    mine = random.Random(100 + i).sample(pool, 260)
    # Mislabelled on purpose: every label shifted by one class.
    bad = [",".join(r.split(",")[:-1] + [str((int(r.split(",")[-1]) + 1) % 10)]) for r in mine[:200]]
    open(f"{edge}-bad.csv", "w").write(header + "\n" + "\n".join(bad) + "\n")
    open(f"{edge}-app.csv", "w").write("\n".join(mine[200:]) + "\n")   # what its app sees, with the truth
PY
$T init --out global.ckpt --inputs 64 --hidden 32 --outputs 10 --epochs 3 --batch-size 16 --lr 0.05 --replay 0 --seed 7 >/dev/null
$T train --checkpoint global.ckpt --data base.csv --epochs 20 --quiet >/dev/null

cat > coordinator.yaml <<YAML
listen: 127.0.0.1:0
tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem}
registry: {directory: registry, live_check: 1s}
model: {initial_checkpoint: global.ckpt}
rounds: {trigger: manual, target_updates: 10, over_selection: 1, quorum: 8, collect_timeout: 300s, ready_on_hello: false}
plan: {epochs: 8, learning_rate: 0.05}
evaluation: {client_metrics: false, federated: {enabled: true, sample_size: 10, min_clients: 8, min_examples: 100, timeout: 120s, max_drop: 0.05}}
release: {policy: canary, cohort_fraction: 0, cohort_clients: [edge-03, edge-07], window: 3s, min_outcomes: 100, alpha: 0.05, min_effect: 0.05}
admin: {listen: 127.0.0.1:0}
YAML
start_coordinator
echo "coordinator on 127.0.0.1:$port, admin on $admin"

if command -v prometheus >/dev/null; then
  cat > prometheus.yml <<YAML
global: {scrape_interval: 1s}
scrape_configs:
  - job_name: tributary-coordinator
    static_configs: [{targets: ["$admin"]}]
YAML
  prometheus --config.file=prometheus.yml --storage.tsdb.path=prom-data --web.listen-address=127.0.0.1:0 > prometheus.log 2>&1 &
  pids+=($!)
fi

step "ten edges connect and serve version 1"
for e in "${EDGES[@]}"; do
  cat > "$e.yaml" <<YAML
coordinator: {address: 127.0.0.1:$port, server_name: localhost}
tls: {ca: fleet/ca.pem, cert: fleet/$e.pem, key: fleet/$e-key.pem}
state: {directory: $e-state}
feedback: {features: 64, classes: 10, held_out_fraction: 0.25}
context: {only_new: true, replay_capacity: 0}
ingestion: {enabled: true, listen: 127.0.0.1:0}
triggers: {volume: 50, accuracy_drop: 0, drift: off, check_interval: 1s, ready_only_on_trigger: true}
seed: 3
YAML
  "$bin/tributary-edge" run --config "$e.yaml" > "$e.log" 2> "$e.err" &
  pids+=($!)
done
declare -A api
for e in "${EDGES[@]}"; do
  wait_for 120 "$e's endpoint" grep -q "endpoint listening on" "$e.log"
  api[$e]="http://$(grep -o 'endpoint listening on [0-9.:]*' "$e.log" | head -1 | awk '{print $4}')"
done
serving() { curl -sf "${api[$1]}/v1/status" | json "d['model_version']"; }
serving_is() { [[ "$(serving "$1")" == "$2" ]]; }
for e in "${EDGES[@]}"; do wait_for 120 "$e to serve version 1" serving_is "$e" 1; done

# start_round: once every edge is ready (its volume trigger fired), the operator starts a round.
all_ready() { [[ "$($T round status --admin "$admin" | json "d['eligible']")" == 10 ]]; }
start_round() {
  wait_for 300 "every edge to be ready" all_ready
  $T round start --admin "$admin"
}

step "every edge imports mislabelled data; the operator starts a round: version 2 goes to the canaries only"
for e in "${EDGES[@]}"; do "$bin/tributary-edge" import --config "$e.yaml" "$e-bad.csv" >/dev/null; done
start_round
wait_for 600 "version 2's canary rollout" grep -q "version 2 released to the canary cohort" coordinator.log
grep -E "round 1 closed|version 2 federated evaluation" coordinator.log
for e in "${CANARIES[@]}"; do wait_for 120 "$e to serve version 2" serving_is "$e" 2; done
for e in "${EDGES[@]}"; do
  [[ " ${CANARIES[*]} " == *" $e "* ]] && continue
  [[ "$(serving "$e")" == 1 ]] || fail "$e serves version $(serving "$e"); only the canaries may get version 2"
done
$T rollout status --admin "$admin" | tee rollout-2.json; echo

# app_traffic EDGE: 60 predictions, then the true label of each as feedback (confirm or correction).
app_traffic() {
  python3 - "${api[$1]}" "$1-app.csv" <<'PY'
import json, sys, urllib.request
api, path = sys.argv[1], sys.argv[2]
rows = [l.split(",") for l in open(path).read().splitlines() if l]
def post(route, body):
    request = urllib.request.Request(api + route, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request))
answers = post("/v1/predict", {"instances": [[float(v) for v in r[:-1]] for r in rows]})["predictions"]
records, right = [], 0
for p, r in zip(answers, rows):
    truth = int(r[-1])
    right += p["class"] == truth
    records.append({"prediction_id": p["id"], "provenance": "confirm"} if p["class"] == truth
                   else {"prediction_id": p["id"], "provenance": "correction", "label": truth})
post("/v1/feedback", {"records": records})
print(f"{len(rows)} predictions by version {answers[0]['model_version']}: {right} right")
PY
}

step "live traffic with feedback on every edge: the canary's live accuracy against the control's"
for e in "${EDGES[@]}"; do printf '%s: ' "$e"; app_traffic "$e"; done
wait_for 300 "version 2's rollback" grep -q "version 2 rolled back (canary_rolled_back)" coordinator.log
grep "version 2 rolled back" coordinator.log
for e in "${CANARIES[@]}"; do wait_for 120 "$e to serve version 1 again" serving_is "$e" 1; done
for e in "${EDGES[@]}"; do
  [[ " ${CANARIES[*]} " == *" $e "* ]] && continue
  if grep -q "adopted model version 2" "$e.log"; then fail "$e adopted version 2"; fi
done
echo "the canaries serve version 1 again; the eight others never saw version 2"

step "the feedback is the next round's data: version 3 goes to the canaries, passes, and reaches all ten"
start_round
wait_for 600 "version 3's canary rollout" grep -q "version 3 released to the canary cohort" coordinator.log
for e in "${CANARIES[@]}"; do wait_for 120 "$e to serve version 3" serving_is "$e" 3; done
for e in "${EDGES[@]}"; do printf '%s: ' "$e"; app_traffic "$e"; done
wait_for 300 "version 3's promotion" grep -q "version 3 promoted to every client (canary_promoted)" coordinator.log
grep "version 3 promoted" coordinator.log
for e in "${EDGES[@]}"; do wait_for 120 "$e to serve version 3" serving_is "$e" 3; done
echo "all ten edges serve version 3"

step "the registry holds each decision with its evidence"
$T models show 2 --registry registry | sed -n '/^decisions:/,$p' | tee decisions-2.txt
$T models show 3 --registry registry | sed -n '/^decisions:/,$p' | tee decisions-3.txt
grep -q "federated_evaluation_passed" decisions-2.txt || fail "version 2 has no federated evaluation decision"
grep -q "canary_rolled_back: the canary is worse than the control" decisions-2.txt || fail "version 2 has no rollback decision"
grep -q "canary_promoted: the canary is not worse than the control" decisions-3.txt || fail "version 3 has no promotion decision"
$T models list --registry registry

if command -v prometheus >/dev/null; then
  step "Prometheus tells the same story"
  wait_for 60 "Prometheus to listen" grep -q "Server is ready to receive web requests" prometheus.log
  prom="$(grep -o 'address=127.0.0.1:[1-9][0-9]*' prometheus.log | head -1 | cut -d= -f2)"
  [[ -n "$prom" ]] || fail "Prometheus did not say where it listens"
  query() { curl -sf "http://$prom/api/v1/query" --data-urlencode "query=$1" | json "sorted((' '.join(r['metric'].get(k, '') for k in ('decision', 'arm', 'version')).strip(), r['value'][1]) for r in d['data']['result'])"; }
  scraped() { [[ "$(query 'tributary_coordinator_rollouts_total')" == *canary_promoted* ]]; }
  wait_for 60 "Prometheus to scrape the promotion" scraped
  echo "rollouts by decision:      $(query 'tributary_coordinator_rollouts_total')"
  echo "live version:              $(query 'tributary_coordinator_live_version')"
  echo "lowest live accuracy by arm and version: $(query 'min by (arm, version) (min_over_time(tributary_coordinator_live_feedback_accuracy_ratio[10m]))')"
  [[ "$(query 'tributary_coordinator_rollouts_total{decision="canary_rolled_back"}')" == *"'1'"* ]] || fail "Prometheus has no rollback"
  [[ "$(query 'tributary_coordinator_live_version')" == *"'3'"* ]] || fail "Prometheus does not show version 3 live"
fi
echo
echo "canary rollout scenario: passed"
