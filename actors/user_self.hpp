#pragma once

#include "protocols/actors.hpp"

namespace st {

struct user_state;

/// The user actor as its parts see it (actors/user.hpp has the state).
using user_self = user_actor::stateful_pointer<user_state>;

/// The tables of a user's rows whose changes the core relays to the parts
/// (a part never clears another part's cache itself).
enum class user_table : uint8_t {
  profile,
  food,
  wellness,
  workouts,
  intervals,
};

} // namespace st
