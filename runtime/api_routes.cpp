#include "runtime/api_routes.hpp"

#include "protocols/errors.hpp"
#include "runtime/ask.hpp"
#include "runtime/route_support.hpp"

#include <caf/send.hpp>

#include <mutex>

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

#ifdef ST_TEST_HOOKS
/// Test-only (FAULT_INJECTION): `POST /api/v1/test/kill-core` with
/// `{"actor": "<name>"}` kills that core actor, to prove supervision.
void add_fault_routes(router& r, const api_context& ctx) {
  if (!ctx.fault_injection)
    return;
  r.add(http::verb::post, "/api/v1/test/kill-core",
        [ctx](api_request& req, responder reply) {
          json_document doc;
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
#endif

} // namespace

router make_api_routes(const api_context& ctx) {
  router result;
  add_probe_routes(result, ctx);
  add_auth_routes(result, ctx);
  add_user_routes(result, ctx);
  add_intervals_routes(result, ctx);
  add_photo_routes(result, ctx);
  add_strava_routes(result, ctx);
  add_coach_routes(result, ctx);
  add_analytics_routes(result, ctx);
  add_admin_routes(result, ctx);
#ifdef ST_TEST_HOOKS
  add_fault_routes(result, ctx);
#endif
  return result;
}

} // namespace st
