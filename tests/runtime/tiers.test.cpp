// Free and premium tiers end to end (http-api-head.md §1.2-1.3 with §6.20,
// §6.23, §6.27): the real binary, HTTP, PostgreSQL and the fake Gemini.
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/images.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <ctime>

using namespace st;
using namespace st::test;

namespace {

using rows = std::vector<std::vector<std::string>>;

struct tiers_fixture {
  scratch_database db;
  fake_gemini gemini;
  std::map<std::string, std::string> env;

  explicit tiers_fixture(std::map<std::string, std::string> extra) {
    env = std::move(extra);
    env["DATABASE_URL"] = db.dsn();
    env["GEMINI_API_BASE_URL"] = gemini.base_url();
    env["GOOGLE_GEMINI_API_KEY"] = "test-gemini-key";
  }
};

http_reply as(uint16_t port, const athlete& who, const std::string& method,
              const std::string& path, const std::string& body = {}) {
  return http_call(port, method, path, body, bearer(who.token));
}

http_reply photo(uint16_t port, const athlete& who) {
  static const auto jpeg = encode(photo_like(320, 240), ".jpg");
  auto body = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
              "filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" +
              jpeg + "\r\n--XyZ--\r\n";
  return http_call(port, "POST", "/api/v1/photo/analyze?save=false", body,
                   {{"Authorization", "Bearer " + who.token},
                    {"Content-Type", "multipart/form-data; boundary=XyZ"}});
}

/// A zone whose date differs from UTC's right now: 14 h ahead once UTC is
/// past 10:00, else 11 h behind.
std::string zone_off_utc_date() {
  auto now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return utc.tm_hour >= 10 ? "Pacific/Kiritimati" : "Pacific/Pago_Pago";
}

} // namespace

TEST_CASE("free athletes: each day of their own counts their model calls "
          "by kind and refuses past the limit with an upgrade hint, "
          "premium athletes are never counted") {
  tiers_fixture f{{{"TIERS_ENABLED", "true"},
                   {"FREE_DAILY_CHAT_LIMIT", "2"},
                   {"FREE_DAILY_PHOTO_LIMIT", "1"}}};
  server_process server{f.env};
  auto port = server.port();
  auto free = register_athlete(port, f.db, "free@example.com");
  auto pro = register_athlete(port, f.db, "pro@example.com");
  f.db.query("UPDATE users SET is_premium = true WHERE email = "
             "'pro@example.com'");
  auto zone = zone_off_utc_date();
  REQUIRE(as(port, free, "PATCH", "/api/v1/athlete-profile",
             R"({"timezone":")" + zone + R"("})")
            .status == 200);
  auto local_today =
    f.db.query("SELECT (now() AT TIME ZONE '" + zone + "')::date::text")[0][0];
  auto usage = [&] {
    return f.db.query("SELECT u.email, d.date::text, d.photo_analyses, "
                      "d.chat_messages FROM daily_usage d JOIN users u ON "
                      "u.id = d.user_id ORDER BY u.email, d.date");
  };
  // Yesterday (their yesterday) at the limit does not count today.
  f.db.query("INSERT INTO daily_usage (user_id, date, photo_analyses, "
             "chat_messages) VALUES (" +
             std::to_string(free.id) + ", '" + local_today +
             "'::date - 1, 1, 2)");
  auto profile = as(port, free, "GET", "/api/v1/athlete-profile");
  CHECK(profile.body.find(R"("is_premium":false)") != std::string::npos);

  auto chat = [&](const athlete& who) {
    return as(port, who, "POST", "/api/v1/chat/send", R"({"message":"Hi"})");
  };
  CHECK(chat(free).status == 200);
  // A model call that fails costs nothing.
  f.gemini.script(R"([{"status": 400}])");
  auto failed = chat(free);
  CHECK(failed.status == 502);
  CHECK(chat(free).status == 200);
  auto refused = chat(free);
  CHECK(refused.status == 429);
  CHECK(
    refused.body ==
    R"({"detail":"Daily limit of 2 reached. Upgrade to Pro for unlimited access."})");
  CHECK(refused.header("x-upgrade-required") == "true");
  CHECK(refused.header("x-usage-limit") == "2");
  auto calls_before = f.gemini.stats();
  // Photos are their own kind.
  CHECK(photo(port, free).status == 200);
  auto second = photo(port, free);
  CHECK(second.status == 429);
  CHECK(second.header("x-usage-limit") == "1");
  CHECK(
    usage() ==
    rows{{"free@example.com",
          f.db.query("SELECT '" + local_today + "'::date - 1")[0][0], "1", "2"},
         {"free@example.com", local_today, "1", "2"}});
  // Premium: every call answered, nothing counted.
  for (int i = 0; i < 3; ++i)
    CHECK(chat(pro).status == 200);
  CHECK(photo(port, pro).status == 200);
  CHECK(as(port, pro, "GET", "/api/v1/athlete-profile")
          .body.find(R"("is_premium":true)") != std::string::npos);
  CHECK(f.db.query("SELECT count(*) FROM daily_usage d JOIN users u ON "
                   "u.id = d.user_id WHERE u.email = 'pro@example.com'") ==
        rows{{"0"}});
}

TEST_CASE("a decision asked for: a free athlete gets the rules' word as a "
          "teaser with no model call, a chat asking for it is a counted "
          "call, premium gets the whole decision") {
  tiers_fixture f{{{"TIERS_ENABLED", "true"}, {"FREE_DAILY_CHAT_LIMIT", "1"}}};
  server_process server{f.env};
  auto port = server.port();
  auto run = [&](const athlete& who) {
    return as(port, who, "POST", "/api/v1/chat/orchestrator/run");
  };
  auto model_calls = [&] {
    rapidjson::Document d;
    d.Parse(f.gemini.stats().c_str());
    return d["calls"].Size();
  };
  auto slept = [&](const std::string& email, bool premium,
                   bool athlete = true) {
    auto who = register_athlete(port, f.db, email);
    if (premium) // before the athlete's actor reads the account
      f.db.query("UPDATE users SET is_premium = true WHERE email = '" + email +
                 "'");
    if (athlete)
      declare_athlete(port, who);
    auto today =
      json_field(as(port, who, "GET", "/api/v1/nutrition/day").body, "date");
    REQUIRE(as(port, who, "PUT", "/api/v1/wellness",
               R"({"date":")" + today + R"(","sleep_hours":4.0})")
              .status == 200);
    return who;
  };
  auto free = slept("free-run@example.com", false);
  for (int i = 0; i < 2; ++i) {
    auto teaser = run(free);
    CHECK(teaser.status == 200);
    // 4 h of sleep: the rules' Skip, the word only.
    CHECK(teaser.body == R"({"decision":"Skip","is_teaser":true})");
  }
  // Someone who is not an athlete: the rules' advice, the word only.
  CHECK(run(slept("free-advice@example.com", false, false)).body ==
        R"({"decision":"Advice","is_teaser":true})");
  CHECK(model_calls() == 0);
  CHECK(f.db.query("SELECT count(*) FROM daily_usage") == rows{{"0"}});
  CHECK(f.db.query("SELECT source FROM daily_decisions") ==
        rows{{"rules"}, {"rules"}, {"rules"}});

  // Asked for in the chat: the reply is the model's, and counted.
  auto chat = [&] {
    return as(port, free, "POST", "/api/v1/chat/send",
              R"({"message":"Plan?","run_orchestrator":true})");
  };
  CHECK(chat().status == 200);
  CHECK(model_calls() == 1);
  auto refused = chat();
  CHECK(refused.status == 429);
  CHECK(refused.header("x-usage-limit") == "1");
  CHECK(json_field(refused.body, "detail").find("Daily limit") == 0);

  auto pro = slept("pro-run@example.com", true);
  auto whole = run(pro);
  CHECK(whole.status == 200);
  CHECK(whole.body.find("\"is_teaser\"") == std::string::npos);
  CHECK(json_field(whole.body, "source").find("ai") == 0);
  CHECK(model_calls() == 2);
}

TEST_CASE("without billing or TIERS_ENABLED every athlete has every feature "
          "and nothing is counted") {
  tiers_fixture f{{{"FREE_DAILY_CHAT_LIMIT", "1"}}};
  server_process server{f.env};
  auto who = register_athlete(server.port(), f.db, "all@example.com");
  for (int i = 0; i < 3; ++i)
    CHECK(
      as(server.port(), who, "POST", "/api/v1/chat/send", R"({"message":"Hi"})")
        .status == 200);
  CHECK(as(server.port(), who, "GET", "/api/v1/athlete-profile")
          .body.find(R"("is_premium":true)") != std::string::npos);
  CHECK(f.db.query("SELECT count(*) FROM daily_usage") == rows{{"0"}});
}

TEST_CASE("nutrition from words: analyze-from-text (premium, stores "
          "nothing), add-from-text (metered, stored on the athlete's day), "
          "reanalyze (premium), micronutrients shown to premium only") {
  tiers_fixture f{{{"TIERS_ENABLED", "true"}, {"FREE_DAILY_PHOTO_LIMIT", "1"}}};
  server_process server{f.env};
  auto port = server.port();
  auto free = register_athlete(port, f.db, "free-text@example.com");
  auto pro = register_athlete(port, f.db, "pro-text@example.com");
  f.db.query("UPDATE users SET is_premium = true WHERE email = "
             "'pro-text@example.com'");
  const std::string estimate =
    R"({"name": "Vegan sausage", "portion_grams": 150, "calories": 310,)"
    R"( "protein_g": 18, "fat_g": 20, "carbs_g": 9, "fiber_g": 3.5,)"
    R"( "sodium_mg": 640, "iron_mg": "lots", "zinc_mg": -1})";
  auto script = [&] {
    rapidjson::Document d;
    d.SetArray();
    rapidjson::Value o(rapidjson::kObjectType);
    o.AddMember("text", rapidjson::Value(estimate.c_str(), d.GetAllocator()),
                d.GetAllocator());
    d.PushBack(o, d.GetAllocator());
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    d.Accept(w);
    f.gemini.script(b.GetString());
  };
  auto calls = [&] {
    rapidjson::Document d;
    d.Parse(f.gemini.stats().c_str());
    return d["calls"].Size();
  };

  // analyze-from-text: premium only, stores nothing.
  auto refused = as(port, free, "POST", "/api/v1/nutrition/analyze-from-text",
                    R"({"name":"sausage"})");
  CHECK(refused.status == 403);
  CHECK(refused.body == R"({"detail":"Premium required for re-analysis."})");
  CHECK(as(port, pro, "POST", "/api/v1/nutrition/analyze-from-text",
           R"({"name":"   "})")
          .body == R"({"detail":"Name is required."})");
  CHECK(calls() == 0);
  script();
  auto analysed = http_call(
    port, "POST", "/api/v1/nutrition/analyze-from-text",
    R"({"name":"sausage","portion_grams":150,"correction":"vegan, not pork"})",
    {{"Authorization", "Bearer " + pro.token}, {"X-App-Language", "de"}});
  REQUIRE(analysed.status == 200);
  CHECK(analysed.body ==
        R"({"name":"Vegan sausage","portion_grams":150.0,"calories":310.0,)"
        R"("protein_g":18.0,"fat_g":20.0,"carbs_g":9.0,"id":0,)"
        R"("extended_nutrients":{"fiber_g":3.5,"sodium_mg":640.0}})");
  {
    rapidjson::Document stats;
    stats.Parse(f.gemini.stats().c_str());
    auto& last = stats["calls"][stats["calls"].Size() - 1];
    std::string text = last["texts"][0].GetString();
    CHECK(text.find("Dish: \"sausage\"\nPortion: 150 g") == 0);
    CHECK(text.find("Correction from the athlete: \"vegan, not pork\"") !=
          std::string::npos);
    CHECK(std::string{last["system"].GetString()}.find("in German;") !=
          std::string::npos);
  }
  CHECK(f.db.query("SELECT count(*) FROM food_log") == rows{{"0"}});

  // add-from-text: open to free athletes, counted, inputs checked first.
  auto bad_date =
    as(port, free, "POST", "/api/v1/nutrition/entries/add-from-text",
       R"({"name":"soup","portion_grams":300,"date":"31.02.2026"})");
  CHECK(bad_date.status == 400);
  CHECK(as(port, free, "POST", "/api/v1/nutrition/entries/add-from-text",
           R"({"name":"soup"})")
          .status == 422);
  auto calls_before = calls();
  script();
  auto added = as(port, free, "POST", "/api/v1/nutrition/entries/add-from-text",
                  R"({"name":"soup","portion_grams":300,"meal_type":"Lunch",)"
                  R"("date":"2026-03-14"})");
  REQUIRE(added.status == 200);
  CHECK(added.body.find(R"("name":"Vegan sausage","portion_grams":150.0)") !=
        std::string::npos);
  CHECK(added.body.find(
          R"("meal_type":"lunch","timestamp":"2026-03-14T00:00:00+00:00",)"
          R"("extended_nutrients":null,"can_reanalyze":false})") !=
        std::string::npos);
  CHECK(calls() == calls_before + 1);
  // Stored with its micronutrients, shown to premium athletes only.
  CHECK(f.db.query("SELECT extended_nutrients::text FROM food_log") ==
        rows{{R"({"fiber_g":3.5,"sodium_mg":640.0})"}});
  auto limited =
    as(port, free, "POST", "/api/v1/nutrition/entries/add-from-text",
       R"({"name":"soup","portion_grams":300})");
  CHECK(limited.status == 429);
  CHECK(calls() == calls_before + 1);

  // reanalyze: premium only, another's entry is not found, keeps the time.
  auto entry_id = f.db.query("SELECT id FROM food_log")[0][0];
  CHECK(as(port, free, "POST",
           "/api/v1/nutrition/entries/" + entry_id + "/reanalyze", "{}")
          .status == 403);
  auto not_theirs =
    as(port, pro, "POST",
       "/api/v1/nutrition/entries/" + entry_id + "/reanalyze", "{}");
  CHECK(not_theirs.status == 404);
  CHECK(not_theirs.body == R"({"detail":"Entry not found."})");
  CHECK(as(port, pro, "POST", "/api/v1/nutrition/entries/abc/reanalyze", "{}")
          .status == 422);
}

TEST_CASE("POST nutrition/entries takes micronutrients (the ten keys, "
          "numbers >= 0) and a premium athlete re-estimates the entry") {
  tiers_fixture f{{}};
  server_process server{f.env};
  auto port = server.port();
  auto who = register_athlete(port, f.db, "micro@example.com");
  auto post = [&](const std::string& extra) {
    return as(port, who, "POST", "/api/v1/nutrition/entries",
              R"({"name":"Salad","portion_grams":200,"calories":150,)"
              R"("protein_g":5,"fat_g":9,"carbs_g":12)" +
                extra + "}");
  };
  for (auto bad : {R"(,"extended_nutrients":{"gold_mg":1})",
                   R"(,"extended_nutrients":{"iron_mg":-2})",
                   R"(,"extended_nutrients":{"iron_mg":"2"})",
                   R"(,"extended_nutrients":[1])"}) {
    auto r = post(bad);
    CHECK(r.status == 422);
    CHECK(r.body.find(R"("loc":["body","extended_nutrients"])") !=
          std::string::npos);
  }
  CHECK(f.db.query("SELECT count(*) FROM food_log") == rows{{"0"}});
  auto stored = post(R"(,"extended_nutrients":{"iron_mg":2.5,"zinc_mg":null})");
  REQUIRE(stored.status == 200);
  CHECK(stored.body.find(R"("extended_nutrients":{"iron_mg":2.5},)"
                         R"("can_reanalyze":true})") != std::string::npos);
  auto id = f.db.query("SELECT id FROM food_log")[0][0];
  f.gemini.script(
    R"([{"text": "{\"name\": \"Greek salad\", \"portion_grams\": 250, \"calories\": 210, \"protein_g\": 7, \"fat_g\": 15, \"carbs_g\": 11}"}])");
  auto again =
    as(port, who, "POST", "/api/v1/nutrition/entries/" + id + "/reanalyze",
       R"({"correction":"with feta"})");
  REQUIRE(again.status == 200);
  CHECK(again.body.find(
          R"("id":)" + id +
          R"(,"name":"Greek salad","portion_grams":250.0,"calories":210.0)") !=
        std::string::npos);
  CHECK(again.body.find(R"("extended_nutrients":null)") != std::string::npos);
  rapidjson::Document stats;
  stats.Parse(f.gemini.stats().c_str());
  std::string text =
    stats["calls"][stats["calls"].Size() - 1]["texts"][0].GetString();
  // The stored name and portion, with the correction.
  CHECK(text.find("Dish: \"Salad\"\nPortion: 200 g\nCorrection from the "
                  "athlete: \"with feta\"") == 0);
  auto day = as(port, who, "GET", "/api/v1/nutrition/entries/" + id);
  CHECK(day.body.find(R"("name":"Greek salad")") != std::string::npos);
}
