#include "runtime/service.hpp"

#include "actors/auth.hpp"
#include "actors/db_pool.hpp"
#include "actors/password_hasher.hpp"
#include "actors/user_registry.hpp"
#include "config/defaults.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/http_server.hpp"
#include "runtime/log.hpp"
#include "runtime/migrator.hpp"

#include <caf/all.hpp>

#include <csignal>
#include <thread>

namespace st {

namespace {

bool migrate_logged(const settings& cfg) {
  try {
    auto report = migrate_database(cfg.database_url);
    if (report.applied.empty())
      log_info("migrate",
               "database is at revision " + report.to + ", nothing to do");
    else
      log_info("migrate", "applied " + std::to_string(report.applied.size()) +
                            " migrations: " +
                            (report.from.empty() ? "empty" : report.from) +
                            " -> " + report.to);
    return true;
  } catch (const std::exception& e) {
    log_error("migrate", e.what());
    return false;
  }
}

/// Blocks SIGINT/SIGTERM in every thread started from now on, so that
/// only `wait_for_signal` sees them.
sigset_t block_shutdown_signals() {
  sigset_t result;
  sigemptyset(&result);
  sigaddset(&result, SIGINT);
  sigaddset(&result, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &result, nullptr);
  return result;
}

int wait_for_signal(const sigset_t& signals) {
  int result = 0;
  sigwait(&signals, &result);
  return result;
}

} // namespace

int run_migrate(const settings& cfg) {
  return migrate_logged(cfg) ? 0 : 1;
}

int run_serve(const settings& cfg) {
  auto signals = block_shutdown_signals();
  auto started = std::chrono::steady_clock::now();
  log_info("service",
           std::string{"smart-trainer "} + SMART_TRAINER_VERSION + " starting");
  for (auto& line : describe(cfg))
    log_info("config", line);
  if (cfg.migrate_on_start && !migrate_logged(cfg))
    return 1;

  caf::actor_system_config sys_cfg;
  sys_cfg.set("scheduler.max-threads",
              std::max(2u, std::thread::hardware_concurrency()));
  caf::actor_system sys{sys_cfg};

  db_pool_settings pool_cfg;
  pool_cfg.connection.conninfo = cfg.database_url;
  pool_cfg.connection.statement_timeout =
    std::chrono::milliseconds{cfg.db_statement_timeout_ms};
  pool_cfg.connection.pipeline = cfg.db_pipeline;
  pool_cfg.size = cfg.db_pool_size;
  pool_cfg.queue_limit = cfg.db_queue_limit;
  auto db = sys.spawn(db_pool, pool_cfg);
  auto hasher = sys.spawn(password_hasher, defaults::password_hashers,
                          defaults::password_queue_limit,
                          static_cast<int>(cfg.bcrypt_cost));
  auth_settings auth_cfg;
  auth_cfg.jwt = {cfg.secret_key, cfg.jwt_algorithm,
                  cfg.access_token_expire_minutes * 60};
  auth_cfg.refresh_lifetime_s = cfg.refresh_token_expire_days * 86400;
  auth_cfg.purge_interval = std::chrono::duration_cast<std::chrono::seconds>(
    defaults::refresh_token_purge_interval);
  auto auth_service = sys.spawn(auth, db, hasher, auth_cfg);
  user_settings user_cfg;
  user_cfg.idle_timeout = std::chrono::seconds(cfg.user_idle_seconds);
  user_cfg.fault_injection = cfg.fault_injection;
  auto users = sys.spawn(user_registry, db, user_cfg);

  auto stop_actors = [&] {
    caf::anon_send_exit(users, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(auth_service, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(hasher, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(db, caf::exit_reason::user_shutdown);
  };

  http_server_settings http_cfg;
  http_cfg.host = cfg.host;
  http_cfg.port = cfg.port;
  http_cfg.threads = cfg.http_threads;
  http_cfg.policies = {cfg.cors_origins, cfg.enable_hsts, cfg.trusted_proxies};
  http_cfg.jwt = auth_cfg.jwt;
  http_cfg.rate_limit = cfg.rate_limit_per_minute;
  api_context api{&sys,  auth_service,    db,
                  users, cfg.admin_token, cfg.fault_injection};
  http_server http{http_cfg, make_api_routes(api)};
  uint16_t port = 0;
  try {
    port = http.start();
  } catch (const std::exception& e) {
    log_error("http", "cannot listen on " + cfg.host + ":" +
                        std::to_string(cfg.port) + ": " + e.what());
    stop_actors();
    return 1;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::steady_clock::now() - started)
              .count();
  log_info("service", "listening on http://" + cfg.host + ":" +
                        std::to_string(port) + " (started in " +
                        std::to_string(ms) + " ms)");

  auto sig = wait_for_signal(signals);
  log_info("service", std::string{"received "} + strsignal(sig) +
                        ", finishing in-flight requests");
  http.stop(std::chrono::duration_cast<std::chrono::milliseconds>(
    defaults::shutdown_grace));
  // Reverse start order: nothing asks the actors any more.
  stop_actors();
  log_info("service", "stopped");
  return 0;
}

} // namespace st
