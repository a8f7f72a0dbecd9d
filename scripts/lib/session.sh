# Shared by the scripts that drive real processes (source it; bash only):
#
#   session_binaries     `bin`: BIN or .build/debug, holding tributary and tributary-edge (else exits)
#   session_start NAME   a fresh work directory /tmp/tributary-NAME.XXXXXX, entered; at exit every pid
#                        in the `pids` array is killed and the directory removed (KEEP=1 keeps it)
#   step TEXT            prints a section header
#   fail TEXT            prints why, the tail of every file named in the `logs` array, and exits 1
#   wait_for SECONDS WHAT COMMAND...
#                        polls COMMAND until it succeeds; the deadline only decides failure when
#                        something is truly stuck, never how fast the machine is
#   json EXPR            evaluates a Python expression over the JSON on stdin (as `d`)
#   start_coordinator    `tributary coordinator serve --config coordinator.yaml` in the background
#                        (coordinator.log/.err); once it listens, `port` and `admin` (host:port,
#                        empty when the admin endpoint is off) are what it bound
#   start_edges N PORT   N `tributary-edge run` against 127.0.0.1:PORT: edge-i with fleet/edge-i.pem,
#                        edge-i.csv and state-i, logging to edge-i.log/.err
#   fleet_certs T N      with the tributary binary T: a fleet CA in fleet/, the server's certificate
#                        (localhost, 127.0.0.1) and clients edge-1 … edge-N
#   split_digits CSV N   the digits CSV shuffled (seed 7): 30 % to held-out.csv, the rest dealt to
#                        edge-1.csv … edge-N.csv (row i to edge i mod N)
pids=()
logs=()
# session_binaries: `bin` is BIN or .build/debug (from `root`) and holds tributary and tributary-edge; curl is here.
session_binaries() {
  bin="$(cd "${BIN:-$root/.build/debug}" && pwd)"
  [[ -x "$bin/tributary" && -x "$bin/tributary-edge" ]] || {
    echo "build first: swift build --product tributary && swift build --product tributary-edge" >&2; exit 1; }
  command -v curl >/dev/null || { echo "curl is needed (apt-get install -y curl)" >&2; exit 1; }
}
session_start() {
  work="$(mktemp -d "/tmp/tributary-$1.XXXXXX")"
  trap session_cleanup EXIT
  cd "$work"
}
session_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${KEEP:-}" ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "FAILED: $*" >&2
  for f in "${logs[@]}"; do [[ -f $f ]] && { echo "--- tail $f" >&2; tail -30 "$f" >&2; }; done
  exit 1
}
wait_for() {
  local limit="$1" what="$2"; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || fail "waited ${limit}s for $what"
    sleep 0.5
  done
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {}, {'d': d}))" "$1"; }
start_coordinator() {
  "$bin/tributary" coordinator serve --config coordinator.yaml > coordinator.log 2> coordinator.err &
  pids+=($!)
  wait_for 120 "the coordinator to listen" grep -q "listening on" coordinator.log
  port="$(grep -o 'listening on 127.0.0.1:[0-9]*' coordinator.log | head -1 | cut -d: -f2)"
  admin="$(grep -o 'admin on 127.0.0.1:[0-9]*' coordinator.log | head -1 | awk '{print $3}' || true)"
  [[ -n "$port" ]] || fail "no port in the coordinator's start-up line: $(cat coordinator.log)"
}
start_edges() {
  local i
  for i in $(seq 1 "$1"); do
    "$bin/tributary-edge" run --coordinator "127.0.0.1:$2" --server-name localhost --ca fleet/ca.pem \
      --cert "fleet/edge-$i.pem" --key "fleet/edge-$i-key.pem" --data "edge-$i.csv" --state "state-$i" \
      > "edge-$i.log" 2> "edge-$i.err" &
    pids+=($!)
  done
}
fleet_certs() {
  local i
  "$1" certs init --dir fleet >/dev/null
  "$1" certs issue --dir fleet --server localhost --ip 127.0.0.1 >/dev/null
  for i in $(seq 1 "$2"); do "$1" certs issue --dir fleet --client "edge-$i" >/dev/null; done
}
split_digits() {
  python3 - "$1" "$2" <<'PY'
import random, sys
rows = [l for l in open(sys.argv[1]).read().splitlines() if l and l[0].isdigit()]
random.Random(7).shuffle(rows)
n = int(sys.argv[2]); cut = int(len(rows) * 0.7)
open("held-out.csv", "w").write("\n".join(rows[cut:]) + "\n")
for i in range(n):
    open(f"edge-{i + 1}.csv", "w").write("\n".join(rows[i:cut:n]) + "\n")
PY
}
