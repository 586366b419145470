#!/usr/bin/env bash
# Issue 25 figures: GET /users/me/export of athletes with YEARS years of
# data each (a day's wellness, a workout with a 100 KB FIT series, four
# meals, a sleep reading and six chat messages per day): time to first
# byte, total time, size, and the server's peak memory added by the
# export (VmHWM after minus VmRSS before; goal: flat in the export's size).
#   bench/export.sh [YEARS...]   (default: 1 4)
source "$(dirname "$0")/lib.sh"
years=("$@")
[ $# -eq 0 ] && years=(1 4)
BENCH_PORT=18091
secret=bench-secret
bench_start_server $BENCH_PORT ADMIN_TOKEN=adm SECRET_KEY=$secret \
  REMINDER_POLL_MS=600000 INTERVALS_SYNC_HOURS=0
id=0
for y in "${years[@]}"; do
  id=$((id + 1))
  days=$((365 * y))
  psql -q -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench <<SQL
INSERT INTO users (id, email, created_at) VALUES ($id, 'bench$id@example.com', now());
INSERT INTO wellness_cache (user_id, date, sleep_hours, rhr, hrv)
  SELECT $id, current_date - d, 7, 48, 60 FROM generate_series(0, $days - 1) d;
INSERT INTO workouts (user_id, start_date, name, type, duration_sec, tss, source, raw)
  SELECT $id, now() - d * interval '1 day', 'Ride ' || d, 'Ride', 3600, 60, 'fit',
         json_build_object('series', repeat('1234,', 20000))
  FROM generate_series(1, $days) d;
INSERT INTO food_log (user_id, name, portion_grams, calories, protein_g, fat_g, carbs_g, meal_type, timestamp)
  SELECT $id, 'Meal ' || i, 300, 500, 25, 12, 60, 'lunch', now() - i * interval '6 hours'
  FROM generate_series(1, 4 * $days) i;
INSERT INTO sleep_extractions (user_id, created_at, extracted_data)
  SELECT $id, now() - d * interval '1 day', '{"sleep_hours": 7.5, "quality_score": 80}'
  FROM generate_series(1, $days) d;
INSERT INTO chat_messages (user_id, role, content, timestamp)
  SELECT $id, CASE WHEN i % 2 = 0 THEN 'user' ELSE 'assistant' END,
         repeat('How was my week? ', 20), now() - i * interval '4 hours'
  FROM generate_series(1, 6 * $days) i;
SQL
done
psql -q -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres bench -c \
  "SELECT setval('users_id_seq', (SELECT max(id) FROM users))" >/dev/null
tokens=($(bench_mint_tokens "$secret" "$id"))
kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$BENCH_SERVER_PID/status"; }
echo "machine: $(nproc) cores"
printf '%-6s %12s %10s %10s %14s %16s\n' years size_MB ttfb_ms total_ms rss_before_MB peak_added_MB
for i in "${!years[@]}"; do
  token=${tokens[$i]}
  # Warm: the actor loaded, the statements prepared.
  curl -s -o /dev/null -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$BENCH_PORT/api/v1/athlete-profile"
  before=$(kb VmRSS)
  # The peak mark is reset so that VmHWM is this export's own.
  echo 5 > "/proc/$BENCH_SERVER_PID/clear_refs" 2>/dev/null
  out=$(curl -s -o /tmp/export.json -w '%{size_download} %{time_starttransfer} %{time_total} %{http_code}' \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$BENCH_PORT/api/v1/users/me/export")
  peak=$(kb VmHWM)
  read -r size ttfb total status <<<"$out"
  [ "$status" = 200 ] || { echo "export answered $status"; exit 1; }
  python3 -c "import json,sys; d=json.load(open('/tmp/export.json')); assert d['complete']" ||
    { echo "export incomplete"; exit 1; }
  printf '%-6s %12.1f %10.1f %10.1f %14.1f %16.1f\n' "${years[$i]}" \
    "$(echo "$size / 1048576" | bc -l)" "$(echo "$ttfb * 1000" | bc -l)" \
    "$(echo "$total * 1000" | bc -l)" "$(echo "$before / 1024" | bc -l)" \
    "$(echo "($peak - $before) / 1024" | bc -l)"
done
rm -f /tmp/export.json
