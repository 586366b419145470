// Chat threads end to end (http-api-head.md §3.9 with §6 items 17, 19, 22,
// 30): the real binary, HTTP, PostgreSQL and the fake Gemini.
#include "tests/support/environment.hpp"
#include "tests/support/fit_samples.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/images.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

using namespace st;
using namespace st::test;

namespace {

using rows = std::vector<std::vector<std::string>>;

struct threads_fixture {
  scratch_database db;
  fake_gemini gemini;
  std::map<std::string, std::string> env;

  threads_fixture() {
    env["DATABASE_URL"] = db.dsn();
    env["GEMINI_API_BASE_URL"] = gemini.base_url();
    env["GOOGLE_GEMINI_API_KEY"] = "test-gemini-key";
  }
};

struct client {
  uint16_t port;
  athlete who;
  std::map<std::string, std::string> headers = {};

  http_reply operator()(const std::string& method, const std::string& path,
                        const std::string& body = {}) const {
    auto h = headers;
    h["Authorization"] = "Bearer " + who.token;
    return http_call(port, method, path, body, h);
  }
};

/// A multipart form of text fields and an optional file.
struct form {
  std::vector<std::pair<std::string, std::string>> fields;
  std::string file_name;
  std::string file_type;
  std::string file;

  std::string body() const {
    std::string out;
    for (auto& [name, value] : fields)
      out += "--XyZ\r\nContent-Disposition: form-data; name=\"" + name +
             "\"\r\n\r\n" + value + "\r\n";
    if (!file_name.empty())
      out += "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
             "filename=\"" +
             file_name + "\"\r\nContent-Type: " + file_type + "\r\n\r\n" +
             file + "\r\n";
    return out + "--XyZ--\r\n";
  }
};

http_reply post_form(const client& who, const std::string& path,
                     const form& f) {
  auto h = who.headers;
  h["Authorization"] = "Bearer " + who.who.token;
  h["Content-Type"] = "multipart/form-data; boundary=XyZ";
  return http_call(who.port, "POST", path, f.body(), h);
}

std::string id_of(const std::string& body) {
  return std::to_string(parse(body)["id"].GetInt());
}

} // namespace

TEST_CASE("chat threads: create, list newest first in pages, rename, clear, "
          "delete, each only for its owner, titles bounded and in the "
          "request's language") {
  threads_fixture f;
  server_process server{f.env};
  client en{server.port(),
            register_athlete(server.port(), f.db, "threads@example.com"),
            {{"X-App-Language", "en"}}};
  client other{server.port(),
               register_athlete(server.port(), f.db, "other@example.com")};

  // None yet: an empty page.
  auto empty = en("GET", "/api/v1/chat/threads");
  REQUIRE(empty.status == 200);
  CHECK(empty.body ==
        R"({"items":[],"total":0,"limit":50,"offset":0,"has_more":false})");
  // Created with a title, without one (the default in English), with a
  // blank one, with no body at all.
  auto a = en("POST", "/api/v1/chat/threads", R"({"title":"  Race plan  "})");
  REQUIRE(a.status == 200);
  CHECK(json_field(a.body, "title") == "Race plan");
  CHECK_FALSE(json_field(a.body, "created_at").empty());
  auto b = en("POST", "/api/v1/chat/threads", "{}");
  CHECK(json_field(b.body, "title") == "New chat");
  auto c = en("POST", "/api/v1/chat/threads", R"({"title":"   "})");
  CHECK(json_field(c.body, "title") == "New chat");
  client ru = en;
  ru.headers = {{"X-App-Language", "ru"}};
  auto d = ru("POST", "/api/v1/chat/threads", "");
  REQUIRE(d.status == 200);
  CHECK(json_field(d.body, "title") == "Новый чат");
  // A title over 128 characters is refused (the reference failed with a
  // 500); 128 of them, in two-byte letters, are taken whole.
  auto long_title = en("POST", "/api/v1/chat/threads",
                       R"({"title":")" + std::string(129, 'x') + R"("})");
  CHECK(long_title.status == 422);
  CHECK(long_title.body.find("string_too_long") != std::string::npos);
  std::string cyrillic;
  for (int i = 0; i < 128; ++i)
    cyrillic += "ж";
  auto full =
    en("POST", "/api/v1/chat/threads", R"({"title":")" + cyrillic + R"("})");
  REQUIRE(full.status == 200);
  CHECK(json_field(full.body, "title") == cyrillic);
  CHECK(en("POST", "/api/v1/chat/threads", R"({"title":5})").status == 422);
  CHECK(en("POST", "/api/v1/chat/threads", "[").status == 422);

  // Listed newest first, in pages.
  auto page = parse(en("GET", "/api/v1/chat/threads?limit=2&offset=1").body);
  CHECK(page["total"].GetInt() == 5);
  CHECK(page["has_more"].GetBool());
  REQUIRE(page["items"].Size() == 2);
  CHECK(std::to_string(page["items"][0]["id"].GetInt()) == id_of(d.body));
  CHECK(std::to_string(page["items"][1]["id"].GetInt()) == id_of(c.body));
  CHECK(en("GET", "/api/v1/chat/threads?limit=0").status == 422);
  CHECK(en("GET", "/api/v1/chat/threads?limit=201").status == 422);
  CHECK(en("GET", "/api/v1/chat/threads?offset=-1").status == 422);
  // Another athlete sees none of them.
  CHECK(parse(other("GET", "/api/v1/chat/threads").body)["total"].GetInt() ==
        0);

  // Renamed: blank is the default, long is cut to 128.
  auto path_a = "/api/v1/chat/threads/" + id_of(a.body);
  auto renamed = en("PATCH", path_a, R"({"title":"Taper"})");
  REQUIRE(renamed.status == 200);
  CHECK(json_field(renamed.body, "title") == "Taper");
  CHECK(json_field(renamed.body, "id") == id_of(a.body));
  CHECK(json_field(en("PATCH", path_a, R"({"title":""})").body, "title") ==
        "Chat");
  CHECK(json_field(
          en("PATCH", path_a, R"({"title":")" + std::string(300, 'y') + R"("})")
            .body,
          "title") == std::string(128, 'y'));
  CHECK(en("PATCH", path_a, "{}").status == 422);
  CHECK(en("PATCH", "/api/v1/chat/threads/abc", R"({"title":"x"})").status ==
        422);

  // Messages in thread a, and in b.
  auto send = [&](const client& who, const std::string& thread,
                  const std::string& text) {
    return who("POST", "/api/v1/chat/send",
               R"({"message":")" + text + R"(","thread_id":)" + thread + "}");
  };
  REQUIRE(send(en, id_of(a.body), "in a").status == 200);
  REQUIRE(send(en, id_of(b.body), "in b").status == 200);
  auto history_a =
    parse(en("GET", "/api/v1/chat/history?thread_id=" + id_of(a.body)).body);
  REQUIRE(history_a.Size() == 2);
  CHECK(std::string{history_a[0]["content"].GetString()} == "in a");
  CHECK(std::string{history_a[1]["role"].GetString()} == "assistant");

  // Not the owner: 404 on every route, nothing changed, no model call.
  auto calls = parse(f.gemini.stats())["calls"].Size();
  auto not_found = R"({"detail":"Thread not found"})";
  for (auto& r :
       {other("GET", "/api/v1/chat/history?thread_id=" + id_of(a.body)),
        other("PATCH", path_a, R"({"title":"mine"})"),
        other("POST", path_a + "/clear"), other("DELETE", path_a),
        send(other, id_of(a.body), "hello"), en("DELETE", path_a + "9999")}) {
    CHECK(r.status == 404);
    CHECK(r.body == not_found);
  }
  CHECK(parse(f.gemini.stats())["calls"].Size() == calls);
  CHECK(f.db.query("SELECT count(*) FROM chat_messages WHERE thread_id = " +
                   id_of(a.body)) == rows{{"2"}});

  // Cleared: the messages go, the thread stays.
  auto cleared = en("POST", path_a + "/clear");
  REQUIRE(cleared.status == 200);
  CHECK(cleared.body == R"({"ok":true})");
  CHECK(parse(en("GET", "/api/v1/chat/history?thread_id=" + id_of(a.body)).body)
          .Size() == 0);
  CHECK(f.db.query("SELECT count(*) FROM chat_messages WHERE thread_id = " +
                   id_of(b.body)) == rows{{"2"}});
  // Deleted: 204, with its messages; b's stay.
  auto path_b = "/api/v1/chat/threads/" + id_of(b.body);
  auto deleted = en("DELETE", path_b);
  CHECK(deleted.status == 204);
  CHECK(deleted.body.empty());
  CHECK(en("DELETE", path_b).status == 404);
  CHECK(f.db.query("SELECT count(*) FROM chat_messages") == rows{{"0"}});
  CHECK(parse(en("GET", "/api/v1/chat/threads").body)["total"].GetInt() == 4);
}

TEST_CASE("the seed app's chat, which knows no threads, lands in the default "
          "thread: made on first use in the athlete's language, the oldest "
          "one otherwise, also for a decision's message and older messages "
          "of no thread") {
  threads_fixture f;
  server_process server{f.env};
  client seed{
    server.port(),
    declare_athlete(server.port(),
                    register_athlete(server.port(), f.db, "seed@example.com"))};
  // An older message of no thread (written before threads, or by a
  // decision when the athlete had none).
  f.db.query("INSERT INTO chat_messages (user_id, role, content, timestamp) "
             "VALUES (" +
             std::to_string(seed.who.id) +
             ", 'assistant', 'Decision: Skip. Sleep first.', now() - "
             "interval '1 hour')");
  // The seed app's history: the default thread is made (Russian, the
  // athlete's locale, as the seed app names no language) and adopts it.
  auto history = parse(seed("GET", "/api/v1/chat/history").body);
  REQUIRE(history.Size() == 1);
  CHECK(std::string{history[0]["content"].GetString()} ==
        "Decision: Skip. Sleep first.");
  CHECK(f.db.query("SELECT title FROM chat_threads") == rows{{"Основной"}});
  REQUIRE(seed("POST", "/api/v1/chat/send", R"({"message":"Hello"})").status ==
          200);
  // A newer thread does not take the seed app's messages.
  client newer = seed;
  newer.headers = {{"X-App-Language", "de"}};
  auto fresh = newer("POST", "/api/v1/chat/threads", "{}");
  CHECK(json_field(fresh.body, "title") == "Neuer Chat");
  REQUIRE(seed("POST", "/api/v1/chat/send", R"({"message":"Again"})").status ==
          200);
  CHECK(
    f.db.query(
      "SELECT t.title, count(m.id) FROM chat_threads t LEFT JOIN "
      "chat_messages m ON m.thread_id = t.id GROUP BY t.id ORDER BY t.id") ==
    rows{{"Основной", "5"}, {"Neuer Chat", "0"}});
  CHECK(f.db.query("SELECT count(*) FROM chat_messages WHERE thread_id IS "
                   "NULL") == rows{{"0"}});
  // A decision asked for writes its message into the default thread
  // (the reference left it in none, §6 item 17).
  f.db.query("INSERT INTO wellness_cache (user_id, date, sleep_hours, hrv, "
             "rhr) SELECT " +
             std::to_string(seed.who.id) +
             ", current_date + d, 4, 60, 50 FROM generate_series(-1, 1) d");
  f.gemini.script(
    R"([{"text": "{\"decision\": \"Skip\", \"reason\": \"Four hours of sleep.\"}"}])");
  auto decided = seed("POST", "/api/v1/chat/orchestrator/run");
  REQUIRE(decided.status == 200);
  CHECK(json_field(decided.body, "decision") == "Skip");
  auto last = parse(seed("GET", "/api/v1/chat/history?limit=1").body);
  REQUIRE(last.Size() == 1);
  CHECK(std::string{last[0]["content"].GetString()}.rfind("Decision: Skip",
                                                          0) == 0);
  // The default thread deleted: the next oldest becomes the default.
  auto first = f.db.query("SELECT min(id) FROM chat_threads")[0][0];
  CHECK(seed("DELETE", "/api/v1/chat/threads/" + first).status == 204);
  REQUIRE(seed("POST", "/api/v1/chat/send", R"({"message":"Where?"})").status ==
          200);
  CHECK(f.db.query("SELECT t.title, count(*) FROM chat_messages m JOIN "
                   "chat_threads t ON t.id = m.thread_id GROUP BY t.title") ==
        rows{{"Neuer Chat", "2"}});
}

TEST_CASE("a chat whose model fails answers 502 with a fixed detail, keeps "
          "the athlete's message and stores no reply, in JSON and streamed") {
  threads_fixture f;
  server_process server{f.env};
  client who{server.port(),
             register_athlete(server.port(), f.db, "fails@example.com")};
  f.gemini.script(R"([{"status": 400}])");
  auto failed = who("POST", "/api/v1/chat/send", R"({"message":"fail me"})");
  CHECK(failed.status == 502);
  CHECK(failed.body ==
        R"({"detail":"AI service unavailable. Please try again."})");
  f.gemini.script(R"([{"status": 400}])");
  client streamed = who;
  streamed.headers = {{"Accept", "text/event-stream"}};
  auto events = streamed("POST", "/api/v1/chat/send", R"({"message":"again"})");
  CHECK(events.status == 200);
  CHECK(events.body ==
        "event: error\ndata: {\"detail\":\"AI service unavailable. Please try "
        "again.\"}\n\n");
  CHECK(f.db.query("SELECT role, content FROM chat_messages ORDER BY id") ==
        rows{{"user", "fail me"}, {"user", "again"}});
  // A message over 4000 characters is refused before anything is stored.
  CHECK(who("POST", "/api/v1/chat/send",
            R"({"message":")" + std::string(4001, 'm') + R"("})")
          .status == 422);
  CHECK(
    who("POST", "/api/v1/chat/send", R"({"message":"x","thread_id":"seven"})")
      .status == 422);
}

TEST_CASE("chat attachments: a photo read by the classifier and a FIT file "
          "summarised reach the model with the message, the file saved once "
          "as a workout when asked, premium only, bad input refused") {
  threads_fixture f;
  f.env["TIERS_ENABLED"] = "true";
  server_process server{f.env};
  client pro{server.port(),
             register_athlete(server.port(), f.db, "attach@example.com"),
             {{"X-App-Language", "en"}}};
  client free{server.port(),
              register_athlete(server.port(), f.db, "nopay@example.com")};
  f.db.query("UPDATE users SET is_premium = true WHERE email = "
             "'attach@example.com'");
  auto thread = id_of(pro("POST", "/api/v1/chat/threads", "{}").body);
  static const auto jpeg = encode(photo_like(640, 480), ".jpg");
  auto calls = [&] {
    return parse(f.gemini.stats());
  };

  // A photo: classified (the image reaches the fake as JPEG), then the
  // chat call carries what was read, not the image.
  form photo{
    {{"message", ""}, {"thread_id", thread}}, "meal.jpg", "image/jpeg", jpeg};
  auto r = post_form(pro, "/api/v1/chat/send-with-image", photo);
  REQUIRE(r.status == 200);
  CHECK(r.body == R"({"reply":"Keep going, the plan holds."})");
  {
    auto stats = calls();
    auto all = stats["calls"].GetArray();
    REQUIRE(all.Size() == 2);
    CHECK(std::string{all[0]["image_mime"].GetString()} == "image/jpeg");
    CHECK(all[1]["image_mime"].IsNull());
    std::string texts;
    for (auto& t : all[1]["texts"].GetArray())
      texts += t.GetString();
    CHECK(texts.find("## Photo in this message\nPhoto type: food. Content: "
                     "Oatmeal with banana; calories 420") != std::string::npos);
    CHECK(texts.find("User message: What is in the photo? Comment on it.") !=
          std::string::npos);
  }
  // Stored in the thread: the English stand-in for the empty message.
  CHECK(f.db.query("SELECT role, content FROM chat_messages WHERE thread_id "
                   "= " +
                   thread + " ORDER BY id") ==
        rows{{"user", "What is in the photo? Comment on it."},
             {"assistant", "Keep going, the plan holds."}});

  // A FIT file, saved as a workout; the same file again is not saved twice.
  form fit{{{"message", "How did it go?"},
            {"thread_id", thread},
            {"save_workout", "TRUE"}},
           "ride.fit",
           "application/octet-stream",
           st::test::cycling_with_power()};
  for (int i = 0; i < 2; ++i) {
    auto sent = post_form(pro, "/api/v1/chat/send-with-file", fit);
    REQUIRE(sent.status == 200);
  }
  {
    auto stats = calls();
    auto all = stats["calls"].GetArray();
    std::string texts;
    for (auto& t : all[all.Size() - 1]["texts"].GetArray())
      texts += t.GetString();
    CHECK(texts.find("## Uploaded workout (this message)\nWorkout ") !=
          std::string::npos);
    CHECK(texts.find("cycling, 60 min") != std::string::npos);
    CHECK(texts.find("User message: How did it go?") != std::string::npos);
  }
  CHECK(f.db.query("SELECT source, count(*) FROM workouts GROUP BY source") ==
        rows{{"fit", "1"}});
  // Without save_workout nothing is stored; an empty message becomes the
  // file's summary.
  fit.fields = {{"message", ""}};
  REQUIRE(post_form(pro, "/api/v1/chat/send-with-file", fit).status == 200);
  auto last_user = f.db.query("SELECT content FROM chat_messages WHERE role "
                              "= 'user' ORDER BY id DESC LIMIT 1")[0][0];
  CHECK(last_user.rfind("Workout FIT file attached. Workout ", 0) == 0);
  CHECK(f.db.query("SELECT count(*) FROM workouts") == rows{{"1"}});

  // Refusals, each before any model call.
  auto before = calls()["calls"].Size();
  auto premium = post_form(free, "/api/v1/chat/send-with-image", photo);
  CHECK(premium.status == 403);
  CHECK(premium.body == R"({"detail":"Premium subscription required"})");
  CHECK(premium.header("x-upgrade-required") == "true");
  form bad_thread = photo;
  bad_thread.fields = {{"thread_id", "seven"}};
  auto not_int = post_form(pro, "/api/v1/chat/send-with-file", bad_thread);
  CHECK(not_int.status == 422);
  CHECK(not_int.body.find("int_parsing") != std::string::npos);
  bad_thread.fields = {{"thread_id", "999999"}};
  CHECK(post_form(pro, "/api/v1/chat/send-with-image", bad_thread).status ==
        404);
  form no_file{{{"message", "hi"}}, "", "", ""};
  auto missing = post_form(pro, "/api/v1/chat/send-with-image", no_file);
  CHECK(missing.status == 400);
  CHECK(missing.body == R"({"detail":"No image file"})");
  form not_image{{}, "notes.txt", "text/plain", "hello"};
  CHECK(post_form(pro, "/api/v1/chat/send-with-image", not_image).body ==
        R"({"detail":"File must be an image"})");
  form fake_jpeg{{}, "x.jpg", "image/jpeg", "not really a jpeg"};
  CHECK(post_form(pro, "/api/v1/chat/send-with-image", fake_jpeg).status ==
        400);
  form empty_fit{{}, "a.fit", "application/octet-stream", ""};
  CHECK(post_form(pro, "/api/v1/chat/send-with-file", empty_fit).body ==
        R"({"detail":"Empty FIT file."})");
  form junk_fit{{}, "a.fit", "application/octet-stream", "not a fit file"};
  auto junk = post_form(pro, "/api/v1/chat/send-with-file", junk_fit);
  CHECK(junk.status == 400);
  CHECK(junk.body ==
        R"({"detail":"Could not parse FIT file or no session found."})");
  CHECK(calls()["calls"].Size() == before);
  CHECK(f.db.query("SELECT count(*) FROM workouts") == rows{{"1"}});
}
