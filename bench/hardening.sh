#!/usr/bin/env bash
# Issue 8 figures: GET /health (wrk -c64) while IDLE idle connections are
# open; RSS after one read of 150 workouts with 1 MB notes each (rows as a
# reference database may hold them). Each figure for this tree's binary
# and, when BASE_BIN names one, for that binary in the same run.
#   bench/hardening.sh [SECONDS] [IDLE]
source "$(dirname "$0")/lib.sh"
secs=${1:-10}
idle=${2:-3000}
ulimit -n "$(ulimit -Hn)"

measure() {
  local label=$1 bin=$2 port=$3
  psql -q -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres postgres \
    -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
  BENCH_BIN=$bin bench_start_server "$port" RATE_LIMIT_PER_MINUTE=100000000 \
    MAX_CONNECTIONS_PER_CLIENT=100000 SECRET_KEY=bench-secret
  # Idle connections: opened, then never written to.
  python3 - "$port" "$idle" <<'PY' &
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
held = []
for _ in range(n):
    s = socket.socket()
    s.connect(("127.0.0.1", port))
    held.append(s)
time.sleep(3600)
PY
  local holder=$!
  sleep 3
  local open_now
  open_now=$(ls /proc/$BENCH_SERVER_PID/fd | wc -l)
  read -r rps p99 < <(bench_wrk "http://127.0.0.1:$port/health" "$secs")
  local alive=ok
  curl -sf -m 5 "http://127.0.0.1:$port/health" >/dev/null || alive=unanswered
  kill "$holder"; wait "$holder" 2>/dev/null || true

  local token
  token=$(curl -sf -XPOST "http://127.0.0.1:$port/api/v1/auth/register" \
    -d '{"email":"notes@example.com","password":"benchmark"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  psql -q -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench -c \
    "INSERT INTO workouts (user_id, start_date, name, source, notes)
     SELECT (SELECT id FROM users WHERE email = 'notes@example.com'),
            now() - i * interval '1 hour', 'w' || i, 'manual',
            repeat(md5(i::text), 32768)
     FROM generate_series(1, 150) i"
  local before after later
  before=$(bench_rss_kib "$BENCH_SERVER_PID")
  curl -sf -o /dev/null -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/api/v1/workouts"
  after=$(bench_rss_kib "$BENCH_SERVER_PID")
  sleep 2
  later=$(bench_rss_kib "$BENCH_SERVER_PID")
  kill -TERM "$BENCH_SERVER_PID"; wait "$BENCH_SERVER_PID" 2>/dev/null || true
  BENCH_SERVER_PID=""
  echo "$label: /health with $idle idle connections (server holds $open_now fds): $rps req/s, p99 $p99, afterwards $alive"
  echo "$label: RSS around one read of 150 workouts x 1 MB notes: $((before / 1024)) MiB before, $((after / 1024)) MiB after, $((later / 1024)) MiB 2 s later"
}

echo "machine: $(nproc) cores shared by server, PostgreSQL, wrk and the idle clients (wrk -t2 -c64, ${secs}s)"
measure "this tree" build/release/smart-trainer 18090
if [ -n "${BASE_BIN:-}" ]; then
  measure "base ($BASE_BIN)" "$BASE_BIN" 18091
fi
