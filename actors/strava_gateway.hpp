#pragma once

#include "protocols/actors.hpp"

#include <chrono>
#include <deque>
#include <unordered_map>

#include "domain/scaled_clock.hpp"
#include "domain/strava_budget.hpp"

namespace st {

struct strava_gateway_settings {
  upstream_actor upstream;
  scaled_clock clock;   ///< Strava's (faster in tests)
  double margin = 0.05; ///< share of each limit never spent
  /// One attempt's time (the gateway never retries: a retry would spend
  /// budget; the sync job retries with backoff).
  std::chrono::milliseconds attempt_timeout{30000};
  /// No lease is granted this close to a window's start or end (at least
  /// 2 % of the window): requests in flight across the boundary would be
  /// counted in the other window by Strava.
  std::chrono::milliseconds opening_slack{50};
};

struct strava_gateway_state {
  using lease_promise = caf::typed_response_promise<strava_lease>;

  struct waiting {
    strava_lease_request request;
    lease_promise promise;
  };

  /// What a user may still send in window `window`.
  struct held_lease {
    int64_t left = 0;
    int64_t window = -1;
  };

  strava_gateway_settings cfg;
  strava_budget budget{0.05};
  std::deque<waiting> interactive;
  std::deque<waiting> batch;
  std::unordered_map<int32_t, held_lease> leases;
  /// Before the first headers, one request at a time (other processes'
  /// usage is unknown): the window of the one in flight, if any.
  int64_t probe_window = -1;
  bool tick_armed = false;
  strava_stats stats;

  /// Grants what waits while the budget has room; arms the timer for the
  /// next opening otherwise.
  void serve(strava_gateway_actor::stateful_pointer<strava_gateway_state> self);

  /// The refusal of a request that cannot wait: when to ask again.
  [[nodiscard]] caf::error rate_limited(int64_t now);

  /// How close to a window's start or end nothing is granted (Strava ms).
  [[nodiscard]] int64_t edge() const;

  /// Requests that may be granted now.
  [[nodiscard]] int64_t room(int64_t now);

  /// The index of the window of `now`.
  [[nodiscard]] static int64_t window_of(int64_t now) {
    return now / strava_budget::window_ms;
  }

  static inline const char* name = "strava_gateway";
};

[[nodiscard]] strava_gateway_actor::behavior_type strava_gateway(
  strava_gateway_actor::stateful_pointer<strava_gateway_state> self,
  strava_gateway_settings cfg);

} // namespace st
