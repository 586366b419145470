#pragma once

#include "protocols/http/json.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/ask.hpp"

#include <functional>
#include <string>

namespace st {

/// 503 with `Retry-After`.
[[nodiscard]] api_response unavailable(std::string_view detail);

/// 422 in the list form.
[[nodiscard]] api_response
unprocessable(const std::vector<validation_error>& errors);

/// The access token of `Authorization: Bearer <token>` (http-api.md §2.1),
/// or empty when the header does not carry one.
[[nodiscard]] std::string bearer_token(const std::string& authorization);

/// Resolves the caller, then runs `next` with the account; answers 401 (or
/// the mapped error) itself otherwise.
void with_user(const api_context& ctx, const api_request& req, responder reply,
               std::function<void(user_identity, responder)> next);

/// A Bearer route's handler: gets the caller's user id.
using user_handler = std::function<void(const api_context&, const api_request&,
                                        int32_t, responder)>;

/// Registers a Bearer route. A body that is not JSON at all is refused
/// before authentication, as the reference does (http-api.md §2.1).
void user_route(router& r, http::verb method, const char* path,
                const api_context& ctx, user_handler handle,
                body_kind kind = body_kind::json);

/// The days [from, to] of the `from_date`/`to_date` parameters (defaults:
/// today and `days` before it); none with 422 entries in `errors` when a
/// value is bad or the window leaves the representable dates.
[[nodiscard]] std::optional<std::pair<int64_t, int64_t>>
query_window(const std::map<std::string, std::string>& q, int64_t days,
             std::vector<validation_error>& errors);

/// A date window from `from_date`/`to_date` (defaults: today and `days`
/// before it) plus optional `limit` (1–200) / `offset` paging; none with
/// 422 entries in `errors` when a value is bad.
[[nodiscard]] std::optional<list_query>
date_window(const api_request& req, int64_t days,
            std::vector<validation_error>& errors);

/// Answers with `to_body(value)` and `ok_status`, or with the mapped error.
template<class Result, class F>
std::function<void(caf::expected<Result>)>
answer(responder reply, F to_body, http::status ok_status = http::status::ok) {
  return
    [reply = std::move(reply), to_body, ok_status](caf::expected<Result> x) {
      if (x)
        reply(json_response(ok_status, to_body(*x)));
      else
        reply(error_response(x.error()));
    };
}

namespace detail {

/// One try of ask_user_within, run by its asking actor: the registry
/// names the user's actor, then the request goes to it. A request that
/// met an actor just passivating was never handled, so it is sent again
/// to the fresh one (`retries` times).
template<class Result, class... Ts>
void ask_user_once(caf::event_based_actor* self,
                   const user_registry_actor& users, int32_t user,
                   caf::timespan timeout,
                   const std::function<void(caf::expected<Result>)>& k,
                   int retries, const Ts&... xs) {
  self->request(users, defaults::api_request_timeout, atom::get_v, user)
    .then(
      [=](user_actor& handle) {
        self->request(handle, timeout, xs...)
          .then(
            [=](Result& x) {
              k(std::move(x));
            },
            [=](caf::error& err) {
              if (err == caf::sec::request_receiver_down && retries > 0)
                return ask_user_once<Result>(self, users, user, timeout, k,
                                             retries - 1, xs...);
              k(std::move(err));
            });
      },
      [=](caf::error& err) {
        k(std::move(err));
      });
}

} // namespace detail

/// Sends a request to the actor of `user`, via the registry, and waits up
/// to `timeout` for its answer. One asking actor does both hops.
template<class Result, class... Ts>
void ask_user_within(const api_context& ctx, caf::timespan timeout,
                     int32_t user, std::function<void(caf::expected<Result>)> k,
                     Ts... xs) {
  // The request travels as spawn arguments (see runtime/ask.hpp).
  ctx.sys->spawn(
    [](caf::event_based_actor* self, user_registry_actor users, int32_t id,
       caf::timespan within, std::function<void(caf::expected<Result>)> then,
       Ts... ys) {
      detail::ask_user_once<Result>(self, users, id, within, then, 1, ys...);
    },
    ctx.users, user, timeout, std::move(k), std::move(xs)...);
}

/// A GET of a date window (default: `days` up to today; optional paging)
/// answered by the user's actor with `(get, kind, list_query)`.
template<class Result, class Kind>
void window_route(router& r, const char* path, const api_context& ctx,
                  int64_t days, Kind kind, std::string (*render)(const Result&),
                  caf::timespan timeout = defaults::api_request_timeout) {
  user_route(r, http::verb::get, path, ctx,
             [days, kind, render, timeout](const api_context& ctx,
                                           const api_request& req, int32_t user,
                                           responder reply) {
               std::vector<validation_error> errors;
               auto q = date_window(req, days, errors);
               if (!q)
                 return reply(unprocessable(errors));
               ask_user_within<Result>(ctx, timeout, user,
                                       answer<Result>(reply, render),
                                       atom::get_v, kind, *q);
             });
}

/// As ask_user_within, with the deadline of an ordinary API request.
template<class Result, class... Ts>
void ask_user(const api_context& ctx, int32_t user,
              std::function<void(caf::expected<Result>)> k, Ts... xs) {
  ask_user_within<Result>(ctx, defaults::api_request_timeout, user,
                          std::move(k), std::move(xs)...);
}

} // namespace st
