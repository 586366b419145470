#pragma once

#include "actors/db_connection.hpp"
#include "actors/worker_queue.hpp"
#include "protocols/actors.hpp"

namespace st {

/// How the pool sizes itself.
struct db_pool_settings {
  db_connection_settings connection;
  size_t size = 4;                ///< DB actors (connections)
  size_t queue_limit = 200;       ///< waiting batches before refusing
  size_t bulk_queue_limit = 1000; ///< waiting bulk batches before refusing
};

/// Spreads batches over the DB actors: a batch runs as soon as one is idle;
/// otherwise it waits in a bounded FIFO (bulk batches in their own one,
/// served after the interactive one); past the cap it is refused with
/// db_ec::overloaded at once.
struct db_pool_state {
  std::unique_ptr<worker_queue<db_actor>> queue;
  std::vector<db_actor> connections;
  db_stats stats;
  std::shared_ptr<std::atomic<uint64_t>> reconnects;
  bool sweep_armed = false; ///< a tick is on its way

  static inline const char* name = "db-pool";
};

/// Spawns `cfg.size` detached DB actors linked to the pool.
/// @param cfg pool and connection settings.
db_pool_actor::behavior_type
db_pool(db_pool_actor::stateful_pointer<db_pool_state> self,
        db_pool_settings cfg);

} // namespace st
