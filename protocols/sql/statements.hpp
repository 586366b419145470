#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace st {

/// Every SQL statement the service runs, prepared once per connection and
/// referred to by id. Values are always bound parameters.
enum class stmt : uint16_t {
  ping,
  user_by_email,
  user_by_id,
  insert_user_with_token,
  insert_refresh_token,
  rotate_refresh_token,
  revoke_reused_chain,
  delete_refresh_token,
  purge_refresh_tokens,
  profile_by_user,
  profile_upsert,
  idempotency_purge,
  idempotency_claim,
  idempotency_read,
  idempotency_store,
  idempotency_release,
  usage_charge,
  usage_refund,
  user_settings_update,
  food_insert,
  food_reestimate,
  food_by_id,
  food_update,
  food_delete,
  food_day,
  wellness_upsert,
  wellness_range,
  wellness_clear,
  wellness_drop_empty,
  wellness_count,
  workout_insert,
  workout_update,
  workout_candidates,
  workout_merge,
  workout_delete,
  workout_range,
  workout_by_checksum,
  intervals_linked,
  latest_intervals_load,
  daily_tss,
  completed_daily_tss,
  effective_ftp,
  sleep_insert,
  sleep_reread,
  sleep_by_id,
  sleep_delete,
  sleep_range,
  intervals_credentials,
  intervals_link_upsert,
  intervals_unlink,
  reminder_set,
  reminder_clear,
  reminders_claim,
  reminders_confirm,
  reminders_outlook,
  reminders_backfill_refresh,
  sync_workouts_upsert,
  sync_wellness_upsert,
  strava_link,
  strava_job_latest,
  strava_state_insert,
  strava_state_take,
  strava_link_upsert,
  strava_tokens_update,
  strava_profile_update,
  strava_job_enqueue,
  strava_job_claim,
  strava_job_due,
  strava_page_upsert,
  strava_job_progress,
  strava_job_done,
  strava_job_failed,
  strava_unlink,
  strava_revoked,
  strava_activity_range,
  strava_activity_delete,
  strava_events_pending,
  strava_events_done,
  strava_events_forget,
  strava_event_insert,
  strava_purge,
  chat_recent,
  chat_insert,
  decision_exists,
  decision_insert,
  decision_range,
  reminders_backfill_decisions,
  image_keep,
  image_kept,
  image_forget,
  thread_list,
  thread_count,
  thread_insert,
  thread_rename,
  thread_delete,
  thread_clear,
  thread_owned,
  thread_default,
  analytics_wellness,
  analytics_workouts,
  analytics_food,
  analytics_nutrients,
  analytics_latest_load,
  weekly_summary_exists,
  weekly_summary_insert,
  weekly_summary_latest,
  workout_since,
  reset_token_issue,
  reset_token_owner,
  reset_password_apply,
  user_password_by_id,
  account_erase,
  export_account,
  export_profile,
  export_wellness,
  export_workouts,
  export_food,
  export_sleep_readings,
  export_chat_threads,
  export_chat_messages,
  export_decisions,
  export_weekly_summaries,
  export_intervals_link,
  export_strava_link,
  export_strava_activities,
  export_subscriptions,
  export_daily_usage,
};

/// A catalog entry: the prepared statement's name and text.
struct statement_def {
  stmt id;
  const char* name;
  std::string sql;
};

/// One section of an athlete's data export (GET users/me/export): its key
/// in the document, its statement ($1 user, $2 the last id read, $3 the
/// page's size: `id, row_to_json(row)` of the next page, by id; secrets
/// are never selected) and its page size (small where a row can be large).
struct export_section {
  const char* name;
  stmt id;
  int64_t page_rows;
};

/// Every section, in the document's order.
[[nodiscard]] const std::vector<export_section>& export_sections();

/// The whole catalog, in enum order.
[[nodiscard]] const std::vector<statement_def>& statement_catalog();

/// The catalog entry of `id`.
[[nodiscard]] const statement_def& statement(stmt id);

/// Renders `"stmt"` for logs.
[[nodiscard]] std::string to_string(stmt id);

} // namespace st
