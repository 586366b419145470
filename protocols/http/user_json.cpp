#include "protocols/http/user_json.hpp"

#include "protocols/http/body_io.hpp"
#include "protocols/limits.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>

#include "util/dates.hpp"
#include "util/locales.hpp"
#include "util/text.hpp"

namespace st {

using namespace body_io;

namespace {

/// The portion and its macros, as every food object shows them.
template<class Food>
void macro_fields(json_writer& w, const Food& x) {
  for (auto& [k, v] :
       {std::pair<const char*, double>{"portion_grams", x.portion_grams},
        {"calories", x.calories},
        {"protein_g", x.protein_g},
        {"fat_g", x.fat_g},
        {"carbs_g", x.carbs_g}}) {
    w.Key(k);
    w.Double(v);
  }
}

void food_fields(json_writer& w, const food_entry& x) {
  w.StartObject();
  w.Key("id");
  w.Int(x.id);
  w.Key("name");
  write(w, x.name);
  macro_fields(w, x);
  w.Key("meal_type");
  write(w, x.meal_type);
  w.Key("timestamp");
  write(w, x.timestamp);
  w.Key("extended_nutrients");
  write_raw(w, x.extended_nutrients);
  w.Key("can_reanalyze");
  w.Bool(x.can_reanalyze);
  w.EndObject();
}

void wellness_fields(json_writer& w, const wellness_day& x) {
  w.StartObject();
  w.Key("date");
  write(w, x.date);
  w.Key("sleep_hours");
  write(w, x.sleep_hours);
  w.Key("sleep_source");
  write(w, x.sleep_source);
  for (auto& [k, v] : {std::pair<const char*, const opt_double*>{"rhr", &x.rhr},
                       {"hrv", &x.hrv},
                       {"ctl", &x.ctl},
                       {"atl", &x.atl},
                       {"tsb", &x.tsb},
                       {"weight_kg", &x.weight_kg}}) {
    w.Key(k);
    write(w, *v);
  }
  w.Key("sport_info");
  write_raw(w, x.sport_info);
  w.EndObject();
}

void workout_fields(json_writer& w, const workout& x, bool details) {
  w.StartObject();
  w.Key("id");
  w.Int(x.id);
  w.Key("start_date");
  write(w, x.start_date);
  w.Key("name");
  write(w, x.name);
  w.Key("type");
  write(w, x.type);
  w.Key("duration_sec");
  write(w, x.duration_sec);
  w.Key("distance_m");
  write(w, x.distance_m);
  w.Key("tss");
  write(w, x.tss);
  w.Key("source");
  write(w, x.source);
  w.Key("notes");
  write(w, x.notes);
  if (details) {
    w.Key("raw");
    write_raw(w, x.raw_json);
    w.Key("fit_checksum");
    write(w, x.fit_checksum);
  }
  w.EndObject();
}

/// The sleep object's keys in stored order with their bounds.
enum class sleep_kind { text, number, integer, ratings, objects, strings };

struct sleep_key {
  const char* name;
  sleep_kind kind;
  double lo;
  double hi;
  size_t max_len;
};

const std::vector<sleep_key>& sleep_keys() {
  constexpr double inf = 1e300;
  static const std::vector<sleep_key> result{
    {"date", sleep_kind::text, 0, 0, SIZE_MAX},
    {"sleep_hours", sleep_kind::number, 0, 24, 0},
    {"sleep_minutes", sleep_kind::integer, 0, 1440, 0},
    {"actual_sleep_hours", sleep_kind::number, 0, 24, 0},
    {"actual_sleep_minutes", sleep_kind::integer, 0, 1440, 0},
    {"time_in_bed_min", sleep_kind::integer, 0, 1440, 0},
    {"quality_score", sleep_kind::number, 0, 100, 0},
    {"score_delta", sleep_kind::integer, -inf, inf, 0},
    {"efficiency_pct", sleep_kind::number, 0, 100, 0},
    {"rest_min", sleep_kind::integer, 0, 600, 0},
    {"deep_sleep_min", sleep_kind::integer, 0, 600, 0},
    {"rem_min", sleep_kind::integer, 0, 600, 0},
    {"light_sleep_min", sleep_kind::integer, 0, 600, 0},
    {"awake_min", sleep_kind::integer, 0, 120, 0},
    {"factor_ratings", sleep_kind::ratings, 0, 0, 0},
    {"sleep_phases", sleep_kind::objects, 0, 0, 0},
    {"latency_min", sleep_kind::integer, 0, 180, 0},
    {"awakenings", sleep_kind::integer, 0, 100, 0},
    {"bedtime", sleep_kind::text, 0, 0, 8},
    {"wake_time", sleep_kind::text, 0, 0, 8},
    {"sleep_periods", sleep_kind::strings, 0, 0, 0},
    {"source_app", sleep_kind::text, 0, 0, 256},
    {"raw_notes", sleep_kind::text, 0, 0, 2048},
    // The newer reference's five (http-api-head.md §3.5).
    {"rhr", sleep_kind::number, 0, limits::max_heart_rate, 0},
    {"hrv", sleep_kind::number, 0, 1000, 0},
    {"spo2_avg", sleep_kind::number, 0, 100, 0},
    {"spo2_min", sleep_kind::number, 0, 100, 0},
    {"spo2_max", sleep_kind::number, 0, 100, 0},
  };
  return result;
}

/// Hours from the stored object: the hour key, else minutes / 60 rounded
/// to 2 decimals.
opt_double hours_of(const rapidjson::Value& obj, const char* hours,
                    const char* minutes) {
  auto h = obj.FindMember(hours);
  if (h != obj.MemberEnd() && h->value.IsNumber())
    return h->value.GetDouble();
  auto m = obj.FindMember(minutes);
  if (m != obj.MemberEnd() && m->value.IsNumber())
    return round_to(m->value.GetDouble() / 60.0, 2);
  return caf::none;
}

} // namespace

// -- request bodies
// -------------------------------------------------------------

namespace {

/// The micronutrients of a request: an object of the ten known keys, each
/// a number ≥ 0 (null = left out); 422 entries otherwise. None when empty.
opt_string extended_nutrients_in(body_reader& in, const rapidjson::Value& v) {
  auto fail = [&](const char* msg) {
    in.fail("value_error", "extended_nutrients", msg, v);
    return caf::none;
  };
  if (!v.IsObject())
    return fail("Input should be a valid dictionary");
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  bool any = false;
  for (auto& m : v.GetObject()) {
    std::string_view key{m.name.GetString(), m.name.GetStringLength()};
    if (std::find(std::begin(extended_nutrient_keys),
                  std::end(extended_nutrient_keys),
                  key) == std::end(extended_nutrient_keys))
      return fail("Value error, unknown nutrient (expected fiber_g, "
                  "sodium_mg, calcium_mg, iron_mg, potassium_mg, "
                  "magnesium_mg, zinc_mg, vitamin_a_mcg, vitamin_c_mg, "
                  "vitamin_d_iu)");
    if (m.value.IsNull())
      continue;
    if (!m.value.IsNumber() || m.value.GetDouble() < 0)
      return fail("Value error, every nutrient is a number >= 0");
    w.Key(m.name.GetString(), m.name.GetStringLength());
    w.Double(m.value.GetDouble());
    any = true;
  }
  w.EndObject();
  if (!any)
    return caf::none;
  return std::string{buf.GetString()};
}

/// A list of hours 0–23 (sorted, repeats dropped); 422 entries otherwise.
caf::optional<std::vector<int64_t>>
decision_hours_of(body_reader& in, const rapidjson::Value& v) {
  if (!v.IsArray() || v.Size() > 24) {
    in.fail(v.IsArray() ? "too_long" : "list_type", "decision_hours",
            v.IsArray() ? "List should have at most 24 items"
                        : "Input should be a valid list",
            v);
    return caf::none;
  }
  std::vector<int64_t> hours;
  for (auto& h : v.GetArray()) {
    if (!h.IsInt64() || h.GetInt64() < 0 || h.GetInt64() > 23) {
      in.fail("int_range", "decision_hours",
              "Each hour should be an integer from 0 to 23", h);
      return caf::none;
    }
    hours.push_back(h.GetInt64());
  }
  std::sort(hours.begin(), hours.end());
  hours.erase(std::unique(hours.begin(), hours.end()), hours.end());
  return hours;
}

} // namespace

std::optional<profile_patch>
parse_profile_patch(const std::string& body,
                    std::vector<validation_error>& errors) {
  return read_body<profile_patch>(body, errors, [](body_reader& in) {
    profile_patch x;
    x.weight_kg = in.number("weight_kg", false, 0, limits::max_weight_kg);
    x.height_cm = in.number("height_cm", false, 0, limits::max_height_cm);
    x.birth_year = in.integer("birth_year", false, 1900, 2100);
    x.ftp = in.integer("ftp", false, 1, 999);
    x.timezone = in.string("timezone", false, 1, 64);
    if (auto* v = in.raw("decision_hours"))
      x.decision_hours = decision_hours_of(in, *v);
    x.goals.calorie_goal = in.number("calorie_goal", false, 0, 10000);
    x.goals.protein_goal = in.number("protein_goal", false, 0, 1000);
    x.goals.fat_goal = in.number("fat_goal", false, 0, 1000);
    x.goals.carbs_goal = in.number("carbs_goal", false, 0, 1000);
    if (in.present("target_race_date")) {
      auto date = in.string("target_race_date", false);
      auto day = date ? parse_date(*date) : std::nullopt;
      if (date && !day)
        in.fail("date_from_datetime_parsing", "target_race_date",
                "Input should be a valid date in the format YYYY-MM-DD",
                *in.raw("target_race_date"));
      x.target_race_date = day ? opt_string{format_date(*day)} : opt_string{};
    }
    if (in.present("target_race_name"))
      x.target_race_name = in.string("target_race_name", false, 0, 512);
    if (in.present("is_athlete"))
      x.is_athlete = in.boolean("is_athlete", false);
    if (auto locale = in.string("locale", false)) {
      auto primary = primary_language(*locale);
      if (!is_supported_locale(primary))
        in.fail(
          "literal_error", "locale",
          "Input should be 'ru', 'en', 'de', 'fr', 'es', 'it', 'pt' or "
          "'th'",
          *in.raw("locale"),
          R"({"expected":"'ru', 'en', 'de', 'fr', 'es', 'it', 'pt' or 'th'"})");
      x.locale = primary;
    }
    return x;
  });
}

std::optional<food_entry>
parse_food_entry(const std::string& body, std::optional<std::string>& date_text,
                 std::vector<validation_error>& errors) {
  return read_body<food_entry>(body, errors, [&](body_reader& in) {
    food_entry x;
    x.name = in.string("name", true, 1, 512).value_or("");
    x.portion_grams = in.number("portion_grams", true, 0, 10000).value_or(0);
    x.calories = in.number("calories", true, 0, 10000).value_or(0);
    x.protein_g = in.number("protein_g", true, 0, 500).value_or(0);
    x.fat_g = in.number("fat_g", true, 0, 500).value_or(0);
    x.carbs_g = in.number("carbs_g", true, 0, 1000).value_or(0);
    if (auto meal = in.string("meal_type", false))
      x.meal_type = *meal;
    if (auto date = in.string("date", false))
      date_text = *date;
    if (auto* v = in.raw("extended_nutrients"))
      x.extended_nutrients = extended_nutrients_in(in, *v);
    return x;
  });
}

std::optional<meal_text> parse_meal_text(const std::string& body,
                                         std::vector<validation_error>& errors,
                                         bool& portion_given) {
  return read_body<meal_text>(body, errors, [&](body_reader& in) {
    meal_text x;
    x.name = trim(in.string("name", false, 0, 512).value_or(""));
    auto portion = in.number("portion_grams", false, 0, 10000);
    portion_given = static_cast<bool>(portion);
    x.portion_grams = portion.value_or(0);
    x.correction = trim(in.string("correction", false, 0, 512).value_or(""));
    return x;
  });
}

std::optional<std::string>
parse_sleep_correction(const std::string& body,
                       std::vector<validation_error>& errors) {
  return read_body<std::string>(body, errors, [](body_reader& in) {
    return in.string("correction", true, 1, 512).value_or("");
  });
}

std::optional<meal_text_entry>
parse_meal_text_entry(const std::string& body,
                      std::vector<validation_error>& errors) {
  return read_body<meal_text_entry>(body, errors, [](body_reader& in) {
    meal_text_entry x;
    x.dish.name = trim(in.string("name", true, 1, 512).value_or(""));
    x.dish.portion_grams =
      in.number("portion_grams", true, 0, 10000).value_or(0);
    if (auto meal = in.string("meal_type", false))
      x.meal_type = *meal;
    if (auto date = in.string("date", false))
      x.date = *date;
    return x;
  });
}

std::optional<food_patch>
parse_food_patch(const std::string& body,
                 std::vector<validation_error>& errors) {
  return read_body<food_patch>(body, errors, [](body_reader& in) {
    food_patch x;
    x.name = in.string("name", false, 1, 512);
    x.portion_grams = in.number("portion_grams", false, 0, 10000);
    x.calories = in.number("calories", false, 0, 10000);
    x.protein_g = in.number("protein_g", false, 0, 500);
    x.fat_g = in.number("fat_g", false, 0, 500);
    x.carbs_g = in.number("carbs_g", false, 0, 1000);
    x.meal_type = in.string("meal_type", false);
    return x;
  });
}

std::optional<wellness_input>
parse_wellness_input(const std::string& body,
                     std::vector<validation_error>& errors) {
  return read_body<wellness_input>(body, errors, [](body_reader& in) {
    wellness_input x;
    if (auto date = in.string("date", true)) {
      if (auto day = parse_date(*date))
        x.date = format_date(*day);
      else {
        json_document input;
        input.SetString(date->c_str(), input.GetAllocator());
        in.fail("date_from_datetime_parsing", "date",
                "Input should be a valid date in the format YYYY-MM-DD", input);
      }
    }
    x.sleep_hours = in.number("sleep_hours", false, 0, 24);
    x.sleep_given = in.present("sleep_hours");
    x.rhr = in.number("rhr", false, 0, limits::max_heart_rate);
    x.hrv = in.number("hrv", false, 0, limits::max_hrv_ms);
    x.weight_kg = in.number("weight_kg", false, 0, limits::max_weight_kg);
    return x;
  });
}

std::optional<workout_input>
parse_workout_input(const std::string& body, bool create,
                    std::vector<validation_error>& errors) {
  return read_body<workout_input>(body, errors, [&](body_reader& in) {
    workout_input x;
    if (auto start = in.string("start_date", create)) {
      if (auto normal = normalize_datetime(*start)) {
        x.start_date = *normal;
        x.start_offset_sec = static_cast<int32_t>(*utc_offset_of(*start));
      } else {
        json_document input;
        input.SetString(start->c_str(), input.GetAllocator());
        in.fail("datetime_from_date_parsing", "start_date",
                "Input should be a valid datetime or date", input);
      }
    }
    x.name = in.string("name", false, 0, 512);
    x.type = in.string("type", false, 0, 64);
    x.duration_sec =
      in.integer("duration_sec", false, 0, limits::max_workout_seconds);
    x.distance_m = in.number("distance_m", false, 0, limits::max_distance_m);
    x.tss = in.number("tss", false, 0, limits::max_tss);
    x.notes = in.string("notes", false, 0, limits::max_notes_chars);
    return x;
  });
}

std::optional<std::string>
parse_sleep_data(const std::string& body,
                 std::vector<validation_error>& errors) {
  return read_body<std::string>(body, errors, [](body_reader& in) {
    rapidjson::StringBuffer buf;
    json_writer w{buf};
    w.StartObject();
    for (auto& key : sleep_keys()) {
      w.Key(key.name);
      switch (key.kind) {
      case sleep_kind::number:
        write(w, in.number(key.name, false, key.lo, key.hi));
        break;
      case sleep_kind::integer:
        write(w, in.integer(key.name, false, key.lo, key.hi));
        break;
      case sleep_kind::text:
        write(w, in.string(key.name, false, 0, key.max_len));
        break;
      default: {
        auto* v = in.raw(key.name);
        bool ok = v == nullptr ||
                  (key.kind == sleep_kind::ratings && v->IsObject()) ||
                  (key.kind != sleep_kind::ratings && v->IsArray());
        if (ok && v != nullptr && key.kind == sleep_kind::ratings)
          for (auto& m : v->GetObject())
            ok = ok && m.value.IsString();
        if (ok && v != nullptr && key.kind == sleep_kind::strings)
          for (auto& e : v->GetArray())
            ok = ok && e.IsString();
        if (ok && v != nullptr && key.kind == sleep_kind::objects)
          for (auto& e : v->GetArray())
            ok = ok && e.IsObject();
        if (!ok) {
          in.fail(key.kind == sleep_kind::ratings ? "dict_type" : "list_type",
                  key.name,
                  key.kind == sleep_kind::ratings
                    ? "Input should be a valid dictionary"
                    : "Input should be a valid list",
                  *v);
          w.Null();
        } else if (v == nullptr) {
          w.Null();
        } else {
          v->Accept(w);
        }
      }
      }
    }
    w.EndObject();
    return std::string{buf.GetString(), buf.GetSize()};
  });
}

std::string sleep_data_from_model(const rapidjson::Value& x) {
  auto find = [&](const char* name) -> const rapidjson::Value* {
    if (!x.IsObject())
      return nullptr;
    auto i = x.FindMember(name);
    return i == x.MemberEnd() || i->value.IsNull() ? nullptr : &i->value;
  };
  return render([&](json_writer& w) {
    w.StartObject();
    for (auto& key : sleep_keys()) {
      w.Key(key.name);
      auto* v = find(key.name);
      switch (key.kind) {
      case sleep_kind::number:
      case sleep_kind::integer: {
        std::optional<double> n;
        if (v != nullptr && v->IsNumber())
          n = v->GetDouble();
        else if (v != nullptr && v->IsString())
          n = parse_finite(trim(v->GetString()));
        if (!n) {
          w.Null();
        } else if (key.kind == sleep_kind::integer) {
          w.Int64(static_cast<int64_t>(std::clamp(std::nearbyint(*n),
                                                  std::max(key.lo, -1e15),
                                                  std::min(key.hi, 1e15))));
        } else {
          w.Double(std::clamp(*n, key.lo, key.hi));
        }
        break;
      }
      case sleep_kind::text:
        if (v != nullptr && v->IsString())
          write(w, utf8_prefix(sanitize_utf8(v->GetString()), key.max_len));
        else
          w.Null();
        break;
      case sleep_kind::ratings:
        if (v == nullptr || !v->IsObject()) {
          w.Null();
          break;
        }
        w.StartObject();
        for (auto& m : v->GetObject())
          if (m.value.IsString()) {
            w.Key(m.name.GetString(), m.name.GetStringLength());
            m.value.Accept(w);
          }
        w.EndObject();
        break;
      case sleep_kind::objects:
      case sleep_kind::strings:
        if (v == nullptr || !v->IsArray()) {
          w.Null();
          break;
        }
        w.StartArray();
        for (auto& e : v->GetArray())
          if (key.kind == sleep_kind::objects ? e.IsObject() : e.IsString())
            e.Accept(w);
        w.EndArray();
        break;
      }
    }
    w.EndObject();
  });
}

// -- query strings
// -----------------------------------------------------------------

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> result;
  std::string_view rest = query;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto item = rest.substr(0, amp);
    rest =
      amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (item.empty())
      continue;
    auto eq = item.find('=');
    // The last occurrence wins, as in FastAPI.
    result[percent_decode(item.substr(0, eq), true)] =
      eq == std::string_view::npos ? ""
                                   : percent_decode(item.substr(eq + 1), true);
  }
  return result;
}

std::optional<int64_t> query_date(const std::map<std::string, std::string>& q,
                                  const char* name,
                                  std::vector<validation_error>& errors) {
  auto i = q.find(name);
  if (i == q.end())
    return std::nullopt;
  auto day = parse_date(i->second);
  if (!day)
    errors.push_back({"date_from_datetime_parsing",
                      {"query", name},
                      "Input should be a valid date in the format YYYY-MM-DD",
                      echo_string(i->second),
                      ""});
  return day;
}

std::optional<int64_t> query_int(const std::map<std::string, std::string>& q,
                                 const char* name, int64_t lo, int64_t hi,
                                 std::vector<validation_error>& errors) {
  auto i = q.find(name);
  if (i == q.end())
    return std::nullopt;
  char* end = nullptr;
  auto x = std::strtoll(i->second.c_str(), &end, 10);
  if (i->second.empty() || *end != '\0') {
    errors.push_back({"int_parsing",
                      {"query", name},
                      "Input should be a valid integer, unable to parse "
                      "string as an integer",
                      echo_string(i->second),
                      ""});
    return std::nullopt;
  }
  if (x < lo || x > hi) {
    bool low = x < lo;
    errors.push_back(
      {low ? "greater_than_equal" : "less_than_equal",
       {"query", name},
       std::string{"Input should be "} +
         (low ? "greater than or equal to " : "less than or equal to ") +
         std::to_string(low ? lo : hi),
       echo_string(i->second),
       std::string{"{\""} + (low ? "ge" : "le") +
         "\":" + std::to_string(low ? lo : hi) + "}"});
    return std::nullopt;
  }
  return x;
}

// -- responses
// ---------------------------------------------------------------------

std::string profile_json(const athlete_profile& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("weight_kg");
    write(w, x.weight_kg);
    w.Key("weight_source");
    write(w, x.weight_source);
    w.Key("ftp");
    write(w, x.ftp);
    w.Key("ftp_source");
    write(w, x.ftp_source);
    w.Key("height_cm");
    write(w, x.height_cm);
    w.Key("birth_year");
    write(w, x.birth_year);
    w.Key("strava_firstname");
    write(w, x.strava_firstname);
    w.Key("strava_lastname");
    write(w, x.strava_lastname);
    w.Key("strava_profile_url");
    write(w, x.strava_profile_url);
    w.Key("strava_sex");
    write(w, x.strava_sex);
    w.Key("strava_updated_at");
    write(w, x.strava_updated_at);
    w.Key("display_name");
    write(w, x.display_name);
    w.Key("timezone");
    write(w, x.timezone);
    w.Key("decision_hours");
    w.StartArray();
    for (auto h : x.decision_hours)
      w.Int64(h);
    w.EndArray();
    auto& g = x.goals;
    w.Key("nutrition_goals");
    if (g.calorie_goal || g.protein_goal || g.fat_goal || g.carbs_goal) {
      w.StartObject();
      w.Key("calorie_goal");
      write(w, g.calorie_goal);
      w.Key("protein_goal");
      write(w, g.protein_goal);
      w.Key("fat_goal");
      write(w, g.fat_goal);
      w.Key("carbs_goal");
      write(w, g.carbs_goal);
      w.EndObject();
    } else {
      w.Null();
    }
    w.Key("target_race_date");
    write(w, x.target_race_date);
    w.Key("target_race_name");
    write(w, x.target_race_name);
    w.Key("days_to_race");
    write(w, x.days_to_race);
    w.Key("is_athlete");
    if (x.is_athlete)
      w.Bool(*x.is_athlete);
    else
      w.Null();
    w.Key("is_premium");
    w.Bool(x.is_premium);
    // The development toggle does not exist in this service.
    w.Key("dev_can_toggle_premium");
    w.Bool(false);
    w.Key("locale");
    write(w, x.locale);
    w.EndObject();
  });
}

std::string food_json(const food_entry& x) {
  return render([&](json_writer& w) {
    food_fields(w, x);
  });
}

std::string food_day_json(const food_day& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("date");
    write(w, x.date);
    w.Key("entries");
    w.StartArray();
    for (auto& e : x.entries)
      food_fields(w, e);
    w.EndArray();
    w.Key("totals");
    w.StartObject();
    w.Key("calories");
    w.Double(x.calories);
    w.Key("protein_g");
    w.Double(x.protein_g);
    w.Key("fat_g");
    w.Double(x.fat_g);
    w.Key("carbs_g");
    w.Double(x.carbs_g);
    w.EndObject();
    w.EndObject();
  });
}

std::string wellness_json(const wellness_day& x) {
  return render([&](json_writer& w) {
    wellness_fields(w, x);
  });
}

std::string wellness_page_json(const wellness_page& x) {
  return page_json(x, wellness_fields);
}

std::string fit_preview_json(const fit_preview& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("start_date");
    write(w, x.start_date);
    w.Key("name");
    write(w, x.name);
    w.Key("type");
    write(w, x.name);
    w.Key("duration_sec");
    write(w, x.duration_sec);
    w.Key("distance_m");
    write(w, x.distance_m);
    w.Key("tss");
    write(w, x.tss);
    w.Key("raw");
    write_raw(w, opt_string{x.raw_json});
    w.EndObject();
  });
}

std::string workout_json(const workout& x, bool details) {
  return render([&](json_writer& w) {
    workout_fields(w, x, details);
  });
}

std::string workout_page_json(const workout_page& x) {
  return page_json(x, [&](json_writer& w, const workout& item) {
    workout_fields(w, item, x.query.details);
  });
}

std::string fitness_json(const fitness& x) {
  if (!x.present)
    return "null";
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("ctl");
    w.Double(x.ctl);
    w.Key("atl");
    w.Double(x.atl);
    w.Key("tsb");
    w.Double(x.tsb);
    w.Key("date");
    write(w, x.date);
    if (x.data_as_of) {
      w.Key("data_as_of");
      write(w, *x.data_as_of);
    }
    w.EndObject();
  });
}

std::string sleep_record_json(const sleep_record& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("id");
    w.Int(x.id);
    w.Key("extracted_data");
    write_raw(w, opt_string{x.extracted_data});
    w.Key("created_at");
    write(w, x.created_at);
    w.EndObject();
  });
}

std::string food_analysis_json(const food_analysis& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("name");
    write(w, x.name);
    macro_fields(w, x);
    w.Key("id");
    w.Int(x.id);
    w.Key("extended_nutrients");
    write_raw(w, x.extended_nutrients);
    w.EndObject();
  });
}

std::string photo_analysis_json(const photo_analysis& x) {
  std::string payload;
  if (x.type == "food") {
    payload = food_analysis_json(x.food);
  } else if (x.type == "sleep") {
    payload = sleep_record_json(x.sleep);
  } else if (x.type == "workout") {
    auto& o = x.workout;
    payload = render([&](json_writer& w) {
      w.StartObject();
      for (auto& [k, v] :
           {std::pair<const char*, const opt_string*>{"name", &o.name},
            {"date", &o.date},
            {"sport_type", &o.sport_type}}) {
        w.Key(k);
        write(w, *v);
      }
      w.Key("duration_sec");
      write(w, o.duration_sec);
      w.Key("distance_m");
      write(w, o.distance_m);
      w.Key("calories");
      write(w, o.calories);
      w.Key("avg_hr");
      write(w, o.avg_hr);
      w.Key("max_hr");
      write(w, o.max_hr);
      w.Key("tss");
      write(w, o.tss);
      w.Key("notes");
      write(w, o.notes);
      w.EndObject();
    });
  } else {
    payload = render([&](json_writer& w) {
      w.StartObject();
      w.Key("rhr");
      write(w, x.rhr);
      w.Key("hrv");
      write(w, x.hrv);
      w.EndObject();
    });
  }
  return "{\"type\":" + json_string(x.type) + "," + json_string(x.type) + ":" +
         payload + "}";
}

std::string sleep_list_json(const std::vector<sleep_record>& xs,
                            bool newer_app) {
  return render([&](json_writer& w) {
    w.StartArray();
    for (auto& x : xs) {
      json_document doc;
      if (parse_json(x.extracted_data, doc, json_strings::any) ||
          !doc.IsObject())
        continue;
      w.StartObject();
      w.Key("id");
      w.Int(x.id);
      w.Key("created_at");
      write(w, x.created_at);
      // The night as wellness got it (its year set right, §3.5.4).
      w.Key("sleep_date");
      auto date = doc.FindMember("date");
      if (!x.night_date.empty())
        w.String(x.night_date.c_str());
      else if (date != doc.MemberEnd() && date->value.IsString())
        w.String(date->value.GetString());
      else
        w.Null();
      w.Key("sleep_hours");
      write(w, newer_app ? x.night_sleep
                         : hours_of(doc, "sleep_hours", "sleep_minutes"));
      w.Key("actual_sleep_hours");
      write(w, hours_of(doc, "actual_sleep_hours", "actual_sleep_minutes"));
      w.Key("quality_score");
      auto score = doc.FindMember("quality_score");
      if (score != doc.MemberEnd() && score->value.IsNumber())
        w.Double(score->value.GetDouble());
      else
        w.Null();
      w.Key("can_reanalyze");
      w.Bool(x.can_reanalyze);
      w.EndObject();
    }
    w.EndArray();
  });
}

} // namespace st
