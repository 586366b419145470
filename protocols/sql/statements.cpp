#include "protocols/sql/statements.hpp"

#include "protocols/limits.hpp"

namespace st {

namespace {

/// `col` as the reference prints instants: ISO 8601 in UTC with `+00:00`,
/// microseconds only when non-zero.
std::string iso(const std::string& col) {
  return "(regexp_replace(to_char(" + col +
         " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
         "'\\.000000$', '') || '+00:00')";
}

/// Midnight UTC of a `YYYY-MM-DD` parameter.
std::string utc_midnight(const std::string& param) {
  return "((" + param + ")::date::timestamp AT TIME ZONE 'UTC')";
}

/// Midnight of a `YYYY-MM-DD` parameter in the zone named by another.
std::string local_midnight(const std::string& param, const std::string& zone) {
  return "((" + param + ")::date::timestamp AT TIME ZONE " + zone + ")";
}

const std::string food_columns = "id, name, portion_grams, calories, "
                                 "protein_g, fat_g, carbs_g, "
                                 "coalesce(meal_type, 'other'), "
                                 "coalesce(" +
                                 iso("timestamp") +
                                 ", ''), extended_nutrients::text";

/// A synced day's sleep against the stored one: the upstream value wins
/// over an empty or synced one, never over the athlete's or a photo's.
const std::string sync_may_set_sleep =
  "(wellness_cache.sleep_source = 'sync' OR wellness_cache.sleep_hours IS "
  "NULL)";
const std::string synced_sleep =
  "CASE WHEN " + sync_may_set_sleep +
  " THEN coalesce(EXCLUDED.sleep_hours, wellness_cache.sleep_hours) ELSE "
  "wellness_cache.sleep_hours END";
const std::string synced_sleep_source =
  "CASE WHEN " + sync_may_set_sleep +
  " AND EXCLUDED.sleep_hours IS NOT NULL THEN 'sync' ELSE "
  "wellness_cache.sleep_source END";

/// What a written sleep reading returns to the statement around it.
const std::string sleep_returned =
  "id, extracted_data, created_at, image_storage_path";

/// A sleep reading's night into that day's wellness ($1 user, $3 day, $4
/// sleep, $5 RHR, $6 HRV; night_of), once the `reading` CTE wrote a row:
/// the sleep unless the athlete entered theirs, RHR and HRV when given
/// (http-api-head.md §3.5).
const std::string night_into_wellness =
  "night AS (INSERT INTO wellness_cache (user_id, date, sleep_hours, rhr, "
  "hrv, sleep_source) SELECT $1::integer, $3::date, $4::float8, "
  "$5::float8, $6::float8, CASE WHEN $4 IS NOT NULL THEN 'photo' END "
  "WHERE EXISTS (SELECT 1 FROM reading) AND ($4 IS NOT NULL OR $5 IS NOT "
  "NULL OR $6 IS NOT NULL) ON CONFLICT (user_id, date) DO UPDATE SET "
  "sleep_hours = CASE WHEN EXCLUDED.sleep_hours IS NULL OR "
  "wellness_cache.sleep_source = 'manual' THEN wellness_cache.sleep_hours "
  "ELSE EXCLUDED.sleep_hours END, sleep_source = CASE WHEN "
  "EXCLUDED.sleep_hours IS NULL OR wellness_cache.sleep_source = 'manual' "
  "THEN wellness_cache.sleep_source ELSE 'photo' END, rhr = "
  "coalesce(EXCLUDED.rhr, wellness_cache.rhr), hrv = "
  "coalesce(EXCLUDED.hrv, wellness_cache.hrv))";

const std::string wellness_columns =
  "to_char(date, 'YYYY-MM-DD'), sleep_hours, rhr, hrv, ctl, atl, tsb, "
  "weight_kg, sport_info::text, sleep_source";

/// A page of an export section: the rows of `table` matching `owner`
/// after id $2, at most $3, each with its JSON.
std::string export_page(const std::string& columns, const std::string& table,
                        const std::string& owner) {
  return "SELECT t.id, row_to_json(t)::text FROM (SELECT " + columns +
         " FROM " + table + " WHERE " + owner +
         " AND id > $2::integer ORDER BY id LIMIT $3::integer) t ORDER BY "
         "t.id";
}

const std::string workout_head = "id, " + iso("start_date") +
                                 ", name, type, duration_sec, "
                                 "distance_m, tss, source, notes";

const std::string workout_columns = workout_head + ", raw::text, fit_checksum";

const std::string thread_columns = "id, title, " + iso("created_at");

/// A merge's new value of `column` from `param`: with $3 (the row's
/// source outranks the new one's) only an empty value is filled, else a
/// given value replaces it.
std::string merged_column(const std::string& column, const std::string& param) {
  return column + " = CASE WHEN $3::boolean THEN coalesce(" + column + ", " +
         param + ") ELSE coalesce(" + param + ", " + column + ") END";
}

/// A row's `raw` as a JSON object to merge into (anything else: empty).
const std::string stored_raw = "CASE WHEN jsonb_typeof(raw::jsonb) = "
                               "'object' THEN raw::jsonb ELSE '{}' END";

/// TSS per UTC day of the 90 days up to the as-of date $2, with `filter`.
std::string daily_tss_sql(const std::string& filter) {
  return "SELECT to_char((start_date AT TIME ZONE 'UTC')::date, "
         "'YYYY-MM-DD'), sum(least(greatest(coalesce(tss, 0), 0), " +
         std::to_string(static_cast<int64_t>(limits::max_tss)) +
         ")) FROM workouts WHERE user_id = $1::integer AND start_date >= " +
         utc_midnight("$2::date - 90") + " AND start_date < " +
         utc_midnight("$2::date + 1") + filter + " GROUP BY 1 ORDER BY 1";
}

} // namespace

const std::vector<statement_def>& statement_catalog() {
  static const std::vector<statement_def> result{
    {stmt::ping, "ping", "SELECT 1"},
    {stmt::user_by_email, "user_by_email",
     "SELECT id, email, password_hash FROM users WHERE email = $1"},
    {stmt::user_by_id, "user_by_id",
     "SELECT id, email FROM users WHERE id = $1::integer"},
    // $1 email, $2 bcrypt hash, $3 refresh-token digest, $4 lifetime (s).
    // A new token starts a chain named after itself.
    {stmt::insert_user_with_token, "insert_user_with_token",
     "WITH u AS (INSERT INTO users (email, password_hash, created_at) "
     "VALUES ($1, $2, now()) RETURNING id, email), "
     "t AS (INSERT INTO user_refresh_tokens "
     "(user_id, token_hash, expires_at, created_at) "
     "SELECT id, $3, now() + $4::bigint * interval '1 second', now() FROM u), "
     "c AS (INSERT INTO refresh_token_chains "
     "(token_hash, chain, user_id, expires_at) "
     "SELECT $3, $3, id, now() + $4::bigint * interval '1 second' FROM u) "
     "SELECT id, email FROM u"},
    // $1 user id, $2 digest, $3 lifetime (s).
    {stmt::insert_refresh_token, "insert_refresh_token",
     "WITH t AS (INSERT INTO user_refresh_tokens (user_id, token_hash, "
     "expires_at, created_at) VALUES ($1::integer, $2, "
     "now() + $3::bigint * interval '1 second', now()) "
     "RETURNING user_id, token_hash, expires_at) "
     "INSERT INTO refresh_token_chains (token_hash, chain, user_id, "
     "expires_at) SELECT token_hash, token_hash, user_id, expires_at FROM t"},
    // Consumes the presented token ($1) and stores its successor ($2) in
    // one statement, so two refreshes racing on one token cannot both win.
    // The presented token is kept as spent, in its chain (a token issued
    // before chains existed starts one); the successor joins that chain.
    // (Tokens of deleted users are gone with them: the FK cascades.)
    {stmt::rotate_refresh_token, "rotate_refresh_token",
     "WITH old AS (DELETE FROM user_refresh_tokens WHERE token_hash = $1 "
     "AND expires_at > now() RETURNING user_id), "
     "u AS (SELECT users.id, users.email FROM users "
     "JOIN old ON users.id = old.user_id LIMIT 1), "
     "spent AS (INSERT INTO refresh_token_chains "
     "(token_hash, chain, user_id, spent_at, expires_at) "
     "SELECT $1, $1, id, now(), now() + $3::bigint * interval '1 second' "
     "FROM u ON CONFLICT (token_hash) DO UPDATE SET spent_at = now() "
     "RETURNING chain), "
     "t AS (INSERT INTO user_refresh_tokens "
     "(user_id, token_hash, expires_at, created_at) "
     "SELECT id, $2, now() + $3::bigint * interval '1 second', now() FROM u), "
     "c AS (INSERT INTO refresh_token_chains "
     "(token_hash, chain, user_id, expires_at) "
     "SELECT $2, (SELECT chain FROM spent), id, "
     "now() + $3::bigint * interval '1 second' FROM u) "
     "SELECT id, email FROM u"},
    // $1 a presented token that did not rotate: when it is a spent one,
    // every live token of its chain is revoked. Answers how many.
    {stmt::revoke_reused_chain, "revoke_reused_chain",
     "WITH reused AS (SELECT chain FROM refresh_token_chains "
     "WHERE token_hash = $1 AND spent_at IS NOT NULL), "
     "gone AS (DELETE FROM user_refresh_tokens WHERE token_hash IN "
     "(SELECT token_hash FROM refresh_token_chains "
     "WHERE chain IN (SELECT chain FROM reused)) RETURNING 1) "
     "SELECT (SELECT count(*) FROM reused), (SELECT count(*) FROM gone)"},
    {stmt::delete_refresh_token, "delete_refresh_token",
     "DELETE FROM user_refresh_tokens WHERE token_hash = $1"},
    {stmt::purge_refresh_tokens, "purge_refresh_tokens",
     "WITH chains AS (DELETE FROM refresh_token_chains "
     "WHERE expires_at <= now()), resets AS (DELETE FROM "
     "password_reset_tokens WHERE expires_at <= now()) "
     "DELETE FROM user_refresh_tokens WHERE expires_at <= now()"},
    {stmt::profile_by_user, "profile_by_user",
     "SELECT p.strava_weight_kg, p.strava_ftp, p.strava_firstname, "
     "p.strava_lastname, p.strava_profile_url, p.strava_sex, " +
       iso("p.strava_updated_at") +
       ", p.weight_kg, p.height_cm, p.birth_year, p.ftp, u.email, "
       "p.timezone, array_to_string(p.decision_hours, ','), "
       "array_to_string(ARRAY(SELECT r.kind FROM user_reminders r WHERE "
       "r.user_id = u.id ORDER BY r.kind), ','), "
       "p.calorie_goal, p.protein_goal, p.fat_goal, p.carbs_goal, "
       "p.target_race_date::text, p.target_race_name, p.is_athlete, "
       "u.locale, u.is_premium "
       "FROM users u LEFT JOIN athlete_profiles p ON p.user_id = u.id "
       "WHERE u.id = $1::integer"},
    // $1 user, $2 weight, $3 height, $4 birth year, $5 ftp, $6 time zone,
    // $7 decision hours, $8-$11 nutrition goals (NULL = keep); $12/$14/$16
    // whether the race date, race name, athlete mode change (to $13, $15,
    // $17; NULL clears).
    {stmt::profile_upsert, "profile_upsert",
     "INSERT INTO athlete_profiles (user_id, weight_kg, height_cm, "
     "birth_year, ftp, timezone, decision_hours, calorie_goal, protein_goal, "
     "fat_goal, carbs_goal, target_race_date, target_race_name, is_athlete, "
     "updated_at) VALUES "
     "($1::integer, $2::float8, $3::float8, $4::integer, $5::integer, $6, "
     "$7::smallint[], $8::float8, $9::float8, $10::float8, $11::float8, "
     "$13::date, $15, $17::boolean, now()) ON CONFLICT (user_id) DO UPDATE "
     "SET "
     "calorie_goal = coalesce(EXCLUDED.calorie_goal, "
     "athlete_profiles.calorie_goal), "
     "protein_goal = coalesce(EXCLUDED.protein_goal, "
     "athlete_profiles.protein_goal), "
     "fat_goal = coalesce(EXCLUDED.fat_goal, athlete_profiles.fat_goal), "
     "carbs_goal = coalesce(EXCLUDED.carbs_goal, athlete_profiles.carbs_goal), "
     "target_race_date = CASE WHEN $12::boolean THEN EXCLUDED.target_race_date "
     "ELSE athlete_profiles.target_race_date END, "
     "target_race_name = CASE WHEN $14::boolean THEN EXCLUDED.target_race_name "
     "ELSE athlete_profiles.target_race_name END, "
     "is_athlete = CASE WHEN $16::boolean THEN EXCLUDED.is_athlete "
     "ELSE athlete_profiles.is_athlete END, "
     "decision_hours = coalesce(EXCLUDED.decision_hours, "
     "athlete_profiles.decision_hours), "
     "timezone = coalesce(EXCLUDED.timezone, athlete_profiles.timezone), "
     "weight_kg = coalesce(EXCLUDED.weight_kg, athlete_profiles.weight_kg), "
     "height_cm = coalesce(EXCLUDED.height_cm, athlete_profiles.height_cm), "
     "birth_year = coalesce(EXCLUDED.birth_year, athlete_profiles.birth_year), "
     "ftp = coalesce(EXCLUDED.ftp, athlete_profiles.ftp), "
     "updated_at = CASE WHEN "
     "(EXCLUDED.weight_kg IS NOT NULL AND EXCLUDED.weight_kg IS DISTINCT FROM "
     "athlete_profiles.weight_kg) OR (EXCLUDED.height_cm IS NOT NULL AND "
     "EXCLUDED.height_cm IS DISTINCT FROM athlete_profiles.height_cm) OR "
     "(EXCLUDED.birth_year IS NOT NULL AND EXCLUDED.birth_year IS DISTINCT "
     "FROM athlete_profiles.birth_year) OR (EXCLUDED.ftp IS NOT NULL AND "
     "EXCLUDED.ftp IS DISTINCT FROM athlete_profiles.ftp) OR "
     "(EXCLUDED.timezone IS NOT NULL AND EXCLUDED.timezone IS DISTINCT FROM "
     "athlete_profiles.timezone) OR (EXCLUDED.decision_hours IS NOT NULL AND "
     "EXCLUDED.decision_hours IS DISTINCT FROM "
     "athlete_profiles.decision_hours) OR $8 IS NOT NULL OR $9 IS NOT NULL "
     "OR $10 IS NOT NULL OR $11 IS NOT NULL OR $12::boolean OR $14::boolean "
     "OR $16::boolean "
     "THEN now() ELSE athlete_profiles.updated_at END"},
    // Idempotent POSTs: answers older than a day go; $1 user, $2 key, $3
    // the request's hash: claimed (a row answered) unless known; the
    // stored request; its answer ($3 status, $4 type, $5 body); a claim
    // given up (the answer was not kept).
    {stmt::idempotency_purge, "idempotency_purge",
     "DELETE FROM idempotent_requests WHERE created_at < now() - interval "
     "'24 hours'"},
    {stmt::idempotency_claim, "idempotency_claim",
     "INSERT INTO idempotent_requests (user_id, key, request_hash) VALUES "
     "($1::integer, $2, $3) ON CONFLICT (user_id, key) DO NOTHING "
     "RETURNING 1"},
    {stmt::idempotency_read, "idempotency_read",
     "SELECT request_hash, status, content_type, body FROM "
     "idempotent_requests WHERE user_id = $1::integer AND key = $2"},
    {stmt::idempotency_store, "idempotency_store",
     "UPDATE idempotent_requests SET status = $3::smallint, content_type = "
     "$4, body = $5 WHERE user_id = $1::integer AND key = $2"},
    {stmt::idempotency_release, "idempotency_release",
     "DELETE FROM idempotent_requests WHERE user_id = $1::integer AND key = "
     "$2 AND status IS NULL"},
    // $1 user, $2 the athlete's date, $3 'photo' or 'chat', $4 the day's
    // limit: one more of that kind, only while below the limit (no row
    // answered = refused). The reference's table, on the athlete's day.
    {stmt::usage_charge, "usage_charge",
     "INSERT INTO daily_usage (user_id, date, photo_analyses, chat_messages) "
     "VALUES ($1::integer, $2::date, CASE WHEN $3 = 'photo' THEN 1 ELSE 0 "
     "END, CASE WHEN $3 = 'chat' THEN 1 ELSE 0 END) ON CONFLICT (user_id, "
     "date) DO UPDATE SET photo_analyses = daily_usage.photo_analyses + "
     "EXCLUDED.photo_analyses, chat_messages = daily_usage.chat_messages + "
     "EXCLUDED.chat_messages WHERE CASE WHEN $3 = 'photo' THEN "
     "daily_usage.photo_analyses ELSE daily_usage.chat_messages END < "
     "$4::integer RETURNING 1"},
    {stmt::usage_refund, "usage_refund",
     "UPDATE daily_usage SET photo_analyses = greatest(photo_analyses - CASE "
     "WHEN $3 = 'photo' THEN 1 ELSE 0 END, 0), chat_messages = "
     "greatest(chat_messages - CASE WHEN $3 = 'chat' THEN 1 ELSE 0 END, 0) "
     "WHERE user_id = $1::integer AND date = $2::date"},
    // $1 user, $2 locale, $3 time zone; NULL = keep. The reference's copies
    // on users (this service's zone is athlete_profiles.timezone).
    {stmt::user_settings_update, "user_settings_update",
     "UPDATE users SET locale = coalesce($2, locale), "
     "timezone = coalesce($3, timezone) WHERE id = $1::integer"},
    // $1 user, $2 the instant (seconds since the epoch with µs), $3 meal,
    // $4 name, $5..$9 values.
    {stmt::food_insert, "food_insert",
     "INSERT INTO food_log (user_id, timestamp, meal_type, name, "
     "portion_grams, calories, protein_g, fat_g, carbs_g, "
     "extended_nutrients) VALUES "
     "($1::integer, to_timestamp($2::float8), $3, $4, $5::float8, "
     "$6::float8, $7::float8, $8::float8, $9::float8, $10::json) "
     "RETURNING " +
       food_columns},
    // $1 id, $2 user, $3 name, $4..$8 values, $9 micronutrients: the
    // model's new estimate (time and meal kept).
    {stmt::food_reestimate, "food_reestimate",
     "UPDATE food_log SET name = $3, portion_grams = $4::float8, "
     "calories = $5::float8, protein_g = $6::float8, fat_g = $7::float8, "
     "carbs_g = $8::float8, extended_nutrients = $9::json "
     "WHERE id = $1::integer AND user_id = $2::integer RETURNING " +
       food_columns},
    {stmt::food_by_id, "food_by_id",
     "SELECT " + food_columns +
       " FROM food_log WHERE id = $1::integer AND user_id = $2::integer"},
    // $1 id, $2 user, $3 name, $4..$8 values, $9 meal; NULL = keep.
    {stmt::food_update, "food_update",
     "UPDATE food_log SET name = coalesce($3, name), "
     "portion_grams = coalesce($4::float8, portion_grams), "
     "calories = coalesce($5::float8, calories), "
     "protein_g = coalesce($6::float8, protein_g), "
     "fat_g = coalesce($7::float8, fat_g), "
     "carbs_g = coalesce($8::float8, carbs_g), "
     "meal_type = coalesce($9, meal_type) "
     "WHERE id = $1::integer AND user_id = $2::integer RETURNING " +
       food_columns},
    {stmt::food_delete, "food_delete",
     "DELETE FROM food_log WHERE id = $1::integer AND user_id = $2::integer"},
    {stmt::food_day, "food_day",
     "SELECT " + food_columns +
       " FROM food_log WHERE user_id = $1::integer AND timestamp >= " +
       utc_midnight("$2") + " AND timestamp < " + utc_midnight("$2::date + 1") +
       " ORDER BY timestamp, id"},
    // $1 user, $2 date, $3 sleep, $4 rhr, $5 hrv, $6 weight; NULL = keep.
    // $1 user, $2 date, $3 sleep, $4 rhr, $5 hrv, $6 weight (NULL = keep),
    // $7 whether sleep is written even when NULL. Sleep the user gives is
    // theirs ('manual'), which photos and syncs never replace.
    {stmt::wellness_upsert, "wellness_upsert",
     "INSERT INTO wellness_cache (user_id, date, sleep_hours, rhr, hrv, "
     "weight_kg, sleep_source) VALUES ($1::integer, $2::date, $3::float8, "
     "$4::float8, $5::float8, $6::float8, CASE WHEN $7::boolean OR $3 IS "
     "NOT NULL THEN 'manual' END) ON CONFLICT (user_id, date) DO UPDATE SET "
     "sleep_hours = CASE WHEN $7::boolean THEN EXCLUDED.sleep_hours ELSE "
     "coalesce(EXCLUDED.sleep_hours, wellness_cache.sleep_hours) END, "
     "sleep_source = coalesce(EXCLUDED.sleep_source, "
     "wellness_cache.sleep_source), "
     "rhr = coalesce(EXCLUDED.rhr, wellness_cache.rhr), "
     "hrv = coalesce(EXCLUDED.hrv, wellness_cache.hrv), "
     "weight_kg = coalesce(EXCLUDED.weight_kg, wellness_cache.weight_kg) "
     "RETURNING " +
       wellness_columns},
    // $1 user, $2 from, $3 to, $4 limit (NULL = all), $5 offset.
    {stmt::wellness_range, "wellness_range",
     "SELECT " + wellness_columns +
       " FROM wellness_cache WHERE user_id = $1::integer AND date >= "
       "$2::date AND date <= $3::date ORDER BY date "
       "LIMIT $4::bigint OFFSET $5::bigint"},
    // $1 user, $2 date; whether $3 sleep (and its source), $4 rhr, $5 hrv,
    // $6 weight are cleared.
    {stmt::wellness_clear, "wellness_clear",
     "UPDATE wellness_cache SET "
     "sleep_hours = CASE WHEN $3::boolean THEN NULL ELSE sleep_hours END, "
     "sleep_source = CASE WHEN $3::boolean THEN NULL ELSE sleep_source END, "
     "rhr = CASE WHEN $4::boolean THEN NULL ELSE rhr END, "
     "hrv = CASE WHEN $5::boolean THEN NULL ELSE hrv END, "
     "weight_kg = CASE WHEN $6::boolean THEN NULL ELSE weight_kg END "
     "WHERE user_id = $1::integer AND date = $2::date"},
    {stmt::wellness_drop_empty, "wellness_drop_empty",
     "DELETE FROM wellness_cache WHERE user_id = $1::integer AND date = "
     "$2::date AND sleep_hours IS NULL AND rhr IS NULL AND hrv IS NULL AND "
     "ctl IS NULL AND atl IS NULL AND tsb IS NULL AND weight_kg IS NULL AND "
     "sport_info IS NULL"},
    {stmt::wellness_count, "wellness_count",
     "SELECT count(*) FROM wellness_cache WHERE user_id = $1::integer "
     "AND date >= $2::date AND date <= $3::date"},
    // $1 user, $2 start, $3 name, $4 type, $5 duration, $6 distance,
    // $7 tss, $8 notes, $9 source, $10 checksum, $11 raw.
    {stmt::workout_insert, "workout_insert",
     "INSERT INTO workouts (user_id, start_date, name, type, duration_sec, "
     "distance_m, tss, notes, source, fit_checksum, raw) VALUES "
     "($1::integer, $2::timestamptz, $3, $4, $5::integer, $6::float8, "
     "$7::float8, $8, $9, $10, $11::json) RETURNING " +
       workout_columns},
    // $1 id, $2 user, then as the insert's $2..$8; NULL = keep.
    {stmt::workout_update, "workout_update",
     "UPDATE workouts SET start_date = coalesce($3::timestamptz, start_date), "
     "name = coalesce($4, name), type = coalesce($5, type), "
     "duration_sec = coalesce($6::integer, duration_sec), "
     "distance_m = coalesce($7::float8, distance_m), "
     "tss = coalesce($8::float8, tss), notes = coalesce($9, notes) "
     "WHERE id = $1::integer AND user_id = $2::integer RETURNING " +
       workout_columns},
    // $1 user, [$2, $3) Unix seconds: the candidates of duplicate
    // matching, newest first, with their origin (domain/workout_match).
    {stmt::workout_candidates, "workout_candidates",
     "SELECT id, extract(epoch FROM start_date)::bigint, duration_sec, tss, "
     "distance_m, CASE WHEN external_id IS NOT NULL OR source = 'intervals' "
     "THEN 3 WHEN fit_checksum IS NOT NULL OR source = 'fit' THEN 2 ELSE 1 "
     "END FROM workouts WHERE user_id = $1::integer AND start_date >= "
     "to_timestamp($2::bigint) AND start_date < to_timestamp($3::bigint) "
     "ORDER BY start_date DESC, id DESC"},
    // $1 id, $2 user, $3 fill only (the row outranks the new source), $4
    // name, $5 type, $6 duration, $7 distance, $8 tss, $9 notes, $10 the
    // new source (taken unless $3), $11 checksum, $12 raw: its keys join
    // the row's, and under $3 only its `series` replaces the row's.
    {stmt::workout_merge, "workout_merge",
     "UPDATE workouts SET " + merged_column("name", "$4") + ", " +
       merged_column("type", "$5") + ", " +
       merged_column("duration_sec", "$6::integer") + ", " +
       merged_column("distance_m", "$7::float8") + ", " +
       merged_column("tss", "$8::float8") + ", " +
       merged_column("notes", "$9") +
       ", source = CASE WHEN $3::boolean THEN source ELSE $10 END, "
       "fit_checksum = coalesce($11, fit_checksum), raw = CASE WHEN $12::jsonb "
       "IS NULL THEN raw WHEN $3::boolean THEN ($12::jsonb || " +
       stored_raw +
       " || jsonb_strip_nulls(jsonb_build_object('series', $12::jsonb -> "
       "'series')))::json ELSE (" +
       stored_raw +
       " || $12::jsonb)::json END WHERE id = $1::integer AND user_id = "
       "$2::integer RETURNING " +
       workout_columns},
    {stmt::workout_delete, "workout_delete",
     "DELETE FROM workouts WHERE id = $1::integer AND user_id = $2::integer"},
    // $4: with `raw` (the newer app's list; a FIT series is large).
    {stmt::workout_range, "workout_range",
     "SELECT " + workout_head +
       ", CASE WHEN $4::boolean THEN raw::text END, fit_checksum"
       " FROM workouts WHERE user_id = $1::integer AND start_date >= " +
       utc_midnight("$2") + " AND start_date < " +
       utc_midnight("$3::date + 1") + " ORDER BY start_date DESC, id"},
    {stmt::workout_by_checksum, "workout_by_checksum",
     "SELECT id FROM workouts WHERE user_id = $1::integer "
     "AND fit_checksum = $2 LIMIT 1"},
    {stmt::intervals_linked, "intervals_linked",
     "SELECT count(*) FROM intervals_credentials WHERE user_id = $1::integer"},
    // $1 user, $2 day: Intervals.icu's load figures of that day, else its
    // newest (http-api-head.md §3.7.4).
    {stmt::latest_intervals_load, "latest_intervals_load",
     "SELECT to_char(date, 'YYYY-MM-DD'), ctl, atl, tsb FROM wellness_cache "
     "WHERE user_id = $1::integer AND ctl IS NOT NULL "
     "ORDER BY date = $2::date DESC, date DESC LIMIT 1"},
    // $1 user, $2 as-of date: TSS per UTC day of the 90 days up to it.
    // Each workout counts at most limits::max_tss (rows written before
    // inputs were bounded could make the sum overflow).
    {stmt::daily_tss, "daily_tss", daily_tss_sql("")},
    // The same, of completed training only (started before now).
    {stmt::completed_daily_tss, "completed_daily_tss",
     daily_tss_sql(" AND start_date <= now()")},
    {stmt::effective_ftp, "effective_ftp",
     "SELECT coalesce(ftp::float8, strava_ftp::float8) FROM athlete_profiles "
     "WHERE user_id = $1::integer"},
    // $1 user, $2 the reading; $3 its day, $4 its sleep, $5 RHR, $6 HRV
    // (night_of) go to that day's wellness: the sleep unless the athlete
    // entered theirs, RHR and HRV when given (http-api-head.md §3.5).
    // $7 the key of its kept screenshot (NULL = none).
    {stmt::sleep_insert, "sleep_insert",
     "WITH reading AS (INSERT INTO sleep_extractions (user_id, created_at, "
     "extracted_data, image_storage_path) VALUES ($1::integer, now(), $2, "
     "$7) RETURNING " +
       sleep_returned + "), " + night_into_wellness +
       " SELECT id, extracted_data, " + iso("created_at") +
       ", image_storage_path FROM reading"},
    // $1 user, $2 the reading read again, $3..$6 its night as for
    // sleep_insert; $7 its id; $8 and $9 the day and sleep the earlier
    // reading gave, cleared when the night moved to another day.
    {stmt::sleep_reread, "sleep_reread",
     "WITH reading AS (UPDATE sleep_extractions SET extracted_data = $2 "
     "WHERE id = $7::integer AND user_id = $1::integer RETURNING " +
       sleep_returned + "), " + night_into_wellness +
       ", moved AS (UPDATE wellness_cache SET sleep_hours = NULL, "
       "sleep_source = NULL WHERE user_id = $1::integer AND date = $8::date "
       "AND $8::date <> $3::date AND sleep_source = 'photo' AND sleep_hours "
       "= $9::float8 AND EXISTS (SELECT 1 FROM reading)) SELECT id, "
       "extracted_data, " +
       iso("created_at") + ", image_storage_path FROM reading"},
    // $1 id, $2 user: the reading (read before its deletion; the user's
    // actor holds the user's other requests meanwhile).
    {stmt::sleep_by_id, "sleep_by_id",
     "SELECT id, extracted_data, " + iso("created_at") +
       ", image_storage_path FROM sleep_extractions WHERE id = $1::integer "
       "AND user_id = $2::integer"},
    // $1 id, $2 user; $3 its day and $4 its sleep (night_of): the day's
    // sleep goes too when this reading gave it.
    {stmt::sleep_delete, "sleep_delete",
     "WITH gone AS (DELETE FROM sleep_extractions WHERE id = $1::integer AND "
     "user_id = $2::integer RETURNING id) UPDATE wellness_cache SET "
     "sleep_hours = NULL, sleep_source = NULL WHERE user_id = $2::integer "
     "AND date = $3::date AND sleep_source = 'photo' AND sleep_hours = "
     "$4::float8 AND EXISTS (SELECT 1 FROM gone)"},
    // $1 user, $2 from, $3 to, $4 limit.
    {stmt::sleep_range, "sleep_range",
     "SELECT id, extracted_data, " + iso("created_at") +
       ", image_storage_path FROM sleep_extractions WHERE user_id = "
       "$1::integer AND "
       "created_at >= " +
       utc_midnight("$2") + " AND created_at < " +
       utc_midnight("$3::date + 1") +
       " ORDER BY created_at DESC, id DESC LIMIT $4::bigint"},
    // The link and its background refresh reminder, if any.
    {stmt::intervals_credentials, "intervals_credentials",
     "SELECT c.athlete_id, c.encrypted_token_or_key, " + iso("r.due_at") +
       " FROM intervals_credentials c LEFT JOIN user_reminders r ON "
       "r.user_id = c.user_id AND r.kind = 'intervals_refresh' "
       "WHERE c.user_id = $1::integer"},
    // $1 user, $2 stored key, $3 athlete id.
    {stmt::intervals_link_upsert, "intervals_link_upsert",
     "INSERT INTO intervals_credentials (user_id, encrypted_token_or_key, "
     "athlete_id, updated_at) VALUES ($1::integer, $2, $3, now()) "
     "ON CONFLICT (user_id) DO UPDATE SET "
     "encrypted_token_or_key = EXCLUDED.encrypted_token_or_key, "
     "athlete_id = EXCLUDED.athlete_id, updated_at = now()"},
    {stmt::intervals_unlink, "intervals_unlink",
     "DELETE FROM intervals_credentials WHERE user_id = $1::integer"},
    // $1 user, $2 kind, $3 due (ms since the epoch): the user's next due
    // time of a kind; any claim on the previous one ends.
    {stmt::reminder_set, "reminder_set",
     "INSERT INTO user_reminders (user_id, kind, due_at) VALUES "
     "($1::integer, $2, to_timestamp($3::float8 / 1000)) "
     "ON CONFLICT (user_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at, "
     "claimed_by = NULL, claimed_until = NULL, attempts = 0"},
    // $1 user, $2 kind.
    {stmt::reminder_clear, "reminder_clear",
     "DELETE FROM user_reminders WHERE user_id = $1::integer AND kind = $2"},
    // $1 claimer, $2 horizon (s), $3 lease (s), $4 most rows: claims rows
    // due within the horizon that nobody holds (or whose lease ran out);
    // other processes skip what this one locks. Answers user, kind, due
    // (ms since the epoch).
    {stmt::reminders_claim, "reminders_claim",
     "WITH due AS (SELECT user_id, kind FROM user_reminders "
     "WHERE due_at <= now() + $2::float8 * interval '1 second' "
     "AND (claimed_until IS NULL OR claimed_until < now()) "
     "ORDER BY due_at LIMIT $4::integer FOR UPDATE SKIP LOCKED) "
     "UPDATE user_reminders r SET claimed_by = $1, attempts = r.attempts + 1, "
     "claimed_until = greatest(r.due_at, now()) + "
     "$3::float8 * interval '1 second' "
     "FROM due WHERE r.user_id = due.user_id AND r.kind = due.kind "
     "RETURNING r.user_id, r.kind, "
     "(extract(epoch FROM r.due_at) * 1000)::bigint"},
    // $1 claimer, $2 users, $3 kinds, $4 dues (ms), $5 lease (s): the
    // claimed reminders that are still as claimed (not moved or dropped
    // meanwhile) fire now; their claim holds a lease from now, until the
    // user's actor writes its next due time.
    {stmt::reminders_confirm, "reminders_confirm",
     "UPDATE user_reminders r SET claimed_until = now() + "
     "$5::float8 * interval '1 second' FROM unnest($2::integer[], "
     "$3::text[], $4::bigint[]) AS c(user_id, kind, due) "
     "WHERE r.user_id = c.user_id AND r.kind = c.kind "
     "AND (extract(epoch FROM r.due_at) * 1000)::bigint = c.due "
     "AND r.claimed_by = $1 RETURNING r.user_id, r.kind"},
    // The admin view of every process's reminders: overdue, due within a
    // minute, claimed among those, and the next due time (s since the
    // epoch, NULL when none). Index ranges only, however many are stored.
    {stmt::reminders_outlook, "reminders_outlook",
     "SELECT count(*) FILTER (WHERE due_at <= now()), "
     "count(*) FILTER (WHERE due_at > now()), "
     "count(*) FILTER (WHERE claimed_until > now()), "
     "(SELECT extract(epoch FROM min(due_at))::bigint FROM user_reminders) "
     "FROM user_reminders WHERE due_at <= now() + interval '1 minute'"},
    // $1 period (s): a background refresh reminder for every linked user
    // without one, spread over the period by user id.
    {stmt::reminders_backfill_refresh, "reminders_backfill_refresh",
     "INSERT INTO user_reminders (user_id, kind, due_at) "
     "SELECT user_id, 'intervals_refresh', now() + "
     "((hashint4(user_id)::bigint & 2147483647) % "
     "greatest(1, $1::bigint)) * interval '1 second' "
     "FROM intervals_credentials ON CONFLICT (user_id, kind) DO NOTHING"},
    // One statement for every synced activity of a user: $1 user, then one
    // array per column (domain.md §4.7 step 5). Upstream values replace
    // ours; source, notes, checksum and created_at stay.
    {stmt::sync_workouts_upsert, "sync_workouts_upsert",
     "INSERT INTO workouts (user_id, external_id, source, start_date, name, "
     "type, duration_sec, distance_m, tss, raw) "
     "SELECT $1::integer, u.external_id, 'intervals', u.start_date, u.name, "
     "u.type, u.duration_sec, u.distance_m, u.tss, u.raw "
     "FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::text[], "
     "$6::integer[], $7::float8[], $8::float8[], $9::json[]) "
     "AS u(external_id, start_date, name, type, duration_sec, distance_m, "
     "tss, raw) "
     "ON CONFLICT (user_id, external_id) DO UPDATE SET "
     "start_date = EXCLUDED.start_date, name = EXCLUDED.name, "
     "type = EXCLUDED.type, duration_sec = EXCLUDED.duration_sec, "
     "distance_m = EXCLUDED.distance_m, tss = EXCLUDED.tss, "
     "raw = EXCLUDED.raw "
     // An unchanged row is not rewritten: a re-sync costs no new tuple
     // versions and no WAL for the days that did not change.
     "WHERE (workouts.start_date, workouts.name, workouts.type, "
     "workouts.duration_sec, workouts.distance_m, workouts.tss, "
     "workouts.raw::text) IS DISTINCT FROM (EXCLUDED.start_date, "
     "EXCLUDED.name, EXCLUDED.type, EXCLUDED.duration_sec, "
     "EXCLUDED.distance_m, EXCLUDED.tss, EXCLUDED.raw::text)"},
    // Every synced day of a user in one statement (domain.md §4.7 step 7):
    // RHR/HRV/weight only fill empty values (what the user entered wins);
    // sleep fills an empty value or replaces an earlier synced one, never
    // one the athlete or a photo gave (http-api-head.md §3.5, §6.15); load
    // figures and sport info replace ours, but a day that arrives without
    // them keeps the stored ones.
    {stmt::sync_wellness_upsert, "sync_wellness_upsert",
     "INSERT INTO wellness_cache (user_id, date, sleep_hours, rhr, hrv, ctl, "
     "atl, tsb, weight_kg, sport_info, sleep_source) "
     "SELECT $1::integer, u.*, CASE WHEN u.sleep_hours IS NOT NULL THEN "
     "'sync' END FROM unnest($2::date[], $3::float8[], "
     "$4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], "
     "$9::float8[], $10::json[]) "
     "AS u(date, sleep_hours, rhr, hrv, ctl, atl, tsb, weight_kg, "
     "sport_info) "
     "ON CONFLICT (user_id, date) DO UPDATE SET "
     "sleep_hours = " +
       synced_sleep + ", sleep_source = " + synced_sleep_source +
       ", "
       "rhr = coalesce(wellness_cache.rhr, EXCLUDED.rhr), "
       "hrv = coalesce(wellness_cache.hrv, EXCLUDED.hrv), "
       "weight_kg = coalesce(wellness_cache.weight_kg, EXCLUDED.weight_kg), "
       "ctl = coalesce(EXCLUDED.ctl, wellness_cache.ctl), "
       "atl = coalesce(EXCLUDED.atl, wellness_cache.atl), "
       "tsb = coalesce(EXCLUDED.tsb, wellness_cache.tsb), "
       "sport_info = coalesce(EXCLUDED.sport_info, wellness_cache.sport_info) "
       "WHERE (wellness_cache.sleep_hours, wellness_cache.rhr, "
       "wellness_cache.hrv, wellness_cache.weight_kg, wellness_cache.ctl, "
       "wellness_cache.atl, wellness_cache.tsb, "
       "wellness_cache.sport_info::text) "
       "IS DISTINCT FROM (" +
       synced_sleep +
       ", coalesce(wellness_cache.rhr, EXCLUDED.rhr), "
       "coalesce(wellness_cache.hrv, EXCLUDED.hrv), "
       "coalesce(wellness_cache.weight_kg, EXCLUDED.weight_kg), "
       "coalesce(EXCLUDED.ctl, wellness_cache.ctl), "
       "coalesce(EXCLUDED.atl, wellness_cache.atl), "
       "coalesce(EXCLUDED.tsb, wellness_cache.tsb), "
       "coalesce(EXCLUDED.sport_info, wellness_cache.sport_info)::text)"},

    // -- Strava
    // $1 user: the link (athlete, stored refresh and access tokens,
    // expiry in Unix s).
    {stmt::strava_link, "strava_link",
     "SELECT strava_athlete_id, encrypted_refresh_token, access_token, "
     "extract(epoch FROM expires_at)::bigint FROM strava_credentials "
     "WHERE user_id = $1::integer"},
    // $1 user: the newest job (the status shows it).
    {stmt::strava_job_latest, "strava_job_latest",
     "SELECT id, status, page_reached, activities_stored, attempts, "
     "coalesce(last_error, error_message), " +
       iso("requested_at") + ", " + iso("finished_at") + ", " +
       iso("next_attempt_at") +
       " FROM strava_sync_queue WHERE user_id = $1::integer "
       "ORDER BY id DESC LIMIT 1"},
    // $1 user, $2 nonce, $3 expiry (Unix s); states past their expiry go.
    {stmt::strava_state_insert, "strava_state_insert",
     "WITH gone AS (DELETE FROM strava_oauth_states WHERE expires_at < now()) "
     "INSERT INTO strava_oauth_states (nonce, user_id, expires_at) "
     "VALUES ($2, $1::integer, to_timestamp($3::bigint))"},
    // $1 user, $2 nonce: takes the state once (a replay finds nothing).
    {stmt::strava_state_take, "strava_state_take",
     "DELETE FROM strava_oauth_states WHERE nonce = $2 AND user_id = "
     "$1::integer AND expires_at >= now() RETURNING 1"},
    // $1 user, $2 refresh token (stored form), $3 access token (stored
    // form), $4 expiry (Unix s), $5 athlete id. A new link ends any note
    // of a revoked one.
    {stmt::strava_link_upsert, "strava_link_upsert",
     "WITH old AS (DELETE FROM strava_sync_queue WHERE user_id = $1::integer "
     "AND status = 'revoked') "
     "INSERT INTO strava_credentials (user_id, encrypted_refresh_token, "
     "access_token, expires_at, strava_athlete_id, updated_at) VALUES "
     "($1::integer, $2, $3, to_timestamp($4::bigint), $5::bigint, now()) "
     "ON CONFLICT (user_id) DO UPDATE SET "
     "encrypted_refresh_token = EXCLUDED.encrypted_refresh_token, "
     "access_token = EXCLUDED.access_token, expires_at = EXCLUDED.expires_at, "
     "strava_athlete_id = EXCLUDED.strava_athlete_id, updated_at = now()"},
    // $1 user, $2 refresh token, $3 access token (stored forms), $4 expiry:
    // the rotated pair, together.
    {stmt::strava_tokens_update, "strava_tokens_update",
     "UPDATE strava_credentials SET encrypted_refresh_token = $2, "
     "access_token = $3, expires_at = to_timestamp($4::bigint), "
     "updated_at = now() WHERE user_id = $1::integer"},
    // $1 user, $2 weight, $3 ftp, $4 first name, $5 last name, $6 profile
    // URL, $7 sex: Strava's fields replace the stored ones.
    {stmt::strava_profile_update, "strava_profile_update",
     "INSERT INTO athlete_profiles (user_id, strava_weight_kg, strava_ftp, "
     "strava_firstname, strava_lastname, strava_profile_url, strava_sex, "
     "strava_updated_at, updated_at) VALUES ($1::integer, $2::float8, "
     "$3::integer, $4, $5, $6, $7, now(), now()) "
     "ON CONFLICT (user_id) DO UPDATE SET "
     "strava_weight_kg = EXCLUDED.strava_weight_kg, "
     "strava_ftp = EXCLUDED.strava_ftp, "
     "strava_firstname = EXCLUDED.strava_firstname, "
     "strava_lastname = EXCLUDED.strava_lastname, "
     "strava_profile_url = EXCLUDED.strava_profile_url, "
     "strava_sex = EXCLUDED.strava_sex, strava_updated_at = now()"},
    // $1 user: the user's live job, made due now (a new one if none); a
    // second request joins it. Answers id and status.
    {stmt::strava_job_enqueue, "strava_job_enqueue",
     "INSERT INTO strava_sync_queue (user_id, status, requested_at, "
     "next_attempt_at) VALUES ($1::integer, 'pending', now(), now()) "
     "ON CONFLICT (user_id) WHERE status IN ('pending', 'running') "
     "DO UPDATE SET next_attempt_at = CASE WHEN strava_sync_queue.status = "
     "'pending' THEN now() ELSE strava_sync_queue.next_attempt_at END "
     "RETURNING id, status"},
    // $1 user, $2 claimer, $3 lease (s), $4 backfill (days): claims the
    // user's due job unless another process holds it (its lease running);
    // a first attempt fixes the window: after the newest stored activity
    // (incremental), else the backfill. Answers id, page reached, stored,
    // attempts, after, before.
    {stmt::strava_job_claim, "strava_job_claim",
     "WITH j AS (SELECT id FROM strava_sync_queue WHERE user_id = $1::integer "
     "AND status IN ('pending', 'running') AND coalesce(next_attempt_at, "
     "requested_at, now()) <= now() AND (lease_until IS NULL OR lease_until "
     "< now()) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) "
     "UPDATE strava_sync_queue q SET status = 'running', lease_owner = $2, "
     "lease_until = now() + $3::float8 * interval '1 second', "
     "started_at = coalesce(q.started_at, now()), attempts = q.attempts + 1, "
     "window_before = coalesce(q.window_before, "
     "extract(epoch FROM now())::bigint), "
     "window_after = coalesce(q.window_after, (SELECT "
     "extract(epoch FROM max(start_date))::bigint - 1 FROM strava_activities "
     "WHERE user_id = $1::integer), extract(epoch FROM now())::bigint - "
     "$4::bigint * 86400) FROM j WHERE q.id = j.id "
     "RETURNING q.id, q.page_reached, q.activities_stored, q.attempts, "
     "q.window_after, q.window_before"},
    // $1 user: when the user's live job may next be claimed (ms since the
    // epoch): its next attempt, or the end of another process's lease.
    {stmt::strava_job_due, "strava_job_due",
     "SELECT (extract(epoch FROM greatest(coalesce(next_attempt_at, now()), "
     "coalesce(lease_until, now()))) * 1000)::bigint FROM strava_sync_queue "
     "WHERE user_id = $1::integer AND status IN ('pending', 'running')"},
    // One statement for a page of activities: $1 user, then one array per
    // column, $29 job (or NULL), $30 claimer; Strava's values replace
    // ours, unchanged rows stay unwritten.
    {stmt::strava_page_upsert, "strava_page_upsert",
     "INSERT INTO strava_activities (user_id, strava_id, start_date, "
     "start_date_local, timezone, name, description, type, sport_type, "
     "workout_type, moving_time_sec, elapsed_time_sec, distance_m, "
     "total_elevation_gain_m, elev_high_m, elev_low_m, average_speed_m_s, "
     "max_speed_m_s, average_heartrate, max_heartrate, average_watts, "
     "kilojoules, suffer_score, trainer, commute, manual, private, raw, "
     "synced_at) SELECT $1::integer, u.strava_id, to_timestamp(u.start_unix), "
     "u.start_date_local, u.timezone, u.name, u.description, u.type, "
     "u.sport_type, u.workout_type, u.moving_time_sec, u.elapsed_time_sec, "
     "u.distance_m, u.total_elevation_gain_m, u.elev_high_m, u.elev_low_m, "
     "u.average_speed_m_s, u.max_speed_m_s, u.average_heartrate, "
     "u.max_heartrate, u.average_watts, u.kilojoules, u.suffer_score, "
     "u.trainer, u.commute, u.manual, u.private, u.raw, now() "
     "FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], "
     "$6::text[], $7::text[], $8::text[], $9::text[], $10::integer[], "
     "$11::integer[], $12::integer[], $13::float8[], $14::float8[], "
     "$15::float8[], $16::float8[], $17::float8[], $18::float8[], "
     "$19::float8[], $20::float8[], $21::float8[], $22::float8[], "
     "$23::float8[], $24::boolean[], $25::boolean[], $26::boolean[], "
     "$27::boolean[], $28::json[]) AS u(strava_id, start_unix, "
     "start_date_local, timezone, name, description, type, sport_type, "
     "workout_type, moving_time_sec, elapsed_time_sec, distance_m, "
     "total_elevation_gain_m, elev_high_m, elev_low_m, average_speed_m_s, "
     "max_speed_m_s, average_heartrate, max_heartrate, average_watts, "
     "kilojoules, suffer_score, trainer, commute, manual, private, raw) "
     // A job's page is written only while this process holds the job (an
     // unlink, or another process taking over, stops it).
     "WHERE $29::integer IS NULL OR EXISTS (SELECT 1 FROM strava_sync_queue "
     "WHERE id = $29::integer AND lease_owner = $30) "
     "ON CONFLICT (user_id, strava_id) DO UPDATE SET "
     "start_date = EXCLUDED.start_date, "
     "start_date_local = EXCLUDED.start_date_local, "
     "timezone = EXCLUDED.timezone, name = EXCLUDED.name, "
     "description = coalesce(EXCLUDED.description, "
     "strava_activities.description), type = EXCLUDED.type, "
     "sport_type = EXCLUDED.sport_type, "
     "workout_type = EXCLUDED.workout_type, "
     "moving_time_sec = EXCLUDED.moving_time_sec, "
     "elapsed_time_sec = EXCLUDED.elapsed_time_sec, "
     "distance_m = EXCLUDED.distance_m, "
     "total_elevation_gain_m = EXCLUDED.total_elevation_gain_m, "
     "elev_high_m = EXCLUDED.elev_high_m, elev_low_m = EXCLUDED.elev_low_m, "
     "average_speed_m_s = EXCLUDED.average_speed_m_s, "
     "max_speed_m_s = EXCLUDED.max_speed_m_s, "
     "average_heartrate = EXCLUDED.average_heartrate, "
     "max_heartrate = EXCLUDED.max_heartrate, "
     "average_watts = EXCLUDED.average_watts, "
     "kilojoules = EXCLUDED.kilojoules, "
     "suffer_score = EXCLUDED.suffer_score, trainer = EXCLUDED.trainer, "
     "commute = EXCLUDED.commute, manual = EXCLUDED.manual, "
     "private = EXCLUDED.private, raw = EXCLUDED.raw, synced_at = now() "
     "WHERE strava_activities.raw::text IS DISTINCT FROM EXCLUDED.raw::text"},
    // $1 job, $2 claimer, $3 page reached, $4 activities stored by the
    // page, $5 lease (s): progress, and the claim renewed (only while it
    // is still ours).
    {stmt::strava_job_progress, "strava_job_progress",
     "UPDATE strava_sync_queue SET page_reached = $3::integer, "
     "activities_stored = activities_stored + $4::integer, last_error = NULL, "
     "lease_until = now() + $5::float8 * interval '1 second' "
     "WHERE id = $1::integer AND lease_owner = $2 RETURNING id"},
    // $1 job.
    {stmt::strava_job_done, "strava_job_done",
     "UPDATE strava_sync_queue SET status = 'done', finished_at = now(), "
     "lease_owner = NULL, lease_until = NULL, error_message = NULL "
     "WHERE id = $1::integer"},
    // $1 job, $2 error, $3 most attempts, $4 wait (s), $5 whether the
    // attempt counts (a job that only waited for the budget keeps it):
    // back to pending with a next attempt, or failed for good. Answers the
    // status and the next attempt (ms since the epoch).
    {stmt::strava_job_failed, "strava_job_failed",
     "UPDATE strava_sync_queue SET attempts = attempts - CASE WHEN "
     "$5::boolean THEN 0 ELSE 1 END, "
     "status = CASE WHEN $5::boolean AND attempts >= $3::integer THEN "
     "'failed' ELSE 'pending' END, "
     "finished_at = CASE WHEN $5::boolean AND attempts >= $3::integer THEN "
     "now() END, last_error = $2, error_message = left($2, 500), "
     "next_attempt_at = now() + $4::float8 * interval '1 second', "
     "lease_owner = NULL, lease_until = NULL WHERE id = $1::integer "
     "RETURNING status, (extract(epoch FROM next_attempt_at) * 1000)::bigint"},
    // $1 user: everything of the link goes; the profile keeps its manual
    // fields.
    {stmt::strava_unlink, "strava_unlink",
     "WITH a AS (DELETE FROM strava_activities WHERE user_id = $1::integer), "
     "q AS (DELETE FROM strava_sync_queue WHERE user_id = $1::integer), "
     "e AS (DELETE FROM strava_webhook_events WHERE user_id = $1::integer), "
     "r AS (DELETE FROM user_reminders WHERE user_id = $1::integer AND kind "
     "LIKE 'strava%'), p AS (UPDATE athlete_profiles SET strava_weight_kg = "
     "NULL, strava_ftp = NULL, strava_firstname = NULL, strava_lastname = "
     "NULL, strava_profile_url = NULL, strava_sex = NULL, strava_updated_at = "
     "NULL WHERE user_id = $1::integer) "
     "DELETE FROM strava_credentials WHERE user_id = $1::integer"},
    // $1 user, $2 reason: after strava_unlink, a note that Strava ended
    // the link (the status shows it until the next link).
    {stmt::strava_revoked, "strava_revoked",
     "INSERT INTO strava_sync_queue (user_id, status, requested_at, "
     "finished_at, last_error, error_message) VALUES ($1::integer, "
     "'revoked', now(), now(), $2, left($2, 500))"},
    // $1 user, $2 first, $3 last UTC instant (Unix s): activities newest
    // first, with what TSS needs.
    {stmt::strava_activity_range, "strava_activity_range",
     "SELECT strava_id, name, extract(epoch FROM start_date)::bigint, "
     "start_date_local, moving_time_sec, distance_m, type, "
     "CASE WHEN json_typeof(raw -> 'weighted_average_watts') = 'number' "
     "THEN (raw ->> 'weighted_average_watts')::float8 END, average_watts "
     "FROM strava_activities WHERE user_id = $1::integer "
     "AND start_date >= to_timestamp($2::bigint) "
     "AND start_date < to_timestamp($3::bigint) ORDER BY start_date DESC, id"},
    // $1 user, $2 Strava id.
    {stmt::strava_activity_delete, "strava_activity_delete",
     "DELETE FROM strava_activities WHERE user_id = $1::integer AND "
     "strava_id = $2::bigint"},
    // $1 user: webhook events to apply, oldest first.
    {stmt::strava_events_pending, "strava_events_pending",
     "SELECT id, object_type, object_id, aspect_type, updates "
     "FROM strava_webhook_events WHERE user_id = $1::integer "
     "ORDER BY id LIMIT 100"},
    // $1 event ids.
    {stmt::strava_events_done, "strava_events_done",
     "DELETE FROM strava_webhook_events WHERE id = ANY($1::integer[])"},
    // $1 user: the events reminder goes, unless an event waits.
    {stmt::strava_events_forget, "strava_events_forget",
     "DELETE FROM user_reminders WHERE user_id = $1::integer AND kind = "
     "'strava_events' AND NOT EXISTS (SELECT 1 FROM strava_webhook_events "
     "WHERE user_id = $1::integer)"},
    // $1 owner (athlete), $2 object type, $3 object id, $4 aspect, $5
    // updates, $6 event time: the event for every user linked to that
    // athlete, and their reminder due now (a redelivery changes nothing).
    // Answers the users.
    {stmt::strava_event_insert, "strava_event_insert",
     "WITH e AS (INSERT INTO strava_webhook_events (user_id, object_type, "
     "object_id, aspect_type, updates, event_time) SELECT user_id, $2, "
     "$3::bigint, $4, $5, $6::bigint FROM strava_credentials WHERE "
     "strava_athlete_id = $1::bigint ON CONFLICT DO NOTHING RETURNING "
     "user_id) INSERT INTO user_reminders (user_id, kind, due_at) SELECT "
     "DISTINCT user_id, 'strava_events', now() FROM e ON CONFLICT (user_id, "
     "kind) DO UPDATE SET due_at = now(), claimed_by = NULL, claimed_until = "
     "NULL, attempts = 0 RETURNING user_id"},
    // $1 user, $2 days kept.
    {stmt::strava_purge, "strava_purge",
     "DELETE FROM strava_activities WHERE user_id = $1::integer AND "
     "start_date < now() - $2::bigint * interval '1 day'"},
    // $1 user, $2 most: the newest messages, newest first.
    // $1 user, $2 limit, $3 thread: its newest messages.
    {stmt::chat_recent, "chat_recent",
     "SELECT role, content, " + iso("timestamp") +
       " FROM chat_messages WHERE user_id = $1::integer AND thread_id = "
       "$3::integer ORDER BY timestamp DESC NULLS LAST, id DESC "
       "LIMIT $2::bigint"},
    // $1 user, $2 role, $3 content, $4 thread (its own instant: two
    // messages of one transaction stay in order).
    {stmt::chat_insert, "chat_insert",
     "INSERT INTO chat_messages (user_id, role, content, timestamp, "
     "thread_id) VALUES ($1::integer, $2, $3, clock_timestamp(), "
     "$4::integer)"},
    // $1 user, $2 date, $3 slot: whether that slot was decided already.
    {stmt::decision_exists, "decision_exists",
     "SELECT count(*) FROM daily_decisions WHERE user_id = $1::integer AND "
     "date = $2::date AND slot = $3::smallint"},
    // $1 user, $2 date, $3 slot (NULL = asked for), $4 decision, $5 reason,
    // $6 plan, $7 suggestions, $8 source, $9 chat message (NULL = none),
    // $10 the model's word, $11 the readiness signals, $12 evening tips,
    // $13 tomorrow's session: stored once per slot
    // (a second process's decision is dropped), the message only with it,
    // in the default thread (none yet: the thread made later adopts it).
    // Answers created_at when stored.
    {stmt::decision_insert, "decision_insert",
     "WITH d AS (INSERT INTO daily_decisions (user_id, date, slot, decision, "
     "reason, plan, suggestions, source, model_decision, readiness, "
     "evening_tips, plan_tomorrow) VALUES ($1::integer, $2::date, "
     "$3::smallint, $4, $5, $6::json, $7, $8, $10, $11::json, $12, $13) "
     "ON CONFLICT (user_id, date, "
     "slot) DO NOTHING RETURNING created_at), m AS (INSERT INTO "
     "chat_messages (user_id, role, content, timestamp, thread_id) SELECT "
     "$1::integer, 'assistant', $9::text, clock_timestamp(), (SELECT "
     "min(id) FROM chat_threads WHERE user_id = $1::integer) FROM d WHERE "
     "$9::text IS NOT NULL) SELECT " +
       iso("created_at") + " FROM d"},
    // $1 user, $2 first, $3 last day: the decisions, newest first.
    {stmt::decision_range, "decision_range",
     "SELECT to_char(date, 'YYYY-MM-DD'), slot, decision, reason, "
     "plan::text, suggestions, source, " +
       iso("created_at") +
       ", model_decision, readiness::text, evening_tips, plan_tomorrow" +
       " FROM daily_decisions WHERE user_id = $1::integer AND date >= "
       "$2::date AND date <= $3::date ORDER BY date DESC, created_at DESC, "
       "id DESC"},
    // $1 the server's hours: a decision reminder for every account that
    // has none, at its next slot on its own clock (a zone PostgreSQL does
    // not know counts as UTC); empty hours of its own = none.
    {stmt::reminders_backfill_decisions, "reminders_backfill_decisions",
     "WITH zones AS (SELECT name FROM pg_timezone_names), s AS (SELECT "
     "u.id, coalesce(z.name, 'UTC') AS tz, coalesce(p.decision_hours, "
     "$1::smallint[]) AS hours FROM users u LEFT JOIN athlete_profiles p ON "
     "p.user_id = u.id LEFT JOIN zones z ON z.name = p.timezone) "
     "INSERT INTO user_reminders (user_id, kind, due_at) SELECT s.id, "
     "'decision', n.t FROM s CROSS JOIN LATERAL (SELECT min(((date_trunc("
     "'day', now() AT TIME ZONE s.tz) + d * interval '1 day' + h * interval "
     "'1 hour') AT TIME ZONE s.tz)) AS t FROM unnest(s.hours) h, "
     "generate_series(0, 1) d WHERE ((date_trunc('day', now() AT TIME ZONE "
     "s.tz) + d * interval '1 day' + h * interval '1 hour') AT TIME ZONE "
     "s.tz) > now()) n WHERE n.t IS NOT NULL "
     "ON CONFLICT (user_id, kind) DO NOTHING"},
    // Screenshots kept in PostgreSQL (no S3 store): $1 key, $2 user, $3
    // content type, $4 the bytes as base64.
    {stmt::image_keep, "image_keep",
     "INSERT INTO stored_images (path, user_id, content_type, data) VALUES "
     "($1, $2::integer, $3, decode($4, 'base64'))"},
    // $1 key: its content type and bytes as base64 (on one line).
    {stmt::image_kept, "image_kept",
     "SELECT content_type, translate(encode(data, 'base64'), E'\\n', '') "
     "FROM stored_images WHERE path = $1"},
    {stmt::image_forget, "image_forget",
     "DELETE FROM stored_images WHERE path = $1"},
    // $1 user, $2 limit, $3 offset: threads, newest first.
    {stmt::thread_list, "thread_list",
     "SELECT " + thread_columns +
       " FROM chat_threads WHERE user_id = $1::integer ORDER BY created_at "
       "DESC NULLS LAST, id DESC LIMIT $2::bigint OFFSET $3::bigint"},
    {stmt::thread_count, "thread_count",
     "SELECT count(*) FROM chat_threads WHERE user_id = $1::integer"},
    // $1 user, $2 title.
    {stmt::thread_insert, "thread_insert",
     "INSERT INTO chat_threads (user_id, title) VALUES ($1::integer, $2) "
     "RETURNING " +
       thread_columns},
    // $1 thread, $2 user, $3 title.
    {stmt::thread_rename, "thread_rename",
     "UPDATE chat_threads SET title = $3 WHERE id = $1::integer AND "
     "user_id = $2::integer RETURNING " +
       thread_columns},
    // $1 thread, $2 user (its messages go by the foreign key's cascade).
    {stmt::thread_delete, "thread_delete",
     "DELETE FROM chat_threads WHERE id = $1::integer AND user_id = "
     "$2::integer RETURNING id"},
    // $1 thread, $2 user: answers the thread when it is the user's.
    {stmt::thread_clear, "thread_clear",
     "WITH t AS (SELECT id FROM chat_threads WHERE id = $1::integer AND "
     "user_id = $2::integer), d AS (DELETE FROM chat_messages WHERE "
     "thread_id IN (SELECT id FROM t)) SELECT id FROM t"},
    {stmt::thread_owned, "thread_owned",
     "SELECT id FROM chat_threads WHERE id = $1::integer AND user_id = "
     "$2::integer"},
    // $1 user, $2 title: the default thread (the oldest), made when the
    // user has none; messages of no thread (decisions written before it
    // existed, an older version's) move into it.
    {stmt::thread_default, "thread_default",
     "WITH t AS (SELECT id FROM chat_threads WHERE user_id = $1::integer "
     "ORDER BY id LIMIT 1), n AS (INSERT INTO chat_threads (user_id, title) "
     "SELECT $1::integer, $2 WHERE NOT EXISTS (SELECT 1 FROM t) RETURNING "
     "id), d AS (SELECT id FROM t UNION ALL SELECT id FROM n), o AS (UPDATE "
     "chat_messages SET thread_id = (SELECT id FROM d) WHERE user_id = "
     "$1::integer AND thread_id IS NULL) SELECT id FROM d"},
    // $1 user, $2 first, $3 last day: the window's wellness days.
    {stmt::analytics_wellness, "analytics_wellness",
     "SELECT to_char(date, 'YYYY-MM-DD'), sleep_hours, rhr, hrv, ctl, atl, "
     "tsb FROM wellness_cache WHERE user_id = $1::integer AND date >= "
     "$2::date AND date <= $3::date ORDER BY date"},
    // $1 user, $2 first, $3 last day, $4 the athlete's zone: the workouts
    // that started on those days of theirs, each with its day.
    {stmt::analytics_workouts, "analytics_workouts",
     "SELECT to_char((start_date AT TIME ZONE $4)::date, 'YYYY-MM-DD'), "
     "name, type, duration_sec, distance_m, tss FROM workouts WHERE "
     "user_id = $1::integer AND start_date >= " +
       local_midnight("$2", "$4") + " AND start_date < " +
       local_midnight("$3::date + 1", "$4") + " ORDER BY start_date, id"},
    // $1 user, $2 first, $3 last day: the food of each of those days,
    // summed. A food day is the UTC date of its entries' instants, as in
    // food_day (an entry written for a day is stored at that day's UTC
    // midnight).
    {stmt::analytics_food, "analytics_food",
     "SELECT to_char((timestamp AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD'), "
     "sum(calories), sum(protein_g), sum(fat_g), sum(carbs_g), count(*) "
     "FROM food_log WHERE user_id = $1::integer AND timestamp >= " +
       utc_midnight("$2") + " AND timestamp < " + utc_midnight("$3::date + 1") +
       " GROUP BY 1 ORDER BY 1"},
    // As analytics_food: each day's sum of each micronutrient (1 decimal).
    {stmt::analytics_nutrients, "analytics_nutrients",
     "SELECT to_char((f.timestamp AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD'), "
     "e.key, round(sum((e.value #>> '{}')::numeric), 1) FROM food_log f, "
     "json_each(CASE WHEN json_typeof(f.extended_nutrients) = 'object' THEN "
     "f.extended_nutrients END) e WHERE f.user_id = $1::integer AND "
     "f.timestamp >= " +
       utc_midnight("$2") + " AND f.timestamp < " +
       utc_midnight("$3::date + 1") +
       " AND json_typeof(e.value) = 'number' GROUP BY 1, 2 ORDER BY 1, 2"},
    // $1 user, $2 today: the newest CTL/ATL/TSB up to it.
    {stmt::analytics_latest_load, "analytics_latest_load",
     "SELECT ctl, atl, tsb, to_char(date, 'YYYY-MM-DD') FROM wellness_cache "
     "WHERE user_id = $1::integer AND ctl IS NOT NULL AND date <= $2::date "
     "ORDER BY date DESC LIMIT 1"},
    // $1 user, $2 Monday: whether that week has its summary.
    {stmt::weekly_summary_exists, "weekly_summary_exists",
     "SELECT count(*) FROM user_weekly_summaries WHERE user_id = $1::integer "
     "AND week_start_date = $2::date"},
    // $1 user, $2 Monday, $3 text: stored once per week (a second
    // process's is dropped).
    {stmt::weekly_summary_insert, "weekly_summary_insert",
     "INSERT INTO user_weekly_summaries (user_id, week_start_date, "
     "summary_text) VALUES ($1::integer, $2::date, $3) ON CONFLICT (user_id, "
     "week_start_date) DO NOTHING"},
    // $1 user: the newest week's summary.
    {stmt::weekly_summary_latest, "weekly_summary_latest",
     "SELECT summary_text FROM user_weekly_summaries WHERE user_id = "
     "$1::integer ORDER BY week_start_date DESC LIMIT 1"},
    // $1 user, $2 instant: whether a workout started since.
    {stmt::workout_since, "workout_since",
     "SELECT EXISTS (SELECT 1 FROM workouts WHERE user_id = $1::integer AND "
     "start_date >= $2::timestamptz)"},
    // Password reset (http-api-head.md §3.1.5–3.1.6, §6 item 7). $1 user,
    // $2 the token's SHA-256, $3 its lifetime (minutes): the user's earlier
    // tokens go, the new one is stored; answers its id.
    {stmt::reset_token_issue, "reset_token_issue",
     "WITH gone AS (DELETE FROM password_reset_tokens WHERE user_id = "
     "$1::integer) INSERT INTO password_reset_tokens (user_id, token_hash, "
     "expires_at, created_at) VALUES ($1::integer, $2, now() + $3::integer "
     "* interval '1 minute', now()) RETURNING id"},
    // $1 a token's SHA-256: its account while it is valid.
    {stmt::reset_token_owner, "reset_token_owner",
     "SELECT user_id FROM password_reset_tokens WHERE token_hash = $1 AND "
     "expires_at > now()"},
    // $1 the token's SHA-256, $2 the new bcrypt hash: the token is used up
    // (once: a second use finds no row), the password set, and every other
    // reset token and every session (refresh token, chain) of the account
    // revoked. Answers the account.
    {stmt::reset_password_apply, "reset_password_apply",
     "WITH t AS (DELETE FROM password_reset_tokens WHERE token_hash = $1 AND "
     "expires_at > now() RETURNING user_id), u AS (UPDATE users SET "
     "password_hash = $2 FROM t WHERE users.id = t.user_id RETURNING "
     "users.id, users.email), others AS (DELETE FROM password_reset_tokens "
     "WHERE user_id IN (SELECT id FROM u) AND token_hash <> $1), sessions AS "
     "(DELETE FROM user_refresh_tokens WHERE user_id IN (SELECT id FROM u)), "
     "chains AS (DELETE FROM refresh_token_chains WHERE user_id IN (SELECT "
     "id FROM u)) SELECT id, email FROM u"},
    {stmt::user_password_by_id, "user_password_by_id",
     "SELECT password_hash FROM users WHERE id = $1::integer"},
    // $1 user: the account and, by its foreign keys' cascades, every row
    // of it (audit rows keep no user: SET NULL); answers the keys of its
    // sleep screenshots, for the image store.
    {stmt::account_erase, "account_erase",
     "WITH shots AS (SELECT image_storage_path AS key FROM sleep_extractions "
     "WHERE user_id "
     "= $1::integer AND image_storage_path IS NOT NULL), gone AS (DELETE FROM "
     "users "
     "WHERE id = $1::integer RETURNING id) SELECT key FROM shots "
     "WHERE EXISTS (SELECT 1 FROM gone)"},
    {stmt::export_account, "export_account",
     export_page("id, email, created_at, is_premium, locale, timezone", "users",
                 "id = $1::integer")},
    {stmt::export_profile, "export_profile",
     export_page("*", "athlete_profiles", "user_id = $1::integer")},
    {stmt::export_wellness, "export_wellness",
     export_page("*", "wellness_cache", "user_id = $1::integer")},
    {stmt::export_workouts, "export_workouts",
     export_page("*", "workouts", "user_id = $1::integer")},
    {stmt::export_food, "export_food",
     export_page("*", "food_log", "user_id = $1::integer")},
    {stmt::export_sleep_readings, "export_sleep_readings",
     export_page("*", "sleep_extractions", "user_id = $1::integer")},
    {stmt::export_chat_threads, "export_chat_threads",
     export_page("*", "chat_threads", "user_id = $1::integer")},
    {stmt::export_chat_messages, "export_chat_messages",
     export_page("*", "chat_messages", "user_id = $1::integer")},
    {stmt::export_decisions, "export_decisions",
     export_page("*", "daily_decisions", "user_id = $1::integer")},
    {stmt::export_weekly_summaries, "export_weekly_summaries",
     export_page("*", "user_weekly_summaries", "user_id = $1::integer")},
    {stmt::export_intervals_link, "export_intervals_link",
     export_page("id, user_id, athlete_id, auth_type, updated_at",
                 "intervals_credentials", "user_id = $1::integer")},
    {stmt::export_strava_link, "export_strava_link",
     export_page("id, user_id, strava_athlete_id, updated_at",
                 "strava_credentials", "user_id = $1::integer")},
    {stmt::export_strava_activities, "export_strava_activities",
     export_page("*", "strava_activities", "user_id = $1::integer")},
    {stmt::export_subscriptions, "export_subscriptions",
     export_page("*", "subscriptions", "user_id = $1::integer")},
    {stmt::export_daily_usage, "export_daily_usage",
     export_page("*", "daily_usage", "user_id = $1::integer")},
  };
  return result;
}

const std::vector<export_section>& export_sections() {
  static const std::vector<export_section> result{
    {"account", stmt::export_account, 500},
    {"profile", stmt::export_profile, 500},
    {"wellness", stmt::export_wellness, 500},
    {"workouts", stmt::export_workouts, 20},
    {"food", stmt::export_food, 500},
    {"sleep_readings", stmt::export_sleep_readings, 200},
    {"chat_threads", stmt::export_chat_threads, 500},
    {"chat_messages", stmt::export_chat_messages, 200},
    {"decisions", stmt::export_decisions, 200},
    {"weekly_summaries", stmt::export_weekly_summaries, 500},
    {"intervals_link", stmt::export_intervals_link, 500},
    {"strava_link", stmt::export_strava_link, 500},
    {"strava_activities", stmt::export_strava_activities, 50},
    {"subscriptions", stmt::export_subscriptions, 500},
    {"daily_usage", stmt::export_daily_usage, 500},
  };
  return result;
}

const statement_def& statement(stmt id) {
  return statement_catalog().at(static_cast<size_t>(id));
}

std::string to_string(stmt id) {
  return statement(id).name;
}

} // namespace st
