// DB actors against a real PostgreSQL: batching, transactions, counters.
#include "actors/db_pool.hpp"

#include "protocols/errors.hpp"
#include "runtime/migrator.hpp"
#include "tests/support/environment.hpp"

#include <catch2/catch.hpp>

using namespace st;
using namespace st::test;

namespace {

struct pool_fixture {
  scratch_database db;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;

  pool_fixture() {
    migrate_database(db.dsn());
    sys = std::make_unique<caf::actor_system>(cfg);
  }

  db_actor spawn_pool(bool pipeline, size_t size = 2) {
    db_pool_settings s;
    s.connection.conninfo = db.dsn();
    s.connection.pipeline = pipeline;
    s.size = size;
    return sys->spawn(db_pool, s);
  }

  caf::expected<db_reply> run(const db_actor& pool, db_batch batch) {
    caf::scoped_actor self{*sys};
    caf::expected<db_reply> result{caf::error{}};
    self
      ->request(pool, std::chrono::seconds(10), atom::exec_v, std::move(batch))
      .receive(
        [&](db_reply& x) {
          result = std::move(x);
        },
        [&](caf::error& err) {
          result = std::move(err);
        });
    return result;
  }

  db_stats stats(const db_actor& pool) {
    caf::scoped_actor self{*sys};
    db_stats result;
    self->request(pool, std::chrono::seconds(10), atom::status_v)
      .receive(
        [&](db_stats& x) {
          result = x;
        },
        [](caf::error&) {});
    return result;
  }

  ~pool_fixture() {
    sys.reset();
  }
};

db_statement insert_user(const std::string& email) {
  return {stmt::insert_user_with_token,
          {email, std::string{"h"}, std::string{"digest"}, std::string{"60"}}};
}

} // namespace

TEST_CASE_METHOD(pool_fixture, "a batch is one round trip in pipeline mode") {
  auto pipelined = GENERATE(true, false);
  auto pool = spawn_pool(pipelined);
  db_batch batch;
  batch.transaction = true;
  batch.statements = {insert_user("a@x"),
                      {stmt::user_by_email, {std::string{"a@x"}}},
                      {stmt::ping, {}}};
  auto reply = run(pool, batch);
  REQUIRE(reply);
  REQUIRE(reply->results.size() == 3);
  CHECK(*reply->results[1].rows.at(0).at(1) == "a@x");
  CHECK(*reply->results[2].rows.at(0).at(0) == "1");
  auto s = stats(pool);
  CHECK(s.num_statements == 3);
  CHECK(s.num_batches == 1);
  // Pipelined: the whole batch in one round trip; else BEGIN + 3 + COMMIT.
  CHECK(s.num_round_trips == (pipelined ? 1u : 5u));
  caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(pool_fixture, "a failing transaction leaves nothing behind") {
  auto pipelined = GENERATE(true, false);
  auto pool = spawn_pool(pipelined);
  db_batch batch;
  batch.transaction = true;
  batch.statements = {insert_user("dup@x"), insert_user("dup@x")};
  auto reply = run(pool, batch);
  REQUIRE_FALSE(reply);
  CHECK(reply.error() == db_ec::query_failed);
  CHECK(error_sqlstate(reply.error()) == "23505");
  CHECK(db.query("SELECT count(*) FROM users")[0][0] == "0");
  // Without a transaction each statement stands alone.
  batch.transaction = false;
  reply = run(pool, batch);
  REQUIRE_FALSE(reply);
  CHECK(db.query("SELECT count(*) FROM users")[0][0] == "1");
  // The connection is still usable afterwards.
  auto ping = run(pool, db_batch{{{stmt::ping, {}}}, false, false, {}});
  CHECK(ping);
  CHECK(stats(pool).num_failed == 2);
  caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(pool_fixture, "an unreachable server is db_ec::unavailable") {
  db_pool_settings s;
  s.connection.conninfo = "postgresql://postgres@127.0.0.1:1/none";
  s.size = 1;
  auto pool = sys->spawn(db_pool, s);
  auto reply = run(pool, db_batch{{{stmt::ping, {}}}, false, false, {}});
  REQUIRE_FALSE(reply);
  CHECK(reply.error() == db_ec::unavailable);
  // Within the back-off window the answer comes without a new attempt.
  reply = run(pool, db_batch{{{stmt::ping, {}}}, false, false, {}});
  CHECK(reply.error() == db_ec::unavailable);
  caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
}
