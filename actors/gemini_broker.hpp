#pragma once

#include "protocols/actors.hpp"
#include "protocols/gemini.hpp"

#include <atomic>
#include <chrono>
#include <deque>
#include <random>
#include <set>
#include <unordered_map>

#include "domain/time_zone.hpp"

namespace st {

/// How the broker reaches Gemini and paces it.
struct gemini_settings {
  std::string api_key; ///< empty: every call answers ai_ec::not_configured
  std::string base_url = "https://generativelanguage.googleapis.com/v1beta";
  std::string model = "gemini-flash-latest";
  /// Used when the primary answers 503 (overloaded) or is unknown (404);
  /// empty = none.
  std::string fallback_model;
  size_t max_concurrency = 5;       ///< calls in flight at once, never more
  uint64_t requests_per_minute = 0; ///< 0 = no budget
  uint64_t tokens_per_minute = 0;   ///< 0 = no budget (usageMetadata)
  std::chrono::milliseconds attempt_timeout{90000};
  uint32_t max_attempts = 3;
  std::chrono::milliseconds first_backoff{1000}; ///< doubles per retry
  /// Calls that may wait per priority; past it: ai_ec::busy at once.
  size_t max_queued_interactive = 64;
  size_t max_queued_batch = 10000;
  /// A batch call waiting this long takes every fourth start even while
  /// interactive calls wait.
  std::chrono::milliseconds batch_aging{5000};
  /// Failed calls in a row (across callers) that open the breaker, and
  /// how long it stays open before one probe (doubling while it fails).
  uint32_t breaker_threshold = 5;
  std::chrono::milliseconds breaker_cooldown{30000};
  std::chrono::milliseconds breaker_max_cooldown{300000};
  /// How long a model that answered 404 or has no quota is left alone.
  std::chrono::milliseconds model_recheck{600000};
  upstream_actor upstream;
};

/// A call between its arrival and its answer.
struct gemini_job {
  gemini_call call;
  caf::typed_response_promise<gemini_answer> promise;
  std::chrono::steady_clock::time_point queued_at;
  uint32_t attempts = 0;
  bool use_fallback = false; ///< the primary was overloaded for this call
  bool probe = false;        ///< the half-open breaker's one trial
  std::string model;         ///< of the attempt in flight
  /// A streamed call's text has reached its sink: no retry (set on the
  /// transfer's thread).
  std::shared_ptr<std::atomic<bool>> flowing;
  /// The attempt's stream as its tap read it (the answer is read once:
  /// the transfer's thread is done with it when the answer arrives).
  std::shared_ptr<gemini_stream> reader;
};

struct gemini_broker_state {
  using clock = std::chrono::steady_clock;

  gemini_broker_actor::pointer self = nullptr;
  gemini_settings cfg;
  std::unordered_map<uint64_t, gemini_job> jobs;
  std::deque<uint64_t> interactive;
  std::deque<uint64_t> batch;
  uint64_t next_id = 1;
  size_t in_flight = 0;
  /// Interactive starts since batch work last had one (aging).
  uint32_t interactive_run = 0;
  /// The last minute's starts and token counts (budgets).
  std::deque<clock::time_point> starts;
  std::deque<std::pair<clock::time_point, int64_t>> tokens;
  int64_t tokens_in_window = 0;
  enum class breaker_state : uint8_t { closed, open, half_open };
  breaker_state breaker = breaker_state::closed;
  uint32_t failures_in_a_row = 0;
  clock::time_point open_until;
  std::chrono::milliseconds cooldown{0};
  bool probe_in_flight = false;
  /// The daily quota is spent: batch work waits, interactive calls are
  /// refused, until the reset (midnight Pacific time).
  std::chrono::system_clock::time_point paused_until;
  /// A model that answered 404 (or has no quota) is not asked again until
  /// then: an operator may fix the project meanwhile.
  clock::time_point primary_gone_until;
  clock::time_point fallback_gone_until;
  std::set<std::string> alarms_logged;
  /// When the tick armed last fires (none armed: the epoch).
  clock::time_point tick_at;
  double mean_call_ms = 5000; ///< for the Retry-After of a full queue
  gemini_stats stats;
  std::minstd_rand jitter;
  zone_ptr pacific = nullptr;

  /// Starts waiting calls as far as concurrency, budgets, breaker and
  /// pause allow; arms the tick for what must wait.
  void pump();

  /// Answers every waiting call whose caller has gone (call_ec::expired).
  void drop_expired();

  /// The next call to start, or 0 (none may start now).
  uint64_t take_next(clock::time_point now);

  /// Sends call `id` (one attempt).
  void start(uint64_t id);

  /// An attempt's HTTP answer, or its failure to get one.
  void on_answer(uint64_t id, upstream_response& x);
  void on_no_answer(uint64_t id, const caf::error& err);

  /// A Gemini error (an HTTP status or an error in a stream).
  void on_error(uint64_t id, const gemini_error& err, int64_t retry_after_ms);

  /// Tries call `id` again after `wait` if its attempts and deadline
  /// allow; else it has failed.
  void retry_later(uint64_t id, std::chrono::milliseconds wait);

  /// Answers and forgets call `id`; `gemini_ok` says whether Gemini
  /// itself worked (for the breaker).
  void succeed(uint64_t id, gemini_answer x);
  void fail(uint64_t id, caf::error err, bool gemini_ok);

  /// A model answered 404 or has no quota: raised once, in the stats.
  void model_gone(const std::string& model, const std::string& why);

  void alarm(const std::string& text);
  void arm_tick(clock::time_point at);
  [[nodiscard]] bool primary_gone() const;
  [[nodiscard]] bool fallback_gone() const;
  [[nodiscard]] bool model_available() const;
  [[nodiscard]] std::string model_for(const gemini_job& job) const;
  [[nodiscard]] int64_t seconds_until(clock::time_point at) const;

  static inline const char* name = "gemini-broker";
};

/// @param cfg the models, budgets and the upstream client to send through.
gemini_broker_actor::behavior_type
gemini_broker(gemini_broker_actor::stateful_pointer<gemini_broker_state> self,
              gemini_settings cfg);

} // namespace st
