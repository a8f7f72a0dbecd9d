#!/usr/bin/env bash
# The device loop through the real processes, as an app and an operator would drive it:
#
#   1. a coordinator and one edge agent (its loopback endpoint on) over mutual TLS on loopback;
#      the edge imports its first labelled data, trains, and the fleet promotes version 2;
#   2. an app (curl) asks the edge for predictions, sends corrections for some, labels some of
#      the review queue; the edge's volume trigger fires, it trains on them, the fleet promotes
#      version 3 and the edge serves it;
#   3. an operator rolls the registry back to version 2 (`tributary models rollback`); the
#      coordinator releases it and the edge serves version 2 again: its answers equal the ones
#      version 2 gave before, bit for bit.
#
# Every step checks what a user would see and the script exits non-zero at the first that fails.
#
#   bash scripts/device-loop-session.sh                  # uses .build/debug (swift build first)
#   BIN=.build/release KEEP=1 bash scripts/device-loop-session.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/session.sh"
session_binaries
session_start device-loop
T="$bin/tributary"
logs=(coordinator.log coordinator.err edge.log edge.err)

step "fleet: CA, certificates, the initial model (version 1), data"
$T certs init --dir fleet >/dev/null
$T certs issue --dir fleet --server localhost --ip 127.0.0.1 >/dev/null
$T certs issue --dir fleet --client gateway-1 >/dev/null
python3 - "$root/data/digits.csv" <<'PY'
import random, sys
lines = open(sys.argv[1]).read().splitlines()
header, rows = lines[0], [l for l in lines[1:] if l]
random.Random(11).shuffle(rows)
open("held-out.csv", "w").write(header + "\n" + "\n".join(rows[:400]) + "\n")
open("edge-first.csv", "w").write(header + "\n" + "\n".join(rows[400:900]) + "\n")
# What the app will see: features only, and the truth the app's user knows.
open("app.csv", "w").write("\n".join(rows[900:1000]) + "\n")
PY
$T init --out global.ckpt --inputs 64 --hidden 32 --outputs 10 --epochs 2 --batch-size 16 --lr 0.05 --seed 7 >/dev/null

cat > coordinator.yaml <<YAML
listen: 127.0.0.1:0
tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem, deny_list: fleet/revoked.txt}
registry: {directory: registry, live_check: 1s}
model: {initial_checkpoint: global.ckpt}
rounds: {trigger: ready_clients, ready_clients: 1, target_updates: 1, over_selection: 1, quorum: 1, collect_timeout: 120s}
evaluation: {held_out: [digits=held-out.csv]}
admin: {enabled: false}
YAML
$T coordinator serve --config coordinator.yaml > coordinator.log 2> coordinator.err &
pids+=($!)
wait_for 120 "the coordinator to listen" grep -q "listening on" coordinator.log
port="$(grep -o '127.0.0.1:[0-9]*' coordinator.log | head -1 | cut -d: -f2)"

cat > edge.yaml <<YAML
coordinator: {address: 127.0.0.1:$port, server_name: localhost}
tls: {ca: fleet/ca.pem, cert: fleet/gateway-1.pem, key: fleet/gateway-1-key.pem}
state: {directory: edge-state}
feedback: {features: 64, classes: 10, import: [edge-first.csv]}
ingestion: {enabled: true, listen: 127.0.0.1:0}
review: {threshold: 0.9}
triggers: {volume: 100, accuracy_drop: 0, drift: off, check_interval: 1s}
seed: 3
YAML
"$bin/tributary-edge" run --config edge.yaml > edge.log 2> edge.err &
pids+=($!)
wait_for 120 "the edge's endpoint to listen" grep -q "endpoint listening on" edge.log
api="http://$(grep -o 'endpoint listening on [0-9.:]*' edge.log | head -1 | awk '{print $4}')"
echo "coordinator on 127.0.0.1:$port, edge endpoint $api"

status() { curl -sf "$api/v1/status"; }
serving() { status | json "d['model_version']"; }
serving_is() { [[ "$(serving)" == "$1" ]]; }

step "the edge trains on its first data; the fleet promotes version 2 and the edge serves it"
wait_for 300 "version 2 to be served" serving_is 2

step "the app asks for predictions: 100 examples, one request each for the first 10, then a batch"
predict_rows() {  # predict_rows FIRST COUNT OUT: predictions for app.csv rows as JSON lines
  python3 - "$1" "$2" "$api" > "$3" <<'PY'
import json, sys, urllib.request
first, count, api = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rows = [l.split(",") for l in open("app.csv").read().splitlines()][first:first + count]
instances = [[float(v) for v in r[:-1]] for r in rows]
request = urllib.request.Request(api + "/v1/predict", data=json.dumps({"instances": instances}).encode(),
                                 headers={"Content-Type": "application/json"})
for p in json.load(urllib.request.urlopen(request))["predictions"]:
    print(json.dumps(p, sort_keys=True))
PY
}
# ask_app OUT: the app's 100 requests, as it makes them: one request each for rows 1-10, then a
# batch of rows 11-100 (answers are reproducible bit for bit for the same requests; a row's last
# bits may depend on its place in a batch, see docs/edge.md).
ask_app() {
  : > "$1"
  for i in $(seq 0 9); do
    features="$(sed -n "$((i + 1))p" app.csv | cut -d, -f1-64)"
    curl -sf -H 'Content-Type: application/json' -d "{\"features\": [$features]}" "$api/v1/predict" \
      | python3 -c "import json,sys; [print(json.dumps(p, sort_keys=True)) for p in json.load(sys.stdin)['predictions']]" >> "$1"
  done
  predict_rows 10 90 "$1.batch"
  cat "$1.batch" >> "$1"
}
ask_app v2-answers.jsonl
[[ "$(wc -l < v2-answers.jsonl)" == 100 ]] || fail "expected 100 predictions, got $(wc -l < v2-answers.jsonl)"
python3 -c "import json,sys; v={json.loads(l)['model_version'] for l in open('v2-answers.jsonl')}; sys.exit(0 if v=={2} else 'served versions %s, expected {2}' % v)" \
  || fail "predictions did not all come from version 2"

step "the app sends corrections and labels for the predictions it knows the truth of"
python3 - "$api" <<'PY'
import json, sys, urllib.request
api = sys.argv[1]
truth = [int(l.split(",")[-1]) for l in open("app.csv").read().splitlines()]
answers = [json.loads(l) for l in open("v2-answers.jsonl")]
records = []
for i, p in enumerate(answers[:60]):
    if p["class"] == truth[i]:
        records.append({"prediction_id": p["id"], "provenance": "confirm"})
    else:
        records.append({"prediction_id": p["id"], "provenance": "correction", "label": truth[i]})
request = urllib.request.Request(api + "/v1/feedback", data=json.dumps({"records": records}).encode(),
                                 headers={"Content-Type": "application/json"})
print("feedback:", urllib.request.urlopen(request).status, len(records), "records")
PY

step "a reviewer labels what the review queue holds"
python3 - "$api" <<'PY'
import json, sys, urllib.request
api = sys.argv[1]
truth = {}
answers = [json.loads(l) for l in open("v2-answers.jsonl")]
rows = open("app.csv").read().splitlines()
for p, row in zip(answers, rows):
    truth[p["id"]] = int(row.split(",")[-1])
queue = json.load(urllib.request.urlopen(api + "/v1/review"))["review"]
labelled = 0
for item in queue:
    if item["id"] in truth:
        request = urllib.request.Request(f"{api}/v1/review/{item['id']}", data=json.dumps({"label": truth[item["id"]]}).encode(),
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request)
        labelled += 1
print(f"review queue held {len(queue)}, labelled {labelled}")
PY
status | tee status-after-feedback.json; echo

step "the volume trigger fires; the edge trains; the fleet promotes version 3 and the edge serves it"
wait_for 300 "version 3 to be served" serving_is 3
ask_app v3-answers.jsonl
python3 -c "import json,sys; v={json.loads(l)['model_version'] for l in open('v3-answers.jsonl')}; sys.exit(0 if v=={3} else 'served versions %s' % v)" \
  || fail "predictions after the round did not come from version 3"

step "the operator rolls back to version 2; the edge serves version 2 again, bit for bit"
$T models rollback --registry registry --reason "device-loop session: operator rollback"
wait_for 120 "version 2 to be served again" serving_is 2
ask_app v2-again.jsonl
python3 - <<'PY' || fail "version 2's answers after the rollback differ from its answers before"
import json, sys
def key(path):
    return [(p["class"], p["probabilities"], p["model_version"]) for p in map(json.loads, open(path))]
before, after = key("v2-answers.jsonl"), key("v2-again.jsonl")
same = sum(a == b for a, b in zip(before, after))
print(f"{same}/{len(before)} answers identical to version 2's before the rollback (class and every probability)")
sys.exit(0 if same == len(before) == 100 else 1)
PY
$T models list --registry registry
echo
echo "device loop session: passed"
