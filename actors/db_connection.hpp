#pragma once

#include "protocols/actors.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace st {

/// How a DB actor connects and runs batches.
struct db_connection_settings {
  std::string conninfo;
  std::chrono::milliseconds statement_timeout{5000};
  bool pipeline = true;      ///< false: one round trip per statement
  int connect_timeout_s = 2; ///< libpq's, whole seconds
  /// Reconnect back-off: doubles from min to max after each failure.
  std::chrono::milliseconds reconnect_backoff_min{100};
  std::chrono::milliseconds reconnect_backoff_max{2000};
  /// Connections re-established, counted by every DB actor of a pool.
  std::shared_ptr<std::atomic<uint64_t>> reconnects =
    std::make_shared<std::atomic<uint64_t>>(0);
};

/// One libpq connection, owned by a detached actor (libpq blocks).
struct db_connection_state {
  db_actor::pointer self = nullptr;
  db_connection_settings cfg;
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn{nullptr, &PQfinish};
  db_stats stats;
  std::chrono::steady_clock::time_point next_attempt{};
  std::chrono::milliseconds backoff{0};
  bool ever_connected = false;

  /// Runs `batch`, reconnecting first when needed.
  caf::expected<db_reply> run(const db_batch& batch);

  static inline const char* name = "db-connection";

private:
  caf::error ensure_connected();
  caf::expected<db_reply> run_pipelined(const db_batch& batch);
  caf::expected<db_reply> run_sequential(const db_batch& batch);
  caf::error failure(PGresult* res);
};

/// Spawn with `spawn<caf::detached>`: the actor blocks in libpq.
/// @param cfg connection string, statement timeout and mode.
db_actor::behavior_type
db_connection(db_actor::stateful_pointer<db_connection_state> self,
              db_connection_settings cfg);

} // namespace st
