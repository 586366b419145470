#pragma once

#include "actors/user_facet.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "domain/scaled_clock.hpp"

namespace st {

/// What user actors need for the coach (one copy, shared).
struct coach_settings {
  /// The server's decision hours (ORCHESTRATOR_CRON_HOURS), on each
  /// athlete's clock unless they chose their own.
  std::vector<int64_t> hours{7, 16};
  /// The athletes' clock (faster in tests: a day in seconds).
  scaled_clock clock;
  /// STRAVA_DATA_IN_AI: Strava's data may enter the model's context.
  bool strava_in_ai = false;
  /// The decision's morning lasts up to this hour, its evening starts at
  /// that one (ORCHESTRATOR_MORNING_UNTIL_HOUR, _EVENING_FROM_HOUR).
  int64_t morning_until_hour = 10;
  int64_t evening_from_hour = 18;
  /// The weekly summary's day (0 = Monday) and hour, on each athlete's
  /// clock (WEEKLY_SUMMARY_CRON_DAY_OF_WEEK, _HOUR).
  int64_t weekly_day = 6;
  int64_t weekly_hour = 21;
  /// Stored messages given to the model with a chat message.
  int64_t history_messages = 20;
  /// How long a scheduled decision may wait for the model (the broker
  /// paces a slot's storm); past it, the rules decide.
  std::chrono::seconds batch_time{3600};
};

/// The coach facet (domain.md §11–12, with the reference's defects fixed):
/// the daily decision (the model through the broker, the rules of
/// domain/readiness when it cannot answer or there is nothing to ask it
/// about), its scheduled slots as a durable reminder on the athlete's
/// clock, and the chat, streamed or not. The context of a decision or a
/// reply is one batch, one round trip.
struct user_coach_part : user_facet {
  using facet = user_coach_facet;
  [[nodiscard]] static facet::behavior_type behavior();

  static constexpr const char* decision_reminder = "decision";
  static constexpr const char* weekly_reminder = "weekly_summary";
  static constexpr std::array<const char*, 2> reminder_kinds{decision_reminder,
                                                             weekly_reminder};
  void remind(user_self self, std::string_view kind);
  [[nodiscard]] bool busy() const {
    return in_flight > 0;
  }

  /// Decisions and replies between arrival and answer (the actor is not
  /// passivated while any is).
  size_t in_flight = 0;
  /// The zone and hours the reminder was last written for ("" = not yet).
  std::string schedule_key;
  /// The zone and tier the weekly summary's reminder was last written for.
  std::string weekly_key;
  /// The slot being decided (a reminder that fires again meanwhile is
  /// the same slot): the day and hour.
  std::optional<std::pair<int64_t, int64_t>> slot_in_flight;

  /// POST chat/orchestrator/run: a decision asked for (interactive).
  [[nodiscard]] caf::result<daily_decision> decide(user_self self,
                                                   decision_request x);

  /// GET decisions.
  [[nodiscard]] caf::result<std::vector<daily_decision>>
  decisions(user_self self, decision_query q);

  /// The athlete's default thread (the oldest), once known; threads known
  /// to be theirs (made or checked by this actor; bounded).
  std::optional<int32_t> default_thread;
  std::unordered_set<int32_t> known_threads;

  /// GET chat/history.
  [[nodiscard]] caf::result<std::vector<chat_line>>
  history(user_self self, chat_history_query q);

  /// GET, POST chat/threads; PATCH, DELETE chat/threads/{id}; POST
  /// chat/threads/{id}/clear.
  [[nodiscard]] caf::result<page_ptr<chat_thread>> threads(user_self self,
                                                           list_query q);
  [[nodiscard]] caf::result<chat_thread> create_thread(user_self self,
                                                       thread_title x);
  [[nodiscard]] caf::result<chat_thread>
  rename_thread(user_self self, thread_ref ref, thread_title x);
  [[nodiscard]] caf::result<bool> delete_thread(user_self self, thread_ref ref);
  [[nodiscard]] caf::result<bool> clear_thread(user_self self, thread_ref ref);

  /// POST chat/send (its reply streamed into `x.sink` when set).
  [[nodiscard]] caf::result<chat_reply> send(user_self self, chat_message x);

  /// The decision reminder fired: decide today's latest slot that has
  /// come (once: an older day's slot is not caught up), then write the
  /// next one.
  void decision_due(user_self self);

  /// The weekly summary's reminder fired: summarise the athlete's week
  /// (Monday up to today, their days) unless it is empty or summarised
  /// already, then write next week's.
  void weekly_due(user_self self);

  /// Writes the weekly reminder when the athlete's zone or tier changed
  /// (a fresh actor keeps the one it finds).
  void keep_weekly_schedule(user_self self);

  /// The profile was read or changed: keeps the reminders on the
  /// athlete's zone and hours (the weekly one for premium athletes).
  void rows_changed(user_self self, user_table t);
};

} // namespace st
