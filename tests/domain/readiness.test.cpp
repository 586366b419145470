#include "domain/readiness.hpp"

#include "protocols/dates.hpp"

#include <catch2/catch.hpp>

using namespace st;

namespace {

constexpr int64_t today = 20'000;

/// 60 ordinary days before today (HRV 60 ms, RHR 50 bpm, 7.5 h) and
/// today's row.
readiness_input steady(opt_double sleep, opt_double hrv, opt_double rhr) {
  readiness_input x;
  x.today = today;
  for (int d = 60; d >= 1; --d) {
    wellness_day w;
    w.date = format_date(today - d);
    w.sleep_hours = 7.5;
    w.hrv = 60.0;
    w.rhr = 50.0;
    x.history.push_back(w);
  }
  wellness_day now;
  now.date = format_date(today);
  now.sleep_hours = sleep;
  now.hrv = hrv;
  now.rhr = rhr;
  x.history.push_back(now);
  return x;
}

} // namespace

TEST_CASE("rules: an ordinary morning is Go") {
  auto d = decide_by_rules(steady(7.5, 61.0, 50.0));
  CHECK(d.decision == "Go");
  CHECK(d.reason.rfind("Rule-based decision: ", 0) == 0);
}

TEST_CASE("rules: sleep decides Skip under 5 h, Modify under 6.5 h") {
  auto skip = decide_by_rules(steady(4.5, 60.0, 50.0));
  CHECK(skip.decision == "Skip");
  CHECK(skip.reason.find("sleep 4.5 h (under 5 h)") != std::string::npos);
  CHECK(decide_by_rules(steady(6.0, 60.0, 50.0)).decision == "Modify");
  // A screenshot's sleep counts when the row has none.
  auto x = steady(caf::none, 60.0, 50.0);
  x.photo_sleep_hours = 4.0;
  CHECK(decide_by_rules(x).decision == "Skip");
}

TEST_CASE("rules: HRV against the 7-day baseline and the suppressed week") {
  CHECK(decide_by_rules(steady(7.5, 40.0, 50.0)).decision == "Skip"); // -33 %
  auto modify = decide_by_rules(steady(7.5, 52.0, 50.0));             // -13 %
  CHECK(modify.decision == "Modify");
  CHECK(modify.reason.find("HRV 52.0 ms vs 7-day baseline 60.0 ms") !=
        std::string::npos);
  // The last week 20 % under the 60-day mean, today at the week's level.
  auto x = steady(7.5, 48.0, 50.0);
  for (auto& w : x.history)
    if (*parse_date(w.date) >= today - 7 && *parse_date(w.date) < today)
      w.hrv = 48.0;
  auto r = read_readiness(x);
  REQUIRE(r.hrv_7d);
  CHECK(*r.hrv_7d == Approx(48.0));
  CHECK(*r.hrv_60d < 60.0);
  auto week = decide_by_rules(x);
  CHECK(week.decision == "Modify");
  CHECK(week.reason.find("60-day baseline") != std::string::npos);
}

TEST_CASE("rules: resting HR above its baseline, and load") {
  CHECK(decide_by_rules(steady(7.5, 60.0, 61.0)).decision == "Skip");
  CHECK(decide_by_rules(steady(7.5, 60.0, 56.0)).decision == "Modify");
  auto x = steady(7.5, 60.0, 50.0);
  x.load = fitness{true, 80, 115, -35, ""};
  CHECK(decide_by_rules(x).decision == "Skip");
  x.load.tsb = -25;
  CHECK(decide_by_rules(x).decision == "Modify");
  x.load.tsb = -5;
  CHECK(decide_by_rules(x).decision == "Go");
}

TEST_CASE("rules: too little data is never Go") {
  readiness_input nothing;
  nothing.today = today;
  auto d = decide_by_rules(nothing);
  CHECK(d.decision == "Skip");
  // Some history but no sleep or HRV today: Modify.
  auto x = steady(caf::none, caf::none, 50.0);
  CHECK(decide_by_rules(x).decision == "Modify");
  // HRV without any baseline and no sleep: readiness unknown.
  readiness_input lone;
  lone.today = today;
  wellness_day w;
  w.date = format_date(today);
  w.hrv = 70.0;
  lone.history.push_back(w);
  CHECK(decide_by_rules(lone).decision == "Modify");
}
