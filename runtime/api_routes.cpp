#include "runtime/api_routes.hpp"

#include "protocols/errors.hpp"
#include "protocols/http/auth_json.hpp"
#include "runtime/ask.hpp"
#include "runtime/log.hpp"
#include "runtime/route_support.hpp"

namespace st {

namespace {

using status = http::status;

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
            [ctx, reply](caf::expected<db_stats> db) {
              if (!db)
                return reply(error_response(db.error()));
              auto db_json = db_stats_json(*db);
              ask<uint64_t>(
                *ctx.sys, ctx.users,
                [ctx, reply, db_json](caf::expected<uint64_t> users) {
                  if (!users)
                    return reply(error_response(users.error()));
                  auto head = "{\"db\":" + db_json +
                              ",\"user_actors\":" + std::to_string(*users);
                  ask<upstream_stats>(*ctx.sys, ctx.upstream,
                                      answer<upstream_stats>(
                                        reply,
                                        [head](const upstream_stats& u) {
                                          return head + ",\"upstream\":" +
                                                 upstream_stats_json(u) + "}";
                                        }),
                                      atom::status_v);
                },
                atom::status_v);
            },
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
    case api_ec::conflict:
      return detail_response(status::conflict, detail);
    case api_ec::unprocessable:
      return detail_response(status::unprocessable_entity, detail);
    case api_ec::unavailable:
      return unavailable(detail);
    case api_ec::bad_gateway:
      return detail_response(status::bad_gateway, detail);
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
  if (err == caf::sec::runtime_error) // an actor failed; it is restarted
    return unavailable("Your data is temporarily unavailable, please retry");
  log_error("api", "unexpected error: " + caf::to_string(err));
  return detail_response(status::internal_server_error,
                         "Internal Server Error");
}

router make_api_routes(const api_context& ctx) {
  router result;
  add_probe_routes(result, ctx);
  add_auth_routes(result, ctx);
  add_user_routes(result, ctx);
  add_intervals_routes(result, ctx);
  return result;
}

} // namespace st
