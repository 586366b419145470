// Kept sleep screenshots end to end: the real binary, PostgreSQL or the
// fake S3 store (every request's signature checked), the fake Gemini.
#include "protocols/tokens.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/images.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <future>
#include <thread>

using namespace st;
using namespace st::test;

namespace {

struct sleep_fixture {
  scratch_database db;
  fake_gemini gemini;
  std::unique_ptr<fake_s3> s3;
  std::unique_ptr<server_process> server;
  athlete a;
  std::string jpeg = encode(photo_like(320, 240), ".jpg");

  explicit sleep_fixture(bool with_s3,
                         std::map<std::string, std::string> env = {}) {
    env["DATABASE_URL"] = db.dsn();
    env["GEMINI_API_BASE_URL"] = gemini.base_url();
    env["GOOGLE_GEMINI_API_KEY"] = "test-gemini-key";
    if (with_s3) {
      s3 = std::make_unique<fake_s3>();
      for (auto& [k, v] : s3->settings())
        env[k] = v;
    }
    server = std::make_unique<server_process>(env);
    a = register_athlete(port(), db, "sleeper@example.com");
  }

  uint16_t port() const {
    return server->port();
  }

  http_reply call(const std::string& method, const std::string& path,
                  const std::string& body = {}) {
    return http_call(
      port(), method, path, body,
      {{"Authorization", "Bearer " + a.token}, {"X-App-Language", "en"}});
  }

  http_reply analyze_sleep() {
    auto body = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                "filename=\"s.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" +
                jpeg + "\r\n--XyZ--\r\n";
    return http_call(port(), "POST", "/api/v1/photo/analyze-sleep", body,
                     {{"Authorization", "Bearer " + a.token},
                      {"Content-Type", "multipart/form-data; boundary=XyZ"}});
  }

  http_reply reanalyze(const std::string& id, const std::string& body) {
    return call("POST", "/api/v1/photo/sleep-extractions/" + id + "/reanalyze",
                body);
  }

  rapidjson::Document list() {
    rapidjson::Document doc;
    doc.Parse(call("GET", "/api/v1/photo/sleep-extractions").body.c_str());
    return doc;
  }

  std::string wellness_sleep(const std::string& date) {
    auto rows = db.query("SELECT coalesce(sleep_hours::text, 'null') || ' ' "
                         "|| coalesce(sleep_source, 'null') FROM "
                         "wellness_cache WHERE date = '" +
                         date + "'");
    return rows.empty() ? "none" : rows[0][0];
  }
};

std::string field(const std::string& body, const char* name) {
  return json_field(body, name);
}

/// The fake model's answer for a re-read: another night, other figures.
const char* reread_answer =
  R"([{"text": "{\"date\": \"2026-11-29\", \"sleep_hours\": 6.4, )"
  R"(\"actual_sleep_hours\": 5.5, \"quality_score\": 60}"}])";

} // namespace

TEST_CASE("sleep screenshots kept in PostgreSQL: re-analysed with a "
          "correction, gone with their reading") {
  sleep_fixture f{false};
  auto first = f.analyze_sleep();
  REQUIRE(first.status == 200);
  auto id = field(first.body, "id");
  auto kept = f.db.query(
    "SELECT s.image_storage_path, i.content_type, encode(sha256(i.data), "
    "'hex'), i.user_id FROM sleep_extractions s JOIN stored_images i ON "
    "i.path = s.image_storage_path WHERE s.id = " +
    id);
  REQUIRE(kept.size() == 1);
  auto key = kept[0][0];
  CHECK(key.rfind("sleep/" + std::to_string(f.a.id) + "/", 0) == 0);
  CHECK(key.size() == std::string{"sleep/"}.size() +
                        std::to_string(f.a.id).size() + 1 + 32 + 4);
  CHECK(kept[0][1] == "image/jpeg");
  // What is kept is what the model saw.
  CHECK(kept[0][2] == sha256_hex(f.gemini.image(0)));
  CHECK(kept[0][3] == std::to_string(f.a.id));

  // A reading saved from the camera preview has no screenshot.
  auto typed = f.call("POST", "/api/v1/photo/save-sleep",
                      R"({"date":"2026-11-20","sleep_hours":8})");
  REQUIRE(typed.status == 200);
  auto typed_id = field(typed.body, "id");
  auto items = f.list();
  REQUIRE(items.Size() == 2);
  for (auto& item : items.GetArray())
    CHECK(item["can_reanalyze"].GetBool() ==
          (std::to_string(item["id"].GetInt()) == id));
  std::string night;
  for (auto& item : items.GetArray())
    if (std::to_string(item["id"].GetInt()) == id)
      night = item["sleep_date"].GetString();
  CHECK(night.substr(4) == "-11-30"); // the fake's date, in a right year
  CHECK(f.wellness_sleep(night) == "7.2 photo");

  // Refusals, each with the reference's detail; nothing changes.
  CHECK(f.reanalyze(id, "{}").status == 422);
  CHECK(f.reanalyze(id, R"({"correction":""})").status == 422);
  CHECK(f.reanalyze(id, R"({"correction":")" + std::string(513, 'x') + "\"}")
          .status == 422);
  CHECK(f.reanalyze("abc", R"({"correction":"x"})").status == 422);
  auto no_image = f.reanalyze(typed_id, R"({"correction":"x"})");
  CHECK(no_image.status == 400);
  CHECK(no_image.body == R"({"detail":"No image for re-analysis."})");
  auto missing = f.reanalyze("999999", R"({"correction":"x"})");
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Extraction not found."})");
  auto other = register_athlete(f.port(), f.db, "other@example.com");
  CHECK(http_call(f.port(), "POST",
                  "/api/v1/photo/sleep-extractions/" + id + "/reanalyze",
                  R"({"correction":"x"})", bearer(other.token))
          .status == 404);
  f.gemini.script(R"([{"text": "not json at all"}])");
  CHECK(f.reanalyze(id, R"({"correction":"x"})").status == 422);

  // Read again: the same image, the correction in the prompt; the row
  // keeps its id and upload time, and its night moves in wellness.
  f.gemini.script(reread_answer);
  auto reread =
    f.reanalyze(id, R"({"correction":"I slept 5.5 h, on the 29th"})");
  REQUIRE(reread.status == 200);
  CHECK(field(reread.body, "id") == id);
  CHECK(field(reread.body, "created_at") == field(first.body, "created_at"));
  CHECK(reread.body.find(R"("actual_sleep_hours":5.5)") != std::string::npos);
  CHECK(f.gemini.image(-1) == f.gemini.image(0));
  auto stats = f.gemini.stats();
  CHECK(stats.find("I slept 5.5 h, on the 29th") != std::string::npos);
  auto moved = night.substr(0, 4) + "-11-29";
  CHECK(f.wellness_sleep(moved) == "5.5 photo");
  CHECK(f.wellness_sleep(night) == "null null");

  // Deleted while the model reads it again: the re-read finds no row.
  auto second = f.analyze_sleep();
  REQUIRE(second.status == 200);
  auto second_id = field(second.body, "id");
  f.gemini.script(
    R"([{"delay_ms": 1500, "text": "{\"date\": \"2026-11-28\", \"sleep_hours\": 8}"}])");
  auto late = std::async(std::launch::async, [&] {
    return f.reanalyze(second_id, R"({"correction":"x"})");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(
    f.call("DELETE", "/api/v1/photo/sleep-extractions/" + second_id).status ==
    204);
  auto gone = late.get();
  CHECK(gone.status == 404);
  CHECK(gone.body == R"({"detail":"Extraction not found."})");

  // Deleted: the reading, the sleep it gave and its screenshot.
  CHECK(f.call("DELETE", "/api/v1/photo/sleep-extractions/" + id).status ==
        204);
  CHECK(f.db.query("SELECT count(*) FROM stored_images")[0][0] == "0");
  CHECK(f.wellness_sleep(moved) == "null null");
}

TEST_CASE("sleep re-analysis is premium when tiers are on") {
  sleep_fixture f{false, {{"TIERS_ENABLED", "true"}}};
  auto first = f.analyze_sleep();
  REQUIRE(first.status == 200);
  auto id = field(first.body, "id");
  CHECK_FALSE(f.list()[0]["can_reanalyze"].GetBool());
  auto refused = f.reanalyze(id, R"({"correction":"x"})");
  CHECK(refused.status == 403);
  CHECK(refused.body == R"({"detail":"Premium required for re-analysis."})");
  CHECK(refused.header("x-upgrade-required") == "true");
}

TEST_CASE("sleep screenshots kept in an S3 store: signed requests, the "
          "bucket made on first use, a store out of reach costs only the "
          "re-analysis") {
  sleep_fixture f{true};
  auto first = f.analyze_sleep();
  REQUIRE(first.status == 200);
  auto id = field(first.body, "id");
  auto key = f.db.query("SELECT image_storage_path FROM sleep_extractions "
                        "WHERE id = " +
                        id)[0][0];
  CHECK(f.db.query("SELECT count(*) FROM stored_images")[0][0] == "0");
  // The fake refuses a bad signature: every status here is its verdict.
  auto stats = f.s3->stats();
  CHECK(stats.find(R"({"method": "PUT", "path": "/sleep-shots/)" + key +
                   R"(", "status": 404}, {"method": "PUT", "path": )"
                   R"("/sleep-shots", "status": 200}, {"method": "PUT", )"
                   R"("path": "/sleep-shots/)" +
                   key + R"(", "status": 200})") != std::string::npos);
  CHECK(f.s3->object("sleep-shots/" + key) == f.gemini.image(0));
  CHECK(stats.find(R"("content_type": "image/jpeg")") != std::string::npos);

  f.gemini.script(reread_answer);
  auto reread = f.reanalyze(id, R"({"correction":"the 29th"})");
  CHECK(reread.status == 200);
  CHECK(f.gemini.image(-1) == f.gemini.image(0));

  // The store fails every try: the reading is still saved (without a
  // screenshot), and the kept one cannot be fetched.
  f.s3->fail(500, 20);
  auto unkept = f.analyze_sleep();
  CHECK(unkept.status == 200);
  CHECK(f.db.query("SELECT image_storage_path IS NULL FROM "
                   "sleep_extractions WHERE id = " +
                   field(unkept.body, "id"))[0][0] == "t");
  auto unreachable = f.reanalyze(id, R"({"correction":"again"})");
  CHECK(unreachable.status == 502);
  CHECK(unreachable.body == R"({"detail":"Failed to load stored image."})");
  f.s3->fail(500, 0);

  CHECK(f.call("DELETE", "/api/v1/photo/sleep-extractions/" + id).status ==
        204);
  // The store's delete follows the answer: wait for it.
  for (int i = 0; i < 50 && f.s3->stats().find("DELETE") == std::string::npos;
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(f.s3->stats().find(R"({"method": "DELETE", "path": "/sleep-shots/)" +
                           key + R"(", "status": 204})") != std::string::npos);
}
