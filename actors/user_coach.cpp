#include "actors/user_coach.hpp"

#include "actors/user.hpp"
#include "actors/user_analytics.hpp"
#include "actors/user_db.hpp"
#include "protocols/coach.hpp"
#include "protocols/errors.hpp"

#include <algorithm>
#include <functional>

#include "domain/chat_texts.hpp"
#include "domain/coach_prompts.hpp"
#include "domain/readiness.hpp"
#include "domain/time_zone.hpp"
#include "domain/training_load.hpp"
#include "util/dates.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace st {

using namespace user_db;

namespace {

using sys_clock = std::chrono::system_clock;
using std::chrono::milliseconds;

/// The 502 detail of a chat whose model call failed (http-api-head.md §6
/// item 19).
constexpr const char* chat_failed = "AI service unavailable. Please try again.";

/// Threads this actor remembers as the athlete's, at most (past it the
/// memory starts again: a check costs one round trip).
constexpr size_t most_known_threads = 1024;

const coach_settings& config(user_self self) {
  return *self->state.cfg->coach;
}

user_coach_part& part(user_self self) {
  return self->state.part<user_coach_part>();
}

/// The athletes' clock now (faster than the system's in tests).
sys_clock::time_point coach_now(user_self self) {
  return sys_clock::time_point{milliseconds{config(self).clock.now()}};
}

int64_t coach_today(user_self self) {
  return day_in(self->state.zone, coach_now(self));
}

/// Now by the app's clock `client_now` when it is within [now − 24 h,
/// now + 5 min] (a message written just before midnight, a phone a little
/// fast), else by the coach's (http-api-head.md §3.9.7).
sys_clock::time_point client_moment(user_self self,
                                    const opt_string& client_now) {
  auto now = coach_now(self);
  auto secs = client_now ? parse_unix(*client_now) : std::nullopt;
  if (!secs)
    return now;
  auto t = sys_clock::time_point{std::chrono::seconds{*secs}};
  if (t < now - std::chrono::hours{24} || t > now + std::chrono::minutes{5})
    return now;
  return t;
}

int64_t ms_of(sys_clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

/// One more piece of work with the model; `settle_one` ends it (and lets
/// a passivation that waited go ahead).
void start_one(user_self self) {
  ++part(self).in_flight;
}

void settle_one(user_self self) {
  --part(self).in_flight;
  self->state.work_ended(self);
}

// -- the schedule -------------------------------------------------------------

/// The athlete's decision hours.
const std::vector<int64_t>& hours_of(user_self self) {
  return self->state.athlete()->decision_hours;
}

/// Writes the decision reminder, in order with the next such write (two
/// background writes could pass each other on two connections).
void write_reminder(user_self self, db_statement x) {
  auto batch = batch_of({std::move(x)});
  batch.bulk = true;
  request_db(self, std::move(batch), deadline::in(std::chrono::seconds{30}))
    .await([](db_reply&) {},
           [self](caf::error& err) {
             log_warn("coach", "cannot write the decision reminder of user " +
                                 std::to_string(self->state.id) + ": " +
                                 to_string(err));
           });
}

/// The reminder at the first slot after `after` (the athletes' clock), or
/// its removal when the athlete has no decision hours.
db_statement schedule_after(user_self self, sys_clock::time_point after) {
  auto& st = self->state;
  std::optional<sys_clock::time_point> next;
  for (auto h : hours_of(self)) {
    auto t = next_local_time(st.zone, after, h * 3600);
    if (!next || t < *next)
      next = t;
  }
  constexpr auto kind = user_coach_part::decision_reminder;
  if (!next)
    return st.forget_reminder(kind);
  auto due = sys_clock::now() + config(self).clock.until(ms_of(*next));
  return st.remind_at(kind, due);
}

void write_schedule(user_self self, sys_clock::time_point after) {
  write_reminder(self, schedule_after(self, after));
}

std::string schedule_key_of(user_self self) {
  auto& p = *self->state.athlete();
  std::string key = p.timezone.value_or("UTC") + "|";
  for (auto h : p.decision_hours)
    key += std::to_string(h) + ",";
  return key;
}

// -- the context --------------------------------------------------------------

/// What one batch gathered for a decision or a reply.
struct gathered {
  athlete_day day;
  readiness_assessment rules;   ///< what the rules made of the day
  bool decided_already = false; ///< the slot has its decision

  /// Something the model could judge: readiness or load for an athlete,
  /// also today's food for advice. Without it the model is not asked.
  [[nodiscard]] bool askable() const {
    return rules.judgeable || (day.advice && !day.food.entries.empty());
  }

  /// The rules' word alone: their decision, or their advice.
  [[nodiscard]] daily_decision by_rules() const {
    return day.advice ? rules_advice(rules) : rules_decision(rules);
  }
};

/// Indices of the gathering batch's results that are always there; the
/// others are asked only when needed.
enum gather_slot : size_t {
  food_result,
  wellness_result,
  workouts_result,
  tss_result,
  sleep_result,
};

/// Appends `make()` to `xs` when `wanted`; answers its index.
template<class F>
std::optional<size_t> add_if(std::vector<db_statement>& xs, bool wanted,
                             F make) {
  if (!wanted)
    return std::nullopt;
  xs.push_back(make());
  return xs.size() - 1;
}

/// The rows of result `at` (none asked: no rows).
const std::vector<std::vector<db_value>>&
rows_at(const db_reply& r, const std::optional<size_t>& at) {
  static const std::vector<std::vector<db_value>> none;
  return at ? r.results[*at].rows : none;
}

/// A batch of a decision: a scheduled slot's is bulk work (a slot's storm
/// never delays what someone waits for).
db_batch batch_for(std::vector<db_statement> xs, const opt_int& slot) {
  auto batch = batch_of(std::move(xs));
  batch.bulk = static_cast<bool>(slot);
  return batch;
}

/// Stored messages, newest first, as the chat's lines, oldest first.
std::vector<chat_line>
chat_lines_of(const std::vector<std::vector<db_value>>& rows) {
  std::vector<chat_line> result;
  for (auto i = rows.rbegin(); i != rows.rend(); ++i)
    result.push_back(
      chat_line{(*i)[0].value_or(""), (*i)[1].value_or(""), (*i)[2]});
  return result;
}

/// CTL/ATL/TSB of completed training for `day`: Intervals.icu's figures of
/// the last finished day when it sent them (today's may count planned
/// workouts), else computed from the completed workouts.
fitness completed_load(const athlete_day& x, const db_rows& tss) {
  auto today = format_date(x.day);
  for (auto i = x.wellness.rbegin(); i != x.wellness.rend(); ++i) {
    if (i->date >= today || !i->ctl)
      continue;
    auto ctl = *i->ctl;
    auto atl = i->atl.value_or(0);
    return fitness{
      true,    round_to(ctl, 1), round_to(atl, 1), round_to(ctl - atl, 1),
      i->date, caf::none};
  }
  std::vector<std::pair<int64_t, double>> daily;
  for (auto& row : tss.rows)
    if (auto d = parse_date(row[0].value_or("")))
      daily.emplace_back(*d, num(row[1]).value_or(0));
  auto result = compute_fitness(daily, x.day);
  result.date = today;
  return result;
}

/// Whether a workout of `xs` started on `day` on the athlete's clock.
bool trained_on(zone_ptr zone, int64_t day, const std::vector<workout>& xs) {
  return std::any_of(xs.begin(), xs.end(), [&](const workout& w) {
    auto secs = parse_unix(w.start_date);
    return secs &&
           day_in(zone, sys_clock::time_point{std::chrono::seconds{*secs}}) ==
             day;
  });
}

/// Reads everything about `day` in one batch (one round trip), takes the
/// profile from the cache, then (for an athlete's decision, when linked)
/// the day's planned events from Intervals.icu. For a decision it also
/// tells an athlete from someone to advise. The model answers in the
/// language `asked` names, else the athlete's own.
void gather(user_self self, int64_t day, opt_int slot,
            std::optional<int32_t> thread, const std::string& asked,
            deadline until, std::vector<db_statement> also,
            std::function<void(caf::expected<gathered>)> k) {
  auto& st = self->state;
  auto uid = st.uid();
  auto date = format_date(day);
  bool strava_allowed = config(self).strava_in_ai;
  bool need_link = !st.intervals_linked();
  std::vector<db_statement> xs{
    statement_of(stmt::food_day, {uid, date}),
    statement_of(stmt::wellness_range,
                 {uid, format_date(day - 60), date, "1000", "0"}),
    statement_of(stmt::workout_range,
                 {uid, format_date(day - 14), date, flag(false)}),
    statement_of(stmt::completed_daily_tss, {uid, date}),
    statement_of(stmt::sleep_range, {uid, format_date(day - 7), date, "20"}),
  };
  bool chat = static_cast<bool>(thread);
  auto chat_at = add_if(xs, chat, [&] {
    return statement_of(stmt::chat_recent,
                        {uid, std::to_string(config(self).history_messages),
                         param(int64_t{*thread})});
  });
  // The coach's memory of the last week (premium chat, §4.7).
  auto memory_at = add_if(xs, chat && st.premium(), [&] {
    return statement_of(stmt::weekly_summary_latest, {uid});
  });
  // Athlete or not (the decision's mode): the profile's word, else a
  // link, an FTP, a race or a recent workout (domain/analytics); the
  // workout is looked for only when the profile has no word of its own.
  auto recent_at = add_if(xs, !chat && !st.athlete()->is_athlete, [&] {
    return user_analytics_part::recent_workout_query(st, coach_now(self));
  });
  auto slot_at = add_if(xs, static_cast<bool>(slot), [&] {
    return statement_of(stmt::decision_exists, {uid, date, param(*slot)});
  });
  auto link_at = add_if(xs, need_link, [&] {
    return statement_of(stmt::intervals_credentials, {uid});
  });
  auto strava_at = add_if(xs, strava_allowed, [&] {
    return user_strava_part::activity_range(st, day - 14, day);
  });
  xs.insert(xs.end(), also.begin(), also.end());
  request_db(self, batch_for(std::move(xs), slot), until)
    .then(
      [=](db_reply& r) {
        auto& st = self->state;
        if (need_link)
          st.intervals_link_read(first_row(r, *link_at));
        gathered g;
        auto& x = g.day;
        x.day = day;
        x.profile = *st.athlete();
        x.locale = st.answer_locale(asked);
        x.email = st.account_email();
        x.food = user_diary_part::food_day_of(date, r.results[food_result]);
        for (auto& row : r.results[wellness_result].rows)
          x.wellness.push_back(user_training_part::wellness_of(row));
        for (auto& row : r.results[workouts_result].rows) {
          if (x.workouts.size() == 10)
            break;
          x.workouts.push_back(user_training_part::workout_of(row));
        }
        for (auto& row : r.results[sleep_result].rows)
          x.sleep.push_back(user_diary_part::sleep_of(row));
        x.history = chat_lines_of(rows_at(r, chat_at));
        if (auto& memory = rows_at(r, memory_at); !memory.empty())
          x.coach_memory = memory[0][0];
        x.load = completed_load(x, r.results[tss_result]);
        readiness_input readiness{day, x.wellness, photo_sleep_hours(x),
                                  x.load};
        g.rules = assess_readiness(readiness);
        bool intervals_linked = st.intervals_linked().value_or(false);
        if (!chat) {
          x.advice =
            !user_analytics_part::athlete_of(st, rows_at(r, recent_at));
          x.trained_today = trained_on(st.zone, day, x.workouts);
          if (g.rules.decision != "Go")
            x.readiness_flags = g.rules.findings;
        }
        auto reading = read_readiness(readiness);
        x.hrv_7d = reading.hrv_7d;
        x.hrv_60d = reading.hrv_60d;
        x.rhr_baseline = reading.rhr_baseline;
        x.strava_allowed = strava_allowed;
        if (strava_allowed) {
          auto ftp = x.profile.ftp
                       ? opt_double{static_cast<double>(*x.profile.ftp)}
                       : opt_double{};
          x.strava = user_strava_part::activities_of(r.results[*strava_at], ftp,
                                                     day - 14, day);
        }
        if (slot)
          g.decided_already =
            integer((*first_row(r, *slot_at))[0]).value_or(0) > 0;
        // The day's planned events only for an athlete's decision the model
        // is asked for (nothing to judge: the rules decide without them).
        if (chat || x.advice || !intervals_linked || g.decided_already ||
            !g.askable())
          return k(std::move(g));
        self->state.planned_events(
          self, date, static_cast<bool>(slot),
          [g, k](std::vector<intervals_event> events) mutable {
            g.day.planned = std::move(events);
            k(std::move(g));
          });
      },
      [=](caf::error& err) {
        k(std::move(err));
      });
}

// -- the decision -------------------------------------------------------------

/// A decision the model could not give (no answer, an invalid one): its
/// Skip, with the signals the rules read.
daily_decision model_fallback(daily_decision d,
                              const readiness_assessment& rules) {
  d.readiness = rules.signals;
  return d;
}

/// Asks the model for the decision, then `k(decision)`: an athlete's word
/// judged by the rules (domain/readiness: the more cautious stands),
/// advice with the signals the rules read. The rules decide alone when it
/// cannot answer (unreachable, breaker open, quota spent, queue full, not
/// configured), after `no_answer()`.
void ask_model(user_self self, const gathered& g, ai_priority priority,
               deadline until, std::function<void(daily_decision)> k,
               std::function<void()> no_answer) {
  auto rules = g.rules;
  auto by_rules = g.by_rules();
  bool advice = g.day.advice;
  gemini_call call{gemini_request_json(decision_prompt(g.day)), priority, false,
                   until, nullptr};
  auto uid = self->state.id;
  self
    ->request(self->state.cfg->gemini, caf::infinite, atom::generate_v,
              std::move(call))
    .then(
      [=](gemini_answer& answer) {
        auto reading = read_decision(answer.text, advice);
        if (reading.value)
          return k(advice ? advised(std::move(*reading.value), rules)
                          : overseen(std::move(*reading.value), rules));
        auto shown = answer.text.substr(0, 500);
        std::replace(shown.begin(), shown.end(), '\n', ' ');
        log_warn("coach", "user " + std::to_string(uid) +
                            ": unusable decision (" + reading.problem +
                            "): " + shown);
        k(advice ? by_rules : model_fallback(invalid_answer_decision(), rules));
      },
      [=](caf::error& err) {
        if (err == ai_ec::unusable)
          return k(advice ? by_rules
                          : model_fallback(no_answer_decision(), rules));
        no_answer();
        log_info("coach", "user " + std::to_string(uid) +
                            ": the rules decide (" + to_string(err) + ")");
        k(by_rules);
      });
}

/// Puts a Modify plan on the Intervals.icu calendar (failures logged).
void push_plan(user_self self, const daily_decision& d, bool background) {
  if (d.decision != "Modify" || !d.modified_plan ||
      !self->state.intervals_linked().value_or(false))
    return;
  auto event = plan_event(*d.modified_plan);
  if (!event)
    return;
  auto uid = self->state.id;
  self->state.put_on_calendar(
    self, std::move(*event), background,
    [uid](caf::expected<intervals_event> pushed) {
      if (pushed)
        log_info("coach", "user " + std::to_string(uid) +
                            ": plan pushed to Intervals.icu as event " +
                            pushed->id);
      else
        log_warn("coach", "user " + std::to_string(uid) +
                            ": plan not pushed: " + to_string(pushed.error()));
    });
}

/// Stores `d` (and, unless `quiet`, the chat message of a Modify or Skip
/// the reference writes); answers it with its creation time, or
/// `user_ec::duplicate` when its slot had been decided meanwhile.
void store_decision(user_self self, daily_decision d, bool quiet,
                    deadline until, std::vector<db_statement> also,
                    std::function<void(caf::expected<daily_decision>)> k) {
  bool fallback = d.reason == no_answer_decision().reason ||
                  d.reason == invalid_answer_decision().reason;
  db_value message;
  if (!quiet && !fallback && leaves_message(d))
    message = decision_message(d);
  auto& st = self->state;
  auto x = statement_of(
    stmt::decision_insert,
    {st.uid(), d.date, param(d.slot), d.decision, d.reason,
     d.modified_plan ? db_value{plan_json(*d.modified_plan)} : db_value{},
     d.suggestions_next_days, d.source, message, d.model_decision,
     readiness_json(d.readiness), d.evening_tips, d.plan_tomorrow});
  also.insert(also.begin(), std::move(x));
  // One transaction: a slot's next reminder only with its decision (a
  // failed store leaves the watchdog, which tries the slot again).
  auto batch = batch_for(std::move(also), d.slot);
  batch.transaction = true;
  request_db(self, std::move(batch), until)
    .then(
      [=](db_reply& r) mutable {
        auto row = first_row(r);
        if (row == nullptr)
          return k(make_error(user_ec::duplicate, "decided already"));
        d.created_at = (*row)[0].value_or("");
        push_plan(self, d, static_cast<bool>(d.slot));
        k(std::move(d));
      },
      [=](caf::error& err) {
        k(std::move(err));
      });
}

/// A scheduled slot's reminder upkeep, riding in the decision's own
/// batches: the watchdog with the gathering, the next slot with the store.
struct slot_upkeep {
  std::vector<db_statement> watchdog;
  std::vector<db_statement> next;
};

/// One decision to make: its day and hour on the athlete's clock, its
/// slot (none: asked for), how it is paced and answered.
struct decision_run {
  int64_t day = 0;
  int64_t hour = 0;
  opt_int slot;
  ai_priority priority = ai_priority::interactive;
  deadline until;
  /// No chat message (the caller answers in the chat itself).
  bool quiet = false;
  slot_upkeep upkeep;
  /// The language the request named ("" = the athlete's own).
  std::string asked;
  /// The model may be asked (else the rules alone).
  bool ask_ai = true;
};

/// Gathers, decides and stores the decision `run` describes.
void run_decision(user_self self, decision_run run,
                  std::function<void(caf::expected<daily_decision>)> k) {
  auto day = run.day;
  auto slot = run.slot;
  gather(self, day, slot, std::nullopt, run.asked, run.until,
         std::move(run.upkeep.watchdog),
         [=](caf::expected<gathered> g) mutable {
           if (!g)
             return k(std::move(g.error()));
           if (g->decided_already)
             return k(make_error(user_ec::duplicate, "decided already"));
           auto& cfg = config(self);
           g->day.hour = run.hour;
           g->day.part = day_part_at(run.hour, cfg.morning_until_hour,
                                     cfg.evening_from_hour);
           auto finish = [=](daily_decision d) mutable {
             d.date = format_date(day);
             d.slot = slot;
             store_decision(self, std::move(d), run.quiet, run.until,
                            run.upkeep.next, k);
           };
           // Nothing to judge (no sleep, no HRV with its baseline, no
           // load): never Go, and no model call, whoever asks.
           if (!g->askable() || !run.ask_ai)
             return finish(g->by_rules());
           if (slot)
             return ask_model(self, *g, run.priority, run.until, finish, [] {});
           // Asked for by the athlete: a model call a free athlete's day
           // counts (http-api-head.md §6 item 23).
           self->state.charge_ai(
             self, usage_kind::chat, run.until,
             [=, g = *g](caf::expected<ai_charge> charge) mutable {
               if (!charge)
                 return k(std::move(charge.error()));
               ask_model(self, g, run.priority, run.until, finish,
                         [self, spent = *charge] {
                           self->state.refund_ai(self, spent);
                         });
             });
         });
}

/// Stores the athlete's message and the reply (none: the message alone)
/// in `thread`, in one transaction.
void store_exchange(user_self self, int32_t thread, const std::string& message,
                    const opt_string& reply, deadline until,
                    std::function<void(caf::expected<bool>)> k) {
  auto uid = self->state.uid();
  auto in_thread = param(int64_t{thread});
  std::vector<db_statement> xs{statement_of(
    stmt::chat_insert, {uid, std::string{"user"}, message, in_thread})};
  if (reply)
    xs.push_back(statement_of(
      stmt::chat_insert, {uid, std::string{"assistant"}, *reply, in_thread}));
  request_db(self, batch_of(std::move(xs), true), until)
    .then(
      [=](db_reply&) {
        k(true);
      },
      [=](caf::error& err) {
        k(std::move(err));
      });
}

} // namespace

caf::result<daily_decision> user_coach_part::decide(user_self self,
                                                    decision_request x) {
  auto now = client_moment(self, x.client_now);
  decision_run run;
  run.day = x.for_date.empty() ? day_in(self->state.zone, now)
                               : *parse_date(x.for_date);
  run.hour = hour_in(self->state.zone, now);
  run.until = self->state.until;
  run.asked = x.language;
  // A free athlete sees only the word (§3.9.10): the rules make it, no
  // model call is spent on text nobody reads (§6 item 23).
  bool teaser = !self->state.premium();
  run.ask_ai = !teaser;
  auto rp = self->make_response_promise<daily_decision>();
  start_one(self);
  run_decision(self, std::move(run),
               [=](caf::expected<daily_decision> d) mutable {
                 if (d) {
                   d->teaser = teaser;
                   rp.deliver(std::move(*d));
                 } else {
                   rp.deliver(std::move(d.error()));
                 }
                 settle_one(self);
               });
  return rp;
}

caf::result<std::vector<daily_decision>>
user_coach_part::decisions(user_self self, decision_query q) {
  auto to = coach_today(self);
  return run<std::vector<daily_decision>>(
    self,
    batch_of({statement_of(
      stmt::decision_range,
      {self->state.uid(), format_date(to - q.days + 1), format_date(to)})}),
    [](db_reply& r) -> caf::expected<std::vector<daily_decision>> {
      std::vector<daily_decision> result;
      for (auto& row : r.results[0].rows) {
        daily_decision d;
        d.date = row[0].value_or("");
        d.slot = integer(row[1]);
        d.decision = row[2].value_or("");
        d.reason = row[3].value_or("");
        if (row[4])
          if (auto plan = plan_from_json(*row[4]))
            d.modified_plan = std::move(*plan);
        d.suggestions_next_days = row[5];
        d.source = row[6].value_or("");
        d.created_at = row[7].value_or("");
        d.model_decision = row[8];
        if (row[9])
          d.readiness = readiness_from_json(*row[9]);
        d.evening_tips = row[10];
        d.plan_tomorrow = row[11];
        result.push_back(std::move(d));
      }
      return result;
    });
}

namespace {

chat_thread thread_of(const std::vector<db_value>& row) {
  return chat_thread{static_cast<int32_t>(integer(row[0]).value_or(0)),
                     row[1].value_or(""), row[2]};
}

caf::error thread_not_found() {
  return make_error(user_ec::not_found, "Thread not found");
}

/// Remembers `id` as one of the athlete's threads.
void know_thread(user_self self, int32_t id) {
  auto& known = part(self).known_threads;
  if (known.size() >= most_known_threads)
    known.clear();
  known.insert(id);
}

/// `k(thread)`: `id` when it is the athlete's (else thread_not_found), or
/// their default thread, made when they have none. A thread this actor
/// knows costs nothing; one it does not costs a round trip, awaited, so
/// that two requests never both make a default thread.
void with_thread(user_self self, opt_int id, const std::string& language,
                 std::function<void(caf::expected<int32_t>)> k) {
  auto& p = part(self);
  if (id && (*id < INT32_MIN || *id > INT32_MAX))
    return k(thread_not_found());
  if (id && p.known_threads.count(static_cast<int32_t>(*id)) > 0)
    return k(static_cast<int32_t>(*id));
  if (!id && p.default_thread)
    return k(*p.default_thread);
  auto& st = self->state;
  auto x = id
             ? statement_of(stmt::thread_owned, {param(*id), st.uid()})
             : statement_of(stmt::thread_default,
                            {st.uid(), default_thread_title(
                                         thread_title_kind::main,
                                         self->state.answer_locale(language))});
  bool asked_default = !id;
  request_db(self, batch_of({std::move(x)}))
    .await(
      [=](db_reply& r) {
        auto* row = first_row(r);
        if (row == nullptr)
          return k(thread_not_found());
        auto thread = static_cast<int32_t>(integer((*row)[0]).value_or(0));
        know_thread(self, thread);
        if (asked_default)
          part(self).default_thread = thread;
        k(thread);
      },
      [=](caf::error& err) {
        k(std::move(err));
      });
}

/// Runs `x` on a thread of the athlete's (thread_not_found when no row
/// comes back) and answers `convert(row)`.
template<class T, class F>
caf::result<T> on_thread(user_self self, db_statement x, F convert) {
  return run<T>(self, batch_of({std::move(x)}),
                [=](db_reply& r) -> caf::expected<T> {
                  auto* row = first_row(r);
                  if (row == nullptr)
                    return thread_not_found();
                  return convert(*row);
                });
}

} // namespace

caf::result<std::vector<chat_line>>
user_coach_part::history(user_self self, chat_history_query q) {
  auto rp = self->make_response_promise<std::vector<chat_line>>();
  with_thread(
    self, q.thread_id, q.language, [=](caf::expected<int32_t> thread) mutable {
      if (!thread) {
        rp.deliver(std::move(thread.error()));
        return;
      }
      auto x = statement_of(
        stmt::chat_recent,
        {self->state.uid(), std::to_string(q.limit), param(int64_t{*thread})});
      request_db(self, batch_of({std::move(x)}))
        .await(
          [=](db_reply& r) mutable {
            rp.deliver(chat_lines_of(r.results[0].rows));
          },
          [=](caf::error& err) mutable {
            rp.deliver(std::move(err));
          });
    });
  return rp;
}

caf::result<page_ptr<chat_thread>> user_coach_part::threads(user_self self,
                                                            list_query q) {
  return run<page_ptr<chat_thread>>(
    self,
    batch_of(
      {statement_of(stmt::thread_count, {self->state.uid()}),
       statement_of(stmt::thread_list,
                    {self->state.uid(), param(q.limit), param(q.offset)})}),
    [=](db_reply& r) -> caf::expected<page_ptr<chat_thread>> {
      auto result = std::make_shared<chat_thread_page>();
      result->total = integer((*first_row(r, 0))[0]).value_or(0);
      result->query = q;
      for (auto& row : r.results[1].rows) {
        result->items.push_back(thread_of(row));
        know_thread(self, result->items.back().id);
      }
      return page_ptr<chat_thread>{std::move(result)};
    });
}

caf::result<chat_thread> user_coach_part::create_thread(user_self self,
                                                        thread_title x) {
  auto title = thread_title_of(x.title.value_or(""), thread_title_kind::fresh,
                               self->state.answer_locale(x.language));
  return on_thread<chat_thread>(
    self, statement_of(stmt::thread_insert, {self->state.uid(), title}),
    [self](const std::vector<db_value>& row) {
      auto thread = thread_of(row);
      know_thread(self, thread.id);
      return thread;
    });
}

caf::result<chat_thread>
user_coach_part::rename_thread(user_self self, thread_ref ref, thread_title x) {
  auto title = thread_title_of(x.title.value_or(""), thread_title_kind::renamed,
                               self->state.answer_locale(x.language));
  return on_thread<chat_thread>(
    self,
    statement_of(stmt::thread_rename,
                 {param(int64_t{ref.id}), self->state.uid(), title}),
    thread_of);
}

caf::result<bool> user_coach_part::delete_thread(user_self self,
                                                 thread_ref ref) {
  return on_thread<bool>(
    self,
    statement_of(stmt::thread_delete,
                 {param(int64_t{ref.id}), self->state.uid()}),
    [self, ref](const std::vector<db_value>&) {
      auto& p = part(self);
      p.known_threads.erase(ref.id);
      // The next oldest becomes the default.
      if (p.default_thread == ref.id)
        p.default_thread.reset();
      return true;
    });
}

caf::result<bool> user_coach_part::clear_thread(user_self self,
                                                thread_ref ref) {
  return on_thread<bool>(
    self,
    statement_of(stmt::thread_clear,
                 {param(int64_t{ref.id}), self->state.uid()}),
    [](const std::vector<db_value>&) {
      return true;
    });
}

namespace {

/// The exchange of `chat/send` once admitted (and, for a reply by the
/// model, counted as `charge`) in `thread`: the reply stored with the
/// message, or the error (a failed model keeps the message, stores no
/// reply, http-api-head.md §6 item 19); streamed into the message's sink
/// when it has one.
void exchange(user_self self, chat_message x, int32_t thread, ai_charge charge,
              deadline until, caf::typed_response_promise<chat_reply> rp,
              std::string attached) {
  auto sink = x.sink;
  auto message = x.message;
  auto fail = [=](caf::error err) mutable {
    if (sink)
      sink->failed(error_detail(err));
    else
      rp.deliver(std::move(err));
    settle_one(self);
  };
  // Ends the exchange: the reply stored with the message, or the error.
  auto settle = [=](caf::expected<std::string> reply) mutable {
    bool model_failed = !reply && reply.error().category() == caf::atom("ai");
    if (!reply && !model_failed)
      return fail(std::move(reply.error()));
    auto stored = reply ? opt_string{*reply} : opt_string{};
    store_exchange(self, thread, message, stored, until,
                   [=](caf::expected<bool> written) mutable {
                     if (!reply)
                       return fail(std::move(reply.error()));
                     if (!written)
                       return fail(std::move(written.error()));
                     if (sink)
                       sink->done(*reply);
                     else
                       rp.deliver(chat_reply{*reply});
                     settle_one(self);
                   });
  };
  if (sink)
    rp.deliver(chat_reply{}); // the stream starts; the rest flows into it
  auto now = client_moment(self, x.client_now);
  auto day = day_in(self->state.zone, now);
  if (x.run_orchestrator) {
    decision_run run;
    run.day = day;
    run.hour = hour_in(self->state.zone, now);
    run.until = until;
    run.quiet = true; // one assistant message: the reply
    run.asked = x.language;
    run_decision(self, std::move(run),
                 [=](caf::expected<daily_decision> d) mutable {
                   if (!d)
                     return settle(std::move(d.error()));
                   auto reply = decision_reply(*d);
                   if (sink)
                     sink->delta(reply);
                   settle(std::move(reply));
                 });
    return;
  }
  gather(self, day, caf::none, thread, x.language, until, {},
         [=](caf::expected<gathered> g) mutable {
           if (!g) {
             self->state.refund_ai(self, charge);
             return settle(std::move(g.error()));
           }
           gemini_call call{
             gemini_request_json(chat_prompt(g->day, message, attached)),
             ai_priority::interactive, sink != nullptr, until, sink};
           self
             ->request(self->state.cfg->gemini, caf::infinite, atom::generate_v,
                       std::move(call))
             .then(
               [=](gemini_answer& answer) mutable {
                 settle(answer.text);
               },
               [=](caf::error& err) mutable {
                 if (err == ai_ec::unusable) {
                   if (sink)
                     sink->delta("No response.");
                   return settle(std::string{"No response."});
                 }
                 // No answer, no charge.
                 self->state.refund_ai(self, charge);
                 if (err == ai_ec::failed)
                   err = make_error(ai_ec::failed, chat_failed);
                 settle(std::move(err));
               });
         });
}

/// What a file sent with a message adds to it: the section about it in
/// the model's context, and the message when the athlete wrote none.
struct attached_file {
  std::string section;
  std::string message;
};

/// A photo sent with a message: read by the photo classifier (as a
/// preview, nothing saved; a request to this same actor's photo facet),
/// then `k(what it read)`; a photo it cannot read is said so, never an
/// error.
void read_attached_photo(user_self self, const chat_message& x, deadline until,
                         std::function<void(caf::expected<attached_file>)> k) {
  photo_upload upload;
  upload.image.bytes = x.attachment.bytes;
  upload.save = false;
  upload.workouts = true;
  upload.language = x.language;
  auto locale = self->state.answer_locale(x.language);
  auto message = x.message;
  auto uid = self->state.id;
  auto done = [=](std::optional<photo_analysis> read) {
    k(attached_file{photo_attachment_section(read),
                    message.empty() ? attached_photo_message(locale)
                                    : message});
  };
  self
    ->request(caf::actor_cast<user_actor>(self), caf::infinite, until,
              atom::analyze_v, std::move(upload))
    .then(
      [=](photo_analysis& read) {
        done(std::move(read));
      },
      [=](caf::error& err) {
        // An image that is not one after all is the athlete's error.
        if (err == user_ec::no_image || err == user_ec::image_unavailable)
          return k(std::move(err));
        log_info("coach", "user " + std::to_string(uid) +
                            ": the chat photo was not read: " + to_string(err));
        done(std::nullopt);
      });
}

/// A FIT file sent with a message: decoded on the upload pool, then (when
/// asked) imported as a workout by this same actor's training facet (an
/// import of the same file again is no error), then `k(its summary)`.
void read_attached_fit(user_self self, const chat_message& x, deadline until,
                       std::function<void(caf::expected<attached_file>)> k) {
  fit_upload upload{x.attachment.filename, x.attachment.bytes};
  auto locale = self->state.answer_locale(x.language);
  auto message = x.message;
  bool save = x.attachment.save_workout;
  auto uid = self->state.id;
  self
    ->request(self->state.cfg->uploads, caf::infinite, atom::decode_v, until,
              upload)
    .then(
      [=](fit_reading& file) {
        if (!file.summary)
          return k(make_error(user_ec::unreadable_file,
                              "Could not parse FIT file or no session found."));
        attached_file result{
          fit_attachment_section(*file.summary),
          message.empty()
            ? attached_fit_message(locale, fit_summary_line(*file.summary))
            : message};
        if (!save)
          return k(std::move(result));
        self
          ->request(caf::actor_cast<user_actor>(self), caf::infinite, until,
                    atom::add_v, upload)
          .then(
            [=](workout&) {
              k(result);
            },
            [=](caf::error& err) {
              if (err != user_ec::duplicate)
                log_warn("coach", "user " + std::to_string(uid) +
                                    ": the chat's FIT file was not "
                                    "saved: " +
                                    to_string(err));
              k(result);
            });
      },
      [=](caf::error& err) {
        k(std::move(err));
      });
}

/// `k(what the message's file adds)`: nothing without one.
void read_attachment(user_self self, const chat_message& x, deadline until,
                     std::function<void(caf::expected<attached_file>)> k) {
  using kind = chat_attachment::kind;
  switch (x.attachment.type) {
  case kind::image:
    return read_attached_photo(self, x, until, std::move(k));
  case kind::fit:
    return read_attached_fit(self, x, until, std::move(k));
  case kind::none:
    break;
  }
  k(attached_file{{}, x.message});
}

} // namespace

caf::result<chat_reply> user_coach_part::send(user_self self, chat_message x) {
  auto rp = self->make_response_promise<chat_reply>();
  auto until = self->state.until;
  start_one(self);
  auto refuse = [=](caf::error err) mutable {
    rp.deliver(std::move(err));
    settle_one(self);
  };
  if (x.premium_only && !self->state.premium()) {
    refuse(
      make_error(user_ec::premium_required, "Premium subscription required"));
    return rp;
  }
  // The thread first: a thread that is not the athlete's is a plain 404,
  // and costs nothing.
  with_thread(
    self, x.thread_id, x.language, [=](caf::expected<int32_t> thread) mutable {
      if (!thread)
        return refuse(std::move(thread.error()));
      // Then the file (a photo read, a FIT file decoded and maybe saved),
      // and the exchange with what it adds.
      auto go = [=](ai_charge charge) mutable {
        read_attachment(self, x, until,
                        [=](caf::expected<attached_file> file) mutable {
                          if (!file) {
                            self->state.refund_ai(self, charge);
                            return refuse(std::move(file.error()));
                          }
                          x.message = file->message;
                          exchange(self, std::move(x), *thread, charge, until,
                                   rp, std::move(file->section));
                        });
      };
      if (x.run_orchestrator)
        return go(ai_charge{});
      // A reply is a model call: a free athlete's is counted before
      // anything is streamed, so that a refusal is a plain 429.
      self->state.charge_ai(self, usage_kind::chat, until,
                            [=](caf::expected<ai_charge> charge) mutable {
                              if (!charge)
                                return refuse(std::move(charge.error()));
                              go(*charge);
                            });
    });
  return rp;
}

namespace {

/// The weekly summary's reminder at the first summary time after `after`
/// (the athletes' clock), or its removal for an athlete who is not
/// premium (the reference summarised premium athletes only).
db_statement weekly_after(user_self self, sys_clock::time_point after) {
  auto& st = self->state;
  constexpr auto kind = user_coach_part::weekly_reminder;
  if (!st.premium())
    return st.forget_reminder(kind);
  auto& cfg = config(self);
  auto next = next_weekly_time(st.zone, after, cfg.weekly_day, cfg.weekly_hour);
  return st.remind_at(kind, sys_clock::now() + cfg.clock.until(ms_of(next)));
}

} // namespace

void user_coach_part::keep_weekly_schedule(user_self self) {
  auto& st = self->state;
  auto key = st.athlete()->timezone.value_or("UTC") +
             (st.premium() ? "|premium" : "|free");
  if (key == weekly_key)
    return;
  bool first = weekly_key.empty();
  weekly_key = key;
  bool found = st.reminder_found(weekly_reminder);
  // A fresh actor keeps the reminder it finds (it may be claimed or due),
  // and has nothing to drop when none is there.
  if (first && (found == st.premium()))
    return;
  write_reminder(self, weekly_after(self, coach_now(self)));
}

void user_coach_part::weekly_due(user_self self) {
  auto& st = self->state;
  auto now = coach_now(self);
  auto next = weekly_after(self, now + std::chrono::minutes{1});
  if (!st.premium())
    return write_reminder(self, std::move(next));
  auto today = day_in(st.zone, now);
  auto monday = today - weekday_of(today);
  auto uid = st.uid();
  auto from = format_date(monday);
  auto to = format_date(today);
  auto zone = st.athlete()->timezone.value_or("UTC");
  athlete_week week;
  week.locale = st.answer_locale("");
  auto until = deadline::in(config(self).batch_time);
  start_one(self);
  auto id = st.id;
  // The week in one round trip, in the bulk lane (a Sunday evening's storm
  // never delays what someone waits for).
  auto batch =
    batch_of({statement_of(stmt::weekly_summary_exists, {uid, from}),
              statement_of(stmt::analytics_workouts, {uid, from, to, zone}),
              statement_of(stmt::analytics_food, {uid, from, to}),
              statement_of(stmt::analytics_wellness, {uid, from, to}),
              statement_of(stmt::sleep_range, {uid, from, to, "20"})});
  batch.bulk = true;
  auto finish = [self, next](bool stored) mutable {
    // A stored summary wrote the next reminder with it.
    if (!stored)
      write_reminder(self, std::move(next));
    settle_one(self);
  };
  request_db(self, std::move(batch), until)
    .then(
      [=](db_reply& r) mutable {
        if (integer((*first_row(r, 0))[0]).value_or(0) > 0)
          return finish(false); // summarised already (another process)
        week.workouts = user_analytics_part::workouts_of(r.results[1]);
        week.food = user_analytics_part::food_of(r.results[2], {});
        week.wellness = user_analytics_part::wellness_of(r.results[3]);
        for (auto& row : r.results[4].rows)
          week.sleep.push_back(user_diary_part::sleep_of(row));
        if (week.empty())
          return finish(false); // nothing to say: no model call
        gemini_call call{gemini_request_json(weekly_summary_prompt(week)),
                         ai_priority::batch, false, until, nullptr};
        self
          ->request(self->state.cfg->gemini, caf::infinite, atom::generate_v,
                    std::move(call))
          .then(
            [=](gemini_answer& answer) mutable {
              auto text =
                utf8_prefix(trim(answer.text), max_weekly_summary_chars);
              if (text.empty())
                return finish(false);
              auto store = batch_of(
                {statement_of(stmt::weekly_summary_insert, {uid, from, text}),
                 next},
                true);
              store.bulk = true;
              request_db(self, std::move(store), until)
                .then(
                  [=](db_reply&) mutable {
                    finish(true);
                  },
                  [=](caf::error& err) mutable {
                    log_warn("coach", "user " + std::to_string(id) +
                                        ": weekly summary not stored: " +
                                        to_string(err));
                    finish(false);
                  });
            },
            [=](caf::error& err) mutable {
              log_info("coach", "user " + std::to_string(id) +
                                  ": no weekly summary (" + to_string(err) +
                                  ")");
              finish(false);
            });
      },
      [=](caf::error& err) mutable {
        log_warn("coach", "user " + std::to_string(id) +
                            ": weekly summary not gathered: " + to_string(err));
        finish(false);
      });
}

void user_coach_part::decision_due(user_self self) {
  auto& st = self->state;
  auto& cfg = config(self);
  auto now = coach_now(self);
  auto today = day_in(st.zone, now);
  // The scheduler may fire a little early: a second on the system clock.
  auto tolerance =
    milliseconds{static_cast<int64_t>(1000 * std::max(1.0, cfg.clock.scale))};
  std::optional<std::pair<sys_clock::time_point, int64_t>> due;
  for (auto h : hours_of(self)) {
    auto t = next_local_time(st.zone, now - std::chrono::hours{24}, h * 3600);
    if (t > now + tolerance || day_in(st.zone, t) != today)
      continue;
    if (!due || t > due->first)
      due = std::pair{t, h};
  }
  if (!due)
    return write_schedule(self, now); // an older day's slot: not caught up
  auto slot = std::pair{today, due->second};
  if (part(self).slot_in_flight == slot)
    return; // fired again while it is decided
  part(self).slot_in_flight = slot;
  start_one(self);
  auto after = std::max(now, due->first) + milliseconds{1};
  // If this process dies meanwhile, the reminder fires again after the
  // decision's time, and the slot is decided then (if still today). A
  // stored decision writes the next slot in its own batch.
  slot_upkeep upkeep{
    {st.remind_at(decision_reminder, sys_clock::now() + cfg.batch_time +
                                       std::chrono::seconds{60})},
    {schedule_after(self, after)}};
  auto uid = st.id;
  decision_run run;
  run.day = today;
  run.hour = due->second;
  run.slot = due->second;
  run.priority = ai_priority::batch;
  run.until = deadline::in(cfg.batch_time);
  run.upkeep = std::move(upkeep);
  run_decision(self, std::move(run), [=](caf::expected<daily_decision> d) {
    if (!d && d.error() != user_ec::duplicate)
      log_warn("coach",
               "user " + std::to_string(uid) +
                 ": scheduled decision failed: " + to_string(d.error()));
    part(self).slot_in_flight.reset();
    if (!d)
      write_schedule(self, after); // no store carried it
    settle_one(self);
  });
}

void user_coach_part::rows_changed(user_self self, user_table t) {
  if (t != user_table::profile || !self->state.athlete())
    return;
  keep_weekly_schedule(self);
  auto key = schedule_key_of(self);
  if (key == schedule_key)
    return;
  bool first = schedule_key.empty();
  schedule_key = key;
  // A fresh actor keeps the reminder it finds (it may be claimed or due).
  if (first && self->state.reminder_found(decision_reminder))
    return;
  if (first && hours_of(self).empty())
    return;
  write_schedule(self, coach_now(self));
}

user_coach_part::facet::behavior_type user_coach_part::behavior() {
  return {
    [](deadline d, atom::decide, decision_request& x) {
      return serve(d, &user_coach_part::decide, std::move(x));
    },
    [](deadline d, atom::get, decision_query q) {
      return serve(d, &user_coach_part::decisions, q);
    },
    [](deadline d, atom::get, chat_history_query q) {
      return serve(d, &user_coach_part::history, q);
    },
    [](deadline d, atom::chat, chat_message& x) {
      return serve(d, &user_coach_part::send, std::move(x));
    },
    [](deadline d, atom::get, atom::chat, list_query q) {
      return serve(d, &user_coach_part::threads, q);
    },
    [](deadline d, atom::add, thread_title& x) {
      return serve(d, &user_coach_part::create_thread, std::move(x));
    },
    [](deadline d, atom::patch, thread_ref ref, thread_title& x) {
      return serve(d, &user_coach_part::rename_thread, ref, std::move(x));
    },
    [](deadline d, atom::del, thread_ref ref) {
      return serve(d, &user_coach_part::delete_thread, ref);
    },
    [](deadline d, atom::purge, thread_ref ref) {
      return serve(d, &user_coach_part::clear_thread, ref);
    },
  };
}

void user_coach_part::remind(user_self self, std::string_view kind) {
  if (kind == weekly_reminder)
    return weekly_due(self);
  decision_due(self);
}

} // namespace st
