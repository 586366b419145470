// Intervals.icu end to end: the real binary, HTTP, PostgreSQL and the fake
// Intervals.icu server (tests/fakes/intervals_fake.py) on loopback.
#include "protocols/fernet.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <future>
#include <thread>

#include "util/dates.hpp"

using namespace st;
using namespace st::test;

namespace {

/// The Fernet specification's key (its published test vectors use it).
constexpr const char* encryption_key =
  "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";

std::string day(int64_t days_ago) {
  return format_date(utc_today() - days_ago);
}

struct intervals_fixture {
  fake_intervals fake;
  scratch_database db;
  server_process server;

  explicit intervals_fixture(std::map<std::string, std::string> env = {})
    : server(with_defaults(std::move(env))) {}

  std::map<std::string, std::string>
  with_defaults(std::map<std::string, std::string> env) {
    env.emplace("DATABASE_URL", db.dsn());
    env.emplace("INTERVALS_ICU_BASE_URL", fake.base_url());
    env.emplace("ENCRYPTION_KEY", encryption_key);
    env.emplace("UPSTREAM_BACKOFF_MS", "20");
    env.emplace("ADMIN_TOKEN", test_admin_token);
    return env;
  }

  http_reply call(const athlete& who, const std::string& method,
                  const std::string& path, const std::string& body = {}) {
    return http_call(server.port(), method, path, body, bearer(who.token));
  }

  /// A registered user linked to fake athlete `athlete_id` (data: the
  /// fake's athlete body without the key).
  athlete linked(const std::string& email, const std::string& athlete_id,
                 const std::string& data = R"("wellness":[],"activities":[])") {
    fake.put_athlete(athlete_id,
                     R"({"api_key":"key-)" + athlete_id + "\"," + data + "}");
    auto who = register_athlete(server.port(), db, email);
    auto r = call(who, "POST", "/api/v1/intervals/link",
                  R"({"athlete_id":")" + athlete_id + R"(","api_key":"key-)" +
                    athlete_id + "\"}");
    REQUIRE(r.status == 200);
    return who;
  }

  size_t count_calls(const std::string& method, const std::string& path_end) {
    size_t n = 0;
    for (auto& c : fake.calls())
      n += c.method == method && c.path.size() >= path_end.size() &&
           c.path.compare(c.path.size() - path_end.size(), path_end.size(),
                          path_end) == 0;
    return n;
  }
};

std::string python(const std::string& code) {
  auto [rc, out] = run_shell("python3 -c '" + code + "'");
  REQUIRE(rc == 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

} // namespace

TEST_CASE_METHOD(intervals_fixture,
                 "intervals link: verified upstream, stored encrypted, "
                 "status and a real unlink") {
  fake.put_athlete("i42", R"({"api_key":"secret-key"})");
  auto who = register_athlete(server.port(), db, "link@example.com");

  auto r = call(who, "GET", "/api/v1/intervals/status");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"linked":false})");

  SECTION("validation and a rejected key store nothing") {
    r = call(who, "POST", "/api/v1/intervals/link", R"({"athlete_id":"i42"})");
    CHECK(r.status == 422);
    CHECK(r.body.find(R"("loc":["body","api_key"])") != std::string::npos);
    r = call(who, "POST", "/api/v1/intervals/link",
             R"({"athlete_id":"   ","api_key":"secret-key"})");
    CHECK(r.status == 422);
    CHECK(r.body.find("string_too_short") != std::string::npos);
    r = call(who, "POST", "/api/v1/intervals/link",
             R"({"athlete_id":")" + std::string(65, '1') +
               R"(","api_key":"secret-key"})");
    CHECK(r.status == 422);
    CHECK(r.body.find("string_too_long") != std::string::npos);
    r = call(who, "POST", "/api/v1/intervals/link",
             R"({"athlete_id":"i42","api_key":"wrong"})");
    CHECK(r.status == 400);
    CHECK(json_field(r.body, "detail") ==
          "Intervals.icu did not accept this athlete id and API key.");
    CHECK(db.query("SELECT count(*) FROM intervals_credentials")[0][0] == "0");
  }

  SECTION("unreachable upstream: 503, nothing stored") {
    fake.fail(503, 3); // the first try and both retries
    r = call(who, "POST", "/api/v1/intervals/link",
             R"({"athlete_id":"i42","api_key":"secret-key"})");
    CHECK(r.status == 503);
    CHECK(json_field(r.body, "detail") ==
          "Intervals.icu could not be reached to verify the key; try again "
          "later.");
    CHECK(r.header("retry-after") == "2");
    CHECK(count_calls("GET", "/athlete/i42") == 3);
    CHECK(db.query("SELECT count(*) FROM intervals_credentials")[0][0] == "0");
  }

  SECTION("link, status, unlink") {
    r = call(who, "POST", "/api/v1/intervals/link",
             R"({"athlete_id":" 42 ","api_key":"secret-key"})");
    REQUIRE(r.status == 200);
    CHECK(r.body == R"({"status":"linked","athlete_id":"42"})");
    auto rows = db.query("SELECT athlete_id, encrypted_token_or_key, "
                         "updated_at IS NOT NULL FROM intervals_credentials "
                         "WHERE user_id = " +
                         std::to_string(who.id));
    REQUIRE(rows.size() == 1);
    CHECK(rows[0][0] == "42");
    CHECK(rows[0][1].rfind("gAAAAA", 0) == 0);
    CHECK(rows[0][1].find("secret-key") == std::string::npos);
    CHECK(rows[0][2] == "t");
    // What we wrote, the reference's library reads.
    CHECK(python("from cryptography.fernet import Fernet; print(Fernet(b\"" +
                 std::string{encryption_key} + "\").decrypt(b\"" + rows[0][1] +
                 "\").decode())") == "secret-key");

    r = call(who, "GET", "/api/v1/intervals/status");
    CHECK(r.status == 200);
    CHECK(
      r.body ==
      R"({"linked":true,"athlete_id":"42","last_sync":null,"next_refresh_at":null})");

    r = call(who, "POST", "/api/v1/intervals/unlink");
    CHECK(r.status == 200);
    CHECK(r.body == R"({"status":"unlinked"})");
    CHECK(db.query("SELECT count(*) FROM intervals_credentials")[0][0] == "0");
    r = call(who, "GET", "/api/v1/intervals/status");
    CHECK(r.body == R"({"linked":false})");
    // Unlinking again is still 200 (the reference's contract).
    CHECK(call(who, "POST", "/api/v1/intervals/unlink").status == 200);
    r = call(who, "POST", "/api/v1/intervals/sync");
    CHECK(r.status == 400);
    CHECK(json_field(r.body, "detail") == "Intervals.icu is not linked.");
  }
}

TEST_CASE_METHOD(intervals_fixture,
                 "intervals credentials written by the reference decrypt "
                 "here") {
  fake.put_athlete("i7", R"({"api_key":"ref-key","wellness":[{"id":")" +
                           day(1) + R"(","ctl":12.5,"atl":20}]})");
  auto who = register_athlete(server.port(), db, "ref@example.com");
  auto token =
    python("from cryptography.fernet import Fernet; print(Fernet(b\"" +
           std::string{encryption_key} + "\").encrypt(b\"ref-key\").decode())");
  db.query("INSERT INTO intervals_credentials (user_id, "
           "encrypted_token_or_key, athlete_id, updated_at) VALUES (" +
           std::to_string(who.id) + ", '" + token + "', 'i7', now())");
  auto r = call(who, "POST", "/api/v1/intervals/sync");
  REQUIRE(r.status == 200);
  CHECK(json_field(r.body, "wellness_days_synced") == "1");
  CHECK(db.query("SELECT ctl, atl, tsb FROM wellness_cache WHERE user_id = " +
                 std::to_string(who.id))[0] ==
        std::vector<std::string>{"12.5", "20", "-7.5"});

  // A token under another key reads as unusable credentials, not a crash.
  auto other =
    python("from cryptography.fernet import Fernet; "
           "print(Fernet(Fernet.generate_key()).encrypt(b\"ref-key\")"
           ".decode())");
  db.query("UPDATE intervals_credentials SET encrypted_token_or_key = '" +
           other + "'");
  // The actor caches the link: a fresh server reads the changed row.
  server.terminate();
  server_process again{with_defaults({})};
  r = http_call(again.port(), "POST", "/api/v1/intervals/sync", {},
                bearer(who.token));
  CHECK(r.status == 400);
  CHECK(json_field(r.body, "detail") ==
        "Invalid stored credentials. Link Intervals.icu again.");
}

TEST_CASE_METHOD(intervals_fixture,
                 "intervals sync: mapping, duplicates, missing dates, "
                 "fill-only values and idempotency") {
  auto data =
    R"("wellness":[
      {"id":")" +
    day(1) +
    R"(","ctl":50.5,"atl":60,"restingHR":47,"hrv":71.5,"sleepSecs":27000,"weight":72.4,"sportInfo":[{"type":"Ride","eftp":251.0}]},
      {"id":")" +
    day(2) + R"(","ctl":10,"atl":10},
      {"id":")" +
    day(2) + R"(","ctl":20,"atl":15,"restingHR":52},
      {"id":")" +
    day(3) + R"(","ctl":null,"atl":null,"restingHR":55},
      {"id":")" +
    day(4) + R"(","ctl":30,"atl":25,"restingHR":49,"sleepSecs":30600},
      {"ctl":1,"atl":1},
      {"id":"not-a-date","ctl":1}
    ],
    "activities":[
      {"id":"i1001","name":"Morning ride","type":"Ride","start_date":")" +
    day(1) + R"(T05:00:00Z","start_date_local":")" + day(1) +
    R"(T07:00:00","moving_time":3600,"distance":30250.5,"icu_training_load":64,"source":"UPLOAD"},
      {"id":"i1002","name":"first copy","type":"Run","start_date_local":")" +
    day(2) + R"(T06:00:00","moving_time":1800},
      {"id":"i1002","name":"second copy","type":"Run","start_date_local":")" +
    day(2) + R"(T06:00:00","moving_time":1900},
      {"id":"i1003","name":"no start","moving_time":100},
      {"name":"no id","start_date_local":")" +
    day(3) + R"(T06:00:00"},
      {"id":"i1004","start_date_local":")" +
    day(3) +
    R"(T08:00:00","source":"STRAVA","_note":"STRAVA activities are not available via the API"}
    ])";
  fake.put_athlete("i55", R"({"api_key":"k55",)" + data + "}");
  auto who = register_athlete(server.port(), db, "sync@example.com");
  // Stored before the sync: a hand-entered day and a day with load figures.
  auto r = call(who, "PUT", "/api/v1/wellness",
                R"({"date":")" + day(4) + R"(","sleep_hours":6.5})");
  REQUIRE(r.status == 200);
  db.query(
    "INSERT INTO wellness_cache (user_id, date, ctl, atl, tsb) VALUES (" +
    std::to_string(who.id) + ", '" + day(3) + "', 33, 30, 3)");
  REQUIRE(call(who, "POST", "/api/v1/intervals/link",
               R"({"athlete_id":"55","api_key":"k55"})")
            .status == 200);

  r = call(who, "POST", "/api/v1/intervals/sync");
  REQUIRE(r.status == 200);
  CHECK(
    r.body ==
    R"({"status":"synced","user_id":)" + std::to_string(who.id) +
      R"(,"activities_synced":3,"wellness_days_synced":4,"activities_skipped":2,"wellness_days_skipped":2})");

  auto uid = std::to_string(who.id);
  auto wellness_rows = [&] {
    return db.query(
      "SELECT date::text, sleep_hours, rhr, hrv, ctl, atl, tsb, weight_kg, "
      "sport_info::text FROM wellness_cache WHERE user_id = " +
      uid + " ORDER BY date DESC");
  };
  auto w = wellness_rows();
  REQUIRE(w.size() == 4);
  CHECK(w[0] == std::vector<std::string>{day(1), "7.5", "47", "71.5", "50.5",
                                         "60", "-9.5", "72.4",
                                         R"([{"type":"Ride","eftp":251.0}])"});
  // Duplicate day: the last item wins, not an aborted sync.
  CHECK(w[1] == std::vector<std::string>{day(2), "", "52", "", "20", "15", "5",
                                         "", ""});
  // A day without load figures keeps the stored ones; RHR fills the gap.
  CHECK(w[2] == std::vector<std::string>{day(3), "", "55", "", "33", "30", "3",
                                         "", ""});
  // Hand-entered sleep stays; the empty RHR is filled.
  CHECK(w[3] == std::vector<std::string>{day(4), "6.5", "49", "", "30", "25",
                                         "5", "", ""});

  auto workout_rows = [&] {
    return db.query(
      "SELECT external_id, source, to_char(start_date AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD HH24:MI'), name, type, duration_sec, distance_m, tss, "
      "raw->>'id' FROM workouts WHERE user_id = " +
      uid + " ORDER BY external_id");
  };
  auto a = workout_rows();
  REQUIRE(a.size() == 3);
  // `start_date` (UTC) wins over the local wall-clock time.
  CHECK(a[0] == std::vector<std::string>{
                  "i1001", "intervals", day(1) + " 05:00", "Morning ride",
                  "Ride", "3600", "30250.5", "64", "i1001"});
  CHECK(a[1] == std::vector<std::string>{"i1002", "intervals",
                                         day(2) + " 06:00", "first copy", "Run",
                                         "1800", "", "", "i1002"});
  CHECK(a[2] == std::vector<std::string>{"i1004", "intervals",
                                         day(3) + " 08:00", "", "", "", "", "",
                                         "i1004"});

  // The API shows the synced rows at once (caches were dropped).
  r = call(who, "GET", "/api/v1/workouts");
  CHECK(r.body.find("Morning ride") != std::string::npos);
  r = call(who, "GET", "/api/v1/workouts/fitness");
  CHECK(r.body ==
        R"({"ctl":50.5,"atl":60.0,"tsb":-9.5,"date":")" + day(1) + R"("})");

  // What went upstream: Basic auth was accepted, the 90-day window, the
  // limit and the fields (start_date included).
  auto calls = fake.calls();
  REQUIRE(calls.size() == 3); // the link check, activities, wellness
  for (auto& c : calls)
    CHECK(c.status == 200);
  std::string activities_query;
  for (auto& c : calls)
    if (c.path == "/api/v1/athlete/55/activities")
      activities_query = c.query;
  CHECK(activities_query.find("oldest=" + day(90) + "&newest=" + day(0) +
                              "&limit=500") == 0);
  CHECK(activities_query.find("&fields=id,name,start_date,start_date_local,") !=
        std::string::npos);

  // One round trip for the whole write, reported in the status.
  r = call(who, "GET", "/api/v1/intervals/status");
  auto status = parse(r.body);
  REQUIRE(status["last_sync"].IsObject());
  CHECK(status["last_sync"]["status"] == "synced");
  CHECK(status["last_sync"]["db_round_trips"].GetInt() == 1);
  CHECK(status["last_sync"]["activities_synced"].GetInt() == 3);
  CHECK(status["last_sync"]["background"].GetBool() == false);

  // Idempotent: a second sync leaves the same rows.
  auto before_w = wellness_rows();
  auto before_a = workout_rows();
  auto ids_before = db.query("SELECT id FROM workouts ORDER BY id");
  r = call(who, "POST", "/api/v1/intervals/sync");
  REQUIRE(r.status == 200);
  CHECK(json_field(r.body, "activities_synced") == "3");
  CHECK(wellness_rows() == before_w);
  CHECK(workout_rows() == before_a);
  CHECK(db.query("SELECT id FROM workouts ORDER BY id") == ids_before);

  // Upstream sleep changes: a synced value follows it, the athlete's own
  // does not (http-api-head.md §6.15).
  auto sleep_rows = [&] {
    return db.query("SELECT date::text, sleep_hours, sleep_source FROM "
                    "wellness_cache WHERE user_id = " +
                    uid + " AND sleep_hours IS NOT NULL ORDER BY date DESC");
  };
  CHECK(sleep_rows() == std::vector<std::vector<std::string>>{
                          {day(1), "7.5", "sync"}, {day(4), "6.5", "manual"}});
  fake.put_athlete("i55", R"({"api_key":"k55","wellness":[{"id":")" + day(1) +
                            R"(","sleepSecs":28800},{"id":")" + day(4) +
                            R"(","sleepSecs":30600}],"activities":[]})");
  REQUIRE(call(who, "POST", "/api/v1/intervals/sync").status == 200);
  CHECK(sleep_rows() == std::vector<std::vector<std::string>>{
                          {day(1), "8", "sync"}, {day(4), "6.5", "manual"}});
}

TEST_CASE_METHOD(intervals_fixture,
                 "intervals sync: ten parallel calls share one upstream "
                 "fetch") {
  auto who = linked("flight@example.com", "i60",
                    R"("wellness":[{"id":")" + day(1) +
                      R"(","ctl":40,"atl":41}],"activities":[])");
  fake.delay(1000); // keeps the first sync in flight while the rest arrive
  std::vector<std::future<http_reply>> replies;
  for (int i = 0; i < 10; ++i)
    replies.push_back(std::async(std::launch::async, [&] {
      return call(who, "POST", "/api/v1/intervals/sync");
    }));
  for (auto& f : replies) {
    auto r = f.get();
    CHECK(r.status == 200);
    CHECK(json_field(r.body, "wellness_days_synced") == "1");
  }
  CHECK(count_calls("GET", "/wellness") == 1);
  CHECK(count_calls("GET", "/activities") == 1);
}

TEST_CASE_METHOD(intervals_fixture,
                 "intervals sync: upstream failures answer clearly and write "
                 "nothing") {
  auto who = linked(
    "down@example.com", "i61",
    R"("wellness":[{"id":")" + day(1) +
      R"(","ctl":40,"atl":41}],"activities":[{"id":"i9","start_date_local":")" +
      day(1) + R"(T06:00:00"}])");
  auto uid = std::to_string(who.id);
  auto nothing_written = [&] {
    return db.query(
             "SELECT (SELECT count(*) FROM workouts WHERE user_id = " + uid +
             ") + (SELECT count(*) FROM wellness_cache WHERE user_id "
             "= " +
             uid + ")")[0][0] == "0";
  };

  SECTION("5xx on every try: 503, the activities fetched are not written") {
    fake.fail(502, 3, "/wellness");
    auto r = call(who, "POST", "/api/v1/intervals/sync");
    CHECK(r.status == 503);
    CHECK(json_field(r.body, "detail") ==
          "Intervals.icu is unavailable right now; try again later.");
    CHECK(count_calls("GET", "/wellness") == 3);
    CHECK(nothing_written());
    auto status = parse(call(who, "GET", "/api/v1/intervals/status").body);
    CHECK(status["last_sync"]["status"] == "failed");
    CHECK(status["last_sync"]["detail"] ==
          "Intervals.icu is unavailable right now; try again later.");
  }

  SECTION("the key was revoked: 400 asking to link again") {
    fake.fail(403, 1, "/activities");
    auto r = call(who, "POST", "/api/v1/intervals/sync");
    CHECK(r.status == 400);
    CHECK(json_field(r.body, "detail") ==
          "Intervals.icu rejected the stored API key. Link Intervals.icu "
          "again.");
    CHECK(count_calls("GET", "/activities") == 1); // a 403 is not retried
    CHECK(nothing_written());
  }

  SECTION("a 401 means the same: the key is no longer valid") {
    fake.fail(401, 1, "/wellness");
    auto r = call(who, "POST", "/api/v1/intervals/sync");
    CHECK(r.status == 400);
    CHECK(json_field(r.body, "detail") ==
          "Intervals.icu rejected the stored API key. Link Intervals.icu "
          "again.");
    CHECK(nothing_written());
  }

  SECTION("a 429 with Retry-After is waited out and retried") {
    fake.fail(429, 1, "/wellness", "1");
    auto r = call(who, "POST", "/api/v1/intervals/sync");
    REQUIRE(r.status == 200);
    std::vector<double> tries;
    for (auto& c : fake.calls())
      if (c.path.find("/wellness") != std::string::npos)
        tries.push_back(c.at);
    REQUIRE(tries.size() == 2);
    CHECK(tries[1] - tries[0] >= 0.9);
    CHECK_FALSE(nothing_written());
  }

  SECTION("an answer that is not JSON: 502, nothing written") {
    fake.fail(200, 1, "/wellness", "", "<html>maintenance</html>");
    auto r = call(who, "POST", "/api/v1/intervals/sync");
    CHECK(r.status == 502);
    CHECK(json_field(r.body, "detail") ==
          "Intervals.icu sent an answer that could not be read.");
    CHECK(nothing_written());
  }
}

TEST_CASE("intervals sync: upstream not listening answers 503") {
  scratch_database db;
  server_process server{
    {{"DATABASE_URL", db.dsn()},
     {"INTERVALS_ICU_BASE_URL", "http://127.0.0.1:9/api/v1"}, // discard port
     {"ENCRYPTION_KEY", encryption_key},
     {"UPSTREAM_BACKOFF_MS", "10"}}};
  auto who = register_athlete(server.port(), db, "nolisten@example.com");
  db.query("INSERT INTO intervals_credentials (user_id, "
           "encrypted_token_or_key, athlete_id, updated_at) VALUES (" +
           std::to_string(who.id) + ", 'plain-legacy-key', 'i1', now())");
  auto r = http_call(server.port(), "POST", "/api/v1/intervals/sync", {},
                     bearer(who.token));
  CHECK(r.status == 503);
  CHECK(json_field(r.body, "detail") ==
        "Intervals.icu could not be reached; try again later.");
  // Live reads answer an empty list, as the reference does.
  r = http_call(server.port(), "GET", "/api/v1/intervals/events", {},
                bearer(who.token));
  CHECK(r.status == 200);
  CHECK(r.body == "[]");
}

TEST_CASE_METHOD(intervals_fixture,
                 "intervals events: read as the reference, pushed with "
                 "Intervals' field names") {
  auto who = linked(
    "events@example.com", "i70",
    R"("events":[{"id":501,"name":"Sweet spot","category":"WORKOUT","type":"Ride","start_date_local":")" +
      day(-1) +
      R"(T00:00:00"},{"id":502,"name":"Old","category":"NOTE","start_date_local":")" +
      day(30) + R"(T00:00:00"}])");
  auto r = call(who, "GET",
                "/api/v1/intervals/events?from_date=" + day(0) +
                  "&to_date=" + day(-7));
  CHECK(r.status == 200);
  CHECK(r.body == R"([{"id":"501","title":"Sweet spot","start_date":")" +
                    day(-1) + R"(T00:00:00","end_date":null,"type":"Ride"}])");

  r = call(who, "POST", "/api/v1/intervals/events",
           R"({"name":"Endurance 2h","start_date":")" + day(-2) +
             R"(","type":"Ride","description":"- 2h 65%","moving_time":7200})");
  CHECK(r.status == 201);
  auto created = parse(r.body);
  CHECK(created["title"] == "Endurance 2h");
  CHECK(created["start_date"] == (day(-2) + "T00:00:00").c_str());
  CHECK(
    fake.created_events() ==
    R"([{"category":"WORKOUT","start_date_local":")" + day(-2) +
      R"(T00:00:00","name":"Endurance 2h","type":"Ride","description":"- 2h 65%","moving_time":7200}])");

  r = call(who, "POST", "/api/v1/intervals/events",
           R"({"name":")" + std::string(81, 'n') + R"(","start_date":")" +
             day(-2) + "\"}");
  CHECK(r.status == 422);
  r = call(who, "POST", "/api/v1/intervals/events",
           R"({"name":"x","start_date":"2026-01-01T10:00:00Z"})");
  CHECK(r.status == 422);
  r = call(who, "POST", "/api/v1/intervals/events",
           R"({"name":"x","start_date":"2026-01-01","category":"PARTY"})");
  CHECK(r.status == 422);

  auto stranger = register_athlete(server.port(), db, "nolink@example.com");
  r = call(stranger, "GET", "/api/v1/intervals/events");
  CHECK(r.status == 200);
  CHECK(r.body == "[]");
  r = call(stranger, "POST", "/api/v1/intervals/events",
           R"({"name":"x","start_date":"2026-01-01"})");
  CHECK(r.status == 400);
  CHECK(json_field(r.body, "detail") == "Intervals.icu is not linked.");
}

TEST_CASE_METHOD(intervals_fixture,
                 "intervals activities: live list, stubs enriched, Strava "
                 "labelled") {
  auto who = linked(
    "live@example.com", "i80",
    R"("activities":[
      {"id":"i1","name":"Tempo","start_date_local":")" +
      day(1) +
      R"(T07:00:00","moving_time":2700,"distance":10049,"icu_training_load":55,"source":"UPLOAD"},
      {"id":"i2","start_date_local":")" +
      day(2) + R"(T07:00:00","source":"GARMIN_CONNECT"},
      {"id":"i3","start_date_local":")" +
      day(3) + R"(T07:00:00","source":"STRAVA"}])");
  auto r = call(who, "GET", "/api/v1/intervals/activities");
  CHECK(r.status == 200);
  // i2 came without details: fetched alone (here it has none either, so
  // it stays a stub); i3 is a Strava stub and is not fetched.
  CHECK(r.body ==
        R"([{"id":"i1","name":"Tempo","start_date":")" + day(1) +
          R"(T07:00:00","duration_sec":2700,"distance_km":10.0,"tss":55.0},)"
          R"({"id":"i2","name":null,"start_date":")" +
          day(2) +
          R"(T07:00:00","duration_sec":null,"distance_km":null,"tss":null},)"
          R"({"id":"i3","name":"Strava","start_date":")" +
          day(3) +
          R"(T07:00:00","duration_sec":null,"distance_km":null,"tss":null}])");
  CHECK(count_calls("GET", "/activity/i2") == 1);
  CHECK(count_calls("GET", "/activity/i3") == 0);
}

TEST_CASE("intervals: the client keeps to the per-host rate cap") {
  fake_intervals fake;
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"INTERVALS_ICU_BASE_URL", fake.base_url()},
                         {"ENCRYPTION_KEY", encryption_key},
                         {"INTERVALS_RATE_LIMIT", "4"}}};
  // Twelve stubs without details: thirteen calls at 4 per second.
  std::string activities;
  for (int i = 0; i < 12; ++i)
    activities += std::string{i == 0 ? "" : ","} + R"({"id":"s)" +
                  std::to_string(i) + R"(","start_date_local":")" + day(1) +
                  R"(T07:00:00"})";
  fake.put_athlete("i90",
                   R"({"api_key":"k90","activities":[)" + activities + "]}");
  // The fake refuses a ninth call within one second: twelve unpaced calls
  // would meet it, four a second never do (twice the cap leaves room for
  // the fake's own scheduling jitter).
  fake.throttle(8);
  auto who = register_athlete(server.port(), db, "rate@example.com");
  REQUIRE(http_call(server.port(), "POST", "/api/v1/intervals/link",
                    R"({"athlete_id":"i90","api_key":"k90"})",
                    bearer(who.token))
            .status == 200);
  auto r = http_call(server.port(), "GET", "/api/v1/intervals/activities", {},
                     bearer(who.token));
  CHECK(r.status == 200);
  auto calls = fake.calls();
  CHECK(calls.size() == 14);
  for (auto& c : calls)
    CHECK(c.status == 200); // never throttled
}

TEST_CASE("intervals: background refresh runs on each linked user's durable "
          "reminder") {
  fake_intervals fake;
  scratch_database db;
  std::map<std::string, std::string> env{
    {"DATABASE_URL", db.dsn()},
    {"INTERVALS_ICU_BASE_URL", fake.base_url()},
    {"ENCRYPTION_KEY", encryption_key},
    {"INTERVALS_SYNC_HOURS", "0.0005"}, // 1.8 s
    {"REMINDER_POLL_MS", "200"},
    {"USER_IDLE_SECONDS", "1"}};
  // Nobody asks for a sync: the CTL arrives through the timer (10 s at
  // most).
  auto synced_ctl = [&] {
    for (int i = 0; i < 100; ++i) {
      auto rows = db.query("SELECT ctl FROM wellness_cache");
      if (!rows.empty())
        return rows[0][0];
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return std::string{};
  };
  athlete who;
  {
    server_process server{env};
    fake.put_athlete("i95", R"({"api_key":"k95","wellness":[{"id":")" + day(1) +
                              R"(","ctl":44,"atl":40}]})");
    who = register_athlete(server.port(), db, "refresh@example.com");
    REQUIRE(http_call(server.port(), "POST", "/api/v1/intervals/link",
                      R"({"athlete_id":"i95","api_key":"k95"})",
                      bearer(who.token))
              .status == 200);
    // Nobody asks for a sync; the user's timer fires within the period,
    // although the actor would have passivated after 1 s idle.
    CHECK(synced_ctl() == "44");
    auto status = http_call(server.port(), "GET", "/api/v1/intervals/status",
                            {}, bearer(who.token));
    CHECK(status.body.find(R"("background":true)") != std::string::npos);
    CHECK(status.body.find(R"("next_refresh_at":")") != std::string::npos);
    // The schedule is a row, not a timer in a resident actor (beside the
    // coach's decision and weekly summary).
    CHECK(db.query("SELECT kind FROM user_reminders WHERE user_id = " +
                   std::to_string(who.id) +
                   " AND kind NOT IN ('decision', 'weekly_summary')") ==
          std::vector<std::vector<std::string>>{{"intervals_refresh"}});
  }
  // After a restart the reminder, still in the table, fires again.
  db.query("DELETE FROM wellness_cache");
  fake.reset();
  server_process server{env};
  CHECK(synced_ctl() == "44");
}

TEST_CASE("intervals: without ENCRYPTION_KEY production refuses to store "
          "keys, development stores them as sent") {
  fake_intervals fake;
  fake.put_athlete("i3", R"({"api_key":"k3"})");
  scratch_database db;
  {
    server_process prod{{{"DATABASE_URL", db.dsn()},
                         {"INTERVALS_ICU_BASE_URL", fake.base_url()},
                         {"ENVIRONMENT", "production"},
                         {"SECRET_KEY", "a-real-secret-for-this-test"}}};
    CHECK(prod.output().find("ENCRYPTION_KEY is not set") != std::string::npos);
    auto who = register_athlete(prod.port(), db, "prod@example.com");
    auto r =
      http_call(prod.port(), "POST", "/api/v1/intervals/link",
                R"({"athlete_id":"i3","api_key":"k3"})", bearer(who.token));
    CHECK(r.status == 503);
    CHECK(json_field(r.body, "detail") ==
          "Credential storage is not configured on this server "
          "(ENCRYPTION_KEY).");
    CHECK(db.query("SELECT count(*) FROM intervals_credentials")[0][0] == "0");
  }
  server_process dev{
    {{"DATABASE_URL", db.dsn()}, {"INTERVALS_ICU_BASE_URL", fake.base_url()}}};
  auto who = register_athlete(dev.port(), db, "dev@example.com");
  auto r =
    http_call(dev.port(), "POST", "/api/v1/intervals/link",
              R"({"athlete_id":"i3","api_key":"k3"})", bearer(who.token));
  CHECK(r.status == 200);
  CHECK(db.query(
          "SELECT encrypted_token_or_key FROM intervals_credentials")[0][0] ==
        "k3");
  r = http_call(dev.port(), "POST", "/api/v1/intervals/sync", {},
                bearer(who.token));
  CHECK(r.status == 200);
}
