#include "protocols/http/analytics_json.hpp"

#include "protocols/http/body_io.hpp"

#include <cmath>

namespace st {

using namespace body_io;

namespace {

/// A whole value as an integer (the app's charts show no ".0").
void write_whole(json_writer& w, double x) {
  w.Int64(static_cast<int64_t>(std::llround(x)));
}

/// The goals that are set; `all` adds fat and carbs (the overview shows
/// calories and protein only).
void goals_fields(json_writer& w, const nutrition_goals& g, bool all) {
  w.Key("goals");
  w.StartObject();
  std::pair<const char*, const opt_double*> goals[] = {
    {"calorie_goal", &g.calorie_goal},
    {"protein_goal", &g.protein_goal},
    {"fat_goal", &g.fat_goal},
    {"carbs_goal", &g.carbs_goal}};
  for (auto& [name, value] : goals) {
    if (!all && (value == &g.fat_goal || value == &g.carbs_goal))
      continue;
    if (*value) {
      w.Key(name);
      w.Double(**value);
    }
  }
  w.EndObject();
}

void overview_fields(json_writer& w, const analytics_report& x) {
  auto& o = x.overview;
  w.Key("avg_sleep_hours");
  write(w, o.avg_sleep_hours);
  w.Key("wellness_days_with_sleep");
  w.Int64(o.wellness_days_with_sleep);
  w.Key("ctl_atl_tsb");
  if (o.load.present) {
    w.StartObject();
    w.Key("ctl");
    w.Double(o.load.ctl);
    w.Key("atl");
    w.Double(o.load.atl);
    w.Key("tsb");
    w.Double(o.load.tsb);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("workout_count");
  w.Int64(o.workout_count);
  w.Key("total_tss");
  w.Double(o.total_tss);
  w.Key("days_with_food");
  w.Int64(o.days_with_food);
  w.Key("avg_calories_per_day");
  if (o.avg_calories_per_day)
    write_whole(w, *o.avg_calories_per_day);
  else
    w.Null();
  goals_fields(w, x.goals, false);
}

void sleep_fields(json_writer& w, const analytics_report& x) {
  w.Key("items");
  w.StartArray();
  for (auto& d : x.wellness) {
    w.StartObject();
    w.Key("date");
    write(w, d.date);
    w.Key("sleep_hours");
    write(w, d.sleep_hours);
    w.Key("rhr");
    write(w, d.rhr);
    w.Key("hrv");
    write(w, d.hrv);
    w.EndObject();
  }
  w.EndArray();
}

void workouts_fields(json_writer& w, const analytics_report& x) {
  w.Key("workouts");
  w.StartArray();
  for (auto& i : x.workouts) {
    w.StartObject();
    w.Key("date");
    write(w, i.date);
    w.Key("name");
    write(w, i.name);
    w.Key("type");
    write(w, i.type);
    w.Key("duration_sec");
    write(w, i.duration_sec);
    w.Key("distance_m");
    write(w, i.distance_m);
    w.Key("tss");
    write(w, i.tss);
    w.EndObject();
  }
  w.EndArray();
  w.Key("daily");
  w.StartArray();
  for (auto& d : x.daily) {
    w.StartObject();
    w.Key("date");
    write(w, d.date);
    w.Key("duration_sec");
    w.Int64(d.duration_sec);
    w.Key("tss");
    w.Double(d.tss);
    w.Key("distance_m");
    write_whole(w, d.distance_m);
    w.EndObject();
  }
  w.EndArray();
  w.Key("load");
  w.StartArray();
  for (auto& d : x.wellness) {
    w.StartObject();
    w.Key("date");
    write(w, d.date);
    w.Key("ctl");
    write(w, d.ctl);
    w.Key("atl");
    write(w, d.atl);
    w.Key("tsb");
    write(w, d.tsb);
    w.EndObject();
  }
  w.EndArray();
}

void nutrition_fields(json_writer& w, const analytics_report& x) {
  w.Key("items");
  w.StartArray();
  for (auto& d : x.food) {
    w.StartObject();
    w.Key("date");
    write(w, d.date);
    for (auto& [name, value] :
         {std::pair<const char*, double>{"calories", d.calories},
          {"protein_g", d.protein_g},
          {"fat_g", d.fat_g},
          {"carbs_g", d.carbs_g}}) {
      w.Key(name);
      write_whole(w, value);
    }
    w.Key("entries");
    w.Int64(d.entries);
    if (!d.extended.empty()) {
      w.Key("extended_nutrients");
      w.StartObject();
      for (auto& [key, total] : d.extended) {
        w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
        w.Double(total);
      }
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
  goals_fields(w, x.goals, true);
}

} // namespace

std::optional<insight_request>
parse_insight_request(const std::string& body,
                      std::vector<validation_error>& errors) {
  return read_body<insight_request>(body, errors, [](body_reader& in) {
    insight_request x;
    x.chart_type =
      in.string("chart_type", true, 0, max_chart_type_chars).value_or("");
    static const rapidjson::Value null_value;
    if (!in.present("data")) {
      (void)in.string("data", true); // the `missing` entry
    } else if (auto* v = in.raw("data"); v == nullptr || !v->IsObject()) {
      in.fail("dict_type", "data", "Input should be a valid dictionary",
              v == nullptr ? null_value : *v);
    } else {
      x.data_json = to_json(*v);
    }
    x.question = in.string("question", false, 0, max_insight_question_chars);
    return x;
  });
}

std::string analytics_json(const analytics_report& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("from_date");
    write(w, x.from_date);
    w.Key("to_date");
    write(w, x.to_date);
    switch (x.chart) {
    case analytics_chart::overview:
      overview_fields(w, x);
      break;
    case analytics_chart::sleep:
      sleep_fields(w, x);
      break;
    case analytics_chart::workouts:
      workouts_fields(w, x);
      break;
    case analytics_chart::nutrition:
      nutrition_fields(w, x);
      break;
    }
    w.EndObject();
  });
}

std::string insight_json(const insight_reply& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("insight");
    write(w, x.insight);
    if (x.teaser) {
      w.Key("is_teaser");
      w.Bool(true);
    }
    w.EndObject();
  });
}

} // namespace st
