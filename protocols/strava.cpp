#include "protocols/strava.hpp"

#include "protocols/http/json.hpp"
#include "protocols/json_fields.hpp"
#include "protocols/tokens.hpp"

#include <charconv>
#include <cmath>

#include "util/dates.hpp"
#include "util/text.hpp"

namespace st::strava {

namespace {

using namespace json_fields;
using rapidjson::Value;

// Column widths of strava_activities (strava-endpoints.md §2.2).
constexpr size_t name_chars = 512;
constexpr size_t description_chars = 10000;
constexpr size_t kind_chars = 64; // type, sport_type, start_date_local
constexpr size_t timezone_chars = 128;
// athlete_profiles' Strava columns.
constexpr size_t person_name_chars = 128;
constexpr size_t url_chars = 512;
constexpr size_t sex_chars = 8;

/// Trimmed text clipped to `n`; empty → none (§7.2 step 5).
opt_string trimmed(const Value* x, size_t n) {
  auto t = text_of(x, SIZE_MAX);
  if (!t)
    return caf::none;
  auto s = clip(trim(*t), n);
  if (s.empty())
    return caf::none;
  return s;
}

/// Numbers only (a string is no measurement here, as in the reference).
opt_double measure(const Value* x) {
  if (x == nullptr || !x->IsNumber())
    return caf::none;
  auto d = x->GetDouble();
  return std::isfinite(d) ? opt_double{d} : caf::none;
}

opt_int count_of(const Value* x) {
  return whole(measure(x));
}

std::optional<bool> flag(const Value* x) {
  if (x == nullptr || x->IsNull())
    return std::nullopt;
  return truthy(*x);
}

std::optional<int64_t> int64_of(const Value* x) {
  if (x == nullptr)
    return std::nullopt;
  if (x->IsInt64())
    return x->GetInt64();
  if (x->IsUint64())
    return std::nullopt; // beyond int64: no Strava id
  if (x->IsDouble() && std::isfinite(x->GetDouble()) &&
      std::fabs(x->GetDouble()) < 9e15 &&
      x->GetDouble() == std::trunc(x->GetDouble()))
    return static_cast<int64_t>(x->GetDouble());
  if (x->IsString()) {
    int64_t v = 0;
    auto s = std::string_view{x->GetString(), x->GetStringLength()};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc{} && end == s.data() + s.size())
      return v;
  }
  return std::nullopt;
}

std::optional<activity_row> row_of(const Value& x) {
  if (!x.IsObject())
    return std::nullopt;
  auto id = int64_of(member(x, "id"));
  if (!id || *id <= 0)
    return std::nullopt;
  activity_row r;
  r.strava_id = *id;
  r.start_date_local = trimmed(member(x, "start_date_local"), kind_chars);
  // The true instant: `start_date` (UTC). Only when it is missing, the
  // local wall time, which is then the best there is.
  std::optional<int64_t> start;
  if (auto utc = text_of(member(x, "start_date"), 64))
    start = parse_unix(trim(*utc));
  if (!start && r.start_date_local)
    start = parse_unix(*r.start_date_local);
  if (!start)
    return std::nullopt;
  r.start_unix = *start;
  r.timezone = trimmed(member(x, "timezone"), timezone_chars);
  r.name = trimmed(member(x, "name"), name_chars);
  r.description = trimmed(member(x, "description"), description_chars);
  r.type = trimmed(member(x, "type"), kind_chars);
  r.sport_type = trimmed(member(x, "sport_type"), kind_chars);
  r.workout_type = count_of(member(x, "workout_type"));
  r.moving_time_sec = count_of(member(x, "moving_time"));
  r.elapsed_time_sec = count_of(member(x, "elapsed_time"));
  r.distance_m = measure(member(x, "distance"));
  r.total_elevation_gain_m = measure(member(x, "total_elevation_gain"));
  r.elev_high_m = measure(member(x, "elev_high"));
  r.elev_low_m = measure(member(x, "elev_low"));
  r.average_speed_m_s = measure(member(x, "average_speed"));
  r.max_speed_m_s = measure(member(x, "max_speed"));
  r.average_heartrate = measure(member(x, "average_heartrate"));
  r.max_heartrate = measure(member(x, "max_heartrate"));
  r.average_watts = measure(member(x, "average_watts"));
  r.kilojoules = measure(member(x, "kilojoules"));
  r.suffer_score = measure(member(x, "suffer_score"));
  r.trainer = flag(member(x, "trainer"));
  r.commute = flag(member(x, "commute"));
  r.manual = flag(member(x, "manual"));
  r.is_private = flag(member(x, "private"));
  r.raw = to_json(x);
  return r;
}

std::optional<rate_pair> pair_of(std::string_view raw) {
  auto text = trim(raw);
  std::string_view v = text;
  auto comma = v.find(',');
  if (comma == std::string_view::npos)
    return std::nullopt;
  auto a = trim(v.substr(0, comma));
  auto b = trim(v.substr(comma + 1));
  int64_t x = 0, y = 0;
  auto ra = std::from_chars(a.data(), a.data() + a.size(), x);
  auto rb = std::from_chars(b.data(), b.data() + b.size(), y);
  if (ra.ec != std::errc{} || ra.ptr != a.data() + a.size() ||
      rb.ec != std::errc{} || rb.ptr != b.data() + b.size() || x < 0 || y < 0)
    return std::nullopt;
  return rate_pair{x, y};
}

} // namespace

std::string authorize_url(const std::string& oauth_base,
                          const std::string& client_id,
                          const std::string& redirect_uri,
                          const std::string& state) {
  return oauth_base + "/authorize?client_id=" + percent_encode(client_id) +
         "&redirect_uri=" + percent_encode(redirect_uri) +
         "&response_type=code&approval_prompt=force&scope=" +
         percent_encode(requested_scope) + "&state=" + percent_encode(state);
}

bool grants_activities(std::string_view scope) {
  for (auto item : split(scope, ','))
    if (trim(item) == "activity:read" || trim(item) == "activity:read_all")
      return true;
  return false;
}

std::string exchange_form(const std::string& client_id,
                          const std::string& client_secret,
                          const std::string& code,
                          const std::string& redirect_uri) {
  auto result = "client_id=" + percent_encode(client_id) +
                "&client_secret=" + percent_encode(client_secret) +
                "&code=" + percent_encode(code) +
                "&grant_type=authorization_code";
  if (!redirect_uri.empty())
    result += "&redirect_uri=" + percent_encode(redirect_uri);
  return result;
}

std::string refresh_form(const std::string& client_id,
                         const std::string& client_secret,
                         const std::string& refresh_token) {
  return "client_id=" + percent_encode(client_id) +
         "&client_secret=" + percent_encode(client_secret) +
         "&grant_type=refresh_token" +
         "&refresh_token=" + percent_encode(refresh_token);
}

std::string deauthorize_form(const std::string& access_token) {
  return "access_token=" + percent_encode(access_token);
}

std::string activities_url(const std::string& api_base, int64_t after,
                           int64_t before, int64_t page, int64_t per_page) {
  auto result =
    api_base + "/athlete/activities?before=" + std::to_string(before);
  if (after > 0)
    result += "&after=" + std::to_string(after);
  return result + "&page=" + std::to_string(page) +
         "&per_page=" + std::to_string(per_page);
}

std::string activity_url(const std::string& api_base, int64_t id) {
  return api_base + "/activities/" + std::to_string(id);
}

std::string athlete_url(const std::string& api_base) {
  return api_base + "/athlete";
}

std::string bearer(const std::string& access_token) {
  return "Authorization: Bearer " + access_token;
}

namespace {

std::optional<athlete_fields> parse_athlete_object(const Value& x) {
  if (!x.IsObject())
    return std::nullopt;
  athlete_fields a;
  a.weight_kg = measure(member(x, "weight"));
  if (a.weight_kg && (*a.weight_kg <= 0 || *a.weight_kg > 500))
    a.weight_kg = caf::none;
  a.ftp = count_of(member(x, "ftp"));
  if (a.ftp && (*a.ftp <= 0 || *a.ftp > 5000))
    a.ftp = caf::none;
  a.firstname = trimmed(member(x, "firstname"), person_name_chars);
  a.lastname = trimmed(member(x, "lastname"), person_name_chars);
  a.profile_url = trimmed(member(x, "profile"), url_chars);
  if (!a.profile_url)
    a.profile_url = trimmed(member(x, "profile_medium"), url_chars);
  a.sex = trimmed(member(x, "sex"), sex_chars);
  return a;
}

} // namespace

std::optional<athlete_fields> parse_athlete(std::string_view body) {
  json_document doc;
  if (parse_json(body, doc, json_strings::any))
    return std::nullopt;
  return parse_athlete_object(doc);
}

std::optional<token_grant> parse_token_grant(std::string_view body) {
  json_document doc;
  if (parse_json(body, doc, json_strings::any) || !doc.IsObject())
    return std::nullopt;
  token_grant g;
  auto access = trimmed(member(doc, "access_token"), 4096);
  auto expires = int64_of(member(doc, "expires_at"));
  if (!access || !expires)
    return std::nullopt;
  g.access_token = *access;
  g.expires_at = *expires;
  if (auto refresh = trimmed(member(doc, "refresh_token"), 4096))
    g.refresh_token = *refresh;
  if (auto* athlete = member(doc, "athlete"); athlete && athlete->IsObject()) {
    g.athlete_id = int64_of(member(*athlete, "id"));
    g.athlete = parse_athlete_object(*athlete);
  }
  return g;
}

std::optional<activity_page> parse_activity_page(std::string_view body) {
  json_document doc;
  if (parse_json(body, doc, json_strings::any) || !doc.IsArray())
    return std::nullopt;
  activity_page page;
  page.listed = doc.Size();
  for (auto& item : doc.GetArray()) {
    if (auto r = row_of(item))
      page.rows.push_back(std::move(*r));
    else
      ++page.skipped;
  }
  return page;
}

std::optional<activity_row> parse_activity(std::string_view body) {
  json_document doc;
  if (parse_json(body, doc, json_strings::any))
    return std::nullopt;
  return row_of(doc);
}

rate_reading read_rate_headers(const std::vector<std::string>& lines) {
  rate_reading result;
  for (auto& line : lines) {
    auto colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    auto name = to_lower(trim(std::string_view{line}.substr(0, colon)));
    auto value = std::string_view{line}.substr(colon + 1);
    if (name == "x-ratelimit-limit")
      result.limit = pair_of(value);
    else if (name == "x-ratelimit-usage")
      result.usage = pair_of(value);
    else if (name == "x-readratelimit-limit")
      result.read_limit = pair_of(value);
    else if (name == "x-readratelimit-usage")
      result.read_usage = pair_of(value);
  }
  return result;
}

fault parse_fault(std::string_view body) {
  fault result;
  json_document doc;
  if (parse_json(body, doc, json_strings::any) || !doc.IsObject())
    return result;
  if (auto m = text_of(member(doc, "message"), 200))
    result.message = *m;
  if (auto* errors = member(doc, "errors"); errors && errors->IsArray())
    for (auto& e : errors->GetArray())
      if (e.IsObject())
        if (auto r = text_of(member(e, "resource"), 100))
          result.resources.push_back(*r);
  return result;
}

bool grant_revoked(int status, std::string_view body) {
  if (status == 401)
    return true;
  if (status != 400)
    return false;
  for (auto& r : parse_fault(body).resources)
    if (r == "RefreshToken")
      return true;
  return false;
}

std::optional<strava_webhook_event> parse_webhook_event(std::string_view body,
                                                        std::string& why) {
  json_document doc;
  if (parse_json(body, doc, json_strings::any) || !doc.IsObject()) {
    why = "The event is not a JSON object.";
    return std::nullopt;
  }
  strava_webhook_event e;
  auto object_type = text_of(member(doc, "object_type"), 16);
  auto aspect = text_of(member(doc, "aspect_type"), 16);
  auto object_id = int64_of(member(doc, "object_id"));
  auto owner = int64_of(member(doc, "owner_id"));
  if (!object_type ||
      (*object_type != "activity" && *object_type != "athlete")) {
    why = "object_type must be activity or athlete.";
    return std::nullopt;
  }
  if (!aspect ||
      (*aspect != "create" && *aspect != "update" && *aspect != "delete")) {
    why = "aspect_type must be create, update or delete.";
    return std::nullopt;
  }
  if (!object_id || !owner) {
    why = "object_id and owner_id must be integers.";
    return std::nullopt;
  }
  e.object_type = *object_type;
  e.aspect_type = *aspect;
  e.object_id = *object_id;
  e.owner_id = *owner;
  e.subscription_id = int64_of(member(doc, "subscription_id")).value_or(0);
  e.event_time = int64_of(member(doc, "event_time")).value_or(0);
  e.updates = "{}";
  if (auto* updates = member(doc, "updates"); updates && updates->IsObject())
    e.updates = to_json(*updates);
  e.deauthorized = e.object_type == "athlete" && deauthorizes(e.updates);
  return e;
}

bool deauthorizes(std::string_view updates_json) {
  json_document doc;
  if (parse_json(updates_json, doc, json_strings::any) || !doc.IsObject())
    return false;
  auto* authorized = member(doc, "authorized");
  if (authorized == nullptr)
    return false;
  return authorized->IsString()
           ? std::string_view{authorized->GetString()} == "false"
           : authorized->IsBool() && !authorized->GetBool();
}

std::string sign_state(std::string_view key, const oauth_state& x) {
  auto payload = std::to_string(x.user_id) + "." + x.nonce + "." +
                 std::to_string(x.expires_at);
  return payload + "." + base64url_encode(hmac_sha256(key, payload));
}

std::variant<oauth_state, state_fault>
verify_state(std::string_view key, std::string_view text, int64_t now) {
  auto parts = split(text, '.');
  if (parts.size() != 4 || text.size() > 256)
    return state_fault::malformed;
  auto payload = text.substr(0, text.rfind('.'));
  auto expected = base64url_encode(hmac_sha256(key, payload));
  if (!same_secret(expected, parts[3]))
    return state_fault::forged;
  oauth_state s;
  int64_t user = 0;
  auto ru =
    std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), user);
  auto re = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(),
                            s.expires_at);
  if (ru.ec != std::errc{} || re.ec != std::errc{} || user <= 0 ||
      user > INT32_MAX || parts[1].empty())
    return state_fault::malformed;
  if (s.expires_at < now)
    return state_fault::expired;
  s.user_id = static_cast<int32_t>(user);
  s.nonce = std::string{parts[1]};
  return s;
}

} // namespace st::strava
