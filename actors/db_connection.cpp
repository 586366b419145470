#include "actors/db_connection.hpp"

#include "protocols/errors.hpp"

#include <cstring>

#include "util/log.hpp"

namespace st {

namespace {

using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;

result_ptr take(PGresult* r) {
  return result_ptr{r, &PQclear};
}

db_rows rows_of(PGresult* res) {
  db_rows result;
  auto n = PQntuples(res);
  auto m = PQnfields(res);
  result.rows.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    std::vector<db_value> row;
    row.reserve(static_cast<size_t>(m));
    for (int j = 0; j < m; ++j)
      if (PQgetisnull(res, i, j))
        row.emplace_back(caf::none);
      else
        row.emplace_back(std::string{
          PQgetvalue(res, i, j), static_cast<size_t>(PQgetlength(res, i, j))});
    result.rows.push_back(std::move(row));
  }
  auto affected = PQcmdTuples(res);
  result.affected = affected != nullptr && *affected != '\0'
                      ? std::strtoll(affected, nullptr, 10)
                      : n;
  return result;
}

/// Parameter arrays in the shape libpq takes; views into the statement.
struct bound_params {
  std::vector<const char*> values;
  explicit bound_params(const db_statement& x) {
    values.reserve(x.params.size());
    for (auto& p : x.params)
      values.push_back(p ? p->c_str() : nullptr);
  }
  int size() const {
    return static_cast<int>(values.size());
  }
};

} // namespace

caf::error db_connection_state::ensure_connected() {
  if (conn && PQstatus(conn.get()) == CONNECTION_OK) {
    // Notice a server that went away while we were idle.
    if (PQconsumeInput(conn.get()) == 1 &&
        PQstatus(conn.get()) == CONNECTION_OK)
      return caf::none;
    conn.reset();
  }
  auto now = std::chrono::steady_clock::now();
  if (now < next_attempt)
    return make_error(db_ec::unavailable, "database unavailable");
  auto timeout = std::to_string(cfg.connect_timeout_s);
  auto options =
    "-c statement_timeout=" + std::to_string(cfg.statement_timeout.count());
  const char* keys[] = {"dbname", "connect_timeout", "options",
                        "application_name", nullptr};
  const char* values[] = {cfg.conninfo.c_str(), timeout.c_str(),
                          options.c_str(), "smart-trainer", nullptr};
  conn.reset(PQconnectdbParams(keys, values, 1));
  auto fail = [&](const std::string& why) {
    backoff = std::min<std::chrono::milliseconds>(
      std::max<std::chrono::milliseconds>(backoff * 2,
                                          cfg.reconnect_backoff_min),
      cfg.reconnect_backoff_max);
    next_attempt = std::chrono::steady_clock::now() + backoff;
    log_warn("db", "connection failed: " + why);
    conn.reset();
    return make_error(db_ec::unavailable, "database unavailable");
  };
  if (PQstatus(conn.get()) != CONNECTION_OK)
    return fail(PQerrorMessage(conn.get()));
  for (auto& def : statement_catalog()) {
    auto res =
      take(PQprepare(conn.get(), def.name, def.sql.c_str(), 0, nullptr));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK)
      return fail(std::string{"prepare "} + def.name + ": " +
                  PQresultErrorMessage(res.get()));
  }
  if (cfg.pipeline && PQenterPipelineMode(conn.get()) != 1)
    return fail(PQerrorMessage(conn.get()));
  backoff = std::chrono::milliseconds{0};
  if (std::exchange(ever_connected, true))
    ++*cfg.reconnects;
  return caf::none;
}

caf::error db_connection_state::failure(PGresult* res) {
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    conn.reset();
    return make_error(db_ec::unavailable, "database unavailable");
  }
  const char* state =
    res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state != nullptr ? state : "";
  std::string message =
    res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn.get());
  if (sqlstate == "57014")
    return make_error(db_ec::timeout, "database statement timeout");
  if (sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0) {
    conn.reset();
    return make_error(db_ec::unavailable, "database unavailable");
  }
  return make_error(db_ec::query_failed, sqlstate, message);
}

caf::expected<db_reply> db_connection_state::run(const db_batch& batch) {
  if (auto err = ensure_connected()) {
    ++stats.num_failed;
    return err;
  }
  ++stats.num_batches;
  stats.num_statements += batch.statements.size();
  auto result = cfg.pipeline ? run_pipelined(batch) : run_sequential(batch);
  if (!result)
    ++stats.num_failed;
  else
    stats.num_round_trips += result->num_round_trips;
  return result;
}

caf::expected<db_reply>
db_connection_state::run_pipelined(const db_batch& batch) {
  auto* c = conn.get();
  // An implicit transaction spans everything up to a sync: one sync at the
  // end makes the batch atomic, one per statement keeps them independent.
  for (auto& x : batch.statements) {
    bound_params params{x};
    if (PQsendQueryPrepared(c, statement(x.id).name, params.size(),
                            params.values.data(), nullptr, nullptr, 0) != 1 ||
        (!batch.transaction && PQpipelineSync(c) != 1))
      return failure(nullptr);
  }
  if (batch.transaction && PQpipelineSync(c) != 1)
    return failure(nullptr);
  db_reply result;
  result.num_round_trips = 1;
  caf::error first_error;
  auto await_sync = [&]() -> bool {
    auto res = take(PQgetResult(c));
    return res && PQresultStatus(res.get()) == PGRES_PIPELINE_SYNC;
  };
  for (size_t i = 0; i < batch.statements.size(); ++i) {
    auto res = take(PQgetResult(c));
    if (!res)
      return failure(nullptr);
    switch (PQresultStatus(res.get())) {
    case PGRES_TUPLES_OK:
    case PGRES_COMMAND_OK:
      result.results.push_back(rows_of(res.get()));
      break;
    case PGRES_PIPELINE_ABORTED:
      result.results.emplace_back();
      break;
    default:
      if (!first_error)
        first_error = failure(res.get());
      if (!conn)
        return first_error;
      result.results.emplace_back();
    }
    // Each statement's results end with a null result.
    while (auto extra = take(PQgetResult(c)))
      if (PQresultStatus(extra.get()) == PGRES_PIPELINE_SYNC)
        break;
    if (!batch.transaction && !await_sync())
      return failure(nullptr);
  }
  if (batch.transaction && !await_sync())
    return failure(nullptr);
  if (first_error)
    return first_error;
  return result;
}

caf::expected<db_reply>
db_connection_state::run_sequential(const db_batch& batch) {
  auto* c = conn.get();
  db_reply result;
  auto exec_plain = [&](const char* sql) -> caf::error {
    ++result.num_round_trips;
    auto res = take(PQexec(c, sql));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK)
      return failure(res.get());
    return caf::none;
  };
  if (batch.transaction)
    if (auto err = exec_plain("BEGIN"))
      return err;
  for (auto& x : batch.statements) {
    bound_params params{x};
    ++result.num_round_trips;
    auto res = take(PQexecPrepared(c, statement(x.id).name, params.size(),
                                   params.values.data(), nullptr, nullptr, 0));
    auto status = PQresultStatus(res.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      auto err = failure(res.get());
      if (batch.transaction && conn)
        take(PQexec(c, "ROLLBACK"));
      return err;
    }
    result.results.push_back(rows_of(res.get()));
  }
  if (batch.transaction)
    if (auto err = exec_plain("COMMIT"))
      return err;
  return result;
}

db_actor::behavior_type
db_connection(db_actor::stateful_pointer<db_connection_state> self,
              db_connection_settings cfg) {
  self->state.self = self;
  self->state.cfg = std::move(cfg);
  self->state.stats.num_connections = 1;
  return {
    [=](atom::status) {
      return self->state.stats;
    },
    [=](atom::exec, const db_batch& batch) -> caf::result<db_reply> {
      auto result = self->state.run(batch);
      if (!result)
        return std::move(result.error());
      return std::move(*result);
    },
  };
}

} // namespace st
