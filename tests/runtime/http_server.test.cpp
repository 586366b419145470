// The HTTP front over real loopback connections.
#include "tests/support/environment.hpp"
#include "tests/support/gunzip.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace st::test;

namespace {

struct front_fixture {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()}}};
};

/// A 422 body well over 500 bytes: the long e-mail is echoed back.
const std::string long_register_body =
  R"({"email":")" + std::string(600, 'x') + R"(","password":"longenough"})";

} // namespace

TEST_CASE_METHOD(front_fixture, "gzip for large bodies when accepted") {
  auto plain = http_call(server.port(), "POST", "/api/v1/auth/register",
                         long_register_body);
  REQUIRE(plain.status == 422);
  REQUIRE(plain.body.size() >= 500);
  CHECK(plain.header("content-encoding").empty());
  auto zipped =
    http_call(server.port(), "POST", "/api/v1/auth/register",
              long_register_body, {{"Accept-Encoding", "gzip, br"}});
  CHECK(zipped.status == 422);
  CHECK(zipped.header("content-encoding") == "gzip");
  CHECK(zipped.header("vary").find("Accept-Encoding") != std::string::npos);
  CHECK(zipped.body.size() < plain.body.size());
  CHECK(gunzip(zipped.body) == plain.body);
  auto small = http_call(server.port(), "GET", "/health", "",
                         {{"Accept-Encoding", "gzip"}});
  CHECK(small.header("content-encoding").empty());
  CHECK(small.body == R"({"status":"ok"})");
}

TEST_CASE_METHOD(front_fixture,
                 "CORS preflight and simple requests with security headers") {
  auto pre = http_call(
    server.port(), "OPTIONS", "/api/v1/auth/me", "",
    {{"Origin", "http://localhost:8081"},
     {"Access-Control-Request-Method", "GET"},
     {"Access-Control-Request-Headers", "authorization,content-type"}});
  CHECK(pre.status == 200);
  CHECK(pre.body == "OK");
  CHECK(pre.header("access-control-allow-origin") == "http://localhost:8081");
  CHECK(pre.header("access-control-allow-headers") ==
        "authorization,content-type");
  CHECK(pre.header("access-control-allow-credentials") == "true");
  CHECK(pre.header("access-control-max-age") == "600");
  CHECK(pre.header("x-frame-options").empty());
  auto denied = http_call(server.port(), "OPTIONS", "/api/v1/auth/me", "",
                          {{"Origin", "http://evil.example"},
                           {"Access-Control-Request-Method", "GET"}});
  CHECK(denied.status == 400);
  CHECK(denied.body == "Disallowed CORS origin");

  auto simple = http_call(server.port(), "GET", "/health", "",
                          {{"Origin", "http://localhost:19006"}});
  CHECK(simple.header("access-control-allow-origin") ==
        "http://localhost:19006");
  CHECK(simple.header("vary") == "Origin");
  CHECK(simple.header("x-content-type-options") == "nosniff");
  CHECK(simple.header("x-frame-options") == "DENY");
  CHECK(simple.header("referrer-policy") == "strict-origin-when-cross-origin");
  CHECK(simple.header("strict-transport-security").empty());
  auto foreign = http_call(server.port(), "GET", "/nowhere", "",
                           {{"Origin", "http://evil.example"}});
  CHECK(foreign.status == 404);
  CHECK(foreign.header("access-control-allow-origin").empty());
  CHECK(foreign.header("x-frame-options") == "DENY");
}

TEST_CASE("CORS wildcard mode and HSTS") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"CORS_ORIGINS", ""},
                         {"ENABLE_HSTS", "true"}}};
  auto r =
    http_call(server.port(), "GET", "/health", "", {{"Origin", "http://any"}});
  CHECK(r.header("access-control-allow-origin") == "*");
  CHECK(r.header("strict-transport-security") ==
        "max-age=31536000; includeSubDomains");
  auto c = http_call(server.port(), "GET", "/health", "",
                     {{"Origin", "http://any"}, {"Cookie", "a=b"}});
  CHECK(c.header("access-control-allow-origin") == "http://any");
}

TEST_CASE_METHOD(front_fixture,
                 "404, 405 with Allow, 307 for a trailing slash") {
  auto nf = http_call(server.port(), "GET", "/api/v1/nope");
  CHECK(nf.status == 404);
  CHECK(nf.body == R"({"detail":"Not Found"})");
  auto na = http_call(server.port(), "GET", "/api/v1/auth/login");
  CHECK(na.status == 405);
  CHECK(na.body == R"({"detail":"Method Not Allowed"})");
  CHECK(na.header("allow") == "POST");
  auto slash = http_call(server.port(), "GET", "/api/v1/auth/me/?x=1");
  CHECK(slash.status == 307);
  CHECK(slash.header("location") == "/api/v1/auth/me?x=1");
}

TEST_CASE_METHOD(front_fixture,
                 "oversized bodies and headers get a JSON 413/431") {
  http_client c{server.port()};
  auto big =
    c.request("POST", "/api/v1/auth/login", std::string(1024 * 1024 + 1, ' '));
  CHECK(big.status == 413);
  CHECK(json_field(big.body, "detail").find("too large") != std::string::npos);
  CHECK(big.header("connection") == "close");

  http_client chunked{server.port()};
  chunked.send_raw("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n");
  std::string chunk(64 * 1024, 'a');
  char size_line[32];
  std::snprintf(size_line, sizeof(size_line), "%zx\r\n", chunk.size());
  auto r = [&] {
    try {
      for (int i = 0; i < 20; ++i)
        chunked.send_raw(size_line + chunk + "\r\n");
    } catch (...) {
      // The server may close while we still write: the reply is what counts.
    }
    return chunked.read_reply();
  }();
  CHECK(r.status == 413);

  auto headers = http_call(server.port(), "GET", "/health", "",
                           {{"X-Big", std::string(20 * 1024, 'h')}});
  CHECK(headers.status == 431);
  CHECK(json_field(headers.body, "detail") ==
        "Request headers too large (max 16 KB)");

  auto ok = http_call(server.port(), "GET", "/health");
  CHECK(ok.status == 200);
}

TEST_CASE_METHOD(
  front_fixture,
  "pipelined requests are answered in order with their request ids") {
  http_client c{server.port()};
  std::string body = R"({"email":"pipe@example.com","password":"password1"})";
  c.send_raw(
    "POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n"
    "Content-Type: application/json\r\nContent-Length: " +
    std::to_string(body.size()) + "\r\n\r\n" + body +
    "GET /nope HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\n\r\n"
    "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: bad id!\r\n\r\n");
  auto a = c.read_reply();
  auto b = c.read_reply();
  auto d = c.read_reply();
  CHECK(a.status == 200);
  CHECK(a.header("x-request-id") == "first");
  CHECK(json_field(a.body, "token_type") == "bearer");
  CHECK(b.status == 404);
  CHECK(b.header("x-request-id") == "second");
  CHECK(d.status == 200);
  CHECK(d.header("x-request-id").size() == 32);
  auto e = c.request("GET", "/health");
  CHECK(e.status == 200);
  // The access log is buffered: its lines arrive within a second.
  CHECK(eventually(
    [&] {
      return server.output().find("127.0.0.1 POST /api/v1/auth/register 200") !=
               std::string::npos &&
             server.output().find("request_id=first") != std::string::npos;
    },
    std::chrono::seconds(5)));
}

TEST_CASE("rate limit: per user when authenticated, per client IP otherwise") {
  within_one_minute(15);
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"RATE_LIMIT_PER_MINUTE", "4"},
                         {"TRUSTED_PROXIES", "127.0.0.1"}}};
  auto reg = http_call(server.port(), "POST", "/api/v1/auth/register",
                       R"({"email":"rl@example.com","password":"password1"})",
                       {{"X-Forwarded-For", "203.0.113.1"}});
  REQUIRE(reg.status == 200);
  auto token = json_field(reg.body, "access_token");
  auto from = [&](const std::string& ip) {
    return http_call(server.port(), "GET", "/nope", "",
                     {{"X-Forwarded-For", ip}});
  };
  for (int i = 0; i < 4; ++i)
    CHECK(from("203.0.113.7").status == 404);
  auto limited = from("203.0.113.7");
  CHECK(limited.status == 429);
  CHECK(json_field(limited.body, "error") ==
        "Rate limit exceeded: 4 per 1 minute");
  CHECK(json_field(limited.body, "detail") ==
        "Rate limit exceeded: 4 per 1 minute");
  auto wait = std::stoi(limited.header("retry-after"));
  CHECK(wait >= 1);
  CHECK(wait <= 60);
  CHECK(from("203.0.113.8").status == 404);
  CHECK(http_call(server.port(), "GET", "/health", "",
                  {{"X-Forwarded-For", "203.0.113.7"}})
          .status == 200);
  for (int i = 0; i < 4; ++i) {
    auto r = http_call(server.port(), "GET", "/api/v1/auth/me", "",
                       {{"X-Forwarded-For", "203.0.113.7"},
                        {"Authorization", "Bearer " + token}});
    CHECK(r.status == 200);
  }
  CHECK(http_call(server.port(), "GET", "/api/v1/auth/me", "",
                  {{"Authorization", "Bearer " + token}})
          .status == 429);
}
