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

const std::string food_columns = "id, name, portion_grams, calories, "
                                 "protein_g, fat_g, carbs_g, "
                                 "coalesce(meal_type, 'other'), "
                                 "coalesce(" +
                                 iso("timestamp") + ", '')";

const std::string wellness_columns =
  "to_char(date, 'YYYY-MM-DD'), sleep_hours, rhr, hrv, ctl, atl, tsb, "
  "weight_kg, sport_info::text";

const std::string workout_columns = "id, " + iso("start_date") +
                                    ", name, type, duration_sec, "
                                    "distance_m, tss, source, notes";

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
     "WHERE expires_at <= now()) "
     "DELETE FROM user_refresh_tokens WHERE expires_at <= now()"},
    {stmt::profile_by_user, "profile_by_user",
     "SELECT p.strava_weight_kg, p.strava_ftp, p.strava_firstname, "
     "p.strava_lastname, p.strava_profile_url, p.strava_sex, " +
       iso("p.strava_updated_at") +
       ", p.weight_kg, p.height_cm, p.birth_year, p.ftp, u.email, "
       "p.timezone "
       "FROM users u LEFT JOIN athlete_profiles p ON p.user_id = u.id "
       "WHERE u.id = $1::integer"},
    // $1 user, $2 weight, $3 height, $4 birth year, $5 ftp, $6 time zone;
    // NULL = keep.
    {stmt::profile_upsert, "profile_upsert",
     "INSERT INTO athlete_profiles (user_id, weight_kg, height_cm, "
     "birth_year, ftp, timezone, updated_at) VALUES ($1::integer, "
     "$2::float8, $3::float8, $4::integer, $5::integer, $6, now()) "
     "ON CONFLICT (user_id) DO UPDATE SET "
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
     "athlete_profiles.timezone) "
     "THEN now() ELSE athlete_profiles.updated_at END"},
    // $1 user, $2 date, $3 meal, $4 name, $5..$9 values.
    {stmt::food_insert, "food_insert",
     "INSERT INTO food_log (user_id, timestamp, meal_type, name, "
     "portion_grams, calories, protein_g, fat_g, carbs_g) VALUES "
     "($1::integer, " +
       utc_midnight("$2") +
       ", $3, $4, $5::float8, $6::float8, $7::float8, $8::float8, "
       "$9::float8) RETURNING " +
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
    {stmt::wellness_upsert, "wellness_upsert",
     "INSERT INTO wellness_cache (user_id, date, sleep_hours, rhr, hrv, "
     "weight_kg) VALUES ($1::integer, $2::date, $3::float8, $4::float8, "
     "$5::float8, $6::float8) ON CONFLICT (user_id, date) DO UPDATE SET "
     "sleep_hours = coalesce(EXCLUDED.sleep_hours, "
     "wellness_cache.sleep_hours), "
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
    {stmt::workout_delete, "workout_delete",
     "DELETE FROM workouts WHERE id = $1::integer AND user_id = $2::integer"},
    {stmt::workout_range, "workout_range",
     "SELECT " + workout_columns +
       " FROM workouts WHERE user_id = $1::integer AND start_date >= " +
       utc_midnight("$2") + " AND start_date < " +
       utc_midnight("$3::date + 1") + " ORDER BY start_date DESC, id"},
    {stmt::workout_by_checksum, "workout_by_checksum",
     "SELECT id FROM workouts WHERE user_id = $1::integer "
     "AND fit_checksum = $2 LIMIT 1"},
    {stmt::intervals_linked, "intervals_linked",
     "SELECT count(*) FROM intervals_credentials WHERE user_id = $1::integer"},
    {stmt::latest_intervals_load, "latest_intervals_load",
     "SELECT to_char(date, 'YYYY-MM-DD'), ctl, atl, tsb FROM wellness_cache "
     "WHERE user_id = $1::integer AND ctl IS NOT NULL "
     "ORDER BY date DESC LIMIT 1"},
    // $1 user, $2 as-of date: TSS per UTC day of the 90 days up to it.
    // Each workout counts at most limits::max_tss (rows written before
    // inputs were bounded could make the sum overflow).
    {stmt::daily_tss, "daily_tss",
     "SELECT to_char((start_date AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD'), "
     "sum(least(greatest(coalesce(tss, 0), 0), " +
       std::to_string(static_cast<int64_t>(limits::max_tss)) +
       ")) FROM workouts WHERE user_id = $1::integer "
       "AND start_date >= " +
       utc_midnight("$2::date - 90") + " AND start_date < " +
       utc_midnight("$2::date + 1") + " GROUP BY 1 ORDER BY 1"},
    {stmt::effective_ftp, "effective_ftp",
     "SELECT coalesce(ftp::float8, strava_ftp::float8) FROM athlete_profiles "
     "WHERE user_id = $1::integer"},
    {stmt::sleep_insert, "sleep_insert",
     "INSERT INTO sleep_extractions (user_id, created_at, extracted_data) "
     "VALUES ($1::integer, now(), $2) RETURNING id, extracted_data, " +
       iso("created_at")},
    // $1 user, $2 from, $3 to, $4 limit.
    {stmt::sleep_range, "sleep_range",
     "SELECT id, extracted_data, " + iso("created_at") +
       " FROM sleep_extractions WHERE user_id = $1::integer AND "
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
    // sleep/RHR/HRV/weight only fill empty values (what the user entered
    // wins); load figures and sport info replace ours, but a day that
    // arrives without them keeps the stored ones.
    {stmt::sync_wellness_upsert, "sync_wellness_upsert",
     "INSERT INTO wellness_cache (user_id, date, sleep_hours, rhr, hrv, ctl, "
     "atl, tsb, weight_kg, sport_info) "
     "SELECT $1::integer, u.* FROM unnest($2::date[], $3::float8[], "
     "$4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], "
     "$9::float8[], $10::json[]) "
     "AS u(date, sleep_hours, rhr, hrv, ctl, atl, tsb, weight_kg, "
     "sport_info) "
     "ON CONFLICT (user_id, date) DO UPDATE SET "
     "sleep_hours = coalesce(wellness_cache.sleep_hours, "
     "EXCLUDED.sleep_hours), "
     "rhr = coalesce(wellness_cache.rhr, EXCLUDED.rhr), "
     "hrv = coalesce(wellness_cache.hrv, EXCLUDED.hrv), "
     "weight_kg = coalesce(wellness_cache.weight_kg, EXCLUDED.weight_kg), "
     "ctl = coalesce(EXCLUDED.ctl, wellness_cache.ctl), "
     "atl = coalesce(EXCLUDED.atl, wellness_cache.atl), "
     "tsb = coalesce(EXCLUDED.tsb, wellness_cache.tsb), "
     "sport_info = coalesce(EXCLUDED.sport_info, wellness_cache.sport_info) "
     "WHERE (wellness_cache.sleep_hours, wellness_cache.rhr, "
     "wellness_cache.hrv, wellness_cache.weight_kg, wellness_cache.ctl, "
     "wellness_cache.atl, wellness_cache.tsb, wellness_cache.sport_info::text) "
     "IS DISTINCT FROM (coalesce(wellness_cache.sleep_hours, "
     "EXCLUDED.sleep_hours), coalesce(wellness_cache.rhr, EXCLUDED.rhr), "
     "coalesce(wellness_cache.hrv, EXCLUDED.hrv), "
     "coalesce(wellness_cache.weight_kg, EXCLUDED.weight_kg), "
     "coalesce(EXCLUDED.ctl, wellness_cache.ctl), "
     "coalesce(EXCLUDED.atl, wellness_cache.atl), "
     "coalesce(EXCLUDED.tsb, wellness_cache.tsb), "
     "coalesce(EXCLUDED.sport_info, wellness_cache.sport_info)::text)"},
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
