#include "protocols/http/auth_json.hpp"
#include "runtime/account_export.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/ask.hpp"
#include "runtime/route_support.hpp"

namespace st {

using status = http::status;

void add_auth_routes(router& r, const api_context& ctx) {
  r.add(http::verb::post, "/api/v1/auth/register",
        [ctx](api_request& req, responder reply) {
          std::vector<validation_error> errors;
          auto creds =
            parse_credentials(req.body, credential_rules::registration, errors);
          if (!creds)
            return reply(unprocessable(errors));
          creds->until = deadline::in(ctx.request_timeout);
          ask<token_pair>(ctx, ctx.auth,
                          answer<token_pair>(reply, token_pair_json),
                          atom::signup_v, std::move(*creds));
        });
  r.add(
    http::verb::post, "/api/v1/auth/login",
    [ctx](api_request& req, responder reply) {
      std::vector<validation_error> errors;
      auto creds = parse_credentials(req.body, credential_rules::login, errors);
      if (!creds)
        return reply(unprocessable(errors));
      creds->client = req.client_ip;
      creds->until = deadline::in(ctx.request_timeout);
      ask<token_pair>(ctx, ctx.auth, answer<token_pair>(reply, token_pair_json),
                      atom::login_v, std::move(*creds));
    });
  r.add(http::verb::post, "/api/v1/auth/refresh",
        [ctx](api_request& req, responder reply) {
          std::vector<validation_error> errors;
          auto token = parse_refresh_token(req.body, errors);
          if (!token)
            return reply(unprocessable(errors));
          ask<token_pair>(ctx, ctx.auth,
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
            ctx, ctx.auth,
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
  // Password reset (http-api-head.md §3.1.5–3.1.6).
  r.add(
    http::verb::post, "/api/v1/auth/forgot-password",
    [ctx](api_request& req, responder reply) {
      std::vector<validation_error> errors;
      auto email = parse_forgot_password(req.body, errors);
      if (!email)
        return reply(unprocessable(errors));
      if (email->empty())
        return reply(detail_response(status::bad_request, "Email required"));
      if (!well_formed_email(*email))
        return reply(
          detail_response(status::bad_request, "Invalid email format"));
      ask<bool>(
        ctx, ctx.auth,
        [reply](caf::expected<bool> asked) {
          if (!asked)
            return reply(error_response(asked.error()));
          reply(json_response(status::ok,
                              R"({"message":"If an account exists with this )"
                              R"(email, you will receive a reset link."})"));
        },
        atom::forgot_v, password_reset_request{*email, req.client_ip});
    });
  r.add(http::verb::post, "/api/v1/auth/reset-password",
        [ctx](api_request& req, responder reply) {
          std::vector<validation_error> errors;
          auto reset = parse_reset_password(req.body, errors);
          if (!reset)
            return reply(unprocessable(errors));
          reset->until = deadline::in(ctx.request_timeout);
          ask<token_pair>(ctx, ctx.auth,
                          answer<token_pair>(reply, token_pair_json),
                          atom::reset_v, std::move(*reset));
        });
  // Deleting the account (no version of the reference has it): its own
  // password, then every row of it, then its tokens refused.
  r.add(http::verb::delete_, "/api/v1/users/me",
        [ctx](api_request& req, responder reply) {
          std::vector<validation_error> errors;
          auto password = parse_account_deletion(req.body, errors);
          if (!password)
            return reply(unprocessable(errors));
          with_user(
            ctx, req, std::move(reply),
            [ctx, password = *password](user_identity user, responder reply) {
              auto erase = [ctx, user, reply](caf::expected<bool> checked) {
                if (!checked)
                  return reply(error_response(checked.error()));
                ask_user<bool>(
                  ctx, user.id,
                  [ctx, user, reply](caf::expected<bool> erased) {
                    if (!erased)
                      return reply(error_response(erased.error()));
                    // Before the answer: a request sent after it is refused.
                    caf::anon_send(ctx.auth, atom::erase_v, user.id);
                    api_response res;
                    res.status = status::no_content;
                    reply(std::move(res));
                  },
                  atom::erase_v);
              };
              ask<bool>(ctx, ctx.auth, std::move(erase), atom::verify_v,
                        password_check{user.id, password,
                                       deadline::in(ctx.request_timeout)});
            });
        });
  user_route(r, http::verb::get, "/api/v1/users/me/export", ctx,
             [](const api_context& ctx, const api_request&, int32_t user,
                responder reply) {
               start_account_export(ctx, user, std::move(reply));
             });
  r.add(http::verb::post, "/api/v1/users/seed",
        [ctx](api_request& req, responder reply) {
          if (!ctx.debug)
            return reply(detail_response(status::not_found, "Not found"));
          static const std::string email = "dev@smart-trainer.local";
          ask<token_pair>(
            ctx, ctx.auth,
            [reply](caf::expected<token_pair> created) {
              if (created)
                return reply(json_response(
                  status::ok, "{\"message\":\"Default user created\","
                              "\"email\":" +
                                json_string(email) + ",\"password\":\"dev\"}"));
              // Only the development address is checked (http-api.md).
              if (created.error() == auth_ec::invalid_signup)
                return reply(json_response(
                  status::ok,
                  R"({"message":"User already exists","status":"ok"})"));
              reply(error_response(created.error()));
            },
            atom::signup_v,
            credentials{email, "dev", req.client_ip,
                        deadline::in(ctx.request_timeout)});
        });
  r.add(http::verb::get, "/api/v1/auth/me",
        [ctx](api_request& req, responder reply) {
          with_user(ctx, req, std::move(reply),
                    [](user_identity user, responder reply) {
                      reply(json_response(status::ok, identity_json(user)));
                    });
        });
}

} // namespace st
