// The reminder scheduler under CAF's deterministic test scheduler: the
// database and the registry are fakes speaking their typed interfaces,
// every message is stepped by hand, timers fire when the test says so.
#include "actors/reminder_scheduler.hpp"

#include "protocols/errors.hpp"
#include "tests/support/deterministic.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using namespace st;
using namespace st::test;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// A claim answer: `(user, kind, due_ms)` rows, then the outlook row.
db_reply claimed(std::vector<std::tuple<int, std::string, int64_t>> xs) {
  db_reply r;
  r.results.resize(2);
  for (auto& [user, kind, due] : xs)
    r.results[0].rows.push_back(
      {std::to_string(user), kind, std::to_string(due)});
  r.results[1].rows.push_back({"0", "0", "0", caf::none});
  return r;
}

/// The confirm answer: every `(user, kind)` it was asked for still stands.
db_reply confirmed_all(const db_batch& b) {
  auto users = b.statements[0].params[1].value_or("{}");
  auto kinds = b.statements[0].params[2].value_or("{}");
  db_reply r;
  r.results.resize(1);
  auto split = [](std::string x) {
    std::vector<std::string> out;
    x = x.substr(1, x.size() - 2);
    size_t at = 0;
    while (!x.empty() && at <= x.size()) {
      auto comma = x.find(',', at);
      auto item = x.substr(at, comma == std::string::npos ? std::string::npos
                                                          : comma - at);
      if (item.size() >= 2 && item.front() == '"')
        item = item.substr(1, item.size() - 2);
      out.push_back(item);
      if (comma == std::string::npos)
        break;
      at = comma + 1;
    }
    return out;
  };
  auto u = split(users);
  auto k = split(kinds);
  for (size_t i = 0; i < u.size() && i < k.size(); ++i)
    r.results[0].rows.push_back({u[i], k[i]});
  return r;
}

reminder_settings settings(size_t max_waking = 64) {
  reminder_settings cfg;
  cfg.claimer = "test-process";
  cfg.max_waking = max_waking;
  return cfg;
}

} // namespace

TEST_CASE("scheduler: claims, confirms and wakes what is due, keeps the rest "
          "for its timer") {
  deterministic_system sys;
  auto db = std::make_shared<fake_db_script>();
  auto wakes = std::make_shared<fake_registry_log>();
  auto past = now_ms() - 5'000;
  auto later = now_ms() + 3'600'000;
  db->answer = [&](const db_batch& b) {
    if (b.statements[0].id == stmt::reminders_claim)
      return claimed({{7, "decision", past},
                      {8, "strava_sync", past},
                      {9, "decision", later}});
    return confirmed_all(b);
  };
  auto scheduler = sys.spawn(reminder_scheduler, sys.fake_db(db),
                             sys.fake_registry(wakes), settings());
  sys.run();
  // One claim (with the outlook), one confirm of the two due ones.
  REQUIRE(db->batches.size() == 2);
  CHECK(db->batches[0].bulk);
  CHECK(db->batches[1].statements[0].id == stmt::reminders_confirm);
  CHECK(db->batches[1].statements[0].params[1] == db_value{R"({"7","8"})"});
  // Both users woken, each with its kind; the hour-away one waits.
  REQUIRE(wakes->woken.size() == 2);
  CHECK(wakes->woken[0] == std::make_pair(7, std::string{"decision"}));
  CHECK(wakes->woken[1] == std::make_pair(8, std::string{"strava_sync"}));
  auto stats = sys.ask<reminder_stats>(scheduler, atom::status_v);
  CHECK(stats.num_claimed == 3);
  CHECK(stats.num_fired == 2);
  CHECK(stats.num_pending == 1);
  // Its due timer and the next poll are armed, not fired.
  CHECK(sys.sched().has_pending_timeout());
  sys.stop(scheduler);
}

TEST_CASE("scheduler: at most max_waking users are woken at once, the next "
          "only once one has taken its reminder") {
  deterministic_system sys;
  auto db = std::make_shared<fake_db_script>();
  auto wakes = std::make_shared<fake_registry_log>();
  wakes->hold = true; // answers only when the test releases them
  auto past = now_ms() - 1'000;
  db->answer = [&](const db_batch& b) {
    if (b.statements[0].id == stmt::reminders_claim)
      return claimed({{1, "decision", past - 2},
                      {2, "decision", past - 1},
                      {3, "decision", past}});
    return confirmed_all(b);
  };
  auto registry = sys.fake_registry(wakes);
  auto scheduler =
    sys.spawn(reminder_scheduler, sys.fake_db(db), registry, settings(2));
  sys.run();
  // The two earliest, in due order; the third waits for a free place.
  REQUIRE(wakes->woken.size() == 2);
  CHECK(wakes->woken[0].first == 1);
  CHECK(wakes->woken[1].first == 2);
  sys.release(registry); // both take theirs
  REQUIRE(wakes->woken.size() == 3);
  CHECK(wakes->woken[2].first == 3);
  sys.release(registry);
  auto stats = sys.ask<reminder_stats>(scheduler, atom::status_v);
  CHECK(stats.num_fired == 3);
  CHECK(stats.num_pending == 0);
  sys.stop(scheduler);
}

TEST_CASE("scheduler: a reminder moved since its claim is not fired, a refused "
          "claim is polled again") {
  deterministic_system sys;
  auto db = std::make_shared<fake_db_script>();
  auto wakes = std::make_shared<fake_registry_log>();
  auto past = now_ms() - 1'000;
  int claims = 0;
  db->answer = [&](const db_batch& b) -> caf::expected<db_reply> {
    if (b.statements[0].id == stmt::reminders_claim) {
      if (++claims == 1)
        return make_error(db_ec::unavailable, "the database went away");
      return claimed({{4, "decision", past}, {5, "decision", past}});
    }
    // User 5 moved the reminder since: the confirm does not return it.
    db_reply r;
    r.results.resize(1);
    r.results[0].rows.push_back({"4", "decision"});
    return r;
  };
  auto scheduler = sys.spawn(reminder_scheduler, sys.fake_db(db),
                             sys.fake_registry(wakes), settings());
  sys.run();
  CHECK(claims == 1);
  CHECK(wakes->woken.empty());
  // The poll timer fires: claimed this time.
  sys.fire_timers();
  CHECK(claims == 2);
  REQUIRE(wakes->woken.size() == 1);
  CHECK(wakes->woken[0].first == 4);
  auto stats = sys.ask<reminder_stats>(scheduler, atom::status_v);
  CHECK(stats.num_moved == 1);
  CHECK(stats.num_fired == 1);
  sys.stop(scheduler);
}
