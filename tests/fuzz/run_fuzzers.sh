#!/usr/bin/env bash
# Runs libFuzzer targets on their seed corpus (tests/fuzz/corpus/TARGET),
# each for SECONDS, and prints one summary line per target: runs, exec/s,
# coverage. Exits non-zero when a target finds a crash (the input is kept
# under build/fuzz-crashes/ for a regression test).
#   run_fuzzers.sh FUZZER SEED_WRITER SECONDS [TARGET...]
set -euo pipefail
fuzzer=$1 seeds=$2 secs=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(ls "$here/corpus"))
crashes=${FUZZ_CRASH_DIR:-$(pwd)/fuzz-crashes}
mkdir -p "$crashes"
status=0
for target in "${targets[@]}"; do
  work=$(mktemp -d /tmp/fuzz-$target.XXXXXX)
  cp "$here/corpus/$target"/* "$work/" 2>/dev/null || true
  "$seeds" "$work" "$target"
  log=$work.log
  if ST_FUZZ_TARGET=$target \
      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$here/ubsan.supp \
      "$fuzzer" -max_total_time="$secs" -max_len=65536 \
      -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$crashes/$target-" "$work" >"$log" 2>&1; then
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    rate=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')
    cov=$(echo "$done_line" | sed -E 's/.*cov: ([0-9]+).*/\1/')
    ft=$(echo "$done_line" | sed -E 's/.*ft: ([0-9]+).*/\1/')
    echo "fuzz $target: ${secs}s, $runs runs, $rate exec/s, cov $cov, ft $ft"
  else
    echo "fuzz $target: FAILED (crash input under $crashes)"
    tail -40 "$log"
    status=1
  fi
  rm -rf "$work" "$log"
done
exit $status
