#include "domain/time_zone.hpp"

#include <catch2/catch.hpp>

using namespace st;
using namespace std::chrono;

namespace {

system_clock::time_point at(int64_t unix) {
  return system_clock::time_point{seconds{unix}};
}

int64_t unix_of(system_clock::time_point t) {
  return duration_cast<seconds>(t.time_since_epoch()).count();
}

} // namespace

TEST_CASE("time zones: IANA names from the system tzdata, nothing else") {
  CHECK(find_zone("Europe/Berlin") != nullptr);
  CHECK(find_zone("Etc/GMT+12") != nullptr);
  CHECK(find_zone("UTC") != nullptr);
  CHECK(find_zone("Mars/Olympus_Mons") == nullptr);
  CHECK(find_zone("") == nullptr);
  CHECK(find_zone(std::string(65, 'A')) == nullptr);
}

TEST_CASE("time zones: the user's date at one instant") {
  // 2026-12-01 11:00:00 UTC
  auto t = at(1'796'122'800);
  auto utc_day = day_in(nullptr, t);
  CHECK(day_in(find_zone("Pacific/Kiritimati"), t) == utc_day + 1);
  CHECK(day_in(find_zone("Etc/GMT+12"), t) == utc_day - 1);
  CHECK(day_in(find_zone("Europe/Berlin"), t) == utc_day);
}

TEST_CASE("time zones: the next local time, across DST changes") {
  auto ny = find_zone("America/New_York");
  REQUIRE(ny != nullptr);
  // 2026-03-08: 02:00 EST jumps to 03:00 EDT. 02:30 does not exist that
  // day: the gap's end, 03:00 EDT = 07:00 UTC.
  auto before_gap = at(1'772'949'600); // 2026-03-08 06:00 UTC = 01:00 EST
  CHECK(unix_of(next_local_time(ny, before_gap, 2 * 3600 + 1800)) ==
        1'772'953'200);
  // 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 comes twice, the
  // earlier (EDT, 05:30 UTC) is taken.
  auto before_repeat = at(1'793'502'000); // 2026-11-01 03:00 UTC
  CHECK(unix_of(next_local_time(ny, before_repeat, 3600 + 1800)) ==
        1'793'511'000);
  // 07:00 in Kolkata (UTC+5:30) after 02:00 UTC is 01:30 UTC the next day.
  auto kolkata = find_zone("Asia/Kolkata");
  auto two_utc = at(1'796'090'400); // 2026-12-01 02:00 UTC
  CHECK(unix_of(next_local_time(kolkata, two_utc, 7 * 3600)) ==
        1'796'090'400 + 23 * 3600 + 1800);
  // Strictly after now: the same second tomorrow.
  CHECK(unix_of(next_local_time(nullptr, at(86400 + 60), 60)) ==
        2 * 86400 + 60);
}
