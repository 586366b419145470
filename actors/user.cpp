#include "actors/user.hpp"

#include "domain/training_load.hpp"
#include "actors/user_db.hpp"
#include "actors/user_intervals.hpp"
#include "config/defaults.hpp"
#include "protocols/dates.hpp"
#include "protocols/errors.hpp"
#include "protocols/fit.hpp"
#include "protocols/tokens.hpp"

#include <cstdlib>
#include <stdexcept>

namespace st {

using namespace user_db;

namespace {

food_entry food_of(const std::vector<db_value>& r) {
  return food_entry{static_cast<int32_t>(*integer(r[0])),
                    *r[1],
                    *num(r[2]),
                    *num(r[3]),
                    *num(r[4]),
                    *num(r[5]),
                    *num(r[6]),
                    *r[7],
                    *r[8]};
}

wellness_day wellness_of(const std::vector<db_value>& r) {
  return wellness_day{*r[0],     num(r[1]), num(r[2]), num(r[3]), num(r[4]),
                      num(r[5]), num(r[6]), num(r[7]), text(r[8])};
}

workout workout_of(const std::vector<db_value>& r) {
  return workout{static_cast<int32_t>(*integer(r[0])),
                 *r[1],
                 text(r[2]),
                 text(r[3]),
                 integer(r[4]),
                 num(r[5]),
                 num(r[6]),
                 *r[7],
                 text(r[8])};
}

athlete_profile profile_of(const std::vector<db_value>& r) {
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
  return result;
}

caf::error not_found(const char* detail) {
  return make_error(api_ec::not_found, std::string{detail});
}

std::string list_key(const list_query& q) {
  return q.from + "|" + q.to + "|" + std::to_string(q.limit) + "|" +
         std::to_string(q.offset);
}

size_t text_bytes(const opt_string& x) {
  return x ? x->capacity() : 0;
}

/// What a cached page costs, roughly: its items and their text.
size_t approx_bytes(const wellness_page& x) {
  size_t result = sizeof(x) + x.items.capacity() * sizeof(wellness_day);
  for (auto& d : x.items)
    result += d.date.capacity() + text_bytes(d.sport_info);
  return result;
}

size_t approx_bytes(const workout_page& x) {
  size_t result = sizeof(x) + x.items.capacity() * sizeof(workout);
  for (auto& w : x.items)
    result += w.start_date.capacity() + w.source.capacity() +
              text_bytes(w.name) + text_bytes(w.type) + text_bytes(w.notes);
  return result;
}

} // namespace

db_value user_state::uid() const {
  return std::to_string(id);
}

void user_state::wellness_changed() {
  wellness.clear();
  load.reset();
}

void user_state::workouts_changed() {
  workouts.clear();
  load.reset();
}

bool user_state::keeps_refresh_timer() const {
  return link && *link && cfg.intervals &&
         cfg.intervals->refresh_period.count() > 0;
}

user_actor::behavior_type user(user_actor::stateful_pointer<user_state> self,
                               int32_t id, db_actor db,
                               user_registry_actor registry,
                               user_settings cfg) {
  auto& st = self->state;
  st.id = id;
  st.db = std::move(db);
  st.registry = std::move(registry);
  st.cfg = cfg;
  // The user's budget is split between the two kinds of pages.
  st.wellness.bind(cfg.caches, cfg.cache_bytes_per_user / 2);
  st.workouts.bind(cfg.caches, cfg.cache_bytes_per_user / 2);
  return {
    [=](atom::get, atom::profile) -> caf::result<athlete_profile> {
      if (self->state.profile)
        return *self->state.profile;
      return run<athlete_profile>(
        self,
        batch_of({statement_of(stmt::profile_by_user, {self->state.uid()})}),
        [=](db_reply& r) -> caf::expected<athlete_profile> {
          auto row = first_row(r);
          if (row == nullptr)
            return make_error(api_ec::unauthorized, "User not found");
          self->state.profile =
            std::make_shared<athlete_profile>(profile_of(*row));
          return *self->state.profile;
        });
    },
    [=](atom::patch, profile_patch& x) {
      return run<athlete_profile>(
        self,
        batch_of({statement_of(stmt::profile_upsert,
                               {self->state.uid(), param(x.weight_kg),
                                param(x.height_cm), param(x.birth_year),
                                param(x.ftp)}),
                  statement_of(stmt::profile_by_user, {self->state.uid()})},
                 true),
        [=](db_reply& r) -> caf::expected<athlete_profile> {
          self->state.profile =
            std::make_shared<athlete_profile>(profile_of(*first_row(r, 1)));
          return *self->state.profile;
        });
    },
    [=](atom::add, food_entry& x) {
      return run<food_entry>(
        self,
        batch_of({statement_of(
          stmt::food_insert,
          {self->state.uid(), x.timestamp, x.meal_type, x.name,
           param(opt_double{x.portion_grams}), param(opt_double{x.calories}),
           param(opt_double{x.protein_g}), param(opt_double{x.fat_g}),
           param(opt_double{x.carbs_g})})}),
        [](db_reply& r) -> caf::expected<food_entry> {
          return food_of(*first_row(r));
        });
    },
    [=](atom::get, food_ref x) {
      return run<food_entry>(
        self,
        batch_of({statement_of(stmt::food_by_id,
                               {param(int64_t{x.id}), self->state.uid()})}),
        [](db_reply& r) -> caf::expected<food_entry> {
          if (auto row = first_row(r))
            return food_of(*row);
          return not_found("Entry not found.");
        });
    },
    [=](atom::patch, food_ref ref, food_patch& x) {
      return run<food_entry>(
        self,
        batch_of({statement_of(
          stmt::food_update,
          {param(int64_t{ref.id}), self->state.uid(), x.name,
           param(x.portion_grams), param(x.calories), param(x.protein_g),
           param(x.fat_g), param(x.carbs_g), x.meal_type})}),
        [](db_reply& r) -> caf::expected<food_entry> {
          if (auto row = first_row(r))
            return food_of(*row);
          return not_found("Entry not found.");
        });
    },
    [=](atom::del, food_ref x) {
      return run<bool>(
        self,
        batch_of({statement_of(stmt::food_delete,
                               {param(int64_t{x.id}), self->state.uid()})}),
        [](db_reply& r) -> caf::expected<bool> {
          if (r.results[0].affected == 0)
            return not_found("Entry not found.");
          return true;
        });
    },
    [=](atom::get, atom::day, std::string& date) {
      return run<food_day>(
        self,
        batch_of({statement_of(stmt::food_day, {self->state.uid(), date})}),
        [=](db_reply& r) -> caf::expected<food_day> {
          food_day result;
          result.date = date;
          for (auto& row : r.results[0].rows) {
            result.entries.push_back(food_of(row));
            auto& e = result.entries.back();
            result.calories += e.calories;
            result.protein_g += e.protein_g;
            result.fat_g += e.fat_g;
            result.carbs_g += e.carbs_g;
          }
          return result;
        });
    },
    [=](atom::put, wellness_input& x) {
      self->state.wellness_changed();
      return run<wellness_day>(
        self,
        batch_of(
          {statement_of(stmt::wellness_upsert,
                        {self->state.uid(), x.date, param(x.sleep_hours),
                         param(x.rhr), param(x.hrv), param(x.weight_kg)})}),
        [](db_reply& r) -> caf::expected<wellness_day> {
          return wellness_of(*first_row(r));
        });
    },
    [=](atom::get, atom::wellness,
        list_query& q) -> caf::result<wellness_page> {
      auto key = list_key(q);
      if (auto* cached = self->state.wellness.find(key))
        return *cached;
      db_value limit = q.limit < 0 ? db_value{} : param(q.limit);
      return run<wellness_page>(
        self,
        batch_of(
          {statement_of(stmt::wellness_range, {self->state.uid(), q.from, q.to,
                                               limit, param(q.offset)}),
           statement_of(stmt::wellness_count,
                        {self->state.uid(), q.from, q.to})}),
        [=](db_reply& r) -> caf::expected<wellness_page> {
          wellness_page result;
          result.query = q;
          for (auto& row : r.results[0].rows)
            result.items.push_back(wellness_of(row));
          result.total = *integer((*first_row(r, 1))[0]);
          self->state.wellness.put(key, result, approx_bytes(result));
          return result;
        });
    },
    [=](atom::add, workout_input& x) {
      self->state.workouts_changed();
      return run<workout>(
        self,
        batch_of({statement_of(stmt::workout_insert,
                               {self->state.uid(), x.start_date, x.name, x.type,
                                param(x.duration_sec), param(x.distance_m),
                                param(x.tss), x.notes, std::string{"manual"},
                                caf::none, caf::none})}),
        [](db_reply& r) -> caf::expected<workout> {
          return workout_of(*first_row(r));
        });
    },
    [=](atom::patch, workout_ref ref, workout_input& x) {
      self->state.workouts_changed();
      return run<workout>(
        self,
        batch_of(
          {statement_of(stmt::workout_update,
                        {param(int64_t{ref.id}), self->state.uid(),
                         x.start_date, x.name, x.type, param(x.duration_sec),
                         param(x.distance_m), param(x.tss), x.notes})}),
        [](db_reply& r) -> caf::expected<workout> {
          if (auto row = first_row(r))
            return workout_of(*row);
          return not_found("Workout not found.");
        });
    },
    [=](atom::del, workout_ref x) {
      self->state.workouts_changed();
      return run<bool>(
        self,
        batch_of({statement_of(stmt::workout_delete,
                               {param(int64_t{x.id}), self->state.uid()})}),
        [](db_reply& r) -> caf::expected<bool> {
          if (r.results[0].affected == 0)
            return not_found("Workout not found.");
          return true;
        });
    },
    [=](atom::get, atom::workouts, list_query& q) -> caf::result<workout_page> {
      auto key = list_key(q);
      if (auto* cached = self->state.workouts.find(key))
        return *cached;
      return run<workout_page>(
        self,
        batch_of({statement_of(stmt::workout_range,
                               {self->state.uid(), q.from, q.to})}),
        [=](db_reply& r) -> caf::expected<workout_page> {
          std::vector<workout> all;
          for (auto& row : r.results[0].rows)
            all.push_back(workout_of(row));
          all = collapse_duplicates(std::move(all));
          workout_page result;
          result.query = q;
          result.total = static_cast<int64_t>(all.size());
          auto begin =
            std::min<size_t>(static_cast<size_t>(q.offset), all.size());
          auto end =
            q.limit < 0
              ? all.size()
              : std::min(all.size(), begin + static_cast<size_t>(q.limit));
          result.items.assign(all.begin() + static_cast<std::ptrdiff_t>(begin),
                              all.begin() + static_cast<std::ptrdiff_t>(end));
          self->state.workouts.put(key, result, approx_bytes(result));
          return result;
        });
    },
    [=](atom::get, fitness_query& q) -> caf::result<fitness> {
      if (self->state.load && self->state.load->date == q.today)
        return *self->state.load;
      return run<fitness>(
        self,
        batch_of(
          {statement_of(stmt::intervals_linked, {self->state.uid()}),
           statement_of(stmt::latest_intervals_load, {self->state.uid()}),
           statement_of(stmt::daily_tss, {self->state.uid(), q.today})}),
        [=](db_reply& r) -> caf::expected<fitness> {
          fitness result;
          bool linked = *integer((*first_row(r, 0))[0]) > 0;
          auto synced = first_row(r, 1);
          if (linked && synced != nullptr) {
            // Intervals.icu's own figures win once a sync brought them.
            auto& row = *synced;
            auto ctl = num(row[1]).value_or(0);
            auto atl = num(row[2]).value_or(0);
            auto tsb = num(row[3]);
            result = fitness{true, round_to(ctl, 1), round_to(atl, 1),
                             round_to(tsb ? *tsb : ctl - atl, 1), *row[0]};
          } else {
            // Not linked, or linked but never synced: local workouts.
            std::vector<std::pair<int64_t, double>> daily;
            for (auto& row : r.results[2].rows)
              daily.emplace_back(*parse_date(*row[0]), *num(row[1]));
            result = compute_fitness(daily, *parse_date(q.today));
            result.date = q.today;
          }
          self->state.load = result;
          self->state.load->date = q.today;
          return result;
        });
    },
    [=](atom::add, fit_upload& x) -> caf::result<workout> {
      auto summary = decode_fit(x.bytes);
      auto checksum = sha256_hex(x.bytes);
      auto rp = self->make_response_promise<workout>();
      self
        ->request(
          self->state.db, user_db::timeout, atom::exec_v,
          batch_of({statement_of(stmt::workout_by_checksum,
                                 {self->state.uid(), checksum}),
                    statement_of(stmt::effective_ftp, {self->state.uid()})}))
        .await(
          [=](db_reply& r) mutable {
            if (first_row(r, 0) != nullptr) {
              rp.deliver(make_error(api_ec::conflict,
                                    "This FIT file was already imported."));
              return;
            }
            auto* parsed = std::get_if<fit_summary>(&summary);
            if (parsed == nullptr) {
              rp.deliver(
                make_error(api_ec::bad_request,
                           "Could not parse FIT file or no session found."));
              return;
            }
            std::optional<double> ftp;
            if (auto row = first_row(r, 1); row && (*row)[0])
              ftp = num((*row)[0]).value_or(0);
            auto tss = estimate_tss(*parsed, ftp);
            auto name = workout_name_of(parsed->sport);
            self->state.workouts_changed();
            self
              ->request(
                self->state.db, user_db::timeout, atom::exec_v,
                batch_of({statement_of(
                  stmt::workout_insert,
                  {self->state.uid(), format_unix(parsed->start_unix), name,
                   name,
                   parsed->duration_sec > 0 ? param(parsed->duration_sec)
                                            : db_value{},
                   param(parsed->distance_m),
                   tss > 0 ? param(opt_double{tss}) : db_value{}, caf::none,
                   std::string{"fit"}, checksum, fit_raw_json(*parsed)})}))
              .await(
                [=](db_reply& inserted) mutable {
                  rp.deliver(workout_of(*first_row(inserted)));
                },
                [=](caf::error& err) mutable {
                  rp.deliver(std::move(err));
                });
          },
          [=](caf::error& err) mutable {
            rp.deliver(std::move(err));
          });
      return rp;
    },
    [=](atom::add, sleep_input& x) {
      return run<sleep_record>(
        self,
        batch_of({statement_of(stmt::sleep_insert,
                               {self->state.uid(), x.extracted_data})}),
        [](db_reply& r) -> caf::expected<sleep_record> {
          auto& row = *first_row(r);
          return sleep_record{static_cast<int32_t>(*integer(row[0])), *row[1],
                              *row[2]};
        });
    },
    [=](atom::get, sleep_query& q) {
      return run<std::vector<sleep_record>>(
        self,
        batch_of({statement_of(stmt::sleep_range, {self->state.uid(), q.from,
                                                   q.to, param(q.limit)})}),
        [](db_reply& r) -> caf::expected<std::vector<sleep_record>> {
          std::vector<sleep_record> result;
          for (auto& row : r.results[0].rows)
            result.push_back(sleep_record{
              static_cast<int32_t>(*integer(row[0])), *row[1], *row[2]});
          return result;
        });
    },
    [=](atom::get, atom::intervals) {
      return user_intervals::status(self);
    },
    [=](atom::link, intervals_link& x) {
      return user_intervals::link(self, std::move(x));
    },
    [=](atom::unlink) {
      return user_intervals::unlink(self);
    },
    [=](atom::sync) {
      return user_intervals::sync(self);
    },
    [=](atom::get, atom::events, list_query& q) {
      return user_intervals::events(self, std::move(q));
    },
    [=](atom::get, atom::activities, list_query& q) {
      return user_intervals::activities(self, std::move(q));
    },
    [=](atom::add, planned_event& x) {
      return user_intervals::push_event(self, std::move(x));
    },
    [=](atom::internal, atom::wake) {
      user_intervals::wake(self);
    },
    [=](atom::internal, atom::refresh, uint64_t generation) {
      user_intervals::on_refresh(self, generation);
    },
    [=](fault_probe x) -> caf::result<bool> {
      if (!self->state.cfg.fault_injection)
        return make_error(api_ec::not_found, "Not Found");
      if (x.crash)
        throw std::runtime_error("injected fault in user actor " +
                                 std::to_string(self->state.id));
      return true;
    },
    [=](atom::internal, atom::passivate) {
      if (self->state.flight)
        self->state.quit_after_flight = true; // finish the sync first
      else
        self->quit();
    },
    caf::after(cfg.idle_timeout) >>
      [=] {
        auto& st = self->state;
        if (st.next_refresh) {
          // Stays for its refresh timer; what it cached can go.
          st.profile.reset();
          st.wellness_changed();
          st.workouts_changed();
          return;
        }
        if (st.flight)
          return;
        // Idle: ask the registry to forget us; it answers with passivate.
        self->send(st.registry, atom::internal_v, atom::passivate_v, st.id);
      },
  };
}

} // namespace st
