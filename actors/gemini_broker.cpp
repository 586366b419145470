#include "actors/gemini_broker.hpp"

#include "actors/mailbox_census.hpp"
#include "protocols/errors.hpp"

#include <algorithm>
#include <cmath>

#include "util/dates.hpp"
#include "util/log.hpp"

namespace st {

namespace {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

constexpr auto budget_window = std::chrono::minutes(1);

const char* breaker_name(gemini_broker_state::breaker_state x) {
  switch (x) {
  case gemini_broker_state::breaker_state::closed:
    return "closed";
  case gemini_broker_state::breaker_state::open:
    return "open";
  case gemini_broker_state::breaker_state::half_open:
    return "half-open";
  }
  return "closed";
}

int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
    .count();
}

} // namespace

bool gemini_broker_state::primary_gone() const {
  return clock::now() < primary_gone_until;
}

bool gemini_broker_state::fallback_gone() const {
  return cfg.fallback_model.empty() || clock::now() < fallback_gone_until;
}

bool gemini_broker_state::model_available() const {
  return !primary_gone() || !fallback_gone();
}

std::string gemini_broker_state::model_for(const gemini_job& job) const {
  if (!fallback_gone() && (primary_gone() || job.use_fallback))
    return cfg.fallback_model;
  return cfg.model;
}

int64_t gemini_broker_state::seconds_until(clock::time_point at) const {
  auto left = std::chrono::duration_cast<milliseconds>(at - clock::now());
  return std::max<int64_t>(1, (left.count() + 999) / 1000);
}

void gemini_broker_state::alarm(const std::string& text) {
  if (!alarms_logged.insert(text).second)
    return;
  log_error("gemini", "configuration alarm: " + text);
  stats.alarms.push_back(text);
}

void gemini_broker_state::model_gone(const std::string& model,
                                     const std::string& why) {
  auto until = clock::now() + cfg.model_recheck;
  if (model == cfg.model)
    primary_gone_until = until;
  else
    fallback_gone_until = until;
  alarm("model " + model + " " + why);
}

void gemini_broker_state::arm_tick(clock::time_point at) {
  auto now = clock::now();
  if (tick_at > now && tick_at <= at)
    return; // an earlier tick is armed
  tick_at = at;
  self->delayed_send(self, std::max(at - now, clock::duration::zero()),
                     atom::internal_v, atom::tick_v);
}

uint64_t gemini_broker_state::take_next(clock::time_point now) {
  for (;;) {
    bool paused = std::chrono::system_clock::now() < paused_until;
    bool batch_ready = !batch.empty() && !paused;
    if (interactive.empty() && !batch_ready) {
      if (!batch.empty())
        arm_tick(now + std::chrono::duration_cast<clock::duration>(
                         paused_until - std::chrono::system_clock::now()));
      return 0;
    }
    // Batch work goes when nothing interactive waits, and every fourth
    // start once it has waited for its aging time.
    bool aged = batch_ready &&
                now - jobs.at(batch.front()).queued_at >= cfg.batch_aging &&
                interactive_run >= 3;
    bool from_batch = interactive.empty() || aged;
    auto& lane = from_batch ? batch : interactive;
    auto id = lane.front();
    lane.pop_front();
    interactive_run = from_batch ? 0 : interactive_run + 1;
    auto& job = jobs.at(id);
    if (job.call.until.passed()) {
      // Its caller has gone: never sent.
      ++stats.num_expired;
      job.promise.deliver(make_error(call_ec::expired, "the caller gave up"));
      jobs.erase(id);
      continue;
    }
    return id;
  }
}

void gemini_broker_state::drop_expired() {
  for (auto* lane : {&interactive, &batch}) {
    auto keep =
      std::stable_partition(lane->begin(), lane->end(), [this](uint64_t id) {
        return !jobs.at(id).call.until.passed();
      });
    for (auto i = keep; i != lane->end(); ++i) {
      ++stats.num_expired;
      jobs.at(*i).promise.deliver(
        make_error(call_ec::expired, "the caller gave up"));
      jobs.erase(*i);
    }
    lane->erase(keep, lane->end());
  }
}

void gemini_broker_state::pump() {
  auto now = clock::now();
  // Whatever waits is checked at least once a second: a caller that gave
  // up is answered (and its slot in the queue freed) without a start.
  if (!interactive.empty() || !batch.empty())
    arm_tick(now + std::chrono::seconds(1));
  while (!starts.empty() && now - starts.front() >= budget_window)
    starts.pop_front();
  while (!tokens.empty() && now - tokens.front().first >= budget_window) {
    tokens_in_window -= tokens.front().second;
    tokens.pop_front();
  }
  while (in_flight < cfg.max_concurrency &&
         (!interactive.empty() || !batch.empty())) {
    if (breaker == breaker_state::open) {
      if (now < open_until)
        return arm_tick(open_until);
      breaker = breaker_state::half_open;
    }
    if (breaker == breaker_state::half_open && probe_in_flight)
      return; // the probe decides
    if (cfg.requests_per_minute > 0 && starts.size() >= cfg.requests_per_minute)
      return arm_tick(starts.front() + budget_window);
    if (cfg.tokens_per_minute > 0 && !tokens.empty() &&
        static_cast<uint64_t>(tokens_in_window) >= cfg.tokens_per_minute)
      return arm_tick(tokens.front().first + budget_window);
    auto id = take_next(now);
    if (id == 0)
      return;
    if (breaker == breaker_state::half_open) {
      jobs.at(id).probe = true;
      probe_in_flight = true;
    }
    start(id);
  }
}

namespace {

/// Feeds a streamed attempt's body to its own parser and the text to the
/// call's sink as it arrives (on the transfer's thread).
std::shared_ptr<const body_tap> stream_tap(gemini_job& job) {
  if (!job.flowing)
    job.flowing = std::make_shared<std::atomic<bool>>(false);
  auto parser = std::make_shared<gemini_stream>();
  job.reader = parser;
  return std::make_shared<const body_tap>(
    [parser, sink = job.call.sink, flowing = job.flowing](std::string_view x) {
      auto text = parser->feed(x);
      if (text.empty())
        return;
      flowing->store(true);
      sink->delta(text);
    });
}

} // namespace

void gemini_broker_state::start(uint64_t id) {
  auto& job = jobs.at(id);
  ++job.attempts;
  job.model = model_for(job);
  if (job.model != cfg.model)
    ++stats.num_fallbacks;
  ++in_flight;
  ++stats.num_attempts;
  stats.max_in_flight = std::max<uint64_t>(stats.max_in_flight, in_flight);
  starts.push_back(clock::now());
  upstream_request req;
  req.method = "POST";
  req.url =
    cfg.base_url + "/models/" + job.model +
    (job.call.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  req.headers = {"Content-Type: application/json",
                 "x-goog-api-key: " + cfg.api_key};
  req.body = job.call.body; // kept for a retry
  req.background = job.call.priority == ai_priority::batch;
  req.until = job.call.until;
  req.max_attempts = 1; // the retry policy is the broker's
  auto timeout = cfg.attempt_timeout.count();
  if (job.call.until.unix_ns != 0)
    timeout = std::clamp<int64_t>(
      (job.call.until.unix_ns - deadline::now_ns()) / 1'000'000, 1000, timeout);
  req.attempt_timeout_ms = timeout;
  if (job.call.sink)
    req.tap = stream_tap(job);
  auto sent = clock::now();
  self->request(cfg.upstream, caf::infinite, atom::fetch_v, std::move(req))
    .then(
      [this, id, sent](upstream_response& x) {
        auto ms =
          std::chrono::duration<double, std::milli>(clock::now() - sent);
        mean_call_ms = 0.8 * mean_call_ms + 0.2 * ms.count();
        on_answer(id, x);
      },
      [this, id](caf::error& err) {
        on_no_answer(id, err);
      });
}

void gemini_broker_state::on_answer(uint64_t id, upstream_response& x) {
  --in_flight;
  auto i = jobs.find(id);
  if (i == jobs.end())
    return pump();
  auto& job = i->second;
  if (x.status != 200) {
    on_error(id, read_gemini_error(x.body, x.status), x.retry_after_ms);
    return pump();
  }
  gemini_reading reading;
  if (job.reader) {
    reading = job.reader->finish();
  } else if (job.call.stream) {
    gemini_stream stream;
    stream.feed(x.body);
    reading = stream.finish();
  } else {
    reading = read_gemini_answer(x.body);
  }
  auto used = reading.total_tokens > 0
                ? reading.total_tokens
                : reading.prompt_tokens + reading.output_tokens;
  if (used > 0) {
    tokens.emplace_back(clock::now(), used);
    tokens_in_window += used;
  }
  stats.prompt_tokens += static_cast<uint64_t>(reading.prompt_tokens);
  stats.output_tokens += static_cast<uint64_t>(reading.output_tokens);
  stats.cached_tokens += static_cast<uint64_t>(reading.cached_tokens);
  using outcome = gemini_reading::outcome;
  switch (reading.kind) {
  case outcome::text:
    succeed(id, gemini_answer{std::move(reading.text), reading.finish_reason,
                              job.model, reading.prompt_tokens,
                              reading.output_tokens, reading.cached_tokens,
                              job.attempts});
    break;
  case outcome::blocked:
    fail(id,
         make_error(ai_ec::blocked,
                    "The AI declined this request (" +
                      (reading.block_reason.empty() ? reading.finish_reason
                                                    : reading.block_reason) +
                      "). Please try another photo or message."),
         true);
    break;
  case outcome::empty:
    fail(id, make_error(ai_ec::unusable, "Empty response from Gemini"), true);
    break;
  case outcome::failed:
    // An error inside the stream, after a 200.
    on_error(id, reading.error, -1);
    break;
  case outcome::malformed:
    log_warn("gemini", "unreadable answer from " + job.model);
    fail(id, make_error(ai_ec::failed, "Gemini answered something unreadable"),
         false);
    break;
  }
  pump();
}

void gemini_broker_state::on_no_answer(uint64_t id, const caf::error& err) {
  --in_flight;
  if (jobs.count(id) == 0)
    return pump();
  if (err == call_ec::expired) {
    ++stats.num_expired;
    auto& job = jobs.at(id);
    job.promise.deliver(err);
    if (job.probe)
      probe_in_flight = false;
    jobs.erase(id);
  } else {
    // Timeouts, resets, a full upstream queue: transient.
    retry_later(id, milliseconds{0});
  }
  pump();
}

void gemini_broker_state::on_error(uint64_t id, const gemini_error& err,
                                   int64_t retry_after_ms) {
  auto& job = jobs.at(id);
  auto code = err.code;
  if (code == 404 || (code == 429 && err.zero_quota)) {
    model_gone(job.model, code == 404 ? "is unknown to the API (404)"
                                      : "has a quota of 0 for this project");
    if (model_available() && job.attempts < cfg.max_attempts) {
      ++stats.num_retries;
      (job.call.priority == ai_priority::batch ? batch : interactive)
        .push_front(id);
      return;
    }
    return fail(
      id, make_error(ai_ec::model_unavailable, "AI model unavailable"), true);
  }
  if (code == 429 && err.per_day) {
    auto now = std::chrono::system_clock::now();
    if (now >= paused_until) {
      paused_until = next_local_time(pacific, now, 0);
      stats.paused_until = format_unix(unix_seconds(paused_until));
      ++stats.num_quota_pauses;
      log_warn("gemini", "daily quota spent: batch work waits until " +
                           stats.paused_until);
    }
    if (job.call.priority == ai_priority::batch) {
      --job.attempts; // waits for the reset with its attempts intact
      batch.push_front(id);
      return;
    }
    auto secs =
      std::max<int64_t>(1, unix_seconds(paused_until) - unix_seconds(now));
    ++stats.num_refused;
    job.promise.deliver(
      make_error(ai_ec::quota_exhausted,
                 "The AI's daily quota is used up. Please try again after " +
                   stats.paused_until + ".",
                 secs));
    jobs.erase(id);
    return;
  }
  if (code == 429 || code == 500 || code == 503 || code == 504) {
    if (code == 503 && !cfg.fallback_model.empty())
      job.use_fallback = true; // overloaded: the next try elsewhere
    auto hint = std::max(err.retry_delay_ms.value_or(0), retry_after_ms);
    return retry_later(id, milliseconds{hint});
  }
  if (code == 401 || code == 403 ||
      err.message.find("API key") != std::string::npos)
    alarm("the API key was refused (" + std::to_string(code) + ")");
  log_warn("gemini", "call refused (" + std::to_string(code) + " " +
                       err.status + "): " + err.message.substr(0, 200));
  fail(id, make_error(ai_ec::failed, "Gemini refused the request"), true);
}

void gemini_broker_state::retry_later(uint64_t id, milliseconds hint) {
  auto& job = jobs.at(id);
  // About 1 s, then 2 s; jitter only lengthens; a longer hint wins.
  auto base =
    cfg.first_backoff * (1 << std::min<uint32_t>(job.attempts - 1, 10));
  auto wait = milliseconds{
    base.count() + static_cast<int64_t>(jitter() % (base.count() / 5 + 1))};
  wait = std::max(wait, hint);
  auto fits =
    job.call.until.unix_ns == 0 ||
    deadline::now_ns() +
        std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count() <
      job.call.until.unix_ns;
  // Text already streamed to a person cannot be taken back: not repeated.
  bool streamed = job.flowing && job.flowing->load();
  if (job.attempts >= cfg.max_attempts || !fits || streamed)
    return fail(
      id, make_error(ai_ec::failed, "AI analysis failed. Please try again."),
      false);
  ++stats.num_retries;
  self->delayed_send(self, wait, atom::internal_v, atom::retry_v, id);
}

void gemini_broker_state::succeed(uint64_t id, gemini_answer x) {
  auto& job = jobs.at(id);
  ++stats.num_succeeded;
  failures_in_a_row = 0;
  if (job.probe || breaker == breaker_state::half_open) {
    probe_in_flight = false;
    if (breaker != breaker_state::closed)
      log_info("gemini", "Gemini answers again: breaker closed");
    breaker = breaker_state::closed;
    cooldown = cfg.breaker_cooldown;
  }
  job.promise.deliver(std::move(x));
  jobs.erase(id);
}

void gemini_broker_state::fail(uint64_t id, caf::error err, bool gemini_ok) {
  auto& job = jobs.at(id);
  ++stats.num_failed;
  bool probe = job.probe;
  job.promise.deliver(std::move(err));
  jobs.erase(id);
  if (probe)
    probe_in_flight = false;
  if (gemini_ok) {
    failures_in_a_row = 0;
    if (probe)
      breaker = breaker_state::closed;
    return;
  }
  ++failures_in_a_row;
  bool opens = probe || (breaker == breaker_state::closed &&
                         failures_in_a_row >= cfg.breaker_threshold);
  if (!opens)
    return;
  cooldown = probe ? std::min(cooldown * 2, cfg.breaker_max_cooldown)
                   : cfg.breaker_cooldown;
  breaker = breaker_state::open;
  open_until = clock::now() + cooldown;
  ++stats.breaker_opened;
  log_warn("gemini", std::to_string(failures_in_a_row) +
                       " calls failed in a row: breaker open for " +
                       std::to_string(cooldown.count()) + " ms");
  // What waits would only fail the same way: answered now.
  auto secs = seconds_until(open_until);
  for (auto* lane : {&interactive, &batch}) {
    for (auto waiting : *lane) {
      ++stats.num_refused;
      jobs.at(waiting).promise.deliver(
        make_error(ai_ec::unavailable,
                   "AI is temporarily unavailable, please retry later", secs));
      jobs.erase(waiting);
    }
    lane->clear();
  }
}

gemini_broker_actor::behavior_type
gemini_broker(gemini_broker_actor::stateful_pointer<gemini_broker_state> self,
              gemini_settings cfg) {
  auto& st = self->state;
  st.self = self;
  st.cfg = std::move(cfg);
  st.cooldown = st.cfg.breaker_cooldown;
  st.pacific = find_zone("America/Los_Angeles");
  st.jitter.seed(
    static_cast<unsigned>(clock_type::now().time_since_epoch().count()));
  st.stats.configured = !st.cfg.api_key.empty();
  st.stats.model = st.cfg.model;
  st.stats.fallback_model = st.cfg.fallback_model;
  st.stats.max_concurrency = st.cfg.max_concurrency;
  return {
    [self](atom::generate, gemini_call& call) -> caf::result<gemini_answer> {
      auto& st = self->state;
      ++st.stats.num_calls;
      if (st.cfg.api_key.empty())
        return make_error(ai_ec::not_configured, "AI is not configured");
      if (call.until.passed()) {
        ++st.stats.num_expired;
        return make_error(call_ec::expired, "the caller gave up");
      }
      if (!st.model_available()) {
        ++st.stats.num_refused;
        return make_error(ai_ec::model_unavailable, "AI model unavailable");
      }
      auto refuse = [&](ai_ec code, std::string detail, int64_t secs) {
        ++st.stats.num_refused;
        return caf::result<gemini_answer>{
          make_error(code, std::move(detail), secs)};
      };
      if (st.breaker == gemini_broker_state::breaker_state::open &&
          clock_type::now() < st.open_until)
        return refuse(ai_ec::unavailable,
                      "AI is temporarily unavailable, please retry later",
                      st.seconds_until(st.open_until));
      bool batch = call.priority == ai_priority::batch;
      auto now = std::chrono::system_clock::now();
      if (!batch && now < st.paused_until)
        return refuse(ai_ec::quota_exhausted,
                      "The AI's daily quota is used up. Please try again "
                      "after " +
                        st.stats.paused_until + ".",
                      std::max<int64_t>(1, unix_seconds(st.paused_until) -
                                             unix_seconds(now)));
      auto& lane = batch ? st.batch : st.interactive;
      auto cap =
        batch ? st.cfg.max_queued_batch : st.cfg.max_queued_interactive;
      if (lane.size() >= cap) {
        auto waits =
          static_cast<double>(lane.size()) /
          static_cast<double>(std::max<size_t>(1, st.cfg.max_concurrency));
        return refuse(ai_ec::busy, "AI is busy, please retry shortly",
                      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(
                                             waits * st.mean_call_ms / 1000))));
      }
      auto rp = self->make_response_promise<gemini_answer>();
      auto id = st.next_id++;
      gemini_job job;
      job.call = std::move(call);
      job.promise = rp;
      job.queued_at = clock_type::now();
      st.jobs.emplace(id, std::move(job));
      lane.push_back(id);
      st.pump();
      return rp;
    },
    [self](atom::status) {
      auto& st = self->state;
      auto result = st.stats;
      result.num_in_flight = st.in_flight;
      result.num_queued_interactive = st.interactive.size();
      result.num_queued_batch = st.batch.size();
      result.breaker = breaker_name(st.breaker);
      if (std::chrono::system_clock::now() >= st.paused_until)
        result.paused_until.clear();
      result.mailbox_depth = mailbox_depth(self);
      return result;
    },
    [self](atom::internal, atom::retry, uint64_t id) {
      auto& st = self->state;
      auto i = st.jobs.find(id);
      if (i == st.jobs.end())
        return;
      // A retry goes ahead of fresh calls of its priority: it waited.
      (i->second.call.priority == ai_priority::batch ? st.batch
                                                     : st.interactive)
        .push_front(id);
      st.pump();
    },
    [self](atom::internal, atom::tick) {
      self->state.drop_expired();
      self->state.pump();
    },
  };
}

} // namespace st
