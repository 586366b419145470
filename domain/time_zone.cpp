#include "domain/time_zone.hpp"

#include <date/tz.h>
#include <stdexcept>
#include <string>

namespace st {

zone_ptr find_zone(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::runtime_error&) {
    return nullptr;
  }
}

void load_time_zones() {
  (void)date::get_tzdb();
}

namespace {

/// The clock in `zone` (null = UTC) at `now`: seconds since 1970-01-01
/// 00:00 local.
int64_t local_seconds_in(zone_ptr zone,
                         std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  auto utc = floor<seconds>(now);
  if (zone == nullptr)
    return utc.time_since_epoch().count();
  return zone->to_local(utc).time_since_epoch().count();
}

} // namespace

int64_t day_in(zone_ptr zone, std::chrono::system_clock::time_point now) {
  auto local = local_seconds_in(zone, now);
  return local / 86400 - (local % 86400 < 0 ? 1 : 0);
}

int64_t hour_in(zone_ptr zone, std::chrono::system_clock::time_point now) {
  auto local = local_seconds_in(zone, now);
  return ((local % 86400) + 86400) % 86400 / 3600;
}

std::chrono::system_clock::time_point
next_local_time(zone_ptr zone, std::chrono::system_clock::time_point now,
                int64_t seconds_of_day) {
  using namespace std::chrono;
  auto today = day_in(zone, now);
  for (int64_t day = today; day <= today + 2; ++day) {
    auto local = date::local_seconds{seconds{day * 86400 + seconds_of_day}};
    system_clock::time_point at;
    if (zone == nullptr) {
      at = system_clock::time_point{local.time_since_epoch()};
    } else {
      auto info = zone->get_info(local);
      if (info.result == date::local_info::nonexistent)
        at = info.first.end; // the clock jumped over it: the gap's end
      else                   // unique, or ambiguous: the earlier of the two
        at = system_clock::time_point{local.time_since_epoch() -
                                      info.first.offset};
    }
    if (at > now)
      return at;
  }
  return now; // unreachable: a day later the time recurs
}

std::chrono::system_clock::time_point
next_weekly_time(zone_ptr zone, std::chrono::system_clock::time_point now,
                 int64_t weekday, int64_t hour) {
  auto t = next_local_time(zone, now, hour * 3600);
  // Each step is the same hour of the next local day: a week at most.
  for (int i = 0; i < 7 && weekday_of(day_in(zone, t)) != weekday; ++i)
    t = next_local_time(zone, t, hour * 3600);
  return t;
}

} // namespace st
