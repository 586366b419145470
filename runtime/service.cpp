#include "runtime/service.hpp"

#include "actors/auth.hpp"
#include "actors/db_pool.hpp"
#include "actors/gemini_broker.hpp"
#include "actors/image_store.hpp"
#include "actors/password_hasher.hpp"
#include "actors/reminder_scheduler.hpp"
#include "actors/strava_gateway.hpp"
#include "actors/upload_pool.hpp"
#include "actors/upstream_client.hpp"
#include "actors/user_registry.hpp"
#include "config/defaults.hpp"
#include "protocols/sql/arrays.hpp"
#include "protocols/tokens.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/core_watch.hpp"
#include "runtime/curl_multi.hpp"
#include "runtime/fatal_signals.hpp"
#include "runtime/http_server.hpp"
#include "runtime/migrator.hpp"
#include "runtime/openapi.hpp"

#include <caf/all.hpp>
#include <caf/thread_hook.hpp>

#include <algorithm>
#include <csignal>
#include <malloc.h>
#include <pthread.h>
#include <thread>
#include <unistd.h>

#include "domain/time_zone.hpp"
#include "util/log.hpp"

namespace st {

namespace {

/// A clock `scale` times faster than the system's from `origin` (Unix s;
/// 0 = now), for tests and benchmarks.
scaled_clock clock_of(double scale, int64_t origin) {
  scaled_clock result;
  result.scale = scale;
  result.origin_ms = origin > 0
                       ? origin * 1000
                       : std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  return result;
}

/// This process among others on one database: host, pid, start time.
std::string process_name() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  auto started = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  return std::string{host} + ":" + std::to_string(getpid()) + ":" +
         std::to_string(started);
}

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

/// Sent to the main thread by the core watcher: a core actor stopped.
constexpr int core_down_signal = SIGUSR1;

/// Blocks SIGINT/SIGTERM (and the watcher's signal) in every thread
/// started from now on, so that only `wait_for_signal` sees them.
sigset_t block_shutdown_signals() {
  sigset_t result;
  sigemptyset(&result);
  sigaddset(&result, SIGINT);
  sigaddset(&result, SIGTERM);
  sigaddset(&result, core_down_signal);
  pthread_sigmask(SIG_BLOCK, &result, nullptr);
  return result;
}

int wait_for_signal(const sigset_t& signals) {
  int result = 0;
  sigwait(&signals, &result);
  return result;
}

/// Gives every CAF worker a signal stack, so a fatal signal on one is
/// logged too.
class signal_stack_hook : public caf::thread_hook {
public:
  void init(caf::actor_system&) override {}
  void thread_started() override {
    give_thread_signal_stack();
  }
  void thread_terminates() override {}
};

/// The key access tokens are signed with: SECRET_KEY, or — when it is the
/// public built-in one — a random key that lives as long as the process.
std::string signing_key(const settings& cfg) {
  if (cfg.secret_key != default_secret_key)
    return cfg.secret_key;
  log_warn("config",
           "SECRET_KEY is not set: access tokens are signed with a random "
           "key made at start and become invalid when the process stops. "
           "Set SECRET_KEY to keep sessions across restarts.");
  return random_hex(32);
}

} // namespace

int run_migrate(const settings& cfg) {
  return migrate_logged(cfg) ? 0 : 1;
}

int run_serve(const settings& cfg) {
  configure_log(cfg.log_output, cfg.log_threshold);
  log_fatal_signals();
  // Blocks of 256 KB and more come from (and go back to) the OS: a large
  // page or upload, once answered, does not stay in the heap. glibc would
  // otherwise raise this threshold after the first such block is freed.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  auto signals = block_shutdown_signals();
  auto main_thread = pthread_self();
  auto started = std::chrono::steady_clock::now();
  log_info("service",
           std::string{"smart-trainer "} + SMART_TRAINER_VERSION + " starting");
  for (auto& line : describe(cfg))
    log_info("config", line);
  if (cfg.migrate_on_start && !migrate_logged(cfg))
    return 1;

  load_time_zones();
  caf::actor_system_config sys_cfg;
  sys_cfg.add_thread_hook<signal_stack_hook>();
  sys_cfg.set("scheduler.max-threads",
              std::max(2u, std::thread::hardware_concurrency()));
  // Idle workers poll briefly, then sleep on their condition variable (an
  // enqueue wakes them): CAF's default of 500 polls 50 µs apart kept idle
  // workers in nanosleep loops that took a third of the process's CPU in
  // a decision storm, CPU PostgreSQL and the upstreams' work needed.
  sys_cfg.set("work-stealing.aggressive-poll-attempts", 50);
  sys_cfg.set("work-stealing.moderate-poll-attempts", 20);
  caf::actor_system sys{sys_cfg};

  db_pool_settings pool_cfg;
  pool_cfg.connection.conninfo = cfg.database_url;
  pool_cfg.connection.statement_timeout =
    std::chrono::milliseconds{cfg.db_statement_timeout_ms};
  pool_cfg.connection.pipeline = cfg.db_pipeline;
  pool_cfg.connection.connect_timeout_s = defaults::db_connect_timeout_s;
  pool_cfg.connection.reconnect_backoff_min =
    defaults::db_reconnect_backoff_min;
  pool_cfg.connection.reconnect_backoff_max =
    defaults::db_reconnect_backoff_max;
  pool_cfg.size = cfg.db_pool_size;
  pool_cfg.queue_limit = cfg.db_queue_limit;
  pool_cfg.bulk_queue_limit = cfg.db_bulk_queue_limit;
  auto db = sys.spawn(db_pool, pool_cfg);
  auto hasher = sys.spawn(password_hasher, defaults::password_hashers,
                          defaults::password_queue_limit,
                          static_cast<int>(cfg.bcrypt_cost));
  auth_settings auth_cfg;
  auth_cfg.jwt = {signing_key(cfg), cfg.jwt_algorithm,
                  cfg.access_token_expire_minutes * 60};
  auth_cfg.refresh_lifetime_s = cfg.refresh_token_expire_days * 86400;
  auth_cfg.identity_cache_ttl = defaults::identity_cache_ttl;
  auth_cfg.identity_cache_max = defaults::identity_cache_max;
  auth_cfg.purge_interval = std::chrono::duration_cast<std::chrono::seconds>(
    defaults::refresh_token_purge_interval);
  auth_cfg.mail = {cfg.resend_api_key, cfg.resend_api_base_url, cfg.mail_from};
  auth_cfg.frontend_base_url = cfg.frontend_base_url;
  auth_cfg.reset_token_minutes = cfg.password_reset_token_expire_minutes;
  upstream_settings upstream_cfg;
  upstream_cfg.connect_timeout = defaults::upstream_connect_timeout;
  upstream_cfg.attempt_timeout =
    std::chrono::seconds(cfg.upstream_timeout_seconds);
  upstream_cfg.max_retries = cfg.upstream_retries;
  upstream_cfg.backoff_base =
    std::chrono::milliseconds(cfg.upstream_backoff_ms);
  upstream_cfg.max_retry_wait = defaults::upstream_max_retry_wait;
  if (cfg.intervals_rate_limit > 0)
    upstream_cfg.host_rates[url_authority(cfg.intervals_icu_base_url)] =
      cfg.intervals_rate_limit;
  // Enough connections per host for every Gemini call allowed in flight:
  // one waiting inside libcurl would spend its attempt's time waiting.
  auto host_connections =
    std::max<long>(defaults::upstream_host_connections,
                   static_cast<long>(cfg.gemini_max_concurrency));
  upstream_cfg.make_transport =
    [host_connections](upstream_transport::completion on_done) {
      return std::make_unique<curl_multi>(std::move(on_done), host_connections,
                                          defaults::upstream_max_body_bytes);
    };
  auto upstream = sys.spawn(upstream_client, upstream_cfg);
  auto auth_service = sys.spawn(auth, db, hasher, upstream, auth_cfg);
  // One call may take every attempt, every wait between them, and a wait
  // for its host's rate slot.
  auto call_timeout =
    (upstream_cfg.attempt_timeout + upstream_cfg.max_retry_wait) *
      (upstream_cfg.max_retries + 1) +
    std::chrono::seconds(30);

  gemini_settings gemini_cfg;
  gemini_cfg.api_key = cfg.google_gemini_api_key;
  gemini_cfg.base_url = cfg.gemini_api_base_url;
  gemini_cfg.model = cfg.gemini_model;
  gemini_cfg.fallback_model = cfg.gemini_fallback_model;
  gemini_cfg.max_concurrency = cfg.gemini_max_concurrency;
  gemini_cfg.requests_per_minute = cfg.gemini_rpm;
  gemini_cfg.tokens_per_minute = cfg.gemini_tpm;
  gemini_cfg.attempt_timeout =
    std::chrono::seconds(cfg.gemini_request_timeout_seconds);
  gemini_cfg.max_attempts = defaults::gemini_max_attempts;
  gemini_cfg.first_backoff = defaults::gemini_first_backoff;
  gemini_cfg.max_queued_interactive = defaults::gemini_max_queued_interactive;
  gemini_cfg.max_queued_batch = defaults::gemini_max_queued_batch;
  gemini_cfg.batch_aging = defaults::gemini_batch_aging;
  gemini_cfg.breaker_threshold = defaults::gemini_breaker_threshold;
  gemini_cfg.breaker_cooldown = defaults::gemini_breaker_cooldown;
  gemini_cfg.breaker_max_cooldown = defaults::gemini_breaker_max_cooldown;
  gemini_cfg.model_recheck = defaults::gemini_model_recheck;
  gemini_cfg.upstream = upstream;
  if (gemini_cfg.api_key.empty())
    log_warn("config", "GOOGLE_GEMINI_API_KEY is not set: the AI endpoints "
                       "answer 503");
  auto gemini = sys.spawn(gemini_broker, gemini_cfg);
  // Every attempt, the waits between them, and some slack.
  auto ai_timeout = gemini_cfg.attempt_timeout * gemini_cfg.max_attempts +
                    gemini_cfg.first_backoff * 4 + defaults::ai_request_slack;

  upload_pool_settings upload_cfg;
  upload_cfg.workers = cfg.image_workers;
  upload_cfg.queue_limit = defaults::upload_queue_limit;
  upload_cfg.max_side = defaults::model_image_max_side;
  upload_cfg.jpeg_quality = defaults::model_image_quality;
  auto uploads = sys.spawn(upload_pool, upload_cfg);

  image_store_settings image_cfg;
  image_cfg.db = db;
  image_cfg.upstream = upstream;
  if (!cfg.s3_endpoint_url.empty())
    image_cfg.s3 = s3_store{cfg.s3_endpoint_url, cfg.s3_access_key,
                            cfg.s3_secret_key, cfg.s3_bucket, cfg.s3_region};
  log_info("config", image_cfg.s3 ? "sleep screenshots are kept in the S3 "
                                    "store at " +
                                      cfg.s3_endpoint_url
                                  : std::string{"sleep screenshots are kept "
                                                "in PostgreSQL (no "
                                                "S3_ENDPOINT_URL)"});
  auto images = sys.spawn(image_store, image_cfg);

  auto intervals_cfg = std::make_shared<intervals_settings>();
  intervals_cfg->base_url = cfg.intervals_icu_base_url;
  if (!cfg.encryption_key.empty())
    intervals_cfg->key = parse_fernet_key(cfg.encryption_key);
  else if (cfg.env == environment::production)
    log_warn("config", "ENCRYPTION_KEY is not set: Intervals.icu links are "
                       "refused (credentials are never stored in clear in "
                       "production)");
  else
    log_warn("config", "ENCRYPTION_KEY is not set: Intervals.icu API keys "
                       "are stored unencrypted (development only)");
  intervals_cfg->refuse_plaintext =
    cfg.encryption_key.empty() && cfg.env == environment::production;
  intervals_cfg->refresh_period =
    std::chrono::seconds(static_cast<int64_t>(cfg.intervals_sync_hours * 3600));
  intervals_cfg->background_call_time =
    std::chrono::duration_cast<std::chrono::seconds>(call_timeout);

  strava_gateway_settings gateway_cfg;
  gateway_cfg.upstream = upstream;
  gateway_cfg.clock = clock_of(cfg.strava_clock_scale, cfg.strava_clock_origin);
  gateway_cfg.margin = defaults::strava_safety_margin;
  gateway_cfg.attempt_timeout =
    std::chrono::seconds(cfg.upstream_timeout_seconds);
  auto strava_gateway_handle = sys.spawn(strava_gateway, gateway_cfg);

  auto strava_cfg = std::make_shared<strava_settings>();
  strava_cfg->client_id = cfg.strava_client_id;
  strava_cfg->client_secret = cfg.strava_client_secret;
  strava_cfg->redirect_uri = cfg.strava_redirect_uri;
  strava_cfg->api_base_url = cfg.strava_api_base_url;
  strava_cfg->oauth_base_url = cfg.strava_oauth_base_url;
  strava_cfg->key = intervals_cfg->key;
  strava_cfg->refuse_plaintext = intervals_cfg->refuse_plaintext;
  // Its own key: a state is no token, and a token is no state.
  strava_cfg->state_key =
    hmac_sha256(auth_cfg.jwt.secret, "strava-oauth-state");
  strava_cfg->claimer = process_name();
  strava_cfg->backfill_days = cfg.strava_backfill_days;
  strava_cfg->cache_days = cfg.strava_cache_days;
  strava_cfg->gateway = strava_gateway_handle;
  strava_cfg->clock = gateway_cfg.clock;
  strava_cfg->job_lease = std::chrono::seconds(cfg.strava_job_lease_seconds);
  // A job waiting for budget renews its claim after each wait.
  strava_cfg->lease_wait = std::min<std::chrono::seconds>(
    std::chrono::seconds(60), strava_cfg->job_lease / 2);
  strava_cfg->job_attempts = defaults::strava_job_attempts;
  strava_cfg->job_backoff = defaults::strava_job_backoff;
  strava_cfg->per_page = defaults::strava_per_page;
  auto strava_routes_cfg = std::make_shared<strava_route_settings>();
  strava_routes_cfg->configured =
    !cfg.strava_client_id.empty() && !cfg.strava_client_secret.empty();
  strava_routes_cfg->client_id = cfg.strava_client_id;
  strava_routes_cfg->redirect_uri = cfg.strava_redirect_uri;
  strava_routes_cfg->oauth_base_url = cfg.strava_oauth_base_url;
  strava_routes_cfg->state_key = strava_cfg->state_key;
  strava_routes_cfg->webhook_verify_token = cfg.strava_webhook_verify_token;
  strava_routes_cfg->webhook_subscription_id =
    cfg.strava_webhook_subscription_id;
  strava_routes_cfg->webhook_callback_secret =
    cfg.strava_webhook_callback_secret;
  strava_routes_cfg->webhook_intake =
    std::make_shared<rate_limiter>(cfg.strava_webhook_events_per_minute);
  if (!cfg.strava_webhook_verify_token.empty() &&
      cfg.strava_webhook_callback_secret.empty())
    log_warn("config", "STRAVA_WEBHOOK_CALLBACK_SECRET is not set: Strava "
                       "webhook events are refused");
  if (!strava_routes_cfg->configured)
    log_warn("config", "STRAVA_CLIENT_ID / STRAVA_CLIENT_SECRET are not set: "
                       "the Strava endpoints answer 503");

  user_settings user_cfg;
  user_cfg.idle_timeout = std::chrono::seconds(cfg.user_idle_seconds);
#ifdef ST_TEST_HOOKS
  user_cfg.fault_injection = cfg.fault_injection;
#endif
  user_cfg.upstream = upstream;
  user_cfg.gemini = gemini;
  user_cfg.uploads = uploads;
  user_cfg.images = images;
  user_cfg.intervals = intervals_cfg;
  user_cfg.strava = strava_cfg;
  auto coach_cfg = std::make_shared<coach_settings>();
  coach_cfg->hours.assign(cfg.orchestrator_cron_hours.begin(),
                          cfg.orchestrator_cron_hours.end());
  std::sort(coach_cfg->hours.begin(), coach_cfg->hours.end());
  coach_cfg->hours.erase(
    std::unique(coach_cfg->hours.begin(), coach_cfg->hours.end()),
    coach_cfg->hours.end());
  coach_cfg->clock =
    clock_of(cfg.decision_clock_scale, cfg.decision_clock_origin);
  coach_cfg->strava_in_ai = cfg.strava_data_in_ai;
  coach_cfg->morning_until_hour = cfg.orchestrator_morning_until_hour;
  coach_cfg->evening_from_hour = cfg.orchestrator_evening_from_hour;
  coach_cfg->weekly_day = cfg.weekly_summary_day;
  coach_cfg->weekly_hour = cfg.weekly_summary_hour;
  user_cfg.coach = coach_cfg;
  user_cfg.tiers.on = cfg.tiers_enabled || !cfg.stripe_secret_key.empty();
  user_cfg.tiers.photo_per_day = cfg.free_daily_photo_limit;
  user_cfg.tiers.chat_per_day = cfg.free_daily_chat_limit;
  user_cfg.caches = std::make_shared<cache_budget>(
    static_cast<size_t>(cfg.user_cache_mb) * 1024 * 1024);
  user_cfg.cache_bytes_per_user = defaults::user_cache_bytes;
  user_cfg.account_ttl = defaults::identity_cache_ttl;
  auto users = sys.spawn(user_registry, db, user_cfg);

  reminder_settings reminder_cfg;
  reminder_cfg.claimer = process_name();
  reminder_cfg.poll = std::chrono::milliseconds{cfg.reminder_poll_ms};
  reminder_cfg.horizon = 2 * reminder_cfg.poll;
  reminder_cfg.lease = std::clamp<std::chrono::milliseconds>(
    10 * reminder_cfg.poll, std::chrono::seconds(2), std::chrono::minutes(5));
  if (intervals_cfg->refresh_period.count() > 0)
    reminder_cfg.backfill.push_back(
      db_statement{stmt::reminders_backfill_refresh,
                   {std::to_string(intervals_cfg->refresh_period.count())}});
  // Every account without one gets its next decision slot (accounts made
  // later get theirs when their actor first runs).
  reminder_cfg.backfill.push_back(db_statement{
    stmt::reminders_backfill_decisions, {sql_int_array(coach_cfg->hours)}});
  auto reminders = sys.spawn(reminder_scheduler, db, users, reminder_cfg);

  // In start order.
  std::vector<named_actor> core_actors{
    {"db_pool", caf::actor_cast<caf::actor>(db)},
    {"password_hasher", caf::actor_cast<caf::actor>(hasher)},
    {"auth", caf::actor_cast<caf::actor>(auth_service)},
    {"upstream", caf::actor_cast<caf::actor>(upstream)},
    {"gemini", caf::actor_cast<caf::actor>(gemini)},
    {"strava_gateway", caf::actor_cast<caf::actor>(strava_gateway_handle)},
    {"uploads", caf::actor_cast<caf::actor>(uploads)},
    {"images", caf::actor_cast<caf::actor>(images)},
    {"user_registry", caf::actor_cast<caf::actor>(users)},
    {"reminders", caf::actor_cast<caf::actor>(reminders)}};
  auto health = std::make_shared<core_health>();
  auto watcher = watch_core(sys, core_actors, health, [main_thread] {
    pthread_kill(main_thread, core_down_signal);
  });

  // Reverse start order, the watcher first so it sees no stop as a fault.
  auto stop_actors = [&] {
    caf::anon_send_exit(watcher, caf::exit_reason::user_shutdown);
    for (auto i = core_actors.rbegin(); i != core_actors.rend(); ++i)
      caf::anon_send_exit(i->second, caf::exit_reason::user_shutdown);
  };

  http_server_settings http_cfg;
  http_cfg.host = cfg.host;
  http_cfg.port = cfg.port;
  http_cfg.threads = cfg.http_threads;
  http_cfg.policies = {cfg.cors_origins, cfg.enable_hsts, cfg.trusted_proxies};
  http_cfg.jwt = auth_cfg.jwt;
  http_cfg.rate_limit = cfg.rate_limit_per_minute;
  http_cfg.max_connections = cfg.max_connections;
  http_cfg.max_connections_per_client = cfg.max_connections_per_client;
  // The longest a route's answer may take, and the bridge's grace after it.
  http_cfg.answer_wait =
    std::chrono::duration_cast<std::chrono::milliseconds>(
      std::max<caf::timespan>(ai_timeout, call_timeout * 2)) +
    defaults::http_idle_timeout;
  auto bridges =
    std::make_shared<request_bridges>(sys, users, cfg.http_threads);
  api_context api;
  api.bridges = bridges;
  api.request_timeout = std::chrono::milliseconds{cfg.request_timeout_ms};
  api.auth = auth_service;
  api.db = db;
  api.users = users;
  api.upstream = upstream;
  api.admin_token = cfg.admin_token;
#ifdef ST_TEST_HOOKS
  api.fault_injection = cfg.fault_injection;
#endif
  api.debug = cfg.debug;
  api.upstream_request_timeout = call_timeout * 2;
  api.health = health;
  api.core_actors = core_actors;
  api.user_caches = user_cfg.caches;
  api.reminders = reminders;
  api.gemini = gemini;
  api.ai_configured = !gemini_cfg.api_key.empty();
  api.ai_request_timeout = ai_timeout;
  api.strava = strava_gateway_handle;
  api.strava_routes = strava_routes_cfg;
  api.http = http_cfg.metrics;
  api.started = started;
  api.openapi_json = std::make_shared<const std::string>(openapi_json());
  http_server http{http_cfg, make_api_routes(api)};
  uint16_t port = 0;
  try {
    port = http.start();
  } catch (const std::exception& e) {
    log_error("http", "cannot listen on " + cfg.host + ":" +
                        std::to_string(cfg.port) + ": " + e.what());
    bridges->stop();
    stop_actors();
    return 1;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::steady_clock::now() - started)
              .count();
  // What start-up built and dropped (the document's YAML tree, the
  // migration scripts) goes back to the OS: an idle process holds only
  // what it keeps.
  malloc_trim(0);
  log_info("service", "listening on http://" + http.bound_address() + ":" +
                        std::to_string(port) + " (started in " +
                        std::to_string(ms) + " ms)");

  auto sig = wait_for_signal(signals);
  if (sig == core_down_signal)
    log_error("service", health->down() +
                           " stopped: finishing in-flight requests, then "
                           "exiting with status 1");
  else
    log_info("service", std::string{"received "} + strsignal(sig) +
                          ", finishing in-flight requests");
  http.stop(std::chrono::duration_cast<std::chrono::milliseconds>(
    defaults::shutdown_grace));
  // Reverse start order: nothing asks the actors any more.
  bridges->stop();
  stop_actors();
  log_info("service", "stopped");
  flush_log();
  return sig == core_down_signal ? 1 : 0;
}

} // namespace st
