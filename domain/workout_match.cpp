#include "domain/workout_match.hpp"

#include <algorithm>
#include <cmath>

namespace st {

namespace {

constexpr int64_t seconds_per_day = 86400;
constexpr int64_t start_tolerance_sec = 5 * 60;

int64_t floor_div(int64_t x, int64_t d) {
  return x >= 0 ? x / d : -((-x + d - 1) / d);
}

/// Both absent (agree, say nothing), both present and close (agree, say
/// something), or one-sided / far apart (disagree).
enum class agreement { silent, agrees, differs };

agreement compare(const std::optional<double>& a,
                  const std::optional<double>& b, double tolerance) {
  if (!a && !b)
    return agreement::silent;
  if (!a || !b)
    return agreement::differs;
  auto larger = std::max(std::fabs(*a), std::fabs(*b));
  return std::fabs(*a - *b) <= tolerance * larger ? agreement::agrees
                                                  : agreement::differs;
}

bool same_numbers(const workout_measures& a, const workout_measures& b) {
  agreement parts[] = {compare(a.duration_sec, b.duration_sec, 0.02),
                       compare(a.tss, b.tss, 0.05),
                       compare(a.distance_m, b.distance_m, 0.02)};
  bool any = false;
  for (auto part : parts) {
    if (part == agreement::differs)
      return false;
    any = any || part == agreement::agrees;
  }
  return any;
}

} // namespace

std::pair<int64_t, int64_t> match_day(int64_t start_unix, int64_t offset_sec) {
  auto local_day = floor_div(start_unix + offset_sec, seconds_per_day);
  auto begin = local_day * seconds_per_day - offset_sec;
  return {begin, begin + seconds_per_day};
}

const stored_workout*
duplicate_of(const workout_measures& x,
             const std::vector<stored_workout>& newest_first) {
  for (auto& candidate : newest_first) {
    auto apart = candidate.measures.start_unix - x.start_unix;
    if (std::llabs(apart) <= start_tolerance_sec ||
        same_numbers(x, candidate.measures))
      return &candidate;
  }
  return nullptr;
}

} // namespace st
