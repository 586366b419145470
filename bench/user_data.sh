#!/usr/bin/env bash
# Issue 3 figures: wrk on GET /api/v1/wellness (30 days) and
# GET /api/v1/workouts, authenticated, gzip, 64 connections spread over
# 1,000 users; bytes per idle user actor at 10k and 100k; FIT decode MB/s.
#   bench/user_data.sh [SECONDS]
source "$(dirname "$0")/lib.sh"
secs=${1:-10}
port=18081
secret=bench-secret

bench_start_server $port RATE_LIMIT_PER_MINUTE=100000000 SECRET_KEY=$secret
bench_seed_athletes
psql -q -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench <<'SQL'
INSERT INTO workouts (user_id, start_date, name, type, duration_sec, tss, source)
  SELECT u.id, now() - d * interval '1 day', 'Ride ' || d, 'Ride', 3600, 60, 'manual'
  FROM users u, generate_series(0, 13) d;
SQL
tokens=$(mktemp /tmp/bench-tokens.XXXXXX)
bench_wrk_script "$secret" 1000 /api/v1/wellness > "$tokens.wellness.lua"
bench_wrk_script "$secret" 1000 /api/v1/workouts > "$tokens.workouts.lua"
# Warm: every user's actor exists and holds its lists.
wrk -t2 -c64 -d2s -s "$tokens.wellness.lua" "http://127.0.0.1:$port" >/dev/null
read -r w_rps w_p99 < <(bench_wrk "http://127.0.0.1:$port" "$secs" -s "$tokens.wellness.lua")
read -r k_rps k_p99 < <(bench_wrk "http://127.0.0.1:$port" "$secs" -s "$tokens.workouts.lua")
bytes=$(curl -s -H "Accept-Encoding: gzip" -H "Authorization: Bearer $(sed -n 2p "$tokens.wellness.lua" | tr -d '",')" \
  "http://127.0.0.1:$port/api/v1/wellness" | wc -c)
rm -f "$tokens" "$tokens".*.lua

echo "machine: $(nproc) cores shared by server, PostgreSQL and wrk (wrk -t2 -c64, ${secs}s, 1,000 users)"
echo "GET /api/v1/wellness (30 days, ${bytes} B gzip): ${w_rps} req/s, p99 ${w_p99}"
echo "GET /api/v1/workouts (14 days):               ${k_rps} req/s, p99 ${k_p99}"
build/release/bench/bench_user_actors 10000 100000
build/release/bench/bench_fit_decode 200000 20
