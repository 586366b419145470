#pragma once

#include "protocols/http/json.hpp"
#include "protocols/http/multipart.hpp"
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

/// The caller's user id from the verified token; answers 401 itself when
/// there is none.
[[nodiscard]] std::optional<int32_t> caller_of(const api_request& req,
                                               const responder& reply);

/// Resolves the caller's live account, then runs `next` with it; answers
/// 401 (or the mapped error) itself otherwise.
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

/// The days of a window the client gave; an open bound is resolved by the
/// user's actor (`to` = their today, `from` = `days` before `to`).
struct day_bounds {
  std::optional<int64_t> from;
  std::optional<int64_t> to;
};

/// The `from_date`/`to_date` parameters (a given `to` without `from`
/// makes `from` `days` before it); none with 422 entries in `errors` when
/// a value is bad or the window leaves the representable dates.
[[nodiscard]] std::optional<day_bounds>
query_window(const std::map<std::string, std::string>& q, int64_t days,
             std::vector<validation_error>& errors);

/// A date window from `from_date`/`to_date` (defaults: the user's today
/// and `days` before it, resolved by their actor) plus optional `limit`
/// (1–200) / `offset` paging; none with 422 entries in `errors` when a
/// value is bad.
[[nodiscard]] std::optional<list_query>
date_window(const api_request& req, int64_t days,
            std::vector<validation_error>& errors);

/// The checks of an uploaded image (http-api.md §2.6), in the seed's
/// order: its 400, or none when it is an image we can read.
[[nodiscard]] std::optional<api_response> refuse_image(const form_part& file);

/// The integer path parameter `name`, or none with a 422 entry.
[[nodiscard]] std::optional<int32_t>
path_id(const api_request& req, const char* name,
        std::vector<validation_error>& errors);

/// Answers with `to_body(value)` and `ok_status`, or with the mapped error.
template<class Result, class F>
std::function<void(caf::expected<Result>)>
answer(responder reply, F to_body, http::status ok_status = http::status::ok) {
  return
    [reply = std::move(reply), to_body, ok_status](caf::expected<Result> x) {
      if (!x)
        return reply(error_response(x.error()));
      // Rendered on the connection's strand, not in the bridge.
      reply.later(
        [value = std::make_shared<Result>(std::move(*x)), to_body, ok_status] {
          return json_response(ok_status, to_body(*value));
        });
    };
}

/// Answers 204 with no body, or with the mapped error.
template<class Result>
std::function<void(caf::expected<Result>)> answer_no_content(responder reply) {
  return [reply = std::move(reply)](caf::expected<Result> x) {
    if (!x)
      return reply(error_response(x.error()));
    api_response res;
    res.status = http::status::no_content;
    reply(std::move(res));
  };
}

/// Asks `dest` with the deadline of an ordinary API request.
template<class Result, class Handle, class... Ts>
void ask(const api_context& ctx, const Handle& dest,
         std::function<void(caf::expected<Result>)> k, Ts... xs) {
  ask_until<Result>(*ctx.bridges, deadline::in(ctx.request_timeout), dest,
                    std::move(k), std::move(xs)...);
}

namespace detail {

/// Inside a bridge: sends `(until, xs...)` to the user's actor, asking the
/// registry for it only when the bridge does not know it (first use, or
/// after passivation). A request that met an actor just passivating was
/// never handled, so it is sent again to the fresh one (`retries` times).
template<class Result, class... Ts>
void ask_user_in(bridge_self self, deadline until, int32_t user,
                 const std::function<void(caf::expected<Result>)>& k,
                 int retries, const Ts&... xs) {
  auto send = [=](const user_actor& handle) {
    std::function<void(caf::expected<Result>)> then =
      [=](caf::expected<Result> x) {
        if (!x && x.error() == caf::sec::request_receiver_down && retries > 0) {
          self->state.handles.erase(user);
          return ask_user_in<Result>(self, until, user, k, retries - 1, xs...);
        }
        k(std::move(x));
      };
    bridge_request<Result>(self, until, handle, then, until, xs...);
  };
  if (auto known = known_user(self, user))
    return send(*known);
  std::function<void(caf::expected<user_actor>)> found =
    [=](caf::expected<user_actor> handle) {
      if (!handle)
        return k(std::move(handle.error()));
      self->state.handles[user] = caf::actor_cast<caf::weak_actor_ptr>(*handle);
      send(*handle);
    };
  bridge_request<user_actor>(self, until, self->state.users, found, atom::get_v,
                             user);
}

} // namespace detail

/// Sends a request to the actor of `user`, with a deadline `timeout` from
/// now, through the calling thread's bridge.
template<class Result, class... Ts>
void ask_user_within(const api_context& ctx, caf::timespan timeout,
                     int32_t user, std::function<void(caf::expected<Result>)> k,
                     Ts... xs) {
  auto until = deadline::in(timeout);
  ctx.bridges->post([=](bridge_self self) {
    detail::ask_user_in<Result>(self, until, user, k, 1, xs...);
  });
}

/// Answers a shared cached page from the bytes rendered for it: rendered
/// (and, by the HTTP front, gzipped) once per page, however often read.
template<class T>
std::function<void(caf::expected<page_ptr<T>>)>
answer_page(responder reply, std::string (*render)(const page<T>&)) {
  return [reply = std::move(reply), render](caf::expected<page_ptr<T>> x) {
    if (!x)
      return reply(error_response(x.error()));
    reply.later([shown = std::move(*x), render] {
      api_response res;
      res.cached_body = shown->rendered->get(render_memo::identity, [&] {
        return render(*shown);
      });
      res.rendered = shown->rendered;
      return res;
    });
  };
}

/// A GET of a date window (default: `days` up to the user's today;
/// optional paging) answered by the user's actor with `(get, kind,
/// list_query)`; `make_answer(reply)` turns the result into the answer.
template<class Result, class Kind, class MakeAnswer>
void window_route(router& r, const char* path, const api_context& ctx,
                  int64_t days, Kind kind, MakeAnswer make_answer,
                  caf::timespan timeout = {}) {
  user_route(r, http::verb::get, path, ctx,
             [days, kind, make_answer, timeout](const api_context& ctx,
                                                const api_request& req,
                                                int32_t user, responder reply) {
               std::vector<validation_error> errors;
               auto q = date_window(req, days, errors);
               if (!q)
                 return reply(unprocessable(errors));
               ask_user_within<Result>(
                 ctx, timeout.count() > 0 ? timeout : ctx.request_timeout, user,
                 make_answer(std::move(reply)), atom::get_v, kind, *q);
             });
}

/// As ask_user_within, with the deadline of an ordinary API request.
template<class Result, class... Ts>
void ask_user(const api_context& ctx, int32_t user,
              std::function<void(caf::expected<Result>)> k, Ts... xs) {
  ask_user_within<Result>(ctx, ctx.request_timeout, user, std::move(k),
                          std::move(xs)...);
}

} // namespace st
