#pragma once

#include "protocols/actors.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace st {

/// What every user actor is configured with.
struct user_settings {
  caf::timespan idle_timeout = std::chrono::seconds(900);
  bool fault_injection = false; ///< tests: honour fault_probe
};

/// One athlete's actor. Requests are handled strictly one at a time
/// (database replies are awaited), so one user's writes apply in arrival
/// order and the caches below stay coherent: every write of this user's
/// rows passes through here and drops what it makes stale.
struct user_state {
  user_actor::pointer self = nullptr;
  int32_t id = 0;
  db_actor db;
  user_registry_actor registry;
  user_settings cfg;
  /// Caches live on the heap: most actors are idle and hold none.
  std::shared_ptr<const athlete_profile> profile;
  std::map<std::string, wellness_page> wellness;
  std::map<std::string, workout_page> workouts;
  std::optional<fitness> load;

  /// The user id as a SQL parameter.
  [[nodiscard]] db_value uid() const;

  /// Drops cached lists after a write to the table they show.
  void wellness_changed();
  void workouts_changed();

  static inline const char* name = "user";
};

/// @param id the user's id.
/// @param db the DB pool.
/// @param registry the supervisor, asked before passivating.
user_actor::behavior_type user(user_actor::stateful_pointer<user_state> self,
                               int32_t id, db_actor db,
                               user_registry_actor registry, user_settings cfg);

} // namespace st
