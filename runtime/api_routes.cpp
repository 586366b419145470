#include "runtime/api_routes.hpp"

#include "protocols/errors.hpp"
#include "protocols/http/auth_json.hpp"
#include "runtime/ask.hpp"
#include "runtime/route_support.hpp"

#include <caf/send.hpp>

#include <mutex>

#include "util/log.hpp"

namespace st {

namespace {

using status = http::status;

/// At most one database probe for `/ready` at a time: callers arriving
/// while one runs wait for its answer, so hammering `/ready` costs the
/// pool one connection's round trip, never a queue of them.
class ready_probe {
public:
  /// Adds `reply` to the waiters; answers whether the caller must start
  /// the probe.
  bool join(responder reply) {
    std::lock_guard<std::mutex> guard{mtx_};
    waiters_.push_back(std::move(reply));
    if (running_)
      return false;
    running_ = true;
    return true;
  }

  /// The waiters of the probe that just ended.
  std::vector<responder> finish() {
    std::lock_guard<std::mutex> guard{mtx_};
    running_ = false;
    return std::move(waiters_);
  }

private:
  std::mutex mtx_;
  bool running_ = false;
  std::vector<responder> waiters_;
};

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

void add_probe_routes(router& r, const api_context& ctx) {
  r.add(http::verb::get, "/health", [](api_request&, responder reply) {
    reply(json_response(status::ok, "{\"status\":\"ok\"}"));
  });
  auto probe = std::make_shared<ready_probe>();
  r.add(http::verb::get, "/ready", [ctx, probe](api_request&, responder reply) {
    if (!ctx.health->up())
      return reply(
        unavailable("Service degraded: " + ctx.health->down() + " stopped"));
    if (!probe->join(std::move(reply)))
      return; // the probe under way answers this caller too
    db_batch ping;
    ping.statements.push_back(db_statement{stmt::ping, {}});
    ask<db_reply>(
      ctx, ctx.db,
      [probe](caf::expected<db_reply> x) {
        auto res = x ? json_response(status::ok, "{\"status\":\"ready\"}")
                     : unavailable("Database unavailable");
        for (auto& waiter : probe->finish())
          waiter(res);
      },
      atom::exec_v, std::move(ping));
  });
}

/// Test-only (FAULT_INJECTION): `POST /api/v1/test/kill-core` with
/// `{"actor": "<name>"}` kills that core actor, to prove supervision.
void add_fault_routes(router& r, const api_context& ctx) {
  if (!ctx.fault_injection)
    return;
  r.add(http::verb::post, "/api/v1/test/kill-core",
        [ctx](api_request& req, responder reply) {
          rapidjson::Document doc;
          std::vector<validation_error> errors;
          auto name = parse_body_object(req.body, doc).empty()
                        ? required_string(doc, "actor", errors)
                        : std::nullopt;
          for (auto& [n, actor] : ctx.core_actors)
            if (name && n == *name) {
              caf::anon_send_exit(actor, caf::exit_reason::kill);
              return reply(json_response(status::accepted, "{}"));
            }
          reply(detail_response(status::not_found, "No such core actor"));
        });
}

} // namespace

api_response error_response(const caf::error& err) {
  auto detail = error_detail(err);
  if (err.category() == caf::atom("auth")) {
    switch (static_cast<auth_ec>(err.code())) {
    case auth_ec::invalid_signup:
      return detail_response(status::bad_request, detail);
    case auth_ec::not_authenticated:
      return detail_response(status::unauthorized, detail);
    case auth_ec::locked_out: {
      auto res = detail_response(status::too_many_requests, detail);
      res.headers.emplace_back("Retry-After",
                               std::to_string(error_retry_after(err)));
      return res;
    }
    case auth_ec::busy:
      return unavailable(detail);
    }
  }
  if (err.category() == caf::atom("user")) {
    switch (static_cast<user_ec>(err.code())) {
    case user_ec::not_found:
    case user_ec::disabled:
      return detail_response(status::not_found, detail);
    case user_ec::account_gone:
      return detail_response(status::unauthorized, detail);
    case user_ec::duplicate:
      return detail_response(status::conflict, detail);
    case user_ec::unreadable_file:
      return detail_response(status::bad_request, detail);
    case user_ec::unsupported_file:
      return detail_response(status::unsupported_media_type, detail);
    }
  }
  if (err.category() == caf::atom("ai")) {
    switch (static_cast<ai_ec>(err.code())) {
    case ai_ec::not_configured:
    case ai_ec::model_unavailable:
      return unavailable(detail);
    case ai_ec::busy:
    case ai_ec::unavailable:
    case ai_ec::quota_exhausted: {
      auto res = detail_response(status::service_unavailable, detail);
      res.headers.emplace_back("Retry-After",
                               std::to_string(error_retry_after(err)));
      return res;
    }
    case ai_ec::failed:
      return detail_response(status::bad_gateway, detail);
    case ai_ec::blocked:
    case ai_ec::unusable:
      return detail_response(status::unprocessable_entity, detail);
    }
  }
  if (err.category() == caf::atom("intervals")) {
    switch (static_cast<intervals_ec>(err.code())) {
    case intervals_ec::not_linked:
    case intervals_ec::link_refused:
      return detail_response(status::bad_request, detail);
    case intervals_ec::unavailable:
      return unavailable(detail);
    case intervals_ec::bad_answer:
      return detail_response(status::bad_gateway, detail);
    case intervals_ec::event_refused:
      return detail_response(status::unprocessable_entity, detail);
    case intervals_ec::overtaken:
      return detail_response(status::conflict, detail);
    }
  }
  if (err.category() == caf::atom("strava")) {
    switch (static_cast<strava_ec>(err.code())) {
    case strava_ec::not_configured:
      return unavailable(detail);
    case strava_ec::rate_limited: {
      auto res = detail_response(status::service_unavailable, detail);
      res.headers.emplace_back("Retry-After",
                               std::to_string(error_retry_after(err)));
      return res;
    }
    case strava_ec::not_linked:
    case strava_ec::refused:
    case strava_ec::revoked:
      return detail_response(status::bad_request, detail);
    case strava_ec::bad_answer:
    case strava_ec::no_lease:
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
  if (err.category() == caf::atom("call")) {
    if (static_cast<call_ec>(err.code()) == call_ec::expired)
      return unavailable("The request took too long, please retry");
    return unavailable("Server busy, please retry shortly");
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
  add_photo_routes(result, ctx);
  add_strava_routes(result, ctx);
  add_coach_routes(result, ctx);
  add_admin_routes(result, ctx);
  add_fault_routes(result, ctx);
  return result;
}

} // namespace st
