#!/usr/bin/env bash
# What CI runs for the C edge client (edge/c), on a fresh Debian machine as root:
#   1. packages: the native build and test tools, and the arm64 and armhf cross compilers, qemu-user
#      and the :arm64/:armhf builds of libssl-dev, libprotobuf-c-dev and libopenblas-dev
#      (SKIP_APT=1 skips this step on a machine that has them);
#   2. make -C edge/c check           the unit tests;
#   3. make -C edge/c memcheck        the same under valgrind (no leak, no invalid access);
#   4. scripts/fuzz-c-frame.sh        the frame decoder under libFuzzer + ASan + UBSan for FUZZ_SECONDS (default 30);
#   5. scripts/c-edge-session.sh      against a real coordinator, check 1's session under valgrind;
#   6. scripts/c-edge-trigger-vs-swift.sh   the C trigger's decisions = the Swift trigger's (swiftc);
#   7. scripts/c-edge-cross.sh        ARCH=arm64 and ARCH=armhf: cross-built, unit tests (test_checkpoint's
#      SIGKILL trials as separate processes) and 2 rounds under qemu-user.
# Each step's time is printed as it ends and in a summary; the first failing step stops the run (exit 1).
# Expects the Swift binaries built (CI runs `swift test` first): .build/debug/tributary and
# tributary-edge, or BIN=.build/release. About 5 minutes on 2 cores.
#
#   bash scripts/ci-c-edge.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="${BIN:-$root/.build/debug}"
[[ -x "$bin/tributary" && -x "$bin/tributary-edge" ]] \
  || { echo "ci-c-edge: $bin/tributary and $bin/tributary-edge are not built; run swift build (or set BIN)" >&2; exit 1; }
export BIN="$bin"

summary=()
step() {  # name, command...
  local name="$1" start=$SECONDS code=0
  shift
  echo "=== $name"
  "$@" || code=$?
  local took=$((SECONDS - start))
  summary+=("$(printf '%-34s %4d s  %s' "$name" "$took" "$([[ $code -eq 0 ]] && echo ok || echo "FAILED (exit $code)")")")
  echo "=== $name: ${took} s, $([[ $code -eq 0 ]] && echo ok || echo "FAILED (exit $code)")"
  if [[ $code -ne 0 ]]; then
    printf '%s\n' "${summary[@]}"
    exit 1
  fi
}

packages() {
  [[ $(id -u) -eq 0 ]] || { echo "packages: run as root (or SKIP_APT=1 on a machine that has them)" >&2; return 1; }
  dpkg --add-architecture arm64
  dpkg --add-architecture armhf
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    build-essential clang valgrind file pkg-config python3 libprotobuf-c-dev protobuf-c-compiler libssl-dev libopenblas-dev \
    qemu-user crossbuild-essential-arm64 crossbuild-essential-armhf \
    libssl-dev:arm64 libprotobuf-c-dev:arm64 libopenblas-dev:arm64 \
    libssl-dev:armhf libprotobuf-c-dev:armhf libopenblas-dev:armhf >/dev/null
  # libFuzzer's runtime: its own package where Debian splits it out (bookworm: libclang-rt-14-dev)
  local major
  major="$(clang --version | grep -o 'version [0-9]*' | head -1 | cut -d' ' -f2)"
  if apt-cache show "libclang-rt-$major-dev" >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "libclang-rt-$major-dev" >/dev/null
  fi
}

if [[ "${SKIP_APT:-0}" != 1 ]]; then
  step "packages (apt-get)" packages
fi
step "make check" make -s -C edge/c check
step "make memcheck (valgrind)" make -s -C edge/c memcheck
step "fuzz the frame decoder (${FUZZ_SECONDS:-30} s)" env FUZZ_SECONDS="${FUZZ_SECONDS:-30}" bash scripts/fuzz-c-frame.sh
step "session (valgrind)" env VALGRIND=1 bash scripts/c-edge-session.sh
step "trigger against the Swift one" bash scripts/c-edge-trigger-vs-swift.sh
step "cross arm64 under qemu" env ARCH=arm64 bash scripts/c-edge-cross.sh
step "cross armhf under qemu" env ARCH=armhf bash scripts/c-edge-cross.sh
echo "--- C edge client: every step passed"
printf '%s\n' "${summary[@]}"
printf '%-34s %4d s\n' "total" "$SECONDS"
