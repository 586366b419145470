#pragma once

#include "actors/user_facet.hpp"

#include <memory>

namespace st {

/// The profile facet: the athlete_profiles row (and the account it
/// belongs to), with the user's time zone.
struct user_profile_part : user_facet {
  using facet = user_profile_facet;
  [[nodiscard]] static facet::behavior_type behavior();

  std::shared_ptr<const athlete_profile> cached;
  std::string email; ///< the account's
  /// The kinds of the user's reminder rows when the profile was read.
  std::vector<std::string> reminders;

  /// Reads the account and profile; the actor waits for it (awaited), so
  /// every request after it finds both known. Also re-run once the
  /// account check is older than its TTL.
  void load(user_self self);

  [[nodiscard]] caf::result<athlete_profile> get(user_self self);

  [[nodiscard]] caf::result<athlete_profile> patch(user_self self,
                                                   profile_patch x);

  /// Takes a freshly read `profile_by_user` row as the cached profile;
  /// answers it (another facet wrote the row).
  athlete_profile remember_row(user_self self,
                               const std::vector<db_value>& row);
};

} // namespace st
