// The decision at the reference's newest revision (http-api-head.md
// §3.9.10): the part of the athlete's day it is asked in, and Advice for
// someone who is not an athlete. The real binary, PostgreSQL and the fake
// Gemini.
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <chrono>

#include "util/dates.hpp"

using namespace st;
using namespace st::test;
using namespace std::chrono;

namespace {

using rows = std::vector<std::vector<std::string>>;

struct modes_fixture {
  scratch_database db;
  fake_gemini gemini;
  std::map<std::string, std::string> env;

  explicit modes_fixture(std::map<std::string, std::string> extra = {}) {
    env = std::move(extra);
    env["DATABASE_URL"] = db.dsn();
    env["GEMINI_API_BASE_URL"] = gemini.base_url();
    env["GOOGLE_GEMINI_API_KEY"] = "test-gemini-key";
  }

  /// The system instruction and the context of the newest model call.
  std::pair<std::string, std::string> last_call() const {
    auto stats = parse(gemini.stats());
    auto calls = stats["calls"].GetArray();
    REQUIRE(calls.Size() > 0);
    auto& last = calls[calls.Size() - 1];
    return {last["system"].GetString(), last["texts"][0].GetString()};
  }
};

http_reply call(uint16_t port, const athlete& who, const std::string& method,
                const std::string& path, const std::string& body = {}) {
  return http_call(port, method, path, body,
                   {{"Authorization", "Bearer " + who.token}});
}

/// Three days of wellness around today (UTC), sleep `hours`.
void add_wellness(const scratch_database& db, const athlete& who,
                  double hours) {
  db.query("INSERT INTO wellness_cache (user_id, date, sleep_hours, hrv, rhr) "
           "SELECT " +
           std::to_string(who.id) + ", current_date + d, " +
           std::to_string(hours) + ", 60, 50 FROM generate_series(-1, 1) d");
}

/// An instant within the last day at which Tokyo's clock shows `hour`:00
/// and some minutes (UTC+9, no daylight saving), as `client_now`.
std::string tokyo_at(int hour) {
  auto now = unix_now();
  for (int64_t back = 0; back < 24; ++back) {
    auto t = now - back * 3600;
    if (((t + 9 * 3600) % 86400) / 3600 == hour)
      return format_unix(t);
  }
  FAIL("no such hour");
  return {};
}

/// Tokyo's date at `client_now`.
std::string tokyo_date(const std::string& client_now) {
  return format_date((*parse_unix(client_now) + 9 * 3600) / 86400);
}

} // namespace

TEST_CASE("the part of the athlete's day: in the evening the model is asked "
          "for tonight's food and sleep and tomorrow's session, which are "
          "answered, stored, listed and written to the chat, the morning "
          "and daytime ask for the day's plan, and the hours are settings") {
  modes_fixture f{{{"ORCHESTRATOR_MORNING_UNTIL_HOUR", "9"},
                   {"ORCHESTRATOR_EVENING_FROM_HOUR", "19"}}};
  server_process server{f.env};
  auto port = server.port();
  auto who =
    declare_athlete(port, register_athlete(port, f.db, "evening@example.com"));
  REQUIRE(call(port, who, "PATCH", "/api/v1/athlete-profile",
               R"({"timezone":"Asia/Tokyo"})")
            .status == 200);
  add_wellness(f.db, who, 7.5);
  auto run = [&](const std::string& client_now) {
    auto r = call(port, who, "POST", "/api/v1/chat/orchestrator/run",
                  R"({"locale":"en","client_now":")" + client_now + "\"}");
    REQUIRE(r.status == 200);
    return parse(r.body);
  };

  auto evening = tokyo_at(19);
  // The rules flag Modify too (HRV without a baseline): the model's text
  // stands with their word.
  f.gemini.script(
    R"([{"text": "{\"decision\": \"Modify\", \"reason\": \"Keep it easy.\", \"modified_plan\": null, \"suggestions_next_days\": null, \"evening_tips\": \"Rice and salmon; bed by 22:30.\", \"plan_tomorrow\": \"2x20 min sweet spot.\"}"}])");
  auto d = run(evening);
  CHECK(std::string{d["decision"].GetString()} == "Modify");
  CHECK(std::string{d["evening_tips"].GetString()} ==
        "Rice and salmon; bed by 22:30.");
  CHECK(std::string{d["plan_tomorrow"].GetString()} == "2x20 min sweet spot.");
  auto [system, context] = f.last_call();
  CHECK(system.find("It is evening on the athlete's clock") !=
        std::string::npos);
  CHECK(context.find("## Local date and time\n" + tokyo_date(evening) +
                     " 19:00 (evening)") != std::string::npos);
  CHECK(context.find("## Workout already done today (yes/no)\nno") !=
        std::string::npos);
  // Stored for the athlete's date there, listed, and the chat message has
  // the reference's paragraphs.
  CHECK(f.db.query("SELECT to_char(date, 'YYYY-MM-DD'), evening_tips, "
                   "plan_tomorrow FROM daily_decisions") ==
        rows{{tokyo_date(evening), "Rice and salmon; bed by 22:30.",
              "2x20 min sweet spot."}});
  CHECK(f.db.query("SELECT content FROM chat_messages") ==
        rows{{"Decision: Modify. Keep it easy.\n\nEvening: Rice and salmon; "
              "bed by 22:30.\n\nTomorrow: 2x20 min sweet spot."}});
  auto listed = parse(call(port, who, "GET", "/api/v1/decisions?days=3").body);
  REQUIRE(listed.Size() == 1);
  CHECK(std::string{listed[0]["plan_tomorrow"].GetString()} ==
        "2x20 min sweet spot.");

  // The morning (up to 09:00 here) and the day between.
  auto morning = tokyo_at(9);
  d = run(morning);
  CHECK(d["evening_tips"].IsNull()); // the fake's default has none
  std::tie(system, context) = f.last_call();
  CHECK(system.find("It is morning on the athlete's clock") !=
        std::string::npos);
  CHECK(context.find(tokyo_date(morning) + " 09:00 (morning)") !=
        std::string::npos);
  run(tokyo_at(18));
  std::tie(system, context) = f.last_call();
  CHECK(system.find("It is daytime on the athlete's clock") !=
        std::string::npos);
  CHECK(context.find(" 18:00 (daytime)") != std::string::npos);
}

TEST_CASE("someone who is not an athlete gets Advice: plain words with the "
          "rules' flags, no load, no plan, no verdict, and a workout of the "
          "last 30 days or the profile's word makes an athlete") {
  modes_fixture f;
  server_process server{f.env};
  auto port = server.port();
  auto who = register_athlete(port, f.db, "advice@example.com");
  add_wellness(f.db, who, 4.0); // the rules would say Skip
  auto run = [&] {
    auto r = call(port, who, "POST", "/api/v1/chat/orchestrator/run");
    REQUIRE(r.status == 200);
    return parse(r.body);
  };
  auto d = run();
  CHECK(std::string{d["decision"].GetString()} == "Advice");
  CHECK(std::string{d["reason"].GetString()} ==
        "Sleep a little longer tonight.");
  CHECK(d["modified_plan"].IsNull());
  CHECK(std::string{d["source"].GetString()} == "ai");
  CHECK(std::string{d["model_decision"].GetString()} == "Advice");
  CHECK(std::string{d["plan_tomorrow"].GetString()} == "A 30-minute walk.");
  // The signals the rules read are there, the sleep flagged.
  REQUIRE(d["readiness"].Size() > 0);
  CHECK(std::string{d["readiness"][0]["signal"].GetString()} == "sleep");
  CHECK(std::string{d["readiness"][0]["flag"].GetString()} == "skip");
  auto [system, context] = f.last_call();
  CHECK(system.find("health and activity consultant") != std::string::npos);
  CHECK(context.find("## Readiness flags\nsleep 4.0 h (under 5 h)") !=
        std::string::npos);
  CHECK(context.find("CTL/ATL/TSB") == std::string::npos);
  CHECK(context.find("Planned workouts") == std::string::npos);
  CHECK(f.db.query("SELECT decision, model_decision, plan IS NULL FROM "
                   "daily_decisions") == rows{{"Advice", "Advice", "t"}});
  CHECK(f.db.query("SELECT content FROM chat_messages") ==
        rows{{"Decision: Advice. Sleep a little longer tonight.\n\nEvening: "
              "A light dinner, screens off by 22:00.\n\nTomorrow: A "
              "30-minute walk."}});

  // The model down: the rules' advice, no verdict.
  f.gemini.script(R"([{"status": 400}])");
  d = run();
  CHECK(std::string{d["decision"].GetString()} == "Advice");
  CHECK(std::string{d["source"].GetString()} == "rules");
  CHECK(std::string{d["reason"].GetString()} ==
        "Rule-based advice: sleep 4.0 h (under 5 h); HRV has too little "
        "history for a baseline (0 of 14 mornings before this week).");
  // An answer with a verdict is no advice: the rules' advice again.
  f.gemini.script(
    R"([{"text": "{\"decision\": \"Go\", \"reason\": \"Train hard.\"}"}])");
  CHECK(std::string{run()["reason"].GetString()}.rfind("Rule-based advice",
                                                       0) == 0);

  // A workout of the last 30 days: an athlete's verdict, the rules' veto.
  REQUIRE(call(port, who, "POST", "/api/v1/workouts",
               R"({"start_date":")" + format_unix(unix_now() - 5 * 86400) +
                 R"(","name":"Ride","type":"Ride","duration_sec":3600})")
            .status == 201);
  d = run();
  CHECK(std::string{d["decision"].GetString()} == "Skip");
  CHECK(std::string{d["model_decision"].GetString()} == "Modify");
  CHECK(f.last_call().first.find("sports physiologist") != std::string::npos);
  // The profile's own word wins over every sign.
  REQUIRE(call(port, who, "PATCH", "/api/v1/athlete-profile",
               R"({"is_athlete":false,"ftp":250})")
            .status == 200);
  CHECK(std::string{run()["decision"].GetString()} == "Advice");
  CHECK(f.last_call().second.find("\"ftp\"") == std::string::npos);
}
