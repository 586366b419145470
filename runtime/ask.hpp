#pragma once

#include "protocols/errors.hpp"
#include "runtime/bridge.hpp"

#include <caf/expected.hpp>

#include <functional>

namespace st {

namespace detail {

/// Inside a bridge: sends `xs...` to `dest` (no timer) and hands the
/// reply, an error, or the sweep's "timed out" to `k`, exactly once.
template<class Result, class Handle, class... Ts>
void bridge_request(bridge_self self, deadline until, const Handle& dest,
                    const std::function<void(caf::expected<Result>)>& k,
                    const Ts&... xs) {
  auto call = track(self, until, [k] {
    k(make_error(call_ec::expired, "no answer in time"));
  });
  self->request(dest, caf::infinite, xs...)
    .then(
      [=](Result& x) {
        if (call->settle())
          k(std::move(x));
      },
      [=](caf::error& err) {
        if (call->settle())
          k(std::move(err));
      });
}

} // namespace detail

/// Asks `dest` from an HTTP thread without blocking it or spawning: the
/// thread's bridge sends the request and hands the reply (or error) to `k`
/// on a CAF thread, by `until` (plus grace) at the latest. `k` must only
/// post work elsewhere.
template<class Result, class Handle, class... Ts>
void ask_until(request_bridges& bridges, deadline until, const Handle& dest,
               std::function<void(caf::expected<Result>)> k, Ts... xs) {
  bridges.post([=](bridge_self self) {
    detail::bridge_request<Result>(self, until, dest, k, xs...);
  });
}

} // namespace st
