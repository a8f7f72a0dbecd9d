#!/usr/bin/env bash
# Checks that an exported ONNX model answers exactly as Tributary does, with onnxruntime (from
# PyPI, in a venv used only here): argmax equal on every row of a held-out CSV, probabilities
# within 1e-5. Exits non-zero on any mismatch.
#
#   bash scripts/check-onnx.sh
#
# What it runs, with the CLI alone:
#  1. data: 3 classes, 4 features (header a,pressure,c,d), column "pressure" on a scale of ~1,000
#     (mean 1,000, std ~170): train.csv and held-out.csv, raw.
#  2. `tributary init --fit-data train.csv` (a 4-16-3 MLP whose checkpoint carries the standardiser
#     and the feature names) + `tributary train` on the raw training data.
#  3. `tributary coordinator serve` with that checkpoint as its initial model (registered and
#     promoted as version 1), and one `tributary-edge run` that adopts it; both then stopped.
#  4. `tributary models export live --format onnx`: the model's own standardiser folded into the
#     first layer; checked on the RAW held-out rows against `tributary predict` (Tributary applies
#     the checkpoint's standardiser, then predicts).
#  5. `tributary-edge export --format onnx`: the edge's held model, which carries the same
#     preprocessing (it came with the release), checked the same way.
#  6. A second model with the other classifier head (binary cross-entropy: sigmoid probabilities,
#     tanh hidden units), initialised WITHOUT preprocessing and trained on standardised data:
#     exported with `--fit-data train.csv` (the standardiser fitted at export), checked on the raw
#     rows against `tributary predict --fit-data train.csv`.
#
# Binaries: $BIN/tributary and $BIN/tributary-edge (default .build/debug, built if missing).
# The venv: $ONNX_VENV (default .build/check-onnx-venv), created and filled with onnxruntime and
# numpy by pip when they are missing. KEEP=1 keeps the working folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${BIN:-$root/.build/debug}"
venv="${ONNX_VENV:-$root/.build/check-onnx-venv}"
if [[ ! -x "$bin/tributary" || ! -x "$bin/tributary-edge" ]]; then
  (cd "$root" && swift build --product tributary >&2 && swift build --product tributary-edge >&2)
fi
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import onnxruntime, numpy' 2>/dev/null || "$venv/bin/python" -m pip install --quiet onnxruntime numpy >&2
py="$venv/bin/python"

work="$(mktemp -d /tmp/tributary-onnx.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${KEEP:-}" ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"
T="$bin/tributary"

# Waits (up to 120 s: a deadline for a stuck process, not a timing check) for FILE to hold TEXT.
wait_for() {
  for _ in $(seq 1 1200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "error: $1 never said '$2':" >&2; cat "$1" "${1%.log}.err" >&2 2>/dev/null || true; exit 1
}

"$py" "$root/scripts/check_onnx.py" make-data . >&2
$T init --out model.ckpt --fit-data train.csv --hidden 16 --outputs 3 --seed 7 --epochs 30 --batch-size 16 --lr 0.05 >/dev/null
$T train --checkpoint model.ckpt --data train.csv --quiet | grep -v '^wrote' >&2

$T certs init --dir fleet >/dev/null
$T certs issue --dir fleet --server localhost --ip 127.0.0.1 >/dev/null
$T certs issue --dir fleet --client edge-1 >/dev/null
# start_coordinator NAME CHECKPOINT: a coordinator whose registry NAME-registry gets CHECKPOINT as
# version 1 (promoted, live); sets $port.
start_coordinator() {
  cat > "$1.yaml" <<YAML
listen: 127.0.0.1:0
tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem, deny_list: fleet/revoked.txt, handshake_timeout: 120s}
registry: {directory: $1-registry}
model: {initial_checkpoint: $2}
admin: {enabled: false}
YAML
  $T coordinator serve --config "$1.yaml" > "$1.log" 2> "$1.err" &
  pids+=($!)
  wait_for "$1.log" "listening on"
  port="$(grep -o '127.0.0.1:[0-9]*' "$1.log" | head -1 | cut -d: -f2)"
}
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}

start_coordinator softmax model.ckpt
cat > edge.yaml <<YAML
coordinator: {address: "127.0.0.1:$port", server_name: localhost}
tls: {ca: fleet/ca.pem, cert: fleet/edge-1.pem, key: fleet/edge-1-key.pem}
state: {directory: state}
feedback: {features: 4, classes: 3}
YAML
"$bin/tributary-edge" run --config edge.yaml > edge.log 2> edge.err &
pids+=($!)
wait_for edge.log "adopted model version 1"
stop_all

$T models export live --registry softmax-registry --format onnx --out model.onnx >&2
$T predict --checkpoint model.ckpt --data held-out.csv --out tributary.csv >&2
"$bin/tributary-edge" export --format onnx --config edge.yaml edge.onnx >&2
# The model's standardiser is in the file: exporting it with a second one is refused.
if $T models export live --registry softmax-registry --format onnx --out twice.onnx --fit-data train.csv 2> twice.err; then
  echo "error: a second standardiser (--fit-data) on a model that has one was accepted" >&2; exit 1
fi
grep -q "carries its own standardiser" twice.err || { echo "error: unexpected refusal:" >&2; cat twice.err >&2; exit 1; }

# A second head: binary cross-entropy (sigmoid probabilities) over tanh hidden units.
$T init --out bce.ckpt --inputs 4 --hidden 12 --outputs 3 --activation tanh --loss binaryCrossEntropy --seed 8 --epochs 30 --batch-size 16 --lr 0.1 >/dev/null
$T train --checkpoint bce.ckpt --data train-std.csv --quiet | grep -v '^wrote' >&2
start_coordinator bce bce.ckpt
stop_all
$T models export 1 --registry bce-registry --format onnx --out bce.onnx --fit-data train.csv >&2
$T predict --checkpoint bce.ckpt --data held-out.csv --fit-data train.csv --out tributary-bce.csv >&2

status=0
"$py" "$root/scripts/check_onnx.py" compare model.onnx held-out.csv tributary.csv || status=1
"$py" "$root/scripts/check_onnx.py" compare edge.onnx held-out.csv tributary.csv || status=1
"$py" "$root/scripts/check_onnx.py" compare bce.onnx held-out.csv tributary-bce.csv || status=1
[[ $status == 0 ]] && echo "OK: onnxruntime $("$py" -c 'import onnxruntime; print(onnxruntime.__version__)') answers as Tributary does"
exit $status
