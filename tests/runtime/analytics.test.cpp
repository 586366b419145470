// The analytics tab end to end (http-api-head.md §3.10 with §6 items 18,
// 22, 23): the real binary, HTTP, PostgreSQL and the fake Gemini; data
// entered through the API for an athlete fourteen hours east of UTC.
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

using namespace st;
using namespace st::test;

namespace {

using rows = std::vector<std::vector<std::string>>;

struct analytics_fixture {
  scratch_database db;
  fake_gemini gemini;
  std::map<std::string, std::string> env;

  explicit analytics_fixture(std::map<std::string, std::string> extra = {}) {
    env = std::move(extra);
    env["DATABASE_URL"] = db.dsn();
    env["GEMINI_API_BASE_URL"] = gemini.base_url();
    env.emplace("GOOGLE_GEMINI_API_KEY", "test-gemini-key");
  }

  /// The date `days` after `day` (YYYY-MM-DD).
  std::string plus(const std::string& day, int days) const {
    return db.query("SELECT ('" + day + "'::date + " + std::to_string(days) +
                    ")::text")[0][0];
  }
};

struct as_athlete {
  uint16_t port;
  athlete who;

  http_reply operator()(const std::string& method, const std::string& path,
                        const std::string& body = {}) const {
    return http_call(port, method, path, body, bearer(who.token));
  }
};

} // namespace

TEST_CASE("analytics: overview, sleep, workouts and nutrition in the "
          "athlete's own days, from data entered through the API, windows "
          "bounded") {
  analytics_fixture f;
  server_process server{f.env};
  as_athlete api{server.port(),
                 register_athlete(server.port(), f.db, "charts@example.com")};
  constexpr auto zone = "Pacific/Kiritimati"; // UTC+14
  REQUIRE(api("PATCH", "/api/v1/athlete-profile",
              std::string{R"({"timezone":")"} + zone +
                R"(","calorie_goal":2500,"protein_goal":140,"fat_goal":80})")
            .status == 200);
  auto today = f.db.query(std::string{"SELECT (now() AT TIME ZONE '"} + zone +
                          "')::date::text")[0][0];
  auto day = [&](int d) {
    return f.plus(today, d);
  };
  // Wellness: two nights of sleep, a day with RHR only, CTL on one day
  // (Intervals.icu's figures) and a planned future one that is ignored.
  for (auto& body : {R"({"date":")" + day(-2) +
                       R"(","sleep_hours":7.26,"rhr":50.4,"hrv":61.5})",
                     R"({"date":")" + day(-1) + R"(","sleep_hours":8})",
                     R"({"date":")" + day(0) + R"(","rhr":49})"})
    REQUIRE(api("PUT", "/api/v1/wellness", body).status == 200);
  f.db.query("UPDATE wellness_cache SET ctl = 50.04, atl = 55.06, tsb = "
             "-5.02 WHERE date = '" +
             day(-1) + "'");
  f.db.query("INSERT INTO wellness_cache (user_id, date, ctl, atl, tsb) "
             "VALUES (" +
             std::to_string(api.who.id) + ", '" + day(3) + "', 99, 99, 0)");
  // Workouts: two on the athlete's yesterday, the first of them still the
  // day before in UTC; one long ago.
  for (
    auto& body :
    {R"({"start_date":")" + day(-1) +
       R"(T01:00:00+14:00","name":"Early ride","type":"Ride","duration_sec":3600,"distance_m":30000.4,"tss":65.04})",
     R"({"start_date":")" + day(-1) +
       R"(T20:00:00+14:00","name":"Run","type":"Run","duration_sec":1800,"distance_m":10000,"tss":30})",
     R"({"start_date":")" + day(-40) +
       R"(T08:00:00+14:00","name":"Old","type":"Ride","duration_sec":600,"tss":10})"})
    REQUIRE(api("POST", "/api/v1/workouts", body).status == 201);
  // Food: two entries yesterday (with micronutrients), one today.
  for (
    auto& body :
    {R"({"name":"Oats","portion_grams":100,"calories":500.4,"protein_g":30.6,"fat_g":10,"carbs_g":60,"date":")" +
       day(-1) + R"(","extended_nutrients":{"fiber_g":10.25}})",
     R"({"name":"Pasta","portion_grams":300,"calories":700,"protein_g":25,"fat_g":12,"carbs_g":120,"date":")" +
       day(-1) + R"(","extended_nutrients":{"fiber_g":5,"sodium_mg":300}})",
     R"({"name":"Rice","portion_grams":200,"calories":1000,"protein_g":20,"fat_g":5,"carbs_g":200,"date":")" +
       day(0) + R"("})"})
    REQUIRE(api("POST", "/api/v1/nutrition/entries", body).status == 200);

  SECTION("overview") {
    auto r = api("GET", "/api/v1/analytics/overview?days=30");
    REQUIRE(r.status == 200);
    CHECK(r.body ==
          R"({"from_date":")" + day(-30) + R"(","to_date":")" + day(0) +
            R"(","avg_sleep_hours":7.6,"wellness_days_with_sleep":2,)"
            R"("ctl_atl_tsb":{"ctl":50.0,"atl":55.1,"tsb":-5.0},)"
            R"("workout_count":2,"total_tss":95.0,"days_with_food":2,)"
            R"("avg_calories_per_day":1100,)"
            R"("goals":{"calorie_goal":2500.0,"protein_goal":140.0}})");
    // A year reaches the old workout.
    auto year = parse(api("GET", "/api/v1/analytics/overview?days=365").body);
    CHECK(year["workout_count"].GetInt() == 3);
  }
  SECTION("sleep") {
    auto r = api("GET", "/api/v1/analytics/sleep?days=7");
    REQUIRE(r.status == 200);
    CHECK(r.body == R"({"from_date":")" + day(-7) + R"(","to_date":")" +
                      day(0) + R"(","items":[{"date":")" + day(-2) +
                      R"(","sleep_hours":7.3,"rhr":50.0,"hrv":62.0},)"
                      R"({"date":")" +
                      day(-1) +
                      R"(","sleep_hours":8.0,"rhr":null,"hrv":null},)"
                      R"({"date":")" +
                      day(0) +
                      R"(","sleep_hours":null,"rhr":49.0,"hrv":null}]})");
    // One day, by dates (days is still checked).
    auto one =
      parse(api("GET", "/api/v1/analytics/sleep?days=7&from_date=" + day(-1) +
                         "&to_date=" + day(-1))
              .body);
    REQUIRE(one["items"].Size() == 1);
    CHECK(std::string{one["items"][0]["date"].GetString()} == day(-1));
    // Reversed dates: empty.
    auto reversed =
      parse(api("GET", "/api/v1/analytics/sleep?from_date=" + day(0) +
                         "&to_date=" + day(-2))
              .body);
    CHECK(reversed["items"].Size() == 0);
  }
  SECTION("workouts") {
    auto r = api("GET", "/api/v1/analytics/workouts?days=7");
    REQUIRE(r.status == 200);
    auto doc = parse(r.body);
    REQUIRE(doc["workouts"].Size() == 2);
    CHECK(std::string{doc["workouts"][0]["date"].GetString()} == day(-1));
    CHECK(std::string{doc["workouts"][0]["name"].GetString()} == "Early ride");
    CHECK(doc["workouts"][0]["tss"].GetDouble() == 65.04);
    auto daily = R"([{"date":")" + day(-1) +
                 R"(","duration_sec":5400,"tss":95.0,"distance_m":40000}])";
    CHECK(r.body.find(R"("daily":)" + daily) != std::string::npos);
    REQUIRE(doc["load"].Size() == 3);
    CHECK(doc["load"][1]["ctl"].GetDouble() == 50.0);
    CHECK(doc["load"][0]["ctl"].IsNull());
  }
  SECTION("nutrition") {
    auto r = api("GET", "/api/v1/analytics/nutrition?days=7");
    REQUIRE(r.status == 200);
    CHECK(
      r.body ==
      R"({"from_date":")" + day(-7) + R"(","to_date":")" + day(0) +
        R"(","items":[{"date":")" + day(-1) +
        R"(","calories":1200,"protein_g":56,"fat_g":22,"carbs_g":180,)"
        R"("entries":2,"extended_nutrients":{"fiber_g":15.3,"sodium_mg":300.0}},)"
        R"({"date":")" +
        day(0) +
        R"(","calories":1000,"protein_g":20,"fat_g":5,"carbs_g":200,"entries":1}],)"
        R"("goals":{"calorie_goal":2500.0,"protein_goal":140.0,"fat_goal":80.0}})");
  }
  SECTION("windows") {
    for (auto q : {"?days=6", "?days=366", "?days=seven",
                   "?days=30&from_date=x", "?to_date=2026-02-30"}) {
      auto r = api("GET", std::string{"/api/v1/analytics/overview"} + q);
      CHECK(r.status == 422);
    }
    // Longer than a year: cut to the newest 365 days.
    auto long_span =
      parse(api("GET", "/api/v1/analytics/sleep?from_date=" + day(-400) +
                         "&to_date=" + day(0))
              .body);
    CHECK(std::string{long_span["from_date"].GetString()} == day(-365));
    // Another athlete sees nothing of these.
    as_athlete other{server.port(), register_athlete(server.port(), f.db,
                                                     "nothing@example.com")};
    auto none = parse(other("GET", "/api/v1/analytics/overview").body);
    CHECK(none["workout_count"].GetInt() == 0);
    CHECK(none["avg_sleep_hours"].IsNull());
    CHECK(none["ctl_atl_tsb"].IsNull());
    CHECK(none["goals"].ObjectEmpty());
  }
}

TEST_CASE("analytics insight: a free athlete's is a counted one-sentence "
          "teaser without their question, premium gets bullets and the "
          "answer, the chart data bounded, failures fixed and free") {
  analytics_fixture f{{{"TIERS_ENABLED", "true"}}};
  server_process server{f.env};
  as_athlete free{server.port(),
                  register_athlete(server.port(), f.db, "free@example.com")};
  as_athlete pro{server.port(),
                 register_athlete(server.port(), f.db, "pro@example.com")};
  f.db.query("UPDATE users SET is_premium = true WHERE email = "
             "'pro@example.com'");
  auto body = std::string{
    R"({"chart_type":"sleep","data":{"items":[{"date":"2026-03-01","sleep_hours":6.1}]},"question":"Why so short?"})"};
  auto last_call = [&] {
    auto stats = parse(f.gemini.stats());
    auto calls = stats["calls"].GetArray();
    REQUIRE(calls.Size() > 0);
    auto& c = calls[calls.Size() - 1];
    std::string texts;
    for (auto& t : c["texts"].GetArray())
      texts += t.GetString();
    return std::pair{std::string{c["system"].GetString()}, texts};
  };
  auto teaser = free("POST", "/api/v1/analytics/insight", body);
  REQUIRE(teaser.status == 200);
  CHECK(teaser.body ==
        R"({"insight":"Keep going, the plan holds.","is_teaser":true})");
  auto [system, texts] = last_call();
  CHECK(system.find("exactly one sentence") != std::string::npos);
  CHECK(system.find("plain words") != std::string::npos); // not an athlete
  CHECK(texts.find(R"({"items":[{"date":"2026-03-01","sleep_hours":6.1}]})") !=
        std::string::npos);
  CHECK(texts.find("Why so short?") == std::string::npos);
  CHECK(f.db.query("SELECT chat_messages FROM daily_usage WHERE user_id = " +
                   std::to_string(free.who.id)) == rows{{"1"}});

  REQUIRE(pro("PATCH", "/api/v1/athlete-profile", R"({"ftp":250})").status ==
          200);
  f.gemini.script(R"([{"text": "- Short nights midweek."}])");
  auto full = pro("POST", "/api/v1/analytics/insight", body);
  REQUIRE(full.status == 200);
  CHECK(full.body == R"({"insight":"- Short nights midweek."})");
  std::tie(system, texts) = last_call();
  CHECK(system.find("2 to 5 short bullet points") != std::string::npos);
  CHECK(system.find("TSS, CTL, ATL and TSB are fine") != std::string::npos);
  CHECK(texts.find("The user asks: Why so short?") != std::string::npos);
  CHECK(f.db.query("SELECT count(*) FROM daily_usage WHERE user_id = " +
                   std::to_string(pro.who.id)) == rows{{"0"}});
  // An empty answer, a failing model (fixed detail, not counted).
  f.gemini.script(R"([{"text": "  "}])");
  CHECK(pro("POST", "/api/v1/analytics/insight", body).body ==
        R"({"insight":"No explanation could be generated."})");
  f.gemini.script(R"([{"status": 400}])");
  auto failed = free("POST", "/api/v1/analytics/insight", body);
  CHECK(failed.status == 503);
  CHECK(failed.body == R"({"detail":"AI insight failed. Please try again."})");
  CHECK(f.db.query("SELECT chat_messages FROM daily_usage WHERE user_id = " +
                   std::to_string(free.who.id)) == rows{{"1"}});
  // Bounded input: over 64 KB is 413 before anything is read; bad shapes
  // are 422.
  auto calls = parse(f.gemini.stats())["calls"].Size();
  auto huge = R"({"chart_type":"sleep","data":{"x":")" +
              std::string(70 * 1024, 'a') + R"("}})";
  CHECK(pro("POST", "/api/v1/analytics/insight", huge).status == 413);
  for (auto bad : {R"({"data":{}})", R"({"chart_type":"sleep"})",
                   R"({"chart_type":"sleep","data":[1]})",
                   R"({"chart_type":"sleep","data":{},"question":5})"}) {
    auto r = pro("POST", "/api/v1/analytics/insight", bad);
    CHECK(r.status == 422);
  }
  CHECK(parse(f.gemini.stats())["calls"].Size() == calls);
}

TEST_CASE("analytics insight without an AI key answers 503") {
  analytics_fixture f{{{"GOOGLE_GEMINI_API_KEY", ""}}};
  server_process server{f.env};
  as_athlete api{server.port(),
                 register_athlete(server.port(), f.db, "nokey@example.com")};
  auto r = api("POST", "/api/v1/analytics/insight",
               R"({"chart_type":"overview","data":{}})");
  CHECK(r.status == 503);
  CHECK(r.body == R"({"detail":"AI insights are not configured."})");
}
