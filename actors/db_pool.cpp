#include "actors/db_pool.hpp"

#include "actors/mailbox_census.hpp"
#include "protocols/errors.hpp"

namespace st {

namespace {

/// How often waiting batches are checked against their deadlines (one
/// timer per pool while any wait, not one per batch).
constexpr auto sweep_period = std::chrono::milliseconds(50);

void arm_sweep(db_pool_actor::stateful_pointer<db_pool_state> self) {
  auto& st = self->state;
  if (st.sweep_armed || st.queue->num_waiting() == 0)
    return;
  st.sweep_armed = true;
  self->delayed_send(self, sweep_period, atom::internal_v, atom::tick_v);
}

} // namespace

db_pool_actor::behavior_type
db_pool(db_pool_actor::stateful_pointer<db_pool_state> self,
        db_pool_settings cfg) {
  auto& st = self->state;
  for (size_t i = 0; i < cfg.size; ++i)
    st.connections.push_back(
      self->spawn<caf::detached + caf::linked>(db_connection, cfg.connection));
  st.queue = std::make_unique<worker_queue<db_actor>>(
    st.connections, cfg.queue_limit, cfg.bulk_queue_limit);
  st.stats.num_connections = cfg.size;
  st.reconnects = cfg.connection.reconnects;
  return {
    [=](atom::status) {
      auto result = self->state.stats;
      result.num_queued = self->state.queue->num_waiting();
      result.num_busy = self->state.queue->num_busy();
      result.max_busy = self->state.queue->max_busy();
      result.num_queued_bulk = self->state.queue->num_waiting_bulk();
      result.num_reconnects = self->state.reconnects->load();
      result.mailbox_depth = mailbox_depth(self);
      return result;
    },
    [=](atom::exec, db_batch& batch) -> caf::result<db_reply> {
      if (batch.until.passed()) {
        ++self->state.stats.num_expired;
        return make_error(call_ec::expired, "the caller gave up");
      }
      auto rp = self->make_response_promise<db_reply>();
      auto bulk = batch.bulk;
      auto shared = std::make_shared<db_batch>(std::move(batch));
      auto until = shared->until.unix_ns;
      worker_queue<db_actor>::job job{
        [=](const db_actor& conn) mutable {
          // Taken from the queue: a caller that gave up meanwhile gets
          // its answer now, and nothing is sent.
          if (shared->until.passed()) {
            ++self->state.stats.num_expired;
            rp.deliver(make_error(call_ec::expired,
                                  "the caller gave up before the database "
                                  "was reached"));
            self->state.queue->release(conn);
            return;
          }
          // No timer: the connection answers every batch (the statement
          // timeout bounds it).
          self->request(conn, caf::infinite, atom::exec_v, *shared)
            .then(
              [=](db_reply& reply) mutable {
                auto& s = self->state.stats;
                ++s.num_batches;
                s.num_statements += shared->statements.size();
                s.num_round_trips += reply.num_round_trips;
                rp.deliver(std::move(reply));
                self->state.queue->release(conn);
              },
              [=](caf::error& err) mutable {
                ++self->state.stats.num_failed;
                // Waiting work would meet the same dead server: fail it now.
                if (err == db_ec::unavailable)
                  self->state.queue->fail_waiting(err);
                rp.deliver(std::move(err));
                self->state.queue->release(conn);
              });
        },
        [=](caf::error err) mutable {
          ++self->state.stats.num_failed;
          rp.deliver(std::move(err));
        },
        until,
      };
      if (!self->state.queue->submit(std::move(job), bulk)) {
        ++self->state.stats.num_refused;
        rp.deliver(make_error(db_ec::overloaded, "database overloaded"));
      }
      arm_sweep(self);
      return rp;
    },
    [=](atom::internal, atom::tick) {
      auto& st = self->state;
      st.sweep_armed = false;
      // Answered now, while the connections are busy: never sent later.
      st.stats.num_expired += st.queue->fail_expired(
        deadline::now_ns(),
        make_error(call_ec::expired, "the caller gave up before "
                                     "the database was reached"));
      arm_sweep(self);
    },
  };
}

} // namespace st
