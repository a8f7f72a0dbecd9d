#!/usr/bin/env bash
# Serving on the edge: predict latency p50/p99 (one example) and throughput (batches of 64) on a
# 64-64-10 and a 100k-parameter model (64-512-128-10), in process and over loopback HTTP; the
# feedback store's ingest rate for logged predictions (SQLite WAL, synchronous=NORMAL); RSS.
# Usage: bash scripts/bench-serving.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product TributaryServingBench >/dev/null
.build/release/TributaryServingBench
