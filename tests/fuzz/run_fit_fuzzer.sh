#!/usr/bin/env bash
# A short libFuzzer run of the FIT decoder, seeded with the sample files.
#   run_fit_fuzzer.sh FUZZER SEED_WRITER [SECONDS]
set -euo pipefail
fuzzer=$1 seeds=$2 secs=${3:-20}
corpus=$(mktemp -d /tmp/fit-corpus.XXXXXX)
trap 'rm -rf "$corpus"' EXIT
"$seeds" "$corpus"
"$fuzzer" -max_total_time="$secs" -max_len=65536 -timeout=5 -rss_limit_mb=1024 \
  -print_final_stats=1 "$corpus" 2>&1 | tail -15
