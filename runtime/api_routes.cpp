#include "runtime/api_routes.hpp"

#include "protocols/errors.hpp"
#include "protocols/http/auth_json.hpp"
#include "runtime/ask.hpp"
#include "runtime/log.hpp"

namespace st {

namespace {

using status = http::status;

api_response unavailable(std::string_view detail) {
  auto result = detail_response(status::service_unavailable, detail);
  result.headers.emplace_back(
    "Retry-After", std::to_string(defaults::retry_after_unavailable_s));
  return result;
}

api_response unprocessable(const std::vector<validation_error>& errors) {
  return json_response(status::unprocessable_entity, validation_json(errors));
}

/// Answers with `to_body(value)` and 200, or with the mapped error.
template<class Result, class F>
std::function<void(caf::expected<Result>)> answer(responder reply, F to_body) {
  return [reply = std::move(reply), to_body](caf::expected<Result> x) {
    if (x)
      reply(json_response(status::ok, to_body(*x)));
    else
      reply(error_response(x.error()));
  };
}

/// The access token of `Authorization: Bearer <token>` (http-api.md §2.1),
/// or empty when the header does not carry one.
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

/// Resolves the caller, then runs `next` with the account; answers 401 (or
/// the mapped error) itself otherwise.
void with_user(const api_context& ctx, const api_request& req, responder reply,
               std::function<void(user_identity, responder)> next) {
  auto token = bearer_token(req.authorization);
  if (token.empty())
    return reply(detail_response(status::unauthorized, "Not authenticated"));
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

void add_auth_routes(router& r, const api_context& ctx) {
  r.add(http::verb::post, "/api/v1/auth/register",
        [ctx](api_request& req, responder reply) {
          std::vector<validation_error> errors;
          auto creds =
            parse_credentials(req.body, credential_rules::registration, errors);
          if (!creds)
            return reply(unprocessable(errors));
          ask<token_pair>(*ctx.sys, ctx.auth,
                          answer<token_pair>(reply, token_pair_json),
                          atom::signup_v, std::move(*creds));
        });
  r.add(http::verb::post, "/api/v1/auth/login",
        [ctx](api_request& req, responder reply) {
          std::vector<validation_error> errors;
          auto creds =
            parse_credentials(req.body, credential_rules::login, errors);
          if (!creds)
            return reply(unprocessable(errors));
          ask<token_pair>(*ctx.sys, ctx.auth,
                          answer<token_pair>(reply, token_pair_json),
                          atom::login_v, std::move(*creds));
        });
  r.add(http::verb::post, "/api/v1/auth/refresh",
        [ctx](api_request& req, responder reply) {
          std::vector<validation_error> errors;
          auto token = parse_refresh_token(req.body, errors);
          if (!token)
            return reply(unprocessable(errors));
          ask<token_pair>(*ctx.sys, ctx.auth,
                          answer<token_pair>(reply, token_pair_json),
                          atom::refresh_v, std::move(*token));
        });
  r.add(http::verb::post, "/api/v1/auth/logout",
        [ctx](api_request& req, responder reply) {
          std::vector<validation_error> errors;
          auto token = parse_refresh_token(req.body, errors);
          if (!token)
            return reply(unprocessable(errors));
          ask<bool>(
            *ctx.sys, ctx.auth,
            [reply](caf::expected<bool> revoked) {
              if (!revoked)
                return reply(error_response(revoked.error()));
              // Unknown tokens answer alike: no oracle for token guessing.
              api_response res;
              res.status = status::no_content;
              reply(std::move(res));
            },
            atom::logout_v, std::move(*token));
        });
  r.add(http::verb::get, "/api/v1/auth/me",
        [ctx](api_request& req, responder reply) {
          with_user(ctx, req, std::move(reply),
                    [](user_identity user, responder reply) {
                      reply(json_response(status::ok, identity_json(user)));
                    });
        });
}

void add_probe_routes(router& r, const api_context& ctx) {
  r.add(http::verb::get, "/health", [](api_request&, responder reply) {
    reply(json_response(status::ok, "{\"status\":\"ok\"}"));
  });
  r.add(http::verb::get, "/ready", [ctx](api_request&, responder reply) {
    db_batch ping;
    ping.statements.push_back(db_statement{stmt::ping, {}});
    ask<db_reply>(
      *ctx.sys, ctx.db,
      [reply](caf::expected<db_reply> x) {
        if (x)
          reply(json_response(status::ok, "{\"status\":\"ready\"}"));
        else
          reply(unavailable("Database unavailable"));
      },
      atom::exec_v, std::move(ping));
  });
  r.add(http::verb::get, "/api/v1/admin/stats",
        [ctx](api_request& req, responder reply) {
          if (ctx.admin_token.empty())
            return reply(detail_response(status::not_found, "Not Found"));
          if (bearer_token(req.authorization) != ctx.admin_token)
            return reply(
              detail_response(status::unauthorized, "Not authenticated"));
          ask<db_stats>(
            *ctx.sys, ctx.db,
            answer<db_stats>(reply,
                             [](const db_stats& x) {
                               return "{\"db\":" + db_stats_json(x) + "}";
                             }),
            atom::status_v);
        });
}

} // namespace

api_response error_response(const caf::error& err) {
  auto detail = error_detail(err);
  if (err.category() == caf::atom("api")) {
    switch (static_cast<api_ec>(err.code())) {
    case api_ec::bad_request:
      return detail_response(status::bad_request, detail);
    case api_ec::unauthorized:
      return detail_response(status::unauthorized, detail);
    case api_ec::not_found:
      return detail_response(status::not_found, detail);
    case api_ec::unprocessable:
      return detail_response(status::unprocessable_entity, detail);
    case api_ec::unavailable:
      return unavailable(detail);
    }
  }
  if (err.category() == caf::atom("db")) {
    switch (static_cast<db_ec>(err.code())) {
    case db_ec::unavailable:
      return unavailable("Database unavailable, please retry shortly");
    case db_ec::overloaded:
      return unavailable("Server busy, please retry shortly");
    case db_ec::timeout:
      return unavailable("Database did not answer in time, please retry");
    case db_ec::query_failed:
      break;
    }
  }
  if (err == caf::sec::request_timeout ||
      err == caf::sec::request_receiver_down)
    return unavailable("Service temporarily unavailable, please retry");
  log_error("api", "unexpected error: " + caf::to_string(err));
  return detail_response(status::internal_server_error,
                         "Internal Server Error");
}

router make_api_routes(const api_context& ctx) {
  router result;
  add_probe_routes(result, ctx);
  add_auth_routes(result, ctx);
  return result;
}

} // namespace st
