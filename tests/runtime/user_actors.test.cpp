// The user actors' shape through the HTTP API: the user's time zone,
// durable reminders (due instants, restarts, several processes, passivated
// users), deadlines that drop work nobody waits for, and a link that does
// not hold the user's other requests.
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>

#include <ctime>
#include <future>
#include <set>
#include <thread>

using namespace st::test;

namespace {

using namespace std::chrono;

/// The instant `unix` (UTC) in strftime's `format`.
std::string utc_text(int64_t unix, const char* format) {
  std::time_t t = unix;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), format, &tm);
  return buf;
}

/// `days` since 1970-01-01 as YYYY-MM-DD.
std::string date_of(int64_t days) {
  return utc_text(days * 86400, "%Y-%m-%d");
}

/// The instant `unix` as the API prints it.
std::string iso_of(int64_t unix) {
  return utc_text(unix, "%Y-%m-%dT%H:%M:%S+00:00");
}

/// HH:MM:SS of a second of the day.
std::string clock_of(int64_t second_of_day) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%02d:%02d:%02d",
                static_cast<int>(second_of_day / 3600),
                static_cast<int>(second_of_day / 60 % 60),
                static_cast<int>(second_of_day % 60));
  return buf;
}

/// The instants (Unix s, with ms) at which the probe of `user` fired, from
/// the log lines `<UTC date> <time>,<ms> [INFO] reminders: probe fired …`.
std::vector<double> probe_fires(const std::string& log, int32_t user) {
  std::vector<double> result;
  // The line may go on with its context (` actor=user user_id=…`).
  auto needle = "reminders: probe fired for user " + std::to_string(user);
  for (auto i = log.find(needle); i != std::string::npos;
       i = log.find(needle, i + 1)) {
    auto after = i + needle.size();
    if (after < log.size() && log[after] != '\n' && log[after] != ' ')
      continue; // another user's id that starts with this one
    auto line = log.rfind('\n', i);
    line = line == std::string::npos ? 0 : line + 1;
    std::tm tm{};
    int ms = 0;
    if (std::sscanf(log.c_str() + line, "%d-%d-%d %d:%d:%d,%d", &tm.tm_year,
                    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                    &tm.tm_sec, &ms) != 7)
      continue;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    result.push_back(static_cast<double>(timegm(&tm)) + ms / 1000.0);
  }
  return result;
}

http_reply set_zone(uint16_t port, const athlete& who, const std::string& tz) {
  return http_call(port, "PATCH", "/api/v1/athlete-profile",
                   R"({"timezone":")" + tz + R"("})", bearer(who.token));
}

/// Sets the user's probe reminder at `clock` (HH:MM:SS, their time).
http_reply set_probe(uint16_t port, const athlete& who,
                     const std::string& clock) {
  return http_call(port, "POST", "/api/v1/test/reminder?at=" + clock, "",
                   bearer(who.token));
}

} // namespace

TEST_CASE("time zone: PATCH stores an IANA name, refuses unknown ones") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()}}};
  auto who = register_athlete(server.port(), db, "zone@example.com");
  auto unknown = set_zone(server.port(), who, "Mars/Olympus_Mons");
  CHECK(unknown.status == 422);
  CHECK(unknown.body.find(R"("loc":["body","timezone"])") != std::string::npos);
  CHECK(db.query("SELECT count(*) FROM athlete_profiles")[0][0] == "0");
  auto long_name = set_zone(server.port(), who, std::string(65, 'A'));
  CHECK(long_name.status == 422);
  auto ok = set_zone(server.port(), who, "America/New_York");
  CHECK(ok.status == 200);
  CHECK(json_field(ok.body, "timezone") == "America/New_York");
  // Other fields leave it alone; it survives a restart of the actor.
  auto weight = http_call(server.port(), "PATCH", "/api/v1/athlete-profile",
                          R"({"weight_kg":70})", bearer(who.token));
  CHECK(json_field(weight.body, "timezone") == "America/New_York");
  CHECK(db.query("SELECT timezone FROM athlete_profiles")[0][0] ==
        "America/New_York");
}

TEST_CASE("today for a user in Pacific/Kiritimati (UTC+14) and one in "
          "Etc/GMT+12 (UTC-12) at the same instant") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()}}};
  auto east = register_athlete(server.port(), db, "kiritimati@example.com");
  auto west = register_athlete(server.port(), db, "gmt12@example.com");
  REQUIRE(set_zone(server.port(), east, "Pacific/Kiritimati").status == 200);
  REQUIRE(set_zone(server.port(), west, "Etc/GMT+12").status == 200);
  // Fixed offsets (no DST in either): their dates are 26 hours apart.
  auto today_at = [](int64_t offset_s) {
    return date_of((unix_now() + offset_s) / 86400);
  };
  auto east_today = today_at(14 * 3600);
  auto west_today = today_at(-12 * 3600);
  REQUIRE(east_today != west_today);
  for (auto* who : {&east, &west})
    db.query("INSERT INTO wellness_cache (user_id, date, rhr) VALUES (" +
             std::to_string(who->id) + ", '" + east_today + "', 50)");
  struct seen {
    std::string food_day, entry, fitness, wellness;
  };
  auto look = [&](const athlete& who) {
    seen x;
    auto day = http_call(server.port(), "GET", "/api/v1/nutrition/day", "",
                         bearer(who.token));
    x.food_day = json_field(day.body, "date");
    auto entry = http_call(
      server.port(), "POST", "/api/v1/nutrition/entries",
      R"({"name":"Rice","portion_grams":100,"calories":130,"protein_g":3,"fat_g":0,"carbs_g":28})",
      bearer(who.token));
    x.entry = json_field(entry.body, "timestamp");
    http_call(server.port(), "POST", "/api/v1/workouts",
              R"({"start_date":")" + date_of(unix_now() / 86400 - 3) +
                R"(T10:00:00Z","tss":50})",
              bearer(who.token));
    auto fit = http_call(server.port(), "GET", "/api/v1/workouts/fitness", "",
                         bearer(who.token));
    x.fitness = json_field(fit.body, "date");
    x.wellness =
      http_call(server.port(), "GET", "/api/v1/wellness", "", bearer(who.token))
        .body;
    return x;
  };
  auto e = look(east);
  auto w = look(west);
  // (a date boundary may pass between the two looks)
  auto east_now = today_at(14 * 3600);
  auto west_now = today_at(-12 * 3600);
  CHECK((e.food_day == east_today || e.food_day == east_now));
  CHECK((w.food_day == west_today || w.food_day == west_now));
  CHECK(e.entry.substr(0, 10) == e.food_day);
  CHECK(w.entry.substr(0, 10) == w.food_day);
  CHECK(e.fitness == e.food_day);
  CHECK(w.fitness == w.food_day);
  // The default window ends on each user's today: the east's today is
  // still the future for the west.
  CHECK(e.wellness.find(east_today) != std::string::npos);
  CHECK(w.wellness == "[]");
}

TEST_CASE("reminders fire at their due instant on the user's clock, in two "
          "time zones") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"FAULT_INJECTION", "true"},
                         {"REMINDER_POLL_MS", "500"}}};
  auto east = register_athlete(server.port(), db, "r-east@example.com");
  auto west = register_athlete(server.port(), db, "r-west@example.com");
  REQUIRE(set_zone(server.port(), east, "Asia/Kolkata").status == 200);
  REQUIRE(set_zone(server.port(), west, "America/Los_Angeles").status == 200);
  auto now = unix_now();
  // 07:00-style local times: three seconds from now on each user's clock.
  int64_t kolkata = 5 * 3600 + 30 * 60;
  auto la = db.query("SELECT extract(epoch FROM (now() AT TIME ZONE "
                     "'America/Los_Angeles') - (now() AT TIME ZONE 'UTC'))"
                     "::int")[0][0];
  auto due = now + 3;
  auto e = set_probe(server.port(), east,
                     clock_of(((due + kolkata) % 86400 + 86400) % 86400));
  auto w =
    set_probe(server.port(), west,
              clock_of(((due + std::stoll(la)) % 86400 + 86400) % 86400));
  REQUIRE(e.status == 200);
  REQUIRE(w.status == 200);
  CHECK(json_field(e.body, "due_at") == iso_of(due));
  CHECK(json_field(w.body, "due_at") == iso_of(due));
  REQUIRE(eventually([&] {
    return probe_fires(server.output(), east.id).size() == 1 &&
           probe_fires(server.output(), west.id).size() == 1;
  }));
  for (auto* who : {&east, &west}) {
    auto fired = probe_fires(server.output(), who->id)[0];
    CHECK(fired >= static_cast<double>(due));
    CHECK(fired < static_cast<double>(due) + 1.5);
  }
  // Fired once, then gone.
  std::this_thread::sleep_for(milliseconds(1200));
  CHECK(probe_fires(server.output(), east.id).size() == 1);
  CHECK(db.query(
          "SELECT count(*) FROM user_reminders WHERE kind = 'probe'")[0][0] ==
        "0");
}

TEST_CASE("a restart before the due time fires the reminder once, after "
          "start") {
  scratch_database db;
  std::map<std::string, std::string> env{{"DATABASE_URL", db.dsn()},
                                         {"FAULT_INJECTION", "true"},
                                         {"REMINDER_POLL_MS", "200"}};
  athlete who;
  int64_t due = 0;
  std::string first_log;
  {
    server_process first{env};
    who = register_athlete(first.port(), db, "restart@example.com");
    due = unix_now() + 3;
    REQUIRE(set_probe(first.port(), who, clock_of(due % 86400)).status == 200);
    first.terminate();
    first_log = first.output();
  }
  CHECK(probe_fires(first_log, who.id).empty());
  server_process second{env};
  REQUIRE(eventually([&] {
    return !probe_fires(second.output(), who.id).empty();
  }));
  std::this_thread::sleep_for(milliseconds(1000));
  auto fires = probe_fires(second.output(), who.id);
  CHECK(fires.size() == 1);
  CHECK(fires[0] >= static_cast<double>(due));
}

TEST_CASE("two server processes on one database fire each reminder exactly "
          "once") {
  scratch_database db;
  std::map<std::string, std::string> env{{"DATABASE_URL", db.dsn()},
                                         {"FAULT_INJECTION", "true"},
                                         {"REMINDER_POLL_MS", "100"}};
  server_process a{env};
  server_process b{env};
  std::vector<athlete> users;
  auto due = unix_now() + 3;
  for (int i = 0; i < 12; ++i) {
    auto& via = i % 2 == 0 ? a : b;
    users.push_back(register_athlete(
      via.port(), db, "shared" + std::to_string(i) + "@example.com"));
    REQUIRE(set_probe(via.port(), users.back(), clock_of(due % 86400)).status ==
            200);
  }
  auto total = [&] {
    size_t n = 0;
    for (auto& u : users)
      n += probe_fires(a.output(), u.id).size() +
           probe_fires(b.output(), u.id).size();
    return n;
  };
  REQUIRE(eventually([&] {
    return total() >= users.size();
  }));
  std::this_thread::sleep_for(milliseconds(1500));
  for (auto& u : users)
    CHECK(probe_fires(a.output(), u.id).size() +
            probe_fires(b.output(), u.id).size() ==
          1);
  CHECK(total() == users.size());
}

TEST_CASE("a user with a pending reminder passivates and is woken by it") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"FAULT_INJECTION", "true"},
                         {"ADMIN_TOKEN", test_admin_token},
                         {"USER_IDLE_SECONDS", "1"},
                         {"REMINDER_POLL_MS", "200"}}};
  auto who = register_athlete(server.port(), db, "sleepy@example.com");
  auto due = unix_now() + 4;
  REQUIRE(set_probe(server.port(), who, clock_of(due % 86400)).status == 200);
  CHECK(admin_stat(server.port(), {"user_actors", "resident"}) == 1);
  // Idle: nothing keeps the actor resident, the reminder is a row.
  CHECK(eventually(
    [&] {
      return admin_stat(server.port(), {"user_actors", "resident"}) == 0;
    },
    milliseconds(3000)));
  CHECK(probe_fires(server.output(), who.id).empty());
  REQUIRE(eventually([&] {
    return probe_fires(server.output(), who.id).size() == 1;
  }));
  CHECK(admin_stat(server.port(), {"reminders", "num_fired"}) == 1);
}

TEST_CASE("a write queued behind a blocked pool is answered 503 and never "
          "appears in the table") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"ADMIN_TOKEN", test_admin_token},
                         {"DB_POOL_SIZE", "1"},
                         {"REQUEST_TIMEOUT_MS", "600"}}};
  auto a = register_athlete(server.port(), db, "first@example.com");
  auto b = register_athlete(server.port(), db, "second@example.com");
  for (auto* who : {&a, &b}) // both actors loaded before the pool blocks
    REQUIRE(http_call(server.port(), "GET", "/api/v1/athlete-profile", "",
                      bearer(who->token))
              .status == 200);
  // Another client holds the table: the pool's one connection blocks on it.
  table_lock lock{db.dsn(), "wellness_cache"};
  auto put = [&](const athlete& who, const std::string& date) {
    return std::async(std::launch::async, [&, date] {
      return http_call(server.port(), "PUT", "/api/v1/wellness",
                       R"({"date":")" + date + R"(","rhr":51})",
                       bearer(who.token));
    });
  };
  auto sent = put(a, "2026-05-01");
  std::this_thread::sleep_for(milliseconds(200));
  auto queued = put(b, "2026-05-02");
  // Answered while the table is still locked: it never reached it.
  REQUIRE(queued.wait_for(seconds(3)) == std::future_status::ready);
  auto refused = queued.get();
  CHECK(refused.status == 503);
  CHECK(json_field(refused.body, "detail") ==
        "The request took too long, please retry");
  CHECK(refused.headers.count("retry-after") == 1);
  CHECK(sent.wait_for(milliseconds(0)) == std::future_status::timeout);
  lock.release();
  // The one already sent before its deadline commits and is answered.
  CHECK(sent.get().status == 200);
  std::this_thread::sleep_for(milliseconds(500));
  CHECK(db.query("SELECT to_char(date, 'YYYY-MM-DD') FROM wellness_cache "
                 "ORDER BY date") ==
        std::vector<std::vector<std::string>>{{"2026-05-01"}});
  CHECK(admin_stat(server.port(), {"db", "num_expired"}) == 1);
}

TEST_CASE("checking an Intervals.icu key upstream does not hold the user's "
          "other requests") {
  fake_intervals fake;
  fake.put_athlete("i77", R"({"api_key":"k77"})");
  scratch_database db;
  server_process server{
    {{"DATABASE_URL", db.dsn()}, {"INTERVALS_ICU_BASE_URL", fake.base_url()}}};
  auto who = register_athlete(server.port(), db, "slowlink@example.com");
  REQUIRE(http_call(server.port(), "GET", "/api/v1/athlete-profile", "",
                    bearer(who.token))
            .status == 200);
  fake.delay(1500);
  auto link = std::async(std::launch::async, [&] {
    return http_call(server.port(), "POST", "/api/v1/intervals/link",
                     R"({"athlete_id":"i77","api_key":"k77"})",
                     bearer(who.token));
  });
  std::this_thread::sleep_for(milliseconds(200));
  auto profile = http_call(server.port(), "GET", "/api/v1/athlete-profile", "",
                           bearer(who.token));
  CHECK(profile.status == 200);
  // The profile came back while the key was still being checked.
  CHECK(link.wait_for(milliseconds(0)) == std::future_status::timeout);
  CHECK(link.get().status == 200);
  // An unlink sent while a key is checked wins over that link.
  auto relink = std::async(std::launch::async, [&] {
    return http_call(server.port(), "POST", "/api/v1/intervals/link",
                     R"({"athlete_id":"i77","api_key":"k77"})",
                     bearer(who.token));
  });
  std::this_thread::sleep_for(milliseconds(200));
  CHECK(http_call(server.port(), "POST", "/api/v1/intervals/unlink", "",
                  bearer(who.token))
          .status == 200);
  auto overtaken = relink.get();
  CHECK(overtaken.status == 409);
  CHECK(db.query("SELECT count(*) FROM intervals_credentials")[0][0] == "0");
}
