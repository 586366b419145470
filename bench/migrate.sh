#!/usr/bin/env bash
# Migration time of reference databases with 1,000 athletes and a year of
# their data (wellness, meals, chat, sleep readings, workouts): one at the
# reference's newest revision (032) and one at 012, where the reference's
# own data backfills (013 sleep, 014 chat threads) run too. The reference's
# schema at a revision is built from the revision files in
# protocols/sql/migrations (its 019, which this service skips, done as the
# reference did it).
# Usage: bench/migrate.sh [ATHLETES]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
athletes=${1:-1000}
psql_bench() { psql -q -v ON_ERROR_STOP=1 "$1" "${@:2}" >/dev/null; }

# build_reference DB REVISION: the reference's schema at REVISION, with data.
build_reference() {
  local db=$1 rev=$2 dsn="postgresql://postgres@127.0.0.1:$BENCH_PG_PORT/$1"
  pg_create_database "$BENCH_PG_PORT" "$db"
  for f in protocols/sql/migrations/[0-9]*.sql; do
    local id
    id=$(basename "$f" | cut -d_ -f1)
    [[ "$id" > "$rev" ]] && break
    if [ "$id" = 019 ]; then
      psql_bench "$dsn" -c "DROP TABLE strava_activities, strava_sync_queue, strava_credentials;
        ALTER TABLE athlete_profiles DROP COLUMN strava_weight_kg, DROP COLUMN strava_ftp,
          DROP COLUMN strava_firstname, DROP COLUMN strava_lastname,
          DROP COLUMN strava_profile_url, DROP COLUMN strava_sex, DROP COLUMN strava_updated_at"
    else
      psql_bench "$dsn" -f "$f"
    fi
  done
  local tz=""
  [[ "$rev" > 028 ]] && tz=", timezone"
  psql_bench "$dsn" -c "
    INSERT INTO users (email, created_at, password_hash$tz)
      SELECT 'athlete' || i || '@bench.example', now(), 'x'$( [ -n "$tz" ] && echo ", CASE WHEN i % 2 = 0 THEN 'Europe/Berlin' ELSE 'UTC' END")
      FROM generate_series(1, $athletes) i;
    INSERT INTO athlete_profiles (user_id, weight_kg, ftp, updated_at)
      SELECT id, 70, 250, now() FROM users WHERE id % 3 = 0;
    INSERT INTO wellness_cache (user_id, date, rhr, hrv, ctl, atl, tsb)
      SELECT u.id, current_date - d, 50, 70, 60, 65, -5
      FROM users u, generate_series(0, 364) d;
    INSERT INTO food_log (user_id, timestamp, meal_type, name, portion_grams, calories, protein_g, fat_g, carbs_g)
      SELECT u.id, now() - d * interval '8 hours', 'snack', 'Meal', 200, 500, 20, 15, 60
      FROM users u, generate_series(0, 1094) d;
    INSERT INTO chat_messages (user_id, role, content, timestamp)
      SELECT u.id, CASE WHEN d % 2 = 0 THEN 'user' ELSE 'assistant' END, 'message ' || d,
             now() - d * interval '12 hours'
      FROM users u, generate_series(0, 729) d;
    INSERT INTO sleep_extractions (user_id, created_at, extracted_data)
      SELECT u.id, now() - d * interval '1 day',
             json_build_object('date', to_char(current_date - d, 'YYYY-MM-DD'), 'sleep_hours', 7.25)::text
      FROM users u, generate_series(0, 364) d;
    INSERT INTO workouts (user_id, start_date, name, type, duration_sec, tss, source)
      SELECT u.id, now() - d * interval '1 day', 'Ride', 'Ride', 3600, 70, 'manual'
      FROM users u, generate_series(0, 364) d;
    CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL,
      CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
    INSERT INTO alembic_version VALUES ('$rev')"
  psql_bench "$dsn" -c "VACUUM ANALYZE"
  echo "$dsn"
}

for rev in 032 012; do
  dsn=$(build_reference "ref$rev" "$rev")
  rows=$(psql -At "$dsn" -c "SELECT (SELECT count(*) FROM wellness_cache) + (SELECT count(*) FROM food_log)
    + (SELECT count(*) FROM chat_messages) + (SELECT count(*) FROM sleep_extractions)
    + (SELECT count(*) FROM workouts)")
  t0=$(date +%s%N)
  out=$(DATABASE_URL="$dsn" build/release/smart-trainer migrate 2>&1)
  t1=$(date +%s%N)
  echo "reference $rev, $athletes athletes, $rows rows: migrate $(((t1 - t0) / 1000000)) ms ($(echo "$out" | grep -o 'applied [0-9]* migrations: [^ ]* -> [^ "]*'))"
done
