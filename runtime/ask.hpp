#pragma once

#include "config/defaults.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>

#include <functional>

namespace st {

/// Asks `dest` from a non-actor thread without blocking it: a one-shot
/// actor sends the request and hands the reply (or error, incl. timeout) to
/// `k` on a CAF thread. `k` must only post work elsewhere.
template <class Result, class Handle, class... Ts>
void ask(caf::actor_system& sys, const Handle& dest,
         std::function<void(caf::expected<Result>)> k, Ts... xs) {
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(dest, defaults::api_request_timeout, xs...)
      .then([=](Result& x) { k(std::move(x)); },
            [=](caf::error& err) { k(std::move(err)); });
  });
}

} // namespace st
