// Strava (strava-endpoints.md §4): handlers only translate the wire format;
// the user's actor links, syncs and calls Strava through the gateway.
#include "protocols/http/strava_json.hpp"
#include "protocols/http/user_json.hpp"
#include "protocols/sql/statements.hpp"
#include "protocols/strava.hpp"
#include "protocols/tokens.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/route_support.hpp"

namespace st {

namespace {

using http::status;

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// A Bearer route that exists only with a Strava app configured.
void strava_route(router& r, http::verb method, const char* path,
                  const api_context& ctx, user_handler handle) {
  user_route(r, method, path, ctx,
             [handle](const api_context& ctx, const api_request& req,
                      int32_t user, responder reply) {
               if (!ctx.strava_routes->configured)
                 return reply(
                   unavailable("Strava is not configured on this server "
                               "(STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET)."));
               handle(ctx, req, user, std::move(reply));
             });
}

/// GET strava/callback: the browser's redirect from Strava's consent
/// page (no Bearer token: the signed state names the user).
void callback(const api_context& ctx, api_request& req, responder reply) {
  auto& cfg = *ctx.strava_routes;
  if (!cfg.configured)
    return reply(unavailable("Strava is not configured on this server "
                             "(STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET)."));
  auto q = parse_query(req.query);
  auto get = [&](const char* name) -> std::optional<std::string> {
    auto i = q.find(name);
    if (i == q.end())
      return std::nullopt;
    return i->second;
  };
  if (auto error = get("error"))
    return reply(detail_response(status::bad_request,
                                 "Strava authorization failed: " + *error));
  auto code = get("code");
  if (!code || code->empty())
    return reply(
      detail_response(status::bad_request, "Missing code parameter."));
  auto state_text = get("state");
  if (!state_text || state_text->empty())
    return reply(
      detail_response(status::bad_request, "Missing state parameter."));
  auto state = strava::verify_state(cfg.state_key, *state_text, unix_now());
  if (auto* fault = std::get_if<strava::state_fault>(&state))
    return reply(detail_response(status::bad_request,
                                 *fault == strava::state_fault::expired
                                   ? "State expired; connect Strava again."
                                   : "Invalid state."));
  auto& s = std::get<strava::oauth_state>(state);
  strava_code x{*code, get("scope").value_or(""), s.nonce};
  ask_user_within<strava_ticket>(
    ctx, ctx.upstream_request_timeout, s.user_id,
    [reply](caf::expected<strava_ticket> t) {
      if (t)
        return reply(content_response("text/html; charset=utf-8",
                                      strava_connected_html(*t)));
      if (t.error() == user_ec::account_gone)
        return reply(detail_response(status::bad_request, "User not found."));
      reply(error_response(t.error()));
    },
    atom::link_v, std::move(x));
}

/// Whether the request came on the callback path with the secret (a
/// wrong one is answered as an unknown path).
bool on_secret_path(const strava_route_settings& cfg, const api_request& req) {
  auto i = req.path_params.find("secret");
  return i != req.path_params.end() && !cfg.webhook_callback_secret.empty() &&
         same_secret(i->second, cfg.webhook_callback_secret);
}

/// GET strava/webhook[/{secret}]: Strava's subscription handshake.
void handshake(const api_context& ctx, api_request& req, responder reply) {
  auto& cfg = *ctx.strava_routes;
  if (cfg.webhook_verify_token.empty())
    return reply(unavailable("Strava webhooks are not configured on this "
                             "server (STRAVA_WEBHOOK_VERIFY_TOKEN)."));
  if (req.path_params.count("secret") != 0 && !on_secret_path(cfg, req))
    return reply(detail_response(status::not_found, "Not Found"));
  auto q = parse_query(req.query);
  auto mode = q.find("hub.mode");
  auto challenge = q.find("hub.challenge");
  auto token = q.find("hub.verify_token");
  if (mode == q.end() || mode->second != "subscribe" || challenge == q.end())
    return reply(detail_response(status::bad_request,
                                 "Expected hub.mode=subscribe and "
                                 "hub.challenge."));
  if (token == q.end() || !same_secret(token->second, cfg.webhook_verify_token))
    return reply(detail_response(status::forbidden, "Invalid verify token."));
  reply(json_response(status::ok, strava_challenge_json(challenge->second)));
}

/// POST strava/webhook/{secret}: an event is stored for every user linked
/// to its athlete (one round trip; a redelivery is the same row) and their
/// actor is woken; the answer does not wait for the work (Strava allows
/// 2 s). Strava signs nothing, so an event is only a hint: the actor asks
/// Strava before anything is deleted or unlinked. Events come only on the
/// path with the secret, and at most so many a minute from one address.
void event(const api_context& ctx, api_request& req, responder reply) {
  auto& cfg = *ctx.strava_routes;
  if (cfg.webhook_verify_token.empty() || cfg.webhook_callback_secret.empty())
    return reply(unavailable("Strava webhook events are not configured on "
                             "this server (STRAVA_WEBHOOK_VERIFY_TOKEN, "
                             "STRAVA_WEBHOOK_CALLBACK_SECRET)."));
  if (req.path_params.count("secret") == 0)
    return reply(detail_response(
      status::forbidden, "Strava webhook events are accepted only on the "
                         "callback path with its secret "
                         "(/api/v1/strava/webhook/<secret>)."));
  if (!on_secret_path(cfg, req))
    return reply(detail_response(status::not_found, "Not Found"));
  if (auto wait = cfg.webhook_intake->admit(req.client_ip,
                                            std::chrono::system_clock::now())) {
    auto r = detail_response(status::too_many_requests,
                             "Too many webhook events from this address; "
                             "try again later.");
    r.headers.emplace_back("Retry-After", std::to_string(*wait));
    return reply(std::move(r));
  }
  std::string why;
  auto e = strava::parse_webhook_event(req.body, why);
  if (!e)
    return reply(detail_response(status::bad_request, why));
  if (cfg.webhook_subscription_id != 0 &&
      e->subscription_id != cfg.webhook_subscription_id)
    return reply(
      detail_response(status::forbidden, "Unknown subscription_id."));
  auto until = deadline::in(std::chrono::milliseconds(1500));
  ask_until<bool>(
    *ctx.bridges, until, ctx.users,
    [reply](caf::expected<bool> r) {
      if (!r)
        return reply(error_response(r.error()));
      reply(json_response(status::ok, R"({"status":"ok"})"));
    },
    until, atom::webhook_v, std::move(*e));
}

} // namespace

void add_strava_routes(router& r, const api_context& ctx) {
  strava_route(r, http::verb::get, "/api/v1/strava/status", ctx,
               [](const api_context& ctx, const api_request&, int32_t user,
                  responder reply) {
                 ask_user<strava_status>(
                   ctx, user, answer<strava_status>(reply, strava_status_json),
                   atom::get_v, atom::strava_v);
               });
  // The reference's detail when the client id or the redirect URI is
  // missing (strava-endpoints.md §4.2).
  user_route(r, http::verb::get, "/api/v1/strava/authorize-url", ctx,
             [](const api_context& ctx, const api_request&, int32_t user,
                responder reply) {
               auto& cfg = *ctx.strava_routes;
               if (!cfg.configured || cfg.redirect_uri.empty())
                 return reply(unavailable("Strava app not configured."));
               ask_user<std::string>(
                 ctx, user,
                 answer<std::string>(reply,
                                     [&cfg](const std::string& state) {
                                       return R"({"url":)" +
                                              json_string(strava::authorize_url(
                                                cfg.oauth_base_url,
                                                cfg.client_id, cfg.redirect_uri,
                                                state)) +
                                              "}";
                                     }),
                 atom::authorize_v);
             });
  r.add(http::verb::get, "/api/v1/strava/callback",
        [ctx](api_request& req, responder reply) {
          callback(ctx, req, std::move(reply));
        });
  strava_route(r, http::verb::post, "/api/v1/strava/sync", ctx,
               [](const api_context& ctx, const api_request&, int32_t user,
                  responder reply) {
                 ask_user<strava_ticket>(
                   ctx, user, answer<strava_ticket>(reply, strava_ticket_json),
                   atom::sync_v, atom::strava_v);
               });
  strava_route(r, http::verb::post, "/api/v1/strava/unlink", ctx,
               [](const api_context& ctx, const api_request&, int32_t user,
                  responder reply) {
                 ask_user<bool>(ctx, user,
                                answer<bool>(reply,
                                             [](bool) {
                                               return std::string{
                                                 R"({"status":"unlinked"})"};
                                             }),
                                atom::unlink_v, atom::strava_v);
               });
  strava_route(
    r, http::verb::get, "/api/v1/strava/activities", ctx,
    [](const api_context& ctx, const api_request& req, int32_t user,
       responder reply) {
      std::vector<validation_error> errors;
      auto q = date_window(req, 14, errors);
      if (!q)
        return reply(unprocessable(errors));
      ask_user<std::vector<strava_activity>>(
        ctx, user,
        answer<std::vector<strava_activity>>(reply, strava_activities_json),
        atom::get_v, atom::strava_v, *q);
    });
  strava_route(r, http::verb::get, "/api/v1/strava/fitness", ctx,
               [](const api_context& ctx, const api_request&, int32_t user,
                  responder reply) {
                 ask_user<fitness>(
                   ctx, user, answer<fitness>(reply, fitness_json), atom::get_v,
                   atom::strava_v, atom::fitness_v);
               });
  strava_route(r, http::verb::post, "/api/v1/athlete-profile/refresh-strava",
               ctx,
               [](const api_context& ctx, const api_request&, int32_t user,
                  responder reply) {
                 ask_user_within<athlete_profile>(
                   ctx, ctx.upstream_request_timeout, user,
                   answer<athlete_profile>(reply, profile_json),
                   atom::refresh_v, atom::strava_v);
               });
  r.add(http::verb::get, "/api/v1/strava/webhook",
        [ctx](api_request& req, responder reply) {
          handshake(ctx, req, std::move(reply));
        });
  r.add(http::verb::get, "/api/v1/strava/webhook/{secret}",
        [ctx](api_request& req, responder reply) {
          handshake(ctx, req, std::move(reply));
        });
  for (auto path :
       {"/api/v1/strava/webhook", "/api/v1/strava/webhook/{secret}"})
    r.add(http::verb::post, path, [ctx](api_request& req, responder reply) {
      event(ctx, req, std::move(reply));
    });
}

} // namespace st
