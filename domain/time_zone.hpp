#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace date {
class time_zone;
} // namespace date

/// The athlete's time zone: IANA names against the system's tzdata
/// (Debian `tzdata`, read by Howard Hinnant's date/tz). A null zone is UTC.
namespace st {

using zone_ptr = const date::time_zone*;

/// The zone named `name`, or null when the tzdata does not know it (a
/// zone found stays valid for the life of the process).
[[nodiscard]] zone_ptr find_zone(std::string_view name);

/// Reads the tzdata once, so the first request does not pay for it.
void load_time_zones();

/// The date (days since 1970-01-01) at `now` in `zone` (null = UTC).
[[nodiscard]] int64_t day_in(zone_ptr zone,
                             std::chrono::system_clock::time_point now);

/// The hour (0–23) the clock in `zone` shows at `now`.
[[nodiscard]] int64_t hour_in(zone_ptr zone,
                              std::chrono::system_clock::time_point now);

/// The first instant after `now` at which the clock in `zone` shows
/// `seconds_of_day` (a nonexistent local time, skipped by a DST change,
/// maps to the instant after the gap).
[[nodiscard]] std::chrono::system_clock::time_point
next_local_time(zone_ptr zone, std::chrono::system_clock::time_point now,
                int64_t seconds_of_day);

/// The weekday of a date (days since 1970-01-01): 0 = Monday … 6 = Sunday.
[[nodiscard]] constexpr int64_t weekday_of(int64_t day) {
  return ((day % 7) + 7 + 3) % 7; // 1970-01-01 was a Thursday
}

/// The first instant after `now` at which the clock in `zone` shows
/// `weekday` (0 = Monday) at `hour`.
[[nodiscard]] std::chrono::system_clock::time_point
next_weekly_time(zone_ptr zone, std::chrono::system_clock::time_point now,
                 int64_t weekday, int64_t hour);

} // namespace st
