#pragma once

#include "config/defaults.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>

#include <functional>

namespace st {

/// Asks `dest` from a non-actor thread without blocking it: a one-shot
/// actor sends the request and hands the reply (or error, incl. timeout
/// after `timeout`) to `k` on a CAF thread. `k` must only post work
/// elsewhere.
template<class Result, class Handle, class... Ts>
void ask_within(caf::actor_system& sys, caf::timespan timeout,
                const Handle& dest,
                std::function<void(caf::expected<Result>)> k, Ts... xs) {
  // The request travels as spawn arguments: CAF 0.17 dereferences a null
  // argument tuple for argument-less function actors (UBSan finds it).
  sys.spawn(
    [](caf::event_based_actor* self, caf::timespan within, Handle to,
       std::function<void(caf::expected<Result>)> then, Ts... ys) {
      self->request(to, within, std::move(ys)...)
        .then(
          [=](Result& x) {
            then(std::move(x));
          },
          [=](caf::error& err) {
            then(std::move(err));
          });
    },
    timeout, dest, std::move(k), std::move(xs)...);
}

/// As ask_within, with the deadline of an ordinary API request.
template<class Result, class Handle, class... Ts>
void ask(caf::actor_system& sys, const Handle& dest,
         std::function<void(caf::expected<Result>)> k, Ts... xs) {
  ask_within<Result>(sys, defaults::api_request_timeout, dest, std::move(k),
                     std::move(xs)...);
}

} // namespace st
