#pragma once

#include "protocols/http/json.hpp"
#include "protocols/messages.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace st {

// -- request bodies (each fills `errors` with 422 entries on failure)
// ----------

[[nodiscard]] std::optional<profile_patch>
parse_profile_patch(const std::string& body,
                    std::vector<validation_error>& errors);

/// A new food entry; `date_text` receives the raw `date` (checked by the
/// route, which answers the reference's 400 for a bad one).
[[nodiscard]] std::optional<food_entry>
parse_food_entry(const std::string& body, std::optional<std::string>& date_text,
                 std::vector<validation_error>& errors);

[[nodiscard]] std::optional<food_patch>
parse_food_patch(const std::string& body,
                 std::vector<validation_error>& errors);

[[nodiscard]] std::optional<wellness_input>
parse_wellness_input(const std::string& body,
                     std::vector<validation_error>& errors);

/// A workout to create (`start_date` required) or patch.
[[nodiscard]] std::optional<workout_input>
parse_workout_input(const std::string& body, bool create,
                    std::vector<validation_error>& errors);

/// A SleepExtractedData object, validated and rendered in its stored form:
/// all 28 keys in schema order, nulls included, UTF-8 unescaped.
[[nodiscard]] std::optional<std::string>
parse_sleep_data(const std::string& body,
                 std::vector<validation_error>& errors);

/// The sleep object a model answered, in the stored form of
/// parse_sleep_data, mended instead of refused: numbers (numeric strings
/// too) clamped into their bounds and integers rounded, texts cut to their
/// length, wrongly typed values and unknown keys dropped.
[[nodiscard]] std::string sleep_data_from_model(const rapidjson::Value& x);

// -- query strings
// ---------------------------------------------------------------

/// `a=1&b=x%20y` → {a: 1, b: "x y"}.
[[nodiscard]] std::map<std::string, std::string>
parse_query(const std::string& query);

/// Reads an optional `YYYY-MM-DD` query parameter (422 entry when bad).
[[nodiscard]] std::optional<int64_t>
query_date(const std::map<std::string, std::string>& q, const char* name,
           std::vector<validation_error>& errors);

/// Reads an optional integer query parameter within [lo, hi].
[[nodiscard]] std::optional<int64_t>
query_int(const std::map<std::string, std::string>& q, const char* name,
          int64_t lo, int64_t hi, std::vector<validation_error>& errors);

// -- responses
// -------------------------------------------------------------------

[[nodiscard]] std::string profile_json(const athlete_profile& x);
[[nodiscard]] std::string food_json(const food_entry& x);
[[nodiscard]] std::string food_day_json(const food_day& x);
[[nodiscard]] std::string wellness_json(const wellness_day& x);
/// A plain array without paging, else the `{items,total,limit,offset,
/// has_more}` envelope.
[[nodiscard]] std::string wellness_page_json(const wellness_page& x);
/// `details`: with `raw` and `fit_checksum` (the newer app's object).
[[nodiscard]] std::string workout_json(const workout& x, bool details);

/// The body of analyze-from-text and reanalyze (`name`, `portion_grams`,
/// `correction`, all optional); `portion_given` says whether the portion
/// was sent.
/// `{"correction": "…"}` (1-512 characters) of a sleep re-analysis.
[[nodiscard]] std::optional<std::string>
parse_sleep_correction(const std::string& body,
                       std::vector<validation_error>& errors);
[[nodiscard]] std::optional<meal_text>
parse_meal_text(const std::string& body, std::vector<validation_error>& errors,
                bool& portion_given);

/// The body of add-from-text (`name`, `portion_grams` required).
[[nodiscard]] std::optional<meal_text_entry>
parse_meal_text_entry(const std::string& body,
                      std::vector<validation_error>& errors);
[[nodiscard]] std::string fit_preview_json(const fit_preview& x);
[[nodiscard]] std::string workout_page_json(const workout_page& x);
/// The object, or `null`.
[[nodiscard]] std::string fitness_json(const fitness& x);
[[nodiscard]] std::string sleep_record_json(const sleep_record& x);
/// NutritionAnalysis (http-api.md §3.5).
[[nodiscard]] std::string food_analysis_json(const food_analysis& x);
/// The answer of POST /photo/analyze (http-api.md §3.6.1).
[[nodiscard]] std::string photo_analysis_json(const photo_analysis& x);
/// The dashboard's sleep list (http-api.md §3.6.4); unparsable rows skipped.
/// The sleep list; `newer_app` gets the newer app's `sleep_hours` (the
/// sleep actually slept) instead of the total.
[[nodiscard]] std::string sleep_list_json(const std::vector<sleep_record>& xs,
                                          bool newer_app);

} // namespace st
