#!/usr/bin/env bash
# Installs the system packages Tributary builds against, on Debian or Ubuntu.
#   libopenblas-dev   the math (BLAS through the COpenBLAS system-library target)
#   pkg-config        finds OpenBLAS's headers for SwiftPM
#   libsqlite3-dev    the coordinator's model registry (GRDB)
#   libssl-dev        the protocol's C side and certificate checks by hand
#   protobuf-compiler regenerating / checking the committed protobuf code
#   openssl, sslscan  probing the coordinator's TLS from outside (scripts/probe-tls.sh)
#   libprotobuf-c-dev, protobuf-c-compiler, make, gcc   the C edge client (edge/c)
#   curl, python3-venv, python3-pip   the device-loop session and the ONNX / wire checks
#   prometheus        the metrics test scrapes a coordinator and an edge with a real Prometheus
#   chromium, chromium-driver   the status page checked in a real headless browser (scripts/status-page-check.sh)
set -euo pipefail
packages=(libopenblas-dev pkg-config libsqlite3-dev libssl-dev protobuf-compiler openssl sslscan time
          libprotobuf-c-dev protobuf-c-compiler make gcc curl python3-venv python3-pip prometheus
          chromium chromium-driver)
sudo=""
if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "installed: ${packages[*]}"
