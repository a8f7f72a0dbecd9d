#!/usr/bin/env python3
"""What a person sees on the coordinator's status page, read from a real chromium through
chromedriver's WebDriver protocol (plain HTTP from the standard library: no pip), and checked
against the admin endpoint's JSON (GET /v1/status, GET /v1/versions).

    status_page_check.py DRIVER BASE TOKEN CLIENTS before VERSIONS  opens a session (kept in
        session.json): the page without the token must say it needs one; at /status#token=… it
        must show what the JSON says, VERSIONS versions listed; marks the window so a reload would be seen
    status_page_check.py DRIVER BASE TOKEN CLIENTS after VERSIONS   the same page, VERSIONS versions
        listed, still the same window (not reloaded); saves status-page.png

DRIVER is chromedriver's address (http://127.0.0.1:PORT), BASE the admin endpoint
(http://127.0.0.1:PORT), TOKEN the admin token, CLIENTS the clients the fleet runs (N for edge-1
… edge-N, or their ids separated by commas). Run by scripts/status-page-check.sh; exits
non-zero, printing the page's text, at the first mismatch.
"""
import json, sys, time, urllib.request

driver, base, token, clients_arg, phase, version_count = sys.argv[1:7]
# The client ids the fleet runs: "3" means edge-1, edge-2, edge-3; else a comma-separated list.
fleet = sorted(clients_arg.split(",")) if not clients_arg.isdigit() else [f"edge-{i}" for i in range(1, int(clients_arg) + 1)]

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

def compare(expected_versions, lines):
    """Compares everything the page shows with the admin API and the fleet the script started;
    raises Mismatch naming the first difference."""
    status, versions = admin("/v1/status"), admin("/v1/versions")["versions"]
    live = status["live_version"]
    if len(versions) != expected_versions:
        raise Mismatch(f"GET /v1/versions lists {len(versions)} versions, expected {expected_versions}")
    if js("return document.getElementById('live-version').textContent") != str(live):
        raise Mismatch(f"the page does not show live version {live}")
    lines.append(f"page: live version {js('return document.getElementById(`live-version`).textContent')}; {js('return document.getElementById(`round`).textContent')}")
    # Versions, newest first, with their lineage.
    rows = table("versions")
    expected = [(f"v{v['number']}" + (" ● live" if v["live"] else ""), f"v{v['parent']}" if "parent" in v else "–", v["status"])
                for v in reversed(versions)]
    shown = [tuple(r[:3]) for r in rows]
    if shown != expected:
        raise Mismatch(f"versions table {shown}, expected {expected}")
    for r in rows:
        lines.append("  version row: " + " | ".join(r))
    # The fleet: every edge with the version it holds.
    summary = js("return document.getElementById('fleet-summary').textContent")
    if not summary.startswith(f"{status['population']} connected, {status['eligible']} eligible"):
        raise Mismatch(f"fleet summary {summary!r} does not match population {status['population']}, eligible {status['eligible']}")
    if "clients" not in status:
        raise Mismatch("GET /v1/status has no 'clients' list: the page cannot show the fleet client by client")
    if js("return document.getElementById('clients').hidden"):
        raise Mismatch("the clients table is hidden although GET /v1/status lists clients")
    clients = {r[0]: r for r in table("clients")}
    if sorted(clients) != fleet:
        raise Mismatch(f"clients listed {sorted(clients)}, expected {fleet}")
    rollout = status.get("rollout")
    for c in status["clients"]:
        # Every client holds the live version, or the rollout's when it is in the cohort.
        expected = rollout["version"] if rollout and c["id"] in rollout["cohort"] else live
        if clients[c["id"]][1:3] != [f"v{c.get('holds')}", c.get("cohort") or "none"] or c.get("holds") != expected:
            raise Mismatch(f"{c['id']}: the page shows {clients[c['id']][1:3]}, the coordinator says it holds v{c.get('holds')} "
                 f"(cohort {c.get('cohort')}), expected v{expected}")
    for r in clients.values():
        lines.append("  client row: " + " | ".join(r))
    # The rollout and its arms.
    shown = js("return document.getElementById('rollout').innerText")
    if not rollout and shown != "no rollout in flight":
        raise Mismatch(f"no rollout is in flight but the page says {shown!r}")
    if rollout:
        arms = [f"{arm}\t{rollout[arm]['outcomes']}\t{rollout[arm]['correct']}" for arm in ("canary", "control")]
        if not shown.startswith(f"version {rollout['version']} (base {rollout['base_version']}), policy {rollout['policy']}") \
                or any(a not in shown for a in arms) or f"cohort: {', '.join(rollout['cohort'])}" not in shown:
            raise Mismatch(f"the rollout {rollout} is not shown as it is: {shown!r}")
        lines.append("  rollout: " + shown.replace("\n", " / "))
    # Each version's release decisions.
    for v, r in zip(reversed(versions), rows):
        missing = [d["kind"] for d in v.get("decisions", []) if d["kind"] not in r[6] or d["reason"] not in r[6]]
        if missing:
            raise Mismatch(f"v{v['number']}: decisions {missing} are not shown: {r[6]!r}")
    # The plot: one point per (version, task) with held-out accuracy, at that version.
    wanted = sorted((v["number"], k.split(".")[1]) for v in versions for k in v["metrics"]
                    if k.startswith("eval.") and k.endswith(".accuracy") and k.count(".") == 2)
    points = js("return [...document.querySelectorAll('svg#accuracy-plot circle.point')].map(c => [+c.dataset.version, c.dataset.task])")
    if sorted(map(tuple, points)) != wanted:
        raise Mismatch(f"plot points {points}, expected one per version and task with accuracy {wanted}")
    lines.append(f"  plot: {len(points)} points {sorted(map(tuple, points))}")
    error = js("return document.getElementById('error').hidden ? '' : document.getElementById('error').textContent")
    if error:
        raise Mismatch(f"the page shows an error: {error}")
    # Nothing was loaded from anywhere but the coordinator.
    foreign = js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin))")
    if foreign:
        raise Mismatch(f"the page loaded resources from elsewhere: {foreign}")
    return versions

class Mismatch(Exception):
    pass

def check_page(expected_versions, limit=60):
    """Compares until the page and the JSON agree: the page polls every 2 s, so it may show the
    state of a moment ago; a difference that lasts `limit` seconds (a hang guard) fails."""
    end = time.monotonic() + limit
    while True:
        lines = []
        try:
            compare(expected_versions, lines)
            print("\n".join(lines))
            return
        except Mismatch as mismatch:
            if time.monotonic() > end:
                fail(f"after {limit}s the page still differs from the admin API: {mismatch}")
        time.sleep(0.5)

if phase == "before":
    call("POST", f"/session/{session}/url", {"url": base + "/"})
    until("that it needs the token", lambda: "needs the admin token" in js("return document.getElementById('error').textContent"))
    print("without the token the page says: " + js("return document.getElementById('error').textContent"))
    call("POST", f"/session/{session}/url", {"url": f"{base}/status#token={token}"})
    check_page(expected_versions=int(version_count))
    js("window.statusPageCheckMarker = 'not reloaded'")
else:
    check_page(expected_versions=int(version_count))
    if js("return window.statusPageCheckMarker") != "not reloaded":
        fail("the page was reloaded: it must update in place")
    print("  the page updated in place (no reload)")
    screenshot = call("GET", f"/session/{session}/screenshot")
    import base64
    open("status-page.png", "wb").write(base64.b64decode(screenshot))
