// The Strava job actors under CAF's deterministic scheduler: a fake
// database and a stand-in for the athlete's actor, every step run by hand.
#include "actors/strava_events_job.hpp"
#include "actors/strava_sync_job.hpp"
#include "actors/user.hpp"
#include "protocols/errors.hpp"
#include "tests/support/deterministic.hpp"

#include <catch2/catch.hpp>

using namespace st;
using namespace st::test;

namespace {

/// A page of `n` activities as Strava lists them.
upstream_response page_of(int n, int64_t first_id) {
  std::string body = "[";
  for (int i = 0; i < n; ++i) {
    if (i > 0)
      body += ",";
    body += R"({"id": )" + std::to_string(first_id + i) +
            R"(, "name": "Ride", "type": "Ride", "start_date": )"
            R"("2026-11-0)" +
            std::to_string(i + 1) +
            R"(T06:30:00Z", "start_date_local": "2026-11-0)" +
            std::to_string(i + 1) + R"(T07:30:00Z", "moving_time": 3600})";
  }
  upstream_response r;
  r.status = 200;
  r.body = body + "]";
  return r;
}

/// The database of one claimable job (id 7, first attempt): the claim
/// answers it, a renewed claim answers its id, nothing else has rows.
/// With `events`, the first read of the waiting events answers them.
std::shared_ptr<fake_db_script>
job_db(std::vector<std::vector<db_value>> events = {}) {
  auto db = std::make_shared<fake_db_script>();
  auto pending = std::make_shared<decltype(events)>(std::move(events));
  db->answer = [pending](const db_batch& b) {
    db_reply r;
    r.results.resize(b.statements.size());
    for (size_t i = 0; i < b.statements.size(); ++i) {
      auto id = b.statements[i].id;
      if (id == stmt::strava_job_claim)
        r.results[i].rows.push_back({std::string{"7"}, std::string{"0"},
                                     std::string{"0"}, std::string{"1"},
                                     std::string{"1000"}, std::string{"2000"}});
      else if (id == stmt::strava_job_progress)
        r.results[i].rows.push_back({std::string{"7"}});
      else if (id == stmt::strava_events_pending) {
        r.results[i].rows = std::move(*pending);
        pending->clear();
      }
    }
    return r;
  };
  return db;
}

strava_job_context context_of(deterministic_system& sys,
                              std::shared_ptr<fake_db_script> db,
                              std::shared_ptr<fake_strava_user_log> user) {
  auto cfg = std::make_shared<strava_settings>();
  cfg->api_base_url = "http://strava.test/api/v3";
  cfg->claimer = "node-a";
  cfg->per_page = 2;
  return {7, sys.fake_strava_user(std::move(user)), sys.fake_db(std::move(db)),
          std::move(cfg)};
}

/// Every statement sent, in order.
std::vector<stmt> statements(const fake_db_script& db) {
  std::vector<stmt> result;
  for (auto& b : db.batches)
    for (auto& x : b.statements)
      result.push_back(x.id);
  return result;
}

const db_statement* find(const fake_db_script& db, stmt id) {
  for (auto& b : db.batches)
    for (auto& x : b.statements)
      if (x.id == id)
        return &x;
  return nullptr;
}

/// Spawns the job actor `fn` for `db` and `user`, runs everything, and
/// answers how it ended (none = still running).
template<class Fn>
std::optional<caf::error> run_job(deterministic_system& sys, Fn fn,
                                  std::shared_ptr<fake_db_script> db,
                                  std::shared_ptr<fake_strava_user_log> user) {
  caf::scoped_actor watcher{sys.system()};
  auto job = sys.spawn(fn, context_of(sys, std::move(db), std::move(user)));
  watcher->monitor(job);
  sys.run();
  std::optional<caf::error> reason;
  watcher->receive(
    [&](caf::down_msg& dm) {
      if (dm.source == job.address())
        reason = dm.reason;
    },
    caf::after(std::chrono::seconds(0)) >> [] {});
  return reason;
}

} // namespace

TEST_CASE("strava job: claims, fetches each page through the athlete's actor, "
          "stores it with the claim renewed, ends done and follows the queue") {
  deterministic_system sys;
  auto db = job_db();
  auto user = std::make_shared<fake_strava_user_log>();
  user->pages = {page_of(2, 100), page_of(1, 200)};
  auto ended = run_job(sys, strava_sync_job, db, user);
  REQUIRE(ended);
  CHECK_FALSE(*ended); // a normal exit: the job ended as it should
  REQUIRE(user->fetched.size() == 2);
  CHECK(user->fetched[0].find("page=1") != std::string::npos);
  CHECK(user->fetched[0].find("after=1000") != std::string::npos);
  CHECK(user->fetched[1].find("page=2") != std::string::npos);
  CHECK(statements(*db) ==
        std::vector<stmt>{stmt::strava_job_claim, stmt::reminder_set,
                          stmt::strava_page_upsert, stmt::strava_job_progress,
                          stmt::reminder_set, stmt::strava_page_upsert,
                          stmt::strava_job_progress, stmt::reminder_set,
                          stmt::strava_job_done, stmt::strava_job_due,
                          stmt::reminder_clear});
  // Page 2 is recorded as reached, with its one activity.
  auto& second = db->batches[3].statements[1];
  CHECK(second.params[2] == db_value{std::string{"2"}});
  CHECK(second.params[3] == db_value{std::string{"1"}});
}

TEST_CASE("strava job: no budget in time renews the claim and asks again, "
          "and after the last wait it goes back to the queue, no attempt "
          "counted") {
  deterministic_system sys;
  auto db = job_db();
  auto user = std::make_shared<fake_strava_user_log>();
  for (int i = 0; i < 11; ++i)
    user->pages.emplace_back(
      make_error(strava_ec::rate_limited, "Strava rate limit reached."));
  auto ended = run_job(sys, strava_sync_job, db, user);
  REQUIRE(ended);
  CHECK_FALSE(*ended);
  CHECK(user->fetched.size() == 11);
  auto sent = statements(*db);
  auto renewals =
    std::count(sent.begin(), sent.end(), stmt::strava_job_progress);
  CHECK(renewals == 10);
  auto failed = find(*db, stmt::strava_job_failed);
  REQUIRE(failed != nullptr);
  CHECK(failed->params[1] ==
        db_value{std::string{"waiting for the Strava rate budget"}});
  CHECK(failed->params[3] == db_value{std::string{"10"}}); // s, no backoff
  CHECK(failed->params[4] == db_value{std::string{"false"}});
}

TEST_CASE("strava job: a page Strava fails counts as an attempt with its "
          "backoff, and an unlinked athlete's job quits writing nothing") {
  SECTION("a failed page") {
    deterministic_system sys;
    auto db = job_db();
    auto user = std::make_shared<fake_strava_user_log>(); // answers 500
    REQUIRE(run_job(sys, strava_sync_job, db, user));
    auto failed = find(*db, stmt::strava_job_failed);
    REQUIRE(failed != nullptr);
    CHECK(failed->params[1] ==
          db_value{std::string{"Strava answered 500 for page 1."}});
    CHECK(failed->params[3] == db_value{std::string{"30"}});
    CHECK(failed->params[4] == db_value{std::string{"true"}});
    CHECK(find(*db, stmt::strava_job_due) != nullptr); // the queue followed
  }
  SECTION("unlinked meanwhile") {
    deterministic_system sys;
    auto db = job_db();
    auto user = std::make_shared<fake_strava_user_log>();
    user->pages.emplace_back(
      make_error(strava_ec::not_linked, "Strava not linked."));
    auto ended = run_job(sys, strava_sync_job, db, user);
    REQUIRE(ended);
    CHECK_FALSE(*ended);
    CHECK(statements(*db) ==
          std::vector<stmt>{stmt::strava_job_claim, stmt::reminder_set});
  }
}

TEST_CASE("strava events: a confirmed grant changes nothing, a deleted "
          "activity's row goes, the applied events go and, none left, "
          "their reminder") {
  deterministic_system sys;
  auto db =
    job_db({{std::string{"31"}, std::string{"athlete"}, std::string{"555"},
             std::string{"update"}, std::string{R"({"authorized":"false"})"}},
            {std::string{"32"}, std::string{"activity"}, std::string{"900"},
             std::string{"delete"}, std::string{"{}"}}});
  auto user = std::make_shared<fake_strava_user_log>();
  upstream_response gone;
  gone.status = 404;
  user->pages = {gone};
  auto ended = run_job(sys, strava_events_job, db, user);
  REQUIRE(ended);
  CHECK_FALSE(*ended);
  CHECK(user->grant_checks == 1);
  REQUIRE(user->fetched.size() == 1);
  CHECK(user->fetched[0] == "http://strava.test/api/v3/activities/900");
  CHECK(statements(*db) == std::vector<stmt>{stmt::strava_events_pending,
                                             stmt::strava_activity_delete,
                                             stmt::strava_events_done,
                                             stmt::strava_events_pending,
                                             stmt::strava_events_forget});
  auto done = find(*db, stmt::strava_events_done);
  REQUIRE(done->params[0]);
  CHECK(*done->params[0] == R"({"31","32"})");
}

TEST_CASE("strava events: Strava unreachable leaves the event and the rest "
          "for the reminder's retry") {
  deterministic_system sys;
  auto db =
    job_db({{std::string{"41"}, std::string{"activity"}, std::string{"901"},
             std::string{"create"}, std::string{"{}"}},
            {std::string{"42"}, std::string{"activity"}, std::string{"902"},
             std::string{"create"}, std::string{"{}"}}});
  auto user = std::make_shared<fake_strava_user_log>();
  user->pages.emplace_back(make_error(call_ec::expired, "no answer in time"));
  auto ended = run_job(sys, strava_events_job, db, user);
  REQUIRE(ended);
  CHECK(user->fetched.size() == 1);
  CHECK(statements(*db) ==
        std::vector<stmt>{stmt::strava_events_pending, stmt::reminder_set});
}
