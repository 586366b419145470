// The athlete's own data: profile, nutrition, sleep records, wellness,
// workouts (http-api.md §3.4–3.8). Handlers only translate the wire format;
// the user's actor does the work.
#include "protocols/errors.hpp"
#include "protocols/http/multipart.hpp"
#include "protocols/http/user_json.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/route_support.hpp"

#include "domain/nutrition.hpp"
#include "domain/time_zone.hpp"
#include "util/dates.hpp"
#include "util/text.hpp"

namespace st {

namespace {

using status = http::status;

/// DELETE of one of the user's rows by the id in `param`: 204, 404, 422.
template<class Ref>
void delete_by_id(router& r, const char* path, const char* param,
                  const api_context& ctx) {
  user_route(r, http::verb::delete_, path, ctx,
             [param](const api_context& ctx, const api_request& req,
                     int32_t user, responder reply) {
               std::vector<validation_error> errors;
               auto id = path_id(req, param, errors);
               if (!id)
                 return reply(unprocessable(errors));
               ask_user<bool>(ctx, user, answer_no_content<bool>(reply),
                              atom::del_v, Ref{*id});
             });
}

/// The `.fit` file of a FIT upload's form, or none when `reply` was given
/// the refusal.
std::optional<fit_upload> fit_file_of(const api_request& req,
                                      const responder& reply) {
  auto parts = parse_multipart(req.content_type, req.body);
  if (!parts) {
    reply(detail_response(status::bad_request,
                          "There was an error parsing the body"));
    return std::nullopt;
  }
  auto* file = find_part(*parts, "file");
  if (file == nullptr) {
    reply(unprocessable(
      {{"missing", {"body", "file"}, "Field required", "null", ""}}));
    return std::nullopt;
  }
  auto name = file->filename.value_or("");
  auto lower = to_lower(name);
  if (lower.size() < 4 || lower.compare(lower.size() - 4, 4, ".fit") != 0) {
    reply(detail_response(status::bad_request, "Expected a .fit file."));
    return std::nullopt;
  }
  if (file->data.empty()) {
    reply(detail_response(status::bad_request, "Empty file."));
    return std::nullopt;
  }
  return fit_upload{name, std::make_shared<const std::string>(file->data)};
}

void add_profile_routes(router& r, const api_context& ctx) {
  user_route(r, http::verb::get, "/api/v1/athlete-profile", ctx,
             [](const api_context& ctx, const api_request&, int32_t user,
                responder reply) {
               ask_user<athlete_profile>(
                 ctx, user, answer<athlete_profile>(reply, profile_json),
                 atom::get_v, atom::profile_v);
             });
  user_route(r, http::verb::patch, "/api/v1/athlete-profile", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto patch = parse_profile_patch(req.body, errors);
               if (!patch)
                 return reply(unprocessable(errors));
               if (patch->timezone && !find_zone(*patch->timezone))
                 return reply(unprocessable(
                   {{"value_error",
                     {"body", "timezone"},
                     "Value error, unknown time zone (expected an IANA name "
                     "such as Europe/Berlin)",
                     json_string(*patch->timezone),
                     ""}}));
               ask_user<athlete_profile>(
                 ctx, user, answer<athlete_profile>(reply, profile_json),
                 atom::patch_v, *patch);
             });
}

void add_nutrition_routes(router& r, const api_context& ctx) {
  static const char* bad_date = "Invalid date format. Use YYYY-MM-DD.";
  user_route(
    r, http::verb::post, "/api/v1/nutrition/entries", ctx,
    [](const api_context& ctx, const api_request& req, int32_t user,
       responder reply) {
      std::vector<validation_error> errors;
      std::optional<std::string> date_text;
      auto entry = parse_food_entry(req.body, date_text, errors);
      if (!entry)
        return reply(unprocessable(errors));
      // Without a date: the user's today, which their actor knows.
      if (date_text) {
        auto day = parse_date(*date_text);
        if (!day)
          return reply(detail_response(status::bad_request, bad_date));
        entry->timestamp = format_date(*day);
      }
      entry->meal_type = normalize_meal_type(
        entry->meal_type.empty() ? opt_string{} : opt_string{entry->meal_type});
      ask_user<food_entry>(ctx, user, answer<food_entry>(reply, food_json),
                           atom::add_v, *entry);
    });
  // The newer app's text estimates (http-api-head.md §3.4.2, 3.4.4, 3.4.7):
  // every input checked before the model is paid for.
  user_route(r, http::verb::post, "/api/v1/nutrition/analyze-from-text", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               bool portion_given = false;
               auto x = parse_meal_text(req.body, errors, portion_given);
               if (!x)
                 return reply(unprocessable(errors));
               if (x->name.empty())
                 return reply(detail_response(status::unprocessable_entity,
                                              "Name is required."));
               x->language = req.language;
               ask_user_within<food_analysis>(
                 ctx, ctx.ai_request_timeout, user,
                 answer<food_analysis>(reply, food_analysis_json),
                 atom::analyze_v, std::move(*x));
             });
  user_route(r, http::verb::post, "/api/v1/nutrition/entries/add-from-text",
             ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto x = parse_meal_text_entry(req.body, errors);
               if (!x)
                 return reply(unprocessable(errors));
               if (x->dish.name.empty())
                 return reply(detail_response(status::unprocessable_entity,
                                              "Name is required."));
               if (!x->date.empty()) {
                 auto day = parse_date(x->date);
                 if (!day)
                   return reply(detail_response(status::bad_request, bad_date));
                 x->date = format_date(*day);
               }
               x->meal_type = normalize_meal_type(x->meal_type.empty()
                                                    ? opt_string{}
                                                    : opt_string{x->meal_type});
               x->dish.language = req.language;
               ask_user_within<food_entry>(ctx, ctx.ai_request_timeout, user,
                                           answer<food_entry>(reply, food_json),
                                           atom::add_v, std::move(*x));
             });
  user_route(r, http::verb::post,
             "/api/v1/nutrition/entries/{entry_id}/reanalyze", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto id = path_id(req, "entry_id", errors);
               food_reanalysis x;
               auto dish = parse_meal_text(req.body, errors, x.portion_given);
               if (!id || !dish)
                 return reply(unprocessable(errors));
               x.id = *id;
               x.dish = std::move(*dish);
               x.dish.language = req.language;
               ask_user_within<food_entry>(ctx, ctx.ai_request_timeout, user,
                                           answer<food_entry>(reply, food_json),
                                           atom::analyze_v, std::move(x));
             });
  user_route(r, http::verb::get, "/api/v1/nutrition/day", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               auto q = parse_query(req.query);
               auto i = q.find("date");
               std::string date; // empty: the user's today
               if (i != q.end()) {
                 auto day = parse_date(i->second);
                 if (!day)
                   return reply(detail_response(status::bad_request, bad_date));
                 date = format_date(*day);
               }
               ask_user<food_day>(ctx, user,
                                  answer<food_day>(reply, food_day_json),
                                  atom::get_v, atom::day_v, std::move(date));
             });
  user_route(r, http::verb::get, "/api/v1/nutrition/entries/{entry_id}", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto id = path_id(req, "entry_id", errors);
               if (!id)
                 return reply(unprocessable(errors));
               ask_user<food_entry>(ctx, user,
                                    answer<food_entry>(reply, food_json),
                                    atom::get_v, food_ref{*id});
             });
  user_route(r, http::verb::patch, "/api/v1/nutrition/entries/{entry_id}", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto id = path_id(req, "entry_id", errors);
               auto patch = parse_food_patch(req.body, errors);
               if (!id || !patch)
                 return reply(unprocessable(errors));
               if (patch->meal_type)
                 patch->meal_type = normalize_meal_type(patch->meal_type);
               ask_user<food_entry>(ctx, user,
                                    answer<food_entry>(reply, food_json),
                                    atom::patch_v, food_ref{*id}, *patch);
             });
  user_route(r, http::verb::delete_, "/api/v1/nutrition/entries/{entry_id}",
             ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto id = path_id(req, "entry_id", errors);
               if (!id)
                 return reply(unprocessable(errors));
               ask_user<bool>(ctx, user,
                              answer<bool>(reply,
                                           [](bool) {
                                             return std::string{
                                               "{\"status\":\"deleted\"}"};
                                           }),
                              atom::del_v, food_ref{*id});
             });
}

void add_sleep_routes(router& r, const api_context& ctx) {
  user_route(r, http::verb::post, "/api/v1/photo/save-sleep", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto data = parse_sleep_data(req.body, errors);
               if (!data)
                 return reply(unprocessable(errors));
               ask_user<sleep_record>(
                 ctx, user, answer<sleep_record>(reply, sleep_record_json),
                 atom::add_v, sleep_input{*data});
             });
  user_route(r, http::verb::get, "/api/v1/photo/sleep-extractions", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto q = parse_query(req.query);
               auto limit = query_int(q, "limit", 1, 90, errors);
               auto window = query_window(q, limit.value_or(60), errors);
               if (!window || !errors.empty())
                 return reply(unprocessable(errors));
               sleep_query query;
               if (window->from)
                 query.from = format_date(*window->from);
               if (window->to)
                 query.to = format_date(*window->to);
               query.limit = limit.value_or(60);
               auto newer = req.newer_app;
               ask_user<std::vector<sleep_record>>(
                 ctx, user,
                 answer<std::vector<sleep_record>>(
                   reply,
                   [newer](const std::vector<sleep_record>& xs) {
                     return sleep_list_json(xs, newer);
                   }),
                 atom::get_v, query);
             });
  delete_by_id<sleep_ref>(r, "/api/v1/photo/sleep-extractions/{extraction_id}",
                          "extraction_id", ctx);
  user_route(r, http::verb::post,
             "/api/v1/photo/sleep-extractions/{extraction_id}/reanalyze", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto id = path_id(req, "extraction_id", errors);
               auto correction = parse_sleep_correction(req.body, errors);
               if (!id || !correction)
                 return reply(unprocessable(errors));
               ask_user_within<sleep_record>(
                 ctx, ctx.ai_request_timeout, user,
                 answer<sleep_record>(reply, sleep_record_json),
                 atom::analyze_v,
                 sleep_reanalysis{*id, std::move(*correction), req.language});
             });
}

void add_wellness_routes(router& r, const api_context& ctx) {
  window_route<page_ptr<wellness_day>>(
    r, "/api/v1/wellness", ctx, 30, atom::wellness_v, [](responder reply) {
      return answer_page<wellness_day>(std::move(reply), wellness_page_json);
    });
  user_route(r, http::verb::put, "/api/v1/wellness", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto x = parse_wellness_input(req.body, errors);
               if (!x)
                 return reply(unprocessable(errors));
               // The older app's null keeps a value; the newer one's clears.
               x->sleep_given = x->sleep_given && req.newer_app;
               ask_user<wellness_day>(
                 ctx, user, answer<wellness_day>(reply, wellness_json),
                 atom::put_v, *x);
             });
  // The app's "delete sleep": only what the athlete entered goes (all of
  // it, or the `fields` named), never the synced load (§6.12).
  user_route(r, http::verb::delete_, "/api/v1/wellness/{wellness_date}", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto& text = req.path_params.at("wellness_date");
               auto day = parse_date(text);
               if (!day || text.size() != 10)
                 errors.push_back(
                   {"date_from_datetime_parsing",
                    {"path", "wellness_date"},
                    "Input should be a valid date in the format YYYY-MM-DD",
                    echo_string(text),
                    ""});
               wellness_clear x;
               auto q = parse_query(req.query);
               if (auto fields = q.find("fields"); fields != q.end()) {
                 x.sleep = x.rhr = x.hrv = x.weight = false;
                 for (auto name : split(fields->second, ',')) {
                   auto field = trim(std::string{name});
                   if (field == "sleep_hours" || field == "sleep_source")
                     x.sleep = true;
                   else if (field == "rhr")
                     x.rhr = true;
                   else if (field == "hrv")
                     x.hrv = true;
                   else if (field == "weight_kg")
                     x.weight = true;
                   else
                     errors.push_back(
                       {"literal_error",
                        {"query", "fields"},
                        "Input should be a comma-separated list of "
                        "sleep_hours, rhr, hrv, weight_kg",
                        echo_string(fields->second),
                        ""});
                 }
               }
               if (!errors.empty())
                 return reply(unprocessable(errors));
               x.date = format_date(*day);
               ask_user<bool>(ctx, user, answer_no_content<bool>(reply),
                              atom::del_v, std::move(x));
             });
}

/// Renders a workout in the object of the app that asked.
std::function<std::string(const workout&)> workout_renderer(bool newer_app) {
  return [newer_app](const workout& x) {
    return workout_json(x, newer_app);
  };
}

/// A created workout: 201, or 200 when it merged into one stored before
/// (http-api-head.md §6 item 14: the caller can tell them apart).
std::function<void(caf::expected<workout>)>
answer_stored_workout(responder reply, bool newer_app) {
  return [reply = std::move(reply), newer_app](caf::expected<workout> x) {
    auto ok = x && x->merged ? status::ok : status::created;
    answer<workout>(reply, workout_renderer(newer_app), ok)(std::move(x));
  };
}

void add_workout_routes(router& r, const api_context& ctx) {
  window_route<page_ptr<workout>>(
    r, "/api/v1/workouts", ctx, 14, atom::workouts_v, [](responder reply) {
      return answer_page<workout>(std::move(reply), workout_page_json);
    });
  user_route(r, http::verb::post, "/api/v1/workouts", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto x = parse_workout_input(req.body, true, errors);
               if (!x)
                 return reply(unprocessable(errors));
               ask_user<workout>(ctx, user,
                                 answer_stored_workout(reply, req.newer_app),
                                 atom::add_v, *x);
             });
  // Figures change with every sync: never kept by a cache (§3.7.4).
  user_route(
    r, http::verb::get, "/api/v1/workouts/fitness", ctx,
    [](const api_context& ctx, const api_request& req, int32_t user,
       responder reply) {
      auto no_store = [](api_response res) {
        res.headers.emplace_back("Cache-Control", "no-store");
        return res;
      };
      fitness_query q;
      auto params = parse_query(req.query);
      if (auto date = params.find("date"); date != params.end()) {
        auto day = parse_date(date->second);
        if (!day || date->second.size() != 10)
          return reply(no_store(detail_response(
            status::bad_request, "Invalid date format. Use YYYY-MM-DD.")));
        auto utc_today = std::chrono::duration_cast<std::chrono::hours>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() /
                         24;
        if (*day < utc_today - 1 || *day > utc_today + 1)
          return reply(no_store(detail_response(
            status::bad_request,
            "Date must be within yesterday and tomorrow (server UTC).")));
        q.today = format_date(*day);
        q.dated = true;
      }
      ask_user<fitness>(
        ctx, user,
        [reply, no_store](caf::expected<fitness> x) {
          if (!x)
            return reply(no_store(error_response(x.error())));
          reply.later([value = *x, no_store] {
            return no_store(json_response(status::ok, fitness_json(value)));
          });
        },
        atom::get_v, q);
    });
  user_route(r, http::verb::patch, "/api/v1/workouts/{workout_id}", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto id = path_id(req, "workout_id", errors);
               auto x = parse_workout_input(req.body, false, errors);
               if (!id || !x)
                 return reply(unprocessable(errors));
               ask_user<workout>(
                 ctx, user,
                 answer<workout>(reply, workout_renderer(req.newer_app)),
                 atom::patch_v, workout_ref{*id}, *x);
             });
  delete_by_id<workout_ref>(r, "/api/v1/workouts/{workout_id}", "workout_id",
                            ctx);
  user_route(
    r, http::verb::post, "/api/v1/workouts/upload-fit", ctx,
    [](const api_context& ctx, const api_request& req, int32_t user,
       responder reply) {
      if (auto upload = fit_file_of(req, reply))
        ask_user<workout>(ctx, user,
                          answer_stored_workout(reply, req.newer_app),
                          atom::add_v, std::move(*upload));
    },
    body_kind::upload);
  // The import as it would be, stored nowhere (the app shows it first).
  user_route(
    r, http::verb::post, "/api/v1/workouts/preview-fit", ctx,
    [](const api_context& ctx, const api_request& req, int32_t user,
       responder reply) {
      if (auto upload = fit_file_of(req, reply))
        ask_user<fit_preview>(ctx, user,
                              answer<fit_preview>(reply, fit_preview_json),
                              atom::analyze_v, std::move(*upload));
    },
    body_kind::upload);
}

#ifdef ST_TEST_HOOKS
void add_fault_route(router& r, const api_context& ctx) {
  // Test-only: makes the caller's actor throw (FAULT_INJECTION=true).
  user_route(r, http::verb::post, "/api/v1/test/fault", ctx,
             [](const api_context& ctx, const api_request&, int32_t user,
                responder reply) {
               ask_user<bool>(ctx, user,
                              answer<bool>(reply,
                                           [](bool) {
                                             return std::string{"{}"};
                                           }),
                              fault_probe{true});
             });
  // Test-only: a reminder of kind "probe" at the next `?at=HH:MM:SS` on
  // the user's clock; it logs one line when it fires.
  user_route(
    r, http::verb::post, "/api/v1/test/reminder", ctx,
    [](const api_context& ctx, const api_request& req, int32_t user,
       responder reply) {
      auto q = parse_query(req.query);
      int h = 0, m = 0, sec = 0;
      char tail = 0;
      auto at = q["at"];
      if (std::sscanf(at.c_str(), "%2d:%2d:%2d%c", &h, &m, &sec, &tail) != 3 ||
          h > 23 || m > 59 || sec > 59 || h < 0 || m < 0 || sec < 0)
        return reply(
          detail_response(status::bad_request, "Expected ?at=HH:MM:SS."));
      ask_user<std::string>(
        ctx, user,
        answer<std::string>(reply,
                            [](const std::string& due) {
                              return "{\"due_at\":" + json_string(due) + "}";
                            }),
        atom::remind_v, int64_t{h * 3600 + m * 60 + sec});
    });
}
#endif

} // namespace

void add_user_routes(router& r, const api_context& ctx) {
  add_profile_routes(r, ctx);
  add_nutrition_routes(r, ctx);
  add_sleep_routes(r, ctx);
  add_wellness_routes(r, ctx);
  add_workout_routes(r, ctx);
#ifdef ST_TEST_HOOKS
  if (ctx.fault_injection)
    add_fault_route(r, ctx);
#endif
}

} // namespace st
