// The athlete's own data end to end: real binary, HTTP and PostgreSQL.
#include "protocols/tokens.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/fit_samples.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "util/dates.hpp"

using namespace st;
using namespace st::test;

namespace {

struct data_fixture {
  scratch_database db;
  server_process server;

  explicit data_fixture(std::map<std::string, std::string> env = {})
    : server(with_db(std::move(env))) {}

  std::map<std::string, std::string>
  with_db(std::map<std::string, std::string> env) {
    env["DATABASE_URL"] = db.dsn();
    env["ADMIN_TOKEN"] = test_admin_token;
    return env;
  }

  athlete sign_up(const std::string& email) {
    return register_athlete(server.port(), db, email);
  }

  http_reply call(const athlete& who, const std::string& method,
                  const std::string& path, const std::string& body = {}) {
    return http_call(server.port(), method, path, body, bearer(who.token));
  }
};

std::string today() {
  return format_date(utc_today());
}

std::string multipart(const std::string& filename, const std::string& data) {
  return "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
         filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
         data + "\r\n--XyZ--\r\n";
}

http_reply upload(data_fixture& f, const athlete& who, const std::string& name,
                  const std::string& data,
                  const std::string& path = "/api/v1/workouts/upload-fit") {
  return http_call(f.server.port(), "POST", path, multipart(name, data),
                   {{"Authorization", "Bearer " + who.token},
                    {"Content-Type", "multipart/form-data; boundary=XyZ"}});
}

} // namespace

TEST_CASE_METHOD(data_fixture,
                 "athlete profile: GET, PATCH, null keeps values") {
  auto a = sign_up("profile@example.com");
  auto empty = call(a, "GET", "/api/v1/athlete-profile");
  CHECK(empty.status == 200);
  CHECK(
    empty.body ==
    R"({"weight_kg":null,"weight_source":null,"ftp":null,"ftp_source":null,"height_cm":null,"birth_year":null,"strava_firstname":null,"strava_lastname":null,"strava_profile_url":null,"strava_sex":null,"strava_updated_at":null,"display_name":"profile@example.com","timezone":null,"decision_hours":[7,16],"nutrition_goals":null,"target_race_date":null,"target_race_name":null,"days_to_race":null,"is_athlete":null,"is_premium":true,"dev_can_toggle_premium":false,"locale":"ru"})");
  auto patched =
    call(a, "PATCH", "/api/v1/athlete-profile",
         R"({"weight_kg":70.5,"ftp":250,"height_cm":180,"unknown":1})");
  CHECK(patched.status == 200);
  CHECK(
    patched.body.find(
      R"("weight_kg":70.5,"weight_source":"manual","ftp":250,"ftp_source":"manual","height_cm":180.0)") !=
    std::string::npos);
  auto kept = call(a, "PATCH", "/api/v1/athlete-profile",
                   R"({"weight_kg":null,"birth_year":1990})");
  CHECK(kept.body.find(R"("weight_kg":70.5)") != std::string::npos);
  CHECK(kept.body.find(R"("birth_year":1990)") != std::string::npos);
  auto bad = call(a, "PATCH", "/api/v1/athlete-profile",
                  R"({"ftp":1000,"birth_year":1899})");
  CHECK(bad.status == 422);
  CHECK(bad.body.find(R"("loc":["body","birth_year"])") != std::string::npos);
  CHECK(bad.body.find(R"("loc":["body","ftp"])") != std::string::npos);
  CHECK(db.query("SELECT weight_kg, ftp, birth_year FROM athlete_profiles") ==
        std::vector<std::vector<std::string>>{{"70.5", "250", "1990"}});
  // Legacy Strava values are the fallback the reference shows.
  db.query("UPDATE athlete_profiles SET strava_firstname = 'Ann', "
           "strava_lastname = 'Lee', strava_weight_kg = 60, ftp = NULL, "
           "strava_ftp = 200");
  auto b = sign_up("fresh-actor@example.com"); // the cached profile is a's
  (void)b;
  // A write through the actor refreshes what it caches.
  auto after = call(a, "PATCH", "/api/v1/athlete-profile", "{}");
  CHECK(after.body.find(R"("ftp":200,"ftp_source":"strava")") !=
        std::string::npos);
  CHECK(after.body.find(R"("display_name":"Ann Lee")") != std::string::npos);
}

TEST_CASE_METHOD(data_fixture,
                 "athlete profile: the newer app's goals, race, athlete mode "
                 "and language round-trip, null clears what it may") {
  auto a = sign_up("head-profile@example.com");
  // Kiritimati is 14 h ahead of UTC: its today is often UTC's tomorrow.
  auto r = call(a, "PATCH", "/api/v1/athlete-profile",
                R"({"calorie_goal":2500,"carbs_goal":300,)"
                R"("target_race_name":"Ironman Roth","is_athlete":true,)"
                R"("locale":"DE-ch","timezone":"Pacific/Kiritimati"})");
  REQUIRE(r.status == 200);
  CHECK(
    r.body.find(R"("nutrition_goals":{"calorie_goal":2500.0,)"
                R"("protein_goal":null,"fat_goal":null,"carbs_goal":300.0})") !=
    std::string::npos);
  CHECK(r.body.find(R"("target_race_name":"Ironman Roth","days_to_race":null,)"
                    R"("is_athlete":true,"is_premium":true,)"
                    R"("dev_can_toggle_premium":false,"locale":"de"})") !=
        std::string::npos);
  auto local_today = db.query(
    "SELECT (now() AT TIME ZONE 'Pacific/Kiritimati')::date + 30")[0][0];
  r = call(a, "PATCH", "/api/v1/athlete-profile",
           R"({"target_race_date":")" + local_today + R"("})");
  CHECK(
    r.body.find(R"("target_race_date":")" + local_today +
                R"(","target_race_name":"Ironman Roth","days_to_race":30,)") !=
    std::string::npos);
  CHECK(call(a, "GET", "/api/v1/athlete-profile")
          .body.find(R"("days_to_race":30)") != std::string::npos);
  // Stored where the reference keeps them, and both zones agree.
  CHECK(db.query("SELECT u.locale, u.timezone, p.timezone, p.calorie_goal, "
                 "p.is_athlete FROM users u JOIN athlete_profiles p ON "
                 "p.user_id = u.id") ==
        std::vector<std::vector<std::string>>{
          {"de", "Pacific/Kiritimati", "Pacific/Kiritimati", "2500", "t"}});
  // Absent keeps; null clears the race and puts athlete mode back to
  // automatic, but keeps goals and language.
  r = call(a, "PATCH", "/api/v1/athlete-profile",
           R"({"target_race_date":null,"is_athlete":null,"locale":null,)"
           R"("calorie_goal":null})");
  CHECK(r.body.find(
          R"("target_race_date":null,"target_race_name":"Ironman Roth",)"
          R"("days_to_race":null,"is_athlete":null,)") != std::string::npos);
  CHECK(r.body.find(R"("calorie_goal":2500.0)") != std::string::npos);
  CHECK(r.body.find(R"("locale":"de")") != std::string::npos);
  // Bad input: 422 naming every bad field, nothing stored.
  auto bad = call(a, "PATCH", "/api/v1/athlete-profile",
                  R"({"locale":"xx","calorie_goal":10001,"protein_goal":-1,)"
                  R"("target_race_date":"2026-02-30","is_athlete":"yes",)"
                  R"("target_race_name":")" +
                    std::string(513, 'n') + R"("})");
  CHECK(bad.status == 422);
  for (auto field : {"locale", "calorie_goal", "protein_goal",
                     "target_race_date", "is_athlete", "target_race_name"})
    CHECK(bad.body.find(std::string{R"("loc":["body",")"} + field + R"("])") !=
          std::string::npos);
  CHECK(bad.body.find(R"("type":"literal_error")") != std::string::npos);
  CHECK(db.query("SELECT u.locale, p.calorie_goal, p.target_race_name FROM "
                 "users u JOIN athlete_profiles p ON p.user_id = u.id") ==
        std::vector<std::vector<std::string>>{{"de", "2500", "Ironman Roth"}});
}

TEST_CASE_METHOD(data_fixture, "nutrition entries and the day view") {
  auto a = sign_up("food@example.com");
  auto created = call(
    a, "POST", "/api/v1/nutrition/entries",
    R"({"name":"Oatmeal","portion_grams":350,"calories":420,"protein_g":12,"fat_g":8.5,"carbs_g":72,"meal_type":"Breakfast","date":"2026-02-25"})");
  REQUIRE(created.status == 200);
  auto id = json_field(created.body, "id");
  CHECK(
    created.body ==
    R"({"id":)" + id +
      R"(,"name":"Oatmeal","portion_grams":350.0,"calories":420.0,"protein_g":12.0,"fat_g":8.5,"carbs_g":72.0,"meal_type":"breakfast","timestamp":"2026-02-25T00:00:00+00:00","extended_nutrients":null,"can_reanalyze":true})");
  call(
    a, "POST", "/api/v1/nutrition/entries",
    R"({"name":"Apple","portion_grams":150,"calories":80,"protein_g":0.5,"fat_g":0.2,"carbs_g":20,"meal_type":"brunch","date":"2026-02-25"})");
  auto day = call(a, "GET", "/api/v1/nutrition/day?date=2026-02-25");
  CHECK(day.status == 200);
  CHECK(
    day.body.find(
      R"("totals":{"calories":500.0,"protein_g":12.5,"fat_g":8.7,"carbs_g":92.0})") !=
    std::string::npos);
  CHECK(day.body.find(R"("meal_type":"other")") != std::string::npos);
  CHECK(call(a, "GET", "/api/v1/nutrition/day?date=25.02.2026").body ==
        R"({"detail":"Invalid date format. Use YYYY-MM-DD."})");
  CHECK(
    call(
      a, "POST", "/api/v1/nutrition/entries",
      R"({"name":"X","portion_grams":1,"calories":1,"protein_g":1,"fat_g":1,"carbs_g":1,"date":"2026-13-01"})")
      .status == 400);
  auto too_much = call(
    a, "POST", "/api/v1/nutrition/entries",
    R"({"name":"","portion_grams":20000,"calories":1,"protein_g":1,"fat_g":1})");
  CHECK(too_much.status == 422);
  CHECK(too_much.body.find(R"("loc":["body","name"])") != std::string::npos);
  CHECK(too_much.body.find(R"("loc":["body","portion_grams"])") !=
        std::string::npos);
  CHECK(too_much.body.find(R"("loc":["body","carbs_g"])") != std::string::npos);

  auto patched = call(a, "PATCH", "/api/v1/nutrition/entries/" + id,
                      R"({"name":null,"calories":450,"meal_type":"DINNER"})");
  CHECK(patched.status == 200);
  CHECK(patched.body.find(
          R"("name":"Oatmeal","portion_grams":350.0,"calories":450.0)") !=
        std::string::npos);
  CHECK(patched.body.find(R"("meal_type":"dinner")") != std::string::npos);
  CHECK(call(a, "GET", "/api/v1/nutrition/entries/" + id).body == patched.body);
  CHECK(call(a, "DELETE", "/api/v1/nutrition/entries/" + id).body ==
        R"({"status":"deleted"})");
  auto gone = call(a, "GET", "/api/v1/nutrition/entries/" + id);
  CHECK(gone.status == 404);
  CHECK(gone.body == R"({"detail":"Entry not found."})");
  auto default_day = call(a, "GET", "/api/v1/nutrition/day");
  CHECK(json_field(default_day.body, "date") == today());
}

TEST_CASE_METHOD(data_fixture,
                 "wellness: PUT fills and keeps, GET windows and pages") {
  auto a = sign_up("well@example.com");
  auto put = call(a, "PUT", "/api/v1/wellness",
                  R"({"date":"2026-02-20","sleep_hours":7.5,"rhr":52})");
  CHECK(
    put.body ==
    R"({"date":"2026-02-20","sleep_hours":7.5,"sleep_source":"manual","rhr":52.0,"hrv":null,"ctl":null,"atl":null,"tsb":null,"weight_kg":null,"sport_info":null})");
  db.query("UPDATE wellness_cache SET ctl = 40, atl = 50, tsb = -10, "
           "sport_info = '[{\"type\":\"Ride\",\"eftp\":250}]'");
  auto again = call(a, "PUT", "/api/v1/wellness",
                    R"({"date":"2026-02-20","hrv":61,"rhr":null})");
  CHECK(
    again.body.find(
      R"("sleep_hours":7.5,"sleep_source":"manual","rhr":52.0,"hrv":61.0,"ctl":40.0,"atl":50.0,"tsb":-10.0)") !=
    std::string::npos);
  CHECK(again.body.find(R"("sport_info":[{"type":"Ride","eftp":250}])") !=
        std::string::npos);
  for (auto d : {"2026-02-18", "2026-02-19", "2026-02-21"})
    call(a, "PUT", "/api/v1/wellness",
         std::string{R"({"date":")"} + d + R"(","rhr":50})");
  auto list =
    call(a, "GET", "/api/v1/wellness?from_date=2026-02-19&to_date=2026-02-21");
  CHECK(list.body.rfind(R"([{"date":"2026-02-19")", 0) == 0);
  CHECK(list.body.find("2026-02-18") == std::string::npos);
  CHECK(list.body.find("2026-02-21") != std::string::npos);
  auto paged =
    call(a, "GET",
         "/api/v1/"
         "wellness?from_date=2026-02-01&to_date=2026-02-28&limit=2&offset=1");
  CHECK(
    paged.body.find(R"(],"total":4,"limit":2,"offset":1,"has_more":true})") !=
    std::string::npos);
  CHECK(paged.body.rfind(R"({"items":[{"date":"2026-02-19")", 0) == 0);
  CHECK(
    call(a, "GET", "/api/v1/wellness?from_date=2026-02-22&to_date=2026-02-01")
      .body == "[]");
  auto bad = call(a, "GET", "/api/v1/wellness?from_date=yesterday&limit=0");
  CHECK(bad.status == 422);
  CHECK(bad.body.find(R"("loc":["query","from_date"])") != std::string::npos);
  CHECK(bad.body.find(R"("loc":["query","limit"])") != std::string::npos);
  CHECK(call(a, "PUT", "/api/v1/wellness", R"({"rhr":50})").status == 422);
}

TEST_CASE_METHOD(data_fixture,
                 "wellness: the newer app's null clears sleep (the older "
                 "app's keeps it), DELETE clears only what the athlete "
                 "entered, the row goes only when nothing is left") {
  auto a = sign_up("well-delete@example.com");
  auto newer = [&](const std::string& method, const std::string& path,
                   const std::string& body = {}) {
    return http_call(
      server.port(), method, path, body,
      {{"Authorization", "Bearer " + a.token}, {"X-App-Language", "en"}});
  };
  auto row = [&](const std::string& date) {
    return db.query("SELECT sleep_hours, sleep_source, rhr, hrv, weight_kg, "
                    "ctl FROM wellness_cache WHERE date = '" +
                    date + "'");
  };
  using rows = std::vector<std::vector<std::string>>;
  call(
    a, "PUT", "/api/v1/wellness",
    R"({"date":"2026-03-01","sleep_hours":7,"rhr":50,"hrv":70,"weight_kg":71})");
  call(a, "PUT", "/api/v1/wellness",
       R"({"date":"2026-03-01","sleep_hours":null})");
  CHECK(row("2026-03-01") == rows{{"7", "manual", "50", "70", "71", ""}});
  auto cleared = newer("PUT", "/api/v1/wellness",
                       R"({"date":"2026-03-01","sleep_hours":null})");
  CHECK(cleared.body.find(
          R"("sleep_hours":null,"sleep_source":"manual","rhr":50.0)") !=
        std::string::npos);
  newer("PUT", "/api/v1/wellness",
        R"({"date":"2026-03-01","sleep_hours":6.5})");
  // Synced load on the day: never cleared by the athlete's delete.
  db.query("UPDATE wellness_cache SET ctl = 42 WHERE date = '2026-03-01'");
  auto only_sleep =
    newer("DELETE", "/api/v1/wellness/2026-03-01?fields=sleep_hours");
  CHECK(only_sleep.status == 204);
  CHECK(only_sleep.body.empty());
  CHECK(row("2026-03-01") == rows{{"", "", "50", "70", "71", "42"}});
  CHECK(newer("DELETE", "/api/v1/wellness/2026-03-01").status == 204);
  CHECK(row("2026-03-01") == rows{{"", "", "", "", "", "42"}});
  // A day of nothing but the athlete's values goes entirely.
  call(a, "PUT", "/api/v1/wellness",
       R"({"date":"2026-03-02","sleep_hours":8})");
  CHECK(call(a, "DELETE", "/api/v1/wellness/2026-03-02").status == 204);
  CHECK(row("2026-03-02").empty());
  auto listed =
    call(a, "GET", "/api/v1/wellness?from_date=2026-03-01&to_date=2026-03-02");
  CHECK(listed.body.find("2026-03-02") == std::string::npos);
  CHECK(listed.body.find(R"("ctl":42.0)") != std::string::npos);
  // Errors: no row, a bad date, an unknown field.
  auto missing = call(a, "DELETE", "/api/v1/wellness/2026-03-02");
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Wellness record not found."})");
  auto bad_date = call(a, "DELETE", "/api/v1/wellness/2026-13-01");
  CHECK(bad_date.status == 422);
  CHECK(bad_date.body.find(R"("loc":["path","wellness_date"])") !=
        std::string::npos);
  auto bad_field = call(a, "DELETE", "/api/v1/wellness/2026-03-01?fields=ctl");
  CHECK(bad_field.status == 422);
  CHECK(bad_field.body.find(R"("loc":["query","fields"])") !=
        std::string::npos);
  CHECK(row("2026-03-01") == rows{{"", "", "", "", "", "42"}});
  // Another athlete's day is not theirs to delete.
  auto b = sign_up("well-other@example.com");
  CHECK(call(b, "DELETE", "/api/v1/wellness/2026-03-01").status == 404);
}

TEST_CASE_METHOD(data_fixture, "workouts: CRUD, duplicates, limits, fitness") {
  auto a = sign_up("work@example.com");
  auto yesterday = format_date(utc_today() - 1);
  auto body =
    R"({"start_date":")" + yesterday +
    R"(T12:00:00.000Z","name":"Run","type":"Run","duration_sec":3600,"tss":50})";
  auto created = call(a, "POST", "/api/v1/workouts", body);
  REQUIRE(created.status == 201);
  auto id = json_field(created.body, "id");
  CHECK(
    created.body ==
    R"({"id":)" + id + R"(,"start_date":")" + yesterday +
      R"(T12:00:00+00:00","name":"Run","type":"Run","duration_sec":3600,"distance_m":null,"tss":50.0,"source":"manual","notes":null})");
  // Sent again: merged into the same row, answered 200.
  auto again = call(a, "POST", "/api/v1/workouts", body);
  CHECK(again.status == 200);
  CHECK(again.body == created.body);
  CHECK(db.query("SELECT count(*) FROM workouts")[0][0] == "1");
  // A duplicate stored before merging existed is still shown once.
  db.query("INSERT INTO workouts (user_id, start_date, name, type, "
           "duration_sec, tss, source) SELECT user_id, start_date, name, "
           "type, duration_sec, tss, source FROM workouts");
  auto list = call(a, "GET", "/api/v1/workouts");
  CHECK(list.body == "[" + created.body + "]");

  auto fit = call(a, "GET", "/api/v1/workouts/fitness");
  // Both rows count, as in the reference (TSS 100 yesterday).
  CHECK(fit.body ==
        R"({"ctl":2.3,"atl":12.2,"tsb":-9.9,"date":")" + today() + "\"}");
  // Linked to Intervals but never synced: still computed from workouts.
  db.query(
    "INSERT INTO intervals_credentials (user_id, encrypted_token_or_key, "
    "athlete_id) VALUES (" +
    std::to_string(a.id) + ", 'k', 'i1')");
  call(a, "PATCH", "/api/v1/workouts/" + id,
       R"({"notes":"easy"})"); // drops the cache
  CHECK(call(a, "GET", "/api/v1/workouts/fitness").body == fit.body);
  db.query("INSERT INTO wellness_cache (user_id, date, ctl, atl) VALUES (" +
           std::to_string(a.id) + ", '2026-02-01', 55.55, 60)");
  call(a, "PUT", "/api/v1/wellness", R"({"date":"2026-01-01","rhr":50})");
  auto older_fitness = call(a, "GET", "/api/v1/workouts/fitness");
  CHECK(older_fitness.body ==
        R"({"ctl":55.5,"atl":60.0,"tsb":-4.5,"date":"2026-02-01"})");
  CHECK(older_fitness.header("cache-control") == "no-store");
  // The newer app names its day: figures of another day say which.
  auto dated = call(a, "GET", "/api/v1/workouts/fitness?date=" + today());
  CHECK(dated.body == R"({"ctl":55.5,"atl":60.0,"tsb":-4.5,"date":")" +
                        today() + R"(","data_as_of":"2026-02-01"})");
  db.query(
    "INSERT INTO wellness_cache (user_id, date, ctl, atl, tsb) VALUES (" +
    std::to_string(a.id) + ", '" + yesterday + "', 40, 30, 12)");
  call(a, "PUT", "/api/v1/wellness", R"({"date":"2026-01-02","rhr":50})");
  CHECK(call(a, "GET", "/api/v1/workouts/fitness?date=" + yesterday).body ==
        R"({"ctl":40.0,"atl":30.0,"tsb":12.0,"date":")" + yesterday + "\"}");
  CHECK(call(a, "GET", "/api/v1/workouts/fitness").body ==
        R"({"ctl":40.0,"atl":30.0,"tsb":12.0,"date":")" + yesterday + "\"}");
  auto not_a_date = call(a, "GET", "/api/v1/workouts/fitness?date=12/01/2026");
  CHECK(not_a_date.status == 400);
  CHECK(not_a_date.body ==
        R"({"detail":"Invalid date format. Use YYYY-MM-DD."})");
  CHECK(not_a_date.header("cache-control") == "no-store");
  auto far = call(
    a, "GET", "/api/v1/workouts/fitness?date=" + format_date(utc_today() + 2));
  CHECK(far.status == 400);
  CHECK(json_field(far.body, "detail") ==
        "Date must be within yesterday and tomorrow (server UTC).");
  db.query("DELETE FROM wellness_cache WHERE ctl = 40");

  auto patched = call(a, "PATCH", "/api/v1/workouts/" + id,
                      R"({"name":null,"tss":60,"type":"Trail"})");
  CHECK(
    patched.body.find(
      R"("name":"Run","type":"Trail","duration_sec":3600,"distance_m":null,"tss":60.0,"source":"manual","notes":"easy")") !=
    std::string::npos);
  auto too_long =
    call(a, "POST", "/api/v1/workouts",
         R"({"start_date":"2026-01-01","name":")" + std::string(513, 'n') +
           R"(","type":")" + std::string(65, 't') + R"(","duration_sec":-1})");
  CHECK(too_long.status == 422);
  CHECK(too_long.body.find(R"("loc":["body","name"])") != std::string::npos);
  CHECK(too_long.body.find(R"("loc":["body","type"])") != std::string::npos);
  CHECK(too_long.body.find(R"("loc":["body","duration_sec"])") !=
        std::string::npos);
  CHECK(
    call(a, "POST", "/api/v1/workouts", R"({"start_date":"soon"})").status ==
    422);
  CHECK(call(a, "DELETE", "/api/v1/workouts/" + id).status == 204);
  auto gone = call(a, "DELETE", "/api/v1/workouts/" + id);
  CHECK(gone.status == 404);
  CHECK(gone.body == R"({"detail":"Workout not found."})");
  CHECK(call(a, "DELETE", "/api/v1/workouts/abc").status == 422);
}

TEST_CASE_METHOD(data_fixture,
                 "FIT upload: import, TSS, duplicates, bad files") {
  auto a = sign_up("fit@example.com");
  call(a, "PATCH", "/api/v1/athlete-profile", R"({"ftp":250})");
  auto ride = upload(*this, a, "Workout.FIT", cycling_with_power());
  REQUIRE(ride.status == 201);
  CHECK(
    ride.body.find(
      R"("start_date":"2026-11-20T07:00:00+00:00","name":"Cycling","type":"Cycling","duration_sec":3600,"distance_m":30000.0,"tss":77.4,"source":"fit")") !=
    std::string::npos);
  auto stored = db.query("SELECT fit_checksum, raw::text FROM workouts");
  CHECK(stored[0][0] == sha256_hex(cycling_with_power()));
  CHECK(stored[0][1].find(R"("normalized_power":220)") != std::string::npos);
  auto again = upload(*this, a, "workout.fit", cycling_with_power());
  CHECK(again.status == 409);
  CHECK(json_field(again.body, "detail") ==
        "This FIT file was already imported.");
  auto run = upload(*this, a, "run.fit", running_heart_rate_only());
  CHECK(run.status == 201);
  CHECK(
    run.body.find(R"("duration_sec":2700,"distance_m":10000.0,"tss":45.0)") !=
    std::string::npos);
  auto good = cycling_with_power();
  auto truncated = upload(*this, a, "t.fit", good.substr(0, good.size() / 2));
  CHECK(truncated.status == 400);
  CHECK(json_field(truncated.body, "detail") ==
        "Could not parse FIT file or no session found.");
  auto crc = good;
  crc[crc.size() - 1] ^= 1;
  CHECK(upload(*this, a, "c.fit", crc).status == 400);
  CHECK(json_field(upload(*this, a, "photo.jpg", good).body, "detail") ==
        "Expected a .fit file.");
  CHECK(json_field(upload(*this, a, "e.fit", "").body, "detail") ==
        "Empty file.");
  auto broken =
    http_call(server.port(), "POST", "/api/v1/workouts/upload-fit", "garbage",
              {{"Authorization", "Bearer " + a.token},
               {"Content-Type", "multipart/form-data; boundary=XyZ"}});
  CHECK(broken.status == 400);
  CHECK(json_field(broken.body, "detail") ==
        "There was an error parsing the body");
  CHECK(db.query("SELECT count(*) FROM workouts")[0][0] == "2");
}

TEST_CASE_METHOD(data_fixture,
                 "workouts: a duplicate merges, a higher-priority source "
                 "keeps its values and gets only its empty ones filled") {
  auto a = sign_up("merge@example.com");
  auto uid = std::to_string(a.id);
  call(a, "PATCH", "/api/v1/athlete-profile", R"({"ftp":250})");
  auto yesterday = format_date(utc_today() - 1);
  auto synced = db.query(
    "INSERT INTO workouts (user_id, external_id, source, start_date, name, "
    "type, duration_sec, distance_m, tss) VALUES (" +
    uid + ", 'i1', 'intervals', '" + yesterday +
    "T07:00:00Z', 'Morning Ride', 'Ride', 3600, 30100, 80) RETURNING id")[0][0];
  // Typed in from a screenshot: the numbers agree within tolerance.
  auto typed = call(
    a, "POST", "/api/v1/workouts",
    R"({"start_date":")" + yesterday +
      R"(T12:00:00.000Z","name":"My ride","type":"Cycling","duration_sec":3650,"distance_m":30000,"tss":81,"notes":"felt good"})");
  CHECK(typed.status == 200);
  CHECK(
    typed.body ==
    R"({"id":)" + synced + R"(,"start_date":")" + yesterday +
      R"(T07:00:00+00:00","name":"Morning Ride","type":"Ride","duration_sec":3600,"distance_m":30100.0,"tss":80.0,"source":"intervals","notes":"felt good"})");
  // Another day in the body's own offset: 00:30 at +03:00 is yesterday in
  // UTC, but its own day is today.
  auto other_day = call(a, "POST", "/api/v1/workouts",
                        R"({"start_date":")" + today() +
                          R"(T00:30:00+03:00","duration_sec":3600,)"
                          R"("distance_m":30100,"tss":80})");
  CHECK(other_day.status == 201);
  CHECK(json_field(other_day.body, "id") != synced);

  // A manual row, then the FIT file of the same ride: the file outranks it.
  auto manual = call(a, "POST", "/api/v1/workouts",
                     R"({"start_date":"2026-11-20T07:02:00Z","name":"Commute",)"
                     R"("notes":"rainy"})");
  REQUIRE(manual.status == 201);
  auto ride = upload(*this, a, "ride.fit", cycling_with_power());
  CHECK(ride.status == 200);
  CHECK(
    ride.body ==
    R"({"id":)" + json_field(manual.body, "id") +
      R"(,"start_date":"2026-11-20T07:02:00+00:00","name":"Cycling","type":"Cycling","duration_sec":3600,"distance_m":30000.0,"tss":77.4,"source":"fit","notes":"rainy"})");
  CHECK(upload(*this, a, "ride.fit", cycling_with_power()).status == 409);

  // The FIT file of a synced run: only the series and the empty distance.
  auto run_day =
    "to_timestamp(" + std::to_string(sample_start + 86400 + 60) + ")";
  auto synced_run = db.query(
    "INSERT INTO workouts (user_id, external_id, source, start_date, name, "
    "type, duration_sec, tss, raw) VALUES (" +
    uid + ", 'i2', 'intervals', " + run_day +
    ", 'Lunch Run', 'Run', 2750, 50, '{\"icu_id\":\"i2\"}') RETURNING id")[0]
                                                                          [0];
  auto run = upload(*this, a, "run.fit", running_heart_rate_only());
  CHECK(run.status == 200);
  CHECK(json_field(run.body, "id") == synced_run);
  CHECK(
    run.body.find(
      R"("name":"Lunch Run","type":"Run","duration_sec":2750,"distance_m":10000.0,"tss":50.0,"source":"intervals")") !=
    std::string::npos);
  auto stored = db.query("SELECT fit_checksum, raw::jsonb ->> 'icu_id', "
                         "jsonb_array_length(raw::jsonb -> 'series'), "
                         "raw::jsonb ->> 'sport' FROM workouts WHERE id = " +
                         synced_run);
  CHECK(stored[0][0] == sha256_hex(running_heart_rate_only()));
  CHECK(stored[0][1] == "i2");
  CHECK(stored[0][2] == "3"); // 5 records a second apart
  CHECK(stored[0][3] == "running");
  CHECK(db.query("SELECT count(*) FROM workouts WHERE user_id = " +
                 uid)[0][0] == "4");

  // The newer app's workout object carries `raw` and `fit_checksum`.
  auto newer = http_call(
    server.port(), "GET",
    "/api/v1/workouts?from_date=2026-11-19&to_date=2026-11-22&limit=10", "",
    {{"Authorization", "Bearer " + a.token}, {"X-App-Language", "en"}});
  // (A merged `raw` went through jsonb: its keys in jsonb's order.)
  CHECK(newer.body.find(R"("normalized_power":220)") != std::string::npos);
  CHECK(newer.body.find(R"("series":[{"power":180,"speed":null,)"
                        R"("heart_rate":120,"elapsed_sec":0})") !=
        std::string::npos);
  CHECK(newer.body.find(R"("fit_checksum":")" +
                        sha256_hex(cycling_with_power()) + "\"") !=
        std::string::npos);
  auto older =
    call(a, "GET", "/api/v1/workouts?from_date=2026-11-19&to_date=2026-11-22");
  CHECK(older.status == 200);
  CHECK(older.body.find("\"raw\"") == std::string::npos);
  CHECK(older.body.find("\"Cycling\"") != std::string::npos);
}

TEST_CASE_METHOD(data_fixture,
                 "FIT preview: what the import would store, stored nowhere, "
                 "with the import's refusals") {
  auto a = sign_up("fit-preview@example.com");
  call(a, "PATCH", "/api/v1/athlete-profile", R"({"ftp":250})");
  auto preview = [&](const std::string& name, const std::string& data) {
    return upload(*this, a, name, data, "/api/v1/workouts/preview-fit");
  };
  auto shown = preview("ride.fit", cycling_with_power());
  REQUIRE(shown.status == 200);
  CHECK(shown.body.rfind(
          R"({"start_date":"2026-11-20T07:00:00+00:00","name":"Cycling",)"
          R"("type":"Cycling","duration_sec":3600,"distance_m":30000.0,)"
          R"("tss":77.4,"raw":{)",
          0) == 0);
  CHECK(shown.body.find(R"("normalized_power":220)") != std::string::npos);
  CHECK(shown.body.find(R"("id")") == std::string::npos);
  CHECK(db.query("SELECT count(*) FROM workouts")[0][0] == "0");
  // The import stores what the preview showed; a preview of an imported
  // file still answers (no duplicate check).
  auto imported = upload(*this, a, "ride.fit", cycling_with_power());
  REQUIRE(imported.status == 201);
  CHECK(imported.body.find(R"("tss":77.4)") != std::string::npos);
  CHECK(preview("ride.fit", cycling_with_power()).status == 200);
  CHECK(db.query("SELECT count(*) FROM workouts")[0][0] == "1");
  auto good = cycling_with_power();
  auto truncated = preview("t.fit", good.substr(0, good.size() / 2));
  CHECK(truncated.status == 400);
  CHECK(json_field(truncated.body, "detail") ==
        "Could not parse FIT file or no session found.");
  CHECK(json_field(preview("ride.gpx", good).body, "detail") ==
        "Expected a .fit file.");
  CHECK(json_field(preview("e.fit", "").body, "detail") == "Empty file.");
}

TEST_CASE_METHOD(data_fixture, "sleep records: save and list") {
  auto a = sign_up("sleep@example.com");
  auto saved = call(
    a, "POST", "/api/v1/photo/save-sleep",
    R"({"date":"2026-02-24","sleep_minutes":453,"factor_ratings":{"deep_sleep":"Good"},"sleep_periods":["22:47 - 04:23"],"extra":1})");
  REQUIRE(saved.status == 200);
  CHECK(
    saved.body.find(
      R"("extracted_data":{"date":"2026-02-24","sleep_hours":null,"sleep_minutes":453,)") !=
    std::string::npos);
  CHECK(saved.body.find(
          R"("factor_ratings":{"deep_sleep":"Good"},"sleep_phases":null)") !=
        std::string::npos);
  CHECK(saved.body.find("\"extra\"") == std::string::npos);
  auto stored = db.query("SELECT extracted_data FROM sleep_extractions")[0][0];
  CHECK(stored.rfind(
          R"({"date":"2026-02-24","sleep_hours":null,"sleep_minutes":453,)",
          0) == 0);
  auto bad =
    call(a, "POST", "/api/v1/photo/save-sleep",
         R"({"awake_min":121,"sleep_minutes":7.5,"bedtime":"123456789"})");
  CHECK(bad.status == 422);
  CHECK(bad.body.find(R"("loc":["body","awake_min"])") != std::string::npos);
  CHECK(bad.body.find(R"("loc":["body","sleep_minutes"])") !=
        std::string::npos);
  CHECK(bad.body.find(R"("loc":["body","bedtime"])") != std::string::npos);
  auto list = call(a, "GET", "/api/v1/photo/sleep-extractions");
  CHECK(
    list.body.find(
      R"("sleep_date":"2026-02-24","sleep_hours":7.55,"actual_sleep_hours":null,"quality_score":null,"can_reanalyze":false}])") !=
    std::string::npos);
  CHECK(call(a, "GET", "/api/v1/photo/sleep-extractions?limit=91").status ==
        422);
}

TEST_CASE_METHOD(data_fixture,
                 "a sleep reading gives its day's wellness what it says "
                 "(never over the athlete's own sleep), and deleting it takes "
                 "back the sleep it gave") {
  auto a = sign_up("sleep-night@example.com");
  auto day = today(); // a reading's year is taken as this year
  auto yesterday = format_date(utc_today() - 1);
  auto newer = [&](const std::string& method, const std::string& path,
                   const std::string& body = {}) {
    return http_call(
      server.port(), method, path, body,
      {{"Authorization", "Bearer " + a.token}, {"X-App-Language", "en"}});
  };
  auto wellness = [&](const std::string& date) {
    return db.query("SELECT sleep_hours, sleep_source, rhr, hrv FROM "
                    "wellness_cache WHERE date = '" +
                    date + "'");
  };
  using rows = std::vector<std::vector<std::string>>;
  // 7 h 30 min in bed, 30 min awake: 7 h slept.
  auto saved = call(a, "POST", "/api/v1/photo/save-sleep",
                    R"({"date":")" + day +
                      R"(","sleep_hours":7.5,"awake_min":30,)"
                      R"("quality_score":84,"rhr":51,"hrv":66})");
  REQUIRE(saved.status == 200);
  CHECK(saved.body.find(R"("rhr":51.0,"hrv":66.0,"spo2_avg":null)") !=
        std::string::npos);
  CHECK(wellness(day) == rows{{"7", "photo", "51", "66"}});
  // The athlete's own sleep stays; RHR still comes over.
  call(a, "PUT", "/api/v1/wellness",
       R"({"date":")" + yesterday + R"(","sleep_hours":8})");
  auto d = format_date(utc_today() - 1);
  auto dm = d.substr(8, 2) + "/" + d.substr(5, 2); // D/M, day first
  call(a, "POST", "/api/v1/photo/save-sleep",
       R"({"date":")" + dm + R"(","sleep_hours":6.5,"rhr":49})");
  CHECK(wellness(yesterday) == rows{{"8", "manual", "49", ""}});
  // The lists: the newer app sees the sleep slept and the ids.
  auto older = call(a, "GET", "/api/v1/photo/sleep-extractions").body;
  auto newest = newer("GET", "/api/v1/photo/sleep-extractions").body;
  CHECK(
    older.find(
      R"("sleep_hours":7.5,"actual_sleep_hours":null,"quality_score":84.0)") !=
    std::string::npos);
  CHECK(
    newest.find(
      R"("sleep_hours":7.0,"actual_sleep_hours":null,"quality_score":84.0)") !=
    std::string::npos);
  // Deleting the first reading takes its sleep from the day, not the RHR.
  auto id = db.query("SELECT min(id) FROM sleep_extractions")[0][0];
  auto gone = newer("DELETE", "/api/v1/photo/sleep-extractions/" + id);
  CHECK(gone.status == 204);
  CHECK(gone.body.empty());
  CHECK(wellness(day) == rows{{"", "", "51", "66"}});
  auto again = newer("DELETE", "/api/v1/photo/sleep-extractions/" + id);
  CHECK(again.status == 404);
  CHECK(again.body == R"({"detail":"Extraction not found."})");
  // Another athlete's reading is not theirs to delete; the manual sleep
  // stays when its own reading goes.
  auto other = db.query("SELECT max(id) FROM sleep_extractions")[0][0];
  auto b = sign_up("sleep-other@example.com");
  CHECK(call(b, "DELETE", "/api/v1/photo/sleep-extractions/" + other).status ==
        404);
  CHECK(newer("DELETE", "/api/v1/photo/sleep-extractions/" + other).status ==
        204);
  CHECK(wellness(yesterday) == rows{{"8", "manual", "49", ""}});
  CHECK(newer("DELETE", "/api/v1/photo/sleep-extractions/x").status == 422);
}

TEST_CASE_METHOD(data_fixture,
                 "authorization matrix: every route, every failure") {
  auto a = sign_up("owner@example.com");
  auto b = sign_up("other@example.com");
  auto food = json_field(
    call(
      a, "POST", "/api/v1/nutrition/entries",
      R"({"name":"A","portion_grams":1,"calories":1,"protein_g":1,"fat_g":1,"carbs_g":1})")
      .body,
    "id");
  auto work = json_field(
    call(a, "POST", "/api/v1/workouts", R"({"start_date":"2026-01-01"})").body,
    "id");
  struct route {
    std::string method, path, body;
  };
  std::vector<route> routes{
    {"GET", "/api/v1/athlete-profile", ""},
    {"PATCH", "/api/v1/athlete-profile", "{}"},
    {"POST", "/api/v1/nutrition/entries", "{}"},
    {"GET", "/api/v1/nutrition/day", ""},
    {"GET", "/api/v1/nutrition/entries/" + food, ""},
    {"PATCH", "/api/v1/nutrition/entries/" + food, "{}"},
    {"DELETE", "/api/v1/nutrition/entries/" + food, ""},
    {"POST", "/api/v1/photo/save-sleep", "{}"},
    {"GET", "/api/v1/photo/sleep-extractions", ""},
    {"GET", "/api/v1/wellness", ""},
    {"PUT", "/api/v1/wellness", "{}"},
    {"GET", "/api/v1/workouts", ""},
    {"POST", "/api/v1/workouts", "{}"},
    {"PATCH", "/api/v1/workouts/" + work, "{}"},
    {"DELETE", "/api/v1/workouts/" + work, ""},
    {"GET", "/api/v1/workouts/fitness", ""},
    {"POST", "/api/v1/workouts/upload-fit", ""},
  };
  auto expired =
    sign_token({"change-me-in-production", "HS256", 0},
               R"({"sub":")" + std::to_string(a.id) + R"(","exp":1000})");
  for (auto& r : routes) {
    INFO(r.method << " " << r.path);
    auto none = http_call(server.port(), r.method, r.path, r.body);
    CHECK(none.status == 401);
    CHECK(none.body == R"({"detail":"Not authenticated"})");
    auto garbage =
      http_call(server.port(), r.method, r.path, r.body, bearer("x.y.z"));
    CHECK(garbage.body == R"({"detail":"Invalid or expired token"})");
    auto old =
      http_call(server.port(), r.method, r.path, r.body, bearer(expired));
    CHECK(old.status == 401);
  }
  // Another user's rows look exactly like missing ones.
  auto entry = call(b, "GET", "/api/v1/nutrition/entries/" + food);
  CHECK(entry.status == 404);
  CHECK(entry.body == R"({"detail":"Entry not found."})");
  CHECK(
    call(b, "PATCH", "/api/v1/nutrition/entries/" + food, R"({"calories":5})")
      .body == R"({"detail":"Entry not found."})");
  CHECK(call(b, "DELETE", "/api/v1/nutrition/entries/" + food).status == 404);
  CHECK(call(b, "PATCH", "/api/v1/workouts/" + work, R"({"tss":5})").body ==
        R"({"detail":"Workout not found."})");
  CHECK(call(b, "DELETE", "/api/v1/workouts/" + work).status == 404);
  CHECK(call(b, "GET", "/api/v1/workouts?from_date=2025-12-01").body == "[]");
  CHECK(call(b, "GET", "/api/v1/nutrition/day").body.find(R"("entries":[])") !=
        std::string::npos);
  CHECK(db.query("SELECT count(*) FROM food_log")[0][0] == "1");
  CHECK(db.query("SELECT count(*) FROM workouts WHERE tss IS NULL")[0][0] ==
        "1");
}

TEST_CASE("a crashing user actor: that request 503, the user recovers, others "
          "unaffected") {
  // The bystander loops: lift the per-user rate limit out of its way.
  data_fixture f{
    {{"FAULT_INJECTION", "true"}, {"RATE_LIMIT_PER_MINUTE", "1000000"}}};
  auto a = f.sign_up("crash@example.com");
  auto b = f.sign_up("bystander@example.com");
  f.call(a, "PATCH", "/api/v1/athlete-profile", R"({"weight_kg":71})");
  f.call(b, "PATCH", "/api/v1/athlete-profile", R"({"weight_kg":60})");
  std::atomic<bool> stop{false};
  auto bystander = std::async(std::launch::async, [&] {
    int failures = 0, calls = 0;
    while (!stop) {
      auto r = f.call(b, "GET", "/api/v1/athlete-profile");
      failures += r.status != 200 ||
                  r.body.find(R"("weight_kg":60.0)") == std::string::npos;
      ++calls;
    }
    return std::make_pair(failures, calls);
  });
  auto crashed = f.call(a, "POST", "/api/v1/test/fault");
  CHECK(crashed.status == 503);
  CHECK(crashed.header("retry-after") == "2");
  auto next = f.call(a, "GET", "/api/v1/athlete-profile");
  CHECK(next.status == 200);
  CHECK(next.body.find(R"("weight_kg":71.0)") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  auto [failures, calls] = bystander.get();
  CHECK(failures == 0);
  CHECK(calls > 0);
  CHECK(f.server.output().find("actor of user " + std::to_string(a.id) +
                               " failed") != std::string::npos);
}

TEST_CASE("idle user actors passivate and come back with all data") {
  data_fixture f{{{"USER_IDLE_SECONDS", "1"}}};
  auto a = f.sign_up("idle@example.com");
  f.call(a, "PUT", "/api/v1/wellness", R"({"date":"2026-02-20","rhr":48})");
  f.call(a, "PATCH", "/api/v1/athlete-profile", R"({"ftp":280})");
  auto actors = [&] {
    return admin_stat(f.server.port(), {"user_actors", "resident"});
  };
  CHECK(actors() == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  CHECK(actors() == 0);
  CHECK(admin_stat(f.server.port(), {"user_actors", "passivated"}) == 1);
  CHECK(f.call(a, "GET", "/api/v1/athlete-profile").body.find(R"("ftp":280)") !=
        std::string::npos);
  CHECK(
    f.call(a, "GET", "/api/v1/wellness?from_date=2026-02-01&to_date=2026-02-28")
      .body.find(R"("rhr":48.0)") != std::string::npos);
  CHECK(actors() == 1);
}

TEST_CASE_METHOD(data_fixture,
                 "repeated POSTs: an Idempotency-Key gives the first answer "
                 "again for a day, and a byte-identical food entry within "
                 "seconds is stored once") {
  auto a = sign_up("replay@example.com");
  auto food = [](const std::string& name) {
    return R"({"name":")" + name +
           R"(","portion_grams":100,"calories":90,"protein_g":3,)"
           R"("fat_g":1,"carbs_g":17,"date":"2026-03-01"})";
  };
  auto keyed = [&](const std::string& key, const std::string& body) {
    return http_call(
      server.port(), "POST", "/api/v1/nutrition/entries", body,
      {{"Authorization", "Bearer " + a.token}, {"Idempotency-Key", key}});
  };
  auto rows = [&] {
    return db.query("SELECT count(*) FROM food_log")[0][0];
  };
  auto first = keyed("queue-7f3a", food("Apple"));
  REQUIRE(first.status == 200);
  CHECK(first.header("idempotent-replayed").empty());
  auto again = keyed("queue-7f3a", food("Apple"));
  CHECK(again.status == 200);
  CHECK(again.body == first.body);
  CHECK(again.header("idempotent-replayed") == "true");
  CHECK(rows() == "1");
  // The key on another request is refused; a bad key too.
  auto other = keyed("queue-7f3a", food("Pear"));
  CHECK(other.status == 422);
  CHECK(other.body ==
        R"({"detail":"This Idempotency-Key was used for another request."})");
  CHECK(keyed("has space", food("Pear")).status == 400);
  CHECK(keyed(std::string(256, 'k'), food("Pear")).status == 400);
  // An answer that was a refusal is kept too (the same request, the same
  // answer).
  auto bad = keyed("queue-bad", R"({"name":""})");
  CHECK(bad.status == 422);
  CHECK(keyed("queue-bad", R"({"name":""})").body == bad.body);
  // Another athlete's key space is their own.
  auto b = sign_up("replay-other@example.com");
  auto theirs =
    http_call(server.port(), "POST", "/api/v1/nutrition/entries", food("Apple"),
              {{"Authorization", "Bearer " + b.token},
               {"Idempotency-Key", "queue-7f3a"}});
  CHECK(theirs.status == 200);
  CHECK(theirs.header("idempotent-replayed").empty());
  CHECK(rows() == "2");
  // Without a key: the same entry again within seconds is the first one.
  auto plain = call(a, "POST", "/api/v1/nutrition/entries", food("Banana"));
  auto replay = call(a, "POST", "/api/v1/nutrition/entries", food("Banana"));
  CHECK(replay.body == plain.body);
  CHECK(rows() == "3");
  call(a, "POST", "/api/v1/nutrition/entries", food("Kiwi"));
  CHECK(rows() == "4");
  // Kept in the database: a day.
  CHECK(db.query("SELECT count(*) FROM idempotent_requests WHERE status IS "
                 "NOT NULL") == std::vector<std::vector<std::string>>{{"3"}});
}
