#include "domain/training_load.hpp"

#include <catch2/catch.hpp>

#include "domain/nutrition.hpp"
#include "util/dates.hpp"

using namespace st;

TEST_CASE("load metrics: the worked values of domain.md §6") {
  auto as_of = *parse_date("2026-02-25");
  auto one = compute_fitness({{as_of - 7, 50.0}}, as_of);
  CHECK(one.present);
  CHECK(one.ctl == 1.0);
  CHECK(one.atl == 2.4);
  CHECK(one.tsb == -1.4);
  CHECK(one.date == "2026-02-25");
  std::vector<std::pair<int64_t, double>> month;
  for (int64_t d = as_of - 29; d <= as_of; ++d)
    month.emplace_back(d, 100.0);
  auto thirty = compute_fitness(month, as_of);
  CHECK(thirty.ctl == 51.5);
  CHECK(thirty.atl == 99.0);
  CHECK(thirty.tsb == -47.6);
  CHECK_FALSE(compute_fitness({}, as_of).present);
}

TEST_CASE("dates, instants and Python rounding") {
  CHECK(format_date(*parse_date("2024-02-29")) == "2024-02-29");
  CHECK_FALSE(parse_date("2023-02-29"));
  CHECK_FALSE(parse_date("2026-1-05"));
  CHECK(*normalize_datetime("2026-02-25T12:00:00.000Z") ==
        "2026-02-25T12:00:00+00:00");
  CHECK(*normalize_datetime("2026-02-25T01:30:00+02:00") ==
        "2026-02-24T23:30:00+00:00");
  CHECK(*normalize_datetime("2026-02-25 07:30:12.5") ==
        "2026-02-25T07:30:12.500000+00:00");
  CHECK(*normalize_datetime("2026-02-25") == "2026-02-25T00:00:00+00:00");
  CHECK_FALSE(normalize_datetime("2026-02-25T25:00"));
  CHECK_FALSE(normalize_datetime("yesterday"));
  CHECK(round_to(2.25, 1) == 2.2);
  CHECK(round_to(2.35, 1) == 2.4); // 2.35 is 2.35000000000000008882 in binary
  CHECK(round_to(-0.04, 1) == 0.0);
}

TEST_CASE("workout helpers: duplicates, meal types") {
  workout a{1,
            "2026-02-25T07:00:00+00:00",
            std::string{"Run"},
            {},
            int64_t{3600},
            {},
            50.0,
            "manual",
            {},
            {},
            {}};
  auto b = a;
  b.id = 2;
  auto c = a;
  c.id = 3;
  c.tss = 51.0;
  auto kept = collapse_duplicates({a, b, c});
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].id == 1);
  CHECK(kept[1].id == 3);
  CHECK(normalize_meal_type(std::string{"Breakfast"}) == "breakfast");
  CHECK(normalize_meal_type(std::string{"brunch"}) == "other");
  CHECK(normalize_meal_type(caf::none) == "other");
}
