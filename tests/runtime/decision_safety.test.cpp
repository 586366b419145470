// The daily decision is never unsafe: athletes with 60 days of history
// built through the API, the fake Gemini answering Go, Modify or Skip, and
// the stored decision of each path (a scheduled slot, asked for, via the
// chat) held to the rules' veto (docs/decisions.md).
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <chrono>
#include <cmath>

#include "util/dates.hpp"

using namespace st;
using namespace st::test;
using namespace std::chrono;

namespace {

http_reply call(uint16_t port, const athlete& who, const std::string& method,
                const std::string& path, const std::string& body = {}) {
  return http_call(port, method, path, body,
                   {{"Authorization", "Bearer " + who.token},
                    {"Content-Type", "application/json"}});
}

/// One athlete of the table: how their 60 days look and what the rules
/// must make of them.
struct scenario {
  const char* name;
  double sleep_today = 7.5;
  double rhr_today = 50;
  std::vector<double> hrv_week{60, 60, 60, 60, 60, 60, 60}; ///< ages 6..0
  bool heavy_block = false; ///< TSS 40 a day, the last 7 days 150: TSB −50
  bool no_data = false;
  const char* rules = "Go"; ///< the word the rules allow at most
  const char* flagged = ""; ///< a part of the rules' reason when they flag
};

const std::vector<scenario>& scenarios() {
  static const std::vector<scenario> result{
    {"green"},
    {"short-sleep",
     4.0,
     50,
     {60, 60, 60, 60, 60, 60, 60},
     false,
     false,
     "Skip",
     "sleep 4.0 h (under 5 h)"},
    {"suppressed-hrv",
     7.5,
     50,
     {52, 52, 52, 52, 52, 52, 52},
     false,
     false,
     "Skip",
     "7-day HRV ln(RMSSD) 3.95"},
    {"one-low-morning",
     7.5,
     50,
     {60, 60, 60, 60, 60, 60, 35},
     false,
     false,
     "Modify",
     "this morning's HRV ln(RMSSD) 3.56"},
    {"rhr-up",
     7.5,
     62,
     {60, 60, 60, 60, 60, 60, 60},
     false,
     false,
     "Skip",
     "resting HR 62 bpm, 12 above your 60-day mean"},
    {"heavy-block",
     7.5,
     50,
     {60, 60, 60, 60, 60, 60, 60},
     true,
     false,
     "Skip",
     "TSB -50.0 (under -30)"},
    {"several",
     6.0,
     56,
     {56, 56, 56, 56, 56, 56, 56},
     false,
     false,
     "Modify",
     "sleep 6.0 h (under 6.5 h); 7-day HRV"},
    {"no-data", 0, 0, {}, false, true, "Skip", "no sleep, HRV, resting HR"},
  };
  return result;
}

int caution(const std::string& word) {
  return word == "Go" ? 0 : word == "Modify" ? 1 : 2;
}

/// The word that must be stored: the more cautious of model and rules; the
/// rules alone without data.
std::string expected(const scenario& s, const std::string& model) {
  if (s.no_data)
    return s.rules;
  return caution(s.rules) > caution(model) ? s.rules : model;
}

std::string expected_source(const scenario& s, const std::string& model) {
  if (s.no_data)
    return "rules";
  auto r = caution(s.rules);
  return r > 0 && r >= caution(model) ? "ai+rules" : "ai";
}

/// 60 days up to `today` through PUT /wellness (HRV 55/65 ms alternating
/// before the week, resting HR 50 bpm, 7.5 h) and the block's workouts.
void build_history(uint16_t port, const athlete& who, const scenario& s,
                   int64_t today) {
  if (s.no_data)
    return;
  for (int age = 60; age >= 0; --age) {
    auto hrv = age >= 7 ? (age % 2 == 0 ? 55.0 : 65.0) : s.hrv_week[6 - age];
    char body[200];
    std::snprintf(body, sizeof(body),
                  R"({"date":"%s","sleep_hours":%.1f,"rhr":%.1f,"hrv":%.1f})",
                  format_date(today - age).c_str(),
                  age == 0 ? s.sleep_today : 7.5, age == 0 ? s.rhr_today : 50.0,
                  hrv);
    REQUIRE(call(port, who, "PUT", "/api/v1/wellness", body).status == 200);
  }
  if (!s.heavy_block)
    return;
  for (int age = 60; age >= 1; --age)
    REQUIRE(call(port, who, "POST", "/api/v1/workouts",
                 R"({"start_date":")" + format_date(today - age) +
                   R"(T07:00:00Z","name":"Ride","duration_sec":3600,"tss":)" +
                   (age <= 7 ? "150" : "40") + "}")
              .status == 201);
}

std::string decision_text(const std::string& word) {
  return R"({"text": "{\"decision\": \")" + word +
         R"(\", \"reason\": \"The model says )" + word +
         R"( (HRV 99 ms).\", \"suggestions_next_days\": \"Hard intervals.\"}"})";
}

/// The newest stored decision of `who` on `path`: decision, source,
/// model's word, whether its reason is the rules', the readiness signals.
std::vector<std::string> stored(const scratch_database& db, const athlete& who,
                                bool slot) {
  return db.query(
    "SELECT decision, source, coalesce(model_decision, '-'), "
    "(reason LIKE 'Rule-based decision: %')::text, "
    "coalesce(json_array_length(readiness), -1)::text FROM daily_decisions "
    "WHERE user_id = " +
    std::to_string(who.id) + " AND slot IS " + (slot ? "NOT " : "") +
    "NULL ORDER BY id DESC LIMIT 1")[0];
}

/// Checks one stored or answered decision against the table.
void check_decision(const scenario& s, const std::string& model,
                    const std::vector<std::string>& row) {
  INFO(s.name << " with the model's " << model);
  CHECK(row[0] == expected(s, model));
  CHECK(row[1] == expected_source(s, model));
  CHECK(row[2] == (s.no_data ? "-" : model));
  // The rules' own reason whenever they overrule the model (or decide).
  bool overruled = s.no_data || caution(s.rules) > caution(model);
  CHECK(row[3] == (overruled ? "true" : "false"));
  CHECK(row[4] != "-1");
}

} // namespace

TEST_CASE("the rules hold a veto over the model on every path (a scheduled "
          "slot, asked for, via chat), and no data is never Go and asks no "
          "model") {
  scratch_database db;
  fake_gemini gemini;
  auto today = unix_now() / 86400;
  std::map<std::string, std::string> env{
    {"DATABASE_URL", db.dsn()},
    {"GEMINI_API_BASE_URL", gemini.base_url()},
    {"GOOGLE_GEMINI_API_KEY", "test-gemini-key"},
    {"REMINDER_POLL_MS", "300"},
    // No slot while the history is built (twelve hours away).
    {"ORCHESTRATOR_CRON_HOURS", std::to_string((unix_now() / 3600 + 12) % 24)}};
  std::vector<athlete> who;
  {
    server_process server{env};
    for (auto& s : scenarios()) {
      who.push_back(declare_athlete(
        server.port(), register_athlete(server.port(), db,
                                        std::string{s.name} + "@example.com")));
      build_history(server.port(), who.back(), s, today);
    }
  }
  // A server whose athletes' clock reads 11:50 (UTC) of `today` 10 s from
  // now and runs a minute per second: their 12:00 slot comes 20 s later.
  constexpr double scale = 60;
  auto slot_at = today * 86400 + 12 * 3600;
  auto at = unix_now() + 10;
  auto virtual_at = slot_at - 600;
  // virtual(t) = origin + (t − origin) × scale
  auto origin =
    static_cast<int64_t>(std::llround((at * scale - virtual_at) / (scale - 1)));
  env["DECISION_CLOCK_SCALE"] = "60";
  env["DECISION_CLOCK_ORIGIN"] = std::to_string(origin);
  // The server's default slot at midnight, twelve hours of their clock
  // away: no slot but 12:00 fires while the test runs, whatever the hour.
  env["ORCHESTRATOR_CRON_HOURS"] = "0";
  server_process server{env};
  gemini.answer_by_default(decision_text("Go"));
  for (auto& w : who)
    REQUIRE(call(server.port(), w, "PATCH", "/api/v1/athlete-profile",
                 R"({"decision_hours":[12]})")
              .status == 200);
  auto n = std::to_string(scenarios().size());

  // The scheduled slot, the model saying Go to everybody.
  REQUIRE(eventually(
    [&] {
      return db.query("SELECT count(*) FROM daily_decisions WHERE slot = "
                      "12")[0][0] == n;
    },
    seconds(90)));
  for (size_t i = 0; i < who.size(); ++i)
    check_decision(scenarios()[i], "Go", stored(db, who[i], true));
  // The athlete without data cost no model call.
  auto athletes_with_data = scenarios().size() - 1;
  CHECK(parse(gemini.stats())["calls"].Size() == athletes_with_data);

  // Asked for and via chat, the model saying Go, Modify or Skip.
  for (auto model : {"Go", "Modify", "Skip"}) {
    gemini.answer_by_default(decision_text(model));
    for (size_t i = 0; i < who.size(); ++i) {
      auto& s = scenarios()[i];
      INFO(s.name << " asked, the model's " << model);
      auto r =
        call(server.port(), who[i], "POST", "/api/v1/chat/orchestrator/run");
      REQUIRE(r.status == 200);
      auto d = parse(r.body);
      CHECK(std::string{d["decision"].GetString()} == expected(s, model));
      CHECK(std::string{d["source"].GetString()} == expected_source(s, model));
      std::string reason = d["reason"].GetString();
      bool overruled = s.no_data || caution(s.rules) > caution(model);
      if (overruled)
        CHECK(reason.find(s.flagged) != std::string::npos);
      // The model's figures never stand in an overruled reason.
      if (overruled) {
        CHECK(reason.find("99 ms") == std::string::npos);
        CHECK(d["suggestions_next_days"].IsNull());
      }
      CHECK(d["readiness"].IsArray());
      check_decision(s, model, stored(db, who[i], false));

      auto c = call(server.port(), who[i], "POST", "/api/v1/chat/send",
                    R"({"message":"Train today?","run_orchestrator":true})");
      REQUIRE(c.status == 200);
      CHECK(json_field(c.body, "reply")
              .rfind("Decision: " + expected(s, model) + ". ", 0) == 0);
      check_decision(s, model, stored(db, who[i], false));
    }
  }
  // Three asks and three chats each after the slot; none for the athlete
  // without data.
  CHECK(parse(gemini.stats())["calls"].Size() == 7 * athletes_with_data);
}

TEST_CASE("why: the answer, the list and the stored row carry the signals, "
          "their values, baselines and bands, and who made the word") {
  scratch_database db;
  fake_gemini gemini;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"GEMINI_API_BASE_URL", gemini.base_url()},
                         {"GOOGLE_GEMINI_API_KEY", "test-gemini-key"}}};
  auto today = unix_now() / 86400;
  auto who = declare_athlete(
    server.port(), register_athlete(server.port(), db, "why@example.com"));
  build_history(server.port(), who, scenarios()[4], today); // resting HR +12
  gemini.answer_by_default(decision_text("Go"));
  auto r = call(server.port(), who, "POST", "/api/v1/chat/orchestrator/run");
  REQUIRE(r.status == 200);
  auto d = parse(r.body);
  // The reference's four keys stay.
  for (auto key :
       {"decision", "reason", "modified_plan", "suggestions_next_days"})
    CHECK(d.HasMember(key));
  CHECK(std::string{d["decision"].GetString()} == "Skip");
  CHECK(std::string{d["reason"].GetString()} ==
        "Rule-based decision: resting HR 62 bpm, 12 above your 60-day mean.");
  CHECK(std::string{d["source"].GetString()} == "ai+rules");
  CHECK(std::string{d["model_decision"].GetString()} == "Go");
  std::map<std::string, const rapidjson::Value*> signals;
  for (auto& s : d["readiness"].GetArray())
    signals[s["signal"].GetString()] = &s;
  REQUIRE(signals.count("rhr") == 1);
  auto& rhr = *signals["rhr"];
  CHECK(rhr["value"].GetDouble() == 62.0);
  CHECK(rhr["baseline"].GetDouble() == 50.0);
  CHECK(rhr["band"][0].IsNull());
  CHECK(rhr["band"][1].GetDouble() == 55.0);
  CHECK(std::string{rhr["flag"].GetString()} == "skip");
  REQUIRE(signals.count("hrv_7d") == 1);
  auto& week = *signals["hrv_7d"];
  CHECK(week["value"].GetDouble() == Approx(std::log(60.0)).margin(0.001));
  CHECK(week["baseline"].GetDouble() == Approx(4.091).margin(0.001));
  CHECK(week["band"][0].GetDouble() == Approx(4.049).margin(0.001));
  CHECK(week["flag"].IsNull());
  REQUIRE(signals.count("sleep") == 1);
  CHECK((*signals["sleep"])["value"].GetDouble() == 7.5);
  // Listed the same way, and stored.
  auto listed =
    parse(call(server.port(), who, "GET", "/api/v1/decisions").body);
  REQUIRE(listed.Size() == 1);
  CHECK(std::string{listed[0]["source"].GetString()} == "ai+rules");
  CHECK(std::string{listed[0]["model_decision"].GetString()} == "Go");
  CHECK(listed[0]["readiness"].Size() == d["readiness"].Size());
  CHECK(db.query("SELECT readiness->0->>'signal', model_decision, source "
                 "FROM daily_decisions") ==
        std::vector<std::vector<std::string>>{{"sleep", "Go", "ai+rules"}});
}
