#!/usr/bin/env bash
# Issue 12 figures, the decision storm: USERS athletes (default 10,000)
# due at one slot, the fake Gemini answering after 50 ms, at most 50 calls
# in flight. Prints the wall time against the ideal (USERS × 50 ms / 50),
# the most calls the fake saw in flight, p99 of /health and of an
# interactive chat send during the storm, and RSS during and after.
# STORM=weekly: issue 24's, every athlete's weekly summary due at once
# (stored in user_weekly_summaries instead of daily_decisions).
#   [STORM=decision|weekly] bench/fanout.sh [USERS]
source "$(dirname "$0")/lib.sh"
users=${1:-10000}
case ${STORM:-decision} in
decision) kind=decision table=daily_decisions by_model="source LIKE 'ai%'" ;;
weekly) kind=weekly_summary table=user_weekly_summaries by_model="true" ;;
*) echo "STORM must be decision or weekly" >&2; exit 2 ;;
esac
limit=50
latency_ms=50
sql() { psql -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres -d bench -tAqc "$1"; }

bench_start_fake_gemini
fake_url=$BENCH_GEMINI_URL
curl -sf -XPOST "$fake_url/_fake/default" -d "{\"delay_ms\": $latency_ms}" >/dev/null

build/release/smart-trainer migrate >/dev/null
# Athletes with a morning's data (so the model is asked), all due at once
# for the slot of this UTC hour.
hour=$(date -u +%-H)
sql "INSERT INTO users (email, password_hash, created_at) SELECT 'a' || g || '@bench', 'x', now() FROM generate_series(1, $users) g"
sql "INSERT INTO wellness_cache (user_id, date, sleep_hours, hrv, rhr) SELECT id, current_date, 7.0, 60, 50 FROM users"
sql "INSERT INTO user_reminders (user_id, kind, due_at) SELECT id, '$kind', now() + interval '8 seconds' FROM users"
# The weekly storm's athletes have their decision slots too (not due now).
[ "$kind" = decision ] ||
  sql "INSERT INTO user_reminders (user_id, kind, due_at) SELECT id, 'decision', now() + interval '1 day' FROM users"
due=$(sql "SELECT extract(epoch FROM min(due_at)) FROM user_reminders")

port=18412
bench_start_server "$port" GEMINI_API_BASE_URL="$fake_url/v1beta" \
  GOOGLE_GEMINI_API_KEY=test-gemini-key GEMINI_MAX_CONCURRENCY=$limit \
  ORCHESTRATOR_CRON_HOURS="$hour" REMINDER_POLL_MS=1000 RATE_LIMIT_PER_MINUTE=100000
token=$(curl -sf -XPOST "http://127.0.0.1:$port/api/v1/auth/register" \
  -H 'Content-Type: application/json' \
  -d '{"email":"chat@bench.example.com","password":"password1"}' |
  sed 's/.*"access_token":"\([^"]*\)".*/\1/')

# Wait for the storm to begin.
while [ "$(sql "SELECT count(*) FROM $table")" = 0 ]; do sleep 0.05; done
health=() chat=() rss_max=0
while :; do
  done_n=$(sql "SELECT count(*) FROM $table")
  [ "$done_n" -ge "$users" ] && break
  for _ in 1 2 3 4 5; do
    health+=("$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/health")")
  done
  chat+=("$(curl -s -o /dev/null -w '%{time_total}' -XPOST "http://127.0.0.1:$port/api/v1/chat/send" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"message":"How am I doing?"}')")
  rss=$(bench_rss_kib "$BENCH_SERVER_PID")
  [ "$rss" -gt "$rss_max" ] && rss_max=$rss
done
last=$(sql "SELECT extract(epoch FROM max(created_at)) FROM $table")
first=$(sql "SELECT extract(epoch FROM min(created_at)) FROM $table")
sleep 2
rss_after=$(bench_rss_kib "$BENCH_SERVER_PID")
p99() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; printf "%.1f ms (median %.1f ms, n=%d)", a[i]*1000, a[int((NR+1)/2)]*1000, NR}'; }
read -r max_in_flight fake_ms fake_rate < <(curl -sf "$fake_url/_fake/stats" | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
calls = [c for c in s["calls"] if c["ended"]]
mean = sum(c["ended"] - c["started"] for c in calls) / len(calls) * 1000
span = max(c["ended"] for c in calls) - min(c["started"] for c in calls)
print(s["max_in_flight"], "%.1f" % mean, "%.0f" % (len(calls) / span))')
ai=$(sql "SELECT count(*) FROM $table WHERE $by_model")
ideal=$(awk -v n="$users" -v l="$latency_ms" -v c="$limit" 'BEGIN {printf "%.2f", n * l / 1000 / c}')
wall=$(awk -v a="$due" -v b="$last" 'BEGIN {printf "%.2f", b - a}')
echo "$kind storm:  $users athletes ($ai answered by the model)"
echo "wall (due -> last):   ${wall} s; first stored $(awk -v a="$due" -v b="$first" 'BEGIN {printf "%.2f", b - a}') s after due"
echo "ideal:                ${ideal} s  (ratio $(awk -v w="$wall" -v i="$ideal" 'BEGIN {printf "%.2f", w / i}'))"
echo "max in flight (fake): $max_in_flight (limit $limit)"
echo "fake call time:       ${fake_ms} ms mean (asked for ${latency_ms}); ${fake_rate} calls/s"
echo "p99 /health:          $(p99 "${health[@]}")"
echo "p99 chat send:        $(p99 "${chat[@]}")"
echo "RSS during (max):     $((rss_max / 1024)) MiB; after: $((rss_after / 1024)) MiB"

[ "$kind" = decision ] || exit 0
# Context gathering against one query, for one athlete with a morning's
# data, without the storm (and without Gemini: the rules decide).
kill -TERM "$BENCH_SERVER_PID"; wait "$BENCH_SERVER_PID" 2>/dev/null || true
BENCH_SERVER_PID=""
build/release/bench/bench_coach_context "$DATABASE_URL" 1 2000 2>&1 | grep -v "\[INFO\]"
