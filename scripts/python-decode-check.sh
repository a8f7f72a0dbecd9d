#!/usr/bin/env bash
# Decodes a Tributary frame file with Python's protobuf runtime, independently of the Swift
# code: proves the contract in Protocols/ is all a foreign peer needs.
#
#   scripts/python-decode-check.sh FRAME_FILE [FLOAT32_FRAME]
#   scripts/python-decode-check.sh            # first writes WireSamples.updateFrame(seed: 7) with
#                                              # `tributary protocol sample-update --out FILE`
#                                              # ($TRIBUTARY_BIN, else .build/debug/tributary, built if missing),
#                                              # and the same Update compressed (--compress int8, topk:0.1;
#                                              # --compress-fisher int8, fp16, sqrt_int8), each decoded and
#                                              # checked against the Float32 one
# Compressed payloads (Update.compressed_delta, compressed_fisher) are decoded from their byte
# formats (docs/privacy.md); with FLOAT32_FRAME, the same Update in Float32, every decoded value
# must lie within one quantisation step of it.
# Needs protoc (apt-get install protobuf-compiler) and python3; installs the `protobuf`
# package with pip if it is missing. Generated Python goes to a temp dir only.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

frame="${1:-}" reference="${2:-}"
samples=()
if [[ -z "$frame" ]]; then
  frame="$work/update-seed7.frame"
  bin="${TRIBUTARY_BIN:-$root/.build/debug/tributary}"
  [[ -x "$bin" ]] || (cd "$root" && swift build --product tributary >&2)
  "$bin" protocol sample-update --out "$frame" --seed 7 >&2
  for codecs in "int8 int8" "int8 fp16" "topk:0.1 sqrt_int8"; do
    read -r delta fisher <<< "$codecs"
    sample="$work/update-seed7-$delta-$fisher.frame"
    "$bin" protocol sample-update --out "$sample" --seed 7 --compress "$delta" --compress-fisher "$fisher" >&2
    samples+=("$sample")
  done
fi
[[ -f "$frame" ]] || { echo "error: no frame file at $frame" >&2; exit 1; }

python3 -c 'import google.protobuf' 2>/dev/null || python3 -m pip install --quiet protobuf >&2
mkdir -p "$work/py"
protoc -I "$root/Protocols" --python_out="$work/py" "$root"/Protocols/tributary/v1/*.proto

cat > "$work/decode.py" <<'PY'
import math, struct, sys
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

def decode_compressed(name, blob):
    """A compressed vector (docs/privacy.md, "Compression"): the 8-byte header, then the body of
    its format; every length checked against what is there. Returns the decoded floats."""
    if len(blob) < 8:
        sys.exit(f"{name}: {len(blob)} bytes, shorter than the 8-byte header")
    magic, fmt, version, count = blob[:2], blob[2], blob[3], struct.unpack("<I", blob[4:8])[0]
    assert magic == b"TC", (name, magic)
    assert version == 1, (name, version)
    body = blob[8:]
    if fmt in (1, 5):  # int8 blocks (5: of square roots, read back squared)
        (block,) = struct.unpack("<I", body[:4])
        assert block >= 1, (name, block)
        blocks = (count + block - 1) // block
        assert len(body) == 4 + 4 * blocks + count, (name, len(body), blocks, count)
        scales = struct.unpack(f"<{blocks}f", body[4:4 + 4 * blocks])
        assert all(math.isfinite(s) and s >= 0 for s in scales), name
        ints = struct.unpack(f"<{count}b", body[4 + 4 * blocks:])
        assert -128 not in ints, name
        values = [q * scales[i // block] for i, q in enumerate(ints)]
        if fmt == 5:
            values = [v * v for v in values]
        kind = f"int8 blocks of {block}" + (" (square roots)" if fmt == 5 else "") + f", {blocks} scales"
    elif fmt == 2:  # IEEE half
        assert len(body) == 2 * count, (name, len(body), count)
        values = list(struct.unpack(f"<{count}e", body))
        assert all(math.isfinite(v) for v in values), name
        kind = "fp16"
    elif fmt == 3:  # sparse: k, k LEB128 index gaps, k Float32 values
        (k,) = struct.unpack("<I", body[:4])
        assert k <= count, (name, k, count)
        values, offset, index = [0.0] * count, 4, -1
        indices = []
        for _ in range(k):
            gap, shift = 0, 0
            while True:
                byte = body[offset]; offset += 1
                gap |= (byte & 0x7F) << shift; shift += 7
                if not byte & 0x80:
                    break
            index += gap + 1
            assert index < count, (name, index, count)
            indices.append(index)
        assert len(body) == offset + 4 * k, (name, len(body), offset, k)
        for i, v in zip(indices, struct.unpack(f"<{k}f", body[offset:])):
            values[i] = v
        kind = f"top-k sparse, {k} of {count} kept"
    else:
        sys.exit(f"{name}: format {fmt} is not a format of an Update")
    head = ", ".join(f"{v:.6g}" for v in values[:3])
    print(f"  {name}: {len(blob)} bytes, {kind}, {count} values, first=[{head}]")
    return values

def flat(pset):
    return [v for nt in pset.tensors for v in struct.unpack(f"<{len(nt.tensor.data) // 4}f", nt.tensor.data)]

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
decoded = {}
if u.compressed_delta:
    assert not u.delta.tensors, "Update.delta has tensors beside compressed_delta"
    decoded["delta"] = decode_compressed("compressed_delta", u.compressed_delta)
if u.compressed_fisher:
    assert not u.HasField("fisher"), "Update.fisher is present beside compressed_fisher"
    decoded["fisher"] = decode_compressed("compressed_fisher", u.compressed_fisher)
if len(sys.argv) > 2 and decoded:
    # The same Update in Float32 (a reference frame): every decoded value within one quantisation
    # step of its block (at most max|x| / 127; for square roots (q s)² is within max · (2/127 + 1/127²)).
    reference = envelope_pb2.Envelope()
    reference.ParseFromString(open(sys.argv[2], "rb").read()[4:])
    for what, values in decoded.items():
        fmt = (u.compressed_delta if what == "delta" else u.compressed_fisher)[2]
        exact = flat(getattr(reference.update, what))
        assert len(exact) == len(values), (what, len(exact), len(values))
        if fmt == 3:
            # A first round (no residual yet): the kept entries are the delta's, and the largest.
            kept = [i for i, v in enumerate(values) if v != 0]
            assert all(values[i] == exact[i] for i in kept), what
            dropped = max((abs(exact[i]) for i in set(range(len(exact))) - set(kept)), default=0)
            assert min(abs(values[i]) for i in kept) >= dropped, what
            print(f"  {what}: the {len(kept)} kept entries are the Float32 reference's largest, exactly")
            continue
        largest = max(abs(v) for v in exact)
        step = largest * (2 / 127 + 1 / 127**2) if fmt == 5 else largest / 127
        worst = max(abs(a - b) for a, b in zip(values, exact))
        assert worst <= step * (1 + 1e-5), (what, worst, step)
        print(f"  {what}: {len(values)} values within {worst:.3g} of the Float32 reference (one step is at most {step:.3g})")
for key in sorted(u.metrics):
    print(f"  metrics[{key!r}] = {u.metrics[key]:.6g}")
print("OK: decoded with Python protobuf", __import__("google.protobuf").protobuf.__version__)
PY
PYTHONPATH="$work/py" python3 "$work/decode.py" "$frame" ${reference:+"$reference"}
for sample in "${samples[@]}"; do
  PYTHONPATH="$work/py" python3 "$work/decode.py" "$sample" "$frame"
done
