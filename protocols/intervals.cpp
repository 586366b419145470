#include "protocols/intervals.hpp"

#include "protocols/http/json.hpp"
#include "protocols/json_fields.hpp"
#include "protocols/tokens.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <unordered_map>

#include "util/dates.hpp"
#include "util/text.hpp"

namespace st::intervals {

namespace {

using namespace json_fields;
using rapidjson::Value;

constexpr size_t name_chars = 512;     // workouts.name varchar(512)
constexpr size_t type_chars = 64;      // workouts.type varchar(64)
constexpr size_t external_id_max = 64; // workouts.external_id varchar(64)

/// Upstream text is checked as UTF-8: PostgreSQL refuses anything else.

/// Parses a list body: an empty body is `[]`, a lone object a one-item
/// list, other items are skipped (domain.md §4.2).
bool parse_list(std::string_view body, rapidjson::Document& doc,
                std::vector<const Value*>& items) {
  if (trim(body).empty())
    return true;
  if (parse_json(body, doc, json_strings::any))
    return false;
  if (doc.IsArray()) {
    for (auto& x : doc.GetArray())
      if (x.IsObject())
        items.push_back(&x);
  } else if (doc.IsObject() && doc.MemberCount() > 0) {
    items.push_back(&doc);
  }
  return true;
}

/// Which of two rows with one key a list keeps.
enum class repeated { first_wins, last_wins };

/// Keeps one row per key, in the order keys first appeared.
template<class Row>
void keep_one(std::vector<Row>& rows,
              std::unordered_map<std::string, size_t>& index, std::string key,
              Row row, repeated rule) {
  auto [i, fresh] = index.emplace(std::move(key), rows.size());
  if (fresh)
    rows.push_back(std::move(row));
  else if (rule == repeated::last_wins)
    rows[i->second] = std::move(row);
}

/// A date-time string as upstream wrote it, if it reads as one: a local
/// calendar time stays local (it has no zone to convert from).
opt_string datetime_text(const Value* x) {
  if (x == nullptr || !x->IsString())
    return caf::none;
  std::string text{x->GetString(), x->GetStringLength()};
  auto utc = normalize_datetime(text);
  if (!utc)
    return caf::none;
  auto t = text.find_first_of("Tt ");
  bool zoned = t != std::string::npos &&
               text.find_first_of("Zz+-", t) != std::string::npos;
  return zoned ? *utc : text;
}

/// Strava-imported activities come back as stubs without their data
/// (external-apis.md §3.3).
bool strava_stub(const Value& x) {
  auto source = member(x, "source");
  return source != nullptr && source->IsString() &&
         std::string_view{source->GetString()} == "STRAVA";
}

intervals_event event_of(const Value& x) {
  intervals_event result;
  result.id = id_of(member(x, "id"));
  result.title = text_of(first_truthy(x, {"title", "name"}), SIZE_MAX);
  result.start_date = datetime_text(
    first_truthy(x, {"start_date", "startDate", "start_date_local"}));
  result.end_date =
    datetime_text(first_truthy(x, {"end_date", "endDate", "end_date_local"}));
  result.type = text_of(first_truthy(x, {"type"}), SIZE_MAX);
  if (!result.type)
    result.type = std::string{"workout"};
  return result;
}

} // namespace

std::string auth_header(std::string_view api_key) {
  return "Authorization: Basic " +
         base64_encode("API_KEY:" + std::string{api_key});
}

std::string athlete_url(const std::string& base,
                        const std::string& athlete_id) {
  return base + "/athlete/" + percent_encode(athlete_id);
}

std::string wellness_url(const std::string& base, const std::string& athlete_id,
                         const std::string& oldest, const std::string& newest) {
  return athlete_url(base, athlete_id) + "/wellness?oldest=" + oldest +
         "&newest=" + newest;
}

std::string activities_url(const std::string& base,
                           const std::string& athlete_id,
                           const std::string& oldest, const std::string& newest,
                           int limit) {
  return athlete_url(base, athlete_id) + "/activities?oldest=" + oldest +
         "&newest=" + newest + "&limit=" + std::to_string(limit) +
         "&fields=id,name,start_date,start_date_local,type,distance,"
         "moving_time,icu_training_load,source";
}

std::string activity_url(const std::string& base,
                         const std::string& activity_id) {
  return base + "/activity/" + percent_encode(activity_id);
}

std::string events_url(const std::string& base, const std::string& athlete_id,
                       const std::string& oldest, const std::string& newest) {
  auto result = athlete_url(base, athlete_id) + "/events";
  if (!oldest.empty())
    result += "?oldest=" + oldest + "&newest=" + newest;
  return result;
}

std::optional<rows_of<activity_row>>
parse_activity_rows(std::string_view body) {
  json_document doc;
  std::vector<const Value*> items;
  if (!parse_list(body, doc, items))
    return std::nullopt;
  rows_of<activity_row> result;
  std::unordered_map<std::string, size_t> index;
  for (auto* item : items) {
    auto& x = *item;
    activity_row row;
    row.external_id = id_of(member(x, "id"));
    auto start =
      first_truthy(x, {"start_date", "startDate", "start_date_local"});
    auto start_iso = start != nullptr && start->IsString()
                       ? normalize_datetime(start->GetString())
                       : std::nullopt;
    if (row.external_id.empty() || row.external_id.size() > external_id_max ||
        !start_iso) {
      ++result.skipped;
      continue;
    }
    row.start_date = *start_iso;
    row.name = text_of(first_truthy(x, {"name", "title"}), name_chars);
    row.type = text_of(member(x, "type"), type_chars);
    auto duration = first_truthy(x, {"moving_time", "movingTime", "duration"});
    if (duration == nullptr)
      duration = member(x, "length");
    row.duration_sec = whole(number(duration));
    row.distance_m = number(first_truthy(x, {"distance", "length"}));
    row.tss =
      number(first_present(x, {"icu_training_load", "training_load", "tss"}));
    row.raw = to_json(x);
    auto key = row.external_id;
    // domain.md §4.7 step 3: the first occurrence of an id wins.
    keep_one(result.rows, index, std::move(key), std::move(row),
             repeated::first_wins);
  }
  return result;
}

std::optional<rows_of<wellness_day>>
parse_wellness_rows(std::string_view body) {
  json_document doc;
  std::vector<const Value*> items;
  if (!parse_list(body, doc, items))
    return std::nullopt;
  rows_of<wellness_day> result;
  std::unordered_map<std::string, size_t> index;
  for (auto* item : items) {
    auto& x = *item;
    auto date_value = first_truthy(x, {"date", "localDate", "id"});
    std::optional<int64_t> day;
    if (date_value != nullptr && date_value->IsString()) {
      std::string text = date_value->GetString();
      if (text.size() > 10 && (text[10] == 'T' || text[10] == ' '))
        text.resize(10);
      day = parse_date(text);
    }
    if (!day) {
      // The reference filed these under the window's first day.
      ++result.skipped;
      continue;
    }
    wellness_day row;
    row.date = format_date(*day);
    row.sleep_hours =
      number(first_present(x, {"sleepDuration", "sleep_hours"}));
    if (!row.sleep_hours)
      if (auto secs = number(member(x, "sleepSecs")))
        row.sleep_hours = *secs / 3600.0;
    row.rhr =
      number(first_present(x, {"restingHeartRate", "rhr", "restingHR"}));
    row.hrv = number(first_present(x, {"hrv", "hrvSDNN"}));
    row.ctl = number(first_present(x, {"ctl", "icu_ctl"}));
    row.atl = number(first_present(x, {"atl", "icu_atl"}));
    row.tsb = number(first_present(x, {"tsb", "trainingStressBalance"}));
    if (!row.tsb && row.ctl && row.atl)
      row.tsb = *row.ctl - *row.atl;
    row.weight_kg = number(member(x, "weight"));
    if (auto info = member(x, "sportInfo");
        info != nullptr && info->IsArray() && !info->Empty())
      row.sport_info = to_json(*info);
    auto key = row.date;
    keep_one(result.rows, index, std::move(key), std::move(row),
             repeated::last_wins);
  }
  return result;
}

std::optional<std::vector<intervals_event>>
parse_events(std::string_view body) {
  json_document doc;
  std::vector<const Value*> items;
  if (!parse_list(body, doc, items))
    return std::nullopt;
  std::vector<intervals_event> result;
  for (auto* x : items)
    result.push_back(event_of(*x));
  return result;
}

std::optional<intervals_event> parse_event(std::string_view body) {
  json_document doc;
  if (parse_json(body, doc, json_strings::any) || !doc.IsObject())
    return std::nullopt;
  return event_of(doc);
}

std::string event_json(const planned_event& x) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("category");
  w.String(x.category);
  w.Key("start_date_local");
  w.String(x.start_date_local);
  w.Key("name");
  w.String(x.name);
  if (x.type) {
    w.Key("type");
    w.String(*x.type);
  }
  if (x.description) {
    w.Key("description");
    w.String(*x.description);
  }
  if (x.moving_time) {
    w.Key("moving_time");
    w.Int64(*x.moving_time);
  }
  w.EndObject();
  return buf.GetString();
}

std::optional<std::vector<listed_activity>>
parse_activity_list(std::string_view body) {
  json_document doc;
  std::vector<const Value*> items;
  if (!parse_list(body, doc, items))
    return std::nullopt;
  std::vector<listed_activity> result;
  for (auto* x : items) {
    listed_activity item{to_json(*x), std::nullopt};
    if (first_truthy(*x, {"name", "title"}) == nullptr &&
        first_truthy(*x, {"moving_time", "movingTime"}) == nullptr &&
        !strava_stub(*x))
      if (auto id = id_of(member(*x, "id")); !id.empty())
        item.detail_id = std::move(id);
    result.push_back(std::move(item));
  }
  return result;
}

std::string merge_detail(const std::string& summary, std::string_view detail) {
  json_document merged;
  json_document extra;
  if (parse_json(summary, merged, json_strings::any) ||
      parse_json(detail, extra, json_strings::any) || !extra.IsObject() ||
      !merged.IsObject())
    return summary;
  for (auto& m : extra.GetObject()) {
    Value value{m.value, merged.GetAllocator()};
    if (auto i = merged.FindMember(m.name); i != merged.MemberEnd())
      i->value = value;
    else
      merged.AddMember(Value{m.name, merged.GetAllocator()}, value,
                       merged.GetAllocator());
  }
  return to_json(merged);
}

intervals_activity activity_of(const std::string& object) {
  json_document x;
  if (parse_json(object, x, json_strings::any))
    x.SetNull();
  intervals_activity result;
  if (!x.IsObject())
    return result;
  result.id = id_of(member(x, "id"));
  result.name = text_of(first_truthy(x, {"name", "title"}), SIZE_MAX);
  if (!result.name && strava_stub(x))
    result.name = std::string{"Strava"};
  auto start = first_truthy(x, {"start_date", "startDate", "start_date_local"});
  result.start_date = datetime_text(start);
  if (!result.start_date)
    result.start_date = text_of(start, SIZE_MAX);
  auto duration = first_truthy(x, {"moving_time", "movingTime", "duration"});
  if (duration == nullptr)
    duration = member(x, "length");
  result.duration_sec = whole(number(duration));
  auto distance = number(first_truthy(x, {"distance", "length"}));
  if (distance && *distance != 0)
    result.distance_km = round_to(*distance / 1000.0, 1);
  result.tss =
    number(first_present(x, {"icu_training_load", "training_load", "tss"}));
  return result;
}

} // namespace st::intervals
