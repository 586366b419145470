// Strava gateway overhead per request: lease + budgeted fetch through the
// gateway and the upstream actor, in front of a zero-latency transport whose
// answers carry Strava's rate headers (limits too high to bind); against
// the upstream actor alone.
//   bench_strava_gateway [REQUESTS] [PER_LEASE]
#include "actors/strava_gateway.hpp"

#include "actors/upstream_client.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "bench/instant_transport.hpp"

using namespace st;

namespace {

upstream_request page_request() {
  upstream_request r;
  r.url = "http://127.0.0.1:1/api/v3/athlete/activities?before=1&page=1&"
          "per_page=200";
  r.headers = {"Authorization: Bearer at-1", "Accept: application/json"};
  r.until = deadline::in(std::chrono::minutes(1));
  return r;
}

template<class T>
T ask(caf::scoped_actor& self) {
  T result;
  self->receive(
    [&](T& x) {
      result = std::move(x);
    },
    [](const caf::error& err) {
      std::fprintf(stderr, "error: %s\n", to_string(err).c_str());
      std::exit(1);
    });
  return result;
}

/// ns per request: `per_lease` fetches per lease (0 = no gateway).
double per_request_ns(caf::actor_system& sys, const strava_gateway_actor& gw,
                      const upstream_actor& up, int requests, int per_lease) {
  caf::scoped_actor self{sys};
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < requests;) {
    if (per_lease == 0) {
      self->send(up, atom::fetch_v, page_request());
      ask<upstream_response>(self);
      ++i;
      continue;
    }
    strava_lease_request x;
    x.user_id = 1 + i % 500;
    x.wanted = per_lease;
    x.until = deadline::in(std::chrono::minutes(1));
    self->send(gw, atom::lease_v, x);
    auto lease = ask<strava_lease>(self);
    for (int k = 0; k < lease.granted && i < requests; ++k, ++i) {
      self->send(gw, atom::fetch_v,
                 strava_call{x.user_id, true, page_request()});
      ask<upstream_response>(self);
    }
    self->send(gw, atom::release_v, x.user_id);
  }
  auto elapsed = std::chrono::steady_clock::now() - t0;
  return std::chrono::duration<double, std::nano>(elapsed).count() / requests;
}

} // namespace

int main(int argc, char** argv) {
  int requests = argc > 1 ? std::atoi(argv[1]) : 100000;
  int per_lease = argc > 2 ? std::atoi(argv[2]) : 4;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  upstream_settings up;
  up.make_transport = [](upstream_transport::completion done) {
    // A page of one activity, and headers of limits that never bind.
    return std::make_unique<bench::instant_transport>(
      std::move(done),
      R"([{"id":1,"start_date":"2026-11-30T06:00:00Z","name":"Ride"}])",
      std::vector<std::string>{"X-RateLimit-Limit: 1000000000,1000000000",
                               "X-RateLimit-Usage: 1,1",
                               "X-ReadRateLimit-Limit: 1000000000,1000000000",
                               "X-ReadRateLimit-Usage: 1,1"});
  };
  auto upstream = sys.spawn(upstream_client, up);
  strava_gateway_settings g;
  g.upstream = upstream;
  auto gateway = sys.spawn(strava_gateway, g);
  // Warm up (the first answer confirms the budget).
  per_request_ns(sys, gateway, upstream, 2000, per_lease);
  per_request_ns(sys, gateway, upstream, 2000, 0);
  double via = 0, one = 0, direct = 0;
  for (int round = 0; round < 3; ++round) {
    via += per_request_ns(sys, gateway, upstream, requests, per_lease);
    one += per_request_ns(sys, gateway, upstream, requests, 1);
    direct += per_request_ns(sys, gateway, upstream, requests, 0);
  }
  via /= 3;
  one /= 3;
  direct /= 3;
  std::printf("zero-latency transport, %d requests x3, one at a time\n",
              requests);
  std::printf("gateway (a lease per %d) + upstream: %.1f us per request\n",
              per_lease, via / 1000);
  std::printf("gateway (a lease per request) + upstream: %.1f us per "
              "request\n",
              one / 1000);
  std::printf("upstream actor alone:               %.1f us per request\n",
              direct / 1000);
  std::printf("gateway overhead: %.1f us per request with leases of %d, "
              "%.1f us with a lease per request\n",
              (via - direct) / 1000, per_lease, (one - direct) / 1000);
  caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(upstream, caf::exit_reason::user_shutdown);
}
