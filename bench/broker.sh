#!/usr/bin/env bash
# Issue 10 figures, broker: overhead per Gemini call against a zero-latency
# transport (broker + upstream actor vs the upstream actor alone).
#   bench/broker.sh [CALLS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
install_deps
BUILD_TARGETS="bench_broker" build_project build/release Release >/dev/null
calls=${1:-100000}
build/release/bench/bench_broker "$calls" 5
build/release/bench/bench_broker "$calls" 1
