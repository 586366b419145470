#pragma once

#include "actors/user.hpp"
#include "protocols/actors.hpp"

#include <unordered_map>
#include <unordered_set>

namespace st {

/// Supervisor of the user actors: spawns on first need, monitors, drops a
/// crashed actor so that the next request starts a fresh one (state comes
/// back from the database), and agrees to passivation of idle ones. With
/// background refresh on, it wakes the actor of every linked user at start
/// and restarts such an actor at once after a crash.
struct user_registry_state {
  user_registry_actor::pointer self = nullptr;
  db_actor db;
  user_settings cfg;
  std::unordered_map<int32_t, user_actor> actors;
  /// Users whose actor keeps a background refresh timer.
  std::unordered_set<int32_t> pinned;
  uint64_t num_crashes = 0;

  /// The user's actor, spawned if needed.
  user_actor actor_of(int32_t id);

  static inline const char* name = "user-registry";
};

/// @param db the DB pool, handed to every user actor.
/// @param cfg idle timeout and fault switch of the user actors.
user_registry_actor::behavior_type
user_registry(user_registry_actor::stateful_pointer<user_registry_state> self,
              db_actor db, user_settings cfg);

} // namespace st
