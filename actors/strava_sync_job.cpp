#include "actors/strava_sync_job.hpp"

#include "actors/user_db.hpp"
#include "config/defaults.hpp"
#include "protocols/errors.hpp"
#include "protocols/sql/arrays.hpp"

#include <algorithm>

#include "util/log.hpp"

namespace st {

using namespace user_db;

namespace {

using job_self = strava_sync_job_actor::stateful_pointer<strava_sync_job_state>;

db_value flag_param(const std::optional<bool>& x) {
  if (!x)
    return caf::none;
  return std::string{*x ? "true" : "false"};
}

const strava_settings& config(job_self self) {
  return *self->state.ctx.cfg;
}

std::string seconds_param(std::chrono::seconds x) {
  return std::to_string(x.count());
}

auto request_db(job_self self, db_batch batch, caf::timespan time) {
  batch.until = deadline::in(time);
  return self->request(self->state.ctx.db, caf::infinite, atom::exec_v,
                       std::move(batch));
}

/// Writes the sync reminder without waiting (the job may have quit when
/// it lands).
void remind_in_background(job_self self, db_statement x) {
  auto& ctx = self->state.ctx;
  user_db::write_in_background(self, ctx.db, ctx.user_id, std::move(x),
                               "the Strava sync reminder");
}

std::chrono::system_clock::time_point from_ms(int64_t ms) {
  return std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}};
}

/// The watchdog of the running job: if this process dies, the reminder
/// fires after the claim ran out and another process resumes the job.
db_statement watchdog(job_self self) {
  return reminder_set(self->state.ctx.user_id, user_strava_part::sync_reminder,
                      std::chrono::system_clock::now() +
                        config(self).job_lease +
                        defaults::strava_reminder_slack);
}

/// The renewed claim and progress of page `page` (`stored` activities),
/// only while this process still holds the job.
db_statement progress(job_self self, int64_t page, int64_t stored) {
  auto& cfg = config(self);
  return statement_of(stmt::strava_job_progress,
                      {std::to_string(self->state.job), cfg.claimer,
                       std::to_string(page), std::to_string(stored),
                       seconds_param(cfg.job_lease)});
}

/// No claimable job now: the reminder follows the live job's next due
/// time (a retry's, or another process's claim), or goes; then the job
/// actor quits.
void follow_queue(job_self self) {
  auto user = self->state.ctx.user_id;
  request_db(
    self,
    batch_of({statement_of(stmt::strava_job_due, {std::to_string(user)})}),
    defaults::strava_write_time)
    .then(
      [=](db_reply& r) {
        if (auto row = first_row(r))
          remind_in_background(
            self, reminder_set(user, user_strava_part::sync_reminder,
                               from_ms(integer((*row)[0]).value_or(0)) +
                                 defaults::strava_reminder_slack));
        else
          remind_in_background(
            self, reminder_clear(user, user_strava_part::sync_reminder));
        self->quit();
      },
      [=](caf::error& err) {
        self->quit(std::move(err));
      });
}

/// Sends step `step` to this job.
template<class Step>
void next(job_self self, Step step) {
  self->send(self, atom::internal_v, step);
}

/// The job ends with `outcome` written.
void end_with(job_self self, db_batch outcome) {
  self->state.outcome = std::move(outcome);
  next(self, atom::done_v);
}

/// The wait before attempt `attempts + 1`: doubling, capped.
std::chrono::seconds backoff(job_self self, int64_t attempts) {
  auto shift = std::min<int64_t>(std::max<int64_t>(attempts - 1, 0), 7);
  auto cap = std::chrono::duration_cast<std::chrono::seconds>(
    defaults::strava_job_backoff_cap);
  return std::min(cap, config(self).job_backoff * (int64_t{1} << shift));
}

bool budget_error(const caf::error& err) {
  return err == call_ec::expired || err == strava_ec::rate_limited ||
         err == strava_ec::no_lease;
}

/// The attempt failed with `err`: back to the queue with a backoff (or
/// failed for good), unless the job went with the link.
void fail(job_self self, const caf::error& err) {
  auto& st = self->state;
  if (err == strava_ec::revoked || err == strava_ec::not_linked)
    return self->quit(); // unlinked or revoked: the job's rows went
  // Waiting for the budget is no failed attempt; it is tried again soon.
  auto counts = !budget_error(err);
  auto detail = counts ? error_detail(err)
                       : std::string{"waiting for the Strava rate budget"};
  log_warn("strava", "sync job " + std::to_string(st.job) + " of user " +
                       std::to_string(st.ctx.user_id) + ": " + detail);
  auto wait = counts ? backoff(self, st.attempts)
                     : std::chrono::duration_cast<std::chrono::seconds>(
                         defaults::strava_job_budget_retry);
  end_with(self,
           batch_of({statement_of(stmt::strava_job_failed,
                                  {std::to_string(st.job), detail,
                                   std::to_string(config(self).job_attempts),
                                   seconds_param(wait),
                                   std::string{counts ? "true" : "false"}})}));
}

caf::error bad_answer(std::string detail) {
  return make_error(strava_ec::bad_answer, std::move(detail));
}

void claim(job_self self) {
  auto& st = self->state;
  auto& cfg = config(self);
  request_db(self,
             batch_of({statement_of(stmt::strava_job_claim,
                                    {std::to_string(st.ctx.user_id),
                                     cfg.claimer, seconds_param(cfg.job_lease),
                                     std::to_string(cfg.backfill_days)})}),
             defaults::strava_write_time)
    .then(
      [=](db_reply& r) {
        auto row = first_row(r);
        if (row == nullptr)
          return follow_queue(self);
        auto& st = self->state;
        st.job = integer((*row)[0]).value_or(0);
        st.page = integer((*row)[1]).value_or(0) + 1;
        st.attempts = integer((*row)[3]).value_or(1);
        st.after = integer((*row)[4]).value_or(0);
        st.before = integer((*row)[5]).value_or(0);
        remind_in_background(self, watchdog(self));
        next(self, atom::fetch_v);
      },
      [=](caf::error& err) {
        self->quit(std::move(err));
      });
}

void fetch(job_self self) {
  auto& st = self->state;
  auto& cfg = config(self);
  auto url = strava::activities_url(cfg.api_base_url, st.after, st.before,
                                    st.page, cfg.per_page);
  self
    ->request(st.ctx.user, caf::infinite,
              deadline::in(defaults::strava_job_step_time), atom::fetch_v,
              atom::strava_v, std::move(url))
    .then(
      [=](upstream_response& r) {
        auto page = self->state.page;
        if (r.status != 200)
          return fail(self,
                      bad_answer("Strava answered " + std::to_string(r.status) +
                                 " for page " + std::to_string(page) + "."));
        self->state.fetched = strava::parse_activity_page(r.body);
        if (!self->state.fetched)
          return fail(self, bad_answer("Strava sent an activity page that "
                                       "could not be read."));
        next(self, atom::store_v);
      },
      [=](caf::error& err) {
        if (!budget_error(err))
          return fail(self, err);
        self->state.waited_for = std::move(err);
        next(self, atom::lease_v);
      });
}

void store(job_self self) {
  auto& st = self->state;
  auto& cfg = config(self);
  auto& rows = st.fetched->rows;
  auto last = st.fetched->listed < static_cast<size_t>(cfg.per_page);
  auto batch =
    batch_of({strava_rows_upsert(st.ctx.user_id, rows, st.job, cfg.claimer),
              progress(self, st.page, static_cast<int64_t>(rows.size())),
              watchdog(self)},
             true);
  batch.bulk = true;
  st.fetched.reset();
  request_db(self, std::move(batch), defaults::strava_page_write_time)
    .then(
      [=](db_reply& r) {
        if (first_row(r, 1) == nullptr)
          return self->quit(); // unlinked, or another process took it over
        auto& st = self->state;
        if (last) {
          std::vector<db_statement> xs{
            statement_of(stmt::strava_job_done, {std::to_string(st.job)})};
          if (config(self).cache_days > 0)
            xs.push_back(reminder_set(st.ctx.user_id,
                                      user_strava_part::purge_reminder,
                                      std::chrono::system_clock::now()));
          return end_with(self, batch_of(std::move(xs), true));
        }
        ++st.page;
        st.budget_waits = 0;
        next(self, atom::fetch_v);
      },
      [=](caf::error& err) {
        fail(self, err);
      });
}

/// The budget had no room within a lease wait: the claim is renewed (so
/// no other process takes the job over meanwhile) and the page asked for
/// again; after many waits the job goes back to the queue.
void renew(job_self self) {
  auto& st = self->state;
  if (++st.budget_waits > defaults::strava_job_budget_waits)
    return fail(self, st.waited_for);
  request_db(self,
             batch_of({progress(self, st.page - 1, 0), watchdog(self)}, true),
             defaults::strava_write_time)
    .then(
      [=](db_reply& r) {
        if (first_row(r) == nullptr)
          return self->quit(); // no longer ours
        next(self, atom::fetch_v);
      },
      [=](caf::error& err) {
        fail(self, err);
      });
}

/// Writes how the job ended, then follows the queue.
void done(job_self self) {
  request_db(self, std::move(self->state.outcome), defaults::strava_write_time)
    .then(
      [=](db_reply&) {
        follow_queue(self);
      },
      [=](caf::error& err) {
        self->quit(std::move(err));
      });
}

} // namespace

db_statement strava_rows_upsert(int32_t user,
                                const std::vector<strava::activity_row>& rows,
                                std::optional<int64_t> job,
                                const std::string& claimer) {
  std::vector<db_value> ids, starts, local, zone, name, description, type,
    sport, workout, moving, elapsed, distance, gain, high, low, speed, top, hr,
    max_hr, watts, kj, suffer, trainer, commute, manual, priv, raw;
  for (auto& r : rows) {
    ids.emplace_back(std::to_string(r.strava_id));
    starts.emplace_back(std::to_string(r.start_unix));
    local.push_back(r.start_date_local);
    zone.push_back(r.timezone);
    name.push_back(r.name);
    description.push_back(r.description);
    type.push_back(r.type);
    sport.push_back(r.sport_type);
    workout.push_back(param(r.workout_type));
    moving.push_back(param(r.moving_time_sec));
    elapsed.push_back(param(r.elapsed_time_sec));
    distance.push_back(param(r.distance_m));
    gain.push_back(param(r.total_elevation_gain_m));
    high.push_back(param(r.elev_high_m));
    low.push_back(param(r.elev_low_m));
    speed.push_back(param(r.average_speed_m_s));
    top.push_back(param(r.max_speed_m_s));
    hr.push_back(param(r.average_heartrate));
    max_hr.push_back(param(r.max_heartrate));
    watts.push_back(param(r.average_watts));
    kj.push_back(param(r.kilojoules));
    suffer.push_back(param(r.suffer_score));
    trainer.push_back(flag_param(r.trainer));
    commute.push_back(flag_param(r.commute));
    manual.push_back(flag_param(r.manual));
    priv.push_back(flag_param(r.is_private));
    raw.emplace_back(r.raw);
  }
  db_value job_id = caf::none;
  if (job)
    job_id = std::to_string(*job);
  return statement_of(stmt::strava_page_upsert, {std::to_string(user),
                                                 sql_array(ids),
                                                 sql_array(starts),
                                                 sql_array(local),
                                                 sql_array(zone),
                                                 sql_array(name),
                                                 sql_array(description),
                                                 sql_array(type),
                                                 sql_array(sport),
                                                 sql_array(workout),
                                                 sql_array(moving),
                                                 sql_array(elapsed),
                                                 sql_array(distance),
                                                 sql_array(gain),
                                                 sql_array(high),
                                                 sql_array(low),
                                                 sql_array(speed),
                                                 sql_array(top),
                                                 sql_array(hr),
                                                 sql_array(max_hr),
                                                 sql_array(watts),
                                                 sql_array(kj),
                                                 sql_array(suffer),
                                                 sql_array(trainer),
                                                 sql_array(commute),
                                                 sql_array(manual),
                                                 sql_array(priv),
                                                 sql_array(raw),
                                                 job_id,
                                                 claimer});
}

strava_sync_job_actor::behavior_type strava_sync_job(job_self self,
                                                     strava_job_context ctx) {
  begin_strava_job(self, std::move(ctx));
  next(self, atom::claim_v);
  return {
    [=](atom::internal, atom::claim) {
      claim(self);
    },
    [=](atom::internal, atom::fetch) {
      fetch(self);
    },
    [=](atom::internal, atom::store) {
      store(self);
    },
    [=](atom::internal, atom::lease) {
      renew(self);
    },
    [=](atom::internal, atom::done) {
      done(self);
    },
  };
}

} // namespace st
