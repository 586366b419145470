#!/usr/bin/env bash
# Shared by the benchmarks: a Release build, a throwaway PostgreSQL and a
# server on loopback. Source it from a bench script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/deps.sh
source scripts/lib/pg.sh

install_deps
install_missing_packages wrk
BUILD_TARGETS="smart-trainer bench_user_actors bench_fit_decode bench_coach_context" build_project build/release Release >/dev/null

BENCH_PG_DIR=$(mktemp -d /tmp/smart-trainer-bench-pg.XXXXXX)
BENCH_PG_PORT=$(pg_free_port)
BENCH_SERVER_PID=""
bench_cleanup() {
  [ -n "$BENCH_SERVER_PID" ] && kill -TERM "$BENCH_SERVER_PID" 2>/dev/null && wait "$BENCH_SERVER_PID" 2>/dev/null
  pg_cluster_stop "$BENCH_PG_DIR" immediate
  rm -rf "$BENCH_PG_DIR"
}
trap bench_cleanup EXIT
pg_cluster_start "$BENCH_PG_DIR" "$BENCH_PG_PORT"
pg_create_database "$BENCH_PG_PORT" bench
export DATABASE_URL="postgresql://postgres@127.0.0.1:$BENCH_PG_PORT/bench"

# bench_start_server PORT [KEY=VALUE...]: start BENCH_BIN (default: this
# tree's Release build; point it at an older binary to compare), wait for
# /ready; sets BENCH_READY_MS to the milliseconds from exec to the first 200
# of /ready.
bench_start_server() {
  local port=$1
  shift
  local t0 t1
  t0=$(date +%s%N)
  env PORT="$port" HOST=127.0.0.1 "$@" "${BENCH_BIN:-build/release/smart-trainer}" serve \
    >"$BENCH_PG_DIR/server.log" 2>&1 &
  BENCH_SERVER_PID=$!
  local deadline=$((t0 + 30 * 1000000000))
  until curl -sf "http://127.0.0.1:$port/ready" >/dev/null; do
    if ! kill -0 "$BENCH_SERVER_PID" 2>/dev/null || [ "$(date +%s%N)" -gt $deadline ]; then
      echo "server did not become ready:" >&2
      cat "$BENCH_PG_DIR/server.log" >&2
      exit 1
    fi
    sleep 0.002
  done
  t1=$(date +%s%N)
  BENCH_READY_MS=$(((t1 - t0) / 1000000))
}

# bench_start_fake_gemini: the fake Gemini (tests/fakes) on a free port,
# stopped with the rest; sets BENCH_GEMINI_URL (its root, without /v1beta).
bench_start_fake_gemini() {
  local log="$BENCH_PG_DIR/gemini.log"
  /usr/bin/python3 tests/fakes/gemini_fake.py --port 0 >"$log" 2>&1 &
  BENCH_GEMINI_PID=$!
  trap 'kill $BENCH_GEMINI_PID 2>/dev/null; bench_cleanup' EXIT
  until grep -q listening "$log"; do sleep 0.05; done
  BENCH_GEMINI_URL=$(sed -n 's/listening on //p' "$log")
}

# bench_rss_kib PID: resident set size in KiB.
# 1,000 athletes bench1..bench1000@example.com (ids 1..1000 in a fresh
# database, as bench_wrk_script's tokens expect), each with 30 days of
# wellness up to today.
bench_seed_athletes() {
  psql -q -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench <<'SQL'
INSERT INTO users (email, created_at)
  SELECT 'bench' || i || '@example.com', now() FROM generate_series(1, 1000) i;
INSERT INTO wellness_cache (user_id, date, sleep_hours, rhr, hrv, ctl, atl, tsb)
  SELECT u.id, current_date - d, 7.5, 50, 60, 40, 45, -5
  FROM users u, generate_series(0, 29) d;
SQL
}

bench_rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# bench_wrk URL SECONDS [wrk args...]: prints "requests/s p99".
bench_wrk() {
  local url=$1 secs=$2
  shift 2
  wrk -t2 -c64 -d"${secs}s" --latency "$@" "$url" | awk '
    /Requests\/sec/ {rps=$2}
    $1=="99%" {p99=$2}
    END {print rps, p99}'
}

# bench_wrk_script SECRET COUNT PATH: a wrk Lua script that GETs PATH
# (gzip) as users 1..COUNT in turn; its second line holds user 1's token.
bench_wrk_script() {
  echo "tokens = {"
  bench_mint_tokens "$1" "$2" | sed 's/.*/"&",/'
  echo "}"
  cat <<LUA
counter = 0
request = function()
  counter = counter + 1
  local t = tokens[(counter % #tokens) + 1]
  return wrk.format("GET", "$3", {["Authorization"] = "Bearer " .. t,
                                  ["Accept-Encoding"] = "gzip"})
end
LUA
}

# bench_mint_tokens SECRET COUNT: access tokens of users 1..COUNT (HS256,
# one hour), one per line, minted without the server.
bench_mint_tokens() {
  python3 - "$1" "$2" <<'PY'
import base64, hashlib, hmac, json, sys, time
b = lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
key, count = sys.argv[1].encode(), int(sys.argv[2])
for i in range(1, count + 1):
    h = b(b'{"alg":"HS256","typ":"JWT"}') + "." + b(json.dumps(
        {"sub": str(i), "email": f"bench{i}@example.com",
         "exp": int(time.time()) + 3600}).encode())
    print(h + "." + b(hmac.new(key, h.encode(), hashlib.sha256).digest()))
PY
}

# bench_db_stat KEY: a counter of the DB actors from the admin stats
# (server on BENCH_PORT with ADMIN_TOKEN=adm).
bench_db_stat() {
  curl -s -H "Authorization: Bearer adm" "http://127.0.0.1:$BENCH_PORT/api/v1/admin/actors" |
    python3 -c "import json,sys; print(json.load(sys.stdin)['db']['$1'])"
}
