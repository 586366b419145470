#pragma once

#include "protocols/actors.hpp"
#include "protocols/transport.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <random>
#include <unordered_map>

namespace st {

/// Timeouts, retries and per-host pacing of outbound calls.
struct upstream_settings {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds attempt_timeout{30000}; ///< one try, whole
  uint32_t max_retries = 2;                         ///< tries after the first
  std::chrono::milliseconds backoff_base{500};      ///< doubles per retry
  std::chrono::milliseconds max_retry_wait{30000};  ///< longest wait honoured
  std::map<std::string, uint32_t> host_rates; ///< `host[:port]` → starts/s
  /// Calls one host may have waiting per class (interactive, background);
  /// past it a call is refused at once (call_ec::overloaded).
  size_t max_waiting = 256;
  /// Moves the bytes (runtime/ hands in libcurl's multi interface).
  transport_factory make_transport;
};

/// The authority (`host[:port]`, lower case) of an http(s) URL; the key of
/// a host's rate cap.
[[nodiscard]] std::string url_authority(const std::string& url);

/// A call between its arrival and its final answer.
struct upstream_call {
  upstream_request request;
  caf::typed_response_promise<upstream_response> promise;
  std::string host;
  uint32_t attempts = 0;
};

/// Calls of one host waiting for a start slot, and its recent starts.
struct upstream_lane {
  std::deque<uint64_t> interactive;
  std::deque<uint64_t> background;
  std::deque<std::chrono::steady_clock::time_point> starts; ///< last second
  bool tick_armed = false;
};

struct upstream_state {
  upstream_actor::pointer self = nullptr;
  upstream_settings cfg;
  std::unordered_map<uint64_t, upstream_call> calls;
  std::unordered_map<std::string, upstream_lane> lanes;
  uint64_t next_id = 1;
  upstream_stats stats;
  std::minstd_rand jitter;
  /// Last member: destroyed first, so the transport stops before the
  /// calls it reports on go away.
  std::unique_ptr<upstream_transport> transport;

  /// Starts waiting calls of `host` as far as its rate cap allows.
  void pump(const std::string& host);

  /// Hands call `id` to the curl thread.
  void start(uint64_t id);

  static inline const char* name = "upstream";
};

upstream_actor::behavior_type
upstream_client(upstream_actor::stateful_pointer<upstream_state> self,
                upstream_settings cfg);

} // namespace st
