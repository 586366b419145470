#pragma once

#include "actors/user_facet.hpp"

namespace st {

/// The analytics facet (http-api-head.md §3.10): a chart's figures in the
/// athlete's days, read in one batch (one round trip) and completed by
/// domain/analytics; a chart explained by the model through the broker (a
/// free athlete's explanation a counted one-sentence teaser). No cache:
/// the tab is opened now and then, and every write would stale it.
struct user_analytics_part : user_facet {
  using facet = user_analytics_facet;
  [[nodiscard]] static facet::behavior_type behavior();

  [[nodiscard]] bool busy() const {
    return in_flight > 0;
  }

  /// Explanations between arrival and answer (no passivation meanwhile).
  size_t in_flight = 0;

  /// GET analytics/{overview,sleep,workouts,nutrition}.
  [[nodiscard]] caf::result<analytics_report> report(user_self self,
                                                     analytics_query q);

  /// Rows of analytics_wellness, analytics_workouts, and analytics_food
  /// with analytics_nutrients (both by day; none: no micronutrients), as
  /// the charts and the weekly summary read them.
  static std::vector<analytics_wellness> wellness_of(const db_rows& rows);
  static std::vector<analytics_workout> workouts_of(const db_rows& rows);
  static std::vector<analytics_food_day> food_of(const db_rows& days,
                                                 const db_rows& nutrients);

  /// Athlete mode (domain/analytics counts_as_athlete): the statement
  /// telling whether a workout started after `now` − athlete_recent_days,
  /// and the athlete's mode from its rows (with the profile and the link
  /// the actor knows).
  static db_statement
  recent_workout_query(user_state& st,
                       std::chrono::system_clock::time_point now);
  static bool athlete_of(user_state& st,
                         const std::vector<std::vector<db_value>>& recent);

  /// POST analytics/insight.
  [[nodiscard]] caf::result<insight_reply> insight(user_self self,
                                                   insight_request x);
};

} // namespace st
