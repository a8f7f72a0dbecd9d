#!/usr/bin/env bash
# The C edge client's footprint beside the Swift agent's, for a 100k-parameter model (the MLP
# 64-512-128-10: 100,234 parameters) on 1,000 digits examples, one round on loopback:
#   - RSS (and its private part, RssAnon) of tributary-edge-c and of the Swift tributary-edge idle (connected, no round yet: a
#     coordinator that waits for a third client) and at the peak of a round (VmHWM, the process's
#     high-water mark, sampled until it exits; both edges in the same round of one coordinator);
#   - tributary-edge-c's stripped binary size and the shared libraries it loads;
#   - the job's time on each (the C log's `sent Update … N s`, the Swift log's `trained round … N s`)
#     and the round's time at the coordinator (`round 1 closed: … Ns`);
#   - with ARM64=1 (default when edge/c/build-arm64 or an aarch64 cross compiler exists): the
#     aarch64 build's round under qemu-user, alone against the same coordinator setup (emulated:
#     for information only).
# Prints a table (markdown) on stdout; the logs stay in KEEP=1's directory.
#
#   bash scripts/bench-c-edge.sh            # BIN=.build/debug by default (or .build/release)
#   STATIC=1 bash scripts/bench-c-edge.sh   # the client built with `make STATIC=1` (libraries linked in)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${BIN:-$root/.build/debug}"
[[ -x "$bin/tributary" ]] || bin="$root/.build/release"
[[ -x "$bin/tributary" && -x "$bin/tributary-edge" ]] || { echo "build first: swift build (or set BIN)" >&2; exit 1; }
if [[ "${STATIC:-0}" == 1 ]]; then
  make -s -C "$root/edge/c" STATIC=1 >/dev/null
  C="$root/edge/c/build-static/tributary-edge-c"
else
  make -s -C "$root/edge/c" >/dev/null
  C="$root/edge/c/build/tributary-edge-c"
fi
T="$bin/tributary"
S="$bin/tributary-edge"
work="$(mktemp -d /tmp/tributary-c-bench.XXXXXX)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; if [[ -n "${KEEP:-}" ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT
cd "$work"
wait_for() { for _ in $(seq 1 $(($3 * 10))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "timed out waiting for \"$2\" in $1" >&2; cat "$1" >&2; exit 1; }
kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
# Samples pid $1 every 0.05 s while it lives into file $2: VmHWM (the last sample is its peak RSS)
# and the largest RssAnon seen (the private part: heap, stacks; the rest is shared libraries' pages).
watch_peak() {
  local anon=0 a h
  while [[ -e "/proc/$1" ]]; do
    h="$(kib "$1" VmHWM)" a="$(kib "$1" RssAnon)"
    [[ -n "$a" && "$a" -gt "$anon" ]] && anon="$a"
    [[ -n "$h" ]] && echo "$h $anon" > "$2"
    sleep 0.05
  done
}

$T certs init --dir fleet >/dev/null
$T certs issue --dir fleet --server localhost --ip 127.0.0.1 >/dev/null
for id in edge-c edge-swift; do $T certs issue --dir fleet --client "$id" >/dev/null; done
$T init --out model.ckpt --inputs 64 --hidden 512,128 --outputs 10 --epochs 1 --batch-size 32 --lr 0.05 --seed 7 >/dev/null
grep -E '^[0-9]' "$root/data/digits.csv" > digits.csv
sed -n 1,300p digits.csv > held-out.csv
sed -n 301,1300p digits.csv > edge.csv
config() {  # name, ready_clients
  cat > "$1.yaml" <<YAML
listen: 127.0.0.1:0
tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem, deny_list: fleet/revoked.txt}
registry: {directory: registry-$1}
model: {initial_checkpoint: model.ckpt}
rounds: {trigger: ready_clients, ready_clients: $2, target_updates: $2, over_selection: 1, quorum: $2, collect_timeout: 600s, max_rounds: 1}
evaluation: {held_out: [digits=held-out.csv], max_client_accuracy_drop: 1, max_task_drop: 1}
admin: {enabled: false}
YAML
  $T coordinator serve --config "$1.yaml" > "$1.log" 2> "$1.err" &
  coordinator=$!
  pids+=("$coordinator")
  wait_for "$1.log" "listening on" 120
  address="$(grep -o '127.0.0.1:[0-9]*' "$1.log" | head -1)"
}
c_edge() {  # log, binary runner...
  local log="$1"; shift
  "$@" run --coordinator "$address" --server-name localhost --ca fleet/ca.pem --cert fleet/edge-c.pem --key fleet/edge-c-key.pem \
    --data edge.csv --features 64 --window 1000 --once > "$log" 2>&1 &
  c_pid=$!
  pids+=("$c_pid")
}
swift_edge() {  # log, state
  "$S" run --coordinator "$address" --server-name localhost --ca fleet/ca.pem --cert fleet/edge-swift.pem \
    --key fleet/edge-swift-key.pem --data edge.csv --state "$2" --rounds 1 > "$1" 2>&1 &
  swift_pid=$!
  pids+=("$swift_pid")
}

# idle: both connected to a coordinator that waits for 3 ready clients (no round)
config idle 3
c_edge idle-c.log "$C"
swift_edge idle-swift.log idle-swift-state
wait_for idle-c.log "sent Ready" 120
wait_for idle.err "client.id=edge-swift .*TLS handshake completed" 120
sleep 3   # the Swift agent's Hello and Ready follow its handshake; then both sit idle
c_idle="$(kib "$c_pid" VmRSS)" swift_idle="$(kib "$swift_pid" VmRSS)"
c_idle_anon="$(kib "$c_pid" RssAnon)" swift_idle_anon="$(kib "$swift_pid" RssAnon)"
kill -TERM "$c_pid" "$swift_pid" "$coordinator" 2>/dev/null || true
wait 2>/dev/null || true
pids=()

# a round: both edges answer the same offer; their peaks sampled until they exit
config round 2
c_edge round-c.log "$C"
watch_peak "$c_pid" c.peak &
swift_edge round-swift.log round-swift-state
watch_peak "$swift_pid" swift.peak &
wait_for round.log "round 1 closed" 600
wait "$swift_pid" 2>/dev/null || true
kill -TERM "$c_pid" 2>/dev/null || true
wait "$c_pid" 2>/dev/null || true
wait "$coordinator" 2>/dev/null || true
sleep 0.3
pids=()
c_job="$(grep -o 'sent Update for round 1: .*' round-c.log | grep -o '[0-9.]* s$' || echo '?')"
swift_job="$(grep -o 'trained round 1: .*' round-swift.log | grep -o '[0-9.]* s$' || echo '?')"
round_time="$(grep -o 'round 1 closed: .*' round.log | grep -o '[0-9.]*s$' || echo '?')"

cp "$C" stripped && strip stripped
size="$(stat -c %s stripped)"
libraries="$(ldd "$C" | awk '$1 !~ /linux-vdso|ld-linux/ { sub(/\..*/, "", $1); printf "%s%s", sep, $1; sep = ", " }')"

arm=""
if [[ "${ARM64:-auto}" != 0 ]] && command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
  make -s -C "$root/edge/c" CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar BUILD=build-arm64 \
    PKG_CONFIG="env PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config" all >/dev/null
  config arm64 1
  OPENBLAS_NUM_THREADS=1 c_edge arm64-c.log qemu-aarch64 -L /usr/aarch64-linux-gnu "$root/edge/c/build-arm64/tributary-edge-c"
  wait_for arm64.log "round 1 closed" 600
  kill -TERM "$c_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  pids=()
  arm="$(grep -o 'sent Update for round 1: .*' arm64-c.log | grep -o '[0-9.]* s$' || echo '?') job, round $(grep -o 'round 1 closed: .*' arm64.log | grep -o '[0-9.]*s$' || echo '?') at the coordinator"
fi

echo "| measure (MLP 64-512-128-10, 100,234 parameters; 1,000 examples, 1 epoch, batch 32) | tributary-edge-c | Swift tributary-edge |"
echo "|---|---|---|"
read -r c_peak c_peak_anon < c.peak
read -r swift_peak swift_peak_anon < swift.peak
echo "| RSS idle (connected, no round) | $(mib "$c_idle") | $(mib "$swift_idle") |"
echo "| of which private (RssAnon) | $(mib "$c_idle_anon") | $(mib "$swift_idle_anon") |"
echo "| RSS peak of a round (VmHWM) | $(mib "$c_peak") | $(mib "$swift_peak") |"
echo "| of which private (largest RssAnon sampled) | $(mib "$c_peak_anon") | $(mib "$swift_peak_anon") |"
echo "| job time (train + Fisher) | $c_job | $swift_job |"
echo "| stripped binary | $((size / 1024)) KB (+ shared: $libraries) | |"
echo "| round at the coordinator (both edges) | $round_time | |"
[[ -n "$arm" ]] && echo "| aarch64 build under qemu-user (emulated) | $arm | |"
exit 0
