#include "actors/user_photo.hpp"

#include "actors/user.hpp"
#include "actors/user_db.hpp"
#include "protocols/errors.hpp"

#include "domain/photo_ai.hpp"
#include "util/dates.hpp"

namespace st {

using namespace user_db;

namespace {

/// The reference's 502 details.
constexpr const char* analysis_failed = "AI analysis failed. Please try again.";
constexpr const char* extraction_failed =
  "Sleep extraction failed. Please try again.";
constexpr const char* sleep_save_failed =
  "Sleep data save failed. Please try again.";

/// Starts one exchange with the model: its promise and the function that
/// ends it, exactly once (the actor is busy until then).
template<class Result>
std::pair<caf::typed_response_promise<Result>,
          std::function<void(caf::expected<Result>)>>
begin_exchange(user_self self) {
  auto rp = self->make_response_promise<Result>();
  ++self->state.part<user_photo_part>().in_flight;
  std::function<void(caf::expected<Result>)> settle =
    [self, rp](caf::expected<Result> x) mutable {
      if (x)
        rp.deliver(std::move(*x));
      else
        rp.deliver(std::move(x.error()));
      --self->state.part<user_photo_part>().in_flight;
      self->state.work_ended(self);
    };
  return {rp, settle};
}

/// Counts the call against a free athlete's day (photo kind), asks the
/// model `request`, then `finish(answer text, deadline, settle)`. No
/// answer, no charge; after its retries a failed call answers the route's
/// own detail, as the reference does.
template<class Result, class Finish>
void ask_metered(user_self self, std::string request, const char* failed_detail,
                 deadline until,
                 std::function<void(caf::expected<Result>)> settle,
                 Finish finish) {
  self->state.charge_ai(self, usage_kind::photo, until,
                        [=](caf::expected<ai_charge> charge) mutable {
                          if (!charge)
                            return settle(std::move(charge.error()));
                          gemini_call call{request, ai_priority::interactive,
                                           false, until, nullptr};
                          self
                            ->request(self->state.cfg->gemini, caf::infinite,
                                      atom::generate_v, std::move(call))
                            .then(
                              [=](gemini_answer& answer) mutable {
                                finish(answer.text, until, settle);
                              },
                              [=](caf::error& err) mutable {
                                self->state.refund_ai(self, *charge);
                                if (err == ai_ec::failed)
                                  err =
                                    make_error(ai_ec::failed, failed_detail);
                                settle(std::move(err));
                              });
                        });
}

/// One photo's way: convert on the upload pool, then ask_metered.
template<class Result, class MakePrompt, class Finish>
caf::typed_response_promise<Result>
through_model(user_self self, const image_upload& image, MakePrompt prompt,
              const char* failed_detail, Finish finish) {
  auto [rp, settle] = begin_exchange<Result>(self);
  auto until = self->state.until;
  self
    ->request(self->state.cfg->uploads, caf::infinite, atom::convert_v, until,
              image)
    .then(
      [=](model_image& converted) mutable {
        ask_metered<Result>(self, gemini_request_json(prompt(converted)),
                            failed_detail, until, settle, finish);
      },
      [=](caf::error& err) mutable {
        settle(std::move(err));
      });
  return rp;
}

caf::error unusable(const std::string& problem) {
  return make_error(ai_ec::unusable, problem);
}

/// Now, µs since the epoch: a meal saved from a photo carries the instant
/// of its upload (as the reference), not midnight.
int64_t upload_instant() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// The food entry a dish estimate is saved as.
food_entry entry_of(const food_analysis& x, const std::string& meal_type) {
  return food_entry{
    0,       x.name,    x.portion_grams, x.calories, x.protein_g,
    x.fat_g, x.carbs_g, meal_type,       {},         x.extended_nutrients};
}

caf::error premium_only() {
  return make_error(user_ec::premium_required,
                    "Premium required for re-analysis.");
}

/// A food analysis as the athlete sees it (micronutrients for premium).
food_analysis shown(const user_state& st, food_analysis x) {
  if (!st.premium())
    x.extended_nutrients = caf::none;
  return x;
}

/// Writes `x` without holding the user's other requests, then settles
/// with `result_of(reply)`, or with the error (`failure(err)` when given).
template<class Settle, class ResultOf>
void save(user_self self, db_statement x, deadline until, Settle settle,
          ResultOf result_of, const char* failure = nullptr) {
  request_db(self, batch_of({std::move(x)}), until)
    .then(
      [=](db_reply& r) mutable {
        settle(result_of(r));
      },
      [=](caf::error& err) mutable {
        if (failure != nullptr && err.category() == caf::atom("db"))
          err = make_error(ai_ec::failed, failure);
        settle(std::move(err));
      });
}

/// Keeps a sleep screenshot for a later re-analysis, then `k(its key)`.
/// A store out of reach is logged and the reading saved without one (it
/// cannot be read again), as the reference does.
template<class K>
void keep_image(user_self self, model_image image, deadline until, K k) {
  auto& st = self->state;
  self
    ->request(st.cfg->images, caf::infinite, until, atom::put_v,
              image_to_keep{st.id, std::move(image)})
    .then(
      [k](image_key& key) mutable {
        k(opt_string{std::move(key.path)});
      },
      [self, k](caf::error& err) mutable {
        log_warn("images",
                 "user " + std::to_string(self->state.id) +
                   ": the sleep screenshot is not kept: " + to_string(err));
        k(opt_string{});
      });
}

} // namespace

caf::result<food_analysis> user_photo_part::analyze_meal(user_self self,
                                                         meal_photo x) {
  auto note = x.description;
  auto meal_type = x.meal_type;
  auto uploaded = upload_instant();
  auto locale = self->state.answer_locale(x.language);
  return through_model<food_analysis>(
    self, x.image,
    [note, locale](const model_image& image) {
      return meal_prompt(image, note, locale);
    },
    analysis_failed,
    [self, meal_type, uploaded](const std::string& text, deadline until,
                                auto settle) mutable {
      auto reading = read_meal(text);
      if (!reading.value)
        return settle(unusable(reading.problem));
      auto food = *reading.value;
      save(self,
           user_diary_part::insert_food(self->state, entry_of(food, meal_type),
                                        uploaded),
           until, settle, [self, food](db_reply& r) {
             self->state.rows_changed(user_table::food);
             auto result = shown(self->state, food);
             result.id = user_diary_part::food_of(*first_row(r)).id;
             return result;
           });
    });
}

caf::result<photo_analysis> user_photo_part::analyze_photo(user_self self,
                                                           photo_upload x) {
  auto meal_type = x.meal_type;
  auto keep = x.save;
  auto workouts = x.workouts;
  auto uploaded = upload_instant();
  auto locale = self->state.answer_locale(x.language);
  return through_model<photo_analysis>(
    self, x.image,
    [locale, workouts](const model_image& image) {
      return photo_prompt(image, locale, workouts);
    },
    analysis_failed,
    [self, meal_type, keep, uploaded,
     workouts](const std::string& text, deadline until, auto settle) mutable {
      auto reading = read_photo(text, workouts);
      if (!reading.value)
        return settle(unusable(reading.problem));
      auto& found = *reading.value;
      photo_analysis result;
      result.type = found.type;
      result.food = shown(self->state, found.food);
      result.sleep.extracted_data = found.sleep_data;
      result.rhr = found.rhr;
      result.hrv = found.hrv;
      result.workout = found.workout;
      auto& st = self->state;
      db_statement write;
      if (!keep || found.type == "workout") {
        // A preview (ids 0), or a workout: the app saves that itself.
        return settle(std::move(result));
      } else if (found.type == "food") {
        write = user_diary_part::insert_food(
          st, entry_of(found.food, meal_type), uploaded);
      } else if (found.type == "sleep") {
        write = user_diary_part::insert_sleep(st, found.sleep_data);
      } else if (found.rhr || found.hrv) {
        write = statement_of(
          stmt::wellness_upsert,
          {st.uid(), format_date(st.today()), caf::none,
           param(found.rhr ? opt_double{static_cast<double>(*found.rhr)}
                           : opt_double{}),
           param(found.hrv), caf::none, flag(false)});
      } else {
        return settle(std::move(result)); // nothing to store
      }
      save(
        self, std::move(write), until, settle,
        [self, result](db_reply& r) mutable {
          auto& st = self->state;
          if (result.type == "food") {
            st.rows_changed(user_table::food);
            result.food.id = user_diary_part::food_of(*first_row(r)).id;
          } else if (result.type == "sleep") {
            st.rows_changed(user_table::wellness);
            result.sleep = user_diary_part::sleep_of(*first_row(r));
          } else {
            st.rows_changed(user_table::wellness);
          }
          return result;
        },
        result.type == "sleep" ? sleep_save_failed : nullptr);
    });
}

caf::result<sleep_record> user_photo_part::analyze_sleep(user_self self,
                                                         sleep_photo x) {
  auto full = x.full;
  auto locale = self->state.answer_locale(x.language);
  // The image as the model saw it is what a re-analysis shows it again.
  auto seen = std::make_shared<model_image>();
  return through_model<sleep_record>(
    self, x.image,
    [full, locale, seen](const model_image& image) {
      *seen = image;
      return sleep_prompt(image, full, locale);
    },
    extraction_failed,
    [self, seen](const std::string& text, deadline until, auto settle) mutable {
      auto reading = read_sleep(text);
      if (!reading.value)
        return settle(unusable(reading.problem));
      keep_image(self, std::move(*seen), until,
                 [=, data = *reading.value](opt_string key) mutable {
                   save(self,
                        user_diary_part::insert_sleep(
                          self->state, std::move(data), std::move(key)),
                        until, settle, [self](db_reply& r) {
                          self->state.rows_changed(user_table::wellness);
                          return user_diary_part::sleep_of(*first_row(r));
                        });
                 });
    });
}

caf::result<sleep_record> user_photo_part::reanalyze_sleep(user_self self,
                                                           sleep_reanalysis x) {
  if (!self->state.premium())
    return premium_only();
  auto [rp, settle] = begin_exchange<sleep_record>(self);
  auto until = self->state.until;
  auto locale = self->state.answer_locale(x.language);
  auto id = param(int64_t{x.id});
  request_db(
    self, batch_of({statement_of(stmt::sleep_by_id, {id, self->state.uid()})}),
    until)
    .then(
      [=](db_reply& r) mutable {
        auto row = first_row(r);
        if (row == nullptr)
          return settle(
            make_error(user_ec::not_found, "Extraction not found."));
        if (!(*row)[3])
          return settle(
            make_error(user_ec::no_image, "No image for re-analysis."));
        auto before = user_diary_part::sleep_of(*row);
        auto key = *(*row)[3];
        self
          ->request(self->state.cfg->images, caf::infinite, until, atom::get_v,
                    image_key{key})
          .then(
            [=](model_image& image) mutable {
              ask_metered<sleep_record>(
                self,
                gemini_request_json(
                  sleep_prompt(image, false, locale, x.correction)),
                extraction_failed, until, settle,
                [self, before](const std::string& text, deadline until,
                               auto settle) mutable {
                  auto reading = read_sleep(text);
                  if (!reading.value)
                    return settle(unusable(reading.problem));
                  save(self,
                       user_diary_part::reread_sleep(self->state, before,
                                                     *reading.value),
                       until, settle,
                       [self](db_reply& r) -> caf::expected<sleep_record> {
                         // Deleted while the model was reading it.
                         auto row = first_row(r);
                         if (row == nullptr)
                           return make_error(user_ec::not_found,
                                             "Extraction not found.");
                         self->state.rows_changed(user_table::wellness);
                         return user_diary_part::sleep_of(*row);
                       });
                });
            },
            [=](caf::error& err) mutable {
              log_warn("images", "user " + std::to_string(self->state.id) +
                                   ": cannot load " + key + ": " +
                                   to_string(err));
              settle(make_error(user_ec::image_unavailable,
                                "Failed to load stored image."));
            });
      },
      [=](caf::error& err) mutable {
        settle(std::move(err));
      });
  return rp;
}

caf::result<food_analysis> user_photo_part::analyze_text(user_self self,
                                                         meal_text x) {
  if (!self->state.premium())
    return premium_only();
  auto [rp, settle] = begin_exchange<food_analysis>(self);
  auto request = gemini_request_json(
    meal_text_prompt(x, self->state.answer_locale(x.language)));
  ask_metered<food_analysis>(
    self, std::move(request), analysis_failed, self->state.until, settle,
    [self](const std::string& text, deadline, auto settle) mutable {
      auto reading = read_meal(text);
      if (!reading.value)
        return settle(unusable(reading.problem));
      settle(shown(self->state, *reading.value)); // stored nowhere
    });
  return rp;
}

caf::result<food_entry> user_photo_part::add_text(user_self self,
                                                  meal_text_entry x) {
  auto [rp, settle] = begin_exchange<food_entry>(self);
  auto request = gemini_request_json(
    meal_text_prompt(x.dish, self->state.answer_locale(x.dish.language)));
  auto meal_type = x.meal_type;
  auto date = x.date;
  ask_metered<food_entry>(
    self, std::move(request), analysis_failed, self->state.until, settle,
    [self, meal_type, date](const std::string& text, deadline until,
                            auto settle) mutable {
      auto reading = read_meal(text);
      if (!reading.value)
        return settle(unusable(reading.problem));
      auto entry = entry_of(*reading.value, meal_type);
      entry.timestamp = date; // midnight of that day; empty: today
      save(self, user_diary_part::insert_food(self->state, std::move(entry)),
           until, settle, [self](db_reply& r) {
             self->state.rows_changed(user_table::food);
             return user_diary_part::shown(
               self->state, user_diary_part::food_of(*first_row(r)));
           });
    });
  return rp;
}

caf::result<food_entry> user_photo_part::reanalyze_food(user_self self,
                                                        food_reanalysis x) {
  if (!self->state.premium())
    return premium_only();
  auto [rp, settle] = begin_exchange<food_entry>(self);
  auto until = self->state.until;
  auto locale = self->state.answer_locale(x.dish.language);
  auto id = param(int64_t{x.id});
  request_db(
    self, batch_of({statement_of(stmt::food_by_id, {id, self->state.uid()})}),
    until)
    .then(
      [=](db_reply& r) mutable {
        auto row = first_row(r);
        if (row == nullptr)
          return settle(make_error(user_ec::not_found, "Entry not found."));
        auto stored = user_diary_part::food_of(*row);
        auto dish = x.dish;
        if (dish.name.empty())
          dish.name = stored.name;
        if (!x.portion_given)
          dish.portion_grams = stored.portion_grams;
        ask_metered<food_entry>(
          self, gemini_request_json(meal_text_prompt(dish, locale)),
          analysis_failed, until, settle,
          [self, id](const std::string& text, deadline until,
                     auto settle) mutable {
            auto reading = read_meal(text);
            if (!reading.value)
              return settle(unusable(reading.problem));
            auto& f = *reading.value;
            save(self,
                 statement_of(
                   stmt::food_reestimate,
                   {id, self->state.uid(), f.name,
                    param(opt_double{f.portion_grams}),
                    param(opt_double{f.calories}),
                    param(opt_double{f.protein_g}), param(opt_double{f.fat_g}),
                    param(opt_double{f.carbs_g}), f.extended_nutrients}),
                 until, settle,
                 [self](db_reply& r) -> caf::expected<food_entry> {
                   // Deleted while the model was estimating it.
                   auto row = first_row(r);
                   if (row == nullptr)
                     return make_error(user_ec::not_found, "Entry not found.");
                   self->state.rows_changed(user_table::food);
                   return user_diary_part::shown(
                     self->state, user_diary_part::food_of(*row));
                 });
          });
      },
      [=](caf::error& err) mutable {
        settle(std::move(err));
      });
  return rp;
}

user_photo_part::facet::behavior_type user_photo_part::behavior() {
  return {
    [](deadline d, atom::analyze, meal_text& x) {
      return serve(d, &user_photo_part::analyze_text, std::move(x));
    },
    [](deadline d, atom::add, meal_text_entry& x) {
      return serve(d, &user_photo_part::add_text, std::move(x));
    },
    [](deadline d, atom::analyze, food_reanalysis& x) {
      return serve(d, &user_photo_part::reanalyze_food, std::move(x));
    },
    [](deadline d, atom::analyze, sleep_reanalysis& x) {
      return serve(d, &user_photo_part::reanalyze_sleep, std::move(x));
    },
    [](deadline d, atom::analyze, meal_photo& x) {
      return serve(d, &user_photo_part::analyze_meal, std::move(x));
    },
    [](deadline d, atom::analyze, photo_upload& x) {
      return serve(d, &user_photo_part::analyze_photo, std::move(x));
    },
    [](deadline d, atom::analyze, sleep_photo& x) {
      return serve(d, &user_photo_part::analyze_sleep, std::move(x));
    },
  };
}

} // namespace st
