#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

/// Every tunable of the service as a named constant with its unit. Settings
/// (config/settings.hpp) start from these; the rest are fixed limits.
namespace st::defaults {

using namespace std::chrono_literals;

// -- HTTP front ---------------------------------------------------------------

/// TCP port of the HTTP front.
constexpr uint16_t http_port = 8000;

/// Asio threads serving HTTP connections.
constexpr size_t http_threads = 2;

/// Largest request header block (bytes); beyond it → 431.
constexpr size_t max_header_bytes = 16 * 1024;

/// Largest JSON request body (bytes); beyond it → 413.
constexpr size_t max_json_body_bytes = 1024 * 1024;
/// A JSON body a model reads whole (analytics/insight's chart data): the
/// reference took any size into the prompt (http-api-head.md §3.10.5).
constexpr size_t max_prompt_body_bytes = 64 * 1024;

/// Largest multipart upload body (bytes): a 10 MiB file plus form framing.
constexpr size_t max_upload_body_bytes = 10 * 1024 * 1024 + 64 * 1024;

/// The read buffer of a connection receiving a body larger than this
/// (bytes); between requests it shrinks back.
constexpr size_t http_body_read_chunk = 256 * 1024;

/// Time a client has to send a whole request once it started one.
constexpr auto http_read_timeout = 30s;

/// A food entry sent again within this is a replay of the first
/// (http-api-head.md §6.24), answered with the stored one.
constexpr auto food_replay_window = 10s;

/// Time a keep-alive connection may sit idle between requests.
constexpr auto http_idle_timeout = 60s;

/// Time a response write may take.
constexpr auto http_write_timeout = 30s;

/// Requests read ahead on one connection while earlier ones are in flight.
constexpr size_t http_pipeline_depth = 16;

/// Connections open at once (also capped by the descriptor limit).
constexpr size_t max_connections = 20'000;

/// Connections open at once from one client address (trusted proxies are
/// exempt): a phone opens a handful, a NAT of many users a few hundred.
constexpr size_t max_connections_per_client = 256;

/// Descriptors kept free of connections for the database, upstream calls
/// and logs.
constexpr size_t reserved_descriptors = 128;

/// Pause of the accept loop when the process is out of descriptors.
constexpr auto accept_backoff = 100ms;

/// Bytes of finished answers waiting on one connection (a client that
/// pipelines and does not read): past the first bound no further request
/// is read, past the second the connection is closed.
constexpr size_t http_max_queued_bytes = 4 * 1024 * 1024;
constexpr size_t http_max_queued_bytes_hard = 16 * 1024 * 1024;

/// After an early answer (413, 400), how long and how much of the rest of
/// the request is read and dropped, so the client sees the answer and not
/// a reset.
constexpr auto http_linger_time = 2s;
constexpr size_t http_linger_bytes = 16 * 1024 * 1024;

/// Grace period for in-flight requests after SIGTERM/SIGINT.
constexpr auto shutdown_grace = 10s;

/// Responses at least this large are gzip-compressed when accepted.
constexpr size_t gzip_min_bytes = 500;

/// Seconds a client is asked to wait after a 503 caused by the database.
constexpr int retry_after_unavailable_s = 2;

// -- Rate limit ---------------------------------------------------------------

/// Requests per client (user or IP) per fixed one-minute window.
constexpr uint32_t rate_limit_per_minute = 200;

// -- Database -----------------------------------------------------------------

/// DB actors, each owning one libpq connection.
constexpr size_t db_pool_size = 4;

/// Batches waiting for a free connection before new ones are refused (503).
constexpr size_t db_queue_limit = 200;

/// Bulk batches (sync writes, ~100 KB of parameters each) waiting behind
/// the interactive ones before new ones are refused (503).
constexpr size_t db_bulk_queue_limit = 1000;

/// Server-side statement timeout.
constexpr auto db_statement_timeout = 5s;

/// libpq connect timeout (whole seconds).
constexpr int db_connect_timeout_s = 2;
/// The migration at start waits longer: a database busy at deploy time
/// should delay the start, not abort it.
constexpr int migrate_connect_timeout_s = 15;

/// First and largest pause between reconnect attempts after a failure.
constexpr auto db_reconnect_backoff_min = 100ms;
constexpr auto db_reconnect_backoff_max = 2s;

/// Advisory lock key that serialises concurrent `migrate` runs.
constexpr int64_t migration_lock_key = 0x5374'5472'6169'6e00; // "StTrain"

// -- Auth ---------------------------------------------------------------------

/// bcrypt cost factor (the reference's library default).
constexpr int bcrypt_cost = 12;

/// Detached threads hashing passwords (bcrypt is CPU-bound).
constexpr size_t password_hashers = 2;

/// Hash jobs waiting for a hasher before new ones are refused (503).
constexpr size_t password_queue_limit = 64;

/// How often expired refresh-token rows are purged.
constexpr auto refresh_token_purge_interval = 1h;

/// How long a looked-up account is trusted without asking the database.
constexpr auto identity_cache_ttl = 30s;

/// Accounts remembered at most; past it the cache starts over.
constexpr size_t identity_cache_max = 200'000;

// -- User actors
// ---------------------------------------------------------------

/// A user actor without work for this long passivates (seconds).
constexpr int64_t user_idle_seconds = 900;

/// Deadline of an ordinary API request (REQUEST_TIMEOUT_MS).
constexpr int64_t request_timeout_ms = 15'000;

/// Reminder claims: every 30 s, a minute ahead (REMINDER_POLL_MS).
constexpr int64_t reminder_poll_ms = 30'000;

/// Bytes of cached pages one user actor may hold, and all of them together
/// (MiB, the USER_CACHE_MB setting).
constexpr size_t user_cache_bytes = 2 * 1024 * 1024;
constexpr int64_t user_cache_total_mb = 256;

// -- Upstream APIs
// --------------------------------------------------------------

/// Connect timeout of every outbound call.
constexpr auto upstream_connect_timeout = 5s;

/// Whole-attempt timeout of an outbound call (the reference's 30 s).
constexpr auto upstream_attempt_timeout = 30s;

/// Tries after the first on 429, 5xx and timeouts.
constexpr uint32_t upstream_retries = 2;

/// Wait before the first retry; doubles with each further one.
constexpr auto upstream_backoff = 500ms;

/// Longest `Retry-After` honoured; beyond it the 429 is the answer.
constexpr auto upstream_max_retry_wait = 30s;

/// Parallel connections per upstream host.
constexpr long upstream_host_connections = 8;

/// Largest upstream answer accepted (bytes).
constexpr size_t upstream_max_body_bytes = 32 * 1024 * 1024;

// -- Gemini (external-apis.md §1, §5) ----------------------------------------

/// The model of every AI call: an alias that follows Google's current Flash
/// model (`gemini-2.0-flash`, the reference's, no longer serves new
/// projects in 2026).
constexpr const char* gemini_model = "gemini-flash-latest";

/// Used when the primary is overloaded (503) or unknown (404).
constexpr const char* gemini_fallback_model = "gemini-flash-lite-latest";

/// Gemini calls in flight at once, across all callers.
constexpr size_t gemini_max_concurrency = 5;

/// Attempts per call (the reference's) and the first wait between them
/// (doubling).
constexpr uint32_t gemini_max_attempts = 3;
constexpr auto gemini_first_backoff = 1s;

/// Calls that may wait per priority before new ones get 503.
constexpr size_t gemini_max_queued_interactive = 64;
constexpr size_t gemini_max_queued_batch = 10000;

/// A batch call that waited this long takes every fourth start.
constexpr auto gemini_batch_aging = 5s;

/// Failed calls in a row that open the breaker; how long it stays open
/// before a probe (doubling while probes fail, up to the maximum).
constexpr uint32_t gemini_breaker_threshold = 5;
constexpr auto gemini_breaker_cooldown = 30s;
constexpr auto gemini_breaker_max_cooldown = 5min;

/// A model that answered 404 or has no quota is asked again after this.
constexpr auto gemini_model_recheck = 10min;

/// Slack on an AI request's deadline beyond its attempts and waits.
constexpr auto ai_request_slack = 10s;

// -- uploads ------------------------------------------------------------------

/// Uploads waiting for a worker before new ones get 503.
constexpr size_t upload_queue_limit = 64;

/// The long side of an image sent to the model, and its JPEG quality.
constexpr uint32_t model_image_max_side = 1536;
constexpr int model_image_quality = 85;

// -- Intervals.icu
// --------------------------------------------------------------

/// Requests per second to Intervals.icu (its documented per-IP limit).
constexpr uint32_t intervals_rate_per_second = 10;

/// Hours between background syncs of a linked user.
constexpr double intervals_sync_hours = 6;

// -- Strava (external-apis.md §2, strava-endpoints.md) ------------------------

/// The first sync's window (the reference's year).
constexpr int64_t strava_backfill_days = 365;

/// Until Strava's first answer says otherwise: 200 / 2,000 overall and
/// 100 / 1,000 reads per 15 minutes / UTC day.
constexpr int64_t strava_limit_15min = 200;
constexpr int64_t strava_limit_day = 2000;
constexpr int64_t strava_read_limit_15min = 100;
constexpr int64_t strava_read_limit_day = 1000;

/// Requests of each window never spent (other processes, clock skew):
/// this share of the limit, at least one.
constexpr double strava_safety_margin = 0.05;

/// An OAuth `state` is accepted this long after it was issued.
constexpr auto strava_state_lifetime = 10min;

/// Webhook events accepted per minute from one client address (Strava
/// sends one per change of a linked athlete; a flood is refused with 429).
constexpr uint32_t strava_webhook_events_per_minute = 300;

/// The access token is refreshed this long before it expires.
constexpr auto strava_refresh_margin = 5min;

/// A sync job's claim: renewed after every page; another process takes
/// the job over once it ran out.
constexpr auto strava_job_lease = 2min;

/// Attempts of a sync job before it ends `failed`; the wait before the
/// first retry (doubling, at most an hour).
constexpr int64_t strava_job_attempts = 6;
constexpr auto strava_job_backoff = 30s;

/// Activities per page (Strava's maximum).
constexpr int64_t strava_per_page = 200;

/// Requests of the app's budget a sync job leases at a time (a few pages;
/// the fair share between athletes is the gateway's).
constexpr int64_t strava_job_pages_per_lease = 4;

/// Lease waits (each half a claim long, the claim renewed after each) a
/// job sits through before it goes back to the queue.
constexpr int64_t strava_job_budget_waits = 10;

/// A job that only waited for the budget is tried again after this (no
/// attempt counted).
constexpr auto strava_job_budget_retry = 10s;

/// The longest wait between a failed job's attempts.
constexpr auto strava_job_backoff_cap = 1h;

/// The sync reminder fires this long after the time it follows (a claim's
/// end, a retry's due time), so that the claim has surely run out.
constexpr auto strava_reminder_slack = 1s;

/// Deadlines of the Strava facet's own work: a write of the job's state
/// or the link's tokens, a page (or a cache purge) stored, an OAuth call,
/// one step of the job through the athlete's actor (lease waits and token
/// refresh included), a pass over the webhook events.
constexpr auto strava_write_time = 30s;
constexpr auto strava_page_write_time = 60s;
constexpr auto strava_oauth_time = 60s;
constexpr auto strava_job_step_time = 5min;
constexpr auto strava_events_pass_time = 60s;

/// Webhook events that could not be applied (Strava unreachable) are
/// looked at again after this.
constexpr auto strava_events_retry = 5min;

/// How often the cache purge runs (STRAVA_CACHE_DAYS > 0).
constexpr auto strava_purge_period = 24h;

/// A Strava call of the athlete's is tried this often when its lease ran
/// out between grant and send (a window boundary) or Strava answered 429.
constexpr int strava_call_tries = 4;

} // namespace st::defaults
