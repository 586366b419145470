#!/usr/bin/env bash
# Issue 23 figure: GET /api/v1/wellness as the older app asks for it (a
# bare array) against the newer app's page (the envelope: limit and offset,
# one more count in the same round trip), 30 days over 1,000 users, gzip,
# wrk -t2 -c64; alternated twice so that the machine's drift hits both.
#   bench/wellness_envelope.sh [SECONDS]
source "$(dirname "$0")/lib.sh"
secs=${1:-8}
port=18083
secret=bench-secret

bench_start_server $port RATE_LIMIT_PER_MINUTE=100000000 SECRET_KEY=$secret
bench_seed_athletes
tokens=$(mktemp /tmp/bench-tokens.XXXXXX)
bench_wrk_script "$secret" 1000 /api/v1/wellness > "$tokens.bare.lua"
bench_wrk_script "$secret" 1000 "/api/v1/wellness?limit=50&offset=0" > "$tokens.page.lua"
for kind in bare page; do # warm: every actor exists and holds both pages
  wrk -t2 -c64 -d2s -s "$tokens.$kind.lua" "http://127.0.0.1:$port" >/dev/null
done
echo "machine: $(nproc) cores shared by server, PostgreSQL and wrk (wrk -t2 -c64, ${secs}s per run, 1,000 users, 30 days)"
for round in 1 2; do
  for kind in bare page; do
    read -r rps p99 < <(bench_wrk "http://127.0.0.1:$port" "$secs" -s "$tokens.$kind.lua")
    echo "round $round, GET /api/v1/wellness ${kind/page/envelope (limit=50)}: $rps req/s, p99 $p99"
  done
done
rm -f "$tokens" "$tokens".*.lua
