// Intervals.icu (http-api.md §3.9): handlers only translate the wire
// format; the user's actor links, syncs and calls upstream.
#include "protocols/http/intervals_json.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/route_support.hpp"

namespace st {

void add_intervals_routes(router& r, const api_context& ctx) {
  user_route(r, http::verb::get, "/api/v1/intervals/status", ctx,
             [](const api_context& ctx, const api_request&, int32_t user,
                responder reply) {
               ask_user<intervals_status>(
                 ctx, user,
                 answer<intervals_status>(reply, intervals_status_json),
                 atom::get_v, atom::intervals_v);
             });
  user_route(r, http::verb::post, "/api/v1/intervals/link", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto x = parse_intervals_link(req.body, errors);
               if (!x)
                 return reply(unprocessable(errors));
               ask_user_within<intervals_status>(
                 ctx, ctx.upstream_request_timeout, user,
                 answer<intervals_status>(
                   reply,
                   [](const intervals_status& s) {
                     return R"({"status":"linked","athlete_id":)" +
                            json_string(s.athlete_id) + "}";
                   }),
                 atom::link_v, *x);
             });
  user_route(r, http::verb::post, "/api/v1/intervals/unlink", ctx,
             [](const api_context& ctx, const api_request&, int32_t user,
                responder reply) {
               ask_user<bool>(ctx, user,
                              answer<bool>(reply,
                                           [](bool) {
                                             return std::string{
                                               R"({"status":"unlinked"})"};
                                           }),
                              atom::unlink_v);
             });
  user_route(r, http::verb::post, "/api/v1/intervals/sync", ctx,
             [](const api_context& ctx, const api_request&, int32_t user,
                responder reply) {
               ask_user_within<sync_report>(
                 ctx, ctx.upstream_request_timeout, user,
                 answer<sync_report>(reply,
                                     [user](const sync_report& x) {
                                       return sync_report_json(user, x);
                                     }),
                 atom::sync_v);
             });
  window_route<std::vector<intervals_event>>(
    r, "/api/v1/intervals/events", ctx, 7, atom::events_v,
    [](responder reply) {
      return answer<std::vector<intervals_event>>(std::move(reply),
                                                  intervals_events_json);
    },
    ctx.upstream_request_timeout);
  user_route(r, http::verb::post, "/api/v1/intervals/events", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto x = parse_planned_event(req.body, errors);
               if (!x)
                 return reply(unprocessable(errors));
               ask_user_within<intervals_event>(
                 ctx, ctx.upstream_request_timeout, user,
                 answer<intervals_event>(reply, intervals_event_json,
                                         http::status::created),
                 atom::add_v, *x);
             });
  window_route<std::vector<intervals_activity>>(
    r, "/api/v1/intervals/activities", ctx, 14, atom::activities_v,
    [](responder reply) {
      return answer<std::vector<intervals_activity>>(std::move(reply),
                                                     intervals_activities_json);
    },
    ctx.upstream_request_timeout);
}

} // namespace st
