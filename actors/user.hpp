#pragma once

#include "actors/cache_budget.hpp"
#include "protocols/actors.hpp"
#include "protocols/fernet.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace st {

/// What user actors need for Intervals.icu (one copy, shared).
struct intervals_settings {
  std::string base_url; ///< without a trailing `/`
  /// Encrypts stored API keys; none = stored as sent (development only).
  std::optional<fernet_key> key;
  /// Production without a key: refuse to store credentials at all.
  bool refuse_plaintext = false;
  /// Background refresh period; zero = off.
  std::chrono::seconds refresh_period{0};
  /// How long one upstream call may take, its retries included.
  caf::timespan call_timeout = std::chrono::seconds(120);
};

/// What every user actor is configured with.
struct user_settings {
  caf::timespan idle_timeout = std::chrono::seconds(900);
  bool fault_injection = false; ///< tests: honour fault_probe
  upstream_actor upstream;
  std::shared_ptr<const intervals_settings> intervals;
  /// Bytes all user actors' cached pages may hold together, and one's.
  std::shared_ptr<cache_budget> caches;
  size_t cache_bytes_per_user = 2 * 1024 * 1024;
};

/// The user's Intervals.icu link as stored.
struct intervals_credentials {
  std::string athlete_id;
  std::string stored_key; ///< Fernet token (or plain text without a key)
};

/// The sync in flight and everyone waiting for its result.
struct sync_flight {
  std::vector<caf::typed_response_promise<sync_report>> waiting;
  bool background = false;
  std::chrono::steady_clock::time_point started;
  double fetch_ms = 0;
};

/// One athlete's actor. Requests are handled strictly one at a time
/// (database replies are awaited), so one user's writes apply in arrival
/// order and the caches below stay coherent: every write of this user's
/// rows passes through here and drops what it makes stale.
struct user_state {
  int32_t id = 0;
  db_actor db;
  user_registry_actor registry;
  user_settings cfg;
  /// Caches live on the heap: most actors are idle and hold none.
  std::shared_ptr<const athlete_profile> profile;
  page_cache<wellness_page> wellness;
  page_cache<workout_page> workouts;
  std::optional<fitness> load;
  /// Intervals.icu: the link once loaded (null inside = not linked).
  std::optional<std::shared_ptr<const intervals_credentials>> link;
  std::unique_ptr<sync_flight> flight;
  std::shared_ptr<const sync_report> last_sync;
  uint64_t refresh_generation = 0; ///< bumped on every (dis)arming
  std::optional<std::chrono::system_clock::time_point> next_refresh;
  bool quit_after_flight = false; ///< passivation waits for the sync

  /// The user id as a SQL parameter.
  [[nodiscard]] db_value uid() const;

  /// Drops cached lists after a write to the table they show.
  void wellness_changed();
  void workouts_changed();

  /// Linked and background refresh on: the actor keeps a timer (re-armed
  /// after every sync), so it stays alive instead of passivating.
  [[nodiscard]] bool keeps_refresh_timer() const;

  static inline const char* name = "user";
};

using user_self = user_actor::stateful_pointer<user_state>;

/// @param id the user's id.
/// @param db the DB pool.
/// @param registry the supervisor, asked before passivating.
user_actor::behavior_type user(user_actor::stateful_pointer<user_state> self,
                               int32_t id, db_actor db,
                               user_registry_actor registry, user_settings cfg);

} // namespace st
