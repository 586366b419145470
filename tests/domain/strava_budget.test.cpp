#include "domain/strava_budget.hpp"

#include <catch2/catch.hpp>

using namespace st;

namespace {

constexpr int64_t minute = 60 * 1000;
// 2026-12-01T10:00:00Z: a quarter hour.
constexpr int64_t ten = 1796119200000;

rate_reading reading(rate_pair limit, rate_pair usage) {
  return {limit, usage, limit, usage};
}

} // namespace

TEST_CASE("budget: Strava's defaults until an answer says more, a margin "
          "kept back") {
  strava_budget b{0.05};
  // Read limit 100 / 1,000 minus 5 and 50.
  CHECK(b.available(ten) == 95);
  CHECK_FALSE(b.confirmed());
  b.spend(ten, 10);
  CHECK(b.available(ten + minute) == 85);
  b.observe(ten, reading({600, 30000}, {40, 100}));
  CHECK(b.confirmed());
  CHECK(b.limits() == rate_pair{600, 30000});
  CHECK(b.available(ten + minute) == 600 - 30 - 40);
}

TEST_CASE("budget: windows start at :00/:15/:30/:45, the day at 00:00 UTC") {
  strava_budget b{0.05};
  b.observe(ten, reading({100, 1000}, {95, 300}));
  CHECK(b.available(ten + 14 * minute) == 0);
  CHECK(b.next_opening(ten + 14 * minute) == ten + 15 * minute);
  // A new window: the 15-minute usage is gone, the day's stays.
  CHECK(b.used(ten + 15 * minute) == rate_pair{0, 300});
  CHECK(b.available(ten + 15 * minute) == 95);
  // An answer to a request of the previous window changes only the day.
  b.observe(ten + 14 * minute, reading({100, 1000}, {99, 310}));
  CHECK(b.used(ten + 15 * minute) == rate_pair{0, 310});
  // The day spent: the next opening is midnight UTC, not the quarter hour.
  b.observe(ten + 16 * minute, reading({100, 1000}, {10, 960}));
  CHECK(b.available(ten + 16 * minute) == 0);
  auto midnight = (ten / strava_budget::day_ms + 1) * strava_budget::day_ms;
  CHECK(b.next_opening(ten + 16 * minute) == midnight);
  CHECK(b.used(midnight) == rate_pair{0, 0});
  CHECK(b.available(midnight) == 95);
}

TEST_CASE("budget: usage only grows within a window, a 429 spends it") {
  strava_budget b{0.05};
  b.observe(ten, reading({100, 1000}, {50, 50}));
  b.observe(ten, reading({100, 1000}, {20, 20})); // overtaken answer
  CHECK(b.used(ten) == rate_pair{50, 50});
  b.refused(ten + minute, reading({100, 1000}, {60, 60}));
  CHECK(b.available(ten + minute) == 0);
  CHECK(b.next_opening(ten + minute) == ten + 15 * minute);
  b.refused(ten + 2 * minute, reading({100, 1000}, {100, 1000}));
  CHECK(b.next_opening(ten + 2 * minute) ==
        (ten / strava_budget::day_ms + 1) * strava_budget::day_ms);
}

TEST_CASE("budget: leases given back return to the window") {
  strava_budget b{0.05};
  b.spend(ten, 20);
  b.spend(ten, -15);
  CHECK(b.used(ten) == rate_pair{5, 5});
  b.spend(ten, -50);
  CHECK(b.used(ten) == rate_pair{0, 0});
}
