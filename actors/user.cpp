#include "actors/user.hpp"

#include "actors/user_db.hpp"
#include "protocols/errors.hpp"

#include <stdexcept>

#include "util/dates.hpp"
#include "util/log.hpp"

namespace st {

using namespace user_db;

namespace {

#ifdef ST_TEST_HOOKS
/// The test-only reminder kind: logs when it fires, then goes.
constexpr const char* probe_reminder = "probe";

/// Sets the probe reminder at the next `second_of_day` on the user's clock;
/// answers the instant (ISO).
caf::result<std::string> set_probe(user_self self, int64_t second_of_day) {
  auto& st = self->state;
  if (!st.cfg->fault_injection)
    return make_error(user_ec::disabled, "Not Found");
  auto due =
    next_local_time(st.zone, std::chrono::system_clock::now(), second_of_day);
  auto unix =
    std::chrono::duration_cast<std::chrono::seconds>(due.time_since_epoch())
      .count();
  return run<std::string>(self, batch_of({st.remind_at(probe_reminder, due)}),
                          [unix](db_reply&) -> caf::expected<std::string> {
                            return format_unix(unix);
                          });
}

/// Fires the probe: one log line, then the row goes.
void fire_probe(user_self self) {
  auto& st = self->state;
  log_info("reminders", "probe fired for user " + std::to_string(st.id));
  st.write_in_background(self, st.forget_reminder(probe_reminder),
                         "the probe reminder");
}
#endif

} // namespace

db_value user_state::uid() const {
  return std::to_string(id);
}

int64_t user_state::today() const {
  return day_in(zone, std::chrono::system_clock::now());
}

list_query user_state::resolve_window(list_query q) const {
  auto to = q.to.empty() ? today() : *parse_date(q.to);
  if (q.to.empty())
    q.to = format_date(to);
  if (q.from.empty())
    q.from = format_date(to - q.days);
  return q;
}

db_statement
user_state::remind_at(const char* kind,
                      std::chrono::system_clock::time_point due) const {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
              due.time_since_epoch())
              .count();
  return statement_of(stmt::reminder_set,
                      {uid(), std::string{kind}, std::to_string(ms)});
}

db_statement user_state::forget_reminder(const char* kind) const {
  return statement_of(stmt::reminder_clear, {uid(), std::string{kind}});
}

void user_state::write_in_background(user_self self, db_statement x,
                                     const std::string& what) {
  auto batch = batch_of({std::move(x)});
  batch.bulk = true;
  self->request(db, caf::infinite, atom::exec_v, std::move(batch))
    .then([](db_reply&) {},
          [=](caf::error& err) {
            log_warn("users", "cannot write " + what + " of user " +
                                std::to_string(self->state.id) + ": " +
                                to_string(err));
          });
}

bool user_state::busy() const {
  return intervals.flight.running() || photo.in_flight > 0 || strava.busy() ||
         coach.in_flight > 0;
}

void user_state::work_ended(user_self self) {
  if (quit_when_idle && !busy())
    self->quit();
}

void user_state::rows_changed(user_table t) {
  training.rows_changed(t);
  coach.rows_changed(running_user(), t);
}

caf::error user_state::admit(user_self self, deadline d) {
  if (d.passed())
    return make_error(call_ec::expired, "the caller gave up");
  until = d;
  last_active = std::chrono::steady_clock::now();
  switch (account_state) {
  case account::unknown:
    profile.load(self); // the next request finds it, or tries again
    return make_error(db_ec::unavailable, "account not loaded");
  case account::missing:
    return make_error(user_ec::account_gone, "User not found");
  case account::exists:
    break;
  }
  // Trusted for a while; then re-read before the next request.
  if (std::chrono::steady_clock::now() > account_checked_until)
    profile.load(self);
  return caf::none;
}

namespace {

/// The user actor consuming a message on this thread.
thread_local user_actor_impl* running = nullptr;

} // namespace

user_self running_user() {
  return running;
}

namespace {

/// Every user actor's behaviour: one line per request that delegates to a
/// part. Built once; stateless handlers (see user_actor_impl).
user_actor::behavior_type shared_behavior() {
  return {
    // -- profile
    [](deadline d, atom::get, atom::profile) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.profile.get(self);
      });
    },
    [](deadline d, atom::patch, profile_patch& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.profile.patch(self, std::move(x));
      });
    },
    // -- diary
    [](deadline d, atom::add, food_entry& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.diary.add_food(self, std::move(x));
      });
    },
    [](deadline d, atom::get, food_ref x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.diary.food(self, x);
      });
    },
    [](deadline d, atom::patch, food_ref ref, food_patch& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.diary.patch_food(self, ref, std::move(x));
      });
    },
    [](deadline d, atom::del, food_ref x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.diary.delete_food(self, x);
      });
    },
    [](deadline d, atom::get, atom::day, std::string& date) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.diary.day(self, std::move(date));
      });
    },
    [](deadline d, atom::add, sleep_input& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.diary.add_sleep(self, std::move(x));
      });
    },
    [](deadline d, atom::get, sleep_query& q) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.diary.sleep(self, std::move(q));
      });
    },
    // -- training
    [](deadline d, atom::put, wellness_input& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.training.put_wellness(self, std::move(x));
      });
    },
    [](deadline d, atom::get, atom::wellness, list_query& q) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.training.wellness(self, std::move(q));
      });
    },
    [](deadline d, atom::add, workout_input& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.training.add_workout(self, std::move(x));
      });
    },
    [](deadline d, atom::patch, workout_ref ref, workout_input& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.training.patch_workout(self, ref, std::move(x));
      });
    },
    [](deadline d, atom::del, workout_ref x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.training.delete_workout(self, x);
      });
    },
    [](deadline d, atom::get, atom::workouts, list_query& q) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.training.workouts(self, std::move(q));
      });
    },
    [](deadline d, atom::get, fitness_query& q) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.training.fitness_of(self, std::move(q));
      });
    },
    [](deadline d, atom::add, fit_upload& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.training.import_fit(self, std::move(x));
      });
    },
    // -- intervals
    [](deadline d, atom::get, atom::intervals) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.intervals.status(self);
      });
    },
    [](deadline d, atom::link, intervals_link& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.intervals.link_key(self, std::move(x));
      });
    },
    [](deadline d, atom::unlink) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.intervals.unlink(self);
      });
    },
    [](deadline d, atom::sync) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.intervals.sync(self);
      });
    },
    [](deadline d, atom::get, atom::events, list_query& q) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.intervals.events(self, std::move(q));
      });
    },
    [](deadline d, atom::get, atom::activities, list_query& q) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.intervals.activities(self, std::move(q));
      });
    },
    [](deadline d, atom::add, planned_event& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.intervals.push_event(self, std::move(x));
      });
    },
    // -- photo
    [](deadline d, atom::analyze, meal_photo& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.photo.analyze_meal(self, std::move(x));
      });
    },
    [](deadline d, atom::analyze, photo_upload& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.photo.analyze_photo(self, std::move(x));
      });
    },
    [](deadline d, atom::analyze, sleep_photo& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.photo.analyze_sleep(self, std::move(x));
      });
    },
    // -- strava
    [](deadline d, atom::get, atom::strava) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.strava.status(self);
      });
    },
    [](deadline d, atom::authorize) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.strava.authorize(self);
      });
    },
    [](deadline d, atom::link, strava_code& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.strava.link_code(self, std::move(x));
      });
    },
    [](deadline d, atom::sync, atom::strava) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.strava.sync(self);
      });
    },
    [](deadline d, atom::unlink, atom::strava) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.strava.unlink(self);
      });
    },
    [](deadline d, atom::get, atom::strava, list_query& q) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.strava.activities(self, std::move(q));
      });
    },
    [](deadline d, atom::get, atom::strava, atom::fitness) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.strava.fitness_of(self);
      });
    },
    [](deadline d, atom::refresh, atom::strava) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.strava.refresh_profile(self);
      });
    },
    // -- coach
    [](deadline d, atom::decide, decision_request& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.coach.decide(self, std::move(x));
      });
    },
    [](deadline d, atom::get, decision_query q) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.coach.decisions(self, q);
      });
    },
    [](deadline d, atom::get, chat_history_query q) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.coach.history(self, q);
      });
    },
    [](deadline d, atom::chat, chat_message& x) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return self->state.coach.send(self, std::move(x));
      });
    },
    // -- core
    [](atom::internal, atom::remind, const std::string& kind) -> bool {
      auto self = running_user();
      auto& st = self->state;
      // Not loaded (the database refused): not taken; it fires again
      // after its lease.
      if (st.account_state == user_state::account::unknown) {
        st.profile.load(self);
        return false;
      }
      // No caller waits: the work gets the background time of its facet.
      st.until =
        deadline::in(st.cfg->intervals ? st.cfg->intervals->background_call_time
                                       : std::chrono::seconds(600));
      if (kind == user_intervals_part::refresh_reminder && st.cfg->intervals)
        st.intervals.refresh_due(self);
      else if (kind == user_strava_part::sync_reminder && st.cfg->strava)
        st.strava.sync_due(self);
      else if (kind == user_strava_part::events_reminder && st.cfg->strava)
        st.strava.events_due(self);
      else if (kind == user_strava_part::purge_reminder && st.cfg->strava)
        st.strava.purge_due(self);
      else if (kind == user_coach_part::decision_reminder)
        st.coach.decision_due(self);
#ifdef ST_TEST_HOOKS
      else if (kind == probe_reminder)
        fire_probe(self);
#endif
      else
        log_warn("reminders", "user " + std::to_string(st.id) +
                                ": no facet handles reminder kind " + kind);
      return true;
    },
    [](atom::internal, atom::passivate) {
      auto self = running_user();
      if (self->state.busy())
        self->state.quit_when_idle = true; // finish that work first
      else
        self->quit();
    },
#ifdef ST_TEST_HOOKS
    [](deadline d, fault_probe x) -> caf::result<bool> {
      auto self = running_user();
      if (!self->state.cfg->fault_injection)
        return make_error(user_ec::disabled, "Not Found");
      if (x.crash)
        throw std::runtime_error("injected fault in user actor " +
                                 std::to_string(self->state.id));
      return true;
    },
    [](deadline d, atom::remind, int64_t second_of_day) {
      auto self = running_user();
      return admitted(self, d, [&] {
        return set_probe(self, second_of_day);
      });
    },
#endif
    [](atom::internal, atom::tick) {
      auto self = running_user();
      auto& st = self->state;
      // The registry's idle sweep: no request for the idle time, and no
      // work in flight → ask to passivate (it answers with passivate).
      if (st.busy() || std::chrono::steady_clock::now() - st.last_active <
                         st.cfg->idle_timeout)
        return;
      self->send(st.registry, atom::internal_v, atom::passivate_v, st.id);
    },
  };
}

} // namespace

user_actor_impl::user_actor_impl(caf::actor_config& cfg, int32_t id,
                                 db_actor db, user_registry_actor registry,
                                 std::shared_ptr<const user_settings> settings)
  : super(cfg) {
  auto& st = state;
  st.id = id;
  st.db = std::move(db);
  st.registry = std::move(registry);
  st.cfg = std::move(settings);
  st.mailbox.enter(st.cfg->mailboxes);
}

caf::invoke_message_result user_actor_impl::consume(caf::mailbox_element& x) {
  auto outer = std::exchange(running, this);
  log_scope scope{{{}, state.id, "user"}};
  auto result = super::consume(x);
  running = outer;
  // What waits behind this message (the size moves new mail in: O(new)).
  state.mailbox.file(mailbox_depth(this));
  return result;
}

user_actor_impl::behavior_type user_actor_impl::make_behavior() {
  auto& st = state;
  // The user's budget is split between the two kinds of pages.
  auto own = st.cfg->cache_bytes_per_user / 2;
  st.training.wellness_pages.bind(st.cfg->caches, own);
  st.training.workout_pages.bind(st.cfg->caches, own);
  // Every request finds the account (and time zone) known: they wait in
  // the mailbox until this first read is in.
  st.profile.load(this);
  static const auto behavior = shared_behavior();
  return behavior;
}

} // namespace st
