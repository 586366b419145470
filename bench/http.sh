#!/usr/bin/env bash
# Issue 2 figures: wrk on GET /health and GET /api/v1/auth/me at 64
# connections (requests/s, p99), idle RSS, and time from start to /ready.
#   bench/http.sh [SECONDS]     (default 10 s per run)
source "$(dirname "$0")/lib.sh"
secs=${1:-10}
port=18080

bench_start_server $port RATE_LIMIT_PER_MINUTE=100000000
ready_ms=$BENCH_READY_MS
sleep 1
idle_kib=$(bench_rss_kib "$BENCH_SERVER_PID")

token=$(curl -sf -XPOST "http://127.0.0.1:$port/api/v1/auth/register" \
  -d '{"email":"bench@example.com","password":"benchmark"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

read -r health_rps health_p99 < <(bench_wrk "http://127.0.0.1:$port/health" "$secs")
read -r me_rps me_p99 < <(bench_wrk "http://127.0.0.1:$port/api/v1/auth/me" "$secs" \
  -H "Authorization: Bearer $token")
loaded_kib=$(bench_rss_kib "$BENCH_SERVER_PID")

cat <<TXT
machine: $(nproc) cores; server and wrk share them (wrk -t2 -c64, ${secs}s)
start to /ready (incl. migrating an empty database): ${ready_ms} ms
idle RSS: $((idle_kib / 1024)) MiB (${idle_kib} KiB)
GET /health:       ${health_rps} req/s, p99 ${health_p99}
GET /api/v1/auth/me: ${me_rps} req/s, p99 ${me_p99}  (JWT check; the account is looked up once per 30 s)
RSS after load: $((loaded_kib / 1024)) MiB
TXT
