#include "config/settings.hpp"

#include <catch2/catch.hpp>

using namespace st;

namespace {

settings load_ok(const settings_sources& src) {
  auto result = load_settings(src);
  if (auto* err = std::get_if<settings_error>(&result))
    FAIL(err->name + ": " + err->message);
  return std::get<settings>(result);
}

settings_error load_err(const settings_sources& src) {
  auto result = load_settings(src);
  REQUIRE(std::holds_alternative<settings_error>(result));
  return std::get<settings_error>(result);
}

} // namespace

TEST_CASE("defaults are the reference's") {
  auto cfg = load_ok({});
  CHECK(cfg.secret_key == "change-me-in-production");
  CHECK(cfg.jwt_algorithm == "HS256");
  CHECK(cfg.access_token_expire_minutes == 10080);
  CHECK(cfg.refresh_token_expire_days == 7);
  CHECK(cfg.cors_origins == std::vector<std::string>{"http://localhost:8081",
                                                     "http://localhost:19006",
                                                     "http://localhost:19000"});
  CHECK(cfg.orchestrator_cron_hours == std::vector<int>{7, 16});
  CHECK(cfg.port == 8000);
  CHECK(cfg.db_pool_size == 4);
  CHECK(cfg.gemini_api_base_url ==
        "https://generativelanguage.googleapis.com/v1beta");
  CHECK(cfg.strava_api_base_url == "https://www.strava.com/api/v3");
  CHECK(cfg.strava_oauth_base_url == "https://www.strava.com/oauth");
  CHECK(cfg.database_url ==
        "postgresql://user:password@localhost:5432/smart_trainer");
}

TEST_CASE("precedence: flag > environment > config file > .env > default") {
  settings_sources src;
  src.dotenv_text = "PORT=1001\nDB_POOL_SIZE=2\nHTTP_THREADS=3\nGEMINI_MODEL=a";
  src.config_file_text = "PORT=1002\nDB_POOL_SIZE=5\nHTTP_THREADS=6";
  src.environment = {{"port", "1003"}, {"DB_POOL_SIZE", "7"}};
  src.flags = {"--port=1004"};
  auto cfg = load_ok(src);
  CHECK(cfg.port == 1004);
  CHECK(cfg.db_pool_size == 7);
  CHECK(cfg.http_threads == 6);
  CHECK(cfg.gemini_model == "a");
  src.flags = {"--db-pool-size", "9"};
  CHECK(load_ok(src).db_pool_size == 9);
}

TEST_CASE(".env syntax: comments, export, quotes, case-insensitive names") {
  settings_sources src;
  src.dotenv_text = "# comment\nexport secret_key=\"s3cret value\"\n"
                    "CORS_ORIGINS=' http://a , ,http://b '\nUNKNOWN=1\n";
  auto cfg = load_ok(src);
  CHECK(cfg.secret_key == "s3cret value");
  CHECK(cfg.cors_origins == std::vector<std::string>{"http://a", "http://b"});
}

TEST_CASE("DATABASE_URL accepts URL, driver-tagged URL and key=value") {
  settings_sources src;
  src.environment = {
    {"DATABASE_URL", "postgresql+asyncpg://u:p@db:5432/st?sslmode=disable"}};
  CHECK(load_ok(src).database_url ==
        "postgresql://u:p@db:5432/st?sslmode=disable");
  src.environment = {{"DATABASE_URL", "host=db port=5433 dbname=st"}};
  CHECK(load_ok(src).database_url == "host=db port=5433 dbname=st");
  src.environment = {{"DATABASE_URL", "mysql://x"}};
  CHECK(load_err(src).name == "DATABASE_URL");
  src.environment = {{"DATABASE_URL", "host=db bogus_key=1"}};
  CHECK(load_err(src).name == "DATABASE_URL");
}

TEST_CASE("invalid values name their setting") {
  auto bad = [](std::string name, std::string value) {
    settings_sources src;
    src.environment = {{name, value}};
    auto err = load_err(src);
    CHECK(err.name == name);
    CHECK_FALSE(err.message.empty());
  };
  bad("PORT", "99999");
  bad("PORT", "80a");
  bad("DB_POOL_SIZE", "0");
  bad("ENABLE_HSTS", "maybe");
  bad("ENVIRONMENT", "staging");
  bad("JWT_ALGORITHM", "RS256");
  bad("ORCHESTRATOR_CRON_HOURS", "7,25");
  bad("INTERVALS_ICU_BASE_URL", "ftp://x");
  bad("TRUSTED_PROXIES", "10.0.0.1,not-an-ip");
  bad("ENCRYPTION_KEY", "not-a-fernet-key");
  // A webhook path secret must be unguessable and need no escaping.
  bad("STRAVA_WEBHOOK_CALLBACK_SECRET", "short-secret");
  bad("STRAVA_WEBHOOK_CALLBACK_SECRET", std::string(40, 'a') + "/x");
  bad("STRAVA_WEBHOOK_EVENTS_PER_MINUTE", "0");
  settings_sources src;
  src.flags = {"--no-such-thing=1"};
  CHECK(load_err(src).message == "unknown option");
}

TEST_CASE("the decision's morning ends before its evening starts") {
  settings_sources src;
  CHECK(load_ok(src).orchestrator_morning_until_hour == 10);
  CHECK(load_ok(src).orchestrator_evening_from_hour == 18);
  src.environment = {{"ORCHESTRATOR_MORNING_UNTIL_HOUR", "18"}};
  auto err = load_err(src);
  CHECK(err.name == "ORCHESTRATOR_EVENING_FROM_HOUR");
  CHECK(err.message == "must be after ORCHESTRATOR_MORNING_UNTIL_HOUR (18)");
  src.environment["ORCHESTRATOR_EVENING_FROM_HOUR"] = "24";
  CHECK(load_err(src).name == "ORCHESTRATOR_EVENING_FROM_HOUR");
  src.environment["ORCHESTRATOR_EVENING_FROM_HOUR"] = "19";
  CHECK(load_ok(src).orchestrator_evening_from_hour == 19);
}

TEST_CASE("production refuses the default SECRET_KEY") {
  settings_sources src;
  src.environment = {{"ENVIRONMENT", "production"}};
  CHECK(load_err(src).name == "SECRET_KEY");
  src.environment["SECRET_KEY"] = "a-real-secret";
  CHECK(load_ok(src).env == environment::production);
}

TEST_CASE("describe masks secrets and the database password") {
  settings_sources src;
  src.environment = {
    {"SECRET_KEY", "topsecret"},
    {"ADMIN_TOKEN", "admintok"},
    {"STRAVA_WEBHOOK_CALLBACK_SECRET", "whsec-0123456789abcdef0123456789ab"},
    {"DATABASE_URL", "postgresql://bob:hunter2@db/st"}};
  auto lines = describe(load_ok(src));
  std::string all;
  for (auto& l : lines)
    all += l + "\n";
  CHECK(all.find("topsecret") == std::string::npos);
  CHECK(all.find("admintok") == std::string::npos);
  CHECK(all.find("hunter2") == std::string::npos);
  CHECK(all.find("0123456789abcdef") == std::string::npos);
  CHECK(all.find("STRAVA_WEBHOOK_EVENTS_PER_MINUTE=300") != std::string::npos);
  CHECK(all.find("DATABASE_URL=postgresql://bob:***@db/st") !=
        std::string::npos);
  CHECK(all.find("SECRET_KEY=***") != std::string::npos);
  CHECK(all.find("ENCRYPTION_KEY=(empty)") != std::string::npos);
  CHECK(mask_conninfo("host=db password='a b' user=x") ==
        "host=db password=*** user=x");
}

TEST_CASE("Gemini and upload settings: a current model, a fallback, budgets") {
  auto cfg = load_ok({});
  CHECK(cfg.gemini_model == "gemini-flash-latest");
  CHECK(cfg.gemini_fallback_model == "gemini-flash-lite-latest");
  CHECK(cfg.gemini_request_timeout_seconds == 90);
  CHECK(cfg.gemini_max_concurrency == 5);
  CHECK(cfg.gemini_rpm == 0);
  CHECK(cfg.gemini_tpm == 0);
  CHECK(cfg.image_workers >= 1);
  settings_sources src;
  src.environment = {{"GEMINI_REQUEST_TIMEOUT_SECONDS", "0"},
                     {"GEMINI_FALLBACK_MODEL", ""},
                     {"GEMINI_RPM", "15"},
                     {"IMAGE_WORKERS", "3"}};
  auto set = load_ok(src);
  CHECK(set.gemini_request_timeout_seconds == 90); // 0 = the default
  CHECK(set.gemini_fallback_model.empty());
  CHECK(set.gemini_rpm == 15);
  CHECK(set.image_workers == 3);
  settings_sources bad;
  bad.environment = {{"GEMINI_MAX_CONCURRENCY", "0"}};
  CHECK(load_err(bad).name == "GEMINI_MAX_CONCURRENCY");
}
