#include "actors/reminder_scheduler.hpp"

#include "actors/user_db.hpp"
#include "protocols/sql/arrays.hpp"

#include <algorithm>

#include "util/log.hpp"

namespace st {

using namespace user_db;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

double seconds_of(std::chrono::milliseconds x) {
  return static_cast<double>(x.count()) / 1000.0;
}

/// Sends `batch` in the pool's bulk lane: background work never delays a
/// request someone is waiting on.
auto in_background(reminder_scheduler_self self, db_batch batch) {
  batch.bulk = true;
  return self->request(self->state.db, caf::infinite, atom::exec_v,
                       std::move(batch));
}

/// The next tick: at the next due time, at the latest a poll from now.
void schedule_tick(reminder_scheduler_self self) {
  auto& st = self->state;
  auto wait = st.cfg.poll;
  if (!st.pending.empty())
    wait = std::min(wait, std::chrono::milliseconds{std::max<int64_t>(
                            0, st.pending.top().due_ms - now_ms())});
  self->delayed_send(self, std::max(wait, std::chrono::milliseconds{5}),
                     atom::internal_v, atom::tick_v);
}

/// Hands the due reminders that are still as claimed to their users.
void fire_due(reminder_scheduler_self self) {
  auto& st = self->state;
  std::vector<db_value> users, kinds, dues;
  auto now = now_ms();
  while (!st.pending.empty() && st.pending.top().due_ms <= now) {
    auto& x = st.pending.top();
    users.emplace_back(std::to_string(x.user));
    kinds.emplace_back(x.kind);
    dues.emplace_back(std::to_string(x.due_ms));
    st.pending.pop();
  }
  if (users.empty())
    return schedule_tick(self);
  auto n = users.size();
  // Confirmed first: a user who moved or dropped the reminder since the
  // claim (relinked, unlinked) is not woken for the old time.
  in_background(
    self, batch_of({statement_of(
            stmt::reminders_confirm,
            {st.cfg.claimer, sql_array(users), sql_array(kinds),
             sql_array(dues), param(opt_double{seconds_of(st.cfg.lease)})})}))
    .then(
      [=](db_reply& r) {
        auto& st = self->state;
        auto& rows = r.results[0].rows;
        for (auto& row : rows)
          self->send(st.registry, atom::internal_v, atom::remind_v,
                     static_cast<int32_t>(*integer(row[0])), *row[1]);
        st.stats.num_fired += rows.size();
        st.stats.num_moved += n - rows.size();
        schedule_tick(self);
      },
      [=](caf::error& err) {
        // Still claimed: they fire again once the lease runs out.
        log_warn("reminders", "cannot confirm " + std::to_string(n) +
                                " due reminders: " + to_string(err));
        schedule_tick(self);
      });
}

/// Claims what falls due within the horizon, then fires what is due.
void tick(reminder_scheduler_self self) {
  auto& st = self->state;
  in_background(
    self, batch_of({statement_of(stmt::reminders_claim,
                                 {st.cfg.claimer,
                                  param(opt_double{seconds_of(st.cfg.horizon)}),
                                  param(opt_double{seconds_of(st.cfg.lease)}),
                                  param(st.cfg.claim_limit)})}))
    .then(
      [=](db_reply& r) {
        auto& st = self->state;
        for (auto& row : r.results[0].rows)
          st.pending.push({*integer(row[2]),
                           static_cast<int32_t>(*integer(row[0])), *row[1]});
        st.stats.num_claimed += r.results[0].rows.size();
        fire_due(self);
      },
      [=](caf::error& err) {
        log_warn("reminders", "cannot claim reminders: " + to_string(err));
        fire_due(self);
      });
}

} // namespace

reminder_scheduler_actor::behavior_type
reminder_scheduler(reminder_scheduler_self self, db_actor db,
                   user_registry_actor registry, reminder_settings cfg) {
  auto& st = self->state;
  st.db = std::move(db);
  st.registry = std::move(registry);
  st.cfg = std::move(cfg);
  if (st.cfg.backfill.empty()) {
    tick(self);
  } else {
    in_background(self, batch_of(st.cfg.backfill))
      .then(
        [=](db_reply& r) {
          int64_t added = 0;
          for (auto& x : r.results)
            added += x.affected;
          if (added > 0)
            log_info("reminders",
                     "added " + std::to_string(added) + " missing reminders");
          tick(self);
        },
        [=](caf::error& err) {
          log_warn("reminders", "backfill failed: " + to_string(err));
          tick(self);
        });
  }
  return {
    [=](atom::status) {
      auto result = self->state.stats;
      result.num_pending = self->state.pending.size();
      result.pending_bytes =
        result.num_pending * (sizeof(pending_reminder) + 16);
      return result;
    },
    [=](atom::internal, atom::tick) {
      tick(self);
    },
  };
}

} // namespace st
