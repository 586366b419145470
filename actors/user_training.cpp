#include "actors/user_training.hpp"

#include "actors/user.hpp"
#include "actors/user_db.hpp"
#include "protocols/errors.hpp"
#include "protocols/tokens.hpp"

#include "domain/training_load.hpp"
#include "domain/workout_match.hpp"
#include "util/dates.hpp"

namespace st {

using namespace user_db;

wellness_day user_training_part::wellness_of(const std::vector<db_value>& r) {
  return wellness_day{*r[0],     num(r[1]), num(r[2]), num(r[3]),  num(r[4]),
                      num(r[5]), num(r[6]), num(r[7]), text(r[8]), text(r[9])};
}

workout user_training_part::workout_of(const std::vector<db_value>& r) {
  return workout{static_cast<int32_t>(*integer(r[0])),
                 *r[1],
                 text(r[2]),
                 text(r[3]),
                 integer(r[4]),
                 num(r[5]),
                 num(r[6]),
                 *r[7],
                 text(r[8]),
                 text(r[9]),
                 text(r[10])};
}

namespace {

caf::error workout_not_found() {
  return make_error(user_ec::not_found, "Workout not found.");
}

std::string list_key(const list_query& q) {
  return q.from + "|" + q.to + "|" + std::to_string(q.limit) + "|" +
         std::to_string(q.offset) + (q.details ? "|details" : "");
}

size_t text_bytes(const opt_string& x) {
  return x ? x->capacity() : 0;
}

/// What a cached page costs, roughly: its items and their text, twice
/// (the page is kept with its rendered bytes).
size_t approx_bytes(const wellness_page& x) {
  size_t result = sizeof(x) + x.items.capacity() * sizeof(wellness_day);
  for (auto& d : x.items)
    result += d.date.capacity() + text_bytes(d.sport_info);
  return 2 * result;
}

size_t approx_bytes(const workout_page& x) {
  size_t result = sizeof(x) + x.items.capacity() * sizeof(workout);
  for (auto& w : x.items)
    result += w.start_date.capacity() + w.source.capacity() +
              text_bytes(w.name) + text_bytes(w.type) + text_bytes(w.notes) +
              text_bytes(w.raw_json) + text_bytes(w.fit_checksum);
  return 2 * result;
}

} // namespace

void user_training_part::rows_changed(user_self, user_table t) {
  if (t == user_table::wellness) {
    wellness_pages.clear();
    load.reset();
  } else if (t == user_table::workouts) {
    workout_pages.clear();
    load.reset();
  } else if (t == user_table::intervals) {
    load.reset(); // linked or not decides whose figures count
  }
}

caf::result<wellness_day> user_training_part::put_wellness(user_self self,
                                                           wellness_input x) {
  self->state.rows_changed(user_table::wellness);
  return run<wellness_day>(
    self,
    batch_of({statement_of(stmt::wellness_upsert,
                           {self->state.uid(), x.date, param(x.sleep_hours),
                            param(x.rhr), param(x.hrv), param(x.weight_kg),
                            flag(x.sleep_given)})}),
    [](db_reply& r) -> caf::expected<wellness_day> {
      return wellness_of(*first_row(r));
    });
}

caf::result<bool> user_training_part::clear_wellness(user_self self,
                                                     wellness_clear x) {
  self->state.rows_changed(user_table::wellness);
  auto uid = self->state.uid();
  return run<bool>(
    self,
    batch_of({statement_of(stmt::wellness_clear,
                           {uid, x.date, flag(x.sleep), flag(x.rhr),
                            flag(x.hrv), flag(x.weight)}),
              statement_of(stmt::wellness_drop_empty, {uid, x.date})},
             true),
    [](db_reply& r) -> caf::expected<bool> {
      if (r.results[0].affected == 0)
        return make_error(user_ec::not_found, "Wellness record not found.");
      return true;
    });
}

caf::result<page_ptr<wellness_day>> user_training_part::wellness(user_self self,
                                                                 list_query q) {
  q = self->state.resolve_window(std::move(q));
  auto key = list_key(q);
  if (auto* cached = wellness_pages.find(key))
    return *cached;
  db_value limit = q.limit < 0 ? db_value{} : param(q.limit);
  return run<page_ptr<wellness_day>>(
    self,
    batch_of(
      {statement_of(stmt::wellness_range,
                    {self->state.uid(), q.from, q.to, limit, param(q.offset)}),
       statement_of(stmt::wellness_count, {self->state.uid(), q.from, q.to})}),
    [=](db_reply& r) -> caf::expected<page_ptr<wellness_day>> {
      auto result = std::make_shared<wellness_page>();
      result->query = q;
      for (auto& row : r.results[0].rows)
        result->items.push_back(wellness_of(row));
      result->total = *integer((*first_row(r, 1))[0]);
      self->state.part<user_training_part>().wellness_pages.put(
        key, result, approx_bytes(*result));
      return page_ptr<wellness_day>{std::move(result)};
    });
}

namespace {

template<class T>
std::optional<double> measure(const caf::optional<T>& x) {
  if (x)
    return static_cast<double>(*x);
  return std::nullopt;
}

/// A workout about to be stored (typed in, or a FIT file's): inserted, or
/// merged into the same workout stored before (http-api-head.md §3.7).
struct arriving_workout {
  workout_input values;
  workout_origin origin = workout_origin::manual;
  opt_string checksum;
  opt_string raw_json;

  workout_measures measures() const {
    return {*parse_unix(*values.start_date), measure(values.duration_sec),
            measure(values.tss), measure(values.distance_m)};
  }

  const char* source() const {
    return origin == workout_origin::fit ? "fit" : "manual";
  }
};

/// The statement listing the merge candidates of a workout starting at
/// `start_unix`, written `offset_sec` ahead of UTC.
db_statement candidates_of(const user_state& st, int64_t start_unix,
                           int64_t offset_sec) {
  auto day = match_day(start_unix, offset_sec);
  return statement_of(stmt::workout_candidates,
                      {st.uid(), param(day.first), param(day.second)});
}

/// The rows of a `workout_candidates` result.
std::vector<stored_workout> candidates_in(const db_rows& r) {
  std::vector<stored_workout> result;
  for (auto& row : r.rows)
    result.push_back({static_cast<int32_t>(*integer(row[0])),
                      {*integer(row[1]), measure(num(row[2])),
                       measure(num(row[3])), measure(num(row[4]))},
                      static_cast<workout_origin>(*integer(row[5]))});
  return result;
}

/// Inserts `x`, or merges it into its duplicate among `candidates`.
void merge_or_insert(user_self self, const arriving_workout& x,
                     const std::vector<stored_workout>& candidates,
                     deadline until, caf::typed_response_promise<workout> rp) {
  auto& v = x.values;
  auto* same = duplicate_of(x.measures(), candidates);
  db_statement write =
    same == nullptr
      ? statement_of(stmt::workout_insert,
                     {self->state.uid(), v.start_date, v.name, v.type,
                      param(v.duration_sec), param(v.distance_m), param(v.tss),
                      v.notes, std::string{x.source()}, x.checksum, x.raw_json})
      : statement_of(stmt::workout_merge,
                     {param(int64_t{same->id}), self->state.uid(),
                      flag(fills_nulls_only(same->origin, x.origin)), v.name,
                      v.type, param(v.duration_sec), param(v.distance_m),
                      param(v.tss), v.notes, std::string{x.source()},
                      x.checksum, x.raw_json});
  self->state.rows_changed(user_table::workouts);
  bool merged = same != nullptr;
  request_db(self, batch_of({std::move(write)}), until)
    .await(
      [=](db_reply& r) mutable {
        auto result = user_training_part::workout_of(*first_row(r));
        result.merged = merged;
        rp.deliver(std::move(result));
      },
      [=](caf::error& err) mutable {
        rp.deliver(std::move(err));
      });
}

} // namespace

caf::result<workout> user_training_part::add_workout(user_self self,
                                                     workout_input x) {
  auto rp = self->make_response_promise<workout>();
  auto until = self->state.until;
  arriving_workout arrival{std::move(x), workout_origin::manual, caf::none,
                           caf::none};
  // Awaited: a second copy sent at once must see this one stored.
  auto candidates = candidates_of(self->state, arrival.measures().start_unix,
                                  arrival.values.start_offset_sec);
  request_db(self, batch_of({std::move(candidates)}), until)
    .await(
      [=](db_reply& r) mutable {
        merge_or_insert(self, arrival, candidates_in(r.results[0]), until, rp);
      },
      [=](caf::error& err) mutable {
        rp.deliver(std::move(err));
      });
  return rp;
}

caf::result<workout> user_training_part::patch_workout(user_self self,
                                                       workout_ref ref,
                                                       workout_input x) {
  self->state.rows_changed(user_table::workouts);
  return run<workout>(
    self,
    batch_of({statement_of(stmt::workout_update,
                           {param(int64_t{ref.id}), self->state.uid(),
                            x.start_date, x.name, x.type, param(x.duration_sec),
                            param(x.distance_m), param(x.tss), x.notes})}),
    [](db_reply& r) -> caf::expected<workout> {
      if (auto row = first_row(r))
        return workout_of(*row);
      return workout_not_found();
    });
}

caf::result<bool> user_training_part::delete_workout(user_self self,
                                                     workout_ref x) {
  self->state.rows_changed(user_table::workouts);
  return run<bool>(
    self,
    batch_of({statement_of(stmt::workout_delete,
                           {param(int64_t{x.id}), self->state.uid()})}),
    [](db_reply& r) -> caf::expected<bool> {
      if (r.results[0].affected == 0)
        return workout_not_found();
      return true;
    });
}

caf::result<page_ptr<workout>> user_training_part::workouts(user_self self,
                                                            list_query q) {
  q = self->state.resolve_window(std::move(q));
  auto key = list_key(q);
  if (auto* cached = workout_pages.find(key))
    return *cached;
  return run<page_ptr<workout>>(
    self,
    batch_of({statement_of(stmt::workout_range, {self->state.uid(), q.from,
                                                 q.to, flag(q.details)})}),
    [=](db_reply& r) -> caf::expected<page_ptr<workout>> {
      std::vector<workout> all;
      for (auto& row : r.results[0].rows)
        all.push_back(workout_of(row));
      all = collapse_duplicates(std::move(all));
      auto result = std::make_shared<workout_page>();
      result->query = q;
      result->total = static_cast<int64_t>(all.size());
      auto begin = std::min<size_t>(static_cast<size_t>(q.offset), all.size());
      auto end = q.limit < 0
                   ? all.size()
                   : std::min(all.size(), begin + static_cast<size_t>(q.limit));
      result->items.assign(all.begin() + static_cast<std::ptrdiff_t>(begin),
                           all.begin() + static_cast<std::ptrdiff_t>(end));
      self->state.part<user_training_part>().workout_pages.put(
        key, result, approx_bytes(*result));
      return page_ptr<workout>{std::move(result)};
    });
}

caf::result<fitness> user_training_part::fitness_of(user_self self,
                                                    fitness_query q) {
  if (q.today.empty())
    q.today = format_date(self->state.today());
  // Kept in the dated form; the older app's `date` is the figures' own day.
  auto shown = [dated = q.dated](fitness x) {
    if (!dated && x.data_as_of)
      x.date = *x.data_as_of;
    if (!dated)
      x.data_as_of = caf::none;
    return x;
  };
  if (load && load->date == q.today)
    return shown(*load);
  auto uid = self->state.uid();
  return run<fitness>(
    self,
    batch_of({statement_of(stmt::intervals_linked, {uid}),
              statement_of(stmt::latest_intervals_load, {uid, q.today}),
              statement_of(stmt::daily_tss, {uid, q.today})}),
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
        result = fitness{true,
                         round_to(ctl, 1),
                         round_to(atl, 1),
                         round_to(tsb ? *tsb : ctl - atl, 1),
                         q.today,
                         caf::none};
        if (*row[0] != q.today)
          result.data_as_of = *row[0];
      } else {
        // Not linked, or linked but never synced: local workouts.
        std::vector<std::pair<int64_t, double>> daily;
        for (auto& row : r.results[2].rows)
          daily.emplace_back(*parse_date(*row[0]), *num(row[1]));
        result = compute_fitness(daily, *parse_date(q.today));
        result.date = q.today;
      }
      self->state.part<user_training_part>().load = result;
      return shown(result);
    });
}

namespace {

/// Decodes and hashes `x` on the upload pool, then `k(file)`; a refusal
/// there goes to `rp`.
template<class Result, class K>
caf::typed_response_promise<Result> decoded(user_self self, fit_upload x, K k) {
  auto rp = self->make_response_promise<Result>();
  self
    ->request(self->state.cfg->uploads, caf::infinite, atom::decode_v,
              self->state.until, std::move(x))
    .then(
      [=](fit_reading& file) mutable {
        k(std::move(file), rp);
      },
      [=](caf::error& err) mutable {
        rp.deliver(std::move(err));
      });
  return rp;
}

} // namespace

caf::result<workout> user_training_part::import_fit(user_self self,
                                                    fit_upload x) {
  // The database part then holds the user's other requests (per-user
  // arrival order of writes).
  auto until = self->state.until;
  return decoded<workout>(
    self, std::move(x),
    [=](fit_reading file, caf::typed_response_promise<workout> rp) {
      store_fit(self, std::move(file), until, rp);
    });
}

namespace {

/// The statements that read what a FIT import needs besides the file: an
/// earlier import of the same bytes, the athlete's FTP (for the TSS).
std::vector<db_statement> fit_context(const user_state& st,
                                      const std::string& checksum) {
  return {statement_of(stmt::workout_by_checksum, {st.uid(), checksum}),
          statement_of(stmt::effective_ftp, {st.uid()})};
}

/// What a readable FIT file imports as (the FTP from `fit_context`'s reply).
fit_preview preview_of(const fit_reading& file, db_reply& r) {
  auto& parsed = *file.summary;
  std::optional<double> ftp;
  if (auto row = first_row(r, 1); row && (*row)[0])
    ftp = num((*row)[0]).value_or(0);
  auto tss = estimate_tss(parsed, ftp);
  fit_preview x;
  x.start_date = format_unix(parsed.start_unix);
  x.name = workout_name_of(parsed.sport);
  if (parsed.duration_sec > 0)
    x.duration_sec = parsed.duration_sec;
  x.distance_m = parsed.distance_m;
  if (tss > 0)
    x.tss = tss;
  x.raw_json = file.raw_json;
  return x;
}

caf::error unreadable_fit() {
  return make_error(user_ec::unreadable_file,
                    "Could not parse FIT file or no session found.");
}

} // namespace

caf::result<fit_preview> user_training_part::preview_fit(user_self self,
                                                         fit_upload x) {
  auto until = self->state.until;
  return decoded<fit_preview>(
    self, std::move(x),
    [=](fit_reading file, caf::typed_response_promise<fit_preview> rp) mutable {
      if (!file.summary) {
        rp.deliver(unreadable_fit());
        return;
      }
      request_db(self, batch_of(fit_context(self->state, file.checksum)), until)
        .then(
          [=](db_reply& r) mutable {
            rp.deliver(preview_of(file, r));
          },
          [=](caf::error& err) mutable {
            rp.deliver(std::move(err));
          });
    });
}

void user_training_part::store_fit(user_self self, fit_reading file,
                                   deadline until,
                                   caf::typed_response_promise<workout> rp) {
  auto statements = fit_context(self->state, file.checksum);
  if (file.summary) // its duplicates: on its start's day (a FIT start is UTC)
    statements.push_back(
      candidates_of(self->state, file.summary->start_unix, 0));
  request_db(self, batch_of(std::move(statements)), until)
    .await(
      [=](db_reply& r) mutable {
        if (first_row(r, 0) != nullptr) {
          rp.deliver(make_error(user_ec::duplicate,
                                "This FIT file was already imported."));
          return;
        }
        if (!file.summary) {
          rp.deliver(unreadable_fit());
          return;
        }
        auto x = preview_of(file, r);
        workout_input values;
        values.start_date = x.start_date;
        values.name = x.name;
        values.type = x.name;
        values.duration_sec = x.duration_sec;
        values.distance_m = x.distance_m;
        values.tss = x.tss;
        arriving_workout arrival{std::move(values), workout_origin::fit,
                                 file.checksum, x.raw_json};
        merge_or_insert(self, arrival, candidates_in(r.results[2]), until, rp);
      },
      [=](caf::error& err) mutable {
        rp.deliver(std::move(err));
      });
}

user_training_part::facet::behavior_type user_training_part::behavior() {
  return {
    [](deadline d, atom::put, wellness_input& x) {
      return serve(d, &user_training_part::put_wellness, std::move(x));
    },
    [](deadline d, atom::del, wellness_clear& x) {
      return serve(d, &user_training_part::clear_wellness, std::move(x));
    },
    [](deadline d, atom::get, atom::wellness, list_query& q) {
      return serve(d, &user_training_part::wellness, std::move(q));
    },
    [](deadline d, atom::add, workout_input& x) {
      return serve(d, &user_training_part::add_workout, std::move(x));
    },
    [](deadline d, atom::patch, workout_ref ref, workout_input& x) {
      return serve(d, &user_training_part::patch_workout, ref, std::move(x));
    },
    [](deadline d, atom::del, workout_ref x) {
      return serve(d, &user_training_part::delete_workout, x);
    },
    [](deadline d, atom::get, atom::workouts, list_query& q) {
      return serve(d, &user_training_part::workouts, std::move(q));
    },
    [](deadline d, atom::get, fitness_query& q) {
      return serve(d, &user_training_part::fitness_of, std::move(q));
    },
    [](deadline d, atom::analyze, fit_upload& x) {
      return serve(d, &user_training_part::preview_fit, std::move(x));
    },
    [](deadline d, atom::add, fit_upload& x) {
      return serve(d, &user_training_part::import_fit, std::move(x));
    },
  };
}

} // namespace st
