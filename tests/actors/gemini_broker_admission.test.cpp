// The Gemini broker's admission under CAF's deterministic test scheduler:
// the upstream is a fake speaking its typed interface that holds every
// call until the test answers it, so what runs, what waits and what is
// refused is seen one message at a time.
#include "actors/gemini_broker.hpp"
#include "protocols/errors.hpp"
#include "tests/support/deterministic.hpp"

#include <catch2/catch.hpp>

using namespace st;
using namespace st::test;

namespace {

const std::string answer_body =
  R"({"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},)"
  R"("finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,)"
  R"("candidatesTokenCount":1,"totalTokenCount":4}})";

gemini_settings settings(const upstream_actor& upstream) {
  gemini_settings cfg;
  cfg.api_key = "test-key";
  cfg.base_url = "http://gemini.test/v1beta";
  cfg.max_concurrency = 2;
  cfg.max_queued_interactive = 2;
  // Batch work ages into a turn by the wall clock: never within a test.
  cfg.batch_aging = std::chrono::hours(1);
  cfg.upstream = upstream;
  return cfg;
}

gemini_call call(ai_priority p, const std::string& text) {
  gemini_call x;
  x.body = R"({"contents":[{"parts":[{"text":")" + text + R"("}]}]})";
  x.priority = p;
  x.until = deadline::in(std::chrono::minutes(5));
  return x;
}

/// Which call an upstream request carries (its prompt text).
std::string prompt_of(const upstream_request& x) {
  auto at = x.body.find("\"text\":\"");
  return x.body.substr(at + 8, x.body.find('"', at + 8) - at - 8);
}

} // namespace

TEST_CASE("broker: never more than max_concurrency in flight, interactive "
          "before batch, a full queue refused at once") {
  deterministic_system sys;
  auto upstream_log = std::make_shared<fake_upstream_log>();
  auto upstream = sys.fake_upstream(upstream_log);
  auto broker = sys.spawn(gemini_broker, settings(upstream));
  caf::scoped_actor client{sys.system()};
  client->send(broker, atom::generate_v, call(ai_priority::batch, "b1"));
  for (auto name : {"i1", "i2", "i3", "i4"})
    client->send(broker, atom::generate_v,
                 call(ai_priority::interactive, name));
  sys.run();
  // The batch call came first and took one of the two places; i1 the
  // other; i2 and i3 wait; i4 found the interactive queue (2) full.
  REQUIRE(upstream_log->asked.size() == 2);
  CHECK(prompt_of(upstream_log->asked[0]) == "b1");
  CHECK(prompt_of(upstream_log->asked[1]) == "i1");
  bool refused = false;
  client->receive(
    [&](caf::error& err) {
      refused = err == ai_ec::busy;
    },
    caf::after(std::chrono::seconds(0)) >> [] {});
  CHECK(refused);
  auto stats = sys.ask<gemini_stats>(broker, atom::status_v);
  CHECK(stats.num_in_flight == 2);
  CHECK(stats.num_queued_interactive == 2);
  // A place frees: the next interactive call goes, not a batch one.
  client->send(broker, atom::generate_v, call(ai_priority::batch, "b2"));
  sys.run();
  sys.answer_next(upstream, 200, answer_body);
  REQUIRE(upstream_log->asked.size() == 3);
  CHECK(prompt_of(upstream_log->asked[2]) == "i2");
  sys.answer_next(upstream, 200, answer_body);
  REQUIRE(upstream_log->asked.size() == 4);
  CHECK(prompt_of(upstream_log->asked[3]) == "i3");
  // No interactive call left: batch work has its turn.
  sys.answer_next(upstream, 200, answer_body);
  REQUIRE(upstream_log->asked.size() == 5);
  CHECK(prompt_of(upstream_log->asked[4]) == "b2");
  sys.answer_next(upstream, 200, answer_body);
  sys.answer_next(upstream, 200, answer_body);
  stats = sys.ask<gemini_stats>(broker, atom::status_v);
  CHECK(stats.num_in_flight == 0);
  // Every admitted call was answered with the model's text.
  size_t answered = 0;
  for (int i = 0; i < 5; ++i)
    client->receive(
      [&](gemini_answer& x) {
        CHECK(x.text == "ok");
        ++answered;
      },
      caf::after(std::chrono::seconds(0)) >> [] {});
  CHECK(answered == 5);
  sys.stop(broker);
}
