#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace st {

/// Where a workout row came from, in merge priority: a synced workout's
/// numbers beat a FIT file's, which beat what the athlete typed
/// (http-api-head.md §3.7.2, §6 item 14).
enum class workout_origin : int { manual = 1, fit = 2, intervals = 3 };

/// What duplicate matching compares.
struct workout_measures {
  int64_t start_unix = 0;
  std::optional<double> duration_sec;
  std::optional<double> tss;
  std::optional<double> distance_m;
};

/// A stored workout of the athlete, as a merge candidate.
struct stored_workout {
  int32_t id = 0;
  workout_measures measures;
  workout_origin origin = workout_origin::manual;
};

/// [begin, end) in Unix seconds of the calendar day `start_unix` falls on,
/// on a clock `offset_sec` ahead of UTC: where a duplicate may start.
[[nodiscard]] std::pair<int64_t, int64_t> match_day(int64_t start_unix,
                                                    int64_t offset_sec);

/// The first of `newest_first` (all on match_day) that is the same
/// workout as `x`: starting within 5 minutes of it, or agreeing on
/// duration (±2 %), TSS (±5 %) and distance (±2 %), each null on both
/// sides or present on both, with at least one present.
[[nodiscard]] const stored_workout*
duplicate_of(const workout_measures& x,
             const std::vector<stored_workout>& newest_first);

/// Whether merging a workout from `incoming` into one from `existing` may
/// only fill the existing row's empty values.
[[nodiscard]] constexpr bool fills_nulls_only(workout_origin existing,
                                              workout_origin incoming) {
  return existing > incoming;
}

} // namespace st
