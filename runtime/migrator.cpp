#include "runtime/migrator.hpp"

#include "config/defaults.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace st {

namespace {

using conn_ptr = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;

result_ptr exec(PGconn* c, const std::string& sql) {
  result_ptr result{PQexec(c, sql.c_str()), &PQclear};
  auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error(PQresultErrorMessage(result.get()));
  return result;
}

bool holds(PGconn* c, const std::string& predicate) {
  auto r = exec(c, "SELECT " + predicate);
  return std::string{PQgetvalue(r.get(), 0, 0)} == "t";
}

std::string table_exists(const std::string& table) {
  return "to_regclass('public." + table + "') IS NOT NULL";
}

std::string column_exists(const std::string& table, const std::string& column) {
  return "EXISTS (SELECT 1 FROM information_schema.columns WHERE "
         "table_schema = 'public' AND table_name = '" +
         table + "' AND column_name = '" + column + "')";
}

/// What a database stamped with one of the reference's revisions must hold:
/// that revision's newest object (the markers of http-api-head.md §7.4).
struct reference_marker {
  const char* version;
  std::string predicate;
  const char* names;
};

const std::vector<reference_marker>& reference_markers() {
  static const std::vector<reference_marker> result{
    {"012", table_exists("user_refresh_tokens"), "user_refresh_tokens"},
    {"013", table_exists("user_refresh_tokens"), "user_refresh_tokens"},
    {"014", column_exists("chat_messages", "thread_id"),
     "chat_messages.thread_id"},
    {"015", column_exists("users", "push_token"), "users.push_token"},
    {"016", table_exists("audit_log"), "audit_log"},
    {"017", column_exists("users", "is_premium"), "users.is_premium"},
    {"018", column_exists("food_log", "extended_nutrients"),
     "food_log.extended_nutrients"},
    {"019",
     "NOT (" + table_exists("strava_credentials") + ") AND NOT (" +
       column_exists("athlete_profiles", "strava_ftp") + ")",
     "no strava_credentials, no athlete_profiles.strava_ftp"},
    {"020", column_exists("sleep_extractions", "image_storage_path"),
     "sleep_extractions.image_storage_path"},
    {"021", column_exists("athlete_profiles", "calorie_goal"),
     "athlete_profiles.calorie_goal"},
    {"022",
     table_exists("daily_usage") + " AND " +
       column_exists("users", "stripe_customer_id"),
     "daily_usage, users.stripe_customer_id"},
    {"023", table_exists("retention_reminders_sent"),
     "retention_reminders_sent"},
    {"024", column_exists("users", "locale"), "users.locale"},
    {"025", column_exists("users", "is_superuser"), "users.is_superuser"},
    {"026", column_exists("athlete_profiles", "target_race_date"),
     "athlete_profiles.target_race_date"},
    {"027", table_exists("user_weekly_summaries"), "user_weekly_summaries"},
    {"028", column_exists("wellness_cache", "sleep_source"),
     "wellness_cache.sleep_source"},
    {"029", column_exists("users", "timezone"), "users.timezone"},
    {"030", column_exists("intervals_credentials", "auth_type"),
     "intervals_credentials.auth_type"},
    {"031", table_exists("password_reset_tokens"), "password_reset_tokens"},
    {"032", column_exists("athlete_profiles", "is_athlete"),
     "athlete_profiles.is_athlete"},
  };
  return result;
}

/// The revision ids in chain order up to and including `last`.
std::vector<std::string> chain_through(const std::string& last) {
  std::vector<std::string> result;
  for (auto& m : migrations()) {
    result.emplace_back(m.version);
    if (last == m.version)
      return result;
  }
  throw std::runtime_error("database is at unknown revision '" + last + "'");
}

/// The one stamp alembic_version holds. Two rows are tolerated only as the
/// reference's short-lived double head of 2026-03-04 (026 and 027): that
/// database is at 027.
std::string stamp_of(PGconn* c) {
  auto rows = exec(c, "SELECT version_num FROM alembic_version "
                      "ORDER BY version_num");
  auto n = PQntuples(rows.get());
  if (n == 0)
    return "";
  if (n == 2 && std::string{PQgetvalue(rows.get(), 0, 0)} == "026" &&
      std::string{PQgetvalue(rows.get(), 1, 0)} == "027")
    return "027";
  if (n > 1)
    throw std::runtime_error("alembic_version holds several rows");
  return PQgetvalue(rows.get(), 0, 0);
}

/// The revisions a database at `stamp` already has. Ids are unique within
/// the chain, except where this service once numbered its own revisions
/// 013-017 like the reference's: such a database holds
/// refresh_token_chains (this service's 013), which the reference never
/// made.
std::vector<std::string> revisions_held(PGconn* c, const std::string& stamp) {
  if (stamp.empty())
    return {};
  static const char* const renumbered[] = {"013", "014", "015", "016", "017"};
  if (std::find(std::begin(renumbered), std::end(renumbered), stamp) !=
        std::end(renumbered) &&
      holds(c, table_exists("refresh_token_chains"))) {
    auto result = chain_through("012");
    for (auto* v : renumbered) {
      result.emplace_back(std::string{"cpp-"} + v);
      if (stamp == v)
        return result;
    }
  }
  auto result = chain_through(stamp);
  for (auto& m : reference_markers()) {
    if (stamp != m.version || holds(c, m.predicate))
      continue;
    // The reference's development branch numbered athlete mode 031 for a
    // night: such a database is at 032 without password_reset_tokens.
    if (stamp == "031" &&
        holds(c, column_exists("athlete_profiles", "is_athlete"))) {
      result.back() = "032";
      return result;
    }
    throw std::runtime_error("database says revision '" + stamp +
                             "' but lacks what that revision made (" + m.names +
                             ")");
  }
  return result;
}

void stamp(PGconn* c, const std::string& version) {
  exec(c, "DELETE FROM alembic_version");
  const char* params[] = {version.c_str()};
  result_ptr ins{PQexecParams(c,
                              "INSERT INTO alembic_version (version_num) "
                              "VALUES ($1)",
                              1, nullptr, params, nullptr, nullptr, 0),
                 &PQclear};
  if (PQresultStatus(ins.get()) != PGRES_COMMAND_OK)
    throw std::runtime_error(PQresultErrorMessage(ins.get()));
}

} // namespace

migrate_report migrate_database(const std::string& conninfo) {
  auto timeout = std::to_string(defaults::migrate_connect_timeout_s);
  const char* keys[] = {"dbname", "connect_timeout", "application_name",
                        nullptr};
  const char* values[] = {conninfo.c_str(), timeout.c_str(),
                          "smart-trainer-migrate", nullptr};
  conn_ptr conn{PQconnectdbParams(keys, values, 1), &PQfinish};
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error(PQerrorMessage(conn.get()));
  auto* c = conn.get();
  exec(c, "SET client_min_messages = warning");
  exec(c, "BEGIN");
  try {
    exec(c, "SELECT pg_advisory_xact_lock(" +
              std::to_string(defaults::migration_lock_key) + ")");
    exec(c, "CREATE TABLE IF NOT EXISTS alembic_version ("
            "version_num VARCHAR(32) NOT NULL, "
            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))");
    migrate_report result;
    result.from = stamp_of(c);
    auto held = revisions_held(c, result.from);
    for (auto& m : migrations()) {
      if (std::find(held.begin(), held.end(), m.version) != held.end())
        continue;
      exec(c, m.sql);
      result.applied.emplace_back(m.version);
    }
    result.to = migrations().back().version;
    if (!result.applied.empty() || result.from != result.to)
      stamp(c, result.to);
    exec(c, "COMMIT");
    return result;
  } catch (...) {
    result_ptr{PQexec(c, "ROLLBACK"), &PQclear};
    throw;
  }
}

} // namespace st
