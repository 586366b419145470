// The Gemini broker with the real upstream client (libcurl) against the
// fake Gemini server on loopback: concurrency, priorities, retries, quota,
// fallback, breaker and streams.
#include "actors/gemini_broker.hpp"

#include "actors/upstream_client.hpp"
#include "protocols/errors.hpp"
#include "protocols/gemini.hpp"
#include "runtime/curl_multi.hpp"
#include "tests/support/environment.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <thread>

using namespace st;
using namespace st::test;
using namespace std::chrono_literals;

namespace {

struct broker_fixture {
  fake_gemini fake;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  upstream_actor upstream;
  gemini_settings settings;

  broker_fixture() {
    sys = std::make_unique<caf::actor_system>(cfg);
    upstream_settings up;
    up.make_transport = [](upstream_transport::completion done) {
      return std::make_unique<curl_multi>(std::move(done), 64, 1 << 24);
    };
    upstream = sys->spawn(upstream_client, up);
    settings.api_key = "test-gemini-key";
    settings.base_url = fake.base_url();
    settings.model = "primary";
    settings.upstream = upstream;
    settings.attempt_timeout = 5s;
  }

  gemini_broker_actor spawn() {
    return sys->spawn(gemini_broker, settings);
  }

  static gemini_call call(const std::string& text,
                          ai_priority priority = ai_priority::interactive,
                          std::chrono::milliseconds within = 30s) {
    gemini_prompt p;
    p.system_instruction = "test";
    p.contents.push_back(gemini_turn{"user", {gemini_part{text, {}, {}}}});
    return gemini_call{gemini_request_json(p), priority, false,
                       deadline::in(within), nullptr};
  }

  caf::expected<gemini_answer> ask(const gemini_broker_actor& broker,
                                   gemini_call c) {
    caf::scoped_actor self{*sys};
    caf::expected<gemini_answer> result{caf::error{}};
    self->request(broker, 60s, atom::generate_v, std::move(c))
      .receive(
        [&](gemini_answer& x) {
          result = std::move(x);
        },
        [&](caf::error& err) {
          result = std::move(err);
        });
    return result;
  }

  gemini_stats stats(const gemini_broker_actor& broker) {
    caf::scoped_actor self{*sys};
    gemini_stats result;
    self->request(broker, 10s, atom::status_v)
      .receive(
        [&](gemini_stats& x) {
          result = std::move(x);
        },
        [&](caf::error&) {});
    return result;
  }

  /// The fake's calls: (first text part, start time, model).
  struct seen {
    std::string text;
    double started = 0;
    std::string model;
  };

  std::vector<seen> calls() const {
    rapidjson::Document doc;
    doc.Parse(fake.stats().c_str());
    std::vector<seen> result;
    for (auto& c : doc["calls"].GetArray())
      result.push_back({c["texts"].Empty() ? "" : c["texts"][0].GetString(),
                        c["started"].GetDouble(), c["model"].GetString()});
    return result;
  }

  int max_in_flight() const {
    rapidjson::Document doc;
    doc.Parse(fake.stats().c_str());
    return doc["max_in_flight"].GetInt();
  }
};

/// Sends `calls` at once from one scoped actor; answers in arrival order
/// of the replies (the texts of successful ones, else "error").
std::vector<std::string> ask_all(caf::actor_system& sys,
                                 const gemini_broker_actor& broker,
                                 std::vector<gemini_call> calls) {
  caf::scoped_actor self{sys};
  // Plain sends: the broker's answers come back as messages.
  for (auto& c : calls)
    self->send(broker, atom::generate_v, c);
  std::vector<std::string> result;
  for (size_t i = 0; i < calls.size(); ++i)
    self->receive(
      [&](gemini_answer& x) {
        result.push_back(x.text);
      },
      [&](caf::error&) {
        result.push_back("error");
      });
  return result;
}

} // namespace

TEST_CASE("broker: 50 parallel calls never exceed the concurrency limit") {
  broker_fixture f;
  f.settings.max_concurrency = 5;
  auto broker = f.spawn();
  f.fake.answer_by_default(R"({"delay_ms": 100, "text": "ok"})");
  std::vector<gemini_call> calls;
  for (int i = 0; i < 50; ++i)
    calls.push_back(broker_fixture::call("c" + std::to_string(i)));
  auto answers = ask_all(*f.sys, broker, calls);
  CHECK(std::count(answers.begin(), answers.end(), "ok") == 50);
  CHECK(f.max_in_flight() == 5);
  CHECK(f.calls().size() == 50);
  auto s = f.stats(broker);
  CHECK(s.max_in_flight == 5);
  CHECK(s.num_succeeded == 50);
  CHECK(s.prompt_tokens == 50 * 1290);
}

TEST_CASE("broker: interactive calls go before batch work, which still "
          "progresses") {
  broker_fixture f;
  f.settings.max_concurrency = 1;
  f.settings.batch_aging = 300ms;
  auto broker = f.spawn();
  f.fake.answer_by_default(R"({"delay_ms": 150, "text": "ok"})");
  std::vector<gemini_call> calls{broker_fixture::call("first")};
  calls.push_back(broker_fixture::call("batch", ai_priority::batch));
  for (int i = 0; i < 8; ++i)
    calls.push_back(broker_fixture::call("i" + std::to_string(i)));
  auto answers = ask_all(*f.sys, broker, calls);
  CHECK(std::count(answers.begin(), answers.end(), "ok") == 10);
  auto seen = f.calls();
  REQUIRE(seen.size() == 10);
  CHECK(seen[0].text == "first");
  CHECK(seen[1].text == "i0"); // interactive first although it came later
  size_t batch_at = 0;
  for (size_t i = 0; i < seen.size(); ++i)
    if (seen[i].text == "batch")
      batch_at = i;
  // Aged after 300 ms (two calls of 150 ms), it takes the next fourth
  // start instead of waiting behind all eight.
  CHECK(batch_at >= 3);
  CHECK(batch_at <= 5);
}

TEST_CASE("broker: 503 and 500 are retried after about 1 s then 2 s") {
  broker_fixture f;
  auto broker = f.spawn();
  f.fake.script(R"([{"status": 503}, {"status": 500}, {"text": "third"}])");
  auto answer = f.ask(broker, broker_fixture::call("x"));
  REQUIRE(answer);
  CHECK(answer->text == "third");
  CHECK(answer->attempts == 3);
  auto seen = f.calls();
  REQUIRE(seen.size() == 3);
  CHECK(seen[1].started - seen[0].started >= 1.0);
  CHECK(seen[1].started - seen[0].started < 1.9);
  CHECK(seen[2].started - seen[1].started >= 2.0);
  CHECK(seen[2].started - seen[1].started < 3.5);
}

TEST_CASE("broker: a longer RetryInfo delay wins, a 400 is not retried, "
          "three failures give the reference's 502") {
  broker_fixture f;
  auto broker = f.spawn();
  f.fake.script(R"([{"status": 429, "quota": "PerMinute",
                     "retry_delay": "2.5s"}, {"text": "later"}])");
  auto answer = f.ask(broker, broker_fixture::call("x"));
  REQUIRE(answer);
  CHECK(answer->text == "later");
  auto seen = f.calls();
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].started - seen[0].started >= 2.5);

  f.fake.reset();
  f.fake.script(R"([{"status": 400}])");
  auto refused = f.ask(broker, broker_fixture::call("x"));
  REQUIRE(!refused);
  CHECK(refused.error() == ai_ec::failed);
  CHECK(f.calls().size() == 1);

  f.fake.reset();
  f.fake.script(R"([{"status": 500}, {"status": 504}, {"status": 503}])");
  auto failed = f.ask(broker, broker_fixture::call("x"));
  REQUIRE(!failed);
  CHECK(failed.error() == ai_ec::failed);
  CHECK(error_detail(failed.error()) ==
        "AI analysis failed. Please try again.");
  CHECK(f.calls().size() == 3);
  // One failing request does not open the breaker.
  CHECK(f.stats(broker).breaker == "closed");
}

TEST_CASE("broker: a spent daily quota pauses batch work and refuses "
          "interactive calls until the reset") {
  broker_fixture f;
  auto broker = f.spawn();
  f.fake.script(R"([{"status": 429, "quota": "PerDay",
                     "retry_delay": "40000s"}])");
  auto first = f.ask(broker, broker_fixture::call("x"));
  REQUIRE(!first);
  CHECK(first.error() == ai_ec::quota_exhausted);
  auto secs = error_retry_after(first.error());
  CHECK(secs > 0);
  CHECK(secs <= 25 * 3600);
  auto again = f.ask(broker, broker_fixture::call("y"));
  REQUIRE(!again);
  CHECK(again.error() == ai_ec::quota_exhausted);
  // Batch work waits (here until its deadline), never sent.
  auto batch =
    f.ask(broker, broker_fixture::call("b", ai_priority::batch, 800ms));
  REQUIRE(!batch);
  CHECK(batch.error() == call_ec::expired);
  CHECK(f.calls().size() == 1);
  auto s = f.stats(broker);
  CHECK(!s.paused_until.empty());
  CHECK(s.num_queued_batch == 0);
}

TEST_CASE("broker: an unknown model falls back, raises one alarm and "
          "without a fallback answers AI model unavailable") {
  broker_fixture f;
  f.settings.fallback_model = "spare";
  auto broker = f.spawn();
  f.fake.models(R"(["spare"])", "[]");
  auto answer = f.ask(broker, broker_fixture::call("x"));
  REQUIRE(answer);
  CHECK(answer->model == "spare");
  auto next = f.ask(broker, broker_fixture::call("y"));
  REQUIRE(next);
  auto seen = f.calls();
  REQUIRE(seen.size() == 3); // primary 404, spare, then spare directly
  CHECK(seen[0].model == "primary");
  CHECK(seen[1].model == "spare");
  CHECK(seen[2].model == "spare");
  auto s = f.stats(broker);
  REQUIRE(s.alarms.size() == 1);
  CHECK(s.alarms[0].find("primary") != std::string::npos);

  broker_fixture g;
  g.settings.model_recheck = 1s;
  auto lonely = g.spawn();
  g.fake.script(R"([{"status": 429, "quota": "Zero"}])");
  auto zero = g.ask(lonely, broker_fixture::call("x"));
  REQUIRE(!zero);
  CHECK(zero.error() == ai_ec::model_unavailable);
  CHECK(error_detail(zero.error()) == "AI model unavailable");
  auto after = g.ask(lonely, broker_fixture::call("y"));
  REQUIRE(!after);
  CHECK(after.error() == ai_ec::model_unavailable);
  CHECK(g.calls().size() == 1); // not tried again
  // After the recheck period the model is asked again (the project may
  // have been fixed meanwhile).
  std::this_thread::sleep_for(1100ms);
  auto fixed = g.ask(lonely, broker_fixture::call("z"));
  REQUIRE(fixed);
  CHECK(g.calls().size() == 2);
}

TEST_CASE("broker: an overloaded primary is retried on the fallback") {
  broker_fixture f;
  f.settings.fallback_model = "spare";
  auto broker = f.spawn();
  f.fake.models("[]", R"(["primary"])");
  auto answer = f.ask(broker, broker_fixture::call("x"));
  REQUIRE(answer);
  CHECK(answer->model == "spare");
  CHECK(answer->attempts == 2);
  CHECK(f.stats(broker).num_fallbacks == 1);
}

TEST_CASE("broker: the breaker opens on failed calls across callers, "
          "answers at once while open and closes after a probe") {
  broker_fixture f;
  f.settings.max_attempts = 1;
  f.settings.breaker_threshold = 3;
  f.settings.breaker_cooldown = 1s;
  auto broker = f.spawn();
  f.fake.script(R"([{"status": 500}, {"status": 500}, {"status": 500}])");
  for (int i = 0; i < 3; ++i) {
    auto failed = f.ask(broker, broker_fixture::call("x"));
    REQUIRE(!failed);
    CHECK(failed.error() == ai_ec::failed);
  }
  CHECK(f.stats(broker).breaker == "open");
  auto refused = f.ask(broker, broker_fixture::call("y"));
  REQUIRE(!refused);
  CHECK(refused.error() == ai_ec::unavailable);
  CHECK(error_retry_after(refused.error()) >= 1);
  CHECK(f.calls().size() == 3);
  std::this_thread::sleep_for(1100ms);
  auto probe = f.ask(broker, broker_fixture::call("z"));
  REQUIRE(probe);
  CHECK(f.stats(broker).breaker == "closed");
  CHECK(f.stats(broker).breaker_opened == 1);
}

TEST_CASE("broker: blocked prompts, empty candidates and malformed answers") {
  broker_fixture f;
  auto broker = f.spawn();
  f.fake.script(R"([{"block": "SAFETY"}, {"empty": true, "finish": "SAFETY"},
                    {"malformed": true}])");
  auto blocked = f.ask(broker, broker_fixture::call("x"));
  REQUIRE(!blocked);
  CHECK(blocked.error() == ai_ec::blocked);
  CHECK(error_detail(blocked.error()).find("SAFETY") != std::string::npos);
  auto empty = f.ask(broker, broker_fixture::call("x"));
  REQUIRE(!empty);
  CHECK(empty.error() == ai_ec::blocked);
  auto malformed = f.ask(broker, broker_fixture::call("x"));
  REQUIRE(!malformed);
  CHECK(malformed.error() == ai_ec::failed);
}

TEST_CASE("broker: streams are joined across split events and UTF-8, an "
          "error after the events is retried") {
  broker_fixture f;
  auto broker = f.spawn();
  std::string text = "Пульс в норме — отдыхай сегодня 😀 and ride tomorrow.";
  f.fake.script(R"([{"text": "partial", "stream_error": 503},
                    {"text": ")" +
                text + R"("}])");
  auto c = broker_fixture::call("x");
  c.stream = true;
  auto answer = f.ask(broker, c);
  REQUIRE(answer);
  CHECK(answer->text == text);
  CHECK(answer->attempts == 2);
}

TEST_CASE("broker: an attempt past its timeout is retried, a call whose "
          "caller has gone is never sent") {
  broker_fixture f;
  f.settings.attempt_timeout = 1s;
  f.settings.max_concurrency = 1;
  auto broker = f.spawn();
  f.fake.script(R"([{"delay_ms": 1500, "text": "late"}, {"text": "fast"}])");
  auto answer = f.ask(broker, broker_fixture::call("x"));
  REQUIRE(answer);
  CHECK(answer->text == "fast");

  f.fake.reset();
  f.fake.answer_by_default(R"({"delay_ms": 600, "text": "slow"})");
  std::vector<gemini_call> calls{
    broker_fixture::call("long"),
    broker_fixture::call("gone", ai_priority::interactive, 200ms)};
  auto answers = ask_all(*f.sys, broker, calls);
  CHECK(std::count(answers.begin(), answers.end(), "slow") == 1);
  CHECK(std::count(answers.begin(), answers.end(), "error") == 1);
  auto seen = f.calls();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].text == "long");
  CHECK(f.stats(broker).num_expired == 1);
}

TEST_CASE("broker: without an API key every call is refused") {
  broker_fixture f;
  f.settings.api_key.clear();
  auto broker = f.spawn();
  auto refused = f.ask(broker, broker_fixture::call("x"));
  REQUIRE(!refused);
  CHECK(refused.error() == ai_ec::not_configured);
  CHECK(f.calls().empty());
}

TEST_CASE("broker: per-minute request and token budgets hold calls back") {
  broker_fixture f;
  f.settings.requests_per_minute = 2;
  auto broker = f.spawn();
  std::vector<gemini_call> calls;
  for (int i = 0; i < 3; ++i)
    calls.push_back(broker_fixture::call("r" + std::to_string(i),
                                         ai_priority::interactive, 1500ms));
  auto answers = ask_all(*f.sys, broker, calls);
  CHECK(std::count(answers.begin(), answers.end(), "error") == 1);
  CHECK(f.calls().size() == 2); // the third waited for the window, in vain

  broker_fixture g;
  g.settings.tokens_per_minute = 1000;
  auto metered = g.spawn();
  auto first = g.ask(metered, broker_fixture::call("t0"));
  REQUIRE(first);
  CHECK(first->prompt_tokens == 1290);
  auto second = g.ask(
    metered, broker_fixture::call("t1", ai_priority::interactive, 1500ms));
  REQUIRE(!second);
  CHECK(second.error() == call_ec::expired);
  CHECK(g.calls().size() == 1);
}
