// Photo AI end to end: the real binary, HTTP, PostgreSQL and the fake
// Gemini server (what it received is checked, image bytes included).
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/images.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <future>
#include <opencv2/core.hpp>
#include <thread>

#include "util/dates.hpp"

using namespace st;
using namespace st::test;

namespace {

const cv::Vec3b red{0, 0, 255};
const cv::Vec3b green{0, 255, 0};
const cv::Vec3b blue{255, 0, 0};
const cv::Vec3b white{255, 255, 255};

struct photo_fixture {
  scratch_database db;
  fake_gemini fake;
  server_process server;

  explicit photo_fixture(std::map<std::string, std::string> env = {})
    : server(with_db(std::move(env))) {}

  std::map<std::string, std::string>
  with_db(std::map<std::string, std::string> env) {
    env["DATABASE_URL"] = db.dsn();
    env["ADMIN_TOKEN"] = test_admin_token;
    env["GEMINI_API_BASE_URL"] = fake.base_url();
    env.emplace("GOOGLE_GEMINI_API_KEY", "test-gemini-key");
    return env;
  }

  athlete sign_up(const std::string& email) {
    return register_athlete(server.port(), db, email);
  }

  /// A multipart upload of `bytes` as `file` (with `content_type`) plus
  /// text fields.
  http_reply upload(const athlete& who, const std::string& path,
                    const std::string& bytes,
                    std::map<std::string, std::string> fields = {},
                    const std::string& content_type = "image/jpeg",
                    const std::string& app_language = {}) {
    std::string body;
    for (auto& [name, value] : fields)
      body += "--XyZ\r\nContent-Disposition: form-data; name=\"" + name +
              "\"\r\n\r\n" + value + "\r\n";
    body += "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
            "filename=\"photo\"\r\nContent-Type: " +
            content_type + "\r\n\r\n" + bytes + "\r\n--XyZ--\r\n";
    std::map<std::string, std::string> headers{
      {"Authorization", "Bearer " + who.token},
      {"Content-Type", "multipart/form-data; boundary=XyZ"}};
    if (!app_language.empty())
      headers["X-App-Language"] = app_language;
    return http_call(server.port(), "POST", path, body, headers);
  }

  http_reply get(const athlete& who, const std::string& path) {
    return http_call(server.port(), "GET", path, "", bearer(who.token));
  }

  rapidjson::Document fake_stats() const {
    rapidjson::Document doc;
    doc.Parse(fake.stats().c_str());
    return doc;
  }

  size_t num_model_calls() const {
    return fake_stats()["calls"].Size();
  }
};

rapidjson::Document json(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  return doc;
}

/// What a camera stores for `upright` shown with EXIF `orientation`: the
/// inverse of the turn a viewer applies.
cv::Mat stored_for(const cv::Mat& upright, int orientation) {
  cv::Mat result;
  switch (orientation) {
  case 2:
    cv::flip(upright, result, 1);
    break;
  case 3:
    cv::rotate(upright, result, cv::ROTATE_180);
    break;
  case 4:
    cv::flip(upright, result, 0);
    break;
  case 5:
    cv::transpose(upright, result);
    break;
  case 6: // shown turned 90° clockwise: stored turned counterclockwise
    cv::rotate(upright, result, cv::ROTATE_90_COUNTERCLOCKWISE);
    break;
  case 7: {
    cv::Mat t;
    cv::flip(upright, t, -1);
    cv::transpose(t, result);
    break;
  }
  case 8:
    cv::rotate(upright, result, cv::ROTATE_90_CLOCKWISE);
    break;
  default:
    result = upright.clone();
  }
  return result;
}

} // namespace

TEST_CASE("photo AI without an API key: 503, everything else works") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()}}};
  auto a = register_athlete(server.port(), db, "nokey@example.com");
  for (auto* path : {"/api/v1/nutrition/analyze", "/api/v1/photo/analyze",
                     "/api/v1/photo/analyze-sleep"}) {
    auto r = http_call(server.port(), "POST", path, "--XyZ--\r\n",
                       {{"Authorization", "Bearer " + a.token},
                        {"Content-Type", "multipart/form-data; boundary=XyZ"}});
    CHECK(r.status == 503);
    CHECK(r.body == R"({"detail":"AI is not configured"})");
  }
  auto day = http_call(server.port(), "GET", "/api/v1/nutrition/day", "",
                       bearer(a.token));
  CHECK(day.status == 200);
}

TEST_CASE_METHOD(photo_fixture,
                 "nutrition/analyze: the estimate is saved, the model gets an "
                 "upright JPEG and the athlete's note") {
  auto a = sign_up("meal@example.com");
  auto photo = encode(photo_like(640, 480), ".jpg");
  auto r =
    upload(a, "/api/v1/nutrition/analyze", photo,
           {{"meal_type", "Breakfast"}, {"description", "half portion"}});
  REQUIRE(r.status == 200);
  auto doc = json(r.body);
  CHECK(std::string{doc["name"].GetString()} == "Oatmeal with banana");
  CHECK(doc["calories"].GetDouble() == 420.0);
  CHECK(doc["fat_g"].GetDouble() == 8.5);
  CHECK(doc["id"].GetInt() > 0);
  // Saved at the instant of its upload (the reference's), not at midnight;
  // an entry typed in for the day (midnight) is listed before it, in the
  // reference's order (timestamp ascending).
  CHECK(db.query("SELECT abs(extract(epoch FROM now() - timestamp)) < 60, "
                 "timestamp <> date_trunc('day', timestamp) FROM food_log") ==
        std::vector<std::vector<std::string>>{{"t", "t"}});
  REQUIRE(http_call(server.port(), "POST", "/api/v1/nutrition/entries",
                    R"({"name":"Typed in","portion_grams":100,"calories":1,)"
                    R"("protein_g":1,"fat_g":1,"carbs_g":1})",
                    {{"Authorization", "Bearer " + a.token},
                     {"Content-Type", "application/json"}})
            .status == 200);
  auto day = json(get(a, "/api/v1/nutrition/day").body);
  REQUIRE(day["entries"].Size() == 2);
  CHECK(std::string{day["entries"][0]["name"].GetString()} == "Typed in");
  CHECK(std::string{day["entries"][0]["timestamp"].GetString()}.substr(10) ==
        "T00:00:00+00:00");
  CHECK(day["entries"][1]["id"].GetInt() == doc["id"].GetInt());
  CHECK(std::string{day["entries"][1]["meal_type"].GetString()} == "breakfast");
  CHECK(std::string{day["entries"][1]["timestamp"].GetString()}.substr(10) !=
        "T00:00:00+00:00");
  auto stats = fake_stats(); // the calls live in it
  auto calls = stats["calls"].GetArray();
  REQUIRE(calls.Size() == 1);
  CHECK(std::string{calls[0]["image_mime"].GetString()} == "image/jpeg");
  CHECK(std::string{calls[0]["system"].GetString()}.find(
          "nutrition analysis") != std::string::npos);
  // No language named: the athlete's own (Russian by default).
  CHECK(std::string{calls[0]["system"].GetString()}.find(
          "for the athlete in Russian;") != std::string::npos);
  REQUIRE(calls[0]["texts"].Size() == 1);
  CHECK(std::string{calls[0]["texts"][0].GetString()} ==
        "Note from the athlete: \"half portion\"");
  auto sent = decode(fake.image());
  CHECK(sent.cols == 640);
  CHECK(sent.rows == 480);
}

TEST_CASE_METHOD(photo_fixture,
                 "photos in all eight EXIF orientations arrive upright") {
  auto a = sign_up("exif@example.com");
  auto upright = quadrants(300, 200);
  for (int o = 1; o <= 8; ++o) {
    INFO("orientation " << o);
    auto file = with_orientation(encode(stored_for(upright, o), ".jpg"), o);
    auto r = upload(a, "/api/v1/photo/analyze?save=false", file);
    REQUIRE(r.status == 200);
    auto sent = decode(fake.image());
    REQUIRE(sent.cols == 300);
    REQUIRE(sent.rows == 200);
    CHECK(near(sent, 40, 40, red));
    CHECK(near(sent, 260, 40, green));
    CHECK(near(sent, 40, 160, blue));
    CHECK(near(sent, 260, 160, white));
  }
}

TEST_CASE_METHOD(photo_fixture,
                 "PNG with transparency and a large JPEG: flattened onto "
                 "white, scaled to at most 1536 px, labelled JPEG") {
  auto a = sign_up("png@example.com");
  cv::Mat rgba(100, 120, CV_8UC4, cv::Scalar(0, 0, 255, 255));
  rgba(cv::Rect(60, 0, 60, 100)).setTo(cv::Scalar(0, 0, 0, 0));
  auto r = upload(a, "/api/v1/photo/analyze?save=no", encode(rgba, ".png"), {},
                  "image/png");
  REQUIRE(r.status == 200);
  auto stats = fake_stats(); // the calls live in it
  auto calls = stats["calls"].GetArray();
  CHECK(std::string{calls[0]["image_mime"].GetString()} == "image/jpeg");
  auto sent = fake.image();
  CHECK(static_cast<unsigned char>(sent[0]) == 0xFF); // JPEG bytes
  auto png = decode(sent);
  CHECK(near(png, 20, 50, red));
  CHECK(near(png, 100, 50, white));

  auto big = encode(photo_like(4000, 3000), ".jpg", 85);
  auto scaled = upload(a, "/api/v1/photo/analyze?save=0", big);
  REQUIRE(scaled.status == 200);
  // Decoded at libjpeg's 3/8 scale: within the cap, no resize pass.
  auto large = decode(fake.image());
  CHECK(large.cols == 1500);
  CHECK(large.rows == 1125);
}

TEST_CASE_METHOD(photo_fixture,
                 "bad uploads: 4xx with a detail and no model call") {
  auto a = sign_up("bad@example.com");
  auto jpeg = encode(photo_like(200, 150), ".jpg");
  auto expect = [&](const http_reply& r, int status, const std::string& body) {
    CHECK(r.status == status);
    CHECK(r.body == body);
  };
  expect(upload(a, "/api/v1/nutrition/analyze", jpeg, {}, "text/plain"), 400,
         R"({"detail":"File must be an image"})");
  expect(upload(a, "/api/v1/nutrition/analyze", ""), 400,
         R"({"detail":"File is empty or invalid."})");
  expect(
    upload(a, "/api/v1/photo/analyze", "hello, not an image"), 400,
    R"({"detail":"File must be a valid image (JPEG, PNG, GIF or WebP)."})");
  expect(
    upload(a, "/api/v1/photo/analyze-sleep", jpeg.substr(0, jpeg.size() / 2)),
    400,
    R"({"detail":"The image is truncated or damaged. Please send it again."})");
  auto garbage =
    jpeg.substr(0, 20) + std::string(4000, '\x55') + std::string{"\xFF\xD9", 2};
  auto broken = upload(a, "/api/v1/photo/analyze", garbage);
  CHECK(broken.status == 400);
  expect(
    upload(a, "/api/v1/photo/analyze",
           std::string{"GIF89a\x02\x00\x02\x00\x00\x00\x00;", 14}, {},
           "image/gif"),
    415,
    R"({"detail":"GIF images are not supported. Please send a JPEG, PNG or WebP photo."})");
  auto big = std::string(10 * 1024 * 1024 + 1, 'x');
  big[0] = '\xFF';
  expect(upload(a, "/api/v1/nutrition/analyze", big), 400,
         R"x({"detail":"Image too large (max 10MB)"})x");
  auto missing =
    http_call(server.port(), "POST", "/api/v1/nutrition/analyze", "--XyZ--\r\n",
              {{"Authorization", "Bearer " + a.token},
               {"Content-Type", "multipart/form-data; boundary=XyZ"}});
  CHECK(missing.status == 422);
  auto note = upload(a, "/api/v1/nutrition/analyze", jpeg,
                     {{"description", std::string(501, 'n')}});
  CHECK(note.status == 422);
  CHECK(note.body.find(R"("loc":["body","description"])") != std::string::npos);
  // The query is checked first, as FastAPI does: a 422 before the 400.
  auto save = upload(a, "/api/v1/photo/analyze?save=maybe", "not an image");
  CHECK(save.status == 422);
  CHECK(save.body.find(R"("loc":["query","save"])") != std::string::npos);
  CHECK(num_model_calls() == 0);
}

TEST_CASE_METHOD(photo_fixture,
                 "photo/analyze: food, sleep and wellness saved as the "
                 "reference does, previews save nothing, values clamped") {
  auto a = sign_up("classify@example.com");
  auto jpeg = encode(photo_like(320, 240), ".jpg");
  fake.script(R"([
    {"text": "{\"type\": \"food\", \"food\": {\"name\": \"Pizza\", \"portion_grams\": 400, \"calories\": 25000, \"protein_g\": \"30\", \"fat_g\": -4, \"carbs_g\": 90}}"},
    {"text": "{\"type\": \"food\", \"food\": {\"name\": \"Soup\", \"portion_grams\": 300, \"calories\": 200, \"protein_g\": 8, \"fat_g\": 5, \"carbs_g\": 20}}"},
    {"text": "```json\n{\"type\": \"Sleep\", \"sleep\": {\"date\": \"2026-11-30\", \"sleep_minutes\": 453.5, \"awake_min\": 150, \"quality_score\": 140, \"bedtime\": \"23:10:00:00\",}}\n```"},
    {"text": "{\"type\": \"wellness\", \"wellness\": {\"rhr\": 48.7, \"hrv\": 71.5}}"},
    {"text": "{\"type\": \"sleep\", \"sleep\": null}"}
  ])");
  auto food = json(
    upload(a, "/api/v1/photo/analyze", jpeg, {{"meal_type", "dinner"}}).body);
  CHECK(std::string{food["type"].GetString()} == "food");
  CHECK(food["food"]["calories"].GetDouble() == 10000.0);
  CHECK(food["food"]["protein_g"].GetDouble() == 30.0);
  CHECK(food["food"]["fat_g"].GetDouble() == 0.0);
  CHECK(food["food"]["id"].GetInt() > 0);
  auto preview = json(upload(a, "/api/v1/photo/analyze?save=false", jpeg).body);
  CHECK(preview["food"]["id"].GetInt() == 0);
  auto day = json(get(a, "/api/v1/nutrition/day").body);
  REQUIRE(day["entries"].Size() == 1);
  CHECK(std::string{day["entries"][0]["meal_type"].GetString()} == "dinner");

  auto sleep = json(upload(a, "/api/v1/photo/analyze", jpeg).body);
  CHECK(std::string{sleep["type"].GetString()} == "sleep");
  auto& data = sleep["sleep"]["extracted_data"];
  CHECK(data["sleep_minutes"].GetInt() == 454);
  CHECK(data["awake_min"].GetInt() == 120);
  CHECK(data["quality_score"].GetDouble() == 100.0);
  CHECK(std::string{data["bedtime"].GetString()} == "23:10:00");
  CHECK(data["rem_min"].IsNull());
  CHECK(sleep["sleep"]["id"].GetInt() > 0);
  CHECK(std::string{sleep["sleep"]["created_at"].GetString()}.find("+00:00") !=
        std::string::npos);

  auto wellness = upload(a, "/api/v1/photo/analyze", jpeg);
  CHECK(wellness.body ==
        R"({"type":"wellness","wellness":{"rhr":48,"hrv":71.5}})");
  // Today's wellness has the screen's values (the list is ascending).
  auto days = json(get(a, "/api/v1/wellness").body);
  REQUIRE(days.Size() >= 1);
  auto& today = days[days.Size() - 1];
  CHECK(today["rhr"].GetDouble() == 48.0);
  CHECK(today["hrv"].GetDouble() == 71.5);
  // The sleep reading gave its night's sleep: 454 min less 120 awake.
  CHECK(db.query("SELECT sleep_hours, sleep_source FROM wellness_cache "
                 "WHERE sleep_source IS NOT NULL") ==
        std::vector<std::vector<std::string>>{{"5.57", "photo"}});

  auto missing = upload(a, "/api/v1/photo/analyze", jpeg);
  CHECK(missing.status == 422);
  CHECK(missing.body.find("sleep object is missing") != std::string::npos);
}

TEST_CASE_METHOD(photo_fixture,
                 "analyze-sleep: lite and full prompts, tolerant parsing, "
                 "unusable and blocked answers, the reference's 502") {
  auto a = sign_up("sleep@example.com");
  auto jpeg = encode(photo_like(320, 240), ".jpg");
  auto lite = upload(a, "/api/v1/photo/analyze-sleep", jpeg);
  REQUIRE(lite.status == 200);
  auto record = json(lite.body);
  CHECK(record["extracted_data"]["sleep_hours"].GetDouble() == 7.9);
  CHECK(record["extracted_data"].MemberCount() == 28);
  fake.script(R"([{"text": "{\"sleep_hours\": 6.5, \"rem_min\": 80"},
                  {"text": "I cannot read this"},
                  {"block": "SAFETY"}])");
  auto full = upload(a, "/api/v1/photo/analyze-sleep?mode=full", jpeg, {},
                     "image/jpeg", "es");
  REQUIRE(full.status == 200);
  CHECK(json(full.body)["extracted_data"]["rem_min"].GetInt() == 80);
  auto stats = fake_stats(); // the calls live in it
  auto calls = stats["calls"].GetArray();
  CHECK(std::string{calls[0]["system"].GetString()}.find("main metrics") !=
        std::string::npos);
  CHECK(std::string{calls[1]["system"].GetString()}.find("factor_ratings") !=
        std::string::npos);
  CHECK(std::string{calls[1]["system"].GetString()}.find(
          "for the athlete in Spanish;") != std::string::npos);
  auto unusable = upload(a, "/api/v1/photo/analyze-sleep", jpeg);
  CHECK(unusable.status == 422);
  auto blocked = upload(a, "/api/v1/photo/analyze-sleep", jpeg);
  CHECK(blocked.status == 422);
  CHECK(blocked.body.find("SAFETY") != std::string::npos);
  auto list = json(get(a, "/api/v1/photo/sleep-extractions").body);
  CHECK(list.Size() == 2);

  fake.script(R"([{"status": 500}, {"status": 503}, {"status": 500}])");
  auto failed = upload(a, "/api/v1/photo/analyze-sleep", jpeg);
  CHECK(failed.status == 502);
  CHECK(failed.body ==
        R"({"detail":"Sleep extraction failed. Please try again."})");
  CHECK(admin_stat(server.port(), {"gemini", "num_retries"}) == 2);
  CHECK(admin_stat(server.port(), {"gemini", "num_failed"}) == 2);
}

TEST_CASE_METHOD(photo_fixture,
                 "health answers while 20 large images are processed") {
  auto a = sign_up("load@example.com");
  auto big = encode(photo_like(4000, 3000), ".jpg", 85);
  fake.answer_by_default(R"({"delay_ms": 50})");
  std::vector<std::future<int>> uploads;
  for (int i = 0; i < 20; ++i)
    uploads.push_back(std::async(std::launch::async, [&] {
      return upload(a, "/api/v1/nutrition/analyze", big).status;
    }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  int healthy = 0;
  for (int i = 0; i < 10; ++i)
    healthy += http_call(server.port(), "GET", "/health").status == 200;
  // Every health check was answered while uploads were still in progress.
  auto still_running = 0;
  for (auto& u : uploads)
    still_running +=
      u.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
  CHECK(healthy == 10);
  CHECK(still_running > 0);
  for (auto& u : uploads)
    CHECK(u.get() == 200);
  CHECK(num_model_calls() == 20);
}

TEST_CASE_METHOD(photo_fixture,
                 "an AI answer slower than the HTTP read timeout still "
                 "arrives on its keep-alive connection") {
  // The connection reads ahead while the answer is owed: that read's
  // timer once was the 30 s read timeout, which closed the socket first.
  auto a = sign_up("slow@example.com");
  fake.script(R"([{"delay_ms": 31000}])");
  http_client client{server.port()};
  std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                     "filename=\"p\"\r\nContent-Type: image/jpeg\r\n\r\n" +
                     encode(photo_like(64, 48), ".jpg") + "\r\n--XyZ--\r\n";
  auto r =
    client.request("POST", "/api/v1/nutrition/analyze", body,
                   {{"Authorization", "Bearer " + a.token},
                    {"Content-Type", "multipart/form-data; boundary=XyZ"}});
  CHECK(r.status == 200);
  CHECK(r.body.find("Oatmeal with banana") != std::string::npos);
  // The same connection serves the next request.
  auto next = client.request("GET", "/health");
  CHECK(next.status == 200);
}

TEST_CASE_METHOD(photo_fixture,
                 "photo/analyze: the newer app's fourth kind, a workout "
                 "screenshot, read and never stored, the older app is not "
                 "offered it") {
  auto a = sign_up("workout-photo@example.com");
  auto jpeg = encode(photo_like(320, 240), ".jpg");
  fake.script(R"([
    {"text": "{\"type\": \"workout\", \"workout\": {\"name\": \"Morning Run\", \"date\": \"2026-03-14\", \"sport_type\": \"Run\", \"duration_sec\": 3120, \"distance_m\": 10020.0, \"calories\": 640, \"avg_hr\": 151, \"max_hr\": 999, \"tss\": 68, \"notes\": \"Treadmill\"}}"},
    {"text": "{\"type\": \"selfie\"}"}
  ])");
  auto read = upload(a, "/api/v1/photo/analyze", jpeg, {}, "image/jpeg", "en");
  REQUIRE(read.status == 200);
  CHECK(
    read.body ==
    R"({"type":"workout","workout":{"name":"Morning Run","date":"2026-03-14",)"
    R"("sport_type":"Run","duration_sec":3120,"distance_m":10020.0,)"
    R"("calories":640.0,"avg_hr":151,"max_hr":null,"tss":68,)"
    R"("notes":"Treadmill"}})");
  CHECK(db.query("SELECT (SELECT count(*) FROM workouts) + (SELECT count(*) "
                 "FROM food_log) + (SELECT count(*) FROM wellness_cache)") ==
        std::vector<std::vector<std::string>>{{"0"}});
  auto unknown =
    upload(a, "/api/v1/photo/analyze", jpeg, {}, "image/jpeg", "en");
  CHECK(unknown.status == 422);
  CHECK(
    unknown.body ==
    R"({"detail":"Could not parse analysis result. Please try another photo."})");
  // The older app: three kinds offered, the prompt never mentions workouts.
  auto older = upload(a, "/api/v1/photo/analyze", jpeg);
  CHECK(older.status == 200);
  auto stats = fake_stats();
  auto calls = stats["calls"].GetArray();
  REQUIRE(calls.Size() == 3);
  CHECK(std::string{calls[0]["system"].GetString()}.find("\"workout\"") !=
        std::string::npos);
  CHECK(std::string{calls[2]["system"].GetString()}.find("workout") ==
        std::string::npos);
}
