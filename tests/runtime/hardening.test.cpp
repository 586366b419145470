// No request can take the server down, and no default lets anyone in:
// regression tests for each defect of the attacker's probe, through real
// HTTP against the real binary.
#include "protocols/tokens.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <csignal>
#include <thread>

using namespace st::test;

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct hardening_fixture {
  scratch_database db;
  server_process server{
    {{"DATABASE_URL", db.dsn()}, {"RATE_LIMIT_PER_MINUTE", "100000"}}};
  athlete a = register_athlete(server.port(), db, "hard@example.com");

  http_reply call(const std::string& method, const std::string& path,
                  const std::string& body = {}) {
    return http_call(server.port(), method, path, body, bearer(a.token));
  }

  /// Whether the process still answers.
  bool alive() {
    return http_call(server.port(), "GET", "/health").body ==
           R"({"status":"ok"})";
  }
};

/// Whether `body` is one valid JSON document.
bool valid_json(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  return !doc.HasParseError();
}

/// `n` levels of arrays: `[[[...]]]`.
std::string array_bomb(size_t n) {
  return std::string(n, '[') + std::string(n, ']');
}

/// `n` levels of objects: `{"":{"":...1}}`.
std::string object_bomb(size_t n) {
  std::string result;
  result.reserve(n * 5 + 1);
  for (size_t i = 0; i < n; ++i)
    result += "{\"\":";
  result += '1';
  result.append(n, '}');
  return result;
}

/// Raw bytes to the server; answers everything it sends back until it
/// closes the connection (or 5 s pass).
std::string raw_exchange(uint16_t port, const std::string& bytes) {
  net::io_context ioc;
  tcp::socket s{ioc};
  s.connect({net::ip::make_address("127.0.0.1"), port});
  net::write(s, net::buffer(bytes));
  std::string result;
  timeval tv{5, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char buf[4096];
  for (;;) {
    boost::system::error_code ec;
    auto n = s.read_some(net::buffer(buf), ec);
    if (ec)
      break;
    result.append(buf, n);
  }
  return result;
}

size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (auto i = text.find(part); i != std::string::npos;
       i = text.find(part, i + 1))
    ++n;
  return n;
}

} // namespace

TEST_CASE_METHOD(hardening_fixture,
                 "nesting bombs on every JSON route, with and without a "
                 "token: a 422 each, the process lives") {
  auto workout = call("POST", "/api/v1/workouts",
                      R"({"start_date":"2026-03-01","name":"w"})");
  REQUIRE(workout.status == 201);
  auto food = call("POST", "/api/v1/nutrition/entries",
                   R"({"name":"x","portion_grams":1,"calories":1,)"
                   R"("protein_g":1,"fat_g":1,"carbs_g":1})");
  REQUIRE(food.status == 200);
  std::vector<std::pair<std::string, std::string>> routes{
    {"POST", "/api/v1/auth/register"},
    {"POST", "/api/v1/auth/login"},
    {"POST", "/api/v1/auth/refresh"},
    {"POST", "/api/v1/auth/logout"},
    {"PATCH", "/api/v1/athlete-profile"},
    {"POST", "/api/v1/nutrition/entries"},
    {"PATCH", "/api/v1/nutrition/entries/" + json_field(food.body, "id")},
    {"POST", "/api/v1/photo/save-sleep"},
    {"PUT", "/api/v1/wellness"},
    {"POST", "/api/v1/workouts"},
    {"PATCH", "/api/v1/workouts/" + json_field(workout.body, "id")},
    {"POST", "/api/v1/intervals/link"},
    {"POST", "/api/v1/intervals/events"},
  };
  auto arrays = array_bomb(500'000);
  auto objects = object_bomb(200'000); // 1 MB, the body limit
  for (auto& [method, path] : routes)
    for (auto* bomb : {&arrays, &objects})
      for (bool with_token : {false, true}) {
        INFO(method << " " << path << (with_token ? " with token" : ""));
        auto r = http_call(server.port(), method, path, *bomb,
                           with_token ? bearer(a.token)
                                      : std::map<std::string, std::string>{});
        CHECK(r.status == 422);
        CHECK(r.body.find("Nesting deeper than 64 levels") !=
              std::string::npos);
        CHECK(r.body.size() < 1024);
        REQUIRE(alive());
      }
  // 500,000 levels of objects do not fit the 1 MB body limit: 413 first.
  auto huge = object_bomb(500'000);
  for (auto& [method, path] : routes) {
    INFO(method << " " << path);
    auto r = http_call(server.port(), method, path, huge, bearer(a.token));
    CHECK(r.status == 413);
    REQUIRE(alive());
  }
  // A route that takes no body ignores one, however deep.
  auto profile = http_call(server.port(), "GET", "/api/v1/athlete-profile",
                           arrays, bearer(a.token));
  CHECK(profile.status == 200);
  CHECK(alive());
  // 64 levels are fine (a 422 for the shape, not the depth).
  auto ok_depth = call("PATCH", "/api/v1/athlete-profile", array_bomb(64));
  CHECK(ok_depth.status == 422);
  CHECK(ok_depth.body.find("Nesting") == std::string::npos);
}

TEST_CASE_METHOD(hardening_fixture,
                 "strings: invalid UTF-8 and NUL are 422 with a valid JSON "
                 "body, and nothing is stored") {
  auto bad = call("POST", "/api/v1/workouts",
                  "{\"start_date\":\"2026-03-01\",\"name\":\"a\xff\xfe\"}");
  CHECK(bad.status == 422);
  CHECK(valid_json(bad.body));
  CHECK(json_field(bad.body, "detail").empty()); // a list, not a string
  CHECK(bad.body.find("json_invalid") != std::string::npos);
  auto nul = call("POST", "/api/v1/workouts",
                  R"({"start_date":"2026-03-01","name":"a\u0000b"})");
  CHECK(nul.status == 422);
  CHECK(nul.body.find("NUL character") != std::string::npos);
  // A lone surrogate escape (found by the json_bodies fuzzer) used to
  // reach PostgreSQL as ill-formed UTF-8: a 500.
  auto lone = call("POST", "/api/v1/workouts",
                   R"({"start_date":"2026-03-01","name":"caf\ude00"})");
  CHECK(lone.status == 422);
  CHECK(lone.body.find("lone UTF-16 surrogate") != std::string::npos);
  CHECK(db.query("SELECT count(*) FROM workouts")[0][0] == "0");

  // register {"email": "\u0000@", ...} used to create an empty account.
  auto reg = http_call(server.port(), "POST", "/api/v1/auth/register",
                       R"({"email":"\u0000@","password":"\u0000aaaaaaa"})");
  CHECK(reg.status == 422);
  CHECK(db.query("SELECT count(*) FROM users")[0][0] == "1");

  // Invalid bytes in a query value are echoed as U+FFFD: still valid JSON.
  auto q = call("GET", "/api/v1/wellness?from_date=%ff%fe");
  CHECK(q.status == 422);
  CHECK(valid_json(q.body));
  CHECK(q.body.find("\xEF\xBF\xBD") != std::string::npos);
}

TEST_CASE_METHOD(hardening_fixture,
                 "a 422 echoes only a bounded prefix of the input") {
  auto big = std::string(200'000, 'x');
  auto r = call("POST", "/api/v1/workouts",
                R"({"start_date":"2026-03-01","name":")" + big + R"("})");
  CHECK(r.status == 422);
  CHECK(r.body.find("string_too_long") != std::string::npos);
  CHECK(r.body.size() < 2048);
  CHECK(r.body.find(R"("input":"xxx)") != std::string::npos); // the text
  CHECK(r.body.find("xxx…") != std::string::npos);
  auto arr = call("PATCH", "/api/v1/athlete-profile",
                  "[" + std::string(300'000, '1') + "]");
  CHECK(arr.status == 422);
  CHECK(arr.body.size() < 2048);
}

TEST_CASE_METHOD(hardening_fixture,
                 "numbers: beyond the column or insane is 422, hex strings "
                 "are not numbers") {
  for (auto& body : {R"({"ftp":1e16})", R"({"birth_year":1e308})",
                     R"({"ftp":"0x10"})", R"({"weight_kg":1e9})",
                     R"({"height_cm":-1})", R"({"weight_kg":"inf"})"}) {
    INFO(body);
    auto r = call("PATCH", "/api/v1/athlete-profile", body);
    CHECK(r.status == 422);
    CHECK(valid_json(r.body));
  }
  auto ftp = call("PATCH", "/api/v1/athlete-profile", R"({"ftp":1e16})");
  CHECK(ftp.body.find("int_parsing_size") != std::string::npos);
  auto fine = call("PATCH", "/api/v1/athlete-profile",
                   R"({"ftp":"250","weight_kg":" 71.5 "})");
  CHECK(fine.status == 200);
  CHECK(json_field(fine.body, "ftp") == "250");
  CHECK(fine.body.find(R"("weight_kg":71.5,)") != std::string::npos);

  for (auto& body : {R"({"start_date":"2026-03-01","tss":1.7e308})",
                     R"({"start_date":"2026-03-01","distance_m":1e300})",
                     R"({"start_date":"2026-03-01","duration_sec":1e12})"}) {
    INFO(body);
    CHECK(call("POST", "/api/v1/workouts", body).status == 422);
  }
  // Rows stored before the bounds (a reference database) cannot break the
  // load figures: two absurd days still answer numbers.
  db.query("INSERT INTO workouts (user_id, start_date, tss, source) VALUES "
           "(" +
           std::to_string(a.id) + ", now(), 1.7e308, 'manual'), (" +
           std::to_string(a.id) + ", now(), 1.7e308, 'manual')");
  auto load = call("GET", "/api/v1/workouts/fitness");
  CHECK(load.status == 200);
  CHECK(valid_json(load.body));
  CHECK(load.body.find(R"("ctl":238.1,)") != std::string::npos);
}

TEST_CASE_METHOD(hardening_fixture,
                 "dates outside 0001-9999, given or computed, are 422 and "
                 "no answer prints a five-digit year") {
  for (auto& q : {"/api/v1/wellness?to_date=0001-01-01",
                  "/api/v1/workouts?to_date=0001-01-05",
                  "/api/v1/wellness?to_date=9999-12-31",
                  "/api/v1/photo/sleep-extractions?to_date=0001-01-01"}) {
    INFO(q);
    auto r = call("GET", q);
    CHECK(r.status == 422);
    CHECK(valid_json(r.body));
  }
  auto early = call("POST", "/api/v1/workouts",
                    R"({"start_date":"0001-01-01T00:00:00+01:00"})");
  CHECK(early.status == 422);
  auto late = call("POST", "/api/v1/workouts",
                   R"({"start_date":"9999-12-31T23:00:00-02:00"})");
  CHECK(late.status == 422);
  auto edge = call("POST", "/api/v1/workouts",
                   R"({"start_date":"0001-01-01T01:00:00+01:00"})");
  CHECK(edge.status == 201);
  CHECK(json_field(edge.body, "start_date") == "0001-01-01T00:00:00+00:00");
  auto list =
    call("GET", "/api/v1/wellness?from_date=0001-01-01&to_date=0001-01-02");
  CHECK(list.status == 200);
}

TEST_CASE_METHOD(hardening_fixture, "workout notes have a limit") {
  auto r = call("POST", "/api/v1/workouts",
                R"({"start_date":"2026-03-01","notes":")" +
                  std::string(10'001, 'n') + R"("})");
  CHECK(r.status == 422);
  CHECK(r.body.find(R"("max_length":10000)") != std::string::npos);
  auto ok = call("POST", "/api/v1/workouts",
                 R"({"start_date":"2026-03-01","notes":")" +
                   std::string(10'000, 'n') + R"("})");
  CHECK(ok.status == 201);
}

TEST_CASE_METHOD(hardening_fixture,
                 "Transfer-Encoding other than chunked is 400 and closes: no "
                 "request smuggling") {
  for (auto& te : {"xchunked", "chunked, identity", "identity"}) {
    INFO(te);
    auto smuggled = std::string{"POST /api/v1/auth/login HTTP/1.1\r\n"
                                "Host: x\r\nContent-Type: application/json\r\n"
                                "Transfer-Encoding: "} +
                    te +
                    "\r\n\r\n"
                    "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    auto out = raw_exchange(server.port(), smuggled);
    CHECK(out.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(out.find("Unsupported Transfer-Encoding") != std::string::npos);
    CHECK(count_of(out, "HTTP/1.1 ") == 1); // the GET never ran
  }
  auto both = raw_exchange(server.port(),
                           "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                           "Content-Length: 5\r\nTransfer-Encoding: chunked"
                           "\r\n\r\n0\r\n\r\n");
  CHECK(both.rfind("HTTP/1.1 400", 0) == 0);
  // Plain chunked still works.
  auto chunked = raw_exchange(
    server.port(), "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                   "Content-Type: application/json\r\nConnection: close\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  CHECK(chunked.rfind("HTTP/1.1 422", 0) == 0);
  CHECK(alive());
}

TEST_CASE_METHOD(hardening_fixture,
                 "Expect: 100-continue is answered before the body is sent") {
  net::io_context ioc;
  tcp::socket s{ioc};
  s.connect({net::ip::make_address("127.0.0.1"), server.port()});
  std::string body = R"({"email":"hard@example.com","password":"password1"})";
  net::write(s, net::buffer("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                            "Content-Type: application/json\r\n"
                            "Expect: 100-continue\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n"));
  timeval tv{2, 0}; // curl waits 1 s; the interim answer comes well before
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char buf[256];
  boost::system::error_code ec;
  auto n = s.read_some(net::buffer(buf), ec);
  REQUIRE_FALSE(ec);
  CHECK(std::string(buf, n) == "HTTP/1.1 100 Continue\r\n\r\n");
  net::write(s, net::buffer(body));
  n = s.read_some(net::buffer(buf), ec);
  CHECK(std::string(buf, n).rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE_METHOD(hardening_fixture,
                 "a request refused before its body is read still gets its "
                 "answer, not a reset") {
  net::io_context ioc;
  tcp::socket s{ioc};
  s.connect({net::ip::make_address("127.0.0.1"), server.port()});
  std::string body(3 * 1024 * 1024, ' ');
  net::write(s, net::buffer("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                            "Content-Type: application/json\r\n"
                            "Content-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n"));
  boost::system::error_code ec;
  net::write(s, net::buffer(body), ec); // the server drains it
  CHECK_FALSE(ec);
  std::string out;
  char buf[4096];
  for (;;) {
    auto n = s.read_some(net::buffer(buf), ec);
    if (ec)
      break;
    out.append(buf, n);
  }
  CHECK(out.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(out.find("Request body too large") != std::string::npos);
}

TEST_CASE_METHOD(hardening_fixture,
                 "a client that pipelines and never reads is cut off once its "
                 "unread answers pass 16 MB") {
  db.query("INSERT INTO workouts (user_id, start_date, name, source, notes) "
           "SELECT " +
           std::to_string(a.id) +
           ", now() - i * interval '1 hour', 'w' || i, 'manual', "
           "repeat('n', 10000) FROM generate_series(1, 150) i");
  auto one = call("GET", "/api/v1/workouts");
  REQUIRE(one.status == 200);
  REQUIRE(one.body.size() > 1'400'000);
  std::string burst;
  for (int i = 0; i < 16; ++i)
    burst += "GET /api/v1/workouts HTTP/1.1\r\nHost: x\r\nAuthorization: "
             "Bearer " +
             a.token + "\r\n\r\n";
  net::io_context ioc;
  tcp::socket s{ioc};
  s.connect({net::ip::make_address("127.0.0.1"), server.port()});
  int small = 4096; // keep the kernel from absorbing the answers
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  net::write(s, net::buffer(burst));
  for (int i = 0; i < 100; ++i) {
    if (server.output().find("does not read its answers; closing") !=
        std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(server.output().find("does not read its answers; closing") !=
        std::string::npos);
  // What arrives is less than the 16 answers asked for, then the end.
  std::string got;
  char buf[65536];
  for (;;) {
    boost::system::error_code ec;
    auto n = s.read_some(net::buffer(buf), ec);
    if (ec)
      break;
    got.append(buf, n);
  }
  CHECK(got.size() < 16 * one.body.size());
  CHECK(alive());
  // One answer larger than the bound, alone, is delivered whole.
  auto big = register_athlete(server.port(), db, "big@example.com");
  db.query("INSERT INTO workouts (user_id, start_date, name, source, notes) "
           "SELECT " +
           std::to_string(big.id) +
           ", now() - i * interval '1 hour', 'w' || i, 'manual', "
           "repeat('n', 9000000) FROM generate_series(1, 2) i");
  auto whole =
    http_call(server.port(), "GET", "/api/v1/workouts", "", bearer(big.token));
  CHECK(whole.status == 200);
  CHECK(whole.body.size() > 18'000'000);
}

TEST_CASE("cached pages stay within the per-user and the global byte "
          "budget") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"ADMIN_TOKEN", test_admin_token},
                         {"USER_CACHE_MB", "1"}}};
  auto cached = [&] {
    return admin_stat(server.port(), {"user_actors", "cache_bytes"});
  };
  auto a = register_athlete(server.port(), db, "small@example.com");
  auto b = register_athlete(server.port(), db, "large@example.com");
  // 150 workouts with 10,000-character notes: 1.5 MB, over one user's
  // share of its 2 MB (half for workout pages): read, answered, not kept.
  db.query("INSERT INTO workouts (user_id, start_date, name, source, notes) "
           "SELECT " +
           std::to_string(b.id) +
           ", now() - i * interval '1 hour', 'w' || i, 'manual', "
           "repeat('n', 10000) FROM generate_series(1, 150) i");
  auto large =
    http_call(server.port(), "GET", "/api/v1/workouts", "", bearer(b.token));
  CHECK(large.status == 200);
  CHECK(cached() == 0);
  // A small page is kept, and counted.
  http_call(server.port(), "POST", "/api/v1/workouts",
            R"({"start_date":"2026-03-01","notes":"short"})", bearer(a.token));
  auto small =
    http_call(server.port(), "GET", "/api/v1/workouts", "", bearer(a.token));
  CHECK(small.status == 200);
  auto one_page = cached();
  CHECK(one_page > 0);
  CHECK(one_page < 10'000);
  // 1 MiB for everybody: pages of 400 KB each (counted twice: the page
  // and its rendered bytes), from two users, never both held.
  db.query("DELETE FROM workouts WHERE user_id = " + std::to_string(b.id));
  for (auto* who : {&a, &b})
    db.query("INSERT INTO workouts (user_id, start_date, name, source, notes) "
             "SELECT " +
             std::to_string(who->id) +
             ", now() - i * interval '1 hour', 'w' || i, 'manual', "
             "repeat('n', 10000) FROM generate_series(1, 40) i");
  // (the user actors cache until their own writes; fresh windows here)
  for (auto* who : {&a, &b}) {
    auto r =
      http_call(server.port(), "GET", "/api/v1/workouts?from_date=2026-01-01",
                "", bearer(who->token));
    CHECK(r.status == 200);
    CHECK(r.body.size() > 380'000);
    CHECK(cached() <= 1024 * 1024);
  }
  CHECK(cached() > 760'000);
}

TEST_CASE("connections are capped per client address and in total, "
          "trusted proxies are exempt from the per-client cap") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"MAX_CONNECTIONS_PER_CLIENT", "5"},
                         {"MAX_CONNECTIONS", "8"}}};
  std::vector<std::unique_ptr<http_client>> open;
  for (int i = 0; i < 5; ++i) {
    open.push_back(std::make_unique<http_client>(server.port()));
    CHECK(open.back()->request("GET", "/health").status == 200);
  }
  auto refused = http_call(server.port(), "GET", "/health");
  CHECK(refused.status == 503);
  CHECK(refused.body ==
        R"({"detail":"Too many open connections from your address"})");
  open.pop_back();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(http_call(server.port(), "GET", "/health").status == 200);

  server_process proxied{{{"DATABASE_URL", db.dsn()},
                          {"MAX_CONNECTIONS_PER_CLIENT", "2"},
                          {"MAX_CONNECTIONS", "4"},
                          {"TRUSTED_PROXIES", "127.0.0.1"}}};
  std::vector<std::unique_ptr<http_client>> via_proxy;
  for (int i = 0; i < 4; ++i) {
    via_proxy.push_back(std::make_unique<http_client>(proxied.port()));
    CHECK(via_proxy.back()->request("GET", "/health").status == 200);
  }
  auto full = http_call(proxied.port(), "GET", "/health");
  CHECK(full.status == 503);
  CHECK(full.body == R"({"detail":"Server has too many open connections, )"
                     R"(please retry shortly"})");
}

TEST_CASE("/ready costs at most one database probe at a time") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"ADMIN_TOKEN", test_admin_token},
                         {"RATE_LIMIT_PER_MINUTE", "100000"}}};
  auto trips = [&] {
    return admin_stat(server.port(), {"db", "num_round_trips"});
  };
  auto before = trips();
  std::vector<std::thread> callers;
  std::atomic<int> ready{0};
  for (int t = 0; t < 8; ++t)
    callers.emplace_back([&] {
      http_client c{server.port()};
      for (int i = 0; i < 50; ++i)
        ready += c.request("GET", "/ready").body == R"({"status":"ready"})";
    });
  for (auto& t : callers)
    t.join();
  CHECK(ready == 400);
  auto spent = trips() - before;
  // 400 calls on 8 connections: shared probes, never one per call.
  CHECK(spent < 300);
  CHECK(spent >= 1);
}

TEST_CASE("without SECRET_KEY tokens are signed with a random key: the "
          "public default signs nothing") {
  scratch_database db;
  server_process first{
    {{"DATABASE_URL", db.dsn()}, {"SECRET_KEY", "change-me-in-production"}}};
  CHECK(first.output().find("SECRET_KEY is not set: access tokens are signed "
                            "with a random key") != std::string::npos);
  auto a = register_athlete(first.port(), db, "rand@example.com");
  CHECK(http_call(first.port(), "GET", "/api/v1/auth/me", "", bearer(a.token))
          .status == 200);
  auto forged = st::mint_access_token({"change-me-in-production", "HS256", 600},
                                      a.id, "rand@example.com", time(nullptr));
  auto r =
    http_call(first.port(), "GET", "/api/v1/auth/me", "", bearer(forged));
  CHECK(r.status == 401);
  CHECK(r.body == R"({"detail":"Invalid or expired token"})");
  first.terminate();
  server_process second{
    {{"DATABASE_URL", db.dsn()}, {"SECRET_KEY", "change-me-in-production"}}};
  CHECK(http_call(second.port(), "GET", "/api/v1/auth/me", "", bearer(a.token))
          .status == 401);
}

TEST_CASE("a token without exp is refused") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()}, {"SECRET_KEY", "k1"}}};
  auto a = register_athlete(server.port(), db, "noexp@example.com");
  auto forever =
    st::sign_token({"k1", "HS256", 0}, R"({"sub":")" + std::to_string(a.id) +
                                         R"(","email":"noexp@example.com"})");
  auto r =
    http_call(server.port(), "GET", "/api/v1/auth/me", "", bearer(forever));
  CHECK(r.status == 401);
  CHECK(r.body == R"({"detail":"Invalid or expired token"})");
}

TEST_CASE("anonymous auth routes are limited per address even with a valid "
          "token riding along") {
  within_one_minute(15);
  scratch_database db;
  server_process server{
    {{"DATABASE_URL", db.dsn()}, {"RATE_LIMIT_PER_MINUTE", "6"}}};
  auto a = register_athlete(server.port(), db, "ride@example.com"); // 1
  int limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = http_call(server.port(), "POST", "/api/v1/auth/login",
                       R"({"email":"ride@example.com","password":"wrong-one"})",
                       bearer(a.token));
    limited += r.status == 429;
  }
  CHECK(limited == 3); // 1 + 5 allowed, then the address's limit
}

TEST_CASE("failed logins are limited per account, but addresses that logged in "
          "before are not locked out") {
  scratch_database db;
  server_process server{
    {{"DATABASE_URL", db.dsn()}, {"TRUSTED_PROXIES", "127.0.0.1"}}};
  register_athlete(server.port(), db, "victim@example.com");
  auto login = [&](const std::string& from, const std::string& password) {
    return http_call(server.port(), "POST", "/api/v1/auth/login",
                     R"({"email":"victim@example.com","password":")" +
                       password + R"("})",
                     {{"X-Forwarded-For", from}});
  };
  CHECK(login("10.0.0.1", "password1").status == 200); // the owner's phone
  for (int i = 0; i < 10; ++i) {
    // Spread over addresses: the per-address limit never triggers.
    auto r = login("10.9.0." + std::to_string(i), "guess" + std::to_string(i));
    CHECK(r.status == 401);
  }
  auto locked = login("10.9.0.99", "password1");
  CHECK(locked.status == 429);
  auto wait = std::stoi(locked.header("retry-after"));
  CHECK(wait > 800);
  CHECK(wait <= 900);
  CHECK(json_field(locked.body, "detail")
          .rfind("Too many failed logins for this account", 0) == 0);
  // The owner's address still gets in; another account is untouched.
  CHECK(login("10.0.0.1", "password1").status == 200);
  register_athlete(server.port(), db, "other@example.com");
  CHECK(http_call(server.port(), "POST", "/api/v1/auth/login",
                  R"({"email":"other@example.com","password":"password1"})",
                  {{"X-Forwarded-For", "10.9.0.99"}})
          .status == 200);
}

TEST_CASE("a refresh token used twice revokes its whole chain, and only it") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()}}};
  register_athlete(server.port(), db, "chain@example.com");
  auto login =
    http_call(server.port(), "POST", "/api/v1/auth/login",
              R"({"email":"chain@example.com","password":"password1"})");
  auto other =
    http_call(server.port(), "POST", "/api/v1/auth/login",
              R"({"email":"chain@example.com","password":"password1"})");
  auto refresh = [&](const std::string& token) {
    return http_call(server.port(), "POST", "/api/v1/auth/refresh",
                     R"({"refresh_token":")" + token + R"("})");
  };
  auto r1 = json_field(login.body, "refresh_token");
  auto step2 = refresh(r1);
  REQUIRE(step2.status == 200);
  auto r2 = json_field(step2.body, "refresh_token");
  auto step3 = refresh(r2);
  REQUIRE(step3.status == 200);
  auto r3 = json_field(step3.body, "refresh_token");
  // r1 stolen and replayed: refused, and the chain's live token (r3) dies.
  auto replay = refresh(r1);
  CHECK(replay.status == 401);
  CHECK(replay.body == R"({"detail":"Invalid or expired refresh token"})");
  CHECK(refresh(r3).status == 401);
  CHECK(server.output().find("a spent refresh token was presented again") !=
        std::string::npos);
  // The other login's chain lives on.
  CHECK(refresh(json_field(other.body, "refresh_token")).status == 200);
}

TEST_CASE("a refresh token issued before chains existed is chained on its "
          "first rotation") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()}}};
  auto a = register_athlete(server.port(), db, "legacy@example.com");
  auto legacy = st::new_refresh_token();
  db.query("INSERT INTO user_refresh_tokens (user_id, token_hash, expires_at) "
           "VALUES (" +
           std::to_string(a.id) + ", '" + st::sha256_hex(legacy) +
           "', now() + interval '1 day')");
  auto refresh = [&](const std::string& token) {
    return http_call(server.port(), "POST", "/api/v1/auth/refresh",
                     R"({"refresh_token":")" + token + R"("})");
  };
  auto next = refresh(legacy);
  REQUIRE(next.status == 200);
  CHECK(refresh(legacy).status == 401);
  CHECK(refresh(json_field(next.body, "refresh_token")).status == 401);
}

TEST_CASE("each core actor that dies ends the process in order with a "
          "non-zero status") {
  scratch_database db;
  for (auto* name :
       {"db_pool", "auth", "password_hasher", "upstream", "user_registry"}) {
    INFO(name);
    server_process server{
      {{"DATABASE_URL", db.dsn()}, {"FAULT_INJECTION", "true"}}};
    CHECK(http_call(server.port(), "GET", "/ready").status == 200);
    auto r = http_call(server.port(), "POST", "/api/v1/test/kill-core",
                       std::string{R"({"actor":")"} + name + R"("})");
    CHECK(r.status == 202);
    auto rc = server.wait_exit(std::chrono::seconds(15));
    CHECK(rc == 1);
    auto out = server.output();
    CHECK(out.find(std::string{"[ERROR] service: "} + name + " stopped") !=
          std::string::npos);
    CHECK(out.find("exiting with status 1") != std::string::npos);
  }
}

TEST_CASE("the kill switch does not exist without FAULT_INJECTION") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()}}};
  auto r = http_call(server.port(), "POST", "/api/v1/test/kill-core",
                     R"({"actor":"db_pool"})");
  CHECK(r.status == 404);
  CHECK(http_call(server.port(), "GET", "/ready").status == 200);
}

TEST_CASE("a fatal signal writes one line to the log before the process "
          "dies") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()}}};
  server.signal(SIGSEGV);
  auto rc = server.wait_exit(std::chrono::seconds(10));
  CHECK(rc == 128 + SIGSEGV);
  CHECK(server.output().find("[CRITICAL] service: fatal signal SEGV "
                             "(Segmentation fault)") != std::string::npos);
}

TEST_CASE_METHOD(hardening_fixture,
                 "path segments are percent-decoded and a bad path "
                 "parameter is named as FastAPI names it") {
  auto w = call("POST", "/api/v1/workouts",
                R"({"start_date":"2026-03-01","name":"one"})");
  auto id = json_field(w.body, "id");
  std::string escaped;
  for (char c : id)
    escaped += "%3" + std::string(1, c);
  auto r = call("PATCH", "/api/v1/workouts/" + escaped, R"({"name":"two"})");
  CHECK(r.status == 200);
  CHECK(json_field(r.body, "name") == "two");
  auto bad = call("PATCH", "/api/v1/workouts/abc", R"({"name":"x"})");
  CHECK(bad.status == 422);
  CHECK(bad.body ==
        R"({"detail":[{"type":"int_parsing","loc":["path","workout_id"],)"
        R"("msg":"Input should be a valid integer, unable to parse string )"
        R"(as an integer","input":"abc"}]})");
  // A control character decoded from the path (%00) is no integer either:
  // FastAPI's 422, not a lookup of entry 0.
  auto nul = call("GET", "/api/v1/nutrition/entries/%00");
  CHECK(nul.status == 422);
  CHECK(nul.body ==
        R"({"detail":[{"type":"int_parsing","loc":["path","entry_id"],)"
        R"("msg":"Input should be a valid integer, unable to parse string )"
        R"(as an integer","input":"\u0000"}]})");
  CHECK(call("DELETE", "/api/v1/workouts/7%00").status == 422);
  // Repeated query parameters: the last wins.
  auto page = call("GET", "/api/v1/workouts?limit=500&limit=2");
  CHECK(page.status == 200);
  CHECK(json_field(page.body, "limit") == "2");
}

TEST_CASE("POST /users/seed: not found without DEBUG, the development "
          "account with it") {
  scratch_database db;
  {
    server_process server{{{"DATABASE_URL", db.dsn()}}};
    auto r = http_call(server.port(), "POST", "/api/v1/users/seed");
    CHECK(r.status == 404);
    CHECK(r.body == R"({"detail":"Not found"})");
  }
  server_process server{{{"DATABASE_URL", db.dsn()}, {"DEBUG", "true"}}};
  auto created = http_call(server.port(), "POST", "/api/v1/users/seed");
  CHECK(created.status == 200);
  CHECK(created.body ==
        R"({"message":"Default user created",)"
        R"("email":"dev@smart-trainer.local","password":"dev"})");
  auto again = http_call(server.port(), "POST", "/api/v1/users/seed");
  CHECK(again.body == R"({"message":"User already exists","status":"ok"})");
  auto login =
    http_call(server.port(), "POST", "/api/v1/auth/login",
              R"({"email":"dev@smart-trainer.local","password":"dev"})");
  CHECK(login.status == 200);
}
