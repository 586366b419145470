#pragma once

#include "runtime/error_mapping.hpp"
#include "runtime/route_context.hpp"
#include "runtime/router.hpp"

namespace st {

/// Every route of the service, wired to its actors.
[[nodiscard]] router make_api_routes(const api_context& ctx);

/// Sign-up, log-in, tokens and the caller's identity
/// (runtime/auth_routes.cpp).
void add_auth_routes(router& r, const api_context& ctx);

/// The athlete-data routes (runtime/user_routes.cpp).
void add_user_routes(router& r, const api_context& ctx);

/// The photo AI routes (runtime/photo_routes.cpp).
void add_photo_routes(router& r, const api_context& ctx);

/// The Intervals.icu routes (runtime/intervals_routes.cpp).
void add_intervals_routes(router& r, const api_context& ctx);

/// The Strava routes (runtime/strava_routes.cpp).
void add_strava_routes(router& r, const api_context& ctx);

/// The coach's routes: chat and daily decisions (runtime/coach_routes.cpp).
void add_coach_routes(router& r, const api_context& ctx);

/// The analytics tab's routes (runtime/analytics_routes.cpp).
void add_analytics_routes(router& r, const api_context& ctx);

/// The operator's routes: actor stats, metrics, the admin page and the
/// OpenAPI document (runtime/admin_routes.cpp).
void add_admin_routes(router& r, const api_context& ctx);

} // namespace st
