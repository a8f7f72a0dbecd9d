#!/usr/bin/env bash
# Cross-builds the C edge client for ARCH=arm64 (aarch64, the default) or ARCH=armhf (32-bit ARMv7
# hard-float) with Debian's cross compiler and that architecture's builds of its libraries, runs
# its unit tests under qemu-user, then runs the ARM client under qemu against a real x86_64
# `tributary coordinator serve` on loopback for 2 rounds: it joins, trains, its Updates are
# accepted and it adopts the releases. Exit 1 with the logs otherwise.
#
# Setup (root), for ARCH in arm64 armhf: dpkg --add-architecture $ARCH && apt-get update && apt-get install -y \
#   crossbuild-essential-$ARCH qemu-user libssl-dev:$ARCH libprotobuf-c-dev:$ARCH libopenblas-dev:$ARCH
#
#   bash scripts/c-edge-cross.sh                 # BIN=.build/debug by default (or .build/release)
#   ARCH=armhf bash scripts/c-edge-cross.sh
#
# test_checkpoint's SIGKILL trials run here as separate processes (`test_checkpoint writer` killed
# at a seeded random moment, then `test_checkpoint verify`): under qemu-user (7.2, Debian 12) a
# forked child never runs guest code (it spins in the emulator after clone), so the in-process
# trials would wait for a save that never comes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${BIN:-$root/.build/debug}"
[[ -x "$bin/tributary" ]] || bin="$root/.build/release"
[[ -x "$bin/tributary" ]] || { echo "build first: swift build --product tributary (or set BIN)" >&2; exit 1; }
arch="${ARCH:-arm64}"
case "$arch" in
  arm64) triple=aarch64-linux-gnu qemu=qemu-aarch64 machine="ARM aarch64" ;;
  armhf) triple=arm-linux-gnueabihf qemu=qemu-arm machine="32-bit LSB .* ARM, EABI5" ;;
  *) echo "ARCH is \"$arch\"; must be arm64 or armhf" >&2; exit 1 ;;
esac
command -v "$triple-gcc" >/dev/null && command -v "$qemu" >/dev/null \
  || { echo "install crossbuild-essential-$arch and qemu-user (see the header of $0)" >&2; exit 1; }
build="$root/edge/c/build-$arch"
make -s -C "$root/edge/c" CC="$triple-gcc" AR="$triple-ar" BUILD="build-$arch" \
  PKG_CONFIG="env PKG_CONFIG_LIBDIR=/usr/lib/$triple/pkgconfig:/usr/share/pkgconfig pkg-config" \
  all "build-$arch/tests/test_frame" "build-$arch/tests/test_session" "build-$arch/tests/test_job" \
  "build-$arch/tests/test_checkpoint" "build-$arch/tests/test_trigger" >/dev/null
export OPENBLAS_NUM_THREADS=1   # OpenBLAS's threads crawl under qemu-user
run_arm() { "$qemu" -L "/usr/$triple" "$@"; }
file "$build/tributary-edge-c" | grep -Eq "$machine" || { echo "$build/tributary-edge-c is not an $arch binary: $(file "$build/tributary-edge-c")" >&2; exit 1; }
for t in test_frame test_session test_job test_trigger; do run_arm "$build/tests/$t"; done
run_arm "$build/tests/test_checkpoint" --no-kill-trials

# test_checkpoint's SIGKILL trials, one process per trial: a writer saving versions 1, 2, ... as
# fast as it can, killed at a seeded random moment after its first save (0 to 200 ms: saves are
# slower under emulation), then the file must load and hold one save's content.
trials="$(mktemp -d "/tmp/tributary-c-$arch-kill.XXXXXX")"
RANDOM=7
for trial in 1 2 3 4 5 6; do
  "$qemu" -L "/usr/$triple" "$build/tests/test_checkpoint" writer "$trials/killed.ckpt" &   # not run_arm: $! must be qemu itself
  writer=$!
  for _ in $(seq 1 6000); do [[ -e "$trials/killed.ckpt" ]] && break; sleep 0.1; done   # a hang guard, not a time limit
  sleep "0.$(printf '%03d' $((RANDOM % 200)))"
  kill -KILL "$writer"
  wait "$writer" 2>/dev/null || true
  [[ ! -e "/proc/$writer" ]] || { echo "FAIL: the writer $writer outlived SIGKILL" >&2; exit 1; }
  run_arm "$build/tests/test_checkpoint" verify "$trials/killed.ckpt" >/dev/null \
    || { echo "FAIL: SIGKILL trial $trial left no whole checkpoint" >&2; rm -rf "$trials"; exit 1; }
done
echo "test_checkpoint SIGKILL trials under qemu: 6 of 6 left the old or the new checkpoint, whole"
rm -rf "$trials"

work="$(mktemp -d "/tmp/tributary-c-$arch.XXXXXX")"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; if [[ -n "${KEEP:-}" ]]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
cd "$work"
T="$bin/tributary"
$T certs init --dir fleet >/dev/null
$T certs issue --dir fleet --server localhost --ip 127.0.0.1 >/dev/null
$T certs issue --dir fleet --client edge-1 >/dev/null
# 2 epochs over 300 examples: a release the gate promotes (above the majority-class rate by 5 points)
$T init --out global.ckpt --inputs 64 --hidden 32 --outputs 10 --epochs 2 --batch-size 8 --lr 0.05 --seed 7 >/dev/null
grep -E '^[0-9]' "$root/data/digits.csv" > digits.csv
sed -n 1,300p digits.csv > held-out.csv
sed -n 301,600p digits.csv > edge-1.csv
cat > coordinator.yaml <<YAML
listen: 127.0.0.1:0
tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem, deny_list: fleet/revoked.txt}
registry: {directory: registry}
model: {initial_checkpoint: global.ckpt}
rounds: {trigger: ready_clients, ready_clients: 1, target_updates: 1, over_selection: 1, quorum: 1, collect_timeout: 120s, max_rounds: 2}
evaluation: {held_out: [digits=held-out.csv], max_client_accuracy_drop: 1, max_task_drop: 1}
admin: {enabled: false}
YAML
$T coordinator serve --config coordinator.yaml > coordinator.log 2> coordinator.err &
coordinator=$!
pids+=("$coordinator")
for _ in $(seq 1 1200); do grep -q "listening on" coordinator.log 2>/dev/null && break; sleep 0.1; done
address="$(grep -o '127.0.0.1:[0-9]*' coordinator.log | head -1)"
[[ -n "$address" ]] || { cat coordinator.err >&2; exit 1; }
run_arm "$build/tributary-edge-c" run --coordinator "$address" --server-name localhost --ca fleet/ca.pem \
  --cert fleet/edge-1.pem --key fleet/edge-1-key.pem --data edge-1.csv --features 64 --once > edge.log 2>&1 &
pids+=($!)
wait "$coordinator" || true
cat coordinator.log
if grep -q "round 2 update accepted from edge-1" coordinator.log && grep -q "adopted release: model version 2 " edge.log; then
  echo "ok: the $arch client under qemu joined, trained 2 rounds whose Updates were accepted, and adopted the releases"
else
  echo "FAIL: the $arch client under qemu did not finish 2 rounds; its log:" >&2
  cat edge.log >&2
  exit 1
fi
