#pragma once

#include "protocols/actors.hpp"
#include "runtime/router.hpp"

#include <caf/actor_system.hpp>

namespace st {

/// The actors and settings the routes talk to.
struct api_context {
  caf::actor_system* sys = nullptr;
  auth_actor auth;
  db_actor db;
  std::string admin_token; ///< empty: the admin routes do not exist
};

/// Every route of the service, wired to its actors.
[[nodiscard]] router make_api_routes(const api_context& ctx);

/// The one place where errors become HTTP statuses and bodies.
[[nodiscard]] api_response error_response(const caf::error& err);

} // namespace st
