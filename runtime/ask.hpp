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
template<class Result, class Handle, class... Ts>
void ask(caf::actor_system& sys, const Handle& dest,
         std::function<void(caf::expected<Result>)> k, Ts... xs) {
  // The request travels as spawn arguments: CAF 0.17 dereferences a null
  // argument tuple for argument-less function actors (UBSan finds it).
  sys.spawn(
    [](caf::event_based_actor* self, Handle to,
       std::function<void(caf::expected<Result>)> then, Ts... ys) {
      self->request(to, defaults::api_request_timeout, std::move(ys)...)
        .then(
          [=](Result& x) {
            then(std::move(x));
          },
          [=](caf::error& err) {
            then(std::move(err));
          });
    },
    dest, std::move(k), std::move(xs)...);
}

} // namespace st
