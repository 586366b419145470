#include "protocols/strava.hpp"

#include <catch2/catch.hpp>

using namespace st;
using namespace st::strava;

TEST_CASE("strava: the authorize URL encodes every value") {
  auto url = authorize_url("https://www.strava.com/oauth", "4242",
                           "https://x.example/api/v1/strava/callback?a=1",
                           "7.ab.99.s-_");
  CHECK(url == "https://www.strava.com/oauth/authorize?client_id=4242&"
               "redirect_uri=https%3A%2F%2Fx.example%2Fapi%2Fv1%2Fstrava%"
               "2Fcallback%3Fa%3D1&response_type=code&approval_prompt=force&"
               "scope=read%2Cactivity%3Aread_all&state=7.ab.99.s-_");
  CHECK(grants_activities("read,activity:read_all"));
  CHECK(grants_activities("activity:read"));
  CHECK_FALSE(grants_activities("read"));
  CHECK_FALSE(grants_activities(""));
}

TEST_CASE("strava: a summary activity maps to a row with its true UTC start") {
  auto page = parse_activity_page(R"([
    {"id": 12874401932, "name": "  Morning Ride  ", "type": "Ride",
     "sport_type": "MountainBikeRide", "start_date": "2024-07-02T06:30:00Z",
     "start_date_local": "2024-07-02T08:30:00Z",
     "timezone": "(GMT+01:00) Europe/Paris", "moving_time": 3600.7,
     "distance": 30000.5, "average_heartrate": 140, "trainer": false,
     "private": 1, "workout_type": null, "suffer_score": "12"},
    {"name": "no id"},
    {"id": 5, "start_date": "not a date"},
    {"id": 6, "start_date_local": "2024-07-03T07:00:00Z"}
  ])");
  REQUIRE(page);
  CHECK(page->listed == 4);
  CHECK(page->skipped == 2);
  REQUIRE(page->rows.size() == 2);
  auto& r = page->rows[0];
  CHECK(r.strava_id == 12874401932);
  CHECK(r.start_unix == 1719901800); // 06:30 UTC
  CHECK(r.start_date_local == opt_string{"2024-07-02T08:30:00Z"});
  CHECK(r.name == opt_string{"Morning Ride"});
  CHECK(r.moving_time_sec == opt_int{3600});
  CHECK(r.distance_m == opt_double{30000.5});
  CHECK(r.average_heartrate == opt_double{140});
  CHECK(r.trainer == std::optional<bool>{false});
  CHECK(r.is_private == std::optional<bool>{true});
  CHECK_FALSE(r.workout_type);
  CHECK_FALSE(r.suffer_score); // a string is no measurement
  CHECK(r.raw.find("\"sport_type\":\"MountainBikeRide\"") != std::string::npos);
  // Without a UTC start, the local time is the best there is.
  CHECK(page->rows[1].start_unix == 1719990000);
  CHECK_FALSE(parse_activity_page(R"({"id":1})"));
  CHECK_FALSE(parse_activity_page("[1,"));
}

TEST_CASE("strava: token answers, athletes and faults") {
  auto g = parse_token_grant(R"({"token_type":"Bearer","expires_at":1735689600,
    "expires_in":21600,"refresh_token":"rt_7f","access_token":"at_51",
    "athlete":{"id":5550123,"firstname":"Jane","lastname":"Doe","sex":"F",
    "profile_medium":"https://m","profile":""}})");
  REQUIRE(g);
  CHECK(g->access_token == "at_51");
  CHECK(g->refresh_token == "rt_7f");
  CHECK(g->expires_at == 1735689600);
  CHECK(g->athlete_id == std::optional<int64_t>{5550123});
  REQUIRE(g->athlete);
  CHECK(g->athlete->firstname == opt_string{"Jane"});
  CHECK(g->athlete->profile_url == opt_string{"https://m"});
  CHECK_FALSE(parse_token_grant(R"({"access_token":"x"})"));
  auto a =
    parse_athlete(R"({"weight":61.5,"ftp":250.9,"sex":"MALE_TOO_LONG"})");
  REQUIRE(a);
  CHECK(a->weight_kg == opt_double{61.5});
  CHECK(a->ftp == opt_int{250});
  CHECK(a->sex == opt_string{"MALE_TOO"});
  CHECK(parse_athlete(R"({"weight":-3})")->weight_kg == caf::none);
  CHECK(grant_revoked(401, ""));
  CHECK(grant_revoked(400, R"({"message":"Bad Request","errors":[{"resource":
    "RefreshToken","field":"refresh_token","code":"invalid"}]})"));
  CHECK_FALSE(grant_revoked(400, R"({"message":"Bad Request","errors":[{
    "resource":"AuthorizationCode","field":"code","code":"invalid"}]})"));
  CHECK_FALSE(grant_revoked(500, ""));
}

TEST_CASE("strava: rate headers, case-insensitive, two integers each") {
  auto r = read_rate_headers(
    {"Content-Type: application/json", "x-ratelimit-limit: 200,2000",
     "X-RateLimit-Usage: 34, 712", "X-ReadRateLimit-Limit: 100,1000",
     "X-ReadRateLimit-Usage: junk"});
  CHECK(r.limit == std::optional<rate_pair>{{200, 2000}});
  CHECK(r.usage == std::optional<rate_pair>{{34, 712}});
  CHECK(r.read_limit == std::optional<rate_pair>{{100, 1000}});
  CHECK_FALSE(r.read_usage);
  // Found by the fuzzer: a value with spaces around it was read through a
  // view of a destroyed trimmed copy.
  auto spaced = read_rate_headers({"X-RateLimit-Usage:   7 ,  9   "});
  CHECK(spaced.usage == std::optional<rate_pair>{{7, 9}});
}

TEST_CASE("strava: webhook events") {
  std::string why;
  auto e = parse_webhook_event(
    R"({"object_type":"activity","object_id":12874401932,"aspect_type":
    "update","updates":{"title":"Morning Ride"},"owner_id":5550123,
    "subscription_id":271004,"event_time":1740812400})",
    why);
  REQUIRE(e);
  CHECK(e->object_id == 12874401932);
  CHECK(e->owner_id == 5550123);
  CHECK(e->updates == R"({"title":"Morning Ride"})");
  CHECK_FALSE(e->deauthorized);
  auto d = parse_webhook_event(
    R"({"object_type":"athlete","object_id":5550123,"aspect_type":"update",
    "updates":{"authorized":"false"},"owner_id":5550123,
    "subscription_id":271004,"event_time":1740812400})",
    why);
  REQUIRE(d);
  CHECK(d->deauthorized);
  CHECK_FALSE(parse_webhook_event(R"({"object_type":"gear"})", why));
  CHECK(why.find("object_type") != std::string::npos);
  CHECK_FALSE(parse_webhook_event("nope", why));
}

TEST_CASE("strava: OAuth states are signed, bound to a user and expire") {
  oauth_state s{42, "00ff", 2000};
  auto text = sign_state("key", s);
  auto ok = verify_state("key", text, 1999);
  REQUIRE(std::holds_alternative<oauth_state>(ok));
  CHECK(std::get<oauth_state>(ok).user_id == 42);
  CHECK(std::get<oauth_state>(ok).nonce == "00ff");
  CHECK(std::get<state_fault>(verify_state("key", text, 2001)) ==
        state_fault::expired);
  CHECK(std::get<state_fault>(verify_state("other", text, 1000)) ==
        state_fault::forged);
  auto moved = "43" + text.substr(2);
  CHECK(std::get<state_fault>(verify_state("key", moved, 1000)) ==
        state_fault::forged);
  CHECK(std::get<state_fault>(verify_state("key", "42", 1000)) ==
        state_fault::malformed);
}
