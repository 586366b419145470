#include "protocols/http/intervals_json.hpp"

#include "protocols/http/body_io.hpp"
#include "protocols/intervals.hpp"

#include "util/dates.hpp"
#include "util/text.hpp"

namespace st {

using namespace body_io;

namespace {

const char* const event_categories[] = {
  "WORKOUT",      "RACE_A", "RACE_B",     "RACE_C",   "NOTE",
  "HOLIDAY",      "SICK",   "INJURED",    "SET_EFTP", "FITNESS_DAYS",
  "SEASON_START", "TARGET", "SET_FITNESS"};

/// A date or date-time as Intervals.icu's local `YYYY-MM-DDTHH:MM:SS`.
std::optional<std::string> local_datetime(const std::string& x) {
  auto day = parse_date(x.substr(0, 10));
  if (!day)
    return std::nullopt;
  if (x.size() == 10)
    return format_date(*day) + "T00:00:00";
  // A zone would be ambiguous here: the calendar is in the athlete's time.
  auto t = x.find_first_of("Zz+", 10);
  if (t != std::string::npos || x.find('-', 10) != std::string::npos)
    return std::nullopt;
  auto utc = normalize_datetime(x); // validates the clock part
  if (!utc)
    return std::nullopt;
  return utc->substr(0, 19);
}

void sync_fields(json_writer& w, const sync_report& x) {
  w.Key("activities_synced");
  w.Int64(x.activities_synced);
  w.Key("wellness_days_synced");
  w.Int64(x.wellness_days_synced);
  w.Key("activities_skipped");
  w.Int64(x.activities_skipped);
  w.Key("wellness_days_skipped");
  w.Int64(x.wellness_days_skipped);
}

void event_fields(json_writer& w, const intervals_event& x) {
  w.StartObject();
  w.Key("id");
  write(w, x.id);
  w.Key("title");
  write(w, x.title);
  w.Key("start_date");
  write(w, x.start_date);
  w.Key("end_date");
  write(w, x.end_date);
  w.Key("type");
  write(w, x.type);
  w.EndObject();
}

} // namespace

std::optional<intervals_link>
parse_intervals_link(const std::string& body,
                     std::vector<validation_error>& errors) {
  return read_body<intervals_link>(body, errors, [](body_reader& in) {
    intervals_link result;
    auto blank = [&](const char* name) {
      in.fail("string_too_short", name,
              "String should have at least 1 character", *in.raw(name),
              "{\"min_length\":1}");
    };
    if (auto id = in.string("athlete_id", true, 0, max_athlete_id_chars)) {
      result.athlete_id = trim(*id);
      if (result.athlete_id.empty())
        blank("athlete_id");
    }
    if (auto key = in.string("api_key", true, 0, max_api_key_chars)) {
      result.api_key = trim(*key);
      if (result.api_key.empty())
        blank("api_key");
    }
    return result;
  });
}

std::optional<planned_event>
parse_planned_event(const std::string& body,
                    std::vector<validation_error>& errors) {
  return read_body<planned_event>(body, errors, [](body_reader& in) {
    planned_event result;
    if (auto name = in.string("name", true, 1, intervals::max_event_name))
      result.name = *name;
    if (auto start = in.string("start_date", true)) {
      if (auto local = local_datetime(*start))
        result.start_date_local = *local;
      else
        in.fail("datetime_from_date_parsing", "start_date",
                "Input should be a date (YYYY-MM-DD) or a local date-time "
                "without a zone",
                *in.raw("start_date"));
    }
    if (auto category = in.string("category", false)) {
      auto upper = to_upper(*category);
      bool known = false;
      for (auto* c : event_categories)
        known = known || upper == c;
      if (known)
        result.category = upper;
      else
        in.fail("enum", "category",
                "Input should be an Intervals.icu event "
                "category such as WORKOUT, NOTE or RACE_A",
                *in.raw("category"));
    }
    result.type = in.string("type", false, 1, 64);
    result.description = in.string("description", false, 0, 10000);
    result.moving_time = in.integer("moving_time", false, 0, 86400);
    return result;
  });
}

std::string intervals_status_json(const intervals_status& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("linked");
    w.Bool(x.linked);
    if (x.linked) {
      w.Key("athlete_id");
      write(w, x.athlete_id);
      w.Key("last_sync");
      if (!x.last_sync) {
        w.Null();
      } else {
        auto& s = *x.last_sync;
        w.StartObject();
        w.Key("at");
        write(w, s.finished_at);
        w.Key("status");
        w.String(s.ok ? "synced" : "failed");
        if (!s.ok) {
          w.Key("detail");
          write(w, s.detail);
        }
        w.Key("background");
        w.Bool(s.background);
        sync_fields(w, s);
        w.Key("db_round_trips");
        w.Uint(s.db_round_trips);
        w.Key("fetch_ms");
        w.Double(round_to(s.fetch_ms, 2));
        w.Key("db_ms");
        w.Double(round_to(s.db_ms, 2));
        w.Key("total_ms");
        w.Double(round_to(s.total_ms, 2));
        w.EndObject();
      }
      w.Key("next_refresh_at");
      write(w, x.next_refresh_at);
    }
    w.EndObject();
  });
}

std::string sync_report_json(int32_t user, const sync_report& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("status");
    w.String("synced");
    w.Key("user_id");
    w.Int(user);
    sync_fields(w, x);
    w.EndObject();
  });
}

std::string intervals_event_json(const intervals_event& x) {
  return render([&](json_writer& w) {
    event_fields(w, x);
  });
}

std::string intervals_events_json(const std::vector<intervals_event>& xs) {
  return render([&](json_writer& w) {
    w.StartArray();
    for (auto& x : xs)
      event_fields(w, x);
    w.EndArray();
  });
}

std::string
intervals_activities_json(const std::vector<intervals_activity>& xs) {
  return render([&](json_writer& w) {
    w.StartArray();
    for (auto& x : xs) {
      w.StartObject();
      w.Key("id");
      write(w, x.id);
      w.Key("name");
      write(w, x.name);
      w.Key("start_date");
      write(w, x.start_date);
      w.Key("duration_sec");
      write(w, x.duration_sec);
      w.Key("distance_km");
      write(w, x.distance_km);
      w.Key("tss");
      write(w, x.tss);
      w.EndObject();
    }
    w.EndArray();
  });
}

} // namespace st
