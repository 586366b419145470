#!/usr/bin/env bash
# Issue 11 figures: Strava. A backlog of USERS users' sync jobs (queue rows
# and due reminders, as after an outage) drained against the fake Strava
# (read limit 100 per 15 min, 1,000 per day) on a clock SCALE times faster:
# drain time against the best the limits allow, activities stored per
# budgeted request, 429s received; then the gateway's overhead per request
# against a zero-latency transport. A round past the day's budget waits for
# 00:00 UTC on Strava's clock (96 s at the default scale).
#   bench/strava.sh [USERS] [SCALE]
source "$(dirname "$0")/lib.sh"
users=${1:-500}
scale=${2:-900}
BENCH_PORT=18083
BUILD_TARGETS="bench_strava_gateway" build_project build/release Release >/dev/null

/usr/bin/python3 tests/fakes/strava_fake.py >"$BENCH_PG_DIR/fake.log" 2>&1 &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null; bench_cleanup' EXIT
until grep -q "listening on" "$BENCH_PG_DIR/fake.log"; do sleep 0.05; done
fake_port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$BENCH_PG_DIR/fake.log")
fake="http://127.0.0.1:$fake_port"
origin=$(date +%s)
curl -sf -X POST "$fake/_fake/clock" -d "{\"scale\":$scale,\"origin\":$origin}" >/dev/null
window_ms=$(python3 -c "print(900000 / $scale)")

bench_start_server $BENCH_PORT ADMIN_TOKEN=adm REMINDER_POLL_MS=200 \
  STRAVA_CLIENT_ID=4242 STRAVA_CLIENT_SECRET=bench \
  STRAVA_API_BASE_URL="$fake/api/v3" STRAVA_OAUTH_BASE_URL="$fake/oauth" \
  STRAVA_CLOCK_SCALE="$scale" STRAVA_CLOCK_ORIGIN="$origin"
sql() { PGOPTIONS='-c client_min_messages=warning' psql -qtA -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench -c "$1"; }

# One round: `count` users with `activities` each, all due at once.
drain() {
  local count=$1 activities=$2
  sql "TRUNCATE users CASCADE; ALTER SEQUENCE users_id_seq RESTART"
  curl -sf -X POST "$fake/_fake/reset" >/dev/null
  sql "INSERT INTO users (email, password_hash, created_at) SELECT 'b' || g || '@example.com', 'x', now() FROM generate_series(1, $count) g" >/dev/null
  curl -sf -X POST "$fake/_fake/athletes" -d "{\"first\":1001,\"count\":$count,\"activities\":$activities}" >/dev/null
  sql "INSERT INTO strava_credentials (user_id, encrypted_refresh_token, access_token, expires_at, strava_athlete_id, updated_at) SELECT id, 'rt-' || (id + 1000), 'at-' || (id + 1000), now() + interval '1 day', id + 1000, now() FROM users" >/dev/null
  local t0 t1
  t0=$(date +%s%N)
  sql "INSERT INTO strava_sync_queue (user_id, status, requested_at, next_attempt_at) SELECT id, 'pending', now(), now() FROM users; INSERT INTO user_reminders (user_id, kind, due_at) SELECT id, 'strava_sync', now() FROM users" >/dev/null
  until [ "$(sql "SELECT count(*) FROM strava_sync_queue WHERE status = 'done'")" -ge "$count" ]; do sleep 0.02; done
  t1=$(date +%s%N)
  local stored
  stored=$(sql "SELECT count(*) FROM strava_activities")
  curl -sf "$fake/_fake/stats" | python3 -c "
import json, math, sys
s = json.load(sys.stdin)
calls = [c for c in s['calls'] if c['path'].startswith('/api/v3/')]
ms = ($t1 - $t0) / 1e6
window = $window_ms
per_window = 100
best = (math.ceil(len(calls) / per_window) - 1) * window
print('%d users x %d activities: %d budgeted requests, %d activities stored, %.1f activities per request, 429s received: %d' % ($count, $activities, len(calls), $stored, $stored / max(len(calls), 1), s['throttled']))
print('  drained in %.0f ms = %.2f windows of %.0f ms; best under 100 per window: > %.0f ms (%d window boundaries); ratio %.2f' % (ms, ms / window, window, best, math.ceil(len(calls) / per_window) - 1, ms / max(best, 1)))
"
}

# Both rounds fit in one day's budget (1,000 reads, 950 spendable): 500
# one-page syncs, then 80 five-page backfills.
drain "$users" 150
drain $((users * 4 / 25)) 990
build/release/bench/bench_strava_gateway 50000 4
