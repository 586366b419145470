#include "domain/sleep_night.hpp"

#include <catch2/catch.hpp>

#include "util/dates.hpp"

using namespace st;

namespace {

int64_t day(const char* iso) {
  return *parse_date(iso);
}

} // namespace

TEST_CASE("a sleep reading's night: its day in this year, never in the "
          "future, else today") {
  auto today = day("2027-01-01");
  CHECK(night_of(R"({"date":"2027-01-01"})", today).day == today);
  // A tracker's year is replaced by this year's, or last year's when this
  // year's would be ahead: New Year's night stays in December.
  CHECK(night_of(R"({"date":"2025-12-31"})", today).day == day("2026-12-31"));
  CHECK(night_of(R"({"date":"31/12"})", today).day == day("2026-12-31"));
  CHECK(night_of(R"({"date":"1-1"})", today).day == today);
  CHECK(night_of(R"({"date":"2/1/2019"})", today).day == day("2027-01-02"));
  for (auto* bad : {R"({"date":"31/2"})", R"({"date":"soon"})", R"({})",
                    R"({"date":7})", "not json", "[1]"})
    CHECK(night_of(bad, today).day == today);
}

TEST_CASE("a sleep reading's night: the sleep actually slept, RHR and HRV") {
  auto today = day("2026-03-10");
  auto sleep = [&](const char* json) {
    return night_of(json, today).sleep_hours.value_or(-1);
  };
  CHECK(sleep(R"({"actual_sleep_hours":7.2,"sleep_hours":8})") == 7.2);
  CHECK(sleep(R"({"actual_sleep_minutes":432})") == 7.2);
  // Phases when they make 1-10 h, else the total less the time awake.
  CHECK(sleep(R"({"deep_sleep_min":90,"light_sleep_min":240,"rem_min":100,)"
              R"("sleep_hours":8})") == Approx(7.17));
  CHECK(sleep(R"({"deep_sleep_min":20,"sleep_hours":8,"awake_min":30})") ==
        7.5);
  // Hours with their minutes: 7 h 54 min.
  CHECK(sleep(R"({"sleep_hours":7,"sleep_minutes":54})") == Approx(7.9));
  CHECK(sleep(R"({"sleep_minutes":453})") == Approx(7.55));
  CHECK_FALSE(night_of(R"({"quality_score":80})", today).sleep_hours);
  auto n = night_of(R"({"rhr":"51","hrv":66.5})", today);
  CHECK(n.rhr == 51.0);
  CHECK(n.hrv == 66.5);
}
