// The user actor's facet contract under CAF's deterministic test
// scheduler: a user actor against a fake database speaking the DB
// actor's typed interface, each message stepped by hand.
#include "actors/user.hpp"
#include "tests/support/deterministic.hpp"

#include <catch2/catch.hpp>

using namespace st;
using namespace st::test;

namespace {

/// Every batch answered: the account's profile row for the profile read,
/// no rows for anything else.
std::shared_ptr<fake_db_script> account_db() {
  auto db = std::make_shared<fake_db_script>();
  db->answer = [](const db_batch& b) {
    db_reply r;
    r.results.resize(b.statements.size());
    for (size_t i = 0; i < b.statements.size(); ++i)
      if (b.statements[i].id == stmt::profile_by_user) {
        std::vector<db_value> row(24);
        row[11] = std::string{"ann@example.com"};
        row[13] = std::string{}; // her own decision hours: none
        // Her reminders: the weekly summary's (kept, nothing written).
        row[14] = std::string{"weekly_summary"};
        r.results[i].rows.push_back(std::move(row));
      }
    return r;
  };
  return db;
}

std::shared_ptr<const user_settings> user_cfg() {
  user_settings cfg;
  cfg.caches = std::make_shared<cache_budget>(1 << 20);
  return std::make_shared<const user_settings>(std::move(cfg));
}

bool sent(const fake_db_script& db, stmt id) {
  for (auto& b : db.batches)
    for (auto& x : b.statements)
      if (x.id == id)
        return true;
  return false;
}

/// User 7's actor against `db` (its registry a fake that wakes nobody).
user_actor spawn_user(deterministic_system& sys,
                      std::shared_ptr<fake_db_script> db) {
  return sys.spawn_class<user_actor_impl>(
    int32_t{7}, sys.fake_db(std::move(db)),
    sys.fake_registry(std::make_shared<fake_registry_log>()), user_cfg());
}

} // namespace

TEST_CASE("facets: one actor answers every facet's requests through the parts "
          "user_parts composes") {
  deterministic_system sys;
  auto db = account_db();
  auto user = spawn_user(sys, db);
  auto until = deadline::in(std::chrono::minutes(1));
  // The profile facet, from the account read before any request.
  auto profile =
    sys.ask<athlete_profile>(user, until, atom::get_v, atom::profile_v);
  CHECK(profile.display_name == "ann@example.com");
  CHECK(profile.decision_hours.empty());
  REQUIRE(db->batches.size() == 1);
  CHECK(db->batches[0].statements[0].id == stmt::profile_by_user);
  // The diary facet: a day's food, read from the database.
  auto day = sys.ask<food_day>(user, until, atom::get_v, atom::day_v,
                               std::string{"2026-12-01"});
  CHECK(day.entries.empty());
  CHECK(sent(*db, stmt::food_day));
  sys.stop(user);
}

TEST_CASE("facets: a due reminder reaches the facet that owns its kind, an "
          "unknown kind is taken and no facet acts") {
  deterministic_system sys;
  auto db = account_db();
  auto user = spawn_user(sys, db);
  sys.run(); // the account is read
  auto before = db->batches.size();
  CHECK(sys.ask<bool>(user, atom::internal_v, atom::remind_v,
                      std::string{"no-such-kind"}));
  CHECK(db->batches.size() == before);
  // The coach owns "decision": without decision hours it has no slot to
  // decide and takes the reminder down.
  CHECK(sys.ask<bool>(user, atom::internal_v, atom::remind_v,
                      std::string{user_coach_part::decision_reminder}));
  CHECK(db->batches.size() == before + 1);
  CHECK(sent(*db, stmt::reminder_clear));
  sys.stop(user);
}
