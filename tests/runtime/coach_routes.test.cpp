// The coach end to end: the real binary, HTTP, PostgreSQL, the fake Gemini
// and Intervals.icu servers; decision slots on a clock that runs faster
// (DECISION_CLOCK_SCALE), so a day of slots takes seconds.
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include "util/dates.hpp"

using namespace st;
using namespace st::test;
using namespace std::chrono;

namespace {

/// ORCHESTRATOR_CRON_HOURS for a fast clock starting now: the UTC hour
/// twelve hours ahead, so an athlete registered in UTC has no slot before
/// the test sets their own zone and hours.
std::string far_hour() {
  return std::to_string((unix_now() / 3600 + 12) % 24);
}

struct coach_fixture {
  scratch_database db;
  fake_gemini gemini;
  fake_intervals intervals;
  std::map<std::string, std::string> env;

  explicit coach_fixture(std::map<std::string, std::string> extra = {}) {
    env = std::move(extra);
    env["DATABASE_URL"] = db.dsn();
    env["ADMIN_TOKEN"] = test_admin_token;
    env["GEMINI_API_BASE_URL"] = gemini.base_url();
    env["INTERVALS_ICU_BASE_URL"] = intervals.base_url();
    env.emplace("GOOGLE_GEMINI_API_KEY", "test-gemini-key");
    env.emplace("REMINDER_POLL_MS", "500");
  }

  size_t model_calls() const {
    return parse(gemini.stats())["calls"].Size();
  }

  std::string count(const std::string& sql) const {
    return db.query(sql)[0][0];
  }
};

http_reply call(uint16_t port, const athlete& who, const std::string& method,
                const std::string& path, const std::string& body = {},
                std::map<std::string, std::string> headers = {}) {
  headers["Authorization"] = "Bearer " + who.token;
  return http_call(port, method, path, body, headers);
}

/// Today's wellness row for the athlete (so there is something to decide
/// on): the day before and the day of the real date, and the day after.
void add_wellness(const scratch_database& db, const athlete& who,
                  double sleep) {
  for (int d = -1; d <= 1; ++d)
    db.query("INSERT INTO wellness_cache (user_id, date, sleep_hours, hrv, "
             "rhr) VALUES (" +
             std::to_string(who.id) + ", current_date + " + std::to_string(d) +
             ", " + std::to_string(sleep) + ", 60, 50)");
}

/// A new athlete linked to the fake Intervals.icu athlete `id`.
athlete linked_athlete(coach_fixture& f, const server_process& server,
                       const std::string& id, const std::string& email) {
  f.intervals.put_athlete(id, R"({"api_key":"key-)" + id + R"("})");
  auto who = register_athlete(server.port(), f.db, email);
  REQUIRE(
    call(server.port(), who, "POST", "/api/v1/intervals/link",
         R"({"athlete_id":")" + id + R"(","api_key":"key-)" + id + R"("})")
      .status == 200);
  return who;
}

} // namespace

TEST_CASE("a decision on demand: the model's Modify is stored with its chat "
          "message, its plan pushed to Intervals.icu, its context gathered "
          "in one round trip") {
  // No reminder poll inside the measured window: only the run's own
  // round trips are counted.
  coach_fixture f{{{"REMINDER_POLL_MS", "600000"}}};
  server_process server{f.env};
  auto who = linked_athlete(f, server, "i9", "coach@example.com");
  add_wellness(f.db, who, 5.5);
  // Warm: the account and link are known, so the run costs only its own
  // round trips.
  REQUIRE(call(server.port(), who, "GET", "/api/v1/chat/history").status ==
          200);
  auto before = admin_stat(server.port(), {"db", "num_round_trips"});
  auto r = call(server.port(), who, "POST", "/api/v1/chat/orchestrator/run");
  REQUIRE(r.status == 200);
  auto after = admin_stat(server.port(), {"db", "num_round_trips"});
  // One to gather the context, one to store the decision and its message.
  CHECK(after - before == 2);
  auto d = parse(r.body);
  CHECK(std::string{d["decision"].GetString()} == "Modify");
  // The rules flag the short sleep too: both made the word, the model's
  // text stands.
  CHECK(std::string{d["source"].GetString()} == "ai+rules");
  CHECK(std::string{d["model_decision"].GetString()} == "Modify");
  CHECK(std::string{d["modified_plan"]["title"].GetString()} ==
        "Easy spin 45 min");
  CHECK(std::string{d["modified_plan"]["type"].GetString()} == "workout");
  CHECK(d.MemberCount() == 9);
  // The prompt carried the athlete's sleep and the day's planned events.
  auto stats = parse(f.gemini.stats()); // owns what `calls` refers to
  auto calls = stats["calls"].GetArray();
  REQUIRE(calls.Size() == 1);
  std::string prompt = calls[0]["texts"][0].GetString();
  CHECK(prompt.find("\"sleep_hours\":5.5") != std::string::npos);
  CHECK(prompt.find("## Planned workouts today (Intervals)") !=
        std::string::npos);
  CHECK(prompt.find("coach@example.com") != std::string::npos);
  // Stored: the decision and the reference's assistant message.
  CHECK(f.db.query("SELECT decision, slot IS NULL, source FROM "
                   "daily_decisions") ==
        std::vector<std::vector<std::string>>{{"Modify", "t", "ai+rules"}});
  CHECK(f.db.query("SELECT role, content FROM chat_messages") ==
        std::vector<std::vector<std::string>>{
          {"assistant", "Decision: Modify. Short sleep; keep it aerobic.\n\n"
                        "Next days: Intervals on Thursday if HRV recovers."}});
  // The plan went to the calendar as an Intervals.icu workout.
  REQUIRE(eventually([&] {
    return f.intervals.created_events().find("Easy spin") != std::string::npos;
  }));
  auto events = parse(f.intervals.created_events());
  REQUIRE(events.Size() == 1);
  CHECK(std::string{events[0]["name"].GetString()} == "Easy spin 45 min");
  CHECK(std::string{events[0]["start_date_local"].GetString()} ==
        "2026-12-01T17:00:00");
  CHECK(std::string{events[0]["category"].GetString()} == "WORKOUT");
  // Listed.
  auto listed =
    parse(call(server.port(), who, "GET", "/api/v1/decisions").body);
  REQUIRE(listed.Size() == 1);
  CHECK(listed[0]["slot"].IsNull());
  CHECK(std::string{listed[0]["decision"].GetString()} == "Modify");
  CHECK(std::string{listed[0]["modified_plan"]["title"].GetString()} ==
        "Easy spin 45 min");
  CHECK(call(server.port(), who, "GET", "/api/v1/decisions?days=0").status ==
        422);
}

TEST_CASE("a linked athlete with nothing to judge: the rules' Skip with no "
          "model call and no read of the day's planned events") {
  coach_fixture f{{{"REMINDER_POLL_MS", "600000"}}};
  server_process server{f.env};
  auto who = linked_athlete(f, server, "i7", "empty@example.com");
  auto before = f.intervals.calls().size();
  auto r = call(server.port(), who, "POST", "/api/v1/chat/orchestrator/run");
  REQUIRE(r.status == 200);
  auto d = parse(r.body);
  CHECK(std::string{d["decision"].GetString()} == "Skip");
  CHECK(std::string{d["source"].GetString()} == "rules");
  CHECK(f.model_calls() == 0);
  CHECK(f.intervals.calls().size() == before);
}

TEST_CASE("an unknown decision word is an invalid answer (Skip), never Go") {
  coach_fixture f;
  server_process server{f.env};
  auto who = declare_athlete(
    server.port(), register_athlete(server.port(), f.db, "word@example.com"));
  add_wellness(f.db, who, 7.5); // something to judge: the model is asked
  f.gemini.script(
    R"([{"text": "{\"decision\": \"Proceed\", \"reason\": \"fine\"}"},
        {"text": "{\"reason\": \"no decision at all\"}"}])");
  for (int i = 0; i < 2; ++i) {
    auto r = call(server.port(), who, "POST", "/api/v1/chat/orchestrator/run");
    REQUIRE(r.status == 200);
    auto d = parse(r.body);
    CHECK(std::string{d["decision"].GetString()} == "Skip");
    CHECK(std::string{d["reason"].GetString()} ==
          "Parse error; defaulting to Skip.");
  }
  // The fallback writes no chat message (as the reference), but is listed.
  CHECK(f.count("SELECT count(*) FROM chat_messages") == "0");
  CHECK(f.count("SELECT count(*) FROM daily_decisions WHERE decision = "
                "'Skip'") == "2");
}

TEST_CASE("Gemini down: the rules decide, marked as rule-made") {
  coach_fixture f;
  server_process server{f.env};
  auto who = declare_athlete(
    server.port(), register_athlete(server.port(), f.db, "down@example.com"));
  add_wellness(f.db, who, 4.0);
  f.gemini.script(R"([{"status": 503}, {"status": 503}, {"status": 503},
                      {"status": 503}, {"status": 503}, {"status": 503}])");
  auto r = call(server.port(), who, "POST", "/api/v1/chat/orchestrator/run");
  REQUIRE(r.status == 200);
  auto d = parse(r.body);
  CHECK(std::string{d["source"].GetString()} == "rules");
  CHECK(std::string{d["decision"].GetString()} == "Skip");
  std::string reason = d["reason"].GetString();
  CHECK(reason.rfind("Rule-based decision: ", 0) == 0);
  CHECK(reason.find("sleep 4.0 h") != std::string::npos);
  CHECK(f.count("SELECT source FROM daily_decisions") == "rules");
}

TEST_CASE("a slot fires at 07:00 on the athlete's clock in two time zones, "
          "and an athlete without data costs no model call") {
  // An hour of the athletes' day per second. The server's own hour is
  // twelve hours away, so nobody's slot comes before the athletes' zone
  // and hours are set together.
  coach_fixture f{{{"DECISION_CLOCK_SCALE", "3600"},
                   {"DECISION_CLOCK_ORIGIN", std::to_string(unix_now())},
                   {"ORCHESTRATOR_CRON_HOURS", far_hour()}}};
  auto origin = f.env["DECISION_CLOCK_ORIGIN"];
  server_process server{f.env};
  auto berlin = register_athlete(server.port(), f.db, "berlin@example.com");
  auto york = register_athlete(server.port(), f.db, "york@example.com");
  add_wellness(f.db, berlin, 7.5);
  for (auto& [who, tz] : {std::pair{berlin, "Europe/Berlin"},
                          std::pair{york, "America/New_York"}})
    REQUIRE(call(server.port(), who, "PATCH", "/api/v1/athlete-profile",
                 std::string{R"({"is_athlete":true,"decision_hours":[7],)"
                             R"("timezone":")"} +
                   tz + "\"}")
              .status == 200);
  REQUIRE(eventually(
    [&] {
      return f.count("SELECT count(*) FROM daily_decisions") == "2";
    },
    seconds(45)));
  // Each at 07:xx on its own clock (a second is an hour: minutes of
  // latency are tolerated), for the date it is there.
  auto local = [&](const athlete& who, const char* tz) {
    return f.db.query(
      "SELECT to_char(to_timestamp(" + origin +
      " + (extract(epoch FROM created_at) - " + origin +
      ") * 3600) AT TIME ZONE '" + tz +
      "', 'HH24 YYYY-MM-DD'), to_char(date, 'YYYY-MM-DD'), slot, source "
      "FROM daily_decisions WHERE user_id = " +
      std::to_string(who.id))[0];
  };
  auto b = local(berlin, "Europe/Berlin");
  auto y = local(york, "America/New_York");
  CHECK(b[0].substr(0, 2) == "07");
  CHECK(y[0].substr(0, 2) == "07");
  CHECK(b[0].substr(3) == b[1]);
  CHECK(y[0].substr(3) == y[1]);
  CHECK(b[2] == "7");
  // The model's Modify, and the rules' too (HRV without a baseline).
  CHECK(b[3] == "ai+rules");
  // New York's athlete has nothing to decide on: the rules, no call.
  CHECK(y[3] == "rules");
  CHECK(f.model_calls() == 1);
  auto listed =
    parse(call(server.port(), york, "GET", "/api/v1/decisions").body);
  REQUIRE(listed.Size() == 1);
  CHECK(std::string{listed[0]["slot"].GetString()} == "07:00");
  CHECK(std::string{listed[0]["decision"].GetString()} == "Skip");
  // The next slot is a day ahead on their clock (24 s here), counted from
  // each athlete's own decision: whichever zone came first, its next slot
  // may already be near when the other one's decision is stored.
  CHECK(f.count("SELECT count(*) FROM user_reminders r JOIN daily_decisions "
                "d USING (user_id) WHERE r.kind = 'decision' AND r.due_at > "
                "d.created_at + interval '20 seconds'") == "2");
}

TEST_CASE("a slot missed during downtime runs once at start-up, and restarts "
          "before and after it add no duplicate") {
  // Ten minutes of the athletes' day per second; UTC athletes whose slot
  // is the next full hour. The server's own hour is twelve hours (72 s)
  // away: no default slot fires before the athletes' hours are set.
  coach_fixture f{{{"DECISION_CLOCK_SCALE", "600"},
                   {"DECISION_CLOCK_ORIGIN", std::to_string(unix_now())},
                   {"ORCHESTRATOR_CRON_HOURS", far_hour()}}};
  auto scale = 600.0;
  auto origin = std::stoll(f.env["DECISION_CLOCK_ORIGIN"]);
  auto virtual_now = [&] {
    return origin + static_cast<int64_t>((unix_now() - origin) * scale);
  };
  athlete who;
  {
    server_process server{f.env};
    who = register_athlete(server.port(), f.db, "catch@example.com");
    add_wellness(f.db, who, 7.0);
    auto hour = (virtual_now() / 3600 + 2) % 24;
    REQUIRE(call(server.port(), who, "PATCH", "/api/v1/athlete-profile",
                 R"({"decision_hours":[)" + std::to_string(hour) + "]}")
              .status == 200);
    // The profile answered after its reminder was written (in order).
    CHECK(f.count("SELECT count(*) FROM user_reminders WHERE kind = "
                  "'decision'") == "1");
    // Stopped before the slot.
  }
  auto due = [&] {
    return std::stoll(f.count("SELECT extract(epoch FROM due_at)::bigint "
                              "FROM user_reminders WHERE kind = 'decision'"));
  };
  auto slot_at = due();
  CHECK(f.count("SELECT count(*) FROM daily_decisions") == "0");
  while (unix_now() < slot_at + 2)
    std::this_thread::sleep_for(milliseconds(200));
  {
    server_process server{f.env};
    REQUIRE(eventually(
      [&] {
        return f.count("SELECT count(*) FROM daily_decisions") == "1";
      },
      seconds(20)));
    REQUIRE(eventually(
      [&] {
        return due() > unix_now();
      },
      seconds(10)));
  }
  {
    server_process server{f.env};
    std::this_thread::sleep_for(seconds(2));
    REQUIRE(http_call(server.port(), "GET", "/health").status == 200);
  }
  CHECK(f.count("SELECT count(*) FROM daily_decisions") == "1");
  CHECK(f.count("SELECT count(*) FROM chat_messages") == "1");
  CHECK(f.model_calls() == 1);
}

TEST_CASE("two server processes on one database: one decision and one model "
          "call per athlete and slot") {
  // As above: no default slot while twenty athletes are registered.
  coach_fixture f{{{"DECISION_CLOCK_SCALE", "600"},
                   {"DECISION_CLOCK_ORIGIN", std::to_string(unix_now())},
                   {"ORCHESTRATOR_CRON_HOURS", far_hour()}}};
  auto origin = std::stoll(f.env["DECISION_CLOCK_ORIGIN"]);
  server_process a{f.env};
  server_process b{f.env};
  constexpr int athletes = 20;
  std::vector<athlete> all;
  for (int i = 0; i < athletes; ++i) {
    auto& server = i % 2 == 0 ? a : b;
    all.push_back(register_athlete(server.port(), f.db,
                                   "two" + std::to_string(i) + "@example.com"));
    add_wellness(f.db, all.back(), 7.0);
  }
  // The slot after the next full hour: 6–12 s ahead, time enough to set
  // it for everybody on a loaded machine.
  auto hour =
    ((origin + static_cast<int64_t>((unix_now() - origin) * 600.0)) / 3600 +
     2) %
    24;
  for (int i = 0; i < athletes; ++i)
    REQUIRE(call((i % 2 == 0 ? a : b).port(), all[i], "PATCH",
                 "/api/v1/athlete-profile",
                 R"({"decision_hours":[)" + std::to_string(hour) + "]}")
              .status == 200);
  REQUIRE(eventually(
    [&] {
      return f.count("SELECT count(*) FROM daily_decisions") ==
             std::to_string(athletes);
    },
    seconds(60)));
  std::this_thread::sleep_for(seconds(2));
  CHECK(f.count("SELECT count(DISTINCT user_id) FROM daily_decisions") ==
        std::to_string(athletes));
  CHECK(f.model_calls() == athletes);
}

TEST_CASE("chat: the reply with the recent history given to the model, "
          "history bounds, run_orchestrator writes one assistant message") {
  coach_fixture f;
  server_process server{f.env};
  auto who = declare_athlete(
    server.port(), register_athlete(server.port(), f.db, "chat@example.com"));
  auto send = [&](const std::string& body) {
    return call(server.port(), who, "POST", "/api/v1/chat/send", body);
  };
  auto r = send(R"({"message":"How was my week?"})");
  REQUIRE(r.status == 200);
  CHECK(r.body == R"({"reply":"Keep going, the plan holds."})");
  f.gemini.script(R"([{"text": "Rest tomorrow."}])");
  r = send(R"({"message":"And tomorrow?"})");
  CHECK(r.body == R"({"reply":"Rest tomorrow."})");
  // The second call carried the first exchange as turns.
  auto stats = parse(f.gemini.stats()); // owns what `calls` refers to
  auto calls = stats["calls"].GetArray();
  REQUIRE(calls.Size() == 2);
  std::vector<std::string> texts;
  for (auto& t : calls[1]["texts"].GetArray())
    texts.emplace_back(t.GetString());
  REQUIRE(texts.size() == 3);
  CHECK(texts[0] == "How was my week?");
  CHECK(texts[1] == "Keep going, the plan holds.");
  CHECK(texts[2].find("User message: And tomorrow?") != std::string::npos);
  CHECK(texts[2].find("No sleep data from photos.") != std::string::npos);
  // History: oldest first, `limit` clamped, a non-integer refused.
  auto history = [&](const std::string& q) {
    return call(server.port(), who, "GET", "/api/v1/chat/history" + q);
  };
  auto all = parse(history("").body);
  REQUIRE(all.Size() == 4);
  CHECK(std::string{all[0]["content"].GetString()} == "How was my week?");
  CHECK(std::string{all[3]["content"].GetString()} == "Rest tomorrow.");
  auto one = parse(history("?limit=1").body);
  REQUIRE(one.Size() == 1);
  CHECK(std::string{one[0]["content"].GetString()} == "Rest tomorrow.");
  CHECK(parse(history("?limit=-5").body).Size() == 0);
  CHECK(parse(history("?limit=100000").body).Size() == 4);
  auto bad = history("?limit=ten");
  CHECK(bad.status == 422);
  CHECK(bad.body.find("int_parsing") != std::string::npos);
  // Bad bodies.
  CHECK(send(R"({"message":""})").status == 422);
  CHECK(send(R"({"message":"x","run_orchestrator":"maybe"})").status == 422);
  CHECK(send("{}").status == 422);
  // With the orchestrator: the user message and one reply, nothing else.
  // Nothing to judge: the rules' Skip, and no model call.
  auto calls_before = f.model_calls();
  r = send(R"({"message":"Should I train?","run_orchestrator":true})");
  REQUIRE(r.status == 200);
  CHECK(json_field(r.body, "reply")
          .rfind("Decision: Skip. Rule-based decision: no sleep", 0) == 0);
  CHECK(f.model_calls() == calls_before);
  CHECK(f.count("SELECT count(*) FROM chat_messages") == "6");
  CHECK(f.count("SELECT count(*) FROM chat_messages WHERE role = "
                "'assistant' AND content LIKE 'Decision:%'") == "1");
}

TEST_CASE("the model answers in the request's language: X-App-Language, "
          "else Accept-Language, else the athlete's own locale, else "
          "Russian") {
  coach_fixture f;
  server_process server{f.env};
  auto who = register_athlete(server.port(), f.db, "lang@example.com");
  add_wellness(f.db, who, 8);
  auto last_system = [&] {
    auto stats = parse(f.gemini.stats());
    auto calls = stats["calls"].GetArray();
    REQUIRE(calls.Size() > 0);
    return std::string{calls[calls.Size() - 1]["system"].GetString()};
  };
  auto chat = [&](std::map<std::string, std::string> headers) {
    auto r = call(server.port(), who, "POST", "/api/v1/chat/send",
                  R"({"message":"Hi"})", std::move(headers));
    REQUIRE(r.status == 200);
    return last_system();
  };
  // The seed app names no language: the athlete's locale, Russian by
  // default (the reference's users.locale default).
  CHECK(chat({}).find("Answer in Russian.") != std::string::npos);
  CHECK(chat({{"X-App-Language", "de"}, {"Accept-Language", "fr"}})
          .find("Answer in German.") != std::string::npos);
  CHECK(
    chat({{"Accept-Language", "fr-CH,fr;q=0.9"}}).find("Answer in French.") !=
    std::string::npos);
  REQUIRE(call(server.port(), who, "PATCH", "/api/v1/athlete-profile",
               R"({"locale":"pt"})")
            .status == 200);
  CHECK(chat({{"X-App-Language", "zh"}}).find("Answer in Portuguese.") !=
        std::string::npos);
  // The decision's text values too; its word stays English.
  auto r = call(server.port(), who, "POST", "/api/v1/chat/orchestrator/run", "",
                {{"X-App-Language", "it"}});
  REQUIRE(r.status == 200);
  CHECK(last_system().find("Write every text value for the athlete in "
                           "Italian; JSON keys and the listed enum values "
                           "stay in English.") != std::string::npos);
}

TEST_CASE("chat/send streams server-sent events from streamGenerateContent "
          "and stores the whole message, also when the client leaves") {
  coach_fixture f;
  server_process server{f.env};
  auto who = register_athlete(server.port(), f.db, "sse@example.com");
  std::map<std::string, std::string> headers{
    {"Authorization", "Bearer " + who.token},
    {"Accept", "text/event-stream"},
    {"Content-Type", "application/json"}};
  auto r = http_call(server.port(), "POST", "/api/v1/chat/send",
                     R"({"message":"Stream it"})", headers);
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "text/event-stream; charset=utf-8");
  CHECK(r.header("transfer-encoding") == "chunked");
  // The deltas (as many as arrived apart) make up the reply.
  std::string joined;
  size_t deltas = 0;
  for (size_t at = 0;
       (at = r.body.find("data: {\"delta\":", at)) != std::string::npos; ++at) {
    auto end = r.body.find("\n\n", at);
    REQUIRE(end != std::string::npos);
    joined += json_field(r.body.substr(at + 6, end - at - 6), "delta");
    ++deltas;
  }
  CHECK(deltas >= 1);
  CHECK(joined == "Keep going, the plan holds.");
  CHECK(r.body.rfind("data: {\"delta\":\"Keep", 0) == 0);
  auto tail = std::string{"event: done\ndata: {\"reply\":\"Keep going, the "
                          "plan holds.\"}\n\n"};
  REQUIRE(r.body.size() > tail.size());
  CHECK(r.body.substr(r.body.size() - tail.size()) == tail);
  CHECK(parse(f.gemini.stats())["calls"][0]["stream"].GetBool());
  // The keep-alive connection serves the next request after a stream.
  {
    http_client c{server.port()};
    auto s =
      c.request("POST", "/api/v1/chat/send", R"({"message":"again"})", headers);
    CHECK(s.body.find("event: done") != std::string::npos);
    CHECK(c.request("GET", "/health").status == 200);
  }
  // A client that leaves midway: the model's whole text is stored.
  std::string long_text(300, 'a');
  f.gemini.script(R"([{"text": ")" + long_text + R"(", "piece_delay_ms": 5}])");
  {
    http_client c{server.port()};
    std::string body = R"({"message":"leave early"})";
    c.send_raw("POST /api/v1/chat/send HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Bearer " +
               who.token +
               "\r\nAccept: text/event-stream\r\nContent-Type: "
               "application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
    std::this_thread::sleep_for(milliseconds(300));
  } // closed
  REQUIRE(eventually([&] {
    return f.count("SELECT count(*) FROM chat_messages WHERE content = '" +
                   long_text + "'") == "1";
  }));
  // A failing model: an error event, the message kept, no reply stored.
  f.gemini.script(R"([{"status": 400}])");
  auto failed = http_call(server.port(), "POST", "/api/v1/chat/send",
                          R"({"message":"fail me"})", headers);
  CHECK(failed.body.find("event: error\ndata: {\"detail\":") !=
        std::string::npos);
  CHECK(f.count("SELECT count(*) FROM chat_messages WHERE content = 'fail "
                "me' AND role = 'user'") == "1");
  CHECK(f.count("SELECT count(*) FROM chat_messages WHERE id > (SELECT id "
                "FROM chat_messages WHERE content = 'fail me')") == "0");
}

TEST_CASE("the weekly summary fires on Sunday at 21:00 on each premium "
          "athlete's clock in two zones, once per week, in their language, "
          "never for an empty week or a free athlete, and becomes the chat's "
          "coach memory") {
  // Ten hours of the athletes' week per second: a week in 17 s.
  coach_fixture f{{{"DECISION_CLOCK_SCALE", "36000"},
                   {"DECISION_CLOCK_ORIGIN", std::to_string(unix_now())},
                   {"TIERS_ENABLED", "true"},
                   {"ORCHESTRATOR_CRON_HOURS", far_hour()}}};
  auto origin = f.env["DECISION_CLOCK_ORIGIN"];
  server_process server{f.env};
  auto tokyo = register_athlete(server.port(), f.db, "tokyo@example.com");
  auto york = register_athlete(server.port(), f.db, "york@example.com");
  auto idle = register_athlete(server.port(), f.db, "idle@example.com");
  auto free = register_athlete(server.port(), f.db, "free@example.com");
  f.db.query("UPDATE users SET is_premium = true WHERE email <> "
             "'free@example.com'");
  // Data for the weeks the fast clock runs through (none for `idle`).
  for (auto& who : {tokyo, york, free})
    f.db.query("INSERT INTO wellness_cache (user_id, date, sleep_hours) "
               "SELECT " +
               std::to_string(who.id) +
               ", current_date + d, 7 FROM generate_series(-2, 60) d");
  for (auto& [who, body] :
       {std::pair{tokyo, R"("timezone":"Asia/Tokyo","locale":"de")"},
        std::pair{york, R"("timezone":"America/New_York","locale":"en")"},
        std::pair{idle, R"("timezone":"Europe/Berlin")"},
        std::pair{free, R"("timezone":"Europe/Berlin")"}})
    REQUIRE(call(server.port(), who, "PATCH", "/api/v1/athlete-profile",
                 std::string{R"({"decision_hours":[],)"} + body + "}")
              .status == 200);
  REQUIRE(eventually(
    [&] {
      return f.count("SELECT count(DISTINCT user_id) FROM "
                     "user_weekly_summaries") == "2";
    },
    seconds(60)));
  // Each at Sunday 21:xx on its own clock (a tenth of a second is an
  // hour: some latency is tolerated), for the week that ends then.
  auto local = [&](const athlete& who, const char* tz) {
    return f.db.query(
      "SELECT to_char(t, 'ID'), to_char(t, 'HH24')::int, "
      "to_char(date_trunc('week', t), 'YYYY-MM-DD'), "
      "to_char(week_start_date, 'YYYY-MM-DD'), summary_text FROM (SELECT "
      "to_timestamp(" +
      origin + " + (extract(epoch FROM created_at) - " + origin +
      ") * 36000) AT TIME ZONE '" + tz +
      "' AS t, week_start_date, summary_text FROM user_weekly_summaries "
      "WHERE user_id = " +
      std::to_string(who.id) + " ORDER BY week_start_date LIMIT 1) s")[0];
  };
  for (auto& [who, tz] :
       {std::pair{tokyo, "Asia/Tokyo"}, std::pair{york, "America/New_York"}}) {
    auto row = local(who, tz);
    CHECK(row[0] == "7");
    CHECK(std::stoi(row[1]) >= 21);
    CHECK(row[2] == row[3]);
    CHECK(row[4] == "Keep going, the plan holds.");
  }
  // In each athlete's language; nothing asked for `idle` or `free`.
  auto stats = parse(f.gemini.stats());
  std::vector<std::string> weekly;
  for (auto& c : stats["calls"].GetArray()) {
    std::string system = c["system"].GetString();
    if (system.find("memory of their week") != std::string::npos)
      weekly.push_back(system);
  }
  auto summaries = std::stoul(f.count("SELECT count(*) FROM "
                                      "user_weekly_summaries"));
  CHECK(weekly.size() == summaries);
  CHECK(std::count_if(weekly.begin(), weekly.end(), [](auto& s) {
          return s.find("Answer in German.") != std::string::npos;
        }) >= 1);
  CHECK(std::count_if(weekly.begin(), weekly.end(), [](auto& s) {
          return s.find("Answer in English.") != std::string::npos;
        }) >= 1);
  CHECK(f.count("SELECT count(*) FROM user_weekly_summaries WHERE user_id "
                "IN (" +
                std::to_string(idle.id) + ", " + std::to_string(free.id) +
                ")") == "0");
  // Once per week: the next one is a week (17 s) after its summary.
  CHECK(f.count("SELECT count(*) FROM user_reminders r JOIN (SELECT "
                "user_id, max(created_at) AS at FROM user_weekly_summaries "
                "GROUP BY user_id) s USING (user_id) WHERE r.kind = "
                "'weekly_summary' AND r.due_at > s.at + interval '14 "
                "seconds'") == "2");
  CHECK(f.count("SELECT count(*) FROM user_reminders WHERE kind = "
                "'weekly_summary' AND user_id = " +
                std::to_string(free.id)) == "0");
  // The newest one is the premium chat's coach memory.
  f.gemini.script(R"([{"text": "Noted."}])");
  REQUIRE(call(server.port(), tokyo, "POST", "/api/v1/chat/send",
               R"({"message":"And this week?"})")
            .status == 200);
  auto after = parse(f.gemini.stats());
  auto calls = after["calls"].GetArray();
  std::string texts;
  for (auto& t : calls[calls.Size() - 1]["texts"].GetArray())
    texts += t.GetString();
  CHECK(texts.find("## Coach memory (last weekly summary)\nKeep going, the "
                   "plan holds.") != std::string::npos);
}
