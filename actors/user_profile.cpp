#include "actors/user_profile.hpp"

#include "actors/user.hpp"
#include "actors/user_db.hpp"
#include "protocols/errors.hpp"
#include "protocols/sql/arrays.hpp"

#include <cstdlib>

#include "util/dates.hpp"
#include "util/locales.hpp"
#include "util/text.hpp"

namespace st {

using namespace user_db;

namespace {

/// `7,16` (array_to_string of the stored hours) → 7, 16.
std::vector<int64_t> hours_of(const std::string& x) {
  std::vector<int64_t> result;
  if (x.empty())
    return result; // `{}`: no scheduled decisions
  for (auto item : split(x, ','))
    result.push_back(std::strtoll(std::string{item}.c_str(), nullptr, 10));
  return result;
}

/// A profile_by_user row: the account's e-mail joined with its profile;
/// `default_hours` unless the athlete chose decision hours.
athlete_profile profile_of(const std::vector<db_value>& r,
                           const std::vector<int64_t>& default_hours) {
  athlete_profile result;
  auto strava_weight = num(r[0]);
  auto strava_ftp = integer(r[1]);
  auto weight = num(r[7]);
  auto ftp = integer(r[10]);
  result.weight_kg = weight ? weight : strava_weight;
  if (weight)
    result.weight_source = std::string{"manual"};
  else if (strava_weight)
    result.weight_source = std::string{"strava"};
  result.ftp = ftp ? ftp : strava_ftp;
  if (ftp)
    result.ftp_source = std::string{"manual"};
  else if (strava_ftp)
    result.ftp_source = std::string{"strava"};
  result.height_cm = num(r[8]);
  result.birth_year = integer(r[9]);
  result.strava_firstname = text(r[2]);
  result.strava_lastname = text(r[3]);
  result.strava_profile_url = text(r[4]);
  result.strava_sex = text(r[5]);
  result.strava_updated_at = text(r[6]);
  std::string name;
  for (auto* part : {&result.strava_firstname, &result.strava_lastname})
    if (*part && !(*part)->empty())
      name += (name.empty() ? "" : " ") + **part;
  result.display_name = name.empty() ? *r[11] : name;
  result.timezone = text(r[12]);
  result.own_decision_hours = static_cast<bool>(r[13]);
  result.decision_hours = r[13] ? hours_of(*r[13]) : default_hours;
  result.goals = {num(r[15]), num(r[16]), num(r[17]), num(r[18])};
  result.target_race_date = text(r[19]);
  result.target_race_name = text(r[20]);
  if (r[21])
    result.is_athlete = *r[21] == "t";
  result.locale =
    r[22] && is_supported_locale(*r[22]) ? *r[22] : fallback_locale;
  result.is_premium = r[23] && *r[23] == "t";
  return result;
}

/// The profile with its days to the race counted from the athlete's
/// `today` (which moves; the cached profile does not).
athlete_profile as_today(athlete_profile x, int64_t today) {
  auto race =
    x.target_race_date ? parse_date(*x.target_race_date) : std::nullopt;
  if (race && *race >= today)
    x.days_to_race = *race - today;
  return x;
}

template<class T>
db_value param_of(const clearable<T>& x) {
  if (!x || !*x)
    return caf::none;
  if constexpr (std::is_same_v<T, bool>)
    return flag(**x);
  else
    return **x;
}

/// Keeps the profile read from the database (a `profile_by_user` row) and
/// the zone it names.
void remember(user_self self, const std::vector<db_value>& row) {
  auto& st = self->state;
  auto x = profile_of(row, st.cfg->coach->hours);
  st.part<user_profile_part>().email = row[11].value_or("");
  auto& found = st.part<user_profile_part>().reminders;
  found.clear();
  if (row[14] && !row[14]->empty())
    for (auto kind : split(*row[14], ','))
      found.emplace_back(kind);
  // A name the tzdata no longer knows (it was checked when stored) is UTC.
  st.zone = x.timezone ? find_zone(*x.timezone) : nullptr;
  // Without tiers every athlete has every feature (and the app shows it).
  x.is_premium = x.is_premium || !st.cfg->tiers.on;
  st.part<user_profile_part>().cached =
    std::make_shared<const athlete_profile>(std::move(x));
  st.rows_changed(user_table::profile);
}

} // namespace

void user_profile_part::load(user_self self) {
  auto batch =
    batch_of({statement_of(stmt::profile_by_user, {self->state.uid()})});
  self->request(self->state.db, caf::infinite, atom::exec_v, std::move(batch))
    .await(
      [=](db_reply& r) {
        auto& st = self->state;
        st.account_checked_until =
          std::chrono::steady_clock::now() + st.cfg->account_ttl;
        auto row = first_row(r);
        if (row == nullptr) {
          st.account_state = user_state::account::missing;
          return;
        }
        st.account_state = user_state::account::exists;
        remember(self, *row);
      },
      [=](caf::error&) {
        // Unknown: the next request answers 503 and tries again.
        self->state.account_state = user_state::account::unknown;
      });
}

athlete_profile
user_profile_part::remember_row(user_self self,
                                const std::vector<db_value>& row) {
  remember(self, row);
  return *cached;
}

caf::result<athlete_profile> user_profile_part::get(user_self self) {
  return as_today(*cached, self->state.today());
}

caf::result<athlete_profile> user_profile_part::patch(user_self self,
                                                      profile_patch x) {
  auto& g = x.goals;
  return run<athlete_profile>(
    self,
    batch_of(
      {statement_of(
         stmt::profile_upsert,
         {self->state.uid(), param(x.weight_kg), param(x.height_cm),
          param(x.birth_year), param(x.ftp), x.timezone,
          x.decision_hours ? db_value{sql_int_array(*x.decision_hours)}
                           : db_value{},
          param(g.calorie_goal), param(g.protein_goal), param(g.fat_goal),
          param(g.carbs_goal), flag(static_cast<bool>(x.target_race_date)),
          param_of(x.target_race_date),
          flag(static_cast<bool>(x.target_race_name)),
          param_of(x.target_race_name), flag(static_cast<bool>(x.is_athlete)),
          param_of(x.is_athlete)}),
       statement_of(stmt::user_settings_update,
                    {self->state.uid(), x.locale, x.timezone}),
       statement_of(stmt::profile_by_user, {self->state.uid()})},
      true),
    [=](db_reply& r) -> caf::expected<athlete_profile> {
      remember(self, *first_row(r, 2));
      return as_today(*self->state.part<user_profile_part>().cached,
                      self->state.today());
    });
}

user_profile_part::facet::behavior_type user_profile_part::behavior() {
  return {
    [](deadline d, atom::get, atom::profile) {
      return serve(d, &user_profile_part::get);
    },
    [](deadline d, atom::patch, profile_patch& x) {
      return serve(d, &user_profile_part::patch, std::move(x));
    },
  };
}

} // namespace st
