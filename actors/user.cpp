#include "actors/user.hpp"

#include "actors/user_db.hpp"
#include "actors/user_diary.hpp"
#include "actors/user_strava.hpp"
#include "protocols/errors.hpp"

#include <stdexcept>

#include "util/dates.hpp"
#include "util/locales.hpp"
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
  return reminder_set(id, kind, due);
}

db_statement user_state::forget_reminder(const char* kind) const {
  return reminder_clear(id, kind);
}

void user_state::write_in_background(user_self self, db_statement x,
                                     const std::string& what) {
  user_db::write_in_background(self, db, id, std::move(x), what);
}

bool user_state::busy() const {
  return std::apply(
    [](const auto&... x) {
      return (x.busy() || ...);
    },
    parts);
}

bool user_state::remind(user_self self, std::string_view kind) {
  auto owns = [kind](const auto& x) {
    for (auto* owned : x.reminder_kinds)
      if (kind == owned)
        return true;
    return false;
  };
  bool taken = false;
  std::apply(
    [&](auto&... x) {
      ((!taken && owns(x) ? (x.remind(self, kind), taken = true) : false), ...);
    },
    parts);
  return taken;
}

const athlete_profile* user_state::athlete() const {
  return part<user_profile_part>().cached.get();
}

const std::string& user_state::account_email() const {
  return part<user_profile_part>().email;
}

std::string user_state::answer_locale(const std::string& asked) const {
  return request_locale(asked, athlete()->locale);
}

bool user_state::reminder_found(std::string_view kind) const {
  auto& found = part<user_profile_part>().reminders;
  return std::find(found.begin(), found.end(), kind) != found.end();
}

void user_state::reload_profile(user_self self) {
  part<user_profile_part>().load(self);
}

athlete_profile user_state::profile_row_read(user_self self,
                                             const std::vector<db_value>& row) {
  return part<user_profile_part>().remember_row(self, row);
}

bool user_state::premium() const {
  return athlete()->is_premium;
}

namespace {

const char* usage_column(usage_kind kind) {
  return kind == usage_kind::photo ? "photo" : "chat";
}

} // namespace

void user_state::charge_ai(user_self self, usage_kind kind, deadline until,
                           std::function<void(caf::expected<ai_charge>)> k) {
  if (premium())
    return k(ai_charge{});
  auto limit = kind == usage_kind::photo ? cfg->tiers.photo_per_day
                                         : cfg->tiers.chat_per_day;
  auto refused = make_error(user_ec::daily_limit,
                            "Daily limit of " + std::to_string(limit) +
                              " reached. Upgrade to Pro for unlimited access.",
                            limit);
  if (limit <= 0)
    return k(std::move(refused));
  ai_charge charge{true, today(), kind};
  request_db(
    self,
    batch_of({statement_of(stmt::usage_charge,
                           {uid(), format_date(charge.day),
                            std::string{usage_column(kind)}, param(limit)})}),
    until)
    .then(
      [=](db_reply& r) mutable {
        if (first_row(r) == nullptr)
          return k(std::move(refused));
        k(charge);
      },
      [=](caf::error& err) mutable {
        k(std::move(err));
      });
}

void user_state::refund_ai(user_self self, const ai_charge& c) {
  if (!c.counted)
    return;
  write_in_background(
    self,
    statement_of(stmt::usage_refund, {uid(), format_date(c.day),
                                      std::string{usage_column(c.kind)}}),
    "usage refund");
}

std::optional<bool> user_state::intervals_linked() const {
  auto& link = part<user_intervals_part>().link;
  if (!link)
    return std::nullopt;
  return static_cast<bool>(*link);
}

void user_state::intervals_link_read(const std::vector<db_value>* row) {
  part<user_intervals_part>().remember_link(row);
}

void user_state::planned_events(
  user_self self, const std::string& day, bool background,
  std::function<void(std::vector<intervals_event>)> k) {
  part<user_intervals_part>().events_of_day(self, day, background,
                                            std::move(k));
}

void user_state::put_on_calendar(
  user_self self, planned_event x, bool background,
  std::function<void(caf::expected<intervals_event>)> k) {
  part<user_intervals_part>().push(self, std::move(x), background,
                                   std::move(k));
}

void user_state::work_ended(user_self self) {
  if (quit_when_idle && !busy())
    self->quit();
}

void user_state::rows_changed(user_table t) {
  auto self = running_user();
  std::apply(
    [&](auto&... x) {
      (x.rows_changed(self, t), ...);
    },
    parts);
}

caf::error user_state::admit(user_self self, deadline d) {
  if (d.passed())
    return make_error(call_ec::expired, "the caller gave up");
  until = d;
  last_active = std::chrono::steady_clock::now();
  switch (account_state) {
  case account::unknown:
    reload_profile(self); // the next request finds it, or tries again
    return make_error(db_ec::unavailable, "account not loaded");
  case account::missing:
    return make_error(user_ec::account_gone, "User not found");
  case account::exists:
    break;
  }
  // Trusted for a while; then re-read before the next request.
  if (std::chrono::steady_clock::now() > account_checked_until)
    reload_profile(self);
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

/// The core's own handlers: reminders, passivation, the idle sweep (and
/// the test build's hooks).
user_core_facet::behavior_type core_behavior() {
  return {
    [](atom::internal, atom::remind, const std::string& kind) -> bool {
      auto self = running_user();
      auto& st = self->state;
      // Not loaded (the database refused): not taken; it fires again
      // after its lease.
      if (st.account_state == user_state::account::unknown) {
        st.reload_profile(self);
        return false;
      }
      // No caller waits: the work gets the background time of its facet.
      st.until =
        deadline::in(st.cfg->intervals ? st.cfg->intervals->background_call_time
                                       : std::chrono::seconds(600));
      if (st.remind(self, kind))
        return true;
#ifdef ST_TEST_HOOKS
      if (kind == probe_reminder) {
        fire_probe(self);
        return true;
      }
#endif
      log_warn("reminders", "user " + std::to_string(st.id) +
                              ": no facet handles reminder kind " + kind);
      return true;
    },
    [](deadline d, atom::erase) -> caf::result<bool> {
      auto self = running_user();
      return admitted(self, d, [&]() -> caf::result<bool> {
        auto rp = self->make_response_promise<bool>();
        user_strava_part::deauthorize_link(self, [=]() mutable {
          auto& st = self->state;
          request_db(self,
                     batch_of({statement_of(stmt::account_erase, {st.uid()})}))
            .await(
              [=](db_reply& r) mutable {
                auto& st = self->state;
                log_info("users",
                         "user " + std::to_string(st.id) + ": account deleted");
                for (auto& row : r.results[0].rows)
                  user_diary_part::forget_image(self, row[0].value_or(""));
                // Every later request answers account_gone; the actor
                // ends once its work in flight is done.
                st.account_state = user_state::account::missing;
                rp.deliver(true);
                if (st.busy())
                  st.quit_when_idle = true;
                else
                  self->quit();
              },
              [=](caf::error& err) mutable {
                rp.deliver(std::move(err));
              });
        });
        return rp;
      });
    },
    [](deadline d, atom::fetch, export_page x) -> caf::result<db_rows> {
      auto self = running_user();
      return admitted(self, d, [&]() -> caf::result<db_rows> {
        auto& sections = export_sections();
        if (x.section < 0 || static_cast<size_t>(x.section) >= sections.size())
          return make_error(user_ec::not_found, "No such export section");
        auto& s = sections[static_cast<size_t>(x.section)];
        auto rp = self->make_response_promise<db_rows>();
        request_db(self, batch_of({statement_of(
                           s.id, {self->state.uid(), std::to_string(x.after),
                                  std::to_string(s.page_rows)})}))
          .then(
            [=](db_reply& r) mutable {
              rp.deliver(std::move(r.results[0]));
            },
            [=](caf::error& err) mutable {
              rp.deliver(std::move(err));
            });
        return rp;
      });
    },
    [](atom::internal, atom::passivate) {
      auto self = running_user();
      if (self->state.busy())
        self->state.quit_when_idle = true; // finish that work first
      else
        self->quit();
    },
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

#ifdef ST_TEST_HOOKS
/// The test build's hooks (FAULT_INJECTION=true).
user_test_hooks_facet::behavior_type test_hooks_behavior() {
  return {
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
  };
}
#endif

template<class... Parts>
constexpr bool composes(std::tuple<Parts...>*) {
#ifdef ST_TEST_HOOKS
  return std::is_same<
    user_actor, user_core_facet::extend_with<typename Parts::facet...,
                                             user_test_hooks_facet>>::value;
#else
  return std::is_same<
    user_actor, user_core_facet::extend_with<typename Parts::facet...>>::value;
#endif
}
static_assert(composes(static_cast<user_parts*>(nullptr)),
              "user_parts and user_actor (protocols/actors.hpp) must list the "
              "same facets, in the same order");

caf::message_handler handler_of(caf::behavior x) {
  return caf::message_handler{x.as_behavior_impl()};
}

template<class... Parts>
caf::message_handler facets_of(std::tuple<Parts...>*) {
  auto result = handler_of(core_behavior().unbox());
#ifdef ST_TEST_HOOKS
  result = result.or_else(handler_of(test_hooks_behavior().unbox()));
#endif
  ((result = result.or_else(handler_of(Parts::behavior().unbox()))), ...);
  return result;
}

/// Every user actor's behaviour: the core's and each facet's, each checked
/// against its interface, together the user actor's. Built once;
/// stateless handlers (see user_actor_impl).
user_actor::behavior_type shared_behavior() {
  return {user_actor::behavior_type::unsafe_init{},
          caf::behavior{facets_of(static_cast<user_parts*>(nullptr))}};
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
  auto& training = st.part<user_training_part>();
  training.wellness_pages.bind(st.cfg->caches, own);
  training.workout_pages.bind(st.cfg->caches, own);
  // Every request finds the account (and time zone) known: they wait in
  // the mailbox until this first read is in.
  st.reload_profile(this);
  // A facet's job actor ended: each part checks whether it was its own.
  set_down_handler([](caf::scheduled_actor*, caf::down_msg& dm) {
    auto self = running_user();
    std::apply(
      [&](auto&... x) {
        (x.ended(self, dm), ...);
      },
      self->state.parts);
  });
  static const auto behavior = shared_behavior();
  return behavior;
}

} // namespace st
