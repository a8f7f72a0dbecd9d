import TributaryHTTP

/// The status page the admin endpoint serves at `GET /` (and `GET /status`): one self-contained
/// HTML document (inline CSS, JS and SVG; nothing fetched from elsewhere) that a person opens in
/// a browser. It holds no data itself: its script polls `GET /v1/status` and `GET /v1/versions`
/// every 2 s (the next poll 2 s after the last answer) and redraws the fleet, the current round
/// and rollout, the versions with their lineage and gate figures, and the held-out accuracy per
/// task and version as an SVG plot, without reloading. With `admin.token_file` the page is opened
/// as `/#token=<token>`: the fragment never leaves the browser, and the script sends it as
/// `Authorization: Bearer` with each poll.
enum StatusPage {
    static let paths: Set<String> = ["/", "/status"]

    static let response = JSONResponse(status: 200, body: html, contentType: "text/html; charset=utf-8")

    static let html = #"""
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Tributary coordinator</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:70em;padding:0 1em;color:#222}
h1{font-size:1.4em;margin:0}h2{font-size:1.1em;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}
header{display:flex;gap:1.5em;align-items:baseline;flex-wrap:wrap}
.big{font-size:1.3em;font-weight:600}.muted{color:#777}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25em .6em;border-bottom:1px solid #eee;vertical-align:top}
th{font-weight:600;background:#f6f6f6}
.promoted{color:#1a7f37}.rejected{color:#c62828}.rolled_back{color:#b26a00}.candidate{color:#555}
tr.live td{font-weight:600;background:#eef7ee}
#error{background:#fdecea;color:#c62828;padding:.5em;margin:.5em 0}
svg text{font-size:11px;fill:#555}.grid{stroke:#eee}.axis{stroke:#999}
</style></head>
<body>
<header><h1>Tributary coordinator</h1>
<span>live version <span id="live-version" class="big">–</span></span>
<span id="round" class="muted"></span><span id="updated" class="muted">loading…</span></header>
<div id="error" hidden></div>
<h2>Fleet</h2>
<p id="fleet-summary"></p>
<table id="clients"><thead><tr><th>client</th><th>holds</th><th>cohort</th><th>ready</th><th>live accuracy</th></tr></thead><tbody></tbody></table>
<p id="fleet-note" class="muted" hidden>This coordinator does not report its clients one by one.</p>
<h2>Rollout</h2>
<div id="rollout"></div>
<h2>Held-out accuracy per task and version</h2>
<div id="plot"></div>
<h2>Versions</h2>
<table id="versions"><thead><tr><th>version</th><th>parent</th><th>status</th><th>round</th><th>created</th><th>gate figures</th><th>note, reason, decisions</th></tr></thead><tbody></tbody></table>
<script>
"use strict";
const $ = id => document.getElementById(id);
const token = new URLSearchParams(location.hash.slice(1)).get("token");
function h(tag, props, ...kids) {
  const e = document.createElementNS(tag === "svg" || props && props.svg ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml", tag);
  for (const [k, v] of Object.entries(props || {})) if (k !== "svg") e.setAttribute(k, v);
  for (const c of kids.flat()) if (c != null) e.append(c instanceof Node ? c : String(c));
  return e;
}
const pct = x => (100 * x).toFixed(1) + " %";
const time = t => typeof t === "number" ? new Date(t * 1000).toISOString().slice(0, 19).replace("T", " ") + " UTC" : fmt(t);
const ratio = (c, n) => n ? `${pct(c / n)} (${c}/${n})` : "no outcomes yet";
const fmt = v => v == null ? "–" : Array.isArray(v) ? v.map(fmt).join(", ") : typeof v === "object" ? Object.entries(v).map(([k, x]) => `${k} ${fmt(x)}`).join(", ") : typeof v === "number" ? String(Number(v.toPrecision(4))) : String(v);
function fill(id, list, cells, rowClass) {
  $(id).tBodies[0].replaceChildren(...list.map(x => h("tr", {class: rowClass ? rowClass(x) : ""}, cells(x).map(c => h("td", {}, c)))));
}
async function get(path) {
  const r = await fetch(path, {cache: "no-store", headers: token ? {Authorization: "Bearer " + token} : {}});
  const body = await r.json().catch(() => ({}));
  if (r.status === 401) throw new Error(`${path} needs the admin token: open this page as /#token=<the token in admin.token_file>`);
  if (!r.ok) throw new Error(`${path} answered ${r.status}: ${body.error || r.statusText}`);
  return body;
}
function fleet(s) {
  const live = s.live_accuracy;
  $("fleet-summary").textContent = `${s.population} connected, ${s.eligible} eligible` +
    (live ? `; live version accuracy on the devices ${ratio(live.correct, live.outcomes)} from ${live.clients} clients` : "");
  const clients = s.clients;
  $("clients").hidden = !clients; $("fleet-note").hidden = !!clients;
  if (!clients) return;
  fill("clients", [...clients].sort((a, b) => a.id < b.id ? -1 : 1), c => [
    c.id, c.holds != null ? "v" + c.holds : "none yet", c.cohort || "none", c.ready ? "ready" : "not ready",
    c.live_version != null && c.live_outcomes ? `v${c.live_version}: ${ratio(c.live_correct, c.live_outcomes)}` : "no outcomes yet"]);
}
function rollout(r) {
  const box = $("rollout");
  if (!r) return box.replaceChildren(h("p", {class: "muted"}, "no rollout in flight"));
  const arm = (name, a) => h("tr", {}, h("td", {}, name), h("td", {}, a ? a.outcomes : "–"), h("td", {}, a ? a.correct : "–"), h("td", {}, a && a.outcomes ? pct(a.correct / a.outcomes) : "–"));
  box.replaceChildren(
    h("p", {}, `version ${r.version} (base ${r.base_version}), policy ${fmt(r.policy)}, ${fmt(r.state)}, started ${time(r.started_at)}; cohort: ${fmt(r.cohort)}`),
    h("table", {}, h("thead", {}, h("tr", {}, ["arm", "outcomes", "correct", "accuracy"].map(t => h("th", {}, t)))),
      h("tbody", {}, arm("canary", r.canary), arm("control", r.control))),
    h("p", {}, `z = ${fmt(r.z)}, p-value = ${fmt(r.p_value)} (α = ${fmt(r.alpha)}, minimum effect = ${fmt(r.min_effect)}); waiting for: ${fmt(r.waiting)}`));
}
function gate(m) {
  const out = [];
  for (const [k, v] of Object.entries(m)) {
    const t = /^eval\.(.+)\.accuracy$/.exec(k);
    if (t) out.push(`${t[1]}: ${m[`eval.${t[1]}.parent_accuracy`] != null ? pct(m[`eval.${t[1]}.parent_accuracy`]) + " → " : ""}${pct(v)}`);
  }
  if (m["clients.accuracy.after"] != null) out.push(`clients: ${pct(m["clients.accuracy.before"])} → ${pct(m["clients.accuracy.after"])}`);
  if (m["round.updates"] != null) out.push(`${m["round.updates"]} updates, ${m["round.examples"]} examples`);
  return out.join("; ") || "–";
}
function versions(list) {
  fill("versions", [...list].reverse(), v => [
    h("span", {}, "v" + v.number, v.live ? " ● live" : ""), v.parent != null ? "v" + v.parent : "–",
    h("span", {class: v.status}, v.status), v.round_id != null ? v.round_id : "–", time(v.created_at),
    gate(v.metrics), [v.note, v.status_reason, ...(v.decisions || []).map(d => `${d.kind} ${time(d.at)}: ${d.reason}`)].filter(x => x).join(" · ") || "–"],
    v => v.live ? "live" : "");
}
function plot(list) {
  const tasks = [...new Set(list.flatMap(v => Object.keys(v.metrics).map(k => (/^eval\.(.+)\.accuracy$/.exec(k) || [])[1]).filter(x => x)))].sort();
  const shown = list.filter(v => tasks.some(t => v.metrics[`eval.${t}.accuracy`] != null));
  if (!shown.length) return $("plot").replaceChildren(h("p", {class: "muted"}, "no version has held-out accuracy yet (no round closed, or no evaluation.held_out set)"));
  const W = 640, H = 240, L = 44, R = 110, T = 10, B = 36, colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"];
  const values = shown.flatMap(v => tasks.map(t => v.metrics[`eval.${t}.accuracy`]).filter(x => x != null));
  const lo = Math.max(0, Math.floor(Math.min(...values) * 10 - 0.5) / 10), n0 = shown[0].number, n1 = shown[shown.length - 1].number;
  const x = n => L + (n1 === n0 ? (W - L - R) / 2 : (n - n0) / (n1 - n0) * (W - L - R)), y = a => T + (1 - (a - lo) / (1 - lo)) * (H - T - B);
  const svg = h("svg", {id: "accuracy-plot", viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": "held-out accuracy per task and version"});
  for (let a = lo; a <= 1.0001; a += 0.1) svg.append(h("line", {svg: 1, class: "grid", x1: L, x2: W - R, y1: y(a), y2: y(a)}), h("text", {svg: 1, x: 4, y: y(a) + 4}, pct(a)));
  svg.append(h("line", {svg: 1, class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B}));
  for (const v of shown) svg.append(h("text", {svg: 1, x: x(v.number), y: H - B + 14, "text-anchor": "middle"}, "v" + v.number), h("text", {svg: 1, x: x(v.number), y: H - B + 27, "text-anchor": "middle"}, v.round_id != null ? "r" + v.round_id : ""));
  tasks.forEach((t, i) => {
    const c = colors[i % colors.length], pts = shown.filter(v => v.metrics[`eval.${t}.accuracy`] != null);
    svg.append(h("polyline", {svg: 1, fill: "none", stroke: c, "stroke-width": 1.5, points: pts.map(v => `${x(v.number)},${y(v.metrics[`eval.${t}.accuracy`])}`).join(" ")}));
    for (const v of pts) {
      const a = v.metrics[`eval.${t}.accuracy`];
      svg.append(h("circle", {svg: 1, class: "point", "data-task": t, "data-version": v.number, cx: x(v.number), cy: y(a), r: 4, stroke: c, fill: v.status === "rejected" ? "#fff" : c},
        h("title", {svg: 1}, `v${v.number}${v.round_id != null ? " (round " + v.round_id + ")" : ""} ${t}: ${pct(a)}, ${v.status}`)));
    }
    svg.append(h("text", {svg: 1, x: W - R + 10, y: T + 14 + 16 * i, style: "fill:" + c}, "● " + t));
  });
  $("plot").replaceChildren(svg, h("p", {class: "muted"}, "x: version (round); hollow points: rejected by the gate"));
}
async function poll() {
  try {
    const [s, v] = await Promise.all([get("/v1/status"), get("/v1/versions")]);
    $("live-version").textContent = s.live_version;
    const r = s.current_round;
    $("round").textContent = r ? `round ${r.id}: ${r.state}, base v${r.base_version}, ${r.accepted}/${r.selected} accepted` : `no round running (${s.rounds_ended} ended)`;
    fleet(s); rollout(s.rollout); plot(v.versions); versions(v.versions);
    $("error").hidden = true;
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    $("error").textContent = String(e.message || e); $("error").hidden = false;
  }
  setTimeout(poll, 2000);
}
poll();
</script>
</body></html>
"""#
}
