#include "protocols/gemini.hpp"

#include "protocols/http/json.hpp"

#include <catch2/catch.hpp>

using namespace st;

namespace {

std::string chunk(const std::string& text, const std::string& finish = {}) {
  std::string result = R"({"candidates":[{"content":{"parts":[{"text":)" +
                       json_string(text) + R"(}],"role":"model"})";
  if (!finish.empty())
    result += R"(,"finishReason":")" + finish + "\"";
  result += R"(,"index":0}],"usageMetadata":{"promptTokenCount":812,)"
            R"("candidatesTokenCount":11,"totalTokenCount":823},)"
            R"("modelVersion":"gemini-2.5-flash"})";
  return result;
}

} // namespace

TEST_CASE("gemini request: camelCase, system instruction first, JSON mode") {
  gemini_prompt p;
  p.system_instruction = "You are a test.";
  p.contents.push_back(gemini_turn{
    "user",
    {gemini_part{{}, "image/jpeg", "AAAA"}, gemini_part{"note", {}, {}}}});
  p.temperature = 0.2;
  p.top_p = 0.95;
  p.max_output_tokens = 1024;
  p.response_schema = R"({"type":"OBJECT"})";
  p.block_none = true;
  auto body = gemini_request_json(p);
  CHECK(
    body.rfind(
      R"({"systemInstruction":{"parts":[{"text":"You are a test."}]},"contents":[{"role":"user","parts":[{"inlineData":{"mimeType":"image/jpeg","data":"AAAA"}},{"text":"note"}]}],"generationConfig":{"temperature":0.2,"topP":0.95,"maxOutputTokens":1024,"responseMimeType":"application/json","responseSchema":{"type":"OBJECT"}},"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"},)",
      0) == 0);
  CHECK(!check_json(body));
}

TEST_CASE("gemini answer: text without thoughts, usage, blocks, empties") {
  auto text = read_gemini_answer(
    R"({"candidates":[{"content":{"parts":[{"text":"plan","thought":true},)"
    R"({"text":"{\"a\":"},{"text":"1}"}]},"finishReason":"STOP"}],)"
    R"("usageMetadata":{"promptTokenCount":1294,"candidatesTokenCount":125,)"
    R"("cachedContentTokenCount":1024,"totalTokenCount":1729}})");
  CHECK(text.kind == gemini_reading::outcome::text);
  CHECK(text.text == R"({"a":1})");
  CHECK(text.prompt_tokens == 1294);
  CHECK(text.output_tokens == 125);
  CHECK(text.cached_tokens == 1024);
  CHECK(text.total_tokens == 1729);
  auto blocked = read_gemini_answer(
    R"({"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"}})");
  CHECK(blocked.kind == gemini_reading::outcome::blocked);
  CHECK(blocked.block_reason == "PROHIBITED_CONTENT");
  auto safety =
    read_gemini_answer(R"({"candidates":[{"finishReason":"SAFETY"}]})");
  CHECK(safety.kind == gemini_reading::outcome::blocked);
  auto empty = read_gemini_answer(R"({"candidates":[]})");
  CHECK(empty.kind == gemini_reading::outcome::empty);
  CHECK(read_gemini_answer("[1,2]").kind == gemini_reading::outcome::malformed);
  CHECK(read_gemini_answer("{\"candidates\": [").kind ==
        gemini_reading::outcome::malformed);
}

TEST_CASE("gemini error body: quota kinds, retry delay, zero quota") {
  auto minute = read_gemini_error(
    R"({"error":{"code":429,"message":"You exceeded your current quota",)"
    R"("status":"RESOURCE_EXHAUSTED","details":[{"@type":)"
    R"("type.googleapis.com/google.rpc.QuotaFailure","violations":[{)"
    R"("quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier",)"
    R"("quotaValue":"15"}]},{"@type":"type.googleapis.com/google.rpc.)"
    R"(RetryInfo","retryDelay":"37s"}]}})",
    429);
  CHECK(minute.code == 429);
  CHECK(minute.status == "RESOURCE_EXHAUSTED");
  CHECK(minute.per_minute);
  CHECK(!minute.per_day);
  CHECK(!minute.zero_quota);
  CHECK(minute.retry_delay_ms == 37000);
  auto day = read_gemini_error(
    R"({"error":{"code":429,"details":[{"@type":"type.googleapis.com/)"
    R"(google.rpc.QuotaFailure","violations":[{"quotaId":"GenerateContent)"
    R"(InputTokensPerModelPerMinute"},{"quotaId":"GenerateRequestsPerDay)"
    R"(PerProjectPerModel","quotaValue":"0"}]}]}})",
    429);
  CHECK(day.per_day);
  CHECK(day.per_minute);
  CHECK(day.zero_quota);
  CHECK(read_gemini_error(
          R"({"error":{"code":429,"message":"Quota exceeded, limit: 0"}})", 429)
          .zero_quota);
  auto bare = read_gemini_error("<html>busy</html>", 503);
  CHECK(bare.code == 503);
  CHECK(!bare.retry_delay_ms);
  CHECK(parse_duration_ms("3.700s") == 3700);
  CHECK(parse_duration_ms("45.25s") == 45250);
  CHECK(!parse_duration_ms("37"));
  CHECK(!parse_duration_ms("-1s"));
}

TEST_CASE("gemini stream: split at every byte, CRLF, LF and CR framing") {
  auto text = std::string{"Пульс в норме — отдыхай 😀"};
  for (auto* eol : {"\r\n", "\n", "\r"}) {
    // Fed in pieces of n bytes: events, JSON and UTF-8 characters split.
    std::string body;
    body += "data: " + chunk("Пульс в норме") + eol + eol;
    body += "data: " + chunk(" — отдыхай 😀", "STOP") + eol + eol;
    for (size_t piece = 1; piece <= 13; piece += 3) {
      INFO("pieces of " << piece << " bytes");
      gemini_stream s;
      std::string fed;
      for (size_t i = 0; i < body.size(); i += piece)
        fed += s.feed(std::string_view{body}.substr(i, piece));
      auto r = s.finish();
      CHECK(r.kind == gemini_reading::outcome::text);
      CHECK(r.text == text);
      CHECK(fed == text);
      CHECK(r.finish_reason == "STOP");
      CHECK(r.total_tokens == 823);
    }
  }
}

TEST_CASE("gemini stream: an error as data or as raw JSON after the events, "
          "a stream without events") {
  gemini_stream in_data;
  in_data.feed("data: " + chunk("half") + "\r\n\r\n" +
               R"(data: {"error":{"code":503,"status":"UNAVAILABLE"}})" +
               "\r\n\r\n");
  auto a = in_data.finish();
  CHECK(a.kind == gemini_reading::outcome::failed);
  CHECK(a.error.code == 503);

  gemini_stream raw;
  raw.feed("data: " + chunk("half") + "\r\n\r\n");
  raw.feed("{\n  \"error\": {\n    \"code\": 500,\n    \"message\": "
           "\"Internal error\",\n    \"status\": \"INTERNAL\"\n  }\n}\n");
  auto b = raw.finish();
  CHECK(b.kind == gemini_reading::outcome::failed);
  CHECK(b.error.code == 500);
  CHECK(b.error.status == "INTERNAL");

  gemini_stream nothing;
  CHECK(nothing.finish().kind == gemini_reading::outcome::empty);

  gemini_stream last_empty;
  last_empty.feed("data: " + chunk("done") + "\n\n" +
                  "data: " + chunk("", "STOP") + "\n\n");
  auto c = last_empty.finish();
  CHECK(c.kind == gemini_reading::outcome::text);
  CHECK(c.text == "done");

  gemini_stream cut;
  cut.feed("data: " + chunk("whole") + "\n\ndata: {\"candi");
  auto d = cut.finish();
  CHECK(d.kind == gemini_reading::outcome::malformed);
}

TEST_CASE("model JSON: fences stripped, trailing commas and truncation "
          "mended (domain.md §9.4)") {
  CHECK(strip_code_fence("```json\n{\"a\": 1}\n```") == "{\"a\": 1}");
  CHECK(strip_code_fence("  {\"a\": 1}  ") == "{\"a\": 1}");
  CHECK(strip_code_fence("```") == "");
  rapidjson::Document doc;
  REQUIRE(parse_model_json(R"({"a": [1, 2,], "b": 3,})", doc));
  CHECK(doc["a"].Size() == 2);
  REQUIRE(parse_model_json(R"({"a": 1, "b": "tex)", doc));
  CHECK(std::string{doc["b"].GetString()} == "tex");
  REQUIRE(parse_model_json(R"({"a": 1, "b":)", doc));
  CHECK(doc["b"].IsNull());
  REQUIRE(parse_model_json(R"({"a": 1, )", doc));
  CHECK(doc["a"].GetInt() == 1);
  CHECK(!parse_model_json("not json at all", doc));
  CHECK(!parse_model_json(R"({"a": {"b": [1, 2)", doc));
}
