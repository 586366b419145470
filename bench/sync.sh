#!/usr/bin/env bash
# Issue 4 figures: an Intervals.icu sync of 91 wellness days + 500
# activities from the fake to committed rows, median of 20 (database round
# trips from the DB actors' counter, database-phase ms, end-to-end ms); then
# USERS users syncing at once: wall time, answers, and the most database
# connections in use (the DB actors' own high-water mark, and PostgreSQL's
# pg_stat_activity sampled every 20 ms).
#   bench/sync.sh [USERS] [INTERVALS_RATE_LIMIT]
# The rate cap defaults to 0 (off): the fake runs on loopback; with the
# production cap of 10/s, USERS syncs take USERS * 2 / 10 seconds.
source "$(dirname "$0")/lib.sh"
users=${1:-1000}
rate=${2:-0}
BENCH_PORT=18082
secret=bench-secret
key=cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=

python3 tests/fakes/intervals_fake.py >"$BENCH_PG_DIR/fake.log" 2>&1 &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null; bench_cleanup' EXIT
until grep -q "listening on" "$BENCH_PG_DIR/fake.log"; do sleep 0.05; done
fake_port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$BENCH_PG_DIR/fake.log")
curl -sf -X POST "http://127.0.0.1:$fake_port/_fake/athletes" >/dev/null -d \
  "{\"first\":1,\"count\":$users,\"key_prefix\":\"key-\",\"generate\":{\"wellness_days\":91,\"activities\":500}}"

bench_start_server $BENCH_PORT RATE_LIMIT_PER_MINUTE=100000000 \
  SECRET_KEY=$secret ENCRYPTION_KEY=$key ADMIN_TOKEN=adm \
  INTERVALS_ICU_BASE_URL="http://127.0.0.1:$fake_port/api/v1" \
  INTERVALS_SYNC_HOURS=0 INTERVALS_RATE_LIMIT="$rate"
psql -q -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench -c \
  "INSERT INTO users (email, created_at) SELECT 'bench' || i || '@example.com', now() FROM generate_series(1, $users) i"
tokens="$BENCH_PG_DIR/tokens"
bench_mint_tokens "$secret" "$users" >"$tokens"

# Link every user (each key is verified upstream), 50 at a time.
n=0
while read -r token; do
  n=$((n + 1))
  [ $n -gt 1 ] && echo next # options of one transfer end here
  printf 'url = "http://127.0.0.1:%s/api/v1/intervals/link"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "{\\"athlete_id\\":\\"i%s\\",\\"api_key\\":\\"key-%s\\"}"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
    "$BENCH_PORT" "$token" "$n" "$n"
done <"$tokens" >"$BENCH_PG_DIR/link.curl"
linked=$(curl -s --no-progress-meter --parallel --parallel-max 50 -K "$BENCH_PG_DIR/link.curl" | grep -c '^200$' || true)

# One user, 20 syncs one after another.
first=$(head -1 "$tokens")
: >"$BENCH_PG_DIR/single"
for _ in $(seq 20); do
  before=$(bench_db_stat num_round_trips)
  total=$(curl -s -o /dev/null -w '%{time_total}' -X POST -H "Authorization: Bearer $first" \
    "http://127.0.0.1:$BENCH_PORT/api/v1/intervals/sync")
  after=$(bench_db_stat num_round_trips)
  curl -s -H "Authorization: Bearer $first" "http://127.0.0.1:$BENCH_PORT/api/v1/intervals/status" |
    python3 -c "import json,sys; s=json.load(sys.stdin)['last_sync']; print($after - $before, s['db_ms'], s['fetch_ms'], $total * 1000, s['activities_synced'], s['wellness_days_synced'])" \
      >>"$BENCH_PG_DIR/single"
done
read -r rt db_ms fetch_ms e2e_ms acts days first_db_ms first_e2e_ms < <(python3 - "$BENCH_PG_DIR/single" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
med = lambda i: statistics.median(r[i] for r in rows)
print("%g %.2f %.2f %.2f %d %d %.2f %.2f" % (med(0), med(1), med(2), med(3), rows[-1][4], rows[-1][5], rows[0][1], rows[0][3]))
PY
)

# Everyone at once, with pg_stat_activity sampled alongside: first syncs
# (rows inserted), then once more (nothing changed upstream).
load_round() {
  rm -f "$BENCH_PG_DIR/load.done"
  (
    max=0
    while [ ! -f "$BENCH_PG_DIR/load.done" ]; do
      n=$(psql -qtA -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench -c \
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'bench' AND state = 'active' AND pid <> pg_backend_pid()")
      [ "$n" -gt "$max" ] && max=$n
      sleep 0.02
    done
    echo "$max" >"$BENCH_PG_DIR/pg.max"
  ) &
  local sampler=$!
  python3 bench/sync_load.py "$BENCH_PORT" "$tokens" | tr '\n' ' '
  touch "$BENCH_PG_DIR/load.done"
  wait $sampler
  echo "(PostgreSQL saw at most $(cat "$BENCH_PG_DIR/pg.max") active)"
}
first_round=$(load_round)
second_round=$(load_round)
pool_max=$(bench_db_stat max_busy)
pool_size=$(bench_db_stat num_connections)
refused=$(bench_db_stat num_refused)
rows=$(psql -qtA -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench -c \
  "SELECT (SELECT count(*) FROM workouts) || ' workouts, ' || (SELECT count(*) FROM wellness_cache) || ' wellness days'")

# Background refresh: a restart with a 36 s period wakes every linked user;
# each one's first refresh lands at its own offset into the period.
kill -TERM "$BENCH_SERVER_PID" && wait "$BENCH_SERVER_PID" 2>/dev/null || true
curl -sf -X POST "http://127.0.0.1:$fake_port/_fake/reset" >/dev/null
bench_start_server $BENCH_PORT SECRET_KEY=$secret ENCRYPTION_KEY=$key ADMIN_TOKEN=adm \
  INTERVALS_ICU_BASE_URL="http://127.0.0.1:$fake_port/api/v1" \
  INTERVALS_SYNC_HOURS=0.01 INTERVALS_RATE_LIMIT="$rate"
t0=$(date +%s)
refreshed=0
while [ "$refreshed" -lt "$users" ] && [ $(($(date +%s) - t0)) -lt 90 ]; do
  sleep 1
  refreshed=$(curl -s "http://127.0.0.1:$fake_port/_fake/stats" | python3 -c \
    "import json,sys; print(sum(1 for c in json.load(sys.stdin)['calls'] if c['path'].endswith('/wellness') and c['status'] == 200))")
done
spread=$(curl -s "http://127.0.0.1:$fake_port/_fake/stats" | python3 -c "
import json, sys
at = sorted(c['at'] for c in json.load(sys.stdin)['calls'] if c['path'].endswith('/wellness'))
per = [0] * 6
for t in at: per[min(5, int((t - at[0]) / 6))] += 1
print('%.1f s from first to last; per 6 s: %s' % (at[-1] - at[0], ' '.join(map(str, per))))")
refresh_refused=$(bench_db_stat num_refused)
refresh_failed=$(grep -c "background sync of user" "$BENCH_PG_DIR/server.log" || true)

echo "machine: $(nproc) cores shared by server, PostgreSQL and the fake Intervals.icu (Python)"
echo "one sync ($acts activities, $days wellness days), median of 20:"
echo "  database round trips: $rt   database phase: $db_ms ms   upstream fetch: $fetch_ms ms   end to end: $e2e_ms ms"
echo "  (the very first, which inserts every row: database phase $first_db_ms ms, end to end $first_e2e_ms ms)"
echo "$users users linked ($linked answered 200), then all syncing at once (rate cap: ${rate}/s, 0 = off):"
echo "  first sync: $first_round"
echo "  again:      $second_round"
echo "  most DB connections in use: $pool_max of the pool's $pool_size; batches refused: $refused"
echo "  rows afterwards: $rows"
echo "background refresh after a restart (period 36 s): $refreshed of $users users refreshed without a request;"
echo "  $spread; batches refused: $refresh_refused; failed: $refresh_failed"
