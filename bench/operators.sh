#!/usr/bin/env bash
# Issue 13 figures: the cost of GET /metrics and GET /api/v1/admin/actors
# (ms and bytes per call) with USERS user actors resident, and the metrics'
# overhead on GET /api/v1/wellness throughput against OLD_BIN (a build from
# before the metrics), measured in this run, rounds alternating.
#   bench/operators.sh [USERS] [SECONDS] [OLD_BIN]
#   defaults: 100000 users, 10 s per wrk run, no comparison without OLD_BIN
source "$(dirname "$0")/lib.sh"
users=${1:-100000}
secs=${2:-10}
old_bin=${3:-}
BENCH_PORT=18090
secret=bench-operators-secret
work=$(mktemp -d /tmp/st-bench-operators.XXXXXX)

sql() { psql -q -t -A "$DATABASE_URL" -c "$1"; }
build/release/smart-trainer migrate >/dev/null
sql "INSERT INTO users (email, password_hash, created_at) SELECT 'bench' || g || '@example.com', 'x', now() FROM generate_series(1, $users) g" >/dev/null
bench_mint_tokens "$secret" "$users" >"$work/tokens"

# Each wrk thread walks its own share of the tokens: every user is asked.
cat >"$work/users.lua" <<'LUA'
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local threads, n = 0, 0
function setup(thread) thread:set("id", threads); threads = threads + 1 end
function init() n = id end
function request()
  local t = tokens[(n % #tokens) + 1]
  n = n + 2
  return wrk.format("GET", "/api/v1/wellness", {["Authorization"] = "Bearer " .. t})
end
LUA

start() { # BIN: a server with every user actor kept resident
  BENCH_BIN=$1 bench_start_server $BENCH_PORT SECRET_KEY=$secret ADMIN_TOKEN=adm \
    RATE_LIMIT_PER_MINUTE=1000000000 USER_IDLE_SECONDS=86400 REMINDER_POLL_MS=600000
}
stop() { kill -TERM "$BENCH_SERVER_PID"; wait "$BENCH_SERVER_PID" 2>/dev/null || true; BENCH_SERVER_PID=""; }
resident() {
  curl -s -H "Authorization: Bearer adm" "http://127.0.0.1:$BENCH_PORT/api/v1/admin/actors" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["user_actors"]["resident"])'
}

# cost PATH: median and max ms, and bytes, of 50 sequential calls.
cost() {
  for _ in $(seq 50); do
    curl -s -o /dev/null -w '%{time_total} %{size_download}\n' \
      -H "Authorization: Bearer adm" "http://127.0.0.1:$BENCH_PORT$1"
  done | sort -n | awk '{t[NR]=$1*1000; b=$2} END {printf "median %.2f ms, max %.2f ms, %d bytes", t[int((NR+1)/2)], t[NR], b}'
}

start build/release/smart-trainer
base_kib=$(bench_rss_kib "$BENCH_SERVER_PID")
t0=$(date +%s%N)
until [ "$(resident)" -ge "$users" ]; do
  TOKENS="$work/tokens" wrk -t2 -c64 -d"$((users / 4000 + 5))s" -s "$work/users.lua" \
    "http://127.0.0.1:$BENCH_PORT" >/dev/null
done
t1=$(date +%s%N)
echo "machine: $(nproc) cores; server, PostgreSQL and the clients share them"
echo "$(resident) user actors resident after $(((t1 - t0) / 1000000)) ms of GET /wellness; RSS $((base_kib / 1024)) -> $(($(bench_rss_kib "$BENCH_SERVER_PID") / 1024)) MiB"
echo "GET /api/v1/admin/actors: $(cost /api/v1/admin/actors)"
echo "GET /metrics:             $(cost /metrics)"
# The same while wrk loads the server.
TOKENS="$work/tokens" wrk -t2 -c32 -d"$((secs + 2))s" -s "$work/users.lua" \
  "http://127.0.0.1:$BENCH_PORT" >/dev/null &
wrk_pid=$!
sleep 1
echo "under load (wrk -c32 on /wellness):"
echo "  GET /api/v1/admin/actors: $(cost /api/v1/admin/actors)"
echo "  GET /metrics:             $(cost /metrics)"
wait $wrk_pid
stop

[ -n "$old_bin" ] || exit 0
# Throughput: one user's GET /wellness, rounds alternating old and new.
token=$(head -1 "$work/tokens")
declare -A total cpu
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rounds=${ROUNDS:-5}
ratios=()
for round in $(seq $rounds); do
  for which in old new; do
    bin=build/release/smart-trainer
    [ $which = old ] && bin=$old_bin
    start "$bin"
    bench_wrk "http://127.0.0.1:$BENCH_PORT/api/v1/wellness" 2 -H "Authorization: Bearer $token" >/dev/null
    cpu0=$(cpu_ticks "$BENCH_SERVER_PID")
    read -r rps p99 < <(bench_wrk "http://127.0.0.1:$BENCH_PORT/api/v1/wellness" "$secs" \
      -H "Authorization: Bearer $token")
    cpu1=$(cpu_ticks "$BENCH_SERVER_PID")
    # The server's CPU per request: less at the mercy of what else runs.
    us=$(python3 -c "print(round(($cpu1 - $cpu0) * 1e6 / $(getconf CLK_TCK) / ($rps * $secs), 1))")
    echo "round $round $which: $rps req/s, p99 $p99, server CPU $us us/request"
    cpu[$which]=$(python3 -c "print(${cpu[$which]:-0} + $us)")
    total[$which]=$(python3 -c "print(${total[$which]:-0} + $rps)")
    [ $which = new ] && ratios+=("$(python3 -c "print($rps / $old_rps)")")
    old_rps=$rps
    stop
  done
done
python3 - "${total[old]}" "${total[new]}" "$rounds" "${cpu[old]}" "${cpu[new]}" "${ratios[@]}" <<'PY'
import statistics, sys
o, n, k = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
co, cn = float(sys.argv[4]) / k, float(sys.argv[5]) / k
r = sorted(float(x) for x in sys.argv[6:])
print(f"server CPU per GET /wellness: old {co:.1f} us, new {cn:.1f} us ({100*(cn-co)/co:+.2f} %)")
print(f"GET /wellness: old {o/k:.0f} req/s, new {n/k:.0f} req/s (means); "
      f"overhead of the means {100*(o-n)/o:.2f} %, median of the rounds' "
      f"new/old {100*(1-statistics.median(r)):.2f} % (rounds: "
      + ", ".join(f"{100*(1-x):+.1f} %" for x in r) + ")")
PY
rm -rf "$work"
