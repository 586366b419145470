// Free and premium tiers end to end (http-api-head.md §1.2-1.3 with §6.20,
// §6.23, §6.27): the real binary, HTTP, PostgreSQL and the fake Gemini.
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/images.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

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
          "by kind and refuses past the limit with an upgrade hint; "
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
