# Sourced by the scripts that run real processes (device-loop-session.sh, status-page-check.sh,
# check-onnx.sh, fleet-on-loopback.sh):
#
#   source "$root/scripts/lib/session.sh" NAME [debug|release]
#
# sets `bin` to the folder holding tributary and tributary-edge ($BIN, else $root/.build/debug or
# release; made absolute, and the script stops with the build command when they are missing),
# makes a working folder /tmp/tributary-NAME.XXXXXX and enters it ($work); every pid added to
# `pids` is killed on exit, and the folder removed unless KEEP is set. It defines:
#   step TEXT                          a heading line
#   fail TEXT                          prints FAILED: TEXT and the tails of the files in `logs`, exits 1
#   wait_for SECONDS WHAT COMMAND...   polls COMMAND until it succeeds; after SECONDS, fail (a hang
#                                      guard: the deadline never judges how fast the machine is)
#   start_edges N PORT BIN             N `tributary-edge run` processes against 127.0.0.1:PORT, edge i
#                                      with fleet/edge-i.pem, edge-i.csv, state-i, logging to edge-i.log/.err
bin="$(cd "${BIN:-$root/.build/${2:-debug}}" 2>/dev/null && pwd)" || true
if [[ ! -x "$bin/tributary" || ! -x "$bin/tributary-edge" ]]; then
  flags=""; [[ "${2:-debug}" == release ]] && flags=" -c release"
  echo "build first: swift build$flags --product tributary && swift build$flags --product tributary-edge" >&2
  exit 1
fi
work="$(mktemp -d "/tmp/tributary-$1.XXXXXX")"
pids=()
logs=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${KEEP:-}" ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"

step() { printf '\n== %s\n' "$*"; }

fail() {
  echo "FAILED: $*" >&2
  local f
  for f in "${logs[@]}"; do [[ -f $f ]] && { echo "--- tail $f" >&2; tail -25 "$f" >&2; }; done
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

start_edges() {
  local count="$1" port="$2" bin="$3" i
  for i in $(seq 1 "$count"); do
    "$bin/tributary-edge" run --coordinator "127.0.0.1:$port" --server-name localhost --ca fleet/ca.pem \
      --cert "fleet/edge-$i.pem" --key "fleet/edge-$i-key.pem" --data "edge-$i.csv" --state "state-$i" \
      > "edge-$i.log" 2> "edge-$i.err" &
    pids+=($!)
  done
}
