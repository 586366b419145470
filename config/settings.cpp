#include "config/settings.hpp"

#include "config/defaults.hpp"
#include "protocols/fernet.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <regex>
#include <sstream>
#include <thread>

#include "util/text.hpp"

extern char** environ;

namespace st {

namespace {

std::vector<std::string> split_list(const std::string& x) {
  std::vector<std::string> result;
  std::stringstream in{x};
  std::string item;
  while (std::getline(in, item, ','))
    if (auto t = trim(item); !t.empty())
      result.push_back(std::move(t));
  return result;
}

/// A bad value: the loader turns it into a settings_error naming the setting.
struct bad_value {
  std::string message;
};

std::string str_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", x);
  return buf;
}

int64_t parse_int(const std::string& x, int64_t lo, int64_t hi) {
  auto t = trim(x);
  if (t.empty())
    throw bad_value{"expected an integer"};
  size_t used = 0;
  int64_t result = 0;
  try {
    result = std::stoll(t, &used);
  } catch (const std::exception&) {
    throw bad_value{"expected an integer, got '" + x + "'"};
  }
  if (used != t.size())
    throw bad_value{"expected an integer, got '" + x + "'"};
  if (result < lo || result > hi)
    throw bad_value{"must be between " + std::to_string(lo) + " and " +
                    std::to_string(hi)};
  return result;
}

double parse_number(const std::string& x, double lo, double hi) {
  auto parsed = parse_finite(trim(x));
  if (!parsed)
    throw bad_value{"expected a number, got '" + x + "'"};
  auto result = *parsed;
  if (result < lo || result > hi)
    throw bad_value{"must be between " + str_number(lo) + " and " +
                    str_number(hi)};
  return result;
}

bool parse_bool(const std::string& x) {
  auto t = to_lower(trim(x));
  if (t == "true" || t == "1" || t == "yes" || t == "on")
    return true;
  if (t == "false" || t == "0" || t == "no" || t == "off")
    return false;
  throw bad_value{"expected true/false, got '" + x + "'"};
}

std::string parse_http_url(const std::string& x) {
  auto t = trim(x);
  if (t.rfind("http://", 0) != 0 && t.rfind("https://", 0) != 0)
    throw bad_value{"expected an http(s) URL, got '" + x + "'"};
  while (!t.empty() && t.back() == '/')
    t.pop_back();
  return t;
}

/// Accepts URL form (also SQLAlchemy's `postgresql+driver://`) and libpq
/// key=value form; returns what libpq takes.
std::string parse_database_url(const std::string& x) {
  static const std::regex driver_tag{R"(^(postgres(?:ql)?)\+[A-Za-z0-9_]+://)"};
  auto result = std::regex_replace(trim(x), driver_tag, "postgresql://");
  if (result.find("://") != std::string::npos &&
      result.rfind("postgresql://", 0) != 0 &&
      result.rfind("postgres://", 0) != 0)
    throw bad_value{"expected a postgresql:// URL or key=value pairs"};
  char* err = nullptr;
  auto* opts = PQconninfoParse(result.c_str(), &err);
  if (opts == nullptr) {
    std::string msg = err != nullptr ? trim(err) : "unparsable";
    PQfreemem(err);
    throw bad_value{msg};
  }
  PQconninfoFree(opts);
  return result;
}

std::vector<int> parse_hours(const std::string& x) {
  std::vector<int> result;
  for (auto& item : split_list(x))
    result.push_back(static_cast<int>(parse_int(item, 0, 23)));
  if (result.empty())
    throw bad_value{"expected a comma-separated list of hours 0-23"};
  return result;
}

/// A secret that stands in a URL path: empty, or at least 32 characters
/// of letters, digits, '-' and '_' (unguessable, nothing to escape).
std::string parse_path_secret(const std::string& x) {
  static const std::regex safe{R"(^[A-Za-z0-9_-]{32,256}$)"};
  if (!x.empty() && !std::regex_match(x, safe))
    throw bad_value{"expected at least 32 letters, digits, '-' or '_' (e.g. "
                    "openssl rand -hex 24)"};
  return x;
}

std::vector<std::string> parse_proxies(const std::string& x) {
  static const std::regex ip_or_cidr{
    R"(^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9A-Fa-f:]+)(/[0-9]{1,3})?$)"};
  auto result = split_list(x);
  for (auto& item : result)
    if (!std::regex_match(item, ip_or_cidr))
      throw bad_value{"'" + item + "' is not an IP address or CIDR block"};
  return result;
}

/// One configurable value: its variable name, default, whether it is a
/// secret (masked in logs) and how to store a raw value.
struct descriptor {
  const char* name;
  std::string fallback;
  bool secret;
  std::function<void(settings&, const std::string&)> apply;
};

std::string str(int64_t x) {
  return std::to_string(x);
}

const std::vector<descriptor>& descriptors() {
  using namespace std::chrono;
  static const std::vector<descriptor> result{
    {"DATABASE_URL",
     "postgresql+asyncpg://user:password@localhost:5432/smart_trainer", true,
     [](settings& s, const std::string& v) {
       s.database_url = parse_database_url(v);
     }},
    {"SECRET_KEY", default_secret_key, true,
     [](settings& s, const std::string& v) {
       if (v.empty())
         throw bad_value{"must not be empty"};
       s.secret_key = v;
     }},
    {"JWT_ALGORITHM", "HS256", false,
     [](settings& s, const std::string& v) {
       auto t = to_upper(trim(v));
       if (t != "HS256" && t != "HS384" && t != "HS512")
         throw bad_value{"supported: HS256, HS384, HS512"};
       s.jwt_algorithm = t;
     }},
    {"ACCESS_TOKEN_EXPIRE_MINUTES", "10080", false,
     [](settings& s, const std::string& v) {
       s.access_token_expire_minutes = parse_int(v, 1, 525'600);
     }},
    {"REFRESH_TOKEN_EXPIRE_DAYS", "7", false,
     [](settings& s, const std::string& v) {
       s.refresh_token_expire_days = parse_int(v, 1, 3650);
     }},
    {"CORS_ORIGINS",
     "http://localhost:8081,http://localhost:19006,http://localhost:19000",
     false,
     [](settings& s, const std::string& v) {
       s.cors_origins = split_list(v);
     }},
    {"ENABLE_HSTS", "false", false,
     [](settings& s, const std::string& v) {
       s.enable_hsts = parse_bool(v);
     }},
    {"DEBUG", "false", false,
     [](settings& s, const std::string& v) {
       s.debug = parse_bool(v);
     }},
    {"ENCRYPTION_KEY", "", true,
     [](settings& s, const std::string& v) {
       // Refused at start, not on first use as in the reference.
       if (!trim(v).empty() && !parse_fernet_key(trim(v)))
         throw bad_value{"expected a Fernet key (URL-safe base64 of 32 bytes)"};
       s.encryption_key = trim(v);
     }},
    {"GOOGLE_GEMINI_API_KEY", "", true,
     [](settings& s, const std::string& v) {
       s.google_gemini_api_key = trim(v);
     }},
    {"GEMINI_MODEL", defaults::gemini_model, false,
     [](settings& s, const std::string& v) {
       if (trim(v).empty())
         throw bad_value{"must not be empty"};
       s.gemini_model = trim(v);
     }},
    {"GEMINI_REQUEST_TIMEOUT_SECONDS", "90", false,
     [](settings& s, const std::string& v) {
       // 0 means the default, as in the reference.
       auto secs = parse_int(v, 0, 3600);
       s.gemini_request_timeout_seconds = secs == 0 ? 90 : secs;
     }},
    {"GEMINI_FALLBACK_MODEL", defaults::gemini_fallback_model, false,
     [](settings& s, const std::string& v) {
       s.gemini_fallback_model = trim(v);
     }},
    {"GEMINI_MAX_CONCURRENCY", str(defaults::gemini_max_concurrency), false,
     [](settings& s, const std::string& v) {
       s.gemini_max_concurrency = static_cast<size_t>(parse_int(v, 1, 1000));
     }},
    {"GEMINI_RPM", "0", false,
     [](settings& s, const std::string& v) {
       s.gemini_rpm = static_cast<uint64_t>(parse_int(v, 0, 1'000'000));
     }},
    {"GEMINI_TPM", "0", false,
     [](settings& s, const std::string& v) {
       s.gemini_tpm = static_cast<uint64_t>(parse_int(v, 0, 1'000'000'000'000));
     }},
    {"IMAGE_WORKERS", "0", false,
     [](settings& s, const std::string& v) {
       // 0 = one per core.
       auto n = parse_int(v, 0, 256);
       s.image_workers = n > 0
                           ? static_cast<size_t>(n)
                           : std::max(1u, std::thread::hardware_concurrency());
     }},
    {"INTERVALS_ICU_BASE_URL", "https://intervals.icu/api/v1", false,
     [](settings& s, const std::string& v) {
       s.intervals_icu_base_url = parse_http_url(v);
     }},
    {"STRAVA_CLIENT_ID", "", false,
     [](settings& s, const std::string& v) {
       s.strava_client_id = trim(v);
     }},
    {"STRAVA_CLIENT_SECRET", "", true,
     [](settings& s, const std::string& v) {
       s.strava_client_secret = trim(v);
     }},
    {"STRAVA_REDIRECT_URI", "", false,
     [](settings& s, const std::string& v) {
       s.strava_redirect_uri = trim(v);
     }},
    {"ORCHESTRATOR_CRON_HOURS", "7,16", false,
     [](settings& s, const std::string& v) {
       s.orchestrator_cron_hours = parse_hours(v);
     }},
    {"ORCHESTRATOR_MORNING_UNTIL_HOUR", "10", false,
     [](settings& s, const std::string& v) {
       s.orchestrator_morning_until_hour = parse_int(v, 0, 23);
     }},
    {"ORCHESTRATOR_EVENING_FROM_HOUR", "18", false,
     [](settings& s, const std::string& v) {
       s.orchestrator_evening_from_hour = parse_int(v, 0, 23);
     }},
    {"WEEKLY_SUMMARY_CRON_DAY_OF_WEEK", "6", false,
     [](settings& s, const std::string& v) {
       s.weekly_summary_day = parse_int(v, 0, 6);
     }},
    {"WEEKLY_SUMMARY_CRON_HOUR", "21", false,
     [](settings& s, const std::string& v) {
       s.weekly_summary_hour = parse_int(v, 0, 23);
     }},
    {"GEMINI_API_BASE_URL", "https://generativelanguage.googleapis.com/v1beta",
     false,
     [](settings& s, const std::string& v) {
       s.gemini_api_base_url = parse_http_url(v);
     }},
    {"STRAVA_API_BASE_URL", "https://www.strava.com/api/v3", false,
     [](settings& s, const std::string& v) {
       s.strava_api_base_url = parse_http_url(v);
     }},
    {"STRAVA_OAUTH_BASE_URL", "https://www.strava.com/oauth", false,
     [](settings& s, const std::string& v) {
       s.strava_oauth_base_url = parse_http_url(v);
     }},
    {"STRAVA_WEBHOOK_VERIFY_TOKEN", "", true,
     [](settings& s, const std::string& v) {
       s.strava_webhook_verify_token = trim(v);
     }},
    {"STRAVA_WEBHOOK_SUBSCRIPTION_ID", "0", false,
     [](settings& s, const std::string& v) {
       s.strava_webhook_subscription_id =
         parse_int(v, 0, std::numeric_limits<int64_t>::max());
     }},
    {"STRAVA_WEBHOOK_CALLBACK_SECRET", "", true,
     [](settings& s, const std::string& v) {
       s.strava_webhook_callback_secret = parse_path_secret(trim(v));
     }},
    {"STRAVA_WEBHOOK_EVENTS_PER_MINUTE",
     str(defaults::strava_webhook_events_per_minute), false,
     [](settings& s, const std::string& v) {
       s.strava_webhook_events_per_minute =
         static_cast<uint32_t>(parse_int(v, 1, 1000000));
     }},
    {"STRAVA_DATA_IN_AI", "false", false,
     [](settings& s, const std::string& v) {
       s.strava_data_in_ai = parse_bool(v);
     }},
    {"RESEND_API_KEY", "", true,
     [](settings& s, const std::string& v) {
       s.resend_api_key = trim(v);
     }},
    {"RESEND_API_BASE_URL", "https://api.resend.com", false,
     [](settings& s, const std::string& v) {
       s.resend_api_base_url = parse_http_url(v);
     }},
    {"MAIL_FROM", "noreply@yourdomain.com", false,
     [](settings& s, const std::string& v) {
       s.mail_from = trim(v);
       if (s.mail_from.empty())
         throw bad_value{"must not be empty"};
     }},
    {"FRONTEND_BASE_URL", "http://localhost:8081", false,
     [](settings& s, const std::string& v) {
       s.frontend_base_url = parse_http_url(v);
     }},
    {"PASSWORD_RESET_TOKEN_EXPIRE_MINUTES", "60", false,
     [](settings& s, const std::string& v) {
       s.password_reset_token_expire_minutes = parse_int(v, 1, 1440);
     }},
    {"STRIPE_SECRET_KEY", "", false,
     [](settings& s, const std::string& v) {
       s.stripe_secret_key = trim(v);
     }},
    {"TIERS_ENABLED", "false", false,
     [](settings& s, const std::string& v) {
       s.tiers_enabled = parse_bool(v);
     }},
    {"FREE_DAILY_PHOTO_LIMIT", "3", false,
     [](settings& s, const std::string& v) {
       s.free_daily_photo_limit = parse_int(v, 0, 1'000'000);
     }},
    {"FREE_DAILY_CHAT_LIMIT", "10", false,
     [](settings& s, const std::string& v) {
       s.free_daily_chat_limit = parse_int(v, 0, 1'000'000);
     }},
    // Where sleep screenshots are kept: an S3-compatible store when
    // S3_ENDPOINT_URL is set (the reference's names), else PostgreSQL.
    {"S3_ENDPOINT_URL", "", false,
     [](settings& s, const std::string& v) {
       s.s3_endpoint_url = trim(v).empty() ? std::string{} : parse_http_url(v);
     }},
    {"S3_ACCESS_KEY", "", true,
     [](settings& s, const std::string& v) {
       s.s3_access_key = trim(v);
     }},
    {"S3_SECRET_KEY", "", true,
     [](settings& s, const std::string& v) {
       s.s3_secret_key = trim(v);
     }},
    {"S3_BUCKET", "tssproai", false,
     [](settings& s, const std::string& v) {
       static const std::regex bucket{R"(^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$)"};
       auto t = trim(v);
       if (!std::regex_match(t, bucket))
         throw bad_value{"expected an S3 bucket name (3-63 of a-z, 0-9, '.', "
                         "'-'), got '" +
                         v + "'"};
       s.s3_bucket = t;
     }},
    {"S3_REGION", "us-east-1", false,
     [](settings& s, const std::string& v) {
       static const std::regex region{R"(^[a-z0-9-]{1,64}$)"};
       auto t = trim(v);
       if (!std::regex_match(t, region))
         throw bad_value{"expected a region name such as us-east-1, got '" + v +
                         "'"};
       s.s3_region = t;
     }},
    {"STRAVA_CACHE_DAYS", "0", false,
     [](settings& s, const std::string& v) {
       s.strava_cache_days = parse_int(v, 0, 36500);
     }},
    {"STRAVA_BACKFILL_DAYS", str(defaults::strava_backfill_days), false,
     [](settings& s, const std::string& v) {
       s.strava_backfill_days = parse_int(v, 1, 36500);
     }},
    {"STRAVA_JOB_LEASE_SECONDS",
     str(std::chrono::duration_cast<std::chrono::seconds>(
           defaults::strava_job_lease)
           .count()),
     false,
     [](settings& s, const std::string& v) {
       s.strava_job_lease_seconds = parse_int(v, 1, 3600);
     }},
    {"STRAVA_CLOCK_SCALE", "1", false,
     [](settings& s, const std::string& v) {
       s.strava_clock_scale = parse_number(v, 1, 100000);
     }},
    {"STRAVA_CLOCK_ORIGIN", "0", false,
     [](settings& s, const std::string& v) {
       s.strava_clock_origin = parse_int(v, 0, 1LL << 40);
     }},
    {"DECISION_CLOCK_SCALE", "1", false,
     [](settings& s, const std::string& v) {
       s.decision_clock_scale = parse_number(v, 1, 100000);
     }},
    {"DECISION_CLOCK_ORIGIN", "0", false,
     [](settings& s, const std::string& v) {
       s.decision_clock_origin = parse_int(v, 0, 1LL << 40);
     }},
    {"ADMIN_TOKEN", "", true,
     [](settings& s, const std::string& v) {
       s.admin_token = trim(v);
     }},
    {"LOG_FORMAT", "text", false,
     [](settings& s, const std::string& v) {
       auto f = parse_log_format(v);
       if (!f)
         throw bad_value{"expected text or json"};
       s.log_output = *f;
     }},
    {"LOG_LEVEL", "info", false,
     [](settings& s, const std::string& v) {
       auto l = parse_log_level(v);
       if (!l)
         throw bad_value{"expected debug, info, warning or error"};
       s.log_threshold = *l;
     }},
    {"ENVIRONMENT", "development", false,
     [](settings& s, const std::string& v) {
       auto t = to_lower(trim(v));
       if (t == "development")
         s.env = environment::development;
       else if (t == "production")
         s.env = environment::production;
       else
         throw bad_value{"expected development or production"};
     }},
    {"HOST", "0.0.0.0", false,
     [](settings& s, const std::string& v) {
       if (trim(v).empty())
         throw bad_value{"must not be empty"};
       s.host = trim(v);
     }},
    {"PORT", str(defaults::http_port), false,
     [](settings& s, const std::string& v) {
       s.port = static_cast<uint16_t>(parse_int(v, 0, 65535));
     }},
    {"HTTP_THREADS", str(defaults::http_threads), false,
     [](settings& s, const std::string& v) {
       s.http_threads = static_cast<size_t>(parse_int(v, 1, 64));
     }},
    {"MAX_CONNECTIONS", str(defaults::max_connections), false,
     [](settings& s, const std::string& v) {
       s.max_connections = static_cast<size_t>(parse_int(v, 1, 1'000'000));
     }},
    {"MAX_CONNECTIONS_PER_CLIENT", str(defaults::max_connections_per_client),
     false,
     [](settings& s, const std::string& v) {
       s.max_connections_per_client =
         static_cast<size_t>(parse_int(v, 1, 1'000'000));
     }},
    {"DB_POOL_SIZE", str(defaults::db_pool_size), false,
     [](settings& s, const std::string& v) {
       s.db_pool_size = static_cast<size_t>(parse_int(v, 1, 64));
     }},
    {"DB_QUEUE_LIMIT", str(defaults::db_queue_limit), false,
     [](settings& s, const std::string& v) {
       s.db_queue_limit = static_cast<size_t>(parse_int(v, 1, 1'000'000));
     }},
    {"DB_BULK_QUEUE_LIMIT", str(defaults::db_bulk_queue_limit), false,
     [](settings& s, const std::string& v) {
       s.db_bulk_queue_limit = static_cast<size_t>(parse_int(v, 1, 1'000'000));
     }},
    {"DB_STATEMENT_TIMEOUT_MS",
     str(duration_cast<milliseconds>(defaults::db_statement_timeout).count()),
     false,
     [](settings& s, const std::string& v) {
       s.db_statement_timeout_ms = parse_int(v, 1, 3'600'000);
     }},
    {"DB_PIPELINE", "true", false,
     [](settings& s, const std::string& v) {
       s.db_pipeline = parse_bool(v);
     }},
    {"MIGRATE_ON_START", "true", false,
     [](settings& s, const std::string& v) {
       s.migrate_on_start = parse_bool(v);
     }},
    {"RATE_LIMIT_PER_MINUTE", str(defaults::rate_limit_per_minute), false,
     [](settings& s, const std::string& v) {
       s.rate_limit_per_minute = static_cast<uint32_t>(
         parse_int(v, 1, std::numeric_limits<uint32_t>::max()));
     }},
    {"TRUSTED_PROXIES", "", false,
     [](settings& s, const std::string& v) {
       s.trusted_proxies = parse_proxies(v);
     }},
    {"BCRYPT_COST", str(defaults::bcrypt_cost), false,
     [](settings& s, const std::string& v) {
       s.bcrypt_cost = parse_int(v, 4, 31);
     }},
    {"USER_CACHE_MB", str(defaults::user_cache_total_mb), false,
     [](settings& s, const std::string& v) {
       s.user_cache_mb = parse_int(v, 0, 1'000'000);
     }},
    {"REQUEST_TIMEOUT_MS", str(defaults::request_timeout_ms), false,
     [](settings& s, const std::string& v) {
       s.request_timeout_ms = parse_int(v, 10, 3'600'000);
     }},
    {"REMINDER_POLL_MS", str(defaults::reminder_poll_ms), false,
     [](settings& s, const std::string& v) {
       s.reminder_poll_ms = parse_int(v, 10, 3'600'000);
     }},
    {"USER_IDLE_SECONDS", str(defaults::user_idle_seconds), false,
     [](settings& s, const std::string& v) {
       s.user_idle_seconds = parse_int(v, 1, 86400 * 7);
     }},
    {"INTERVALS_SYNC_HOURS", str_number(defaults::intervals_sync_hours), false,
     [](settings& s, const std::string& v) {
       s.intervals_sync_hours = parse_number(v, 0, 24 * 7);
     }},
    {"INTERVALS_RATE_LIMIT", str(defaults::intervals_rate_per_second), false,
     [](settings& s, const std::string& v) {
       s.intervals_rate_limit = static_cast<uint32_t>(parse_int(v, 0, 10000));
     }},
    {"UPSTREAM_TIMEOUT_SECONDS",
     str(defaults::upstream_attempt_timeout.count()), false,
     [](settings& s, const std::string& v) {
       s.upstream_timeout_seconds = parse_int(v, 1, 600);
     }},
    {"UPSTREAM_RETRIES", str(defaults::upstream_retries), false,
     [](settings& s, const std::string& v) {
       s.upstream_retries = static_cast<uint32_t>(parse_int(v, 0, 10));
     }},
    {"UPSTREAM_BACKOFF_MS", str(defaults::upstream_backoff.count()), false,
     [](settings& s, const std::string& v) {
       s.upstream_backoff_ms = parse_int(v, 1, 60'000);
     }},
    {"FAULT_INJECTION", "false", false,
     [](settings& s, const std::string& v) {
       s.fault_injection = parse_bool(v);
#ifndef ST_TEST_HOOKS
       if (s.fault_injection)
         throw bad_value{"the test-only hooks are not in this build "
                         "(cmake -DTEST_HOOKS=ON)"};
#endif
     }},
  };
  return result;
}

const descriptor* find_descriptor(const std::string& name) {
  auto key = to_upper(name);
  for (auto& d : descriptors())
    if (key == d.name)
      return &d;
  return nullptr;
}

/// Parses `.env`-style text: `NAME=value`, optional `export `, comments,
/// optional matching quotes around the value.
void read_assignments(const std::string& text,
                      std::map<std::string, std::string>& out) {
  std::stringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    auto t = trim(line);
    if (t.empty() || t[0] == '#')
      continue;
    if (t.rfind("export ", 0) == 0)
      t = trim(t.substr(7));
    auto eq = t.find('=');
    if (eq == std::string::npos)
      continue;
    auto name = to_upper(trim(t.substr(0, eq)));
    auto value = trim(t.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    if (find_descriptor(name) != nullptr)
      out[name] = value;
  }
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

} // namespace

std::variant<settings_sources, settings_error>
collect_sources(std::vector<std::string> flags) {
  settings_sources result;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv{*e};
    auto eq = kv.find('=');
    if (eq != std::string::npos)
      result.environment[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  result.dotenv_text = read_file(".env");
  for (size_t i = 0; i < flags.size(); ++i) {
    std::optional<std::string> path;
    if (flags[i] == "--config" && i + 1 < flags.size()) {
      path = flags[i + 1];
      flags.erase(flags.begin() + static_cast<std::ptrdiff_t>(i),
                  flags.begin() + static_cast<std::ptrdiff_t>(i) + 2);
    } else if (flags[i].rfind("--config=", 0) == 0) {
      path = flags[i].substr(9);
      flags.erase(flags.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      continue;
    }
    result.config_file_text = read_file(*path);
    if (!result.config_file_text)
      return settings_error{"--config", "cannot read file '" + *path + "'"};
    --i;
  }
  result.flags = std::move(flags);
  return result;
}

std::variant<settings, settings_error>
load_settings(const settings_sources& sources) {
  std::map<std::string, std::string> raw;
  for (auto& d : descriptors())
    raw[d.name] = d.fallback;
  if (sources.dotenv_text)
    read_assignments(*sources.dotenv_text, raw);
  if (sources.config_file_text)
    read_assignments(*sources.config_file_text, raw);
  for (auto& [name, value] : sources.environment)
    if (auto* d = find_descriptor(name))
      raw[d->name] = value;
  for (size_t i = 0; i < sources.flags.size(); ++i) {
    auto& flag = sources.flags[i];
    if (flag.rfind("--", 0) != 0)
      return settings_error{flag, "unexpected argument"};
    auto eq = flag.find('=');
    auto name =
      flag.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::replace(name.begin(), name.end(), '-', '_');
    auto* d = find_descriptor(name);
    if (d == nullptr)
      return settings_error{flag, "unknown option"};
    if (eq != std::string::npos)
      raw[d->name] = flag.substr(eq + 1);
    else if (i + 1 < sources.flags.size())
      raw[d->name] = sources.flags[++i];
    else
      return settings_error{d->name, "missing value for " + flag};
  }
  settings result;
  for (auto& d : descriptors()) {
    try {
      d.apply(result, raw[d.name]);
    } catch (const bad_value& e) {
      return settings_error{d.name, e.message};
    }
  }
  if (result.orchestrator_evening_from_hour <=
      result.orchestrator_morning_until_hour)
    return settings_error{
      "ORCHESTRATOR_EVENING_FROM_HOUR",
      "must be after ORCHESTRATOR_MORNING_UNTIL_HOUR (" +
        std::to_string(result.orchestrator_morning_until_hour) + ")"};
  if (result.env == environment::production &&
      result.secret_key == default_secret_key)
    return settings_error{"SECRET_KEY",
                          "the default key is refused in production"};
  return result;
}

std::string mask_conninfo(const std::string& conninfo) {
  static const std::regex url_password{R"(^([a-z]+://[^:/@]*):[^@]*@)"};
  static const std::regex kv_password{R"((password\s*=\s*)('[^']*'|\S+))"};
  auto result = std::regex_replace(conninfo, url_password, "$1:***@");
  return std::regex_replace(result, kv_password, "$1***");
}

std::vector<std::string> describe(const settings& cfg) {
  // Re-render from the effective values, so the log shows what is used.
  auto join = [](const auto& xs) {
    std::string result;
    for (auto& x : xs) {
      if (!result.empty())
        result += ',';
      std::stringstream s;
      s << x;
      result += s.str();
    }
    return result;
  };
  auto secret = [](const std::string& x) {
    return x.empty() ? std::string{"(empty)"} : std::string{"***"};
  };
  auto b = [](bool x) {
    return std::string{x ? "true" : "false"};
  };
  return {
    "DATABASE_URL=" + mask_conninfo(cfg.database_url),
    "SECRET_KEY=" + secret(cfg.secret_key),
    "JWT_ALGORITHM=" + cfg.jwt_algorithm,
    "ACCESS_TOKEN_EXPIRE_MINUTES=" + str(cfg.access_token_expire_minutes),
    "REFRESH_TOKEN_EXPIRE_DAYS=" + str(cfg.refresh_token_expire_days),
    "CORS_ORIGINS=" +
      (cfg.cors_origins.empty() ? std::string{"*"} : join(cfg.cors_origins)),
    "ENABLE_HSTS=" + b(cfg.enable_hsts),
    "DEBUG=" + b(cfg.debug),
    "ENCRYPTION_KEY=" + secret(cfg.encryption_key),
    "GOOGLE_GEMINI_API_KEY=" + secret(cfg.google_gemini_api_key),
    "GEMINI_MODEL=" + cfg.gemini_model,
    "GEMINI_REQUEST_TIMEOUT_SECONDS=" + str(cfg.gemini_request_timeout_seconds),
    "GEMINI_FALLBACK_MODEL=" + cfg.gemini_fallback_model,
    "GEMINI_MAX_CONCURRENCY=" +
      str(static_cast<int64_t>(cfg.gemini_max_concurrency)),
    "GEMINI_RPM=" + str(static_cast<int64_t>(cfg.gemini_rpm)),
    "GEMINI_TPM=" + str(static_cast<int64_t>(cfg.gemini_tpm)),
    "IMAGE_WORKERS=" + str(static_cast<int64_t>(cfg.image_workers)),
    "INTERVALS_ICU_BASE_URL=" + cfg.intervals_icu_base_url,
    "STRAVA_CLIENT_ID=" + cfg.strava_client_id,
    "STRAVA_CLIENT_SECRET=" + secret(cfg.strava_client_secret),
    "STRAVA_REDIRECT_URI=" + cfg.strava_redirect_uri,
    "ORCHESTRATOR_CRON_HOURS=" + join(cfg.orchestrator_cron_hours),
    "ORCHESTRATOR_MORNING_UNTIL_HOUR=" +
      str(cfg.orchestrator_morning_until_hour),
    "ORCHESTRATOR_EVENING_FROM_HOUR=" + str(cfg.orchestrator_evening_from_hour),
    "WEEKLY_SUMMARY_CRON_DAY_OF_WEEK=" + str(cfg.weekly_summary_day),
    "WEEKLY_SUMMARY_CRON_HOUR=" + str(cfg.weekly_summary_hour),
    "GEMINI_API_BASE_URL=" + cfg.gemini_api_base_url,
    "STRAVA_API_BASE_URL=" + cfg.strava_api_base_url,
    "STRAVA_OAUTH_BASE_URL=" + cfg.strava_oauth_base_url,
    "STRAVA_WEBHOOK_VERIFY_TOKEN=" + secret(cfg.strava_webhook_verify_token),
    "STRAVA_WEBHOOK_SUBSCRIPTION_ID=" +
      std::to_string(cfg.strava_webhook_subscription_id),
    "STRAVA_WEBHOOK_CALLBACK_SECRET=" +
      secret(cfg.strava_webhook_callback_secret),
    "STRAVA_WEBHOOK_EVENTS_PER_MINUTE=" +
      std::to_string(cfg.strava_webhook_events_per_minute),
    "STRAVA_DATA_IN_AI=" +
      std::string{cfg.strava_data_in_ai ? "true" : "false"},
    "STRAVA_CACHE_DAYS=" + std::to_string(cfg.strava_cache_days),
    "RESEND_API_KEY=" + secret(cfg.resend_api_key),
    "RESEND_API_BASE_URL=" + cfg.resend_api_base_url,
    "MAIL_FROM=" + cfg.mail_from,
    "FRONTEND_BASE_URL=" + cfg.frontend_base_url,
    "PASSWORD_RESET_TOKEN_EXPIRE_MINUTES=" +
      std::to_string(cfg.password_reset_token_expire_minutes),
    "STRIPE_SECRET_KEY=" + secret(cfg.stripe_secret_key),
    std::string{"TIERS_ENABLED="} + (cfg.tiers_enabled ? "true" : "false"),
    "FREE_DAILY_PHOTO_LIMIT=" + std::to_string(cfg.free_daily_photo_limit),
    "FREE_DAILY_CHAT_LIMIT=" + std::to_string(cfg.free_daily_chat_limit),
    "S3_ENDPOINT_URL=" + cfg.s3_endpoint_url,
    "S3_ACCESS_KEY=" + secret(cfg.s3_access_key),
    "S3_SECRET_KEY=" + secret(cfg.s3_secret_key),
    "S3_BUCKET=" + cfg.s3_bucket,
    "S3_REGION=" + cfg.s3_region,
    "STRAVA_BACKFILL_DAYS=" + std::to_string(cfg.strava_backfill_days),
    "ADMIN_TOKEN=" + secret(cfg.admin_token),
    std::string{"LOG_FORMAT="} +
      (cfg.log_output == log_format::json ? "json" : "text"),
    "LOG_LEVEL=" + to_lower(log_level_name(cfg.log_threshold)),
    std::string{"ENVIRONMENT="} +
      (cfg.env == environment::production ? "production" : "development"),
    "HOST=" + cfg.host,
    "PORT=" + str(cfg.port),
    "HTTP_THREADS=" + str(static_cast<int64_t>(cfg.http_threads)),
    "MAX_CONNECTIONS=" + str(static_cast<int64_t>(cfg.max_connections)),
    "MAX_CONNECTIONS_PER_CLIENT=" +
      str(static_cast<int64_t>(cfg.max_connections_per_client)),
    "DB_POOL_SIZE=" + str(static_cast<int64_t>(cfg.db_pool_size)),
    "DB_QUEUE_LIMIT=" + str(static_cast<int64_t>(cfg.db_queue_limit)),
    "DB_BULK_QUEUE_LIMIT=" + str(static_cast<int64_t>(cfg.db_bulk_queue_limit)),
    "DB_STATEMENT_TIMEOUT_MS=" + str(cfg.db_statement_timeout_ms),
    "DB_PIPELINE=" + b(cfg.db_pipeline),
    "MIGRATE_ON_START=" + b(cfg.migrate_on_start),
    "RATE_LIMIT_PER_MINUTE=" + str(cfg.rate_limit_per_minute),
    "TRUSTED_PROXIES=" + join(cfg.trusted_proxies),
    "BCRYPT_COST=" + str(cfg.bcrypt_cost),
    "REQUEST_TIMEOUT_MS=" + str(cfg.request_timeout_ms),
    "REMINDER_POLL_MS=" + str(cfg.reminder_poll_ms),
    "USER_IDLE_SECONDS=" + str(cfg.user_idle_seconds),
    "USER_CACHE_MB=" + str(cfg.user_cache_mb),
    "INTERVALS_SYNC_HOURS=" + str_number(cfg.intervals_sync_hours),
    "INTERVALS_RATE_LIMIT=" + str(cfg.intervals_rate_limit),
    "UPSTREAM_TIMEOUT_SECONDS=" + str(cfg.upstream_timeout_seconds),
    "UPSTREAM_RETRIES=" + str(cfg.upstream_retries),
    "UPSTREAM_BACKOFF_MS=" + str(cfg.upstream_backoff_ms),
    "FAULT_INJECTION=" + b(cfg.fault_injection),
  };
}

} // namespace st
