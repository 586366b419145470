#include "domain/workout_match.hpp"

#include <catch2/catch.hpp>

#include "util/dates.hpp"

using namespace st;

namespace {

int64_t at(const char* iso) {
  return *parse_unix(iso);
}

stored_workout stored(int32_t id, const char* start,
                      std::optional<double> duration, std::optional<double> tss,
                      std::optional<double> distance) {
  return {id, {at(start), duration, tss, distance}, workout_origin::manual};
}

} // namespace

TEST_CASE("a duplicate starts on the new workout's own calendar day") {
  // 00:30 at +02:00 is 22:30 UTC of the day before: that local day.
  auto day = match_day(at("2026-03-14T00:30:00+02:00"), 7200);
  CHECK(day.first == at("2026-03-14T00:00:00+02:00"));
  CHECK(day.second == at("2026-03-15T00:00:00+02:00"));
  auto west = match_day(at("2026-03-14T23:30:00-05:00"), -5 * 3600);
  CHECK(west.first == at("2026-03-14T00:00:00-05:00"));
  auto before_1970 = match_day(at("1969-12-31T12:00:00Z"), 0);
  CHECK(before_1970.first == at("1969-12-31T00:00:00Z"));
}

TEST_CASE("a duplicate: close start, or every measure agrees within its "
          "tolerance") {
  workout_measures x{at("2026-03-14T06:00:00Z"), 3600.0, 80.0, 40000.0};
  std::vector<stored_workout> none_close{
    stored(1, "2026-03-14T18:00:00Z", 3000.0, 80.0, 40000.0)};
  CHECK(duplicate_of(x, none_close) == nullptr);
  // Newest first, the first match wins.
  std::vector<stored_workout> both{
    stored(2, "2026-03-14T19:00:00Z", 3671.0, 83.9, 40790.0),
    stored(3, "2026-03-14T06:04:59Z", std::nullopt, std::nullopt,
           std::nullopt)};
  auto* hit = duplicate_of(x, both);
  REQUIRE(hit != nullptr);
  CHECK(hit->id == 2);
  // Just outside: duration 2 % of the larger value, TSS 5 %.
  both[0].measures.duration_sec = 3674.0;
  CHECK(duplicate_of(x, both)->id == 3);
  both[1].measures.start_unix = at("2026-03-14T06:05:01Z");
  CHECK(duplicate_of(x, both) == nullptr);
  both[0].measures.duration_sec = 3600.0;
  both[0].measures.tss = 84.3;
  CHECK(duplicate_of(x, both) == nullptr);
}

TEST_CASE("a measure on one side only rules a candidate out, and nothing "
          "present matches nothing") {
  workout_measures x{at("2026-03-14T06:00:00Z"), 3600.0, std::nullopt,
                     std::nullopt};
  std::vector<stored_workout> one_sided{
    stored(1, "2026-03-14T12:00:00Z", 3600.0, 50.0, std::nullopt)};
  CHECK(duplicate_of(x, one_sided) == nullptr);
  one_sided[0].measures.tss.reset();
  CHECK(duplicate_of(x, one_sided)->id == 1);
  workout_measures empty{at("2026-03-14T06:00:00Z"), std::nullopt, std::nullopt,
                         std::nullopt};
  std::vector<stored_workout> also_empty{stored(
    1, "2026-03-14T12:00:00Z", std::nullopt, std::nullopt, std::nullopt)};
  CHECK(duplicate_of(empty, also_empty) == nullptr);
}

TEST_CASE("a merge fills only the nulls of a higher-priority source") {
  CHECK(fills_nulls_only(workout_origin::intervals, workout_origin::fit));
  CHECK(fills_nulls_only(workout_origin::intervals, workout_origin::manual));
  CHECK(fills_nulls_only(workout_origin::fit, workout_origin::manual));
  CHECK_FALSE(fills_nulls_only(workout_origin::manual, workout_origin::fit));
  CHECK_FALSE(fills_nulls_only(workout_origin::fit, workout_origin::fit));
  CHECK_FALSE(fills_nulls_only(workout_origin::manual, workout_origin::manual));
}
