#!/usr/bin/env bash
# The C edge client (edge/c) against a real `tributary coordinator serve` on loopback, from the CLI
# alone: certificates from `tributary certs`, a model from `tributary init`, a coordinator that
# starts a round as soon as one client is ready. Checks, failing (exit 1) with the logs otherwise:
#   1. tributary-edge-c joins (TLS 1.3, Welcome, Hello, Ready with a window of 150 digits examples, the
#      50 older ones in its replay buffer), receives
#      the release and a RoundOffer and decodes their models, trains the round's job and sends an
#      Update that the coordinator accepts, then adopts the new release (a delta against the
#      version it held); the coordinator logs its handshake, the round offered and closed;
#      SIGTERM sends Goodbye and exits 0; started again, it loads its checkpoint (the version it
#      held, the replay buffer) and `predict` classifies the held-out set with it. The coordinator keeps running rounds with it meanwhile (round 2, 3…).
#   2. refusals, each printed with its code and exit 1: a revoked client (Reject CODE_REVOKED),
#      a wrong server name (serverCertificateRejected), a client certificate of another CA
#      (untrustedCertificate, found before connecting), a client id that is not the certificate's.
#   4. a coordinator and the C client both killed (SIGKILL) while collecting and restarted: the C
#      client comes back from its checkpoint alone (its window of 200 examples and its kept Update,
#      checkpoint format 3), is offered the same round again and resends exactly the Update it
#      sent before, untrained; the coordinator accepts it and closes the round.
#   5. the same job in C and in Swift: a Swift `tributary-edge` and a C client with the same data
#      and seed answer the same RoundOffer; their Updates' deltas and Fishers agree within
#      relative L2 error 1e-4 (edge/c/build/tests/compare_updates on the two kept frames).
#   9. the same with seen-class masking (plan.mask_unseen_classes: true) over two rounds, the second
#      on a window of classes 4-6 with a replay buffer of classes 0-3: the Updates of round 2 agree.
#   7. the same pair with a model that standardises its features (tributary init --fit-data) on
#      data with a column on a ~1,000 scale: the C client applies the offer's standardiser (the same
#      delta as the Swift job), keeps it in its checkpoint, and `predict` goes through it.
#   6. the spool directory: a client started with no examples reports Ready{ready: false}; a CSV
#      dropped into its spool joins the window and sends Ready{trigger: volume}, and the round
#      that follows is answered and accepted; a file with a bad row is set aside as .bad.
#   8. --ready-only-on-trigger: a client whose 200 examples passed the volume trigger says
#      Ready{trigger: startup, ready: true}; answering the round it says Ready{trigger: answered,
#      ready: false} just before its Update; started again from its checkpoint with nothing new,
#      Ready{trigger: nothing_pending, ready: false}.
#  10. compressed Updates: coordinators with compression int8 delta + int8 (then fp16) Fisher; the C
#      client (under valgrind, as check 1) announces "compression", its Update is accepted and its kept frame decodes with
#      scripts/python-decode-check.sh (the byte formats from docs/privacy.md alone); a Swift
#      tributary-edge with a top-k delta and a sqrt-int8 Fisher likewise, its residual kept.
#   3. decode failures against a scripted coordinator (edge/c/tests/fake_coordinator.py): an
#      oversized frame, garbage, a wrong protocol version and an unknown message each get an Error
#      frame with their code, then a closed connection.
#
#   The session of check 1 runs under valgrind when it is installed (VALGRIND=0 turns it off):
#   no leak and no invalid access, or the check fails.
#
#   bash scripts/c-edge-session.sh            # BIN=.build/debug by default (or .build/release)
# Needs: make, cc, libprotobuf-c-dev, libssl-dev, python3, a built `tributary`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${BIN:-}"
if [[ -z "$bin" ]]; then
  bin="$root/.build/debug"
  [[ -x "$bin/tributary" ]] || bin="$root/.build/release"
fi
[[ -x "$bin/tributary" ]] || { echo "build first: swift build --product tributary (or set BIN)" >&2; exit 1; }
make -s -C "$root/edge/c" >/dev/null
C="$root/edge/c/build/tributary-edge-c"
T="$bin/tributary"
work="$(mktemp -d /tmp/tributary-c-edge.XXXXXX)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; if [[ -n "${KEEP:-}" ]]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
cd "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
# Waits (up to $3 s; a deadline only for what is truly stuck) until file $1 matches pattern $2.
wait_for() { for _ in $(seq 1 $(($3 * 10))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

$T certs init --dir fleet >/dev/null
$T certs issue --dir fleet --server localhost --ip 127.0.0.1 >/dev/null
for id in edge-1 edge-2; do $T certs issue --dir fleet --client "$id" >/dev/null; done
$T certs revoke edge-2 --dir fleet >/dev/null
$T certs init --dir foreign >/dev/null
$T certs issue --dir foreign --client edge-3 >/dev/null
$T init --out global.ckpt --inputs 64 --hidden 32 --outputs 10 --epochs 1 --batch-size 8 --lr 0.05 --seed 7 >/dev/null
grep -E '^[0-9]' "$root/data/digits.csv" > digits.csv
sed -n 1,300p digits.csv > held-out.csv
sed -n 301,500p digits.csv > edge-1.csv

cat > coordinator.yaml <<YAML
listen: 127.0.0.1:0
tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem, deny_list: fleet/revoked.txt}
registry: {directory: registry}
model: {initial_checkpoint: global.ckpt}
rounds: {trigger: ready_clients, ready_clients: 1, target_updates: 1, over_selection: 1, quorum: 1, collect_timeout: 60s, max_rounds: 50}
evaluation: {held_out: [digits=held-out.csv], max_client_accuracy_drop: 1, max_task_drop: 1}
plan: {replay_size: 8}
admin: {enabled: false}
YAML
$T coordinator serve --config coordinator.yaml > coordinator.log 2> coordinator.err &
coordinator=$!
pids+=("$coordinator")
wait_for coordinator.log "listening on" 120 || { cat coordinator.err >&2; echo "the coordinator did not start" >&2; exit 1; }
address="$(grep -o '127.0.0.1:[0-9]*' coordinator.log | head -1)"
echo "coordinator (pid $coordinator) on $address"
tls=(--ca fleet/ca.pem --cert fleet/edge-1.pem --key fleet/edge-1-key.pem)

# 2. refusals
expect_refusal() {  # name, expected text, arguments...
  local name="$1" text="$2"; shift 2
  local code=0
  "$C" run --coordinator "$address" --once "$@" > "refusal-$name.log" 2>&1 || code=$?
  if [[ $code -eq 1 ]] && grep -q -- "$text" "refusal-$name.log"; then
    pass "$name refused: $(grep -m1 Error "refusal-$name.log")"
  else
    fail "$name: exit $code, expected 1 and \"$text\"; output: $(cat "refusal-$name.log")"
  fi
}
expect_refusal revoked "is revoked (code 7 CODE_REVOKED)" --server-name localhost --data edge-1.csv --features 64 --ca fleet/ca.pem --cert fleet/edge-2.pem --key fleet/edge-2-key.pem
expect_refusal server-name "serverCertificateRejected" --server-name other.example "${tls[@]}"
expect_refusal foreign-ca "does not chain to the fleet CA in fleet/ca.pem" --server-name localhost --ca fleet/ca.pem --cert foreign/edge-3.pem --key foreign/edge-3-key.pem
expect_refusal client-id "client id \"edge-9\" is not the identity in fleet/edge-1.pem (\"edge-1\")" --server-name localhost --client-id edge-9 "${tls[@]}"
expect_refusal arguments "--coordinator is \"nowhere\"" --server-name localhost "${tls[@]}" --coordinator nowhere
expect_refusal data "edge-1.csv:1: 65 columns; 10 features and a label expected" --server-name localhost "${tls[@]}" --data edge-1.csv --features 10

# 1. a session: joined, offered a round, Goodbye on SIGTERM
under=()
if [[ "${VALGRIND:-1}" != 0 ]] && command -v valgrind >/dev/null; then
  under=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=9)
fi
# a window of 150: the 50 oldest examples retire into the replay buffer, 8 of which join each step
"${under[@]}" "$C" run --coordinator "$address" --server-name localhost "${tls[@]}" --data edge-1.csv --features 64 --window 150 \
    --checkpoint edge.ckpt --once > edge.log 2>&1 &
edge=$!
pids+=("$edge")
if wait_for edge.log "round [0-9]* offered" 120 && wait_for edge.log "offer decoded" 10; then
  pass "C client offered a round: $(grep -m1 'round [0-9]* offered' edge.log | cut -d' ' -f3-)"
else
  fail "the C client was not offered a round within 120 s"
fi
if wait_for edge.log "receipt for round 1: STATUS_ACCEPTED" 120; then
  pass "C client's Update accepted: $(grep -m1 'sent Update' edge.log | cut -d' ' -f3-)"
  grep -q "sent Update for round 1: 150 examples, 19 steps, 152 replayed" edge.log && pass "the job replayed 8 examples in each of its 19 steps" \
    || fail "expected 150 examples, 19 steps and 152 replayed in: $(grep -m1 'sent Update' edge.log)"
else
  fail "the C client's Update for round 1 was not accepted within 120 s"
fi
if wait_for edge.log "adopted release: model version 2 " 120; then
  pass "C client adopted release 2: $(grep -m1 'adopted release: model version 2' edge.log | cut -d' ' -f3-)"
else
  fail "the C client did not adopt release 2 within 120 s"
fi
kill -TERM "$edge"
code=0; wait "$edge" || code=$?
[[ $code -eq 0 ]] && grep -q "sent Goodbye{reason: 1}" edge.log && pass "SIGTERM: Goodbye{SHUTDOWN} sent, exit 0${under:+ (under valgrind: no leak, no invalid access)}" \
  || fail "SIGTERM: exit $code, expected 0 and a Goodbye in the log (exit 9: valgrind found errors)"
# started again with its checkpoint (nothing listens on port 1: it loads, then cannot connect)
code=0
"$C" run --coordinator 127.0.0.1:1 --server-name localhost "${tls[@]}" --features 64 --checkpoint edge.ckpt --once > edge-again.log 2>&1 || code=$?
if [[ $code -eq 3 ]] && grep -Eq "loaded checkpoint edge.ckpt: model version [2-9][0-9]* \(2410 parameters\), 50 replay examples" edge-again.log; then
  pass "started again from its checkpoint: $(grep -m1 'loaded checkpoint' edge-again.log | cut -d' ' -f3-)"
else
  fail "the C client did not start from its checkpoint (exit $code): $(cat edge-again.log)"
fi
# predictions from the checkpoint: one class per row of the held-out set (labels in its last column)
code=0
"$C" predict --checkpoint edge.ckpt held-out.csv > predictions.txt 2> predict.err || code=$?
if [[ $code -eq 0 && $(wc -l < predictions.txt) -eq 300 ]] && grep -Eq "^300 predictions from model version [2-9][0-9]*; accuracy 0\.[0-9]+ against 300 labels" predict.err; then
  pass "predict: $(cat predict.err)"
else
  fail "predict: exit $code, $(wc -l < predictions.txt) lines; $(cat predict.err)"
fi
code=0
"$C" predict --checkpoint missing.ckpt held-out.csv > /dev/null 2> predict-missing.err || code=$?
[[ $code -eq 1 ]] && grep -q "checkpoint missing.ckpt does not exist" predict-missing.err && pass "predict without a checkpoint: $(cat predict-missing.err)" \
  || fail "predict without a checkpoint: exit $code, $(cat predict-missing.err)"
grep -q "client.id=edge-1 .*TLS handshake completed" coordinator.err && pass "coordinator: edge-1's TLS handshake completed" \
  || fail "the coordinator did not log edge-1's handshake"
grep -q "round 1 started: offered to 1 clients" coordinator.log && pass "coordinator: round 1 offered to 1 client" \
  || fail "the coordinator did not offer round 1"
wait_for coordinator.log "round 1 closed" 60 && pass "coordinator: $(grep -m1 'round 1 closed' coordinator.log)" \
  || fail "the coordinator did not close round 1 with the C client's Update"
grep -q "adopted release: model version 1 (2410 parameters" edge.log && pass "C client adopted release 1 (2410 parameters)" \
  || fail "the C client did not decode the release of version 1"
kill -TERM "$coordinator" 2>/dev/null || true
wait "$coordinator" 2>/dev/null || true

# 3. decode failures: an Error frame with the code, then a closed connection
for case in oversized:1 garbage:2 unknown:3 version:4; do
  name="${case%%:*}" want="${case##*:}"
  rm -f port
  python3 "$root/edge/c/tests/fake_coordinator.py" fleet "$name" port > "fake-$name.log" 2>&1 &
  fake=$!
  pids+=("$fake")
  for _ in $(seq 1 300); do [[ -s port ]] && break; sleep 0.1; done
  code=0
  "$C" run --coordinator "127.0.0.1:$(cat port)" --server-name localhost "${tls[@]}" --once > "edge-$name.log" 2>&1 || code=$?
  wait "$fake" || true
  if [[ $code -eq 3 ]] && grep -q "error code $want" "fake-$name.log" && grep -q "closed" "fake-$name.log"; then
    pass "$name: Error code $want sent, connection closed: $(grep -m1 'refused a frame' "edge-$name.log" | cut -d' ' -f3-)"
  else
    fail "$name: exit $code (expected 3); fake coordinator: $(cat "fake-$name.log"); client: $(cat "edge-$name.log")"
  fi
done

# 4. the coordinator restarts while collecting: the same round offered again, the same Update resent
$T certs issue --dir fleet --client edge-4 >/dev/null
awk -F, 'BEGIN { OFS = "," } { $NF = 12; print }' edge-1.csv > silent.csv   # label 12: never trains, never answers
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
sed -e "s/listen: 127.0.0.1:0/listen: 127.0.0.1:$port/" -e "s/registry: {directory: registry}/registry: {directory: registry-restart}/" \
    -e "s/ready_clients: 1, target_updates: 1, over_selection: 1, quorum: 1, collect_timeout: 60s/ready_clients: 2, target_updates: 2, over_selection: 1, quorum: 1, collect_timeout: 20s/" \
    coordinator.yaml > restart.yaml
grep -q "listen: 127.0.0.1:$port" restart.yaml && grep -q "ready_clients: 2" restart.yaml || { echo "restart.yaml was not derived" >&2; exit 1; }
start_coordinator() {
  $T coordinator serve --config restart.yaml >> restart.log 2>> restart.err &
  coordinator=$!
  pids+=("$coordinator")
}
start_coordinator
wait_for restart.log "listening on 127.0.0.1:$port" 120 || { cat restart.err >&2; echo "the coordinator did not start on $port" >&2; exit 1; }
"$C" run --coordinator "127.0.0.1:$port" --server-name localhost "${tls[@]}" --data edge-1.csv --features 64 --seed 3 \
    --checkpoint restart-edge.ckpt > restart-edge.log 2>&1 &
edge=$!
pids+=("$edge")
"$C" run --coordinator "127.0.0.1:$port" --server-name localhost --ca fleet/ca.pem --cert fleet/edge-4.pem --key fleet/edge-4-key.pem \
    --data silent.csv --features 64 > restart-silent.log 2>&1 &
pids+=($!)
if wait_for restart.log "round 1 update accepted from edge-1" 120; then
  # both sides killed: the client comes back from its checkpoint alone (no --data), with its window and the kept Update
  kill -KILL "$coordinator" "$edge"; wait "$coordinator" "$edge" 2>/dev/null || true
  "$C" run --coordinator "127.0.0.1:$port" --server-name localhost "${tls[@]}" --features 64 --seed 3 \
      --checkpoint restart-edge.ckpt > restart-edge-2.log 2>&1 &
  edge=$!
  pids+=("$edge")
  start_coordinator
  if wait_for restart-edge-2.log "round 1 offered again: sending the Update sent before" 120 \
      && wait_for restart.log "round 1 closed: 1 updates" 120 \
      && grep -q "loaded checkpoint restart-edge.ckpt: .*, 200 in the window" restart-edge-2.log \
      && grep -q "kept Update: round 1 on base version 1" restart-edge-2.log; then
    pass "restart: both killed; the client's checkpoint kept its window and Update ($(grep -m1 'loaded checkpoint' restart-edge-2.log | cut -d' ' -f3-)); round 1 offered again, the same Update resent and counted once: $(grep -m1 'round 1 closed' restart.log)"
  else
    fail "restart: the C client's resent Update did not close round 1; coordinator: $(cat restart.log); client: $(cat restart-edge-2.log)"
  fi
  [[ $(cat restart-edge.log restart-edge-2.log | grep -c "receipt for round 1: STATUS_ACCEPTED") -eq 2 ]] && pass "restart: both Updates got STATUS_ACCEPTED" \
    || fail "restart: expected two accepted receipts; client: $(cat restart-edge.log restart-edge-2.log)"
else
  fail "restart: the C client's first Update was not accepted; coordinator: $(cat restart.log)"
fi
kill -TERM "$edge" 2>/dev/null || true
code=0; wait "$edge" || code=$?
[[ $code -eq 0 ]] || fail "restart: the reconnecting client exited $code after SIGTERM, expected 0"
kill -TERM "$coordinator" 2>/dev/null || true
wait "$coordinator" 2>/dev/null || true

# 5. the C job against the Swift job: same offer, data and seed
# pair_coordinator NAME MODEL.ckpt HELD-OUT.csv PLAN ROUNDS: a coordinator as coordinator.yaml with its
# own registry, that model and held-out set, `plan: PLAN`, rounds of 2 clients (both needed) up to
# ROUNDS, and a certificate for NAME-swift; sets $coordinator and $at (its address).
pair_coordinator() {
  local name="$1" model="$2" held="$3" plan="$4" rounds="$5"
  $T certs issue --dir fleet --client "$name-swift" >/dev/null
  sed -e "s/registry: {directory: registry}/registry: {directory: registry-$name}/" -e "s/plan: {replay_size: 8}/plan: $plan/" \
      -e "s|initial_checkpoint: global.ckpt|initial_checkpoint: $model|" -e "s|digits=held-out.csv|digits=$held|" \
      -e "s/ready_clients: 1, target_updates: 1, over_selection: 1, quorum: 1, collect_timeout: 60s, max_rounds: 50/ready_clients: 2, target_updates: 2, over_selection: 1, quorum: 2, collect_timeout: 120s, max_rounds: $rounds/" \
      coordinator.yaml > "$name.yaml"
  grep -q "ready_clients: 2, target_updates: 2" "$name.yaml" && grep -q "initial_checkpoint: $model" "$name.yaml" && grep -qF "plan: $plan" "$name.yaml" \
    || { echo "$name.yaml was not derived" >&2; exit 1; }
  $T coordinator serve --config "$name.yaml" > "$name.log" 2> "$name.err" &
  coordinator=$!
  pids+=("$coordinator")
  wait_for "$name.log" "listening on" 120 || { cat "$name.err" >&2; echo "the coordinator did not start" >&2; exit 1; }
  at="$(grep -o '127.0.0.1:[0-9]*' "$name.log" | head -1)"
}
# compare_kept NAME WHAT SWIFT.frame C.frame: the two kept Updates' deltas and Fishers within 1e-4.
compare_kept() {
  local comparison
  if comparison="$("$root/edge/c/build/tests/compare_updates" "$3" "$4" 1e-4)"; then
    pass "$1: C job = Swift job$2: $comparison"
  else
    fail "$1: the C job's Update differs from the Swift job's$2: $comparison"
  fi
}
# same_job NAME MODEL.ckpt DATA.csv HELD-OUT.csv [LOG-LINE]: a coordinator with that model offers one
# round to a Swift and a C edge with the same data and seed; their kept Updates are compared. With
# LOG-LINE, the C client runs until its log shows it (e.g. the release it adopts).
same_job() {
  local name="$1" model="$2" data="$3" held="$4" until="${5:-}" at
  pair_coordinator "$name" "$model" "$held" "{replay_size: 0}" 1
  "$bin/tributary-edge" run --coordinator "$at" --server-name localhost --ca fleet/ca.pem --cert "fleet/$name-swift.pem" \
      --key "fleet/$name-swift-key.pem" --data "$data" --state "$name-swift-state" --rounds 1 > "$name-swift.log" 2>&1 &
  pids+=($!)
  "$C" run --coordinator "$at" --server-name localhost "${tls[@]}" --data "$data" --features 64 --seed 1 \
      --keep-update "$name-c-update.frame" --checkpoint "$name-c.ckpt" --once > "$name-c.log" 2>&1 &
  local c_edge=$!
  pids+=("$c_edge")
  if wait_for "$name.log" "round 1 closed: 2 updates" 180 && [[ -s "$name-swift-state/last-update.frame" && -s "$name-c-update.frame" ]]; then
    compare_kept "$name" "" "$name-swift-state/last-update.frame" "$name-c-update.frame"
  else
    fail "$name: the round did not close with both Updates; coordinator: $(cat "$name.log"); C: $(cat "$name-c.log"); Swift: $(tail -5 "$name-swift.log")"
  fi
  if [[ -n "$until" ]] && ! wait_for "$name-c.log" "$until" 120; then
    fail "$name: the C client's log does not show \"$until\": $(cat "$name-c.log")"
  fi
  kill -TERM "$c_edge" "$coordinator" 2>/dev/null || true
  wait "$c_edge" 2>/dev/null || true
  wait "$coordinator" 2>/dev/null || true
}
# 9. seen-class masking (the coordinator's plan.mask_unseen_classes: true), over two rounds so that the
#    window and the replay buffer hold different classes: round 1 trains both edges on 100 examples of
#    classes 0-3; then 100 of classes 4-6 arrive (the Swift edge's store by `tributary-edge import`, the
#    C client's spool), push the first 100 out of the window of 100 into the replay buffer and fire the
#    volume trigger; round 2 trains on classes 4-6 with 8 replayed examples of classes 0-3 per step, the
#    softmax over classes 0-6 (7-9 unseen). The two Updates of round 2 (deltas and Fishers) agree.
masked_job() {
  local name=masked at
  sed -n '301,$p' digits.csv > "$name-pool.csv"
  awk -F, '$NF <= 3 && n < 100 { print; n++ }' "$name-pool.csv" > "$name-old.csv"
  awk -F, '$NF >= 4 && $NF <= 6 && n < 100 { print; n++ }' "$name-pool.csv" > "$name-new.csv"
  pair_coordinator "$name" global.ckpt held-out.csv "{replay_size: 8, mask_unseen_classes: true}" 2
  cat > "$name-swift.yaml" <<YAML
coordinator: {address: "$at", server_name: localhost}
tls: {ca: fleet/ca.pem, cert: fleet/$name-swift.pem, key: fleet/$name-swift-key.pem}
state: {directory: $name-swift-state}
feedback: {features: 64, classes: 10, import: [$name-old.csv]}
context: {window_examples: 100, replay_capacity: 200}
triggers: {volume: 100, accuracy_drop: 0, drift: "off", check_interval: 200ms, ready_only_on_trigger: true}
seed: 1
YAML
  "$bin/tributary-edge" run --config "$name-swift.yaml" > "$name-swift.log" 2>&1 &
  local swift_edge=$!
  pids+=("$swift_edge")
  mkdir -p "$name-spool"
  "$C" run --coordinator "$at" --server-name localhost "${tls[@]}" --data "$name-old.csv" --features 64 --seed 1 --window 100 \
      --replay 200 --volume 100 --accuracy-drop off --drift-threshold off --ready-only-on-trigger --spool "$name-spool" \
      --spool-interval-ms 200 --keep-update "$name-c-update.frame" --checkpoint "$name-c.ckpt" > "$name-c.log" 2>&1 &
  local c_edge=$!
  pids+=("$c_edge")
  if wait_for "$name.log" "round 1 closed: 2 updates" 180; then
    "$bin/tributary-edge" import --config "$name-swift.yaml" "$name-new.csv" > "$name-import.log" 2>&1 \
      || fail "$name: tributary-edge import: $(cat "$name-import.log")"
    cp "$name-new.csv" "$name-spool/new.csv.part" && mv "$name-spool/new.csv.part" "$name-spool/new.csv"
    if wait_for "$name.log" "round 2 closed: 2 updates" 180 && [[ -s "$name-swift-state/last-update.frame" && -s "$name-c-update.frame" ]]; then
      if grep -q "round 2 offered: .*replay: 8, skip_fisher: false, mask_unseen_classes: true" "$name-c.log" \
          && grep -Eq "sent Update for round 2: 100 examples, [0-9]+ steps, [1-9][0-9]* replayed" "$name-c.log"; then
        compare_kept "$name" " with seen-class masking, window of classes 4-6, replay of 0-3 (round 2)" \
          "$name-swift-state/last-update.frame" "$name-c-update.frame"
      else
        fail "$name: round 2 was not a masked round with replay: $(cat "$name-c.log")"
      fi
    else
      fail "$name: round 2 did not close with both Updates; coordinator: $(cat "$name.log"); C: $(cat "$name-c.log"); Swift: $(tail -8 "$name-swift.log")"
    fi
  else
    fail "$name: round 1 did not close with both Updates; coordinator: $(cat "$name.log"); C: $(cat "$name-c.log"); Swift: $(tail -8 "$name-swift.log")"
  fi
  kill -TERM "$c_edge" "$swift_edge" "$coordinator" 2>/dev/null || true
  wait "$c_edge" "$swift_edge" "$coordinator" 2>/dev/null || true
}
if [[ -x "$bin/tributary-edge" ]]; then
  same_job pair global.ckpt edge-1.csv held-out.csv
  masked_job

  # 7. a model that standardises its features (tributary init --fit-data) on data with a column on
  #    a ~1,000 scale: the C client trains on the standardised window (the same delta as Swift's),
  #    keeps the standardiser in its checkpoint, and predicts through it.
  awk -F, 'BEGIN { OFS = "," } NR > 1 { $11 = $11 * 60 + 400 } { print }' "$root/data/digits.csv" > scaled-sample.csv
  grep -E '^[0-9]' scaled-sample.csv > scaled.csv
  sed -n 1,300p scaled.csv > scaled-held-out.csv
  sed -n 301,500p scaled.csv > scaled-edge.csv
  $T init --out scaled.ckpt --inputs 64 --hidden 32 --outputs 10 --epochs 1 --batch-size 8 --lr 0.05 --seed 7 --fit-data scaled-sample.csv >/dev/null
  same_job scaled scaled.ckpt scaled-edge.csv scaled-held-out.csv "adopted release: model version 2 (2410 parameters, 2 layers, [a-z ]*, standardised features)"
  grep -q "offer decoded: model version 1 (2410 parameters, 2 layers, in full, standardised features)" scaled-c.log \
    && grep -q "sent Update for round 1: 200 examples" scaled-c.log \
    && pass "scaled: the C client took the offer's standardiser and answered: $(grep -m1 'sent Update' scaled-c.log | cut -d' ' -f3-)" \
    || fail "scaled: no standardised offer answered by the C client: $(cat scaled-c.log)"
  code=0
  "$C" predict --checkpoint scaled-c.ckpt scaled-held-out.csv > scaled-predictions.txt 2> scaled-predict.err || code=$?
  # release 2 (the round's two Updates, seeded: the same every run) predicts the scaled held-out set
  # through its standardiser far better than chance (10 classes)
  accuracy="$(grep -o 'accuracy 0\.[0-9]*' scaled-predict.err | cut -d' ' -f2)"
  if [[ $code -eq 0 && $(wc -l < scaled-predictions.txt) -eq 300 ]] && grep -q "from model version 2;" scaled-predict.err && awk -v a="${accuracy:-0}" 'BEGIN { exit !(a > 0.3) }'; then
    pass "scaled: predict through the checkpoint's standardiser: $(cat scaled-predict.err)"
  else
    fail "scaled: predict: exit $code, $(wc -l < scaled-predictions.txt) lines; $(cat scaled-predict.err)"
  fi
else
  echo "skipped: C job against the Swift job, with seen-class masking, and the standardised model ($bin/tributary-edge not built)"
fi

# A coordinator as coordinator.yaml with its own registry (NAME.yaml, NAME.log); sets $coordinator and $served (its address).
serve_copy() {
  sed -e "s/registry: {directory: registry}/registry: {directory: registry-$1}/" coordinator.yaml > "$1.yaml"
  $T coordinator serve --config "$1.yaml" > "$1.log" 2> "$1.err" &
  coordinator=$!
  pids+=("$coordinator")
  wait_for "$1.log" "listening on" 120 || { cat "$1.err" >&2; echo "the coordinator did not start" >&2; exit 1; }
  served="$(grep -o '127.0.0.1:[0-9]*' "$1.log" | head -1)"
}
stop_edge() { kill -TERM "$edge" 2>/dev/null || true; wait "$edge" || true; }
stop_coordinator() { kill -TERM "$coordinator" 2>/dev/null || true; wait "$coordinator" 2>/dev/null || true; }

# 6. the spool: examples arriving while the client runs
serve_copy spool
mkdir -p spool
"$C" run --coordinator "$served" --server-name localhost "${tls[@]}" --features 64 \
    --spool spool --spool-interval-ms 200 --volume 100 --once > spool-edge.log 2>&1 &
edge=$!
pids+=("$edge")
if wait_for spool-edge.log "sent Ready{trigger: startup, ready: false, examples: 0" 120; then
  awk -F, 'NR == 3 { $5 = "x" } { print }' OFS=, edge-1.csv > spool/bad.csv.part && mv spool/bad.csv.part spool/b-bad.csv
  cp edge-1.csv spool/a.csv.part && mv spool/a.csv.part spool/a.csv
  if wait_for spool-edge.log "sent Ready{trigger: volume, ready: true" 120 && wait_for spool-edge.log "receipt for round 1: STATUS_ACCEPTED" 120 \
      && [[ -f spool/a.csv.done && -f spool/b-bad.csv.bad ]] && grep -q "spool: spool/b-bad.csv:3: column 5 is \"x\", not a finite number (2 rows before it taken)" spool-edge.log; then
    pass "spool: $(grep -m1 'spool: 200 examples' spool-edge.log | cut -d' ' -f3-); Ready{volume}; round 1 answered and accepted; the bad file set aside"
  else
    fail "spool: $(cat spool-edge.log); $(ls spool)"
  fi
else
  fail "spool: no startup Ready: $(cat spool-edge.log)"
fi
stop_edge
stop_coordinator

# 8. ready only on a trigger
serve_copy ready
"$C" run --coordinator "$served" --server-name localhost "${tls[@]}" --features 64 --data edge-1.csv --ready-only-on-trigger \
    --checkpoint ready.ckpt --once > ready-edge.log 2>&1 &
edge=$!
pids+=("$edge")
if wait_for ready-edge.log "receipt for round 1: STATUS_ACCEPTED" 120 && wait_for ready-edge.log "adopted release: model version 2 " 120; then
  answered="$(grep -n "sent Ready{trigger: answered, ready: false" ready-edge.log | head -1 | cut -d: -f1)"
  update="$(grep -n "sent Update for round 1" ready-edge.log | head -1 | cut -d: -f1)"
  if grep -q "sent Ready{trigger: startup, ready: true, examples: 200" ready-edge.log && [[ -n "$answered" && -n "$update" && $answered -lt $update ]]; then
    pass "ready only on a trigger: Ready{startup, true} with the volume pending, Ready{answered, false} just before the Update"
  else
    fail "ready only on a trigger: $(cat ready-edge.log)"
  fi
else
  fail "ready only on a trigger: round 1 not answered: $(cat ready-edge.log)"
fi
stop_edge
"$C" run --coordinator "$served" --server-name localhost "${tls[@]}" --features 64 --ready-only-on-trigger \
    --checkpoint ready.ckpt --once > ready-edge-2.log 2>&1 &
edge=$!
pids+=("$edge")
if wait_for ready-edge-2.log "sent Ready{trigger: nothing_pending, ready: false, examples: 200" 120; then
  pass "ready only on a trigger: started again with nothing new: $(grep -m1 'sent Ready' ready-edge-2.log | cut -d' ' -f2-)"
else
  fail "ready only on a trigger: no Ready{nothing_pending} after a restart: $(cat ready-edge-2.log)"
fi
stop_edge
stop_coordinator

# 10. compressed Updates: a coordinator with compression.delta int8 and compression.fisher int8 (then
#     fp16) offers the plan's encoding to the C client, which announced "compression"; its Update
#     (int8 delta with per-block scales, rounded to nearest; int8 or fp16 Fisher) is accepted, and its
#     kept frame decodes with Python's protobuf and the byte formats alone.
for fisher in int8 fp16; do
  sed -e "s/registry: {directory: registry}/registry: {directory: registry-compressed-$fisher}/" coordinator.yaml > "compressed-$fisher.yaml"
  printf 'compression: {delta: int8, fisher: %s, block_size: 256}\n' "$fisher" >> "compressed-$fisher.yaml"
  $T coordinator serve --config "compressed-$fisher.yaml" > "compressed-$fisher.log" 2> "compressed-$fisher.err" &
  coordinator=$!
  pids+=("$coordinator")
  wait_for "compressed-$fisher.log" "listening on" 120 || { cat "compressed-$fisher.err" >&2; echo "the coordinator did not start" >&2; exit 1; }
  served="$(grep -o '127.0.0.1:[0-9]*' "compressed-$fisher.log" | tail -1)"
  "${under[@]}" "$C" run --coordinator "$served" --server-name localhost "${tls[@]}" --features 64 --data edge-1.csv \
      --keep-update "compressed-$fisher.frame" --checkpoint "compressed-$fisher.ckpt" --once > "compressed-$fisher-edge.log" 2>&1 &
  edge=$!
  pids+=("$edge")
  if wait_for "compressed-$fisher-edge.log" "receipt for round 1: STATUS_ACCEPTED" 120 && [[ -s "compressed-$fisher.frame" ]] \
      && bash "$root/scripts/python-decode-check.sh" "compressed-$fisher.frame" > "compressed-$fisher-decode.txt" 2>&1 \
      && grep -q "compressed_delta: .* int8 blocks of 256" "compressed-$fisher-decode.txt" \
      && grep -q "compressed_fisher: .* $([[ $fisher == int8 ]] && echo "int8 blocks of 256" || echo fp16)" "compressed-$fisher-decode.txt"; then
    pass "compressed ($fisher Fisher): accepted; $(grep -m1 'frame:' "compressed-$fisher-decode.txt"); $(grep 'compressed_' "compressed-$fisher-decode.txt" | cut -d, -f1-2 | tr '\n' ';')"
  else
    fail "compressed ($fisher Fisher): $(cat "compressed-$fisher-edge.log"); $(cat "compressed-$fisher-decode.txt" 2>/dev/null)"
  fi
  kill -TERM "$edge" 2>/dev/null || true
  code=0; wait "$edge" || code=$?
  [[ $code -eq 0 ]] || fail "compressed ($fisher Fisher): the C client exited $code after SIGTERM (9: valgrind found an error): $(tail -20 "compressed-$fisher-edge.log")"
  stop_coordinator
done
# ... and a Swift `tributary-edge` (it announces compression-topk too) with a top-k delta and a
# sqrt-int8 Fisher: accepted, and its kept frame decodes (top-k sparse, int8 blocks of square roots).
if [[ -x "$bin/tributary-edge" ]]; then
  $T certs issue --dir fleet --client compressed-swift >/dev/null
  sed -e "s/registry: {directory: registry}/registry: {directory: registry-compressed-topk}/" coordinator.yaml > compressed-topk.yaml
  printf 'compression: {delta: topk, topk_fraction: 0.1, fisher: sqrt_int8}\n' >> compressed-topk.yaml
  $T coordinator serve --config compressed-topk.yaml > compressed-topk.log 2> compressed-topk.err &
  coordinator=$!
  pids+=("$coordinator")
  wait_for compressed-topk.log "listening on" 120 || { cat compressed-topk.err >&2; echo "the coordinator did not start" >&2; exit 1; }
  served="$(grep -o '127.0.0.1:[0-9]*' compressed-topk.log | tail -1)"
  "$bin/tributary-edge" run --coordinator "$served" --server-name localhost --ca fleet/ca.pem --cert fleet/compressed-swift.pem \
      --key fleet/compressed-swift-key.pem --data edge-1.csv --state compressed-swift-state --rounds 1 > compressed-swift.log 2>&1 &
  edge=$!
  pids+=("$edge")
  if wait_for compressed-topk.log "round 1 closed: 1 updates" 180 && [[ -s compressed-swift-state/topk-residual.bin ]] \
      && bash "$root/scripts/python-decode-check.sh" compressed-swift-state/last-update.frame > compressed-swift-decode.txt 2>&1 \
      && grep -q "compressed_delta: .* top-k sparse, 241 of 2410 kept" compressed-swift-decode.txt \
      && grep -q "compressed_fisher: .* int8 blocks of 256 (square roots)" compressed-swift-decode.txt; then
    pass "compressed (Swift edge, top-k + sqrt-int8 Fisher): $(grep -m1 'round 1 closed' compressed-topk.log | cut -d' ' -f2- | cut -c1-90); residual kept; $(grep 'compressed_' compressed-swift-decode.txt | cut -d, -f1-2 | tr '\n' ';')"
  else
    fail "compressed (Swift edge): $(cat compressed-topk.log); $(tail -5 compressed-swift.log); $(cat compressed-swift-decode.txt 2>/dev/null)"
  fi
  stop_edge
  stop_coordinator
fi

if [[ $failures -ne 0 ]]; then
  echo "--- coordinator.log"; cat coordinator.log; echo "--- edge.log"; cat edge.log 2>/dev/null || true
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all C edge session checks passed"
