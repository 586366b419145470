#include "domain/sleep_night.hpp"

#include "protocols/http/json.hpp"
#include "protocols/json_fields.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "util/dates.hpp"
#include "util/text.hpp"

namespace st {

namespace {

opt_double number_of(const rapidjson::Value& obj, const char* key) {
  return json_fields::number(json_fields::member(obj, key));
}

/// Hours from an hours key and a minutes key: hours with their minutes
/// when both are parts (7 and 54), else whichever is there.
opt_double hours_of(const rapidjson::Value& obj, const char* hours,
                    const char* minutes) {
  auto h = number_of(obj, hours);
  auto m = number_of(obj, minutes);
  if (h && m && *m < 60 && *h == std::floor(*h))
    return round_to(*h + *m / 60.0, 2);
  if (h)
    return h;
  if (m)
    return round_to(*m / 60.0, 2);
  return caf::none;
}

int64_t year_of(int64_t day) {
  return std::stoll(format_date(day).substr(0, 4));
}

/// The reading's day (see night_of).
int64_t day_of(const rapidjson::Value& obj, int64_t today) {
  auto date = obj.FindMember("date");
  if (date == obj.MemberEnd() || !date->value.IsString())
    return today;
  auto text = trim(date->value.GetString());
  auto this_year = year_of(today);
  // Month and day: from an ISO date, else from D/M[/YYYY] read day first.
  std::string month_day;
  if (auto iso = parse_date(text.substr(0, 10))) {
    month_day = format_date(*iso).substr(4);
  } else {
    std::replace(text.begin(), text.end(), '-', '/');
    int d = 0, m = 0, y = 0;
    char tail = 0;
    auto n = std::sscanf(text.c_str(), "%2d/%2d/%4d%c", &d, &m, &y, &tail);
    if ((n == 2 || n == 3) && d > 0 && m > 0) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "-%02d-%02d", m, d);
      month_day = buf;
    }
  }
  // The year is this year's (a tracker's own is often wrong), or last
  // year's when that would put the night in the future.
  auto day = parse_date(std::to_string(this_year) + month_day);
  if (day && *day > today + 1)
    day = parse_date(std::to_string(this_year - 1) + month_day);
  return day.value_or(today);
}

} // namespace

sleep_night night_of(std::string_view extracted_data, int64_t today) {
  sleep_night result;
  result.day = today;
  json_document doc;
  if (parse_json(extracted_data, doc, json_strings::any) || !doc.IsObject())
    return result;
  result.day = day_of(doc, today);
  result.sleep_hours =
    hours_of(doc, "actual_sleep_hours", "actual_sleep_minutes");
  if (!result.sleep_hours) {
    auto deep = number_of(doc, "deep_sleep_min");
    auto light = number_of(doc, "light_sleep_min");
    auto rem = number_of(doc, "rem_min");
    auto phases = deep.value_or(0) + light.value_or(0) + rem.value_or(0);
    auto total = hours_of(doc, "sleep_hours", "sleep_minutes");
    auto awake = number_of(doc, "awake_min");
    if (phases >= 60 && phases <= 600)
      result.sleep_hours = round_to(phases / 60.0, 2);
    else if (total && awake)
      result.sleep_hours = round_to(std::max(0.0, *total - *awake / 60.0), 2);
    else
      result.sleep_hours = total;
  }
  result.rhr = number_of(doc, "rhr");
  result.hrv = number_of(doc, "hrv");
  return result;
}

} // namespace st
