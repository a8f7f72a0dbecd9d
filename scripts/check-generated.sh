#!/usr/bin/env bash
# Fails (exit 1) if the committed generated code (Sources/TributaryWire/Generated/*.pb.swift,
# Sources/TributaryONNX/Generated/*.pb.swift, edge/c/generated/tributary/v1/*.pb-c.[ch]) differs
# from what scripts/generate-protos.sh produces from Protocols/ now, naming each stale, missing or
# extra file.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT

"$root/scripts/generate-protos.sh" "$fresh/TributaryWire" "$fresh/TributaryONNX" "$fresh/c" 2>/dev/null

status=0
for target in TributaryWire TributaryONNX; do
  folder="Sources/$target/Generated"
  committed="$root/$folder"
  for f in "$fresh/$target"/*.pb.swift; do
    name="$(basename "$f")"
    if [[ ! -f "$committed/$name" ]]; then
      echo "stale: $folder/$name is missing (generated from Protocols/)" >&2
      status=1
    elif ! cmp -s "$f" "$committed/$name"; then
      echo "stale: $folder/$name differs from freshly generated code:" >&2
      diff -u "$committed/$name" "$f" | head -20 >&2 || true
      status=1
    fi
  done
  for f in "$committed"/*.pb.swift; do
    [[ -e "$f" ]] || continue
    name="$(basename "$f")"
    if [[ ! -f "$fresh/$target/$name" ]]; then
      echo "stale: $folder/$name has no .proto in Protocols/ any more" >&2
      status=1
    fi
  done
done
c_committed="$root/edge/c/generated/tributary/v1"
for f in "$fresh"/c/tributary/v1/*.pb-c.[ch]; do
  name="$(basename "$f")"
  if [[ ! -f "$c_committed/$name" ]]; then
    echo "stale: edge/c/generated/tributary/v1/$name is missing (generated from Protocols/)" >&2
    status=1
  elif ! cmp -s "$f" "$c_committed/$name"; then
    echo "stale: edge/c/generated/tributary/v1/$name differs from freshly generated code:" >&2
    diff -u "$c_committed/$name" "$f" | head -20 >&2 || true
    status=1
  fi
done
for f in "$c_committed"/*.pb-c.[ch]; do
  [[ -e "$f" ]] || continue
  name="$(basename "$f")"
  if [[ ! -f "$fresh/c/tributary/v1/$name" ]]; then
    echo "stale: edge/c/generated/tributary/v1/$name has no .proto in Protocols/ any more" >&2
    status=1
  fi
done
if [[ $status -ne 0 ]]; then
  echo "run scripts/generate-protos.sh and commit the result" >&2
else
  echo "generated code is up to date"
fi
exit $status
