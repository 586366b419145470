#pragma once

#include "actors/user.hpp"
#include "protocols/actors.hpp"

#include <unordered_map>

namespace st {

/// Supervisor of the user actors: spawns on first need (a request or a due
/// reminder; nobody at start), monitors, drops a crashed actor so that the
/// next request starts a fresh one (state comes back from the database),
/// and agrees to passivation of idle ones. Nothing keeps an actor
/// resident: scheduled work lives in user_reminders.
struct user_registry_state {
  user_registry_actor::pointer self = nullptr;
  db_actor db;
  std::shared_ptr<const user_settings> cfg;
  std::unordered_map<int32_t, user_actor> actors;
  uint64_t num_spawned = 0;
  uint64_t num_passivated = 0;
  uint64_t num_crashes = 0;

  /// The user's actor, spawned if needed.
  user_actor actor_of(int32_t id);

  static inline const char* name = "user-registry";
};

/// @param db the DB pool, handed to every user actor.
/// @param cfg what every user actor is configured with.
user_registry_actor::behavior_type
user_registry(user_registry_actor::stateful_pointer<user_registry_state> self,
              db_actor db, user_settings cfg);

} // namespace st
