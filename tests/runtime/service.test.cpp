// The process as operators see it: settings errors, shutdown, outages.
#include "protocols/tokens.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>
#include <libpq-fe.h>

#include <future>
#include <thread>

using namespace st::test;

namespace {

std::string pg_script(const std::string& call) {
  return "bash -c 'source " + std::string{ST_SOURCE_DIR} +
         "/scripts/lib/pg.sh && " + call + "'";
}

/// A PostgreSQL cluster of this test's own, so that it can be stopped.
struct own_cluster {
  std::string dir = "/tmp/st-own-pg-" + st::random_hex(4);
  std::string port;
  own_cluster() {
    auto [rc1, p] = run_shell(pg_script("pg_free_port"));
    REQUIRE(rc1 == 0);
    port = p.substr(0, p.find('\n'));
    start();
    auto [rc2, out] =
      run_shell(pg_script("pg_create_database " + port + " st"));
    INFO(out);
    REQUIRE(rc2 == 0);
  }
  ~own_cluster() {
    run_shell(pg_script("pg_cluster_stop " + dir + " immediate"));
    run_shell("rm -rf " + dir);
  }
  void start() {
    auto [rc, out] =
      run_shell(pg_script("pg_cluster_start " + dir + " " + port));
    INFO(out);
    REQUIRE(rc == 0);
  }
  void stop() {
    REQUIRE(
      run_shell(pg_script("pg_cluster_stop " + dir + " immediate")).first == 0);
  }
  std::string dsn() const {
    return "postgresql://postgres@127.0.0.1:" + port + "/st";
  }
};

std::string register_user(uint16_t port, const std::string& email) {
  auto r = http_call(port, "POST", "/api/v1/auth/register",
                     R"({"email":")" + email + R"(","password":"password1"})");
  REQUIRE(r.status == 200);
  return json_field(r.body, "access_token");
}

} // namespace

TEST_CASE("invalid settings exit with code 2 and one line naming the setting") {
  auto [rc1, out1] = run_binary({"serve"}, {{"DB_POOL_SIZE", "abc"}});
  CHECK(rc1 == 2);
  CHECK(out1 ==
        "invalid setting DB_POOL_SIZE: expected an integer, got 'abc'\n");
  auto [rc2, out2] = run_binary({"serve", "--port", "70000"}, {});
  CHECK(rc2 == 2);
  CHECK(out2.rfind("invalid setting PORT:", 0) == 0);
  auto [rc3, out3] = run_binary({"migrate"}, {{"ENVIRONMENT", "production"}});
  CHECK(rc3 == 2);
  CHECK(
    out3 ==
    "invalid setting SECRET_KEY: the default key is refused in production\n");
  auto [rc4, out4] = run_binary({"serve", "--config", "/nonexistent.env"}, {});
  CHECK(rc4 == 2);
  CHECK(out4.find("invalid setting --config") == 0);
  auto [rc5, out5] = run_binary({"--version"}, {});
  CHECK(rc5 == 0);
  CHECK(out5 == "smart-trainer 0.1.0\n");
  auto [rc6, out6] = run_binary({"frobnicate"}, {});
  CHECK(rc6 == 2);
}

TEST_CASE("start-up logs the effective configuration with secrets masked") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"SECRET_KEY", "super-secret-value"},
                         {"ADMIN_TOKEN", "admin-secret-value"}}};
  auto out = server.output();
  CHECK(out.find("[INFO] config: SECRET_KEY=***") != std::string::npos);
  CHECK(out.find("[INFO] config: ADMIN_TOKEN=***") != std::string::npos);
  CHECK(out.find("super-secret-value") == std::string::npos);
  CHECK(out.find("admin-secret-value") == std::string::npos);
  CHECK(out.find("config: PORT=0") != std::string::npos);
}

TEST_CASE(
  "PostgreSQL going away mid-request: 503, then recovery without restart") {
  own_cluster pg;
  server_process server{{{"DATABASE_URL", pg.dsn()}}};
  auto token = register_user(server.port(), "outage@example.com");
  CHECK(http_call(server.port(), "GET", "/ready").status == 200);

  std::future<http_reply> in_flight;
  {
    table_lock lock{pg.dsn(), "users"};
    in_flight = std::async(std::launch::async, [&] {
      return http_call(server.port(), "GET", "/api/v1/auth/me", "",
                       bearer(token));
    });
    // The request now waits on the lock inside PostgreSQL.
    REQUIRE(in_flight.wait_for(std::chrono::milliseconds(500)) ==
            std::future_status::timeout);
    pg.stop();
  }
  auto during = in_flight.get();
  CHECK(during.status == 503);
  CHECK(json_field(during.body, "detail").find("Database unavailable") == 0);
  CHECK(during.header("retry-after") == "2");
  auto ready = http_call(server.port(), "GET", "/ready");
  CHECK(ready.status == 503);
  CHECK(json_field(ready.body, "detail") == "Database unavailable");
  auto me =
    http_call(server.port(), "GET", "/api/v1/auth/me", "", bearer(token));
  CHECK(me.status == 503);
  CHECK(http_call(server.port(), "GET", "/health").status == 200);

  pg.start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    status =
      http_call(server.port(), "GET", "/api/v1/auth/me", "", bearer(token))
        .status;
    if (status == 200)
      break;
    CHECK(status == 503);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(status == 200);
  CHECK(http_call(server.port(), "GET", "/ready").status == 200);
  CHECK(server.output().find("[ERROR] api: unexpected") == std::string::npos);
}

TEST_CASE("SIGTERM with requests in flight: every one is answered") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()}, {"BCRYPT_COST", "12"}}};
  std::vector<std::future<http_reply>> replies;
  for (int i = 0; i < 6; ++i)
    replies.push_back(std::async(std::launch::async, [&, i] {
      return http_call(server.port(), "POST", "/api/v1/auth/register",
                       R"({"email":"term)" + std::to_string(i) +
                         R"(@example.com","password":"password1"})");
    }));
  // Let every request reach the server (6 hashes take ~0.75 s on 2 threads).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto started = std::chrono::steady_clock::now();
  CHECK(server.terminate() == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  for (auto& r : replies) {
    auto reply = r.get();
    CHECK(reply.status == 200);
    CHECK(json_field(reply.body, "token_type") == "bearer");
  }
  CHECK(db.query("SELECT count(*) FROM users")[0][0] == "6");
  CHECK_THROWS(http_call(server.port(), "GET", "/health"));
}

TEST_CASE(
  "a full DB queue refuses at once with 503 and queued work completes") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"DB_POOL_SIZE", "1"},
                         {"DB_QUEUE_LIMIT", "1"},
                         {"ADMIN_TOKEN", test_admin_token}}};
  auto token = register_user(server.port(), "queue@example.com");
  table_lock lock{db.dsn(), "users"};
  auto me = [&] {
    return http_call(server.port(), "GET", "/api/v1/auth/me", "",
                     bearer(token));
  };
  auto running = std::async(std::launch::async, me);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto queued = std::async(std::launch::async, me);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto refused = me();
  CHECK(refused.status == 503);
  CHECK(json_field(refused.body, "detail") ==
        "Server busy, please retry shortly");
  CHECK(refused.header("retry-after") == "2");
  lock.release();
  CHECK(running.get().status == 200);
  CHECK(queued.get().status == 200);
  auto stats = http_call(server.port(), "GET", "/api/v1/admin/stats", "",
                         bearer(test_admin_token));
  CHECK(stats.status == 200);
  CHECK(stats.body.find("\"num_refused\":1,") != std::string::npos);
  CHECK(stats.body.find("\"num_connections\":1}") != std::string::npos);
  CHECK(
    http_call(server.port(), "GET", "/api/v1/admin/stats", "", bearer("nope"))
      .status == 403);
  CHECK(http_call(server.port(), "GET", "/api/v1/admin/stats").status == 401);
}
