#pragma once

#include "actors/cache_budget.hpp"
#include "protocols/actors.hpp"
#include "runtime/bridge.hpp"
#include "runtime/core_watch.hpp"
#include "runtime/http_metrics.hpp"
#include "runtime/rate_limiter.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

/// What every route is handed: the actors it talks to and the settings it
/// needs, filled by name in runtime/service.cpp.
namespace st {

/// What the Strava routes need besides the actors.
struct strava_route_settings {
  bool configured = false; ///< STRAVA_CLIENT_ID and _SECRET set
  std::string client_id;
  std::string redirect_uri;
  std::string oauth_base_url;
  std::string state_key; ///< verifies OAuth states
  /// `hub.verify_token` of the subscription; empty = webhooks off.
  std::string webhook_verify_token;
  int64_t webhook_subscription_id = 0; ///< 0 = not checked
  /// The last segment of the callback path events are accepted on;
  /// empty = events refused.
  std::string webhook_callback_secret;
  /// Events per minute and client address.
  std::shared_ptr<rate_limiter> webhook_intake;
};

/// The actors and settings the routes talk to.
struct api_context {
  /// Where the HTTP threads hand their requests to actors.
  std::shared_ptr<request_bridges> bridges;
  /// Deadline of an ordinary request (REQUEST_TIMEOUT_MS).
  caf::timespan request_timeout = std::chrono::seconds(15);
  auth_actor auth;
  db_actor db;
  user_registry_actor users;
  upstream_actor upstream;
  std::string admin_token; ///< empty: the admin routes do not exist
#ifdef ST_TEST_HOOKS
  bool fault_injection = false; ///< the test-only routes exist
#endif
  bool debug = false; ///< DEBUG: `POST /api/v1/users/seed` exists
  /// Deadline of requests that wait for Intervals.icu (its retries and
  /// pacing included).
  caf::timespan upstream_request_timeout = std::chrono::minutes(5);
  /// Whether the core actors live (`/ready`).
  std::shared_ptr<core_health> health = std::make_shared<core_health>();
  /// The core actors by name (the test-only kill switch).
  std::vector<named_actor> core_actors;
  /// What the user actors' cached pages hold together (admin stats).
  std::shared_ptr<const cache_budget> user_caches;
  /// Durable reminders (admin stats).
  reminder_scheduler_actor reminders;
  /// The Gemini broker (admin stats) and whether it has an API key.
  gemini_broker_actor gemini;
  bool ai_configured = false;
  /// Deadline of requests that wait for Gemini (every attempt and wait).
  caf::timespan ai_request_timeout = std::chrono::minutes(5);
  /// The Strava gateway (admin stats) and what the Strava routes need.
  strava_gateway_actor strava;
  std::shared_ptr<const strava_route_settings> strava_routes;
  /// The HTTP front's figures (`/metrics`, admin stats), and the start.
  std::shared_ptr<const http_metrics> http = std::make_shared<http_metrics>();
  std::chrono::steady_clock::time_point started =
    std::chrono::steady_clock::now();
  /// `docs/openapi.yaml` as JSON (`/openapi.json`).
  std::shared_ptr<const std::string> openapi_json =
    std::make_shared<const std::string>("{}");
};

} // namespace st
