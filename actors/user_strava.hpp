#pragma once

#include "actors/strava_gateway.hpp"
#include "actors/user_facet.hpp"
#include "protocols/fernet.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace st {

/// What user actors need for Strava (one copy, shared).
struct strava_settings {
  std::string client_id;
  std::string client_secret;
  std::string redirect_uri;
  std::string api_base_url;   ///< without a trailing `/`
  std::string oauth_base_url; ///< without a trailing `/`
  /// Encrypts stored tokens (both); none = stored as sent (development).
  std::optional<fernet_key> key;
  /// Production without a key: refuse to store credentials at all.
  bool refuse_plaintext = false;
  /// Signs OAuth states.
  std::string state_key;
  /// This process's name on the jobs it claims.
  std::string claimer;
  int64_t backfill_days = 365;
  int64_t cache_days = 0; ///< 0 = keep Strava rows
  strava_gateway_actor gateway;
  scaled_clock clock;
  std::chrono::seconds job_lease{120};
  int64_t job_attempts = 6;
  std::chrono::seconds job_backoff{30};
  /// How long a job waits for budget before it goes back to the queue.
  std::chrono::seconds lease_wait{60};
  int64_t per_page = 200;
};

/// The user's Strava link as loaded, tokens in clear.
struct strava_link {
  int64_t athlete_id = 0;
  std::string refresh_token;
  std::string access_token;
  int64_t expires_at = 0; ///< Unix s
};

/// The Strava facet (strava-endpoints.md, domain.md §5, with the defects
/// fixed): OAuth with single-use states, tokens refreshed ahead of expiry,
/// the user's durable sync job (claimed from strava_sync_queue, page by
/// page, resumable), the user's lease of the app's budget, webhook events
/// and the cache purge, all as durable reminders.
struct user_strava_part : user_facet {
  using facet = user_strava_facet;
  [[nodiscard]] static facet::behavior_type behavior();

  static constexpr const char* sync_reminder = "strava_sync";
  static constexpr const char* events_reminder = "strava_events";
  static constexpr const char* purge_reminder = "strava_purge";
  static constexpr std::array<const char*, 3> reminder_kinds{
    sync_reminder, events_reminder, purge_reminder};
  void remind(user_self self, std::string_view kind);

  /// The stored activities of local days [from, to] (days) and their
  /// rows as shown, TSS against `ftp`.
  [[nodiscard]] static db_statement activity_range(const user_state& st,
                                                   int64_t from, int64_t to);
  [[nodiscard]] static std::vector<strava_activity>
  activities_of(const db_rows& r, opt_double ftp, int64_t from, int64_t to);

  /// The link once loaded (null inside = not linked).
  std::optional<std::shared_ptr<strava_link>> link;
  /// Bumped by every link and unlink: work of an older link stops.
  uint64_t link_epoch = 0;
  /// The running sync job, if any.
  strava_sync_job_actor sync_job;
  /// The pass over the webhook events, if one runs; whether an event
  /// arrived meanwhile.
  strava_events_job_actor events_job;
  bool events_again = false;
  /// What is left of the user's lease, and when its window ends
  /// (Strava's clock, ms).
  int64_t lease_left = 0;
  int64_t lease_window_end = 0;
  /// Callers waiting for the token refresh in flight.
  std::vector<std::function<void(caf::expected<std::string>)>> token_waiters;

  [[nodiscard]] bool busy() const {
    return sync_job || events_job || !token_waiters.empty();
  }

  [[nodiscard]] caf::result<strava_status> status(user_self self);
  [[nodiscard]] caf::result<std::string> authorize(user_self self);
  [[nodiscard]] caf::result<strava_ticket> link_code(user_self self,
                                                     strava_code x);
  [[nodiscard]] caf::result<strava_ticket> sync(user_self self);
  [[nodiscard]] caf::result<bool> unlink(user_self self);

  /// The account is being deleted: Strava is asked to deauthorize the app
  /// (not awaited; a failure is logged), then `then()`.
  static void deauthorize_link(user_self self, std::function<void()> then);
  [[nodiscard]] caf::result<std::vector<strava_activity>>
  activities(user_self self, list_query q);
  [[nodiscard]] caf::result<fitness> fitness_of(user_self self);
  [[nodiscard]] caf::result<athlete_profile> refresh_profile(user_self self);
  [[nodiscard]] caf::result<upstream_response> fetch_for_job(user_self self,
                                                             std::string url);
  [[nodiscard]] caf::result<bool> recheck_grant(user_self self);

  /// A job actor ended: the sync job's lease share goes back; an events
  /// pass runs again if an event arrived meanwhile.
  void ended(user_self self, const caf::down_msg& dm);

  /// Reminders: the sync job is due (or its claim ran out), webhook events
  /// wait, the cache purge is due.
  void sync_due(user_self self);
  void events_due(user_self self);
  void purge_due(user_self self);
};

} // namespace st
