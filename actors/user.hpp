#pragma once

#include "actors/cache_budget.hpp"
#include "actors/mailbox_census.hpp"
#include "actors/user_analytics.hpp"
#include "actors/user_coach.hpp"
#include "actors/user_diary.hpp"
#include "actors/user_intervals.hpp"
#include "actors/user_photo.hpp"
#include "actors/user_profile.hpp"
#include "actors/user_strava.hpp"
#include "actors/user_training.hpp"
#include "protocols/fernet.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "domain/time_zone.hpp"

namespace st {

/// What user actors need for Intervals.icu (one copy, shared).
struct intervals_settings {
  std::string base_url; ///< without a trailing `/`
  /// Encrypts stored API keys; none = stored as sent (development only).
  std::optional<fernet_key> key;
  /// Production without a key: refuse to store credentials at all.
  bool refuse_plaintext = false;
  /// Background refresh period; zero = off.
  std::chrono::seconds refresh_period{0};
  /// How long a background sync's upstream calls may take, retries
  /// included (interactive calls carry their caller's deadline).
  std::chrono::seconds background_call_time{600};
};

/// What every user actor is configured with.
/// Free and premium tiers (http-api-head.md §1.2-1.3): on only where the
/// operator wants them; off, every athlete has every feature and nothing
/// is counted.
struct usage_tiers {
  bool on = false;
  int64_t photo_per_day = 3; ///< image and meal readings of a free athlete
  int64_t chat_per_day = 10; ///< chat replies of a free athlete
};

/// What one metered model call is counted as.
enum class usage_kind : uint8_t { photo, chat };

/// A model call counted against a free athlete's day (none for premium).
struct ai_charge {
  bool counted = false;
  int64_t day = 0;
  usage_kind kind = usage_kind::photo;
};

struct user_settings {
  caf::timespan idle_timeout = std::chrono::seconds(900);
  usage_tiers tiers;
#ifdef ST_TEST_HOOKS
  bool fault_injection = false; ///< tests: honour fault_probe
#endif
  upstream_actor upstream;
  gemini_broker_actor gemini;
  upload_pool_actor uploads;
  image_store_actor images;
  std::shared_ptr<const intervals_settings> intervals;
  std::shared_ptr<const strava_settings> strava;
  std::shared_ptr<const coach_settings> coach =
    std::make_shared<const coach_settings>();
  /// Bytes all user actors' cached pages may hold together, and one's.
  std::shared_ptr<cache_budget> caches;
  size_t cache_bytes_per_user = 2 * 1024 * 1024;
  /// How long a check that the account exists is trusted (a row deleted
  /// behind the service's back stops answering within it).
  std::chrono::seconds account_ttl{30};
  /// The user actors' mailbox depths (admin stats).
  std::shared_ptr<mailbox_census> mailboxes =
    std::make_shared<mailbox_census>();
};

/// The user actor's facets, in one place: each part is a piece of the
/// state, a behaviour, its reminders, its busyness and its caches
/// (actors/user_facet.hpp has the contract).
using user_parts =
  std::tuple<user_profile_part, user_diary_part, user_training_part,
             user_intervals_part, user_photo_part, user_strava_part,
             user_coach_part, user_analytics_part>;

/// One athlete's actor: a small core (id, handles, the account, the
/// request in progress, passivation) and one part per facet. Requests are
/// handled one at a time (database replies are awaited), so one user's
/// writes apply in arrival order and the parts' caches stay coherent.
struct user_state {
  int32_t id = 0;
  db_actor db;
  user_registry_actor registry;
  std::shared_ptr<const user_settings> cfg;
  /// The deadline of the request in progress.
  deadline until;
  /// The account: unknown until loaded, then whether it exists, until when
  /// that is trusted, and its time zone (null = UTC).
  enum class account : uint8_t {
    unknown,
    exists,
    missing
  } account_state = account::unknown;
  std::chrono::steady_clock::time_point account_checked_until;
  zone_ptr zone = nullptr;
  bool quit_when_idle = false; ///< passivation waits for a sync in flight
  /// Its place among the user actors' mailbox depths (left with the state).
  mailbox_census_entry mailbox;
  /// When the user last asked for anything (the registry's idle sweep).
  std::chrono::steady_clock::time_point last_active =
    std::chrono::steady_clock::now();

  user_parts parts;

  /// The part of one facet: for the core and the part itself.
  template<class Part>
  [[nodiscard]] Part& part() {
    return std::get<Part>(parts);
  }
  template<class Part>
  [[nodiscard]] const Part& part() const {
    return std::get<Part>(parts);
  }

  /// Whether work the user did not wait for is under way (a sync, a
  /// photo with the model): the actor is not passivated then.
  [[nodiscard]] bool busy() const;

  /// The reminder of `kind` is due: its facet takes it; false when no
  /// facet owns the kind.
  bool remind(user_self self, std::string_view kind);

  // -- what a facet asks of another, through the core ------------------------

  /// The athlete's profile and the account's e-mail (loaded before any
  /// request is admitted).
  [[nodiscard]] const athlete_profile* athlete() const;
  [[nodiscard]] const std::string& account_email() const;
  /// Whether a reminder row of `kind` existed when the profile was read.
  [[nodiscard]] bool reminder_found(std::string_view kind) const;
  /// Another facet wrote the profile row: read it again, or take the row
  /// it read (answered as the profile).
  void reload_profile(user_self self);
  athlete_profile profile_row_read(user_self self,
                                   const std::vector<db_value>& row);

  /// Whether Intervals.icu is linked; none until the link was read (a
  /// facet may read the row along with its own and hand it over).
  [[nodiscard]] std::optional<bool> intervals_linked() const;
  void intervals_link_read(const std::vector<db_value>* row);
  /// The planned events of `day` ([] when not linked or on failure), and
  /// an event put on the calendar.
  void planned_events(user_self self, const std::string& day, bool background,
                      std::function<void(std::vector<intervals_event>)> k);
  void put_on_calendar(user_self self, planned_event x, bool background,
                       std::function<void(caf::expected<intervals_event>)> k);

  /// The language answers to a request are in: the one it `asked` for
  /// when supported, else the athlete's own (util/locales).
  [[nodiscard]] std::string answer_locale(const std::string& asked) const;

  /// Whether the athlete has every feature: premium, or tiers are off.
  [[nodiscard]] bool premium() const;

  /// Counts one model call of `kind` against a free athlete's day (their
  /// own day) before it is made: `k(charge)` to go ahead (nothing counted
  /// for premium), or `k(user_ec::daily_limit)`. Concurrent calls cannot
  /// pass the limit: the count rises in the database only below it.
  void charge_ai(user_self self, usage_kind kind, deadline until,
                 std::function<void(caf::expected<ai_charge>)> k);

  /// Gives a charge back: its model call was not made or failed.
  void refund_ai(user_self self, const ai_charge& c);

  /// The user id as a SQL parameter.
  [[nodiscard]] db_value uid() const;

  /// The user's today (days since 1970-01-01) in their time zone.
  [[nodiscard]] int64_t today() const;

  /// `q` with an empty bound resolved against the user's today.
  [[nodiscard]] list_query resolve_window(list_query q) const;

  /// The statement that sets the user's reminder of `kind` due at `due`
  /// (ending any claim on it), and the one that drops it.
  [[nodiscard]] db_statement
  remind_at(const char* kind, std::chrono::system_clock::time_point due) const;
  [[nodiscard]] db_statement forget_reminder(const char* kind) const;

  /// Runs `x` in the pool's bulk lane without awaiting it (background
  /// schedule upkeep: a lost write only means a claimed reminder fires
  /// again after its lease); a failure is logged with `what`.
  void write_in_background(user_self self, db_statement x,
                           const std::string& what);

  /// Background work ended: a passivation that waited for it happens now
  /// (when no other work is left).
  void work_ended(user_self self);

  /// A part changed rows of `t`: the parts drop what it makes stale.
  void rows_changed(user_table t);

  /// Whether this request may run: answers why not (expired, account
  /// gone or unknown), else records its deadline as the one in progress.
  [[nodiscard]] caf::error admit(user_self self, deadline d);

  static inline const char* name = "user";
};

/// The user actor whose message this thread is handling.
[[nodiscard]] user_self running_user();

/// Runs `handle()` for a request with deadline `d` once admitted.
template<class F>
auto admitted(user_self self, deadline d, F handle) -> decltype(handle()) {
  if (auto err = self->state.admit(self, d))
    return err;
  return handle();
}

/// A facet's request: once admitted, `method` of the running actor's part
/// with `xs...` (each facet handler is one such line).
template<class Part, class Result, class... Params, class... Xs>
Result serve(deadline d, Result (Part::*method)(user_self, Params...),
             Xs&&... xs) {
  auto self = running_user();
  return admitted(self, d, [&] {
    return (self->state.template part<Part>().*method)(self,
                                                       std::forward<Xs>(xs)...);
  });
}

/// The user actor. Its behaviour is built once and shared by every user
/// actor (an actor's own copy of ~30 handlers would cost 1.3 KB each): a
/// handler finds the actor it runs in through `running_user()`, set for
/// every message this actor consumes.
class user_actor_impl
  : public caf::stateful_actor<user_state, user_actor::base> {
public:
  using super = caf::stateful_actor<user_state, user_actor::base>;

  /// @param id the user's id.
  /// @param db the DB pool.
  /// @param registry the supervisor, asked before passivating.
  user_actor_impl(caf::actor_config& cfg, int32_t id, db_actor db,
                  user_registry_actor registry,
                  std::shared_ptr<const user_settings> settings);

  using super::consume;

  caf::invoke_message_result consume(caf::mailbox_element& x) override;

  behavior_type make_behavior() override;
};

} // namespace st
