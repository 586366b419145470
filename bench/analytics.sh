#!/usr/bin/env bash
# Issue 24 figures: each analytics route over a year of one athlete's data
# (365 wellness days, 550 workouts, 1,100 food entries, in Asia/Tokyo):
# database round trips per request (goal 1) and the median latency over
# RUNS requests, through HTTP.
#   bench/analytics.sh [RUNS]
source "$(dirname "$0")/lib.sh"
runs=${1:-50}
BENCH_PORT=18090
secret=bench-secret
bench_start_server $BENCH_PORT ADMIN_TOKEN=adm SECRET_KEY=$secret \
  REMINDER_POLL_MS=600000 INTERVALS_SYNC_HOURS=0
psql -q -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench <<'SQL'
INSERT INTO users (email, created_at, timezone) VALUES ('bench1@example.com', now(), 'Asia/Tokyo');
INSERT INTO athlete_profiles (user_id, timezone, calorie_goal, protein_goal)
  VALUES (1, 'Asia/Tokyo', 2500, 140);
INSERT INTO wellness_cache (user_id, date, sleep_hours, rhr, hrv, ctl, atl, tsb)
  SELECT 1, current_date - d, 6 + (d % 3), 48 + d % 5, 55 + d % 9,
         50 + d % 7, 55 + d % 11, -5 FROM generate_series(0, 364) d;
INSERT INTO workouts (user_id, start_date, name, type, duration_sec, distance_m, tss, source)
  SELECT 1, now() - (i * interval '15 hours'), 'Ride ' || i, 'Ride', 3600,
         30000 + i, 40 + i % 50, 'manual' FROM generate_series(1, 550) i;
INSERT INTO food_log (user_id, name, portion_grams, calories, protein_g, fat_g, carbs_g, meal_type, timestamp, extended_nutrients)
  SELECT 1, 'Meal ' || i, 300, 400 + i % 300, 25, 12, 60, 'lunch',
         now() - (i * interval '8 hours'),
         CASE WHEN i % 4 = 0 THEN '{"fiber_g": 5.5, "sodium_mg": 300}'::json END
  FROM generate_series(1, 1100) i;
SQL
token=$(bench_mint_tokens "$secret" 1)
get() {
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$BENCH_PORT/api/v1/analytics/$1?days=365"
}
echo "machine: $(nproc) cores; one athlete with a year of data; $runs requests per route"
printf '%-10s %12s %12s %10s\n' route round_trips median_ms status
for route in overview sleep workouts nutrition; do
  get "$route" >/dev/null # the actor loaded, statements prepared
  before=$(bench_db_stat num_round_trips)
  status=$(get "$route" | cut -d' ' -f1)
  after=$(bench_db_stat num_round_trips)
  median=$(for _ in $(seq "$runs"); do get "$route"; done |
    python3 -c "import sys,statistics; print('%.2f' % (1000 * statistics.median(float(l.split()[1]) for l in sys.stdin)))")
  printf '%-10s %12s %12s %10s\n' "$route" "$((after - before))" "$median" "$status"
done
