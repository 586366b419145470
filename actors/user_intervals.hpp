#pragma once

#include "actors/single_flight.hpp"
#include "actors/user_facet.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace st {

/// The user's Intervals.icu link as stored.
struct intervals_credentials {
  std::string athlete_id;
  std::string stored_key; ///< Fernet token (or plain text without a key)
};

/// The intervals facet (http-api.md §3.9, domain.md §4): link, unlink, the
/// single-flight sync, live reads, calendar pushes, and the background
/// refresh as a durable reminder of kind `refresh_reminder`.
struct user_intervals_part : user_facet {
  using facet = user_intervals_facet;
  [[nodiscard]] static facet::behavior_type behavior();

  static constexpr const char* refresh_reminder = "intervals_refresh";
  static constexpr std::array<const char*, 1> reminder_kinds{refresh_reminder};
  void remind(user_self self, std::string_view kind);
  [[nodiscard]] bool busy() const {
    return flight.running();
  }

  /// The link once loaded (null inside = not linked).
  std::optional<std::shared_ptr<const intervals_credentials>> link;
  /// When the background refresh is due (ISO), as last written or read.
  opt_string next_refresh;
  std::shared_ptr<const sync_report> last_sync;
  single_flight<sync_report> flight;
  /// Bumped by every link and unlink: a link whose key check upstream
  /// was overtaken by one of them does not store its key.
  uint64_t link_epoch = 0;

  [[nodiscard]] caf::result<intervals_status> status(user_self self);

  [[nodiscard]] caf::result<intervals_status> link_key(user_self self,
                                                       intervals_link x);

  [[nodiscard]] caf::result<bool> unlink(user_self self);

  /// Starts a sync, or joins the one in flight (one upstream fetch, every
  /// caller gets its result).
  [[nodiscard]] caf::result<sync_report> sync(user_self self);

  [[nodiscard]] caf::result<std::vector<intervals_event>> events(user_self self,
                                                                 list_query q);

  [[nodiscard]] caf::result<std::vector<intervals_activity>>
  activities(user_self self, list_query q);

  [[nodiscard]] caf::result<intervals_event> push_event(user_self self,
                                                        planned_event x);

  /// Puts `x` on the calendar (`background`: no caller waits).
  void push(user_self self, planned_event x, bool background,
            std::function<void(caf::expected<intervals_event>)> k);

  /// The planned events of `day`, live; [] when not linked or on failure.
  void events_of_day(user_self self, const std::string& day, bool background,
                     std::function<void(std::vector<intervals_event>)> k);

  /// Takes an `intervals_credentials` row another facet's batch read
  /// (null = not linked), so the link costs no round trip of its own.
  void remember_link(const std::vector<db_value>* row);

  /// The background refresh reminder is due: sync (without a caller), then
  /// write the next due time, or drop the reminder when unlinked or off.
  void refresh_due(user_self self);
};

} // namespace st
