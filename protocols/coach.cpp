#include "protocols/coach.hpp"

#include "protocols/http/body_io.hpp"
#include "protocols/json_fields.hpp"

#include <cmath>

#include "util/dates.hpp"
#include "util/text.hpp"

namespace st {

using namespace body_io;

namespace {

/// A scalar as text (lax coercion of a plan field): strings as they are,
/// numbers printed; none otherwise.
opt_string scalar_text(const rapidjson::Value& v) {
  if (v.IsString())
    return std::string{v.GetString(), v.GetStringLength()};
  if (v.IsNumber())
    return to_json(v);
  return caf::none;
}

} // namespace

std::optional<plan_item> read_plan(const rapidjson::Value& v) {
  if (!v.IsObject())
    return std::nullopt;
  plan_item p;
  auto title = v.FindMember("title");
  auto start = v.FindMember("start_date");
  if (title == v.MemberEnd() || start == v.MemberEnd())
    return std::nullopt;
  auto t = scalar_text(title->value);
  auto s = scalar_text(start->value);
  if (!t || !s || t->empty() || s->empty())
    return std::nullopt;
  p.title = *t;
  p.start_date = *s;
  opt_string type;
  if (!json_fields::optional_text(v, "end_date", p.end_date) ||
      !json_fields::optional_text(v, "description", p.description) ||
      !json_fields::optional_text(v, "type", type))
    return std::nullopt;
  if (type && !type->empty())
    p.type = *type;
  auto raw = v.FindMember("raw");
  if (raw != v.MemberEnd() && !raw->value.IsNull()) {
    if (!raw->value.IsObject())
      return std::nullopt;
    p.raw = to_json(raw->value);
  }
  return p;
}

std::optional<planned_event> plan_event(const plan_item& x) {
  auto start = trim(x.start_date);
  if (start.size() < 10 || !parse_date(start.substr(0, 10)))
    return std::nullopt;
  planned_event e;
  e.name = x.title;
  // The model plans on the athlete's clock: the wall time as written.
  auto time = start.size() >= 19 && (start[10] == 'T' || start[10] == ' ')
                ? start.substr(11, 8)
                : std::string{"00:00:00"};
  e.start_date_local = start.substr(0, 10) + "T" + time;
  e.description = x.description;
  if (x.type != "workout")
    e.type = x.type;
  return e;
}

std::string plan_json(const plan_item& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("title");
    write(w, x.title);
    w.Key("start_date");
    write(w, x.start_date);
    w.Key("end_date");
    write(w, x.end_date);
    w.Key("description");
    write(w, x.description);
    w.Key("type");
    write(w, x.type);
    w.Key("raw");
    write_raw(w, x.raw);
    w.EndObject();
  });
}

std::string readiness_json(const std::vector<readiness_signal>& xs) {
  auto figure = [](json_writer& w, const opt_double& x) {
    write(w, x ? opt_double{round_to(*x, 3)} : opt_double{});
  };
  return render([&](json_writer& w) {
    w.StartArray();
    for (auto& x : xs) {
      w.StartObject();
      w.Key("signal");
      write(w, x.signal);
      w.Key("unit");
      write(w, x.unit);
      w.Key("value");
      figure(w, x.value);
      w.Key("baseline");
      figure(w, x.baseline);
      w.Key("band");
      w.StartArray();
      figure(w, x.band_low);
      figure(w, x.band_high);
      w.EndArray();
      w.Key("flag");
      write(w, x.flag.empty() ? opt_string{} : opt_string{x.flag});
      w.Key("note");
      write(w, x.note);
      w.EndObject();
    }
    w.EndArray();
  });
}

std::vector<readiness_signal> readiness_from_json(std::string_view text) {
  std::vector<readiness_signal> result;
  json_document doc;
  if (parse_json(text, doc, json_strings::any) || !doc.IsArray())
    return result;
  auto number = [](const rapidjson::Value& v) {
    return v.IsNumber() ? opt_double{v.GetDouble()} : opt_double{};
  };
  for (auto& item : doc.GetArray()) {
    if (!item.IsObject())
      continue;
    auto text_of = [&](const char* key) -> opt_string {
      auto i = item.FindMember(key);
      if (i == item.MemberEnd() || !i->value.IsString())
        return caf::none;
      return std::string{i->value.GetString(), i->value.GetStringLength()};
    };
    auto number_of = [&](const char* key) {
      auto i = item.FindMember(key);
      return i == item.MemberEnd() ? opt_double{} : number(i->value);
    };
    readiness_signal x;
    x.signal = text_of("signal").value_or("");
    x.unit = text_of("unit").value_or("");
    x.value = number_of("value");
    x.baseline = number_of("baseline");
    auto band = item.FindMember("band");
    if (band != item.MemberEnd() && band->value.IsArray() &&
        band->value.Size() == 2) {
      x.band_low = number(band->value[0]);
      x.band_high = number(band->value[1]);
    }
    x.flag = text_of("flag").value_or("");
    x.note = text_of("note");
    result.push_back(std::move(x));
  }
  return result;
}

std::optional<plan_item> plan_from_json(std::string_view text) {
  json_document doc;
  if (parse_json(text, doc, json_strings::any))
    return std::nullopt;
  return read_plan(doc);
}

} // namespace st
