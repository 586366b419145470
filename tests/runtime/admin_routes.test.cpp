#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/openapi_check.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <ctime>
#include <fstream>
#include <regex>
#include <sys/stat.h>

#include "util/dates.hpp"

namespace st::test {

namespace {

struct operator_fixture {
  scratch_database db;
  server_process server;

  explicit operator_fixture(std::map<std::string, std::string> env = {})
    : server(with_db(std::move(env))) {}

  std::map<std::string, std::string>
  with_db(std::map<std::string, std::string> env) {
    env["DATABASE_URL"] = db.dsn();
    env.emplace("ADMIN_TOKEN", test_admin_token);
    env.emplace("FAULT_INJECTION", "true");
    env.emplace("RATE_LIMIT_PER_MINUTE", "1000000");
    // Rows the tests insert behind the scheduler's back are seen soon.
    env.emplace("REMINDER_POLL_MS", "300");
    return env;
  }

  http_reply call(const athlete& who, const std::string& method,
                  const std::string& path, const std::string& body = {}) {
    return http_call(server.port(), method, path, body, bearer(who.token));
  }

  http_reply admin(const std::string& path) {
    return http_call(server.port(), "GET", path, "", bearer(test_admin_token));
  }
};

/// `name{labels} value` lines of a Prometheus answer, by series.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> result;
  std::istringstream in{text};
  static const std::regex line{
    R"re(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?) (-?[0-9.e+-]+|\+Inf|NaN)$)re"};
  for (std::string l; std::getline(in, l);) {
    if (l.empty() || l[0] == '#')
      continue;
    std::smatch m;
    INFO(l);
    REQUIRE(std::regex_match(l, m, line));
    result[m[1]] = std::stod(m[3]);
  }
  return result;
}

/// Runs Debian's headless Chromium on `url`; answers the rendered DOM.
std::string chromium(const std::string& url, const std::string& screenshot) {
  std::string common =
    "chromium --headless --no-sandbox --disable-gpu --no-first-run "
    "--disable-dev-shm-usage --user-data-dir=$(mktemp -d) "
    "--window-size=1280,900 --virtual-time-budget=4000 ";
  if (!screenshot.empty()) {
    auto [rc, out] =
      run_shell(common + "--screenshot=" + screenshot + " '" + url + "'");
    INFO(out);
    REQUIRE(rc == 0);
  }
  auto [rc, dom] = run_shell(common + "--dump-dom '" + url + "' 2>/dev/null");
  REQUIRE(rc == 0);
  return dom;
}

} // namespace

TEST_CASE("admin actors: the gate, then the live figures of every part") {
  {
    scratch_database db;
    server_process plain{{{"DATABASE_URL", db.dsn()}}};
    CHECK(http_call(plain.port(), "GET", "/api/v1/admin/actors").status == 404);
  }
  // Claims reach 14 s ahead, every 7 s: the test's rows are claimed
  // well before they fall due.
  operator_fixture f{{{"REMINDER_POLL_MS", "7000"}}};
  auto none = http_call(f.server.port(), "GET", "/api/v1/admin/actors");
  CHECK(none.status == 401);
  CHECK(none.header("www-authenticate") == "Bearer");
  CHECK(json_field(none.body, "detail") == "Not authenticated");
  auto wrong = http_call(f.server.port(), "GET", "/api/v1/admin/actors", "",
                         bearer("adm-wrong"));
  CHECK(wrong.status == 403);
  CHECK(json_field(wrong.body, "detail") == "Not authorized");

  std::vector<athlete> athletes;
  for (int i = 0; i < 3; ++i)
    athletes.push_back(register_athlete(f.server.port(), f.db,
                                        "op" + std::to_string(i) + "@x.org"));
  for (auto& a : athletes)
    REQUIRE(f.call(a, "GET", "/api/v1/wellness").status == 200);
  // One actor crashes: the registry counts it, the next request respawns.
  CHECK(f.call(athletes[0], "POST", "/api/v1/test/fault").status == 503);
  REQUIRE(f.call(athletes[0], "GET", "/api/v1/wellness").status == 200);
  // Two reminders due within the minute (claimed by the scheduler at its
  // next poll), one due later.
  f.db.query(
    "INSERT INTO user_reminders (user_id, kind, due_at) VALUES (" +
    std::to_string(athletes[1].id) +
    ", 'probe', date_trunc('second', now()) + interval '14 s'), (" +
    std::to_string(athletes[2].id) + ", 'probe', now() + interval '15 s'), (" +
    std::to_string(athletes[0].id) + ", 'probe', now() + interval '10 min')");
  auto next_due = std::stoll(f.db.query(
    "SELECT extract(epoch FROM min(due_at))::bigint FROM user_reminders")[0]
                                                                         [0]);
  rapidjson::Document doc;
  REQUIRE(eventually(
    [&] {
      auto r = f.admin("/api/v1/admin/actors");
      doc.Parse(r.body.c_str());
      return r.status == 200 && doc.IsObject() &&
             doc["reminders"]["claimed_now"].GetUint64() == 2;
    },
    std::chrono::seconds(12)));
  auto& users = doc["user_actors"];
  CHECK(users["resident"].GetUint64() == 3);
  CHECK(users["spawned"].GetUint64() == 4); // the crashed one came back
  CHECK(users["restarted"].GetUint64() == 1);
  CHECK(users["passivated"].GetUint64() == 0);
  CHECK(doc["mailboxes"]["user"]["actors"].GetUint64() == 3);
  CHECK(doc["mailboxes"]["user"]["max"].GetUint64() <= 1);
  for (auto* kind : {"user_registry", "db_pool", "gemini_broker",
                     "strava_gateway", "reminder_scheduler", "upstream_client"})
    CHECK(doc["mailboxes"][kind]["actors"].GetUint64() == 1);
  auto& reminders = doc["reminders"];
  CHECK(reminders["due_next_minute"].GetUint64() == 2);
  CHECK(reminders["claimed_now"].GetUint64() == 2);
  CHECK(reminders["overdue"].GetUint64() == 0);
  CHECK(reminders["next_due"].GetString() == format_unix(next_due));
  CHECK(doc["db"]["num_round_trips"].GetUint64() > 10);
  CHECK(doc["db"]["num_connections"].GetUint64() == 4);
  CHECK(doc["db"]["num_queued_bulk"].GetUint64() == 0);
  CHECK(doc["gemini"]["breaker"].GetString() == std::string{"closed"});
  CHECK(doc["strava"]["window_limit"].GetUint64() == 100);
  // This request is in flight on its own connection.
  CHECK(doc["http"]["in_flight"].GetUint64() >= 1);
  CHECK(doc["http"]["open_connections"].GetUint64() >= 1);
  CHECK(doc["http"]["num_requests"].GetUint64() >= 12);
  CHECK(doc["process"]["rss_bytes"].GetUint64() > 10'000'000);
  CHECK(doc["process"]["threads"].GetUint64() > 4);
  CHECK(doc["process"]["open_files"].GetUint64() > 4);
  // The old name answers the same document.
  auto alias = f.admin("/api/v1/admin/stats");
  CHECK(alias.status == 200);
  CHECK(json_field(alias.body, "user_actors").empty()); // an object now
  CHECK(admin_stat(f.server.port(), {"user_actors", "resident"}) == 3);
}

TEST_CASE(
  "metrics: Prometheus text by route template and status, actor gauges") {
  operator_fixture f;
  CHECK(http_call(f.server.port(), "GET", "/metrics").status == 401);
  CHECK(http_call(f.server.port(), "GET", "/metrics", "", bearer("x")).status ==
        403);
  auto a = register_athlete(f.server.port(), f.db, "metrics@x.org");
  for (int i = 0; i < 3; ++i)
    CHECK(f.call(a, "PATCH", "/api/v1/workouts/" + std::to_string(900 + i),
                 R"({"name":"x"})")
            .status == 404);
  CHECK(f.call(a, "GET", "/api/v1/wellness").status == 200);
  CHECK(http_call(f.server.port(), "GET", "/no/such/path").status == 404);
  CHECK(http_call(f.server.port(), "GET", "/no/other").status == 404);

  auto r = f.admin("/metrics");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
  auto m = samples(r.body);
  CHECK(
    m[R"(http_requests_total{method="PATCH",route="/api/v1/workouts/{workout_id}",status="404"})"] ==
    3);
  CHECK(
    m[R"(http_requests_total{method="GET",route="/api/v1/wellness",status="200"})"] ==
    1);
  CHECK(
    m[R"(http_requests_total{method="GET",route="unmatched",status="404"})"] ==
    2);
  CHECK(
    m[R"(http_requests_total{method="POST",route="/api/v1/auth/register",status="200"})"] ==
    1);
  CHECK(
    m[R"(http_request_duration_seconds_count{method="PATCH",route="/api/v1/workouts/{workout_id}"})"] ==
    3);
  CHECK(
    m[R"(http_request_duration_seconds_bucket{method="PATCH",route="/api/v1/workouts/{workout_id}",le="+Inf"})"] ==
    3);
  CHECK(
    m.at(
      R"(http_request_duration_seconds_sum{method="PATCH",route="/api/v1/workouts/{workout_id}"})") >
    0);
  CHECK(m.at("smart_trainer_user_actors_resident") == 1);
  CHECK(m.at("smart_trainer_db_num_round_trips_total") > 0);
  CHECK(m.at(R"(smart_trainer_mailbox_actors{kind="user"})") == 1);
  CHECK(m.count(R"(smart_trainer_mailbox_p95{kind="db_pool"})") == 1);
  CHECK(m.at("smart_trainer_process_rss_bytes") > 10'000'000);
  CHECK(m.at("smart_trainer_process_threads") > 4);
  CHECK(m.at("smart_trainer_process_open_files") > 4);
  CHECK(m.at("smart_trainer_gemini_breaker_open") == 0);
  // The standard process series of every Prometheus client library.
  CHECK(m.at("process_resident_memory_bytes") ==
        m.at("smart_trainer_process_rss_bytes"));
  CHECK(m.at("process_virtual_memory_bytes") >
        m.at("process_resident_memory_bytes"));
  CHECK(m.at("process_cpu_seconds_total") > 0);
  CHECK(m.at("process_open_fds") == m.at("smart_trainer_process_open_files"));
  CHECK(m.at("process_max_fds") >= m.at("process_open_fds"));
  auto started = m.at("process_start_time_seconds");
  auto now = static_cast<double>(std::time(nullptr) + 1);
  CHECK(started <= now);
  CHECK(started > now - 300);
  CHECK(r.body.find("# TYPE process_cpu_seconds_total counter") !=
        std::string::npos);
  CHECK(r.body.find("# TYPE http_requests_total counter") != std::string::npos);
  CHECK(r.body.find("# TYPE smart_trainer_user_actors_resident gauge") !=
        std::string::npos);
}

TEST_CASE("OpenAPI: served as JSON, and real answers fit its schemas") {
  operator_fixture f;
  auto served = http_call(f.server.port(), "GET", "/openapi.json");
  REQUIRE(served.status == 200);
  rapidjson::Document doc;
  doc.Parse(served.body.c_str());
  REQUIRE(doc.IsObject());
  CHECK(std::string{doc["openapi"].GetString()} == "3.0.3");

  auto a = register_athlete(f.server.port(), f.db, "schema@x.org");
  int checked = 0;
  // One real answer against the schema of (method, template, status).
  auto fits = [&](const std::string& method, const std::string& tmpl,
                  const http_reply& r) {
    INFO(method << " " << tmpl << " " << r.status << ": " << r.body);
    auto* schema = answer_schema(doc, method, tmpl, r.status);
    REQUIRE(schema != nullptr);
    rapidjson::Document body;
    body.Parse(r.body.c_str());
    REQUIRE(!body.HasParseError());
    CHECK(schema_mismatch(doc, *schema, body) == "");
    ++checked;
  };
  auto call = [&](const std::string& method, const std::string& path,
                  const std::string& tmpl, const std::string& body = {}) {
    auto upper = method;
    for (auto& c : upper)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto r = f.call(a, upper, path, body);
    fits(method, tmpl, r);
    return r;
  };
  fits("get", "/health", http_call(f.server.port(), "GET", "/health"));
  fits("get", "/ready", http_call(f.server.port(), "GET", "/ready"));
  fits("post", "/api/v1/auth/login",
       http_call(f.server.port(), "POST", "/api/v1/auth/login",
                 R"({"email":"schema@x.org","password":"password1"})"));
  fits("post", "/api/v1/auth/login",
       http_call(f.server.port(), "POST", "/api/v1/auth/login",
                 R"({"email":"schema@x.org","password":"wrong-one"})"));
  fits("post", "/api/v1/auth/register",
       http_call(f.server.port(), "POST", "/api/v1/auth/register", "{}"));
  fits("get", "/api/v1/auth/me",
       http_call(f.server.port(), "GET", "/api/v1/auth/me"));
  call("get", "/api/v1/auth/me", "/api/v1/auth/me");
  call("patch", "/api/v1/athlete-profile", "/api/v1/athlete-profile",
       R"({"ftp":250,"timezone":"Europe/Berlin"})");
  call("get", "/api/v1/athlete-profile", "/api/v1/athlete-profile");
  call("patch", "/api/v1/athlete-profile", "/api/v1/athlete-profile",
       R"({"ftp":5000})");
  auto entry = call(
    "post", "/api/v1/nutrition/entries", "/api/v1/nutrition/entries",
    R"({"name":"Oats","portion_grams":80,"calories":300,"protein_g":10,"fat_g":5,"carbs_g":50,"date":"2026-11-30"})");
  call("get", "/api/v1/nutrition/day?date=2026-11-30", "/api/v1/nutrition/day");
  call("get", "/api/v1/nutrition/day?date=bad", "/api/v1/nutrition/day");
  auto entry_path = "/api/v1/nutrition/entries/" + json_field(entry.body, "id");
  call("get", entry_path, "/api/v1/nutrition/entries/{entry_id}");
  call("patch", entry_path, "/api/v1/nutrition/entries/{entry_id}",
       R"({"calories":310})");
  call("delete", entry_path, "/api/v1/nutrition/entries/{entry_id}");
  call("get", entry_path, "/api/v1/nutrition/entries/{entry_id}");
  call("put", "/api/v1/wellness", "/api/v1/wellness",
       R"({"date":"2026-11-30","rhr":50,"sleep_hours":7.5})");
  call("get", "/api/v1/wellness?from_date=2026-11-01&to_date=2026-11-30",
       "/api/v1/wellness");
  call("get", "/api/v1/wellness?from_date=nope", "/api/v1/wellness");
  auto w =
    call("post", "/api/v1/workouts", "/api/v1/workouts",
         R"({"start_date":"2026-11-30T10:00:00Z","name":"Run","tss":40})");
  call("get", "/api/v1/workouts?from_date=2026-11-01&to_date=2026-11-30",
       "/api/v1/workouts");
  call("patch", "/api/v1/workouts/" + json_field(w.body, "id"),
       "/api/v1/workouts/{workout_id}", R"({"tss":45})");
  call("get", "/api/v1/workouts/fitness", "/api/v1/workouts/fitness");
  call("post", "/api/v1/photo/save-sleep", "/api/v1/photo/save-sleep",
       R"({"date":"2026-11-30","sleep_hours":7.2})");
  call("get", "/api/v1/photo/sleep-extractions",
       "/api/v1/photo/sleep-extractions");
  call("get", "/api/v1/intervals/status", "/api/v1/intervals/status");
  call("post", "/api/v1/intervals/sync", "/api/v1/intervals/sync");
  call("get", "/api/v1/intervals/events", "/api/v1/intervals/events");
  call("post", "/api/v1/chat/orchestrator/run",
       "/api/v1/chat/orchestrator/run");
  call("get", "/api/v1/decisions", "/api/v1/decisions");
  call("get", "/api/v1/chat/history", "/api/v1/chat/history");
  call("get", "/api/v1/chat/history?limit=x", "/api/v1/chat/history");
  call("post", "/api/v1/chat/send", "/api/v1/chat/send", R"({"message":""})");
  call("get", "/api/v1/strava/status", "/api/v1/strava/status");
  fits("get", "/api/v1/admin/actors", f.admin("/api/v1/admin/actors"));
  CHECK(checked == 36);
}

TEST_CASE("admin page: headless Chromium shows the live figures") {
  operator_fixture f;
  auto page = http_call(f.server.port(), "GET", "/admin");
  REQUIRE(page.status == 200);
  CHECK(page.header("content-type") == "text/html; charset=utf-8");
  auto a = register_athlete(f.server.port(), f.db, "page@x.org");
  REQUIRE(f.call(a, "GET", "/api/v1/wellness").status == 200);

  mkdir("artifacts", 0755);
  auto shot = std::string{"artifacts/admin-page.png"};
  std::remove(shot.c_str());
  auto base = "http://127.0.0.1:" + std::to_string(f.server.port()) + "/admin";
  auto dom = chromium(base + "#token=" + test_admin_token, shot);
  INFO(dom.substr(0, 4000));
  CHECK(dom.find("Live — updated") != std::string::npos);
  CHECK(dom.find(R"(data-figure="user_actors.resident">1<)") !=
        std::string::npos);
  CHECK(dom.find(R"(data-figure="db.num_connections">4<)") !=
        std::string::npos);
  CHECK(dom.find("mailbox user") != std::string::npos);
  CHECK(dom.find("<canvas") != std::string::npos);
  struct stat info {};
  REQUIRE(stat(shot.c_str(), &info) == 0);
  CHECK(info.st_size > 10'000); // a rendered page, not an empty one
  std::ifstream png{shot, std::ios::binary};
  char magic[8] = {};
  png.read(magic, 8);
  CHECK(std::string(magic + 1, 3) == "PNG");

  auto refused = chromium(base + "#token=adm-wrong", "");
  CHECK(refused.find("Token refused (403)") != std::string::npos);
  CHECK(refused.find("data-figure") == std::string::npos);
}

TEST_CASE("GET /docs: Swagger UI built in, rendering this server's document "
          "in a browser with no CDN") {
  operator_fixture f;
  auto page = http_call(f.server.port(), "GET", "/docs");
  REQUIRE(page.status == 200);
  CHECK(page.header("content-type") == "text/html; charset=utf-8");
  CHECK(page.body.find(R"(url: "/openapi.json")") != std::string::npos);
  CHECK(page.body.find("https://") == std::string::npos);
  auto js = http_call(f.server.port(), "GET", "/docs/swagger-ui-bundle.js");
  CHECK(js.status == 200);
  CHECK(js.header("content-type") == "application/javascript; charset=utf-8");
  CHECK(js.body.size() > 500'000);
  CHECK(js.body.find("SwaggerUIBundle") != std::string::npos);
  auto css = http_call(f.server.port(), "GET", "/docs/swagger-ui.css");
  CHECK(css.status == 200);
  CHECK(css.header("content-type") == "text/css; charset=utf-8");
  CHECK(css.body.find(".swagger-ui") != std::string::npos);
  // Rendered by headless Chromium: the operations of the document.
  auto dom = chromium(
    "http://127.0.0.1:" + std::to_string(f.server.port()) + "/docs", "");
  INFO(dom.substr(0, 3000));
  CHECK(dom.find("Smart Trainer") != std::string::npos);
  CHECK(dom.find("/api/v1/auth/register") != std::string::npos);
  CHECK(dom.find("/api/v1/chat/orchestrator/run") != std::string::npos);
}

TEST_CASE("structured logs: JSON lines with request id, user id and actor") {
  operator_fixture f{{{"LOG_FORMAT", "json"}}};
  auto a = register_athlete(f.server.port(), f.db, "logs@x.org");
  auto me = http_call(
    f.server.port(), "GET", "/api/v1/auth/me", "",
    {{"Authorization", "Bearer " + a.token}, {"X-Request-Id", "req-logs-1"}});
  REQUIRE(me.status == 200);
  // A line from inside the user's actor: its probe reminder fires.
  f.db.query("INSERT INTO user_reminders (user_id, kind, due_at) VALUES (" +
             std::to_string(a.id) + ", 'probe', now())");
  REQUIRE(eventually(
    [&] {
      return f.server.output().find("probe fired") != std::string::npos;
    },
    std::chrono::seconds(15)));
  // The access log reaches the file within a second.
  REQUIRE(eventually(
    [&] {
      return f.server.output().find("req-logs-1") != std::string::npos;
    },
    std::chrono::seconds(5)));
  int lines = 0;
  bool access_seen = false;
  bool actor_seen = false;
  std::istringstream in{f.server.output()};
  for (std::string line; std::getline(in, line);) {
    INFO(line);
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    REQUIRE(doc.IsObject());
    for (auto* key : {"time", "level", "logger", "message"})
      CHECK(doc.HasMember(key));
    ++lines;
    if (doc.HasMember("request_id") &&
        doc["request_id"].GetString() == std::string{"req-logs-1"}) {
      access_seen = true;
      CHECK(doc["route"].GetString() == std::string{"/api/v1/auth/me"});
      CHECK(doc["status"].GetInt() == 200);
      CHECK(doc["user_id"].GetInt() == a.id);
      CHECK(doc["method"].GetString() == std::string{"GET"});
    }
    if (std::string{doc["message"].GetString()}.find("probe fired") == 0) {
      actor_seen = true;
      CHECK(doc["actor"].GetString() == std::string{"user"});
      CHECK(doc["user_id"].GetInt() == a.id);
    }
  }
  CHECK(lines > 10);
  CHECK(access_seen);
  CHECK(actor_seen);
}

} // namespace st::test
