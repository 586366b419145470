#pragma once

#include "actors/user_self.hpp"

#include <array>
#include <string_view>

namespace st {

/// The contract of a user facet, declared in one place: its part struct,
/// which derives from this and overrides what it has.
///
///   using facet = user_X_facet;   its typed interface (protocols/actors.hpp)
///   static facet::behavior_type behavior();
///                                 its handlers (CAF checks them against
///                                 `facet`); built once, stateless
///   static constexpr std::array<const char*, N> reminder_kinds;
///                                 the durable reminder kinds it owns
///   void remind(user_self, std::string_view kind);
///                                 one of them is due
///   bool busy() const;            work the user did not wait for is under
///                                 way (no passivation then)
///   void rows_changed(user_self, user_table);
///                                 a facet changed rows: drop what is stale
///   void ended(user_self, const caf::down_msg&);
///                                 an actor the user actor monitors ended
///                                 (a facet's job: it checks the source)
///
/// A part keeps its own caches; what it needs of another facet it asks of
/// the core (user_state), never of that part. The user actor composes the
/// parts listed in `user_parts` (actors/user.hpp).
struct user_facet {
  static constexpr std::array<const char*, 0> reminder_kinds{};
  void remind(user_self, std::string_view) {}
  [[nodiscard]] bool busy() const {
    return false;
  }
  void rows_changed(user_self, user_table) {}
  void ended(user_self, const caf::down_msg&) {}
};

} // namespace st
