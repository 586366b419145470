#include "protocols/intervals.hpp"

#include "actors/upstream_client.hpp"
#include "actors/user_intervals.hpp"
#include "protocols/http/intervals_json.hpp"
#include "protocols/sql/arrays.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace st;
using namespace st::intervals;

TEST_CASE("intervals: Basic auth uses the literal user name API_KEY") {
  // base64("API_KEY:abc123") computed independently (coreutils base64).
  CHECK(auth_header("abc123") == "Authorization: Basic QVBJX0tFWTphYmMxMjM=");
}

TEST_CASE("intervals: URLs escape path segments and ask for start_date") {
  CHECK(athlete_url("http://x/api/v1", "i12 3/") ==
        "http://x/api/v1/athlete/i12%203%2F");
  CHECK(wellness_url("http://x/api/v1", "i1", "2026-01-01", "2026-04-01") ==
        "http://x/api/v1/athlete/i1/wellness?oldest=2026-01-01&newest="
        "2026-04-01");
  auto url =
    activities_url("http://x/api/v1", "0", "2026-01-01", "2026-04-01", 500);
  CHECK(url.find("/athlete/0/activities?oldest=2026-01-01&newest=2026-04-01"
                 "&limit=500&fields=id,name,start_date,start_date_local,") !=
        std::string::npos);
  CHECK(events_url("http://x/api/v1", "i1") ==
        "http://x/api/v1/athlete/i1/events");
  CHECK(activity_url("http://x/api/v1", "i99") ==
        "http://x/api/v1/activity/i99");
}

TEST_CASE("intervals: activity rows follow domain.md §4.4 with fixes") {
  auto rows = parse_activity_rows(R"([
    {"id": 123.0, "title": "Titled", "start_date": "2026-03-01T06:05:12Z",
     "start_date_local": "2026-03-01T07:05:12", "duration": 0,
     "movingTime": 1800.7, "length": 5000, "training_load": 0, "tss": 12},
    {"id": " i7 ", "start_date_local": "2026-03-02T07:00:00", "length": 42,
     "type": "Run"},
    {"id": "i8", "start_date": "garbage"},
    {"id": ")" + std::string(65, 'x') +
                                  R"(", "start_date": "2026-03-02"},
    {"id": null, "start_date": "2026-03-02"},
    "not an object",
    {"id": "i9", "name": ")" + std::string(600, 'n') +
                                  R"(",
     "start_date": "2026-03-03T10:00:00+02:00", "moving_time": 99999999999}
  ])");
  REQUIRE(rows);
  CHECK(rows->skipped == 3); // unreadable start, id too long, no id
  REQUIRE(rows->rows.size() == 3);
  auto& a = rows->rows[0];
  CHECK(a.external_id == "123");
  CHECK(a.start_date == "2026-03-01T06:05:12+00:00"); // UTC, not local
  CHECK(a.name == opt_string{"Titled"});
  CHECK(a.duration_sec == opt_int{1800}); // truncated
  CHECK(a.distance_m == opt_double{5000});
  CHECK(a.tss == opt_double{0}); // a real zero is kept
  CHECK(a.raw.find("\"title\":\"Titled\"") != std::string::npos);
  auto& b = rows->rows[1];
  CHECK(b.external_id == "i7");
  CHECK(b.start_date == "2026-03-02T07:00:00+00:00"); // no zone: UTC
  CHECK(b.duration_sec == opt_int{42});               // numeric length
  CHECK(b.type == opt_string{"Run"});
  CHECK_FALSE(b.name);
  auto& c = rows->rows[2];
  CHECK(c.start_date == "2026-03-03T08:00:00+00:00");
  CHECK(c.name->size() == 512); // the column's limit
  CHECK_FALSE(c.duration_sec);  // beyond the integer column
}

TEST_CASE("intervals: a repeated activity id keeps the first, a repeated "
          "day the last") {
  auto rows = parse_activity_rows(
    R"([{"id":"a","name":"one","start_date":"2026-03-01"},
        {"id":"b","name":"two","start_date":"2026-03-01"},
        {"id":"a","name":"three","start_date":"2026-03-02"}])");
  REQUIRE(rows);
  REQUIRE(rows->rows.size() == 2);
  CHECK(rows->rows[0].name == opt_string{"one"}); // domain.md §4.7 step 3
  CHECK(rows->rows[0].start_date == "2026-03-01T00:00:00+00:00");
  CHECK(rows->rows[1].name == opt_string{"two"});

  auto days = parse_wellness_rows(
    R"([{"id":"2026-03-01","ctl":1},{"id":"2026-03-01T00:00:00","ctl":2}])");
  REQUIRE(days);
  REQUIRE(days->rows.size() == 1);
  CHECK(days->rows[0].ctl == opt_double{2});
}

TEST_CASE("intervals: wellness rows follow domain.md §4.3 with fixes") {
  auto days = parse_wellness_rows(R"([
    {"id":"2026-03-01","ctl":62.4,"atl":71.9,"restingHR":46.6,"hrv":"71.0",
     "sleepSecs":27900,"weight":72.6,"sportInfo":[{"type":"Ride","eftp":251.0}]},
    {"date":"2026-03-02 06:00","sleepDuration":7.25,"rhr":50,"hrvSDNN":40,
     "icu_ctl":0,"icu_atl":3,"sportInfo":[]},
    {"localDate":"2026-03-03","tsb":4,"ctl":10,"atl":20,"sleep_hours":"n/a"},
    {"ctl": 5},
    {"id": 20260304}
  ])");
  REQUIRE(days);
  CHECK(days->skipped == 2); // no date; a number is not a date
  REQUIRE(days->rows.size() == 3);
  auto& a = days->rows[0];
  CHECK(a.date == "2026-03-01");
  CHECK(a.sleep_hours == opt_double{7.75});
  CHECK(a.rhr == opt_double{46.6}); // not truncated
  CHECK(a.hrv == opt_double{71.0}); // numeric text accepted
  CHECK(a.weight_kg == opt_double{72.6});
  CHECK(a.tsb.value() == Approx(62.4 - 71.9));
  CHECK(a.sport_info == opt_string{R"([{"type":"Ride","eftp":251.0}])"});
  auto& b = days->rows[1];
  CHECK(b.date == "2026-03-02");
  CHECK(b.sleep_hours == opt_double{7.25});
  CHECK(b.hrv == opt_double{40});
  CHECK(b.ctl == opt_double{0}); // a new athlete's zero is a value
  CHECK(b.tsb == opt_double{-3});
  CHECK_FALSE(b.sport_info); // empty array: NULL
  auto& c = days->rows[2];
  CHECK(c.tsb == opt_double{4}); // upstream's own value wins
  CHECK_FALSE(c.sleep_hours);
}

TEST_CASE("intervals: list bodies as the reference reads them") {
  CHECK(parse_wellness_rows("")->rows.empty());
  CHECK(parse_wellness_rows("  ")->rows.empty());
  auto single = parse_activity_rows(R"({"id":"x","start_date":"2026-01-01"})");
  REQUIRE(single);
  CHECK(single->rows.size() == 1); // a lone object is a one-item list
  CHECK_FALSE(parse_wellness_rows("<html>"));
  CHECK_FALSE(parse_events("{"));
  // Not UTF-8: refused as a whole (PostgreSQL would refuse the rows).
  CHECK_FALSE(parse_activity_rows("[{\"id\":\"\xff\"}]"));
}

TEST_CASE("intervals: events read Intervals' names and keep local times") {
  auto events = parse_events(R"([
    {"id":501,"name":"Sweet spot","category":"WORKOUT","type":"Ride",
     "start_date_local":"2026-03-04T00:00:00","end_date_local":"2026-03-04T23:59:00"},
    {"id":"e2","title":"Old style","start_date":"2026-03-05T10:00:00Z"},
    {"name":"No id","start_date_local":"garbage"}
  ])");
  REQUIRE(events);
  REQUIRE(events->size() == 3);
  auto& a = (*events)[0];
  CHECK(a.id == "501");
  CHECK(a.title == opt_string{"Sweet spot"});
  CHECK(a.start_date == opt_string{"2026-03-04T00:00:00"});
  CHECK(a.end_date == opt_string{"2026-03-04T23:59:00"});
  CHECK(a.type == opt_string{"Ride"});
  auto& b = (*events)[1];
  CHECK(b.start_date == opt_string{"2026-03-05T10:00:00+00:00"});
  CHECK(b.type == opt_string{"workout"}); // the reference's default
  auto& c = (*events)[2];
  CHECK(c.id.empty());
  CHECK_FALSE(c.start_date);
}

TEST_CASE("intervals: a pushed event uses Intervals' field names") {
  planned_event x;
  x.name = "Endurance";
  x.start_date_local = "2026-03-04T00:00:00";
  x.type = std::string{"Ride"};
  x.moving_time = 3600;
  CHECK(event_json(x) ==
        R"({"category":"WORKOUT","start_date_local":"2026-03-04T00:00:00",)"
        R"("name":"Endurance","type":"Ride","moving_time":3600})");
}

TEST_CASE("intervals: live activities, details merged over stubs") {
  auto listed = parse_activity_list(R"([
    {"id":"i1","start_date_local":"2026-03-01T07:00:00","source":"OAUTH_CLIENT"},
    {"id":"i2","start_date_local":"2026-03-01T07:00:00","source":"STRAVA"},
    {"id":"i3","name":"Named","distance":0,"moving_time":60}
  ])");
  REQUIRE(listed);
  REQUIRE(listed->size() == 3);
  std::vector<std::string> objects;
  for (auto& x : *listed)
    objects.push_back(x.object);
  CHECK((*listed)[0].detail_id == std::optional<std::string>{"i1"});
  CHECK_FALSE((*listed)[1].detail_id); // Strava stubs stay stubs
  CHECK_FALSE((*listed)[2].detail_id);
  auto merged = merge_detail(
    objects[0],
    R"({"id":"i1","name":"Detailed","distance":12345,"moving_time":3000,"icu_training_load":70})");
  auto a = activity_of(merged);
  CHECK(a.name == opt_string{"Detailed"});
  CHECK(a.distance_km == opt_double{12.3});
  CHECK(a.duration_sec == opt_int{3000});
  CHECK(a.tss == opt_double{70});
  CHECK(merge_detail(objects[0], "not json") == objects[0]);
  auto strava = activity_of(objects[1]);
  CHECK(strava.name == opt_string{"Strava"});
  CHECK(strava.start_date == opt_string{"2026-03-01T07:00:00"});
  CHECK_FALSE(activity_of(objects[2]).distance_km); // zero: null
}

TEST_CASE("sql arrays: quoting, escaping and NULL") {
  CHECK(sql_array({}) == "{}");
  CHECK(sql_array({std::string{"a"}, caf::none, std::string{R"(q"b\s,{})"}}) ==
        R"({"a",NULL,"q\"b\\s,{}"})");
  CHECK(sql_array({std::string{""}, std::string{"NULL"}}) == R"({"","NULL"})");
}

TEST_CASE("upstream: a URL's authority is its rate-cap key") {
  CHECK(url_authority("https://Intervals.icu/api/v1") == "intervals.icu");
  CHECK(url_authority("http://127.0.0.1:8123/api/v1/x?y") == "127.0.0.1:8123");
  CHECK(url_authority("http://user:pw@host:1/") == "host:1");
}

TEST_CASE("intervals link and event bodies are validated up front") {
  std::vector<validation_error> errors;
  auto link =
    parse_intervals_link(R"({"athlete_id":" i5 ","api_key":" k "})", errors);
  REQUIRE(link);
  CHECK(link->athlete_id == "i5");
  CHECK(link->api_key == "k");
  errors.clear();
  CHECK_FALSE(
    parse_intervals_link(R"({"athlete_id":5,"api_key":"k"})", errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].type == "string_type");

  errors.clear();
  auto event = parse_planned_event(
    R"({"name":"Intervals","start_date":"2026-03-04T06:30","category":"note"})",
    errors);
  REQUIRE(event);
  CHECK(event->start_date_local == "2026-03-04T06:30:00");
  CHECK(event->category == "NOTE");
  errors.clear();
  CHECK_FALSE(parse_planned_event(
    R"({"name":"x","start_date":"2026-03-04T06:30:00+01:00"})", errors));
  errors.clear();
  CHECK_FALSE(
    parse_planned_event(R"({"name":"","start_date":"2026-03-04"})", errors));
  CHECK(errors[0].type == "string_too_short");
}
