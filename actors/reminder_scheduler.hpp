#pragma once

#include "protocols/actors.hpp"

#include <chrono>
#include <queue>
#include <string>
#include <vector>

namespace st {

/// How the scheduler claims and fires reminders.
struct reminder_settings {
  /// Names this process in `claimed_by` (unique per process).
  std::string claimer;
  /// How often the table is asked for what is due soon.
  std::chrono::milliseconds poll{30000};
  /// How far ahead rows are claimed and held in memory.
  std::chrono::milliseconds horizon{60000};
  /// How long a claim holds past the due time, and past firing (until the
  /// user's actor writes its next due time): a process that dies with a
  /// claim leaves it to the others after this.
  std::chrono::milliseconds lease{300000};
  /// Most rows claimed per statement (a full claim claims again at once).
  int64_t claim_limit = 1000;
  /// Users woken at once (each answers when it has taken its reminder).
  size_t max_waking = 64;
  /// Statements run once at start (e.g. reminders for rows that predate
  /// the reminders table); idempotent, safe for several processes.
  std::vector<db_statement> backfill;
};

/// A claimed reminder waiting in memory for its due time.
struct pending_reminder {
  int64_t due_ms = 0; ///< since the epoch
  int32_t user = 0;
  std::string kind;

  bool operator>(const pending_reminder& other) const {
    return due_ms > other.due_ms;
  }
};

struct reminder_scheduler_state {
  reminder_settings cfg;
  db_actor db;
  user_registry_actor registry;
  std::priority_queue<pending_reminder, std::vector<pending_reminder>,
                      std::greater<>>
    pending;
  reminder_stats stats;
  int64_t due_timer_ms = 0; ///< when the armed due timer fires (0: none)
  bool confirming = false;  ///< a confirm is on its way
  size_t waking = 0;        ///< users woken that have not taken theirs yet

  static inline const char* name = "reminders";
};

using reminder_scheduler_self =
  reminder_scheduler_actor::stateful_pointer<reminder_scheduler_state>;

reminder_scheduler_actor::behavior_type
reminder_scheduler(reminder_scheduler_self self, db_actor db,
                   user_registry_actor registry, reminder_settings cfg);

} // namespace st
