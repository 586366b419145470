#pragma once

#include "protocols/actors.hpp"
#include "protocols/strava.hpp"

#include <memory>
#include <optional>

namespace st {

struct strava_settings;

/// What a sync job works with: its athlete (id and actor), the DB pool
/// and the Strava settings.
struct strava_job_context {
  int32_t user_id = 0;
  user_actor user;
  db_actor db;
  std::shared_ptr<const strava_settings> cfg;
};

struct strava_sync_job_state {
  strava_job_context ctx;
  /// The claimed job as it runs.
  int64_t job = 0;
  int64_t page = 1; ///< the next page to fetch
  int64_t after = 0;
  int64_t before = 0;
  int64_t attempts = 0;     ///< this one included
  int64_t budget_waits = 0; ///< lease waits that ran out in a row
  /// The page fetched, until stored.
  std::optional<strava::activity_page> fetched;
  /// Why the budget had no room (what a job sent back to the queue says).
  caf::error waited_for;
  /// What `done` writes: how the job ended.
  db_batch outcome;

  static inline const char* name = "strava_sync_job";
};

/// A Strava job actor's start: it takes `ctx` and monitors the athlete's
/// actor, which it works through; without it the job stops (a sync job's
/// claim, or the events' reminder, resumes it in the athlete's next
/// actor).
template<class Self>
void begin_strava_job(Self self, strava_job_context ctx) {
  self->state.ctx = std::move(ctx);
  self->monitor(self->state.ctx.user);
  self->set_down_handler([self](caf::down_msg& dm) {
    self->quit(dm.reason);
  });
}

/// The running job of `ctx`'s athlete; quits once it ended (normally:
/// done, back in the queue, or none due; with an error: a write failed,
/// and the claim's reminder resumes the job after the claim ran out).
[[nodiscard]] strava_sync_job_actor::behavior_type strava_sync_job(
  strava_sync_job_actor::stateful_pointer<strava_sync_job_state> self,
  strava_job_context ctx);

/// The statement that upserts `rows` for `user` (for job `job`: only while
/// `claimer` still holds it; none = not a job's).
[[nodiscard]] db_statement
strava_rows_upsert(int32_t user, const std::vector<strava::activity_row>& rows,
                   std::optional<int64_t> job, const std::string& claimer);

} // namespace st
