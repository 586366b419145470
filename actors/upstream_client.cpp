#include "actors/upstream_client.hpp"

#include "actors/mailbox_census.hpp"
#include "protocols/errors.hpp"

#include <algorithm>
#include <ctime>
#include <curl/curl.h>
#include <optional>

#include "util/log.hpp"
#include "util/text.hpp"

namespace st {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Whether another try may help. A POST is only repeated when the server
/// said it did not take it (429, 503): a retried create could duplicate,
/// unless it carries an `Idempotency-Key` (the server applies it once).
bool retryable(const upstream_outcome& x, const upstream_request& r) {
  if (x.too_large)
    return false;
  bool repeatable =
    r.method == "GET" ||
    std::any_of(r.headers.begin(), r.headers.end(), [](const std::string& h) {
      return h.rfind("Idempotency-Key:", 0) == 0;
    });
  if (!repeatable)
    return x.status == 429 || x.status == 503;
  return x.status == 0 || x.status == 429 || x.status >= 500;
}

/// `Retry-After` as a wait: delta-seconds or an HTTP date; none if absent
/// or unreadable.
std::optional<milliseconds> retry_after(const std::string& value) {
  if (value.empty())
    return std::nullopt;
  char* end = nullptr;
  auto secs = std::strtoll(value.c_str(), &end, 10);
  if (*end == '\0' && secs >= 0) // capped: a day is "too long" already
    return milliseconds{std::min<long long>(secs, 86400) * 1000};
  auto when = curl_getdate(value.c_str(), nullptr);
  if (when < 0)
    return std::nullopt;
  auto delta = static_cast<int64_t>(when) - static_cast<int64_t>(time(nullptr));
  return milliseconds{std::max<int64_t>(0, delta) * 1000};
}

std::string excerpt(const std::string& body) {
  return body.size() <= 200 ? body : body.substr(0, 200) + "...";
}

} // namespace

std::string url_authority(const std::string& url) {
  auto scheme = url.find("://");
  auto begin = scheme == std::string::npos ? 0 : scheme + 3;
  auto end = url.find_first_of("/?#", begin);
  auto authority = url.substr(
    begin, end == std::string::npos ? std::string::npos : end - begin);
  if (auto at = authority.rfind('@'); at != std::string::npos)
    authority.erase(0, at + 1);
  return to_lower(authority);
}

void upstream_state::pump(const std::string& host) {
  auto& lane = lanes[host];
  auto rate_entry = cfg.host_rates.find(host);
  auto rate = rate_entry == cfg.host_rates.end() ? 0u : rate_entry->second;
  while (!lane.interactive.empty() || !lane.background.empty()) {
    if (rate > 0) {
      auto now = clock_type::now();
      while (!lane.starts.empty() &&
             now - lane.starts.front() >= std::chrono::seconds(1))
        lane.starts.pop_front();
      if (lane.starts.size() >= rate) {
        // At most `rate` starts in any one-second window.
        if (!lane.tick_armed) {
          lane.tick_armed = true;
          auto wait = lane.starts.front() + std::chrono::seconds(1) - now;
          self->delayed_send(self, wait, atom::internal_v, atom::tick_v, host);
        }
        return;
      }
      lane.starts.push_back(now);
    }
    auto& queue = lane.interactive.empty() ? lane.background : lane.interactive;
    auto id = queue.front();
    queue.pop_front();
    --stats.num_waiting;
    auto& call = calls.at(id);
    if (call.request.until.passed()) {
      // Its caller gave up while it waited: it is never sent.
      if (rate > 0)
        lane.starts.pop_back();
      ++stats.num_expired;
      call.promise.deliver(make_error(call_ec::expired, "the caller gave up"));
      calls.erase(id);
      continue;
    }
    start(id);
  }
}

void upstream_state::start(uint64_t id) {
  auto& call = calls.at(id);
  ++call.attempts;
  ++stats.num_attempts;
  ++stats.num_in_flight;
  upstream_transfer x;
  x.id = id;
  x.method = call.request.method;
  x.url = call.request.url;
  x.headers = call.request.headers;
  x.body = call.request.body;
  x.tap = call.request.tap;
  x.aws_sigv4 = call.request.aws_sigv4;
  x.aws_credentials = call.request.aws_credentials;
  x.connect_timeout = cfg.connect_timeout;
  x.total_timeout = call.request.attempt_timeout_ms > 0
                      ? milliseconds{call.request.attempt_timeout_ms}
                      : cfg.attempt_timeout;
  transport->submit(std::move(x));
}

upstream_actor::behavior_type
upstream_client(upstream_actor::stateful_pointer<upstream_state> self,
                upstream_settings cfg) {
  auto& st = self->state;
  st.self = self;
  st.cfg = std::move(cfg);
  st.jitter.seed(
    static_cast<unsigned>(clock_type::now().time_since_epoch().count()));
  // The curl thread reports through a weak handle: it must not keep this
  // actor alive, and reports after its end are dropped.
  caf::weak_actor_ptr weak = self->ctrl();
  st.transport = st.cfg.make_transport([weak](upstream_outcome x) {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<upstream_actor>(strong), atom::internal_v,
                     atom::done_v, std::move(x));
  });
  return {
    [=](atom::fetch, upstream_request& req) {
      auto& st = self->state;
      auto id = st.next_id++;
      auto host = url_authority(req.url);
      auto background = req.background;
      if (req.until.passed())
        return caf::result<upstream_response>{
          make_error(call_ec::expired, "the caller gave up")};
      auto& waiting =
        background ? st.lanes[host].background : st.lanes[host].interactive;
      if (waiting.size() >= st.cfg.max_waiting) {
        ++st.stats.num_refused;
        return caf::result<upstream_response>{make_error(
          call_ec::overloaded, "too many calls waiting for " + host)};
      }
      auto rp = self->make_response_promise<upstream_response>();
      st.calls.emplace(id, upstream_call{std::move(req), rp, host, 0});
      ++st.stats.num_requests;
      ++st.stats.num_waiting;
      auto& lane = st.lanes[host];
      (background ? lane.background : lane.interactive).push_back(id);
      st.pump(host);
      return caf::result<upstream_response>{rp};
    },
    [=](atom::status) {
      auto result = self->state.stats;
      result.mailbox_depth = mailbox_depth(self);
      return result;
    },
    [=](atom::internal, atom::done, upstream_outcome& x) {
      auto& st = self->state;
      --st.stats.num_in_flight;
      auto i = st.calls.find(x.id);
      if (i == st.calls.end())
        return;
      auto& call = i->second;
      auto max_attempts = call.request.max_attempts > 0
                            ? call.request.max_attempts
                            : st.cfg.max_retries + 1;
      auto hinted = retry_after(x.retry_after);
      if (retryable(x, call.request) && call.attempts < max_attempts &&
          !call.request.until.passed()) {
        auto backoff = st.cfg.backoff_base * (1 << (call.attempts - 1));
        // Full jitter in [backoff/2, backoff]: clients that failed
        // together do not come back together.
        backoff = milliseconds{
          backoff.count() / 2 +
          static_cast<int64_t>(st.jitter() % (backoff.count() / 2 + 1))};
        if (!hinted || *hinted <= st.cfg.max_retry_wait) {
          ++st.stats.num_retries;
          ++st.stats.num_waiting;
          self->delayed_send(self, hinted ? *hinted : backoff, atom::internal_v,
                             atom::retry_v, x.id);
          return;
        }
      }
      auto what = call.request.method + " " + call.request.url;
      if (x.status == 0) {
        ++st.stats.num_failed;
        log_warn("upstream", what + " failed after " +
                               std::to_string(call.attempts) +
                               " attempts: " + x.error);
        auto code = x.too_large   ? upstream_ec::too_large
                    : x.timed_out ? upstream_ec::timeout
                                  : upstream_ec::unreachable;
        call.promise.deliver(make_error(code, std::move(x.error)));
      } else {
        if (x.status >= 400)
          log_warn("upstream", what + " -> " + std::to_string(x.status) + ": " +
                                 excerpt(x.body));
        call.promise.deliver(upstream_response{
          x.status, std::move(x.body), call.attempts,
          hinted ? hinted->count() : int64_t{-1}, std::move(x.headers)});
      }
      st.calls.erase(i);
    },
    [=](atom::internal, atom::retry, uint64_t id) {
      auto& st = self->state;
      auto i = st.calls.find(id);
      if (i == st.calls.end())
        return;
      // A retry goes ahead of fresh calls of its kind: it waited already.
      auto& lane = st.lanes[i->second.host];
      (i->second.request.background ? lane.background : lane.interactive)
        .push_front(id);
      st.pump(i->second.host);
    },
    [=](atom::internal, atom::tick, std::string& host) {
      self->state.lanes[host].tick_armed = false;
      self->state.pump(host);
    },
  };
}

} // namespace st
