// Strava end to end: the real binary, HTTP, PostgreSQL and the fake Strava
// server (tests/fakes/strava_fake.py, real rate headers and 429s on a
// controllable clock) on loopback.
#include "protocols/fernet.hpp"
#include "protocols/strava.hpp"
#include "protocols/tokens.hpp"
#include "runtime/migrator.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/images.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <set>
#include <thread>

#include "util/text.hpp"

using namespace st;
using namespace st::test;

namespace {

constexpr const char* encryption_key =
  "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
constexpr const char* secret_key = "strava-test-secret-key-0123456789abcdef";

std::string url_decode(const std::string& x) {
  std::string result;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i] == '%' && i + 2 < x.size()) {
      result += static_cast<char>(std::stoi(x.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      result += x[i];
    }
  }
  return result;
}

/// The query parameter `name` of a URL, decoded.
std::string param_of(const std::string& url, const std::string& name) {
  auto at = url.find(name + "=");
  REQUIRE(at != std::string::npos);
  auto end = url.find('&', at);
  return url_decode(url.substr(
    at + name.size() + 1,
    end == std::string::npos ? std::string::npos : end - at - name.size() - 1));
}

/// The callback path's secret (STRAVA_WEBHOOK_CALLBACK_SECRET) and path.
const std::string webhook_secret = "whsec-callback-path-0f3a9c27e4b81d56";
const std::string webhook_path = "/api/v1/strava/webhook/" + webhook_secret;

struct strava_fixture {
  fake_strava fake;
  scratch_database db;
  std::map<std::string, std::string> env;
  std::unique_ptr<server_process> server;

  explicit strava_fixture(std::map<std::string, std::string> extra = {},
                          bool start = true) {
    env = fake.settings();
    env["DATABASE_URL"] = db.dsn();
    env["ENCRYPTION_KEY"] = encryption_key;
    env["SECRET_KEY"] = secret_key;
    env["ADMIN_TOKEN"] = test_admin_token;
    env["REMINDER_POLL_MS"] = "200";
    env["STRAVA_JOB_LEASE_SECONDS"] = "3";
    env["UPSTREAM_TIMEOUT_SECONDS"] = "30";
    // The tests poll the status route every 50 ms while a job runs: under
    // the default per-user limit a job longer than 12 s would be seen as
    // 429s until the minute turns.
    env["RATE_LIMIT_PER_MINUTE"] = "100000";
    for (auto& [k, v] : extra)
      env[k] = v;
    if (start)
      this->start();
  }

  void start() {
    server = std::make_unique<server_process>(env);
  }

  /// The compressed clock: the fake and the server count the same windows.
  void compress_clock(double scale) {
    auto origin = std::to_string(unix_now());
    fake.post("clock", R"({"scale":)" + std::to_string(scale) +
                         R"(,"origin":)" + origin + "}");
    env["STRAVA_CLOCK_SCALE"] = std::to_string(scale);
    env["STRAVA_CLOCK_ORIGIN"] = origin;
  }

  uint16_t port() const {
    return server->port();
  }

  http_reply call(const athlete& who, const std::string& method,
                  const std::string& path) const {
    return http_call(port(), method, path, "", bearer(who.token));
  }

  std::string one(const std::string& sql) const {
    auto rows = db.query(sql);
    REQUIRE(rows.size() == 1);
    return rows[0][0];
  }

  /// Links `who` through the real OAuth flow to fake athlete `athlete`.
  void connect(const athlete& who, int64_t athlete_id,
               const std::string& athlete_json = R"({"activities":0})") const {
    fake.control("PUT", "athletes/" + std::to_string(athlete_id), athlete_json);
    auto code = "code-" + std::to_string(athlete_id);
    fake.post("codes", R"({"code":")" + code + R"(","athlete_id":)" +
                         std::to_string(athlete_id) + "}");
    auto url = call(who, "GET", "/api/v1/strava/authorize-url");
    REQUIRE(url.status == 200);
    auto state = param_of(parse(url.body)["url"].GetString(), "state");
    auto r = http_call(port(), "GET",
                       "/api/v1/strava/callback?code=" + code +
                         "&state=" + percent_encode(state) +
                         "&scope=read,activity:read_all");
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(r.body.find("Strava is connected") != std::string::npos);
  }

  /// The user's latest job status (`done`, …) per GET strava/status.
  std::string job_status(const athlete& who) const {
    auto r = call(who, "GET", "/api/v1/strava/status");
    if (r.status != 200)
      return "http " + std::to_string(r.status);
    auto doc = parse(r.body);
    if (!doc["linked"].GetBool() || doc["sync"].IsNull())
      return "none";
    return doc["sync"]["status"].GetString();
  }

  /// Users with strava links made directly in the database (a backlog:
  /// one pending job and a due reminder each), athletes `1000 + user id`
  /// in the fake with `activities` each. Answers the user ids.
  std::vector<int64_t> backlog(int count, int activities,
                               std::chrono::milliseconds spread = {}) {
    if (!server)
      (void)migrate_database(db.dsn());
    db.query("INSERT INTO users (email, password_hash, created_at) SELECT "
             "'u' || g || '@example.com', 'x', now() FROM generate_series(1, " +
             std::to_string(count) + ") g");
    auto rows = db.query("SELECT id FROM users ORDER BY id");
    std::vector<int64_t> ids;
    for (auto& r : rows)
      ids.push_back(std::stoll(r[0]));
    fake.post("athletes", R"({"first":)" + std::to_string(ids.front() + 1000) +
                            R"(,"count":)" + std::to_string(ids.size()) +
                            R"(,"activities":)" + std::to_string(activities) +
                            "}");
    db.query(
      "INSERT INTO strava_credentials (user_id, encrypted_refresh_token, "
      "access_token, expires_at, strava_athlete_id, updated_at) SELECT "
      "id, 'rt-' || (id + 1000), 'at-' || (id + 1000), now() + interval "
      "'1 day', id + 1000, now() FROM users");
    db.query("INSERT INTO strava_sync_queue (user_id, status, requested_at, "
             "next_attempt_at) SELECT id, 'pending', now(), now() FROM users");
    db.query("INSERT INTO user_reminders (user_id, kind, due_at) SELECT id, "
             "'strava_sync', now() + id * interval '" +
             std::to_string(spread.count()) + " milliseconds' FROM users");
    return ids;
  }

  int64_t jobs_done() const {
    return std::stoll(
      one("SELECT count(*) FROM strava_sync_queue WHERE status = 'done'"));
  }
};

} // namespace

TEST_CASE("without STRAVA_CLIENT_ID/SECRET the Strava routes answer 503") {
  scratch_database db;
  server_process server({{"DATABASE_URL", db.dsn()}});
  auto who = register_athlete(server.port(), db, "none@example.com");
  for (auto [method, path] :
       {std::pair{"GET", "/api/v1/strava/status"},
        {"POST", "/api/v1/strava/sync"},
        {"GET", "/api/v1/strava/activities"},
        {"POST", "/api/v1/athlete-profile/refresh-strava"}}) {
    auto r = http_call(server.port(), method, path, "", bearer(who.token));
    INFO(path);
    CHECK(r.status == 503);
    CHECK(r.body.find("STRAVA_CLIENT_ID") != std::string::npos);
  }
  auto cb = http_call(server.port(), "GET", "/api/v1/strava/callback?code=x");
  CHECK(cb.status == 503);
  // The reference's own detail for the authorize URL.
  auto url = http_call(server.port(), "GET", "/api/v1/strava/authorize-url", "",
                       bearer(who.token));
  CHECK(url.status == 503);
  CHECK(url.body == R"({"detail":"Strava app not configured."})");
}

TEST_CASE("connect: a signed single-use state, the first sync in the "
          "background, true UTC start dates and encrypted tokens") {
  strava_fixture f;
  auto who = register_athlete(f.port(), f.db, "ann@example.com");
  auto url = f.call(who, "GET", "/api/v1/strava/authorize-url");
  REQUIRE(url.status == 200);
  std::string link = parse(url.body)["url"].GetString();
  CHECK(link.rfind(f.fake.oauth_url() + "/authorize?client_id=4242", 0) == 0);
  CHECK(link.find("redirect_uri=http%3A%2F%2Flocalhost%3A8000%2Fapi%2Fv1%"
                  "2Fstrava%2Fcallback") != std::string::npos);
  CHECK(link.find("scope=read%2Cactivity%3Aread_all") != std::string::npos);
  auto state = param_of(link, "state");
  CHECK(state.rfind(std::to_string(who.id) + ".", 0) == 0);
  CHECK(state.size() > 40); // a nonce and a signature, not the bare id

  f.fake.control("PUT", "athletes/5550123", R"({"activities":250})");
  f.fake.post("codes", R"({"code":"c1","athlete_id":5550123})");
  auto callback = [&](const std::string& s, const std::string& code = "c1",
                      const std::string& scope = "read,activity:read_all") {
    return http_call(f.port(), "GET",
                     "/api/v1/strava/callback?code=" + code +
                       "&state=" + percent_encode(s) + "&scope=" + scope);
  };

  SECTION("forged, expired and replayed states are refused with 400") {
    auto forged = state.substr(0, state.size() - 2) + "xx";
    auto r = callback(forged);
    CHECK(r.status == 400);
    CHECK(r.body == R"({"detail":"Invalid state."})");
    // Another user's id under the first one's signature.
    auto other = std::to_string(who.id + 1) + state.substr(state.find('.'));
    CHECK(callback(other).status == 400);
    auto key = hmac_sha256(secret_key, "strava-oauth-state");
    auto expired = strava::sign_state(
      key, strava::oauth_state{who.id, "0123456789abcdef", unix_now() - 1});
    r = callback(expired);
    CHECK(r.status == 400);
    CHECK(r.body == R"({"detail":"State expired; connect Strava again."})");
    // A correctly signed, unexpired state that was never issued.
    auto unknown = strava::sign_state(
      key, strava::oauth_state{who.id, "feedfacefeedface", unix_now() + 60});
    CHECK(callback(unknown).body == R"({"detail":"Invalid state."})");
    REQUIRE(callback(state).status == 200);
    r = callback(state);
    CHECK(r.status == 400);
    CHECK(r.body == R"({"detail":"Invalid state."})");
    CHECK(f.one("SELECT count(*) FROM strava_credentials") == "1");
  }

  SECTION("the reference's callback errors") {
    auto r = http_call(f.port(), "GET",
                       "/api/v1/strava/callback?error=access_denied&state=x");
    CHECK(r.body ==
          R"({"detail":"Strava authorization failed: access_denied"})");
    r = http_call(f.port(), "GET", "/api/v1/strava/callback?state=x");
    CHECK(r.body == R"({"detail":"Missing code parameter."})");
    r = http_call(f.port(), "GET", "/api/v1/strava/callback?code=x");
    CHECK(r.body == R"({"detail":"Missing state parameter."})");
    // A grant without activity access cannot sync: refused, not linked.
    r = callback(state, "c1", "read");
    CHECK(r.status == 400);
    CHECK(r.body.find("activities") != std::string::npos);
    CHECK(f.one("SELECT count(*) FROM strava_credentials") == "0");
  }

  SECTION("a refused code is a 400, and nothing is stored") {
    auto r = callback(state, "wrong-code");
    CHECK(r.status == 400);
    CHECK(r.body == R"({"detail":"Failed to exchange code for tokens."})");
    CHECK(f.one("SELECT count(*) FROM strava_credentials") == "0");
  }

  SECTION("the link, the background sync and what it stored") {
    auto r = callback(state);
    REQUIRE(r.status == 200);
    CHECK(r.body.find("Status: ") != std::string::npos);
    REQUIRE(eventually([&] {
      return f.job_status(who) == "done";
    }));
    auto status = parse(f.call(who, "GET", "/api/v1/strava/status").body);
    CHECK(status["linked"].GetBool());
    CHECK(std::string{status["athlete_id"].GetString()} == "5550123");
    CHECK(status["sync"]["pages_done"].GetInt() == 2);
    CHECK(status["sync"]["activities_stored"].GetInt() == 250);
    CHECK(status["sync"]["last_error"].IsNull());
    CHECK(f.one("SELECT count(*) FROM strava_activities") == "250");
    // start_date is the true instant; the local time stays as received.
    CHECK(f.one("SELECT count(*) FROM strava_activities WHERE start_date = "
                "(raw ->> 'start_date')::timestamptz AND start_date_local = "
                "raw ->> 'start_date_local'") == "250");
    // Tokens at rest: both Fernet tokens, the refresh token readable.
    auto row = f.db.query("SELECT encrypted_refresh_token, access_token FROM "
                          "strava_credentials")[0];
    CHECK(row[0].rfind("gA", 0) == 0);
    CHECK(row[1].rfind("gA", 0) == 0);
    auto key = parse_fernet_key(encryption_key);
    CHECK(fernet_decrypt(*key, row[0])->rfind("rt-5550123-", 0) == 0);
    // The exchange's athlete summary filled the profile's Strava fields.
    auto profile = parse(f.call(who, "GET", "/api/v1/athlete-profile").body);
    CHECK(std::string{profile["strava_firstname"].GetString()} == "Ann");
    CHECK(std::string{profile["display_name"].GetString()} == "Ann Lee");

    // The list: the athlete's wall time with its real offset.
    auto list = parse(f.call(who, "GET", "/api/v1/strava/activities").body);
    REQUIRE(list.IsArray());
    REQUIRE(list.Size() > 0);
    auto& first = list[0];
    std::string start = first["start_date"].GetString();
    CHECK(start.substr(19) == "+02:00");
    CHECK(std::string{first["type"].GetString()} == "Ride");
    CHECK(first["id"].IsString());
    // A ride with power and the Strava FTP (250): t·P²/(FTP²·36), P = 200.
    auto t = first["duration_sec"].GetDouble();
    CHECK(first["tss"].GetDouble() ==
          Approx(std::round(t * 200 * 200 / (250.0 * 250 * 36) * 10) / 10));
    auto fitness = parse(f.call(who, "GET", "/api/v1/strava/fitness").body);
    CHECK(fitness["ctl"].GetDouble() > 0);

    // An incremental sync asks only after the newest stored activity.
    f.fake.reset();
    auto sync = f.call(who, "POST", "/api/v1/strava/sync");
    REQUIRE(sync.status == 200);
    auto ticket = parse(sync.body);
    CHECK(ticket["job_id"].GetInt64() > 0);
    CHECK((std::string{ticket["status"].GetString()} == "syncing" ||
           std::string{ticket["status"].GetString()} == "queued"));
    REQUIRE(eventually([&] {
      return f.one("SELECT count(*) FROM strava_sync_queue WHERE status = "
                   "'done'") == "2";
    }));
    auto newest = f.one("SELECT extract(epoch FROM max(start_date))::bigint "
                        "FROM strava_activities");
    bool asked_after = false;
    for (auto& c : f.fake.calls())
      if (c.path == "/api/v3/athlete/activities")
        asked_after =
          c.query.find("after=" + std::to_string(std::stoll(newest) - 1)) !=
          std::string::npos;
    CHECK(asked_after);

    // Unlink: deauthorized at Strava, rows and profile fields gone.
    auto unlink = f.call(who, "POST", "/api/v1/strava/unlink");
    CHECK(unlink.body == R"({"status":"unlinked"})");
    REQUIRE(eventually([&] {
      return !f.fake.deauthorized().empty();
    }));
    CHECK(f.fake.deauthorized() == std::vector<int64_t>{5550123});
    CHECK(f.one("SELECT count(*) FROM strava_activities") == "0");
    CHECK(f.one("SELECT count(*) FROM strava_credentials") == "0");
    CHECK(f.one("SELECT count(*) FROM strava_sync_queue") == "0");
    profile = parse(f.call(who, "GET", "/api/v1/athlete-profile").body);
    CHECK(profile["strava_firstname"].IsNull());
    CHECK(f.call(who, "GET", "/api/v1/strava/status").body ==
          R"({"linked":false})");
    CHECK(f.call(who, "POST", "/api/v1/strava/sync").body ==
          R"({"detail":"Strava not linked."})");
  }
}

TEST_CASE("the callback keeps the link when the first sync fails, the job "
          "retries with backoff") {
  strava_fixture f;
  auto who = register_athlete(f.port(), f.db, "bob@example.com");
  f.fake.post(
    "fail",
    R"({"status":500,"count":1,"path_contains":"/athlete/activities"})");
  f.connect(who, 777, R"({"activities":5})");
  REQUIRE(eventually([&] {
    return f.one("SELECT attempts FROM strava_sync_queue") == "1" &&
           f.one("SELECT status FROM strava_sync_queue") == "pending";
  }));
  auto status = parse(f.call(who, "GET", "/api/v1/strava/status").body);
  CHECK(status["linked"].GetBool());
  CHECK(std::string{status["sync"]["status"].GetString()} == "pending");
  CHECK(std::string{status["sync"]["last_error"].GetString()}.find("500") !=
        std::string::npos);
  CHECK_FALSE(status["sync"]["next_attempt_at"].IsNull());
  // Asking again runs the job now; it succeeds.
  f.call(who, "POST", "/api/v1/strava/sync");
  REQUIRE(eventually([&] {
    return f.job_status(who) == "done";
  }));
  CHECK(f.one("SELECT count(*) FROM strava_activities") == "5");
  CHECK(f.one("SELECT count(*) FROM strava_sync_queue") == "1");
}

TEST_CASE("tokens: refreshed before they expire (the rotated pair stored), "
          "a revoked grant unlinks and the status says why") {
  strava_fixture f;
  auto who = register_athlete(f.port(), f.db, "cy@example.com");
  // A code whose access token lives 60 s: inside the 5-minute margin.
  f.fake.control("PUT", "athletes/888", R"({"activities":3})");
  f.fake.post("codes", R"({"code":"c8","athlete_id":888,"expires_in":60})");
  auto url = parse(f.call(who, "GET", "/api/v1/strava/authorize-url").body);
  auto state = param_of(url["url"].GetString(), "state");
  REQUIRE(http_call(f.port(), "GET",
                    "/api/v1/strava/callback?code=c8&state=" +
                      percent_encode(state) + "&scope=activity:read")
            .status == 200);
  REQUIRE(eventually([&] {
    return f.job_status(who) == "done";
  }));
  size_t refreshes = 0;
  for (auto& c : f.fake.calls())
    refreshes += c.path == "/oauth/token";
  CHECK(refreshes == 2); // the exchange, then one refresh
  auto key = parse_fernet_key(encryption_key);
  auto stored = f.db.query("SELECT encrypted_refresh_token, access_token, "
                           "expires_at > now() + interval '1 hour' FROM "
                           "strava_credentials")[0];
  CHECK(*fernet_decrypt(*key, stored[0]) == "rt-888-2");
  CHECK(*fernet_decrypt(*key, stored[1]) == "at-888-2");
  CHECK(stored[2] == "t");

  // Strava revokes the grant: the next call's 401, then the refresh's 400.
  f.fake.post("revoke", R"({"athlete_id":888})");
  f.call(who, "POST", "/api/v1/strava/sync");
  REQUIRE(eventually([&] {
    return f.call(who, "GET", "/api/v1/strava/status")
             .body.find("unlinked_reason") != std::string::npos;
  }));
  auto status = parse(f.call(who, "GET", "/api/v1/strava/status").body);
  CHECK_FALSE(status["linked"].GetBool());
  CHECK(std::string{status["unlinked_reason"].GetString()}.find("revoked") !=
        std::string::npos);
  CHECK(f.one("SELECT count(*) FROM strava_activities") == "0");
  CHECK(f.one("SELECT count(*) FROM strava_credentials") == "0");
  auto profile = parse(f.call(who, "GET", "/api/v1/athlete-profile").body);
  CHECK(profile["strava_firstname"].IsNull());
}

TEST_CASE("refresh-strava without budget is a 503") {
  strava_fixture f;
  // Real-time windows and a budget of one request (limit 2, margin 1).
  f.fake.post("limits", R"({"overall":[200,2000],"read":[2,1000]})");
  auto who = register_athlete(f.port(), f.db, "dee@example.com");
  f.connect(who, 999, R"({"activities":0,"weight":58.5,"ftp":231})");
  // The callback's athlete fetch or the first sync spent the window's only
  // request.
  REQUIRE(eventually([&] {
    return admin_stat(f.port(), {"strava", "window_limit"}) == 2 &&
           admin_stat(f.port(), {"strava", "available"}) == 0;
  }));
  auto r = f.call(who, "POST", "/api/v1/athlete-profile/refresh-strava");
  CHECK(r.status == 503);
  CHECK(r.body ==
        R"({"detail":"Strava rate limit reached; try again later."})");
  CHECK(f.fake.throttled() == 0);
}

TEST_CASE("refresh-strava stores the athlete's weight and FTP") {
  strava_fixture f;
  auto who = register_athlete(f.port(), f.db, "eve@example.com");
  f.connect(who, 1001, R"({"activities":0,"weight":58.5,"ftp":231})");
  auto r = f.call(who, "POST", "/api/v1/athlete-profile/refresh-strava");
  REQUIRE(r.status == 200);
  auto p = parse(r.body);
  CHECK(p["weight_kg"].GetDouble() == 58.5);
  CHECK(std::string{p["weight_source"].GetString()} == "strava");
  CHECK(p["ftp"].GetInt() == 231);
  CHECK(std::string{p["strava_profile_url"].GetString()} ==
        "https://example.com/a1001.jpg");
}

TEST_CASE("webhooks: the handshake, and events applied through the user's "
          "actor once Strava confirms them (duplicates harmless)") {
  strava_fixture f({{"STRAVA_WEBHOOK_VERIFY_TOKEN", "hook-token"},
                    {"STRAVA_WEBHOOK_SUBSCRIPTION_ID", "271004"},
                    {"STRAVA_WEBHOOK_CALLBACK_SECRET", webhook_secret}});
  auto hs = http_call(f.port(), "GET",
                      "/api/v1/strava/webhook?hub.mode=subscribe&hub.challenge="
                      "9c2e4b7a10d35f66&hub.verify_token=hook-token");
  CHECK(hs.status == 200);
  CHECK(hs.body == R"({"hub.challenge":"9c2e4b7a10d35f66"})");
  CHECK(http_call(f.port(), "GET",
                  "/api/v1/strava/webhook?hub.mode=subscribe&hub.challenge=1"
                  "&hub.verify_token=wrong")
          .status == 403);
  // The callback path with the secret answers the handshake too.
  CHECK(http_call(f.port(), "GET",
                  webhook_path +
                    "?hub.mode=subscribe&hub.challenge=77&hub.verify_token="
                    "hook-token")
          .body == R"({"hub.challenge":"77"})");

  auto who = register_athlete(f.port(), f.db, "fay@example.com");
  f.connect(who, 4444, R"({"activities":2})");
  REQUIRE(eventually([&] {
    return f.job_status(who) == "done";
  }));
  auto post = [&](const std::string& body) {
    return http_call(f.port(), "POST", webhook_path, body);
  };
  auto event = [](const std::string& aspect, int64_t id,
                  const std::string& updates = "{}") {
    return R"({"object_type":"activity","object_id":)" + std::to_string(id) +
           R"(,"aspect_type":")" + aspect + R"(","updates":)" + updates +
           R"(,"owner_id":4444,"subscription_id":271004,"event_time":1740812400})";
  };
  CHECK(post(R"({"object_type":"activity"})").status == 400);
  CHECK(post(event("create", 1)
               .replace(event("create", 1).find("271004"), 6, "999999"))
          .status == 403);

  // A new activity: fetched and stored; the duplicate delivery is harmless.
  f.fake.post(
    "activity",
    R"({"athlete_id":4444,"activity":{"id":4444999001,"name":"New ride",)"
    R"("type":"Ride","start_date":"2026-11-30T06:00:00Z",)"
    R"("start_date_local":"2026-11-30T07:00:00Z","moving_time":1800}})");
  CHECK(post(event("create", 4444999001)).status == 200);
  CHECK(post(event("create", 4444999001)).status == 200);
  auto name_of = [&] {
    auto rows = f.db.query("SELECT name FROM strava_activities WHERE "
                           "strava_id = 4444999001");
    return rows.empty() ? std::string{"<none>"} : rows[0][0];
  };
  REQUIRE(eventually([&] {
    return name_of() == "New ride";
  }));
  CHECK(f.one("SELECT description FROM strava_activities WHERE strava_id = "
              "4444999001") == "details");
  // Renamed at Strava: an update refetches it.
  f.fake.post(
    "activity",
    R"({"athlete_id":4444,"activity":{"id":4444999001,"name":"Renamed",)"
    R"("type":"Ride","start_date":"2026-11-30T06:00:00Z",)"
    R"("start_date_local":"2026-11-30T07:00:00Z","moving_time":1800}})");
  CHECK(post(event("update", 4444999001, R"({"title":"Renamed"})")).status ==
        200);
  REQUIRE(eventually([&] {
    return name_of() == "Renamed";
  }));
  // Deleted (or made private): Strava answers 404 for it, the row goes.
  f.fake.control("DELETE", "activity",
                 R"({"athlete_id":4444,"id":4444999001})");
  CHECK(post(event("delete", 4444999001)).status == 200);
  REQUIRE(eventually([&] {
    return name_of() == "<none>";
  }));
  CHECK(f.one("SELECT count(*) FROM strava_webhook_events") == "0");
  // The athlete deauthorizes the app (Strava refuses the refresh): the
  // link ends, the status says so.
  f.fake.post("revoke", R"({"athlete_id":4444})");
  CHECK(
    post(R"({"object_type":"athlete","object_id":4444,"aspect_type":"update",)"
         R"("updates":{"authorized":"false"},"owner_id":4444,)"
         R"("subscription_id":271004,"event_time":1740812500})")
      .status == 200);
  REQUIRE(eventually([&] {
    return f.one("SELECT count(*) FROM strava_credentials") == "0";
  }));
  auto status = parse(f.call(who, "GET", "/api/v1/strava/status").body);
  CHECK_FALSE(status["linked"].GetBool());
  CHECK(status.HasMember("unlinked_reason"));
}

TEST_CASE("webhooks: forged events change nothing (Strava is asked before "
          "anything is deleted or unlinked), events only on the secret path, "
          "a bounded intake per address") {
  strava_fixture f({{"STRAVA_WEBHOOK_VERIFY_TOKEN", "hook-token"},
                    {"STRAVA_WEBHOOK_CALLBACK_SECRET", webhook_secret},
                    {"STRAVA_WEBHOOK_EVENTS_PER_MINUTE", "12"}});
  auto who = register_athlete(f.port(), f.db, "kai@example.com");
  f.connect(who, 5555, R"({"activities":3})");
  REQUIRE(eventually([&] {
    return f.job_status(who) == "done";
  }));
  auto held = [&] {
    return f.one("SELECT count(*) FROM strava_activities") + " activities, " +
           f.one("SELECT count(*) FROM strava_credentials") + " link";
  };
  REQUIRE(held() == "3 activities, 1 link");
  auto some_id = f.one("SELECT min(strava_id) FROM strava_activities");
  auto forged = [&](const std::string& path, const std::string& object,
                    const std::string& id, const std::string& aspect,
                    const std::string& updates) {
    return http_call(f.port(), "POST", path,
                     R"({"object_type":")" + object + R"(","object_id":)" + id +
                       R"(,"aspect_type":")" + aspect + R"(","updates":)" +
                       updates +
                       R"(,"owner_id":5555,"subscription_id":1,)"
                       R"("event_time":1740812400})");
  };
  // On the path without the secret, or with a wrong one: refused, nothing
  // stored.
  auto plain = forged("/api/v1/strava/webhook", "athlete", "5555", "update",
                      R"({"authorized":"false"})");
  CHECK(plain.status == 403);
  CHECK(json_field(plain.body, "detail").find("callback path") !=
        std::string::npos);
  CHECK(forged("/api/v1/strava/webhook/not-the-secret", "athlete", "5555",
               "update", R"({"authorized":"false"})")
          .status == 404);
  CHECK(f.one("SELECT count(*) FROM strava_webhook_events") == "0");
  // On the secret path (the secret leaked, or a replay), every kind is a
  // hint: Strava still grants access and still has the activity.
  auto before = f.fake.calls().size();
  CHECK(forged(webhook_path, "athlete", "5555", "update",
               R"({"authorized":"false"})")
          .status == 200);
  CHECK(forged(webhook_path, "activity", some_id, "delete", "{}").status ==
        200);
  CHECK(forged(webhook_path, "activity", "98765", "create", "{}").status ==
        200);
  CHECK(
    forged(webhook_path, "activity", some_id, "update", R"({"title":"Owned"})")
      .status == 200);
  REQUIRE(eventually([&] {
    return f.one("SELECT count(*) FROM strava_webhook_events") == "0";
  }));
  CHECK(held() == "3 activities, 1 link");
  auto status = parse(f.call(who, "GET", "/api/v1/strava/status").body);
  CHECK(status["linked"].GetBool());
  // Strava was asked: a token refresh for the deauthorization, the
  // activities for the others (the made-up one is 404 there: nothing
  // stored).
  std::vector<std::string> asked;
  auto calls = f.fake.calls();
  for (auto i = before; i < calls.size(); ++i)
    asked.push_back(calls[i].method + " " + calls[i].path);
  CHECK(std::count(asked.begin(), asked.end(), "POST /oauth/token") == 1);
  CHECK(std::count(asked.begin(), asked.end(),
                   "GET /api/v3/activities/" + some_id) == 2);
  CHECK(std::count(asked.begin(), asked.end(),
                   "GET /api/v3/activities/98765") == 1);
  // The intake from one address is bounded: 12 a minute (the 4 events
  // above count, unless the minute turned since), then 429 with
  // Retry-After. The limiter's windows are the wall clock's minutes: a
  // loop that straddles a minute's turn meets two windows, each bounded.
  auto minute = [] {
    return std::chrono::duration_cast<std::chrono::minutes>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
  };
  auto first_minute = minute();
  int accepted = 0;
  http_reply last;
  for (int i = 0; i < 30 && last.status != 429; ++i) {
    last = forged(webhook_path, "athlete", "5555", "update", "{}");
    accepted += last.status == 200;
  }
  auto windows = minute() - first_minute + 1;
  CHECK(accepted >= 8);
  CHECK(accepted <= 12 * windows);
  CHECK(last.status == 429);
  CHECK(!last.header("retry-after").empty());
  CHECK(json_field(last.body, "detail").find("Too many webhook events") !=
        std::string::npos);
}

TEST_CASE("a storm of 500 users' backfills completes with zero 429s") {
  strava_fixture f({}, false);
  f.compress_clock(900); // a 15-minute window lasts a second
  f.backlog(500, 3);
  f.start();
  REQUIRE(eventually(
    [&] {
      return f.jobs_done() == 500;
    },
    std::chrono::seconds(120)));
  CHECK(f.fake.throttled() == 0);
  CHECK(f.one("SELECT count(*) FROM strava_activities") == "1500");
  std::set<int64_t> athletes;
  for (auto& c : f.fake.calls())
    if (c.path == "/api/v3/athlete/activities" && c.status == 200)
      athletes.insert(c.athlete);
  CHECK(athletes.size() == 500); // every athlete's page was answered
}

TEST_CASE("a 3,000-activity backfill does not hold back another user's "
          "small sync by more than one window") {
  strava_fixture f({}, false);
  constexpr double scale = 300; // a window lasts 3 s
  f.compress_clock(scale);
  f.fake.post("limits", R"({"overall":[200,2000],"read":[10,1000]})");
  auto origin = std::stod(f.env["STRAVA_CLOCK_ORIGIN"]);
  f.start();
  auto big = register_athlete(f.port(), f.db, "big@example.com");
  auto small = register_athlete(f.port(), f.db, "small@example.com");
  f.connect(big, 3000, R"({"activities":3000})");
  REQUIRE(eventually([&] {
    return f.one(
             "SELECT coalesce(max(page_reached), 0) FROM strava_sync_queue") >=
           "2";
  }));
  auto asked = std::chrono::system_clock::now();
  f.connect(small, 3001, R"({"activities":5})");
  REQUIRE(eventually(
    [&] {
      return f.job_status(small) == "done";
    },
    std::chrono::seconds(90)));
  auto window_of = [&](double unix) {
    return static_cast<int64_t>((origin + (unix - origin) * scale) / 900);
  };
  auto asked_unix =
    std::chrono::duration<double>(asked.time_since_epoch()).count();
  // The small user's page went out in the window it asked in or the next.
  auto doc = parse(f.fake.control("GET", "stats", ""));
  double at = 0;
  for (auto& c : doc["calls"].GetArray())
    if (!c["athlete"].IsNull() && c["athlete"].GetInt64() == 3001 &&
        std::string{c["path"].GetString()} == "/api/v3/athlete/activities")
      at = c["at"].GetDouble();
  REQUIRE(at > 0);
  CHECK(window_of(at) - window_of(asked_unix) <= 1);
  REQUIRE(eventually(
    [&] {
      return f.job_status(big) == "done";
    },
    std::chrono::seconds(120)));
  CHECK(
    f.one("SELECT count(*) FROM strava_activities a JOIN strava_credentials c "
          "ON c.user_id = a.user_id WHERE c.strava_athlete_id = 3000") ==
    "3000");
  CHECK(f.fake.throttled() == 0);
}

TEST_CASE("a restart in the middle of the queue resumes where it stopped: "
          "no duplicates, no loss") {
  strava_fixture f;
  auto who = register_athlete(f.port(), f.db, "gil@example.com");
  f.fake.post("delay", R"({"ms":400})");
  f.connect(who, 5000, R"({"activities":900})");
  REQUIRE(eventually([&] {
    return f.one(
             "SELECT coalesce(max(page_reached), 0) FROM strava_sync_queue") >=
           "2";
  }));
  f.server->signal(SIGKILL);
  f.server->wait_exit(std::chrono::seconds(10));
  auto reached = std::stoi(f.one("SELECT page_reached FROM strava_sync_queue"));
  REQUIRE(reached < 5);
  f.fake.post("delay", R"({"ms":0})");
  f.start();
  REQUIRE(eventually([&] {
    return f.one("SELECT status FROM strava_sync_queue") == "done";
  }));
  CHECK(f.one("SELECT count(*) FROM strava_activities") == "900");
  CHECK(f.one("SELECT count(DISTINCT strava_id) FROM strava_activities") ==
        "900");
  CHECK(f.one("SELECT activities_stored FROM strava_sync_queue") == "900");
  std::map<std::string, int> fetched;
  for (auto& c : f.fake.calls())
    if (c.path == "/api/v3/athlete/activities" && c.status == 200)
      ++fetched[c.query.substr(c.query.find("page="))];
  // Page 1 was never fetched again: the job resumed after page `reached`.
  CHECK(fetched["page=1&per_page=200"] == 1);
  CHECK(fetched.size() == 5);
}

TEST_CASE("two server processes on one database drain one queue without "
          "duplicates") {
  // A claim long enough for a loaded machine: a job is taken over only
  // when its claim runs out (the restart test shows that).
  strava_fixture f({{"STRAVA_JOB_LEASE_SECONDS", "30"}}, false);
  f.compress_clock(900);
  f.start();
  server_process second(f.env);
  // Due over three seconds: both processes' polls claim some.
  f.backlog(150, 250, std::chrono::milliseconds(20)); // two pages each
  REQUIRE(eventually(
    [&] {
      return f.jobs_done() == 150;
    },
    std::chrono::seconds(120)));
  CHECK(f.one("SELECT count(*) FROM strava_activities") == "37500");
  CHECK(f.one("SELECT count(*) FROM strava_sync_queue") == "150");
  std::map<std::pair<int64_t, std::string>, int> fetched;
  for (auto& c : f.fake.calls())
    if (c.path == "/api/v3/athlete/activities" && c.status == 200)
      ++fetched[{c.athlete, c.query.substr(c.query.find("page="))}];
  CHECK(fetched.size() == 300);
  for (auto& [key, n] : fetched) {
    INFO(key.first << " " << key.second);
    CHECK(n == 1);
  }
  // Both processes took part.
  CHECK(admin_stat(f.port(), {"strava", "num_sent"}) > 0);
  CHECK(admin_stat(second.port(), {"strava", "num_sent"}) > 0);
}

TEST_CASE("with Strava data stored, the AI prompts contain none of it") {
  fake_gemini gemini;
  strava_fixture f({{"GOOGLE_GEMINI_API_KEY", "test-gemini-key"}}, false);
  f.env["GEMINI_API_BASE_URL"] = gemini.base_url();
  f.start();
  auto who = register_athlete(f.port(), f.db, "hal@example.com");
  f.connect(who, 6000,
            R"({"activities":20,"firstname":"Zebulon","lastname":"Quartz"})");
  REQUIRE(eventually([&] {
    return f.job_status(who) == "done";
  }));
  REQUIRE(f.one("SELECT count(*) FROM strava_activities") == "20");
  auto photo = encode(photo_like(320, 240), ".jpg");
  for (auto* path : {"/api/v1/nutrition/analyze", "/api/v1/photo/analyze",
                     "/api/v1/photo/analyze-sleep"}) {
    auto body = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                "filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" +
                photo + "\r\n--XyZ--\r\n";
    http_call(f.port(), "POST", path, body,
              {{"Authorization", "Bearer " + who.token},
               {"Content-Type", "multipart/form-data; boundary=XyZ"}});
  }
  auto prompts = gemini.stats();
  auto doc = parse(prompts);
  CHECK(doc["calls"].Size() >= 3);
  for (auto* strava_value :
       {"Zebulon", "Quartz", "Ride 1", "Europe/Paris", "600000", "a6000.jpg"})
    CHECK(prompts.find(strava_value) == std::string::npos);
}

TEST_CASE("the account's export has every row of the athlete and nothing "
          "else, page after page, and deleting the account: its own "
          "password, Strava deauthorized, every row gone in one statement, "
          "another athlete untouched, its tokens refused at once") {
  strava_fixture f;
  auto gone = register_athlete(f.port(), f.db, "leaving@example.com");
  auto stays = register_athlete(f.port(), f.db, "staying@example.com");
  f.connect(gone, 6660001);
  REQUIRE(eventually([&] {
    return f.job_status(gone) == "done";
  }));
  for (auto& who : {gone, stays}) {
    auto as = [&](const std::string& method, const std::string& path,
                  const std::string& body) {
      return http_call(f.port(), method, path, body, bearer(who.token));
    };
    REQUIRE(as("PUT", "/api/v1/wellness",
               R"({"date":"2026-11-01","sleep_hours":7.5})")
              .status == 200);
    REQUIRE(as("POST", "/api/v1/workouts",
               R"({"start_date":"2026-11-01T07:00:00Z","name":"Run"})")
              .status == 201);
    REQUIRE(as("POST", "/api/v1/nutrition/entries",
               R"({"name":"Rice","portion_grams":100,"calories":130,)"
               R"("protein_g":3,"fat_g":0,"carbs_g":28,"date":"2026-11-01"})")
              .status == 200);
    REQUIRE(as("POST", "/api/v1/chat/threads", R"({"title":"Mine"})").status ==
            200);
  }
  // Rows of each athlete in every table with a user_id.
  auto tables = f.db.query("SELECT table_name FROM information_schema.columns "
                           "WHERE column_name = 'user_id' AND table_schema = "
                           "'public' ORDER BY 1");
  auto counts = [&](const athlete& who) {
    std::map<std::string, std::string> result;
    for (auto& t : tables)
      result[t[0]] = f.one("SELECT count(*) FROM " + t[0] +
                           " WHERE user_id = " + std::to_string(who.id));
    return result;
  };
  // The export first: every section, page after page, nobody else's rows,
  // no secret.
  f.db.query("INSERT INTO wellness_cache (user_id, date, sleep_hours) SELECT " +
             std::to_string(gone.id) +
             ", date '2020-01-01' + d, 7 FROM generate_series(0, 1199) d");
  f.db.query(
    "INSERT INTO workouts (user_id, start_date, name, source) SELECT " +
    std::to_string(gone.id) +
    ", timestamp '2021-01-01' + d * interval '1 day', 'W' || d, "
    "'manual' FROM generate_series(0, 44) d");
  auto exported = f.call(gone, "GET", "/api/v1/users/me/export");
  REQUIRE(exported.status == 200);
  CHECK(exported.header("content-disposition").find("attachment") == 0);
  for (auto secret : {"encrypted", "password_hash", "access_token",
                      "refresh_token", "staying@example.com"})
    CHECK(exported.body.find(secret) == std::string::npos);
  auto doc = parse(exported.body);
  CHECK(doc["complete"].GetBool());
  CHECK(std::string{doc["account"][0]["email"].GetString()} ==
        "leaving@example.com");
  CHECK(doc["strava_link"][0]["strava_athlete_id"].GetInt64() == 6660001);
  std::map<std::string, std::string> table_of{
    {"wellness", "wellness_cache"},
    {"workouts", "workouts"},
    {"food", "food_log"},
    {"chat_threads", "chat_threads"},
    {"chat_messages", "chat_messages"},
    {"decisions", "daily_decisions"},
    {"strava_activities", "strava_activities"},
    {"profile", "athlete_profiles"},
    {"sleep_readings", "sleep_extractions"}};
  for (auto& [section, table] : table_of) {
    INFO(section);
    REQUIRE(doc.HasMember(section.c_str()));
    CHECK(std::to_string(doc[section.c_str()].Size()) ==
          f.one("SELECT count(*) FROM " + table +
                " WHERE user_id = " + std::to_string(gone.id)));
  }
  CHECK(doc["wellness"].Size() == 1201);
  CHECK(doc["workouts"].Size() == 46);
  auto refresh = json_field(
    http_call(f.port(), "POST", "/api/v1/auth/login",
              R"({"email":"leaving@example.com","password":"password1"})")
      .body,
    "refresh_token");
  auto before = counts(gone);
  auto theirs = counts(stays);
  CHECK(before["strava_credentials"] == "1");
  CHECK(before["workouts"] == "46");
  CHECK(before["chat_threads"] == "1");
  auto erase = [&](const std::string& body) {
    return http_call(f.port(), "DELETE", "/api/v1/users/me", body,
                     bearer(gone.token));
  };
  auto wrong = erase(R"({"password":"not-mine"})");
  CHECK(wrong.status == 403);
  CHECK(wrong.body == R"({"detail":"Wrong password"})");
  CHECK(erase("{}").status == 422);
  CHECK(counts(gone) == before);

  auto done = erase(R"({"password":"password1"})");
  CHECK(done.status == 204);
  CHECK(done.body.empty());
  REQUIRE(eventually([&] {
    return !f.fake.deauthorized().empty();
  }));
  CHECK(f.fake.deauthorized() == std::vector<int64_t>{6660001});
  for (auto& [table, n] : counts(gone)) {
    INFO(table);
    CHECK(n == "0");
  }
  CHECK(counts(stays) == theirs);
  CHECK(f.one("SELECT count(*) FROM users WHERE email = "
              "'leaving@example.com'") == "0");
  // Its tokens are refused at once, its refresh token too.
  auto after = f.call(gone, "GET", "/api/v1/athlete-profile");
  CHECK(after.status == 401);
  CHECK(http_call(f.port(), "POST", "/api/v1/auth/refresh",
                  R"({"refresh_token":")" + refresh + "\"}")
          .status == 401);
  CHECK(erase(R"({"password":"password1"})").status == 401);
  CHECK(f.call(gone, "GET", "/api/v1/users/me/export").status == 401);
  CHECK(f.call(stays, "GET", "/api/v1/athlete-profile").status == 200);
}
