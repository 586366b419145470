#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "util/log.hpp"

namespace st {

/// Deployment kind; production refuses unsafe defaults.
enum class environment { development, production };

/// The effective configuration of one process, after every source was
/// merged and every value validated. Names follow the reference's
/// environment variables (domain.md §14.1) plus this service's own.
struct settings {
  // Reference settings.
  std::string database_url; ///< libpq conninfo (URL or key=value form)
  std::string secret_key;
  std::string jwt_algorithm;
  int64_t access_token_expire_minutes = 0;
  int64_t refresh_token_expire_days = 0;
  std::vector<std::string> cors_origins; ///< empty = every origin
  bool enable_hsts = false;
  bool debug = false;
  std::string encryption_key;
  std::string google_gemini_api_key;
  std::string gemini_model;
  int64_t gemini_request_timeout_seconds = 0;
  std::string intervals_icu_base_url;
  std::string strava_client_id;
  std::string strava_client_secret;
  std::string strava_redirect_uri;
  std::vector<int> orchestrator_cron_hours;
  /// The decision's parts of the athlete's day: morning up to this hour,
  /// evening from that one.
  int64_t orchestrator_morning_until_hour = 10;
  int64_t orchestrator_evening_from_hour = 18;
  /// The weekly summary's day (0 = Monday … 6 = Sunday) and hour, on each
  /// athlete's clock.
  int64_t weekly_summary_day = 6;
  int64_t weekly_summary_hour = 21;
  // This service's settings.
  std::string gemini_api_base_url;
  std::string gemini_fallback_model; ///< empty = none
  size_t gemini_max_concurrency = 0;
  uint64_t gemini_rpm = 0;  ///< requests per minute; 0 = no budget
  uint64_t gemini_tpm = 0;  ///< tokens per minute; 0 = no budget
  size_t image_workers = 0; ///< upload worker threads
  std::string strava_api_base_url;
  std::string strava_oauth_base_url;
  /// `hub.verify_token` of the webhook subscription (empty = webhooks off).
  std::string strava_webhook_verify_token;
  /// The subscription id events must carry (0 = not checked).
  int64_t strava_webhook_subscription_id = 0;
  /// The unguessable last segment of the callback path events are
  /// accepted on (`/api/v1/strava/webhook/<secret>`); empty = no events.
  std::string strava_webhook_callback_secret;
  /// Webhook events accepted per minute from one client address.
  uint32_t strava_webhook_events_per_minute = 0;
  bool strava_data_in_ai = false; ///< Strava's terms forbid it by default
  /// Mail through Resend (password reset): without the key, none.
  std::string resend_api_key;
  std::string resend_api_base_url;
  std::string mail_from;
  /// The app's web origin: password-reset links point at it.
  std::string frontend_base_url;
  int64_t password_reset_token_expire_minutes = 60;
  /// Stripe's API key: billing is configured (and with it free and
  /// premium tiers).
  std::string stripe_secret_key;
  /// Free and premium tiers without billing (TIERS_ENABLED).
  bool tiers_enabled = false;
  /// A free athlete's model calls a day, per kind (the reference's names).
  int64_t free_daily_photo_limit = 0;
  int64_t free_daily_chat_limit = 0;
  /// The S3-compatible store of sleep screenshots; empty = PostgreSQL.
  std::string s3_endpoint_url;
  std::string s3_access_key;
  std::string s3_secret_key;
  std::string s3_bucket;
  std::string s3_region;
  int64_t strava_cache_days = 0;    ///< purge older Strava rows; 0 = keep
  int64_t strava_backfill_days = 0; ///< first sync's window
  /// How long a claimed sync job stays this process's without progress.
  int64_t strava_job_lease_seconds = 0;
  /// Tests and benchmarks: Strava's clock runs this many times faster,
  /// from the instant `strava_clock_origin` (Unix s; 0 = start-up).
  double strava_clock_scale = 1;
  int64_t strava_clock_origin = 0;
  /// Tests and benchmarks: the athletes' clock (decision slots) runs this
  /// many times faster, from `decision_clock_origin` (Unix s; 0 = start).
  double decision_clock_scale = 1;
  int64_t decision_clock_origin = 0;
  std::string admin_token;
  log_format log_output = log_format::text;  ///< LOG_FORMAT
  log_level log_threshold = log_level::info; ///< LOG_LEVEL
  environment env = environment::development;
  std::string host;
  uint16_t port = 0;
  size_t http_threads = 0;
  size_t max_connections = 0;            ///< open at once, all clients
  size_t max_connections_per_client = 0; ///< per address (proxies exempt)
  size_t db_pool_size = 0;
  size_t db_queue_limit = 0;
  size_t db_bulk_queue_limit = 0; ///< sync writes waiting behind requests
  int64_t db_statement_timeout_ms = 0;
  bool db_pipeline = true;
  bool migrate_on_start = true;
  uint32_t rate_limit_per_minute = 0;
  std::vector<std::string> trusted_proxies; ///< addresses or CIDR blocks
  int64_t bcrypt_cost = 0;
  int64_t user_idle_seconds = 0;
  /// How long a request may wait for its answer (its deadline), in ms.
  int64_t request_timeout_ms = 0;
  /// How often reminders due soon are claimed, in ms (they are claimed
  /// twice that far ahead).
  int64_t reminder_poll_ms = 0;
  int64_t user_cache_mb = 0;       ///< cached pages of all user actors together
  double intervals_sync_hours = 0; ///< background refresh period; 0 = off
  uint32_t intervals_rate_limit =
    0; ///< requests/s to Intervals.icu; 0 = no cap
  int64_t upstream_timeout_seconds = 0; ///< one outbound attempt, whole
  uint32_t upstream_retries = 0;        ///< tries after the first
  int64_t upstream_backoff_ms = 0;      ///< first retry's wait; doubles
  /// Tests only (a build with TEST_HOOKS): the test-only routes exist.
  bool fault_injection = false;
};

/// The reference's built-in SECRET_KEY: public, so never used to sign
/// (production refuses it, development signs with a random key instead).
constexpr const char* default_secret_key = "change-me-in-production";

/// A setting that could not be accepted; `name` is the variable's name.
struct settings_error {
  std::string name;
  std::string message;
};

/// Raw inputs to the loader, so that tests need no process environment.
struct settings_sources {
  std::map<std::string, std::string> environment; ///< names as given
  std::optional<std::string> dotenv_text;         ///< contents of ./.env
  std::optional<std::string> config_file_text;    ///< contents of --config
  std::vector<std::string> flags; ///< `--name=value` / `--name value`
};

/// Merges the sources (flag > environment > --config file > .env > default)
/// and validates every value. Returns the first bad setting as an error.
[[nodiscard]] std::variant<settings, settings_error>
load_settings(const settings_sources& sources);

/// Reads the process environment, ./.env and the file named by `--config`
/// (removed from `flags`) into sources. A named file that cannot be read is
/// reported as an error of the setting `--config`.
[[nodiscard]] std::variant<settings_sources, settings_error>
collect_sources(std::vector<std::string> flags);

/// One `NAME=value` line per setting, secrets masked, for the start-up log.
[[nodiscard]] std::vector<std::string> describe(const settings& cfg);

/// The conninfo with any password replaced by `***`.
[[nodiscard]] std::string mask_conninfo(const std::string& conninfo);

} // namespace st
