#include "runtime/migrator.hpp"

#include "config/defaults.hpp"

#include <libpq-fe.h>

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
    auto current = exec(c, "SELECT version_num FROM alembic_version");
    if (PQntuples(current.get()) > 1)
      throw std::runtime_error("alembic_version holds several rows");
    if (PQntuples(current.get()) == 1)
      result.from = PQgetvalue(current.get(), 0, 0);
    bool known = result.from.empty();
    for (auto& m : migrations())
      known = known || result.from == m.version;
    if (!known)
      throw std::runtime_error("database is at unknown revision '" +
                               result.from + "'");
    bool pending = result.from.empty();
    for (auto& m : migrations()) {
      if (pending) {
        exec(c, m.sql);
        result.applied.emplace_back(m.version);
      }
      pending = pending || result.from == m.version;
    }
    result.to = result.applied.empty() ? result.from : result.applied.back();
    if (!result.applied.empty()) {
      exec(c, "DELETE FROM alembic_version");
      std::string v = result.to;
      const char* params[] = {v.c_str()};
      result_ptr ins{PQexecParams(c,
                                  "INSERT INTO alembic_version (version_num) "
                                  "VALUES ($1)",
                                  1, nullptr, params, nullptr, nullptr, 0),
                     &PQclear};
      if (PQresultStatus(ins.get()) != PGRES_COMMAND_OK)
        throw std::runtime_error(PQresultErrorMessage(ins.get()));
    }
    exec(c, "COMMIT");
    return result;
  } catch (...) {
    result_ptr{PQexec(c, "ROLLBACK"), &PQclear};
    throw;
  }
}

} // namespace st
