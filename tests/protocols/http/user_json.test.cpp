#include "protocols/http/user_json.hpp"

#include <catch2/catch.hpp>

using namespace st;

TEST_CASE("workout bodies: ISO instants normalised, limits up front") {
  std::vector<validation_error> errors;
  auto x = parse_workout_input(
    R"({"start_date":"2026-02-25T14:00:00+02:00","name":"Run","tss":"42.5"})",
    true, errors);
  REQUIRE(x);
  CHECK(*x->start_date == "2026-02-25T12:00:00+00:00");
  CHECK(*x->tss == 42.5); // pydantic's lax mode accepts numeric strings
  CHECK_FALSE(parse_workout_input(R"({"name":"no start"})", true, errors));
  CHECK(validation_json(errors).find(R"("loc":["body","start_date"])") !=
        std::string::npos);
  auto patch =
    parse_workout_input(R"({"start_date":null,"name":null})", false, errors);
  REQUIRE(patch);
  CHECK_FALSE(patch->start_date);
  CHECK_FALSE(patch->name);
}

TEST_CASE("sleep data: stored with all 28 keys in schema order") {
  std::vector<validation_error> errors;
  auto stored =
    parse_sleep_data(R"({"raw_notes":"ночь","sleep_hours":7.9})", errors);
  REQUIRE(stored);
  CHECK(stored->rfind(R"({"date":null,"sleep_hours":7.9,"sleep_minutes":null,)",
                      0) == 0);
  CHECK(
    stored->find(R"("raw_notes":"ночь","rhr":null,"hrv":null,"spo2_avg":null,)"
                 R"("spo2_min":null,"spo2_max":null})") != std::string::npos);
  CHECK_FALSE(parse_sleep_data(R"({"sleep_periods":[1]})", errors));
  CHECK_FALSE(parse_sleep_data(R"({"factor_ratings":{"deep":1}})", errors));
}

TEST_CASE("lists: plain arrays without paging, envelopes with it") {
  wellness_page page;
  page.items.push_back(wellness_day{
    "2026-02-20", 7.5, {}, {}, {}, {}, {}, {}, std::string{"[1]"}, {}});
  page.total = 3;
  CHECK(
    wellness_page_json(page) ==
    R"([{"date":"2026-02-20","sleep_hours":7.5,"sleep_source":null,"rhr":null,"hrv":null,"ctl":null,"atl":null,"tsb":null,"weight_kg":null,"sport_info":[1]}])");
  page.query.limit = 1;
  page.query.offset = 1;
  CHECK(wellness_page_json(page).find(
          R"(],"total":3,"limit":1,"offset":1,"has_more":true})") !=
        std::string::npos);
  CHECK(fitness_json(fitness{}) == "null");
  auto q = parse_query("a=1&b=x%20y+z&a=2&flag");
  CHECK(q["a"] == "2"); // the last one wins, as in FastAPI
  CHECK(q["b"] == "x y z");
  CHECK(q.count("flag") == 1);
}
