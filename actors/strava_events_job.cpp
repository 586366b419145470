#include "actors/strava_events_job.hpp"

#include "actors/user_db.hpp"
#include "config/defaults.hpp"
#include "protocols/errors.hpp"
#include "protocols/sql/arrays.hpp"

namespace st {

using namespace user_db;

namespace {

using events_self =
  strava_events_job_actor::stateful_pointer<strava_events_job_state>;

auto request_db(events_self self, std::vector<db_statement> xs) {
  auto batch = batch_of(std::move(xs), true);
  batch.until = deadline::in(defaults::strava_events_pass_time);
  return self->request(self->state.ctx.db, caf::infinite, atom::exec_v,
                       std::move(batch));
}

template<class Step>
void next(events_self self, Step step) {
  self->send(self, atom::internal_v, step);
}

/// The event in hand is applied (or had nothing to apply to).
void applied(events_self self) {
  auto& st = self->state;
  st.applied.emplace_back(std::to_string(st.events[st.next].id));
  ++st.next;
  next(self, atom::webhook_v);
}

/// The event in hand could not be applied now: it and the rest wait for
/// the reminder.
void later(events_self self) {
  self->state.retry_later = true;
  next(self, atom::done_v);
}

/// Whether `err` means the link is gone, so that no event has anything
/// to apply to any more.
bool link_gone(const caf::error& err) {
  return err == strava_ec::not_linked || err == strava_ec::revoked;
}

/// Runs `xs`, then the event in hand counts as applied.
void write_then_applied(events_self self, std::vector<db_statement> xs) {
  request_db(self, std::move(xs))
    .then(
      [=](db_reply&) {
        applied(self);
      },
      [=](caf::error&) {
        later(self);
      });
}

void read_events(events_self self) {
  auto& st = self->state;
  request_db(self, {statement_of(stmt::strava_events_pending,
                                 {std::to_string(st.ctx.user_id)})})
    .then(
      [=](db_reply& r) {
        auto& st = self->state;
        st.events.clear();
        st.next = 0;
        st.applied.clear();
        for (auto& row : r.results[0].rows)
          st.events.push_back({integer(row[0]).value_or(0), row[1].value_or(""),
                               integer(row[2]).value_or(0),
                               row[4].value_or("")});
        next(self, atom::webhook_v);
      },
      [=](caf::error& err) {
        self->quit(std::move(err));
      });
}

/// A deauthorization: refreshing the token asks Strava whether the grant
/// stands; a refusal ends the link (the athlete's actor does that).
void recheck_grant(events_self self) {
  self
    ->request(self->state.ctx.user, caf::infinite,
              deadline::in(defaults::strava_job_step_time), atom::refresh_v,
              atom::strava_v, atom::link_v)
    .then(
      [=](bool) {
        applied(self); // still granted: nothing changes
      },
      [=](caf::error& err) {
        if (link_gone(err))
          return applied(self);
        later(self); // Strava unreachable: asked again later
      });
}

/// A create, an update or a delete alike: the activity as Strava has it
/// now. Gone (or no longer visible to us: a delete also arrives when an
/// activity is made private) → removed.
void recheck_activity(events_self self, int64_t id) {
  auto& st = self->state;
  auto url = strava::activity_url(st.ctx.cfg->api_base_url, id);
  self
    ->request(st.ctx.user, caf::infinite,
              deadline::in(defaults::strava_job_step_time), atom::fetch_v,
              atom::strava_v, std::move(url))
    .then(
      [=](upstream_response& r) {
        auto& st = self->state;
        auto user = st.ctx.user_id;
        if (r.status == 404 || r.status == 403)
          return write_then_applied(
            self, {statement_of(stmt::strava_activity_delete,
                                {std::to_string(user), std::to_string(id)})});
        auto row =
          r.status == 200 ? strava::parse_activity(r.body) : std::nullopt;
        if (!row)
          return later(self);
        write_then_applied(self, {strava_rows_upsert(user, {*row}, std::nullopt,
                                                     st.ctx.cfg->claimer)});
      },
      [=](caf::error& err) {
        if (link_gone(err))
          return applied(self);
        later(self);
      });
}

/// Strava signs no event: each is a hint, and Strava's own answer decides
/// before anything is unlinked or deleted.
void apply_next(events_self self) {
  auto& st = self->state;
  if (st.next == st.events.size())
    return next(self, atom::done_v);
  auto& e = st.events[st.next];
  if (e.object_type != "athlete")
    return recheck_activity(self, e.object_id);
  if (strava::deauthorizes(e.updates))
    return recheck_grant(self);
  applied(self);
}

/// The applied events go; the reminder stays due while events wait (one
/// may arrive from another process at any time) and goes only when none
/// is left. Events were applied: read again.
void write_applied(events_self self) {
  auto& st = self->state;
  auto user = std::to_string(st.ctx.user_id);
  std::vector<db_statement> xs;
  if (!st.applied.empty())
    xs.push_back(
      statement_of(stmt::strava_events_done, {sql_array(st.applied)}));
  if (st.retry_later)
    xs.push_back(reminder_set(st.ctx.user_id, user_strava_part::events_reminder,
                              std::chrono::system_clock::now() +
                                defaults::strava_events_retry));
  else if (st.events.empty())
    xs.push_back(statement_of(stmt::strava_events_forget, {user}));
  request_db(self, std::move(xs))
    .then(
      [=](db_reply&) {
        auto& st = self->state;
        if (st.retry_later || st.events.empty())
          return self->quit();
        next(self, atom::events_v);
      },
      [=](caf::error& err) {
        self->quit(std::move(err));
      });
}

} // namespace

strava_events_job_actor::behavior_type
strava_events_job(events_self self, strava_job_context ctx) {
  begin_strava_job(self, std::move(ctx));
  next(self, atom::events_v);
  return {
    [=](atom::internal, atom::events) {
      read_events(self);
    },
    [=](atom::internal, atom::webhook) {
      apply_next(self);
    },
    [=](atom::internal, atom::done) {
      write_applied(self);
    },
  };
}

} // namespace st
