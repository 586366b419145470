// The analytics tab (http-api-head.md §3.10): four charts of the athlete's
// data and the model's explanation of one. Handlers only translate the
// wire format; the user's actor does the work.
#include "protocols/http/analytics_json.hpp"
#include "protocols/http/user_json.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/route_support.hpp"

#include "domain/analytics.hpp"
#include "util/dates.hpp"

namespace st {

namespace {

/// `days` (7–365, default 30; checked even beside explicit dates, as the
/// reference does), `from_date`, `to_date`.
std::optional<analytics_query>
analytics_query_of(const api_request& req, analytics_chart chart,
                   std::vector<validation_error>& errors) {
  auto q = parse_query(req.query);
  analytics_query result;
  result.chart = chart;
  result.days =
    query_int(q, "days", 7, max_analytics_days, errors).value_or(30);
  auto from = query_date(q, "from_date", errors);
  auto to = query_date(q, "to_date", errors);
  if (!errors.empty())
    return std::nullopt;
  // A window must stay within the representable dates.
  using bound = std::pair<std::optional<int64_t>, const char*>;
  for (auto& [day, name] : {bound{from, "from_date"}, bound{to, "to_date"}})
    if (day && (!representable_day(*day - max_analytics_days) ||
                !representable_day(*day + 1))) {
      errors.push_back({"value_error",
                        {"query", name},
                        "Value error, the date must lie within 0002-01-01 "
                        "and 9999-12-30",
                        json_string(format_date(*day)),
                        ""});
      return std::nullopt;
    }
  if (from)
    result.from = format_date(*from);
  if (to)
    result.to = format_date(*to);
  return result;
}

void chart_route(router& r, const char* path, analytics_chart chart,
                 const api_context& ctx) {
  user_route(r, http::verb::get, path, ctx,
             [chart](const api_context& ctx, const api_request& req,
                     int32_t user, responder reply) {
               std::vector<validation_error> errors;
               auto q = analytics_query_of(req, chart, errors);
               if (!q)
                 return reply(unprocessable(errors));
               ask_user<analytics_report>(
                 ctx, user, answer<analytics_report>(reply, analytics_json),
                 atom::get_v, std::move(*q));
             });
}

} // namespace

void add_analytics_routes(router& r, const api_context& ctx) {
  chart_route(r, "/api/v1/analytics/overview", analytics_chart::overview, ctx);
  chart_route(r, "/api/v1/analytics/sleep", analytics_chart::sleep, ctx);
  chart_route(r, "/api/v1/analytics/workouts", analytics_chart::workouts, ctx);
  chart_route(r, "/api/v1/analytics/nutrition", analytics_chart::nutrition,
              ctx);
  user_route(
    r, http::verb::post, "/api/v1/analytics/insight", ctx,
    [](const api_context& ctx, const api_request& req, int32_t user,
       responder reply) {
      std::vector<validation_error> errors;
      auto x = parse_insight_request(req.body, errors);
      if (!x)
        return reply(unprocessable(errors));
      if (!ctx.ai_configured)
        return reply(unavailable("AI insights are not configured."));
      x->language = req.language;
      ask_user_within<insight_reply>(ctx, ctx.ai_request_timeout, user,
                                     answer<insight_reply>(reply, insight_json),
                                     atom::analyze_v, std::move(*x));
    },
    body_kind::prompt);
}

} // namespace st
