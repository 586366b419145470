#include "actors/reminder_scheduler.hpp"

#include "actors/mailbox_census.hpp"
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

/// Arms the due timer for the earliest claimed reminder, unless one is
/// armed for that time or earlier.
void arm_due_timer(reminder_scheduler_self self) {
  auto& st = self->state;
  if (st.pending.empty())
    return;
  auto at = st.pending.top().due_ms;
  if (st.due_timer_ms != 0 && st.due_timer_ms <= at)
    return;
  st.due_timer_ms = at;
  auto wait = std::chrono::milliseconds{std::max<int64_t>(0, at - now_ms())};
  self->delayed_send(self, wait, atom::internal_v, atom::remind_v);
}

/// Hands due reminders that are still as claimed to their users, at most
/// `max_waking` at a time: each user's actor answers once it has taken
/// its reminder (after loading), so a burst of due reminders wakes users
/// at the pace the database serves them.
void fire_due(reminder_scheduler_self self) {
  auto& st = self->state;
  if (st.confirming)
    return; // its answer calls again
  std::vector<db_value> users, kinds, dues;
  auto now = now_ms();
  while (!st.pending.empty() && st.pending.top().due_ms <= now &&
         st.waking + users.size() < st.cfg.max_waking) {
    auto& x = st.pending.top();
    users.emplace_back(std::to_string(x.user));
    kinds.emplace_back(x.kind);
    dues.emplace_back(std::to_string(x.due_ms));
    st.pending.pop();
  }
  if (users.empty())
    return arm_due_timer(self);
  auto n = users.size();
  st.confirming = true;
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
        st.confirming = false;
        auto& rows = r.results[0].rows;
        st.stats.num_moved += n - rows.size();
        for (auto& row : rows) {
          ++st.waking;
          self
            ->request(st.registry, caf::infinite, atom::internal_v,
                      atom::remind_v, static_cast<int32_t>(*integer(row[0])),
                      *row[1])
            .then(
              [=](bool taken) {
                --self->state.waking;
                if (taken) // else: still claimed, fires after the lease
                  ++self->state.stats.num_fired;
                fire_due(self);
              },
              [=](caf::error&) {
                // Still claimed: it fires again once the lease runs out.
                --self->state.waking;
                fire_due(self);
              });
        }
        fire_due(self);
      },
      [=](caf::error& err) {
        self->state.confirming = false;
        // Still claimed: they fire again once the lease runs out.
        log_warn("reminders", "cannot confirm " + std::to_string(n) +
                                " due reminders: " + to_string(err));
        arm_due_timer(self);
      });
}

/// Keeps the outlook row (overdue, due within a minute, claimed, next due).
void read_outlook(reminder_stats& stats, const db_rows& rows) {
  if (rows.rows.empty())
    return;
  auto& row = rows.rows[0];
  auto count = [&](size_t i) {
    return static_cast<uint64_t>(integer(row[i]).value_or(0));
  };
  stats.overdue = count(0);
  stats.due_next_minute = count(1);
  stats.claimed_now = count(2);
  stats.next_due = integer(row[3]).value_or(0);
  stats.outlook_at = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
}

/// Claims what falls due within the horizon, fires what is due, and polls
/// again a poll later (at once when the claim was full).
void tick(reminder_scheduler_self self) {
  auto& st = self->state;
  auto next_poll = [=](bool more) {
    self->delayed_send(
      self, more ? std::chrono::milliseconds{0} : self->state.cfg.poll,
      atom::internal_v, atom::tick_v);
  };
  in_background(
    self, batch_of({statement_of(stmt::reminders_claim,
                                 {st.cfg.claimer,
                                  param(opt_double{seconds_of(st.cfg.horizon)}),
                                  param(opt_double{seconds_of(st.cfg.lease)}),
                                  param(st.cfg.claim_limit)}),
                    // The admin view rides along: no round trip of its own.
                    statement_of(stmt::reminders_outlook, {})}))
    .then(
      [=](db_reply& r) {
        auto& st = self->state;
        for (auto& row : r.results[0].rows)
          st.pending.push({*integer(row[2]),
                           static_cast<int32_t>(*integer(row[0])), *row[1]});
        st.stats.num_claimed += r.results[0].rows.size();
        read_outlook(st.stats, r.results[1]);
        fire_due(self);
        // A full claim leaves more due within the horizon: claim again at
        // once rather than a poll later.
        next_poll(static_cast<int64_t>(r.results[0].rows.size()) >=
                  st.cfg.claim_limit);
      },
      [=](caf::error& err) {
        log_warn("reminders", "cannot claim reminders: " + to_string(err));
        fire_due(self);
        next_poll(false);
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
      result.mailbox_depth = mailbox_depth(self);
      return result;
    },
    [=](atom::internal, atom::tick) {
      tick(self);
    },
    [=](atom::internal, atom::remind) {
      self->state.due_timer_ms = 0;
      fire_due(self);
    },
  };
}

} // namespace st
