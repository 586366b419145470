#include "actors/user_analytics.hpp"

#include "actors/user.hpp"
#include "actors/user_db.hpp"
#include "protocols/errors.hpp"

#include "domain/analytics.hpp"
#include "util/dates.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace st {

using namespace user_db;

namespace {

/// The explanation's fixed answers (the reference leaked exception text).
constexpr const char* insight_failed = "AI insight failed. Please try again.";
constexpr const char* no_insight = "No explanation could be generated.";

user_analytics_part& part(user_self self) {
  return self->state.part<user_analytics_part>();
}

std::optional<int64_t> day_of(const std::string& x) {
  return x.empty() ? std::nullopt : parse_date(x);
}

fitness load_of(const std::vector<db_value>* r) {
  fitness result;
  if (r == nullptr)
    return result;
  result.present = true;
  result.ctl = num((*r)[0]).value_or(0);
  result.atl = num((*r)[1]).value_or(0);
  result.tsb = num((*r)[2]).value_or(result.ctl - result.atl);
  result.date = (*r)[3].value_or("");
  return result;
}

void settle_one(user_self self) {
  --part(self).in_flight;
  self->state.work_ended(self);
}

} // namespace

std::vector<analytics_wellness>
user_analytics_part::wellness_of(const db_rows& rows) {
  std::vector<analytics_wellness> result;
  for (auto& r : rows.rows)
    result.push_back(analytics_wellness{r[0].value_or(""), num(r[1]), num(r[2]),
                                        num(r[3]), num(r[4]), num(r[5]),
                                        num(r[6])});
  return result;
}

std::vector<analytics_workout>
user_analytics_part::workouts_of(const db_rows& rows) {
  std::vector<analytics_workout> result;
  for (auto& r : rows.rows)
    result.push_back(analytics_workout{r[0].value_or(""), r[1], r[2],
                                       integer(r[3]), num(r[4]), num(r[5])});
  return result;
}

std::vector<analytics_food_day>
user_analytics_part::food_of(const db_rows& days, const db_rows& nutrients) {
  std::vector<analytics_food_day> result;
  auto n = nutrients.rows.begin();
  for (auto& r : days.rows) {
    analytics_food_day day{r[0].value_or(""),
                           num(r[1]).value_or(0),
                           num(r[2]).value_or(0),
                           num(r[3]).value_or(0),
                           num(r[4]).value_or(0),
                           integer(r[5]).value_or(0),
                           {}};
    for (; n != nutrients.rows.end() && (*n)[0] == r[0]; ++n)
      day.extended.emplace_back((*n)[1].value_or(""), num((*n)[2]).value_or(0));
    result.push_back(std::move(day));
  }
  return result;
}

caf::result<analytics_report> user_analytics_part::report(user_self self,
                                                          analytics_query q) {
  auto& st = self->state;
  auto today = st.today();
  auto days = analytics_window(day_of(q.from), day_of(q.to), q.days, today);
  auto& profile = *st.athlete();
  auto uid = st.uid();
  auto from = format_date(days.from);
  auto to = format_date(days.to);
  auto zone = profile.timezone.value_or("UTC");
  auto chart = q.chart;
  bool overview = chart == analytics_chart::overview;
  bool wellness = chart != analytics_chart::nutrition;
  bool training = overview || chart == analytics_chart::workouts;
  bool food = overview || chart == analytics_chart::nutrition;
  // The parts a chart needs, in one batch: one round trip.
  std::vector<db_statement> xs;
  auto add = [&](bool wanted, db_statement x) -> std::optional<size_t> {
    if (!wanted)
      return std::nullopt;
    xs.push_back(std::move(x));
    return xs.size() - 1;
  };
  auto wellness_at =
    add(wellness, statement_of(stmt::analytics_wellness, {uid, from, to}));
  auto workouts_at = add(
    training, statement_of(stmt::analytics_workouts, {uid, from, to, zone}));
  auto food_at = add(food, statement_of(stmt::analytics_food, {uid, from, to}));
  auto nutrients_at =
    add(chart == analytics_chart::nutrition,
        statement_of(stmt::analytics_nutrients, {uid, from, to}));
  auto load_at = add(overview, statement_of(stmt::analytics_latest_load,
                                            {uid, format_date(today)}));
  analytics_report base;
  base.chart = chart;
  base.from_date = from;
  base.to_date = to;
  base.goals = profile.goals;
  return run<analytics_report>(
    self, batch_of(std::move(xs)),
    [=](db_reply& r) mutable -> caf::expected<analytics_report> {
      auto x = base;
      x.round_trips = r.num_round_trips;
      if (wellness_at)
        x.wellness = wellness_of(r.results[*wellness_at]);
      if (workouts_at)
        x.workouts = workouts_of(r.results[*workouts_at]);
      if (food_at)
        x.food = food_of(r.results[*food_at],
                         nutrients_at ? r.results[*nutrients_at] : db_rows{});
      if (load_at)
        x.overview.load = load_of(first_row(r, *load_at));
      finish_report(x);
      return x;
    });
}

db_statement user_analytics_part::recent_workout_query(
  user_state& st, std::chrono::system_clock::time_point now) {
  auto since = now - std::chrono::hours{24 * athlete_recent_days};
  return statement_of(
    stmt::workout_since,
    {st.uid(), format_unix(std::chrono::duration_cast<std::chrono::seconds>(
                             since.time_since_epoch())
                             .count())});
}

bool user_analytics_part::athlete_of(
  user_state& st, const std::vector<std::vector<db_value>>& recent) {
  bool recent_workout = !recent.empty() && recent[0][0].value_or("") == "t";
  return counts_as_athlete(*st.athlete(), st.intervals_linked().value_or(false),
                           recent_workout);
}

caf::result<insight_reply> user_analytics_part::insight(user_self self,
                                                        insight_request x) {
  auto& st = self->state;
  auto rp = self->make_response_promise<insight_reply>();
  ++in_flight;
  auto until = st.until;
  bool teaser = !st.premium();
  auto locale = st.answer_locale(x.language);
  bool need_link = !st.intervals_linked();
  std::vector<db_statement> xs{
    recent_workout_query(st, std::chrono::system_clock::now())};
  if (need_link)
    xs.push_back(statement_of(stmt::intervals_credentials, {st.uid()}));
  auto fail = [=](caf::error err) mutable {
    rp.deliver(std::move(err));
    settle_one(self);
  };
  // Athlete mode first (plain words for the others), then a free
  // athlete's call is counted, then the model.
  request_db(self, batch_of(std::move(xs)))
    .then(
      [=](db_reply& r) mutable {
        auto& st = self->state;
        if (need_link)
          st.intervals_link_read(first_row(r, 1));
        bool athlete = athlete_of(st, r.results[0].rows);
        auto prompt = insight_prompt(x, locale, teaser, athlete);
        st.charge_ai(
          self, usage_kind::chat, until,
          [=](caf::expected<ai_charge> charge) mutable {
            if (!charge)
              return fail(std::move(charge.error()));
            gemini_call call{gemini_request_json(prompt),
                             ai_priority::interactive, false, until, nullptr};
            self
              ->request(self->state.cfg->gemini, caf::infinite,
                        atom::generate_v, std::move(call))
              .then(
                [=](gemini_answer& answer) mutable {
                  auto text = trim(answer.text);
                  rp.deliver(
                    insight_reply{text.empty() ? no_insight : text, teaser});
                  settle_one(self);
                },
                [=](caf::error& err) mutable {
                  // An empty or blocked answer was a call made.
                  if (err == ai_ec::unusable) {
                    rp.deliver(insight_reply{no_insight, teaser});
                    return settle_one(self);
                  }
                  self->state.refund_ai(self, *charge);
                  log_info("analytics",
                           "user " + std::to_string(self->state.id) +
                             ": insight failed: " + to_string(err));
                  // A refusal with its wait (busy, paused) keeps it; any
                  // other failure is one fixed answer.
                  if (err == ai_ec::busy || err == ai_ec::unavailable ||
                      err == ai_ec::quota_exhausted)
                    return fail(std::move(err));
                  fail(make_error(ai_ec::model_unavailable, insight_failed));
                });
          });
      },
      [=](caf::error& err) mutable {
        fail(std::move(err));
      });
  return rp;
}

user_analytics_part::facet::behavior_type user_analytics_part::behavior() {
  return {
    [](deadline d, atom::get, analytics_query& q) {
      return serve(d, &user_analytics_part::report, std::move(q));
    },
    [](deadline d, atom::analyze, insight_request& x) {
      return serve(d, &user_analytics_part::insight, std::move(x));
    },
  };
}

} // namespace st
