#include "actors/strava_gateway.hpp"

#include "actors/mailbox_census.hpp"
#include "protocols/errors.hpp"
#include "protocols/strava.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "util/log.hpp"

namespace st {

using gateway_self =
  strava_gateway_actor::stateful_pointer<strava_gateway_state>;

int64_t strava_gateway_state::edge() const {
  auto slack = static_cast<int64_t>(
    static_cast<double>(cfg.opening_slack.count()) * cfg.clock.scale);
  return std::max<int64_t>(strava_budget::window_ms * 2 / 100, slack);
}

int64_t strava_gateway_state::room(int64_t now) {
  // Nothing starts at a window's edges: a request sent just before the
  // boundary may be counted in the next window by Strava, and answers of
  // the old window still arrive just after it.
  auto into = now % strava_budget::window_ms;
  if (into < edge() || strava_budget::window_ms - into < edge())
    return 0;
  auto result = budget.available(now);
  if (!budget.confirmed()) {
    // Nothing known of other processes' usage yet: one request, then the
    // answer's headers say.
    if (probe_window == window_of(now))
      return 0;
    result = std::min<int64_t>(result, 1);
  }
  return result;
}

caf::error strava_gateway_state::rate_limited(int64_t now) {
  auto wait_s = std::chrono::duration_cast<std::chrono::seconds>(
                  cfg.clock.until(budget.next_opening(now)))
                  .count() +
                1;
  return make_error(strava_ec::rate_limited,
                    "Strava rate limit reached; try again later.",
                    static_cast<int64_t>(wait_s));
}

void strava_gateway_state::serve(gateway_self self) {
  auto now = cfg.clock.now();
  auto expire = [&](std::deque<waiting>& q) {
    for (auto i = q.begin(); i != q.end();) {
      if (i->request.until.passed()) {
        i->promise.deliver(make_error(call_ec::expired,
                                      "the Strava budget had no room in time"));
        i = q.erase(i);
      } else {
        ++i;
      }
    }
  };
  expire(interactive);
  expire(batch);
  auto left = room(now);
  while (left > 0 && (!interactive.empty() || !batch.empty())) {
    auto& q = interactive.empty() ? batch : interactive;
    // The fair share: what is left split among the users waiting now, so a
    // backfill takes its turn like a one-page sync.
    std::unordered_set<int32_t> users;
    for (auto* each : {&interactive, &batch})
      for (auto& w : *each)
        users.insert(w.request.user_id);
    auto share =
      std::max<int64_t>(1, left / static_cast<int64_t>(users.size()));
    auto w = std::move(q.front());
    q.pop_front();
    auto granted =
      std::clamp<int64_t>(w.request.wanted, 1, std::min(share, left));
    auto window = window_of(now);
    auto& held = leases[w.request.user_id];
    if (held.window != window)
      held = held_lease{0, window};
    held.left += granted;
    budget.spend(now, granted);
    if (!budget.confirmed())
      probe_window = window;
    left -= granted;
    stats.num_granted += static_cast<uint64_t>(granted);
    w.promise.deliver(
      strava_lease{granted, (window + 1) * strava_budget::window_ms});
    if (!budget.confirmed())
      left = room(now);
  }
  // Who cannot wait is refused once the budget itself is spent (they may
  // have queued behind the first request's answer).
  if (budget.available(now) <= 0)
    for (auto i = interactive.begin(); i != interactive.end();) {
      if (i->request.wait) {
        ++i;
        continue;
      }
      ++stats.num_refused;
      i->promise.deliver(rate_limited(now));
      i = interactive.erase(i);
    }
  stats.num_waiting = interactive.size() + batch.size();
  if (stats.num_waiting == 0 || tick_armed)
    return;
  // Wake when the next window is past its opening edge (or this one's,
  // when the budget still has room), and at least once a second for the
  // deadlines of those waiting.
  auto window_start = now - now % strava_budget::window_ms;
  auto next = budget.available(now) > 0 && now < window_start + edge()
                ? window_start + edge()
                : budget.next_opening(now) + edge();
  auto wait = std::clamp<std::chrono::milliseconds>(
    cfg.clock.until(next), std::chrono::milliseconds(1),
    std::chrono::seconds(1));
  tick_armed = true;
  self->delayed_send(self, wait, atom::internal_v, atom::tick_v);
}

strava_gateway_actor::behavior_type
strava_gateway(gateway_self self, strava_gateway_settings cfg) {
  self->state.cfg = std::move(cfg);
  self->state.budget = strava_budget{self->state.cfg.margin};
  return {
    [=](atom::lease, strava_lease_request& x) -> caf::result<strava_lease> {
      auto& st = self->state;
      auto now = st.cfg.clock.now();
      if (x.until.passed())
        return make_error(call_ec::expired, "the caller gave up");
      // Someone waits for this answer: refused only when the budget itself
      // has no room (not for the probe in flight before the first headers).
      if (!x.wait && st.budget.available(now) <= 0) {
        ++st.stats.num_refused;
        return st.rate_limited(now);
      }
      auto rp = self->make_response_promise<strava_lease>();
      (x.interactive ? st.interactive : st.batch).push_back({std::move(x), rp});
      st.serve(self);
      return rp;
    },
    [=](atom::release, int32_t user) {
      auto& st = self->state;
      auto i = st.leases.find(user);
      if (i == st.leases.end())
        return;
      auto now = st.cfg.clock.now();
      if (i->second.window == strava_gateway_state::window_of(now) &&
          i->second.left > 0) {
        st.budget.spend(now, -i->second.left);
        st.serve(self);
      }
      st.leases.erase(i);
    },
    [=](atom::fetch, strava_call& x) -> caf::result<upstream_response> {
      auto& st = self->state;
      auto sent = st.cfg.clock.now();
      if (x.budgeted) {
        // Nothing is sent at a window's closing edge either: Strava
        // could count it in the next window, which is leased in full.
        auto window = strava_gateway_state::window_of(sent);
        auto closing = (window + 1) * strava_budget::window_ms - st.edge();
        auto i = st.leases.find(x.user_id);
        if (i == st.leases.end() || i->second.left <= 0 ||
            i->second.window != window || sent >= closing)
          return make_error(strava_ec::no_lease,
                            "no lease of the Strava budget in this window");
        if (--i->second.left == 0)
          st.leases.erase(i);
      }
      ++st.stats.num_sent;
      auto req = std::move(x.request);
      req.max_attempts = 1;
      req.attempt_timeout_ms = st.cfg.attempt_timeout.count();
      auto budgeted = x.budgeted;
      auto rp = self->make_response_promise<upstream_response>();
      self
        ->request(st.cfg.upstream, caf::infinite, atom::fetch_v, std::move(req))
        .then(
          [=](upstream_response& r) mutable {
            auto& st = self->state;
            // Strava's count in the headers is as of its answer: taken for
            // the window the answer arrives in (when the request was sent
            // in the previous one, that overestimates: the safe side).
            auto received = st.cfg.clock.now();
            if (budgeted) {
              auto reading = strava::read_rate_headers(r.headers);
              if (r.status == 429) {
                ++st.stats.num_throttled;
                st.budget.refused(received, reading);
                log_warn("strava", "Strava answered 429 (rate limit)");
              } else {
                st.budget.observe(received, reading);
              }
              if (st.probe_window >= 0 && st.budget.confirmed())
                st.probe_window = -1;
              st.serve(self);
            }
            rp.deliver(std::move(r));
          },
          [=](caf::error& err) mutable {
            // No answer, no headers: the probe's window stays spent.
            rp.deliver(std::move(err));
          });
      return rp;
    },
    [=](atom::status) {
      auto& st = self->state;
      auto now = st.cfg.clock.now();
      auto s = st.stats;
      auto used = st.budget.used(now);
      auto limits = st.budget.limits();
      s.window_used = used.first;
      s.day_used = used.second;
      s.window_limit = limits.first;
      s.day_limit = limits.second;
      s.available = st.room(now);
      s.confirmed = st.budget.confirmed();
      s.num_waiting = st.interactive.size() + st.batch.size();
      s.mailbox_depth = mailbox_depth(self);
      return s;
    },
    [=](atom::internal, atom::tick) {
      self->state.tick_armed = false;
      self->state.serve(self);
    },
  };
}

} // namespace st
