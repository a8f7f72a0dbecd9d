#!/usr/bin/env bash
# Training throughput and Fisher cost, Tributary and PyTorch side by side in one run, one thread.
# Needs: pip install torch. Usage: bash scripts/bench-training.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product tributary >/dev/null
.build/release/tributary bench | head -1
.build/release/tributary bench --json
OMP_NUM_THREADS=1 python3 scripts/bench_pytorch.py
