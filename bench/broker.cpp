// Broker overhead per call: the Gemini broker and the upstream actor in
// front of a zero-latency transport that answers every transfer at once
// with a canned generateContent answer; against the upstream actor alone.
//   bench_broker [CALLS] [IN_FLIGHT]
#include "actors/gemini_broker.hpp"
#include "actors/upstream_client.hpp"
#include "protocols/gemini.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "bench/instant_transport.hpp"

using namespace st;

namespace {

/// A canned generateContent answer.
const char* const gemini_answer_body =
  R"({"candidates":[{"content":{"role":"model","parts":[{"text":)"
  R"("{\"name\":\"Oatmeal\",\"portion_grams\":250,\"calories\":300}"}]},)"
  R"("finishReason":"STOP","index":0}],"usageMetadata":{)"
  R"("promptTokenCount":1294,"candidatesTokenCount":25,)"
  R"("totalTokenCount":1319},"modelVersion":"gemini-flash-latest"})";

/// Runs `calls` requests keeping `in_flight` outstanding (`send(self)`
/// sends one); ns per call.
template<class Send>
double per_call_ns(caf::actor_system& sys, int calls, int in_flight,
                   Send send) {
  caf::scoped_actor self{sys};
  auto t0 = std::chrono::steady_clock::now();
  int sent = 0;
  for (; sent < in_flight && sent < calls; ++sent)
    send(self);
  for (int done = 0; done < calls; ++done) {
    self->receive([](const gemini_answer&) {}, [](const upstream_response&) {},
                  [](const caf::error& err) {
                    std::fprintf(stderr, "error: %s\n", to_string(err).c_str());
                    std::exit(1);
                  });
    if (sent < calls) {
      send(self);
      ++sent;
    }
  }
  auto elapsed = std::chrono::steady_clock::now() - t0;
  return std::chrono::duration<double, std::nano>(elapsed).count() / calls;
}

} // namespace

int main(int argc, char** argv) {
  int calls = argc > 1 ? std::atoi(argv[1]) : 200000;
  int in_flight = argc > 2 ? std::atoi(argv[2]) : 5;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  upstream_settings up;
  up.make_transport = [](upstream_transport::completion done) {
    return std::make_unique<bench::instant_transport>(std::move(done),
                                                      gemini_answer_body);
  };
  auto upstream = sys.spawn(upstream_client, up);
  gemini_settings g;
  g.api_key = "bench";
  g.base_url = "http://127.0.0.1:1/v1beta";
  g.max_concurrency = static_cast<size_t>(in_flight);
  g.upstream = upstream;
  auto broker = sys.spawn(gemini_broker, g);

  gemini_prompt prompt;
  prompt.system_instruction = std::string(2000, 'i');
  prompt.contents.push_back(
    gemini_turn{"user", {gemini_part{"ride?", {}, {}}}});
  auto body = gemini_request_json(prompt);
  auto via_broker = [&](caf::scoped_actor& self) {
    self->send(broker, atom::generate_v,
               gemini_call{body, ai_priority::interactive, false,
                           deadline::in(std::chrono::minutes(1)), nullptr});
  };
  auto direct = [&](caf::scoped_actor& self) {
    upstream_request r;
    r.method = "POST";
    r.url = g.base_url + "/models/m:generateContent";
    r.headers = {"Content-Type: application/json", "x-goog-api-key: bench"};
    r.body = body;
    r.until = deadline::in(std::chrono::minutes(1));
    self->send(upstream, atom::fetch_v, std::move(r));
  };
  // Warm up both paths.
  per_call_ns(sys, 2000, in_flight, via_broker);
  per_call_ns(sys, 2000, in_flight, direct);
  double b = 0, u = 0;
  for (int round = 0; round < 3; ++round) {
    b += per_call_ns(sys, calls, in_flight, via_broker);
    u += per_call_ns(sys, calls, in_flight, direct);
  }
  b /= 3;
  u /= 3;
  std::printf("zero-latency transport, %d calls x3, %d in flight, "
              "%zu B request body\n",
              calls, in_flight, body.size());
  std::printf("broker + upstream actor: %.1f us per call\n", b / 1000);
  std::printf("upstream actor alone:    %.1f us per call\n", u / 1000);
  std::printf("broker overhead:         %.1f us per call (queueing, request "
              "building, answer parsing, budgets)\n",
              (b - u) / 1000);
  caf::anon_send_exit(broker, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(upstream, caf::exit_reason::user_shutdown);
}
