#!/usr/bin/env bash
# The coordinator's status page in a real headless browser, as a person would look at it:
#
#   1. a coordinator (admin endpoint on loopback with a bearer token, rounds started by the
#      operator, `release.policy: ab` with edge-1 as the cohort) and 3 `tributary-edge`
#      processes over mutual TLS on loopback;
#   2. `tributary round start`: round 1's candidate, version 2, passes the gate and goes to
#      edge-1 only: a rollout in flight;
#   3. Debian's chromium, driven by chromedriver over the WebDriver protocol (plain HTTP from
#      Python's standard library, no pip: scripts/status_page_check.py), opens the page: without
#      the token it says it needs one; at /status#token=… it shows the live version (1), the
#      clients with the versions they hold and their cohorts, the rollout with its arms, the
#      versions with their lineage and decisions, and the accuracy plot with one point per
#      version and task that has held-out accuracy; every resource it loaded came from the
#      coordinator itself;
#   4. `tributary rollout promote`, then `tributary round start` again, while the page stays open:
#      each time it shows the new state (live version 2, the operator's decision, no rollout;
#      then version 3 and its rollout) without being reloaded.
#
# Every figure the page shows is checked against GET /v1/status and GET /v1/versions and
# against what the script itself started; the script exits non-zero at the first that fails.
#
#   bash scripts/status-page-check.sh                  # uses .build/debug (swift build first)
#   BIN=.build/release KEEP=1 bash scripts/status-page-check.sh   # KEEP keeps the folder, with status-page.png
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/session.sh"
session_binaries
for tool in chromium chromedriver; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install -y chromium chromium-driver)" >&2; exit 1; }
done
edges=3
session_start status-page
logs=(coordinator.log coordinator.err chromedriver.log)
T="$bin/tributary"

step "fleet: CA, certificates, the initial model (version 1), data for $edges edges, an admin token"
$T certs init --dir fleet >/dev/null
$T certs issue --dir fleet --server localhost --ip 127.0.0.1 >/dev/null
for i in $(seq 1 "$edges"); do $T certs issue --dir fleet --client "edge-$i" >/dev/null; done
$T init --out global.ckpt --inputs 64 --hidden 32 --outputs 10 --epochs 2 --batch-size 16 --lr 0.05 --seed 7 >/dev/null
python3 - "$root/data/digits.csv" "$edges" <<'PY'
import random, sys
rows = [l for l in open(sys.argv[1]).read().splitlines() if l and l[0].isdigit()]
random.Random(7).shuffle(rows)
n = int(sys.argv[2])
open("held-out.csv", "w").write("\n".join(rows[:400]) + "\n")
for i in range(n):
    open(f"edge-{i + 1}.csv", "w").write("\n".join(rows[400 + i * 200:600 + i * 200]) + "\n")
PY
token="status-page-check-$(python3 -c 'import random; print("%032x" % random.Random(5).getrandbits(128))')"
printf '%s\n' "$token" > admin-token && chmod 600 admin-token

cat > coordinator.yaml <<YAML
listen: 127.0.0.1:0
tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem, deny_list: fleet/revoked.txt}
registry: {directory: registry}
model: {initial_checkpoint: global.ckpt}
rounds: {trigger: manual, target_updates: $edges, over_selection: 1, quorum: $edges, collect_timeout: 300s}
evaluation: {held_out: [digits=held-out.csv], max_client_accuracy_drop: 1, max_task_drop: 1}
release: {policy: ab, cohort_fraction: 0, cohort_clients: [edge-1]}
admin: {listen: 127.0.0.1:0, token_file: admin-token}
YAML
start_coordinator
[[ -n "$admin" ]] || fail "the admin endpoint is not in the start-up line: $(cat coordinator.log)"
base="http://$admin"
echo "coordinator on 127.0.0.1:$port, admin endpoint $base"
start_edges "$edges" "$port"
admin_get() { curl -sf -H "Authorization: Bearer $token" "$base$1"; }
eligible_is() { [[ "$(admin_get /v1/status | json "d['eligible']")" == "$1" ]]; }
live_is() { [[ "$(admin_get /v1/status | json "d['live_version']")" == "$1" ]]; }
rollout_is() { [[ "$(admin_get /v1/status | json "(d.get('rollout') or {}).get('version')")" == "$1" ]]; }
# every edge holds VERSION (its own log says it adopted it)
all_hold() { for i in $(seq 1 "$edges"); do grep -q "adopted model version $1\$" "edge-$i.log" || return 1; done; }
wait_for 120 "$edges eligible clients" eligible_is "$edges"

step "the page as served: HTML, self-contained, its size"
curl -s -D headers.txt -o page.html "$base/" || fail "GET / got no answer"
grep -qi '^content-type: text/html; charset=utf-8' headers.txt || fail "GET / is not text/html: $(cat headers.txt)"
size="$(wc -c < page.html)"; gzipped="$(gzip -9c page.html | wc -c)"
echo "status page: $size bytes ($gzipped gzipped), one document"
! grep -Eqi '<(link|img|iframe)|src=|@import|url\(' page.html || fail "the page references an external asset"
[[ "$(grep -o 'https\?://[^"]*' page.html | sort -u | tr '\n' ' ')" == "http://www.w3.org/1999/xhtml http://www.w3.org/2000/svg " ]] \
  || fail "the page names an address other than the XHTML and SVG namespaces: $(grep -o 'https\?://[^"]*' page.html | sort -u)"
[[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/v1/versions")" == 401 ]] || fail "GET /v1/versions answered without the token"

step "round 1: the operator starts it; version 2 passes the gate and goes to edge-1 only (release.policy ab)"
$T round start --admin "$admin" --token-file admin-token
wait_for 300 "the rollout of version 2" rollout_is 2
wait_for 120 "edge-1 to hold version 2" grep -q "adopted model version 2\$" edge-1.log

step "chromium opens the page"
chromedriver --port=0 > chromedriver.log 2>&1 &
pids+=($!)
wait_for 60 "chromedriver to listen" grep -q "was started successfully on port" chromedriver.log
driver="http://127.0.0.1:$(grep -o 'started successfully on port [0-9]*' chromedriver.log | awk '{print $NF}')"
python3 "$root/scripts/status_page_check.py" "$driver" "$base" "$token" "$edges" before 2 || fail "the page during the rollout of version 2"

step "the operator promotes version 2 while the page stays open: live 2, the decisions, no rollout, without a reload"
$T rollout promote --admin "$admin" --token-file admin-token; echo
wait_for 120 "version 2 to be live" live_is 2
wait_for 120 "every edge to hold version 2" all_hold 2
python3 "$root/scripts/status_page_check.py" "$driver" "$base" "$token" "$edges" after 2 || fail "the page after the promotion"

step "round 2 while the page stays open: version 3 and its rollout (or its rejection), without a reload"
$T round start --admin "$admin" --token-file admin-token
wait_for 300 "round 2 to end" grep -q "round 2 \(closed\|abandoned\)" coordinator.log
if admin_get /v1/status | json "d.get('rollout')" | grep -q version; then
  wait_for 120 "edge-1 to hold version 3" grep -q "adopted model version 3\$" edge-1.log
fi
python3 "$root/scripts/status_page_check.py" "$driver" "$base" "$token" "$edges" after 3 || fail "the page after round 2"
echo "each poll reads GET /v1/status ($(admin_get /v1/status | wc -c) bytes) and GET /v1/versions ($(admin_get /v1/versions | wc -c) bytes, 3 versions)"
[[ -n "${KEEP:-}" ]] && echo "screenshot: $work/status-page.png"
echo
echo "status page check: passed (page $size bytes)"
