#include "runtime/route_support.hpp"

#include "config/defaults.hpp"
#include "protocols/dates.hpp"
#include "protocols/http/user_json.hpp"

namespace st {

namespace {

/// Only the syntax is checked before authentication (a SAX pass, no DOM
/// is built): the route's own parser reads the body afterwards. An empty
/// body passes (the route answers "Field required").
std::optional<json_fault> syntax_fault(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return std::nullopt;
  return check_json(body);
}

/// Whether requests of `method` carry a body their route reads.
bool takes_body(http::verb method) {
  return method == http::verb::post || method == http::verb::put ||
         method == http::verb::patch;
}

} // namespace

void user_route(router& r, http::verb method, const char* path,
                const api_context& ctx, user_handler handle, body_kind kind) {
  r.add(
    method, path,
    [ctx, handle, kind, method](api_request& req, responder reply) {
      if (kind == body_kind::json && takes_body(method))
        if (auto fault = syntax_fault(req.body))
          return reply(unprocessable({json_invalid(*fault)}));
      auto shared = std::make_shared<api_request>(std::move(req));
      with_user(ctx, *shared, std::move(reply),
                [ctx, handle, shared](user_identity user, responder reply) {
                  handle(ctx, *shared, user.id, std::move(reply));
                });
    },
    kind);
}

std::optional<std::pair<int64_t, int64_t>>
query_window(const std::map<std::string, std::string>& q, int64_t days,
             std::vector<validation_error>& errors) {
  auto from = query_date(q, "from_date", errors);
  auto to = query_date(q, "to_date", errors);
  if (!errors.empty())
    return std::nullopt;
  auto end = to.value_or(today_utc());
  auto start = from.value_or(end - days);
  // Windows end exclusive at the next day, so that one must exist too.
  if (!representable_day(start) || !representable_day(end + 1)) {
    errors.push_back({"value_error",
                      {"query", to ? "to_date" : "from_date"},
                      "Value error, the date window must lie within "
                      "0001-01-01 and 9999-12-30",
                      json_string(format_date(to ? end : start)),
                      ""});
    return std::nullopt;
  }
  return std::pair{start, end};
}

std::optional<list_query> date_window(const api_request& req, int64_t days,
                                      std::vector<validation_error>& errors) {
  auto q = parse_query(req.query);
  auto limit = query_int(q, "limit", 1, 200, errors);
  auto offset = query_int(q, "offset", 0, INT32_MAX, errors);
  auto window = query_window(q, days, errors);
  if (!window || !errors.empty())
    return std::nullopt;
  list_query result;
  result.from = format_date(window->first);
  result.to = format_date(window->second);
  if (limit || offset) {
    result.limit = limit.value_or(50);
    result.offset = offset.value_or(0);
  }
  return result;
}

api_response unavailable(std::string_view detail) {
  auto result = detail_response(http::status::service_unavailable, detail);
  result.headers.emplace_back(
    "Retry-After", std::to_string(defaults::retry_after_unavailable_s));
  return result;
}

api_response unprocessable(const std::vector<validation_error>& errors) {
  return json_response(http::status::unprocessable_entity,
                       validation_json(errors));
}

std::string bearer_token(const std::string& authorization) {
  constexpr std::string_view prefix = "Bearer ";
  if (authorization.compare(0, prefix.size(), prefix) != 0)
    return {};
  auto rest = authorization.substr(prefix.size());
  auto b = rest.find_first_not_of(" \t");
  if (b == std::string::npos)
    return {};
  auto e = rest.find_last_not_of(" \t");
  return rest.substr(b, e - b + 1);
}

void with_user(const api_context& ctx, const api_request& req, responder reply,
               std::function<void(user_identity, responder)> next) {
  auto token = bearer_token(req.authorization);
  if (token.empty())
    return reply(
      detail_response(http::status::unauthorized, "Not authenticated"));
  ask<user_identity>(
    *ctx.sys, ctx.auth,
    [reply, next](caf::expected<user_identity> user) {
      if (user)
        next(std::move(*user), reply);
      else
        reply(error_response(user.error()));
    },
    atom::identify_v, std::move(token));
}

} // namespace st
