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

/// Sends a request to the actor of `user`, via the registry, and waits up
/// to `timeout` for its answer. A request that met an actor just
/// passivating was never handled, so it is sent again to the fresh one.
template<class Result, class... Ts>
void ask_user_within(const api_context& ctx, caf::timespan timeout,
                     int32_t user, std::function<void(caf::expected<Result>)> k,
                     Ts... xs) {
  auto attempt = std::make_shared<std::function<void(int)>>();
  *attempt = [ctx, timeout, user, k, xs..., attempt](int left) {
    ask<user_actor>(
      *ctx.sys, ctx.users,
      [ctx, timeout, k, xs..., attempt,
       left](caf::expected<user_actor> handle) {
        if (!handle)
          return k(std::move(handle.error()));
        ask_within<Result>(
          *ctx.sys, timeout, *handle,
          [k, attempt, left](caf::expected<Result> x) {
            if (!x && x.error() == caf::sec::request_receiver_down && left > 0)
              return (*attempt)(left - 1);
            *attempt = nullptr; // break the self-reference
            k(std::move(x));
          },
          xs...);
      },
      atom::get_v, user);
  };
  (*attempt)(1);
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
