#include "runtime/route_support.hpp"

#include "config/defaults.hpp"

namespace st {

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
