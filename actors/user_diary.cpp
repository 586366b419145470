#include "actors/user_diary.hpp"

#include "actors/user.hpp"
#include "actors/user_db.hpp"
#include "config/defaults.hpp"
#include "protocols/errors.hpp"

#include "domain/sleep_night.hpp"
#include "domain/time_zone.hpp"
#include "util/dates.hpp"

namespace st {

using namespace user_db;

namespace {

caf::error entry_not_found() {
  return make_error(user_ec::not_found, "Entry not found.");
}

} // namespace

food_entry user_diary_part::food_of(const std::vector<db_value>& r) {
  return food_entry{static_cast<int32_t>(*integer(r[0])),
                    *r[1],
                    *num(r[2]),
                    *num(r[3]),
                    *num(r[4]),
                    *num(r[5]),
                    *num(r[6]),
                    *r[7],
                    *r[8],
                    text(r[9])};
}

sleep_record user_diary_part::sleep_of(const std::vector<db_value>& r) {
  return sleep_record{
    static_cast<int32_t>(*integer(r[0])), *r[1], *r[2], caf::none, {}, false};
}

db_statement user_diary_part::insert_food(const user_state& st, food_entry x,
                                          std::optional<int64_t> at_micros) {
  if (!at_micros) {
    auto day = x.timestamp.empty() ? st.today() : parse_date(x.timestamp);
    at_micros = day.value_or(st.today()) * 86'400'000'000;
  }
  char at[32];
  std::snprintf(at, sizeof(at), "%lld.%06lld",
                static_cast<long long>(*at_micros / 1'000'000),
                static_cast<long long>(*at_micros % 1'000'000));
  return statement_of(
    stmt::food_insert,
    {st.uid(), std::string{at}, x.meal_type, x.name,
     param(opt_double{x.portion_grams}), param(opt_double{x.calories}),
     param(opt_double{x.protein_g}), param(opt_double{x.fat_g}),
     param(opt_double{x.carbs_g}), x.extended_nutrients});
}

food_entry user_diary_part::shown(const user_state& st, food_entry x) {
  x.can_reanalyze = st.premium();
  if (!x.can_reanalyze)
    x.extended_nutrients = caf::none;
  return x;
}

namespace {

/// A reading's data and its night: the first six parameters of
/// sleep_insert and sleep_reread.
std::vector<db_value> reading_params(const user_state& st, std::string data,
                                     const sleep_night& night) {
  return {st.uid(),
          std::move(data),
          format_date(night.day),
          param(night.sleep_hours),
          param(night.rhr),
          param(night.hrv)};
}

/// The athlete's day a reading was uploaded on: its "today" when read.
int64_t upload_day(const user_state& st, const sleep_record& x) {
  auto saved = parse_unix(x.created_at);
  if (!saved)
    return st.today();
  return day_in(st.zone, std::chrono::system_clock::from_time_t(
                           static_cast<time_t>(*saved)));
}

} // namespace

db_statement user_diary_part::insert_sleep(const user_state& st,
                                           std::string extracted_data,
                                           opt_string image) {
  auto night = night_of(extracted_data, st.today());
  auto params = reading_params(st, std::move(extracted_data), night);
  params.push_back(std::move(image));
  return statement_of(stmt::sleep_insert, std::move(params));
}

db_statement user_diary_part::reread_sleep(const user_state& st,
                                           const sleep_record& before,
                                           std::string extracted_data) {
  auto uploaded = upload_day(st, before);
  auto earlier = night_of(before.extracted_data, uploaded);
  auto night = night_of(extracted_data, uploaded);
  auto params = reading_params(st, std::move(extracted_data), night);
  params.push_back(param(int64_t{before.id}));
  params.push_back(format_date(earlier.day));
  params.push_back(param(earlier.sleep_hours));
  return statement_of(stmt::sleep_reread, std::move(params));
}

sleep_night user_diary_part::night_of_reading(const user_state& st,
                                              const sleep_record& x) {
  return night_of(x.extracted_data, upload_day(st, x));
}

void user_diary_part::forget_image(user_self self, std::string key) {
  self
    ->request(self->state.cfg->images, caf::infinite, self->state.until,
              atom::del_v, image_key{key})
    .then([](bool) {},
          [self, key](caf::error& err) {
            log_warn("images", "user " + std::to_string(self->state.id) +
                                 ": could not delete " + key + ": " +
                                 to_string(err));
          });
}

caf::result<bool> user_diary_part::delete_sleep(user_self self, sleep_ref x) {
  auto rp = self->make_response_promise<bool>();
  auto until = self->state.until;
  auto id = param(int64_t{x.id});
  auto uid = self->state.uid();
  // Read first (the day and the sleep it gave), then delete with them.
  // Both await their answer, so no other request of the user's comes in
  // between (a FOR UPDATE would end with its own statement anyway).
  request_db(self, batch_of({statement_of(stmt::sleep_by_id, {id, uid})}),
             until)
    .await(
      [=](db_reply& r) mutable {
        auto row = first_row(r);
        if (row == nullptr) {
          rp.deliver(make_error(user_ec::not_found, "Extraction not found."));
          return;
        }
        auto night = night_of_reading(self->state, sleep_of(*row));
        auto image = (*row)[3];
        self->state.rows_changed(user_table::wellness);
        request_db(self,
                   batch_of({statement_of(stmt::sleep_delete,
                                          {id, uid, format_date(night.day),
                                           param(night.sleep_hours)})}),
                   until)
          .await(
            [=](db_reply&) mutable {
              rp.deliver(true);
              if (image)
                forget_image(self, *image);
            },
            [=](caf::error& err) mutable {
              rp.deliver(std::move(err));
            });
      },
      [=](caf::error& err) mutable {
        rp.deliver(std::move(err));
      });
  return rp;
}

namespace {

bool same_food(const food_entry& a, const food_entry& b) {
  return a.name == b.name && a.portion_grams == b.portion_grams &&
         a.calories == b.calories && a.protein_g == b.protein_g &&
         a.fat_g == b.fat_g && a.carbs_g == b.carbs_g &&
         a.meal_type == b.meal_type && a.timestamp == b.timestamp &&
         a.extended_nutrients == b.extended_nutrients;
}

} // namespace

caf::result<food_entry> user_diary_part::add_food(user_self self,
                                                  food_entry x) {
  auto now = std::chrono::steady_clock::now();
  if (last_added && now - last_added->at < defaults::food_replay_window &&
      same_food(last_added->input, x))
    return shown(self->state, last_added->stored);
  return run<food_entry>(self, batch_of({insert_food(self->state, x)}),
                         [=](db_reply& r) -> caf::expected<food_entry> {
                           self->state.rows_changed(user_table::food);
                           auto stored = food_of(*first_row(r));
                           self->state.part<user_diary_part>().last_added =
                             added_food{x, stored, now};
                           return shown(self->state, stored);
                         });
}

caf::result<food_entry> user_diary_part::food(user_self self, food_ref x) {
  return run<food_entry>(
    self,
    batch_of({statement_of(stmt::food_by_id,
                           {param(int64_t{x.id}), self->state.uid()})}),
    [=](db_reply& r) -> caf::expected<food_entry> {
      if (auto row = first_row(r))
        return shown(self->state, food_of(*row));
      return entry_not_found();
    });
}

caf::result<food_entry>
user_diary_part::patch_food(user_self self, food_ref ref, food_patch x) {
  return run<food_entry>(
    self,
    batch_of({statement_of(stmt::food_update,
                           {param(int64_t{ref.id}), self->state.uid(), x.name,
                            param(x.portion_grams), param(x.calories),
                            param(x.protein_g), param(x.fat_g),
                            param(x.carbs_g), x.meal_type})}),
    [=](db_reply& r) -> caf::expected<food_entry> {
      self->state.rows_changed(user_table::food);
      if (auto row = first_row(r))
        return shown(self->state, food_of(*row));
      return entry_not_found();
    });
}

caf::result<bool> user_diary_part::delete_food(user_self self, food_ref x) {
  return run<bool>(
    self,
    batch_of({statement_of(stmt::food_delete,
                           {param(int64_t{x.id}), self->state.uid()})}),
    [=](db_reply& r) -> caf::expected<bool> {
      self->state.rows_changed(user_table::food);
      if (r.results[0].affected == 0)
        return entry_not_found();
      return true;
    });
}

caf::result<food_day> user_diary_part::day(user_self self, std::string date) {
  if (date.empty())
    date = format_date(self->state.today());
  return run<food_day>(
    self, batch_of({statement_of(stmt::food_day, {self->state.uid(), date})}),
    [=](db_reply& r) -> caf::expected<food_day> {
      auto result = food_day_of(date, r.results[0]);
      for (auto& e : result.entries)
        e = shown(self->state, std::move(e));
      return result;
    });
}

food_day user_diary_part::food_day_of(const std::string& date,
                                      const db_rows& rows) {
  food_day result;
  result.date = date;
  for (auto& row : rows.rows) {
    result.entries.push_back(food_of(row));
    auto& e = result.entries.back();
    result.calories += e.calories;
    result.protein_g += e.protein_g;
    result.fat_g += e.fat_g;
    result.carbs_g += e.carbs_g;
  }
  return result;
}

caf::result<sleep_record> user_diary_part::add_sleep(user_self self,
                                                     sleep_input x) {
  return run<sleep_record>(
    self, batch_of({insert_sleep(self->state, std::move(x.extracted_data))}),
    [=](db_reply& r) -> caf::expected<sleep_record> {
      self->state.rows_changed(user_table::wellness);
      return sleep_of(*first_row(r));
    });
}

caf::result<std::vector<sleep_record>> user_diary_part::sleep(user_self self,
                                                              sleep_query q) {
  auto today = self->state.today();
  auto to = q.to.empty() ? today : *parse_date(q.to);
  auto from = q.from.empty() ? to - q.limit : *parse_date(q.from);
  return run<std::vector<sleep_record>>(
    self,
    batch_of(
      {statement_of(stmt::sleep_range, {self->state.uid(), format_date(from),
                                        format_date(to), param(q.limit)})}),
    [self](db_reply& r) -> caf::expected<std::vector<sleep_record>> {
      auto& st = self->state;
      std::vector<sleep_record> result;
      for (auto& row : r.results[0].rows) {
        auto& x = result.emplace_back(sleep_of(row));
        auto night = night_of_reading(st, x);
        x.night_sleep = night.sleep_hours;
        x.night_date = format_date(night.day);
        x.can_reanalyze = row[3] && st.premium();
      }
      return result;
    });
}

user_diary_part::facet::behavior_type user_diary_part::behavior() {
  return {
    [](deadline d, atom::add, food_entry& x) {
      return serve(d, &user_diary_part::add_food, std::move(x));
    },
    [](deadline d, atom::get, food_ref x) {
      return serve(d, &user_diary_part::food, x);
    },
    [](deadline d, atom::patch, food_ref ref, food_patch& x) {
      return serve(d, &user_diary_part::patch_food, ref, std::move(x));
    },
    [](deadline d, atom::del, food_ref x) {
      return serve(d, &user_diary_part::delete_food, x);
    },
    [](deadline d, atom::get, atom::day, std::string& date) {
      return serve(d, &user_diary_part::day, std::move(date));
    },
    [](deadline d, atom::add, sleep_input& x) {
      return serve(d, &user_diary_part::add_sleep, std::move(x));
    },
    [](deadline d, atom::del, sleep_ref x) {
      return serve(d, &user_diary_part::delete_sleep, x);
    },
    [](deadline d, atom::get, sleep_query& q) {
      return serve(d, &user_diary_part::sleep, std::move(q));
    },
  };
}

} // namespace st
