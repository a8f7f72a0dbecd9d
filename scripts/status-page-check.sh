#!/usr/bin/env bash
# The coordinator's status page in a real headless browser, as a person would look at it:
#
#   1. a coordinator (admin endpoint on loopback with a bearer token, rounds started by the
#      operator) and 3 `tributary-edge` processes over mutual TLS on loopback;
#   2. `tributary round start`: round 1 closes and version 2 goes live;
#   3. Debian's chromium, driven by chromedriver over the WebDriver protocol (plain HTTP from
#      Python's standard library, no pip), opens the page: without the token it says it needs
#      one; at /status#token=… it shows the live version, the clients with the versions they
#      hold, the versions with their lineage, "no rollout in flight" (or the rollout) and the
#      accuracy plot with one point per version and task that has held-out accuracy; every
#      resource it loaded came from the coordinator itself;
#   4. `tributary round start` again while the page stays open: the page shows the new round's
#      version and plot point without being reloaded.
#
# Every figure the page shows is checked against GET /v1/status and GET /v1/versions and
# against what the script itself started; the script exits non-zero at the first that fails.
#
#   bash scripts/status-page-check.sh                  # uses .build/debug (swift build first)
#   BIN=.build/release KEEP=1 bash scripts/status-page-check.sh   # KEEP keeps the folder, with status-page.png
#   STATUS_WITHOUT_CLIENTS=1 …   # a coordinator whose GET /v1/status has no "clients" list: that check is skipped, loudly
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
for tool in chromium chromedriver curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install -y chromium chromium-driver curl python3)" >&2; exit 1; }
done
edges=3
source "$root/scripts/lib/session.sh" status-page
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
admin: {listen: 127.0.0.1:0, token_file: admin-token}
YAML
$T coordinator serve --config coordinator.yaml > coordinator.log 2> coordinator.err &
pids+=($!)
wait_for 120 "the coordinator to listen" grep -q "listening on" coordinator.log
port="$(grep -o 'listening on 127.0.0.1:[0-9]*' coordinator.log | head -1 | cut -d: -f2)"
admin="$(grep -o 'admin on 127.0.0.1:[0-9]*' coordinator.log | head -1 | awk '{print $3}')"
[[ -n "$port" && -n "$admin" ]] || fail "no ports in the start-up line: $(cat coordinator.log)"
base="http://$admin"
echo "coordinator on 127.0.0.1:$port, admin endpoint $base"
start_edges "$edges" "$port" "$bin"
admin_get() { curl -sf -H "Authorization: Bearer $token" "$base$1"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {}, {'d': d}))" "$1"; }
eligible_is() { [[ "$(admin_get /v1/status | field "d['eligible']")" == "$1" ]]; }
live_is() { [[ "$(admin_get /v1/status | field "d['live_version']")" == "$1" ]]; }
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

step "round 1: the operator starts it; version 2 goes live and every edge adopts it"
$T round start --admin "$admin" --token-file admin-token
wait_for 300 "version 2 to be live" live_is 2
wait_for 120 "every edge to hold version 2" all_hold 2

step "chromium opens the page"
chromedriver --port=0 > chromedriver.log 2>&1 &
pids+=($!)
wait_for 60 "chromedriver to listen" grep -q "was started successfully on port" chromedriver.log
driver="http://127.0.0.1:$(grep -o 'started successfully on port [0-9]*' chromedriver.log | awk '{print $NF}')"
cat > page.py <<'PY'
"""What a person sees on the status page, read from a real chromium over WebDriver."""
import json, os, sys, time, urllib.request

driver, base, token, edges = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
phase = sys.argv[5]

def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(driver + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        return json.load(urllib.request.urlopen(request, timeout=120))["value"]
    except urllib.error.HTTPError as error:
        sys.exit(f"WebDriver {method} {path}: {error.code} {error.read().decode()[:400]}")

def admin(path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(request, timeout=60))

def until(what, probe, limit=120):
    """Polls probe() until it returns a truthy value; the limit only guards against a hang."""
    end = time.monotonic() + limit
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > end:
            sys.exit(f"the page never showed {what} within {limit}s (a hang guard); page text:\n{js('return document.body.innerText')}")
        time.sleep(0.25)

def fail(message):
    sys.exit(f"{message}\npage text:\n{js('return document.body.innerText')}")

session = json.load(open("session.json")) if phase == "after" else None
if phase == "before":
    session = call("POST", "/session", {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,2000"]}}}})["sessionId"]
    json.dump(session, open("session.json", "w"))

def js(script, *args):
    return call("POST", f"/session/{session}/execute/sync", {"script": script, "args": list(args)})

def table(id):
    return js(f"return [...document.querySelectorAll('#{id} tbody tr')].map(r => [...r.cells].map(c => c.textContent))")

def check_page(expected_versions):
    """Checks everything the page shows against the admin API and the fleet the script started."""
    status, versions = admin("/v1/status"), admin("/v1/versions")["versions"]
    live = status["live_version"]
    until(f"live version {live} and {expected_versions} versions",
          lambda: js("return document.getElementById('live-version').textContent") == str(live) and len(table("versions")) == expected_versions)
    status, versions = admin("/v1/status"), admin("/v1/versions")["versions"]
    print(f"page: live version {js('return document.getElementById(`live-version`).textContent')}; {js('return document.getElementById(`round`).textContent')}")
    # Versions, newest first, with their lineage.
    rows = table("versions")
    expected = [(f"v{v['number']}" + (" ● live" if v["live"] else ""), f"v{v['parent']}" if "parent" in v else "–", v["status"])
                for v in reversed(versions)]
    shown = [tuple(r[:3]) for r in rows]
    if shown != expected:
        fail(f"versions table {shown}, expected {expected}")
    for r in rows:
        print("  version row: " + " | ".join(r))
    # The fleet: every edge with the version it holds.
    summary = js("return document.getElementById('fleet-summary').textContent")
    if not summary.startswith(f"{status['population']} connected, {status['eligible']} eligible"):
        fail(f"fleet summary {summary!r} does not match population {status['population']}, eligible {status['eligible']}")
    if "clients" not in status:
        if os.environ.get("STATUS_WITHOUT_CLIENTS") == "1":
            print("  WARNING: GET /v1/status has no 'clients' list; the client-by-client check is skipped (STATUS_WITHOUT_CLIENTS=1)")
            return check_rest(status, versions)
        fail("GET /v1/status has no 'clients' list: the page cannot show the fleet client by client")
    if js("return document.getElementById('clients').hidden"):
        fail("the clients table is hidden although GET /v1/status lists clients")
    clients = {r[0]: r for r in table("clients")}
    if sorted(clients) != [f"edge-{i}" for i in range(1, edges + 1)]:
        fail(f"clients listed {sorted(clients)}, expected edge-1 … edge-{edges}")
    for c in status["clients"]:
        if clients[c["id"]][1] != f"v{c['holds']}" or c["holds"] != live:
            fail(f"{c['id']}: the page shows {clients[c['id']][1]}, the coordinator says it holds v{c['holds']}, live is v{live}")
    for r in clients.values():
        print("  client row: " + " | ".join(r))
    return check_rest(status, versions)

def check_rest(status, versions):
    # The rollout.
    rollout = js("return document.getElementById('rollout').textContent")
    if not status.get("rollout") and rollout != "no rollout in flight":
        fail(f"no rollout is in flight but the page says {rollout!r}")
    if status.get("rollout") and f"version {status['rollout']['version']}" not in rollout:
        fail(f"the rollout of version {status['rollout']['version']} is not shown: {rollout!r}")
    # The plot: one point per (version, task) with held-out accuracy, at that version.
    wanted = sorted((v["number"], k.split(".")[1]) for v in versions for k in v["metrics"]
                    if k.startswith("eval.") and k.endswith(".accuracy") and k.count(".") == 2)
    points = js("return [...document.querySelectorAll('svg#accuracy-plot circle.point')].map(c => [+c.dataset.version, c.dataset.task])")
    if sorted(map(tuple, points)) != wanted:
        fail(f"plot points {points}, expected one per version and task with accuracy {wanted}")
    print(f"  plot: {len(points)} points {sorted(map(tuple, points))}")
    error = js("return document.getElementById('error').hidden ? '' : document.getElementById('error').textContent")
    if error:
        fail(f"the page shows an error: {error}")
    # Nothing was loaded from anywhere but the coordinator.
    foreign = js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin))")
    if foreign:
        fail(f"the page loaded resources from elsewhere: {foreign}")
    return versions

if phase == "before":
    call("POST", f"/session/{session}/url", {"url": base + "/"})
    until("that it needs the token", lambda: "needs the admin token" in js("return document.getElementById('error').textContent"))
    print("without the token the page says: " + js("return document.getElementById('error').textContent"))
    call("POST", f"/session/{session}/url", {"url": f"{base}/status#token={token}"})
    check_page(expected_versions=2)
    js("window.statusPageCheckMarker = 'not reloaded'")
else:
    check_page(expected_versions=int(sys.argv[6]))
    if js("return window.statusPageCheckMarker") != "not reloaded":
        fail("the page was reloaded: it must update in place")
    print("  the page updated in place (no reload)")
    screenshot = call("GET", f"/session/{session}/screenshot")
    import base64
    open("status-page.png", "wb").write(base64.b64decode(screenshot))
    call("DELETE", f"/session/{session}")
PY
python3 page.py "$driver" "$base" "$token" "$edges" before || fail "the page after round 1"

step "round 2 while the page stays open: it shows the new version without a reload"
$T round start --admin "$admin" --token-file admin-token
wait_for 300 "round 2 to end" grep -q "round 2 \(closed\|abandoned\)" coordinator.log
live="$(admin_get /v1/status | field "d['live_version']")"
wait_for 120 "every edge to hold version $live" all_hold "$live"
python3 page.py "$driver" "$base" "$token" "$edges" after 3 || fail "the page after round 2"
echo "each poll reads GET /v1/status ($(admin_get /v1/status | wc -c) bytes) and GET /v1/versions ($(admin_get /v1/versions | wc -c) bytes, 3 versions)"
[[ -n "${KEEP:-}" ]] && echo "screenshot: $work/status-page.png"
echo
echo "status page check: passed (page $size bytes)"
