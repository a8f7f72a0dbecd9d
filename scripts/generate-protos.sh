#!/usr/bin/env bash
# Regenerates the Swift code for the wire contract (Protocols/tributary/v1/*.proto) into
# Sources/TributaryWire/Generated/ (or into the folder given as $1), the subset of ONNX's model
# format we export (Protocols/onnx/onnx.proto) into Sources/TributaryONNX/Generated/ (or $2), and
# the C code of the C edge client into edge/c/generated/ (or $3) with protoc-c
# (apt-get install protobuf-c-compiler).
#
# protoc-gen-swift is built from the package's own swift-protobuf dependency, so the
# generator always matches the SwiftProtobuf runtime we link; protoc is Debian's
# (apt-get install protobuf-compiler). Set PROTOC_GEN_SWIFT to a built plugin to skip the
# build (about 90 s on 2 cores). We do not use the SwiftPM build plugin: it would rebuild
# protoc on every clean build (minutes), and committed output can be reviewed and diffed.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/Sources/TributaryWire/Generated}"
onnx_out="${2:-$root/Sources/TributaryONNX/Generated}"
c_out="${3:-$root/edge/c/generated}"
cd "$root"

command -v protoc >/dev/null || { echo "error: protoc not found; apt-get install protobuf-compiler" >&2; exit 1; }
command -v protoc-c >/dev/null || { echo "error: protoc-c not found; apt-get install protobuf-c-compiler" >&2; exit 1; }

if [[ -z "${PROTOC_GEN_SWIFT:-}" ]]; then
  swift build -c release --product protoc-gen-swift >&2
  PROTOC_GEN_SWIFT="$(swift build -c release --show-bin-path)/protoc-gen-swift"
fi
[[ -x "$PROTOC_GEN_SWIFT" ]] || { echo "error: no executable plugin at $PROTOC_GEN_SWIFT" >&2; exit 1; }

# generate OUT PROTO…: internal Swift types for PROTO… into OUT (its old *.pb.swift removed).
generate() {
  local into="$1"
  shift
  mkdir -p "$into"
  rm -f "$into"/*.pb.swift
  protoc \
    --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" \
    --swift_out="$into" \
    --swift_opt=Visibility=Internal \
    --swift_opt=FileNaming=PathToUnderscores \
    -I Protocols \
    "$@"
  echo "generated into $into:" >&2
  ls "$into"/*.pb.swift >&2
}
generate "$out" Protocols/tributary/v1/*.proto
generate "$onnx_out" Protocols/onnx/onnx.proto

mkdir -p "$c_out"
rm -rf "$c_out/tributary"
protoc-c --c_out="$c_out" -I Protocols Protocols/tributary/v1/*.proto
echo "generated into $c_out:" >&2
ls "$c_out"/tributary/v1/*.pb-c.[ch] >&2
