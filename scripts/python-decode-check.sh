#!/usr/bin/env bash
# Decodes a Tributary frame file with Python's protobuf runtime, independently of the Swift
# code: proves the contract in Protocols/ is all a foreign peer needs.
#
#   scripts/python-decode-check.sh FRAME_FILE
#   scripts/python-decode-check.sh            # first writes WireSamples.updateFrame(seed: 7) with
#                                              # `tributary protocol sample-update --out FILE`
#                                              # ($TRIBUTARY_BIN, else .build/debug/tributary, built if missing)
# Needs protoc (apt-get install protobuf-compiler) and python3; installs the `protobuf`
# package with pip if it is missing. Generated Python goes to a temp dir only.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

frame="${1:-}"
if [[ -z "$frame" ]]; then
  frame="$work/update-seed7.frame"
  bin="${TRIBUTARY_BIN:-$root/.build/debug/tributary}"
  [[ -x "$bin" ]] || (cd "$root" && swift build --product tributary >&2)
  "$bin" protocol sample-update --out "$frame" --seed 7 >&2
fi
[[ -f "$frame" ]] || { echo "error: no frame file at $frame" >&2; exit 1; }

python3 -c 'import google.protobuf' 2>/dev/null || python3 -m pip install --quiet protobuf >&2
mkdir -p "$work/py"
protoc -I "$root/Protocols" --python_out="$work/py" "$root"/Protocols/tributary/v1/*.proto

PYTHONPATH="$work/py" python3 - "$frame" <<'PY'
import struct, sys
from tributary.v1 import envelope_pb2, tensor_pb2

data = open(sys.argv[1], "rb").read()
if len(data) < 4:
    sys.exit(f"frame is {len(data)} bytes, shorter than its length prefix")
(length,) = struct.unpack(">I", data[:4])
if length != len(data) - 4:
    sys.exit(f"length prefix says {length} bytes, {len(data) - 4} follow")
env = envelope_pb2.Envelope()
env.ParseFromString(data[4:])
kind = env.WhichOneof("message")
print(f"frame: {len(data)} bytes, Envelope.protocol_version={env.protocol_version}, message={kind}")
if kind != "update":
    print(env)
    sys.exit(0)

def describe(name, pset):
    for nt in pset.tensors:
        t = nt.tensor
        count = 1
        for d in t.shape:
            count *= d
        dtype = tensor_pb2.DType.Name(t.dtype)
        assert t.dtype == tensor_pb2.DTYPE_FLOAT32, dtype
        assert len(t.data) == 4 * count, (nt.name, len(t.data), count)
        values = struct.unpack(f"<{count}f", t.data)
        head = ", ".join(f"{v:.6g}" for v in values[:3])
        print(f"  {name}.{nt.name}: {dtype} shape={list(t.shape)} bytes={len(t.data)} first=[{head}]")

u = env.update
print(f"Update: round_id={u.round_id} base_model_version={u.base_model_version} num_examples={u.num_examples}")
describe("delta", u.delta)
describe("fisher", u.fisher)
for key in sorted(u.metrics):
    print(f"  metrics[{key!r}] = {u.metrics[key]:.6g}")
print("OK: decoded with Python protobuf", __import__("google.protobuf").protobuf.__version__)
PY
