#include "domain/coach_prompts.hpp"

#include "protocols/coach.hpp"
#include "protocols/http/coach_json.hpp"

#include <catch2/catch.hpp>

#include "util/dates.hpp"

using namespace st;

TEST_CASE("read_decision: the word case-insensitively, unknown or missing "
          "is invalid (never Go)") {
  auto go = read_decision(R"(```json
{"decision": " go ", "reason": "ok", "modified_plan": null})"
                          "\n```",
                          false);
  REQUIRE(go.value);
  CHECK(go.value->decision == "Go");
  CHECK(go.value->source == "ai");
  CHECK_FALSE(
    read_decision(R"({"decision":"Proceed","reason":"x"})", false).value);
  CHECK_FALSE(read_decision(R"({"reason":"x"})", false).value);
  CHECK_FALSE(read_decision(R"({"decision":7})", false).value);
  CHECK_FALSE(read_decision(R"({"decision":"Skip","reason":5})", false).value);
  CHECK_FALSE(read_decision("not json", false).value);
}

TEST_CASE("read_decision: the plan kept only when valid, texts cut") {
  auto d = read_decision(
    R"({"decision":"MODIFY","reason":")" + std::string(1500, 'r') +
      R"(","suggestions_next_days":")" + std::string(2500, 's') +
      R"(","modified_plan":{"title":"Easy","start_date":"2026-12-01T18:30:00Z","raw":{"k":1}}})",
    false);
  REQUIRE(d.value);
  CHECK(d.value->decision == "Modify");
  CHECK(d.value->reason.size() == 1000);
  CHECK(d.value->suggestions_next_days->size() == 2000);
  REQUIRE(d.value->modified_plan);
  CHECK(d.value->modified_plan->type == "workout");
  CHECK(*d.value->modified_plan->raw == R"({"k":1})");
  auto event = plan_event(*d.value->modified_plan);
  REQUIRE(event);
  CHECK(event->start_date_local == "2026-12-01T18:30:00");
  CHECK(event->name == "Easy");
  auto no_title =
    read_decision(R"({"decision":"Modify","reason":"r","modified_plan":)"
                  R"({"title":"","start_date":"2026-12-01"}})",
                  false);
  REQUIRE(no_title.value);
  CHECK_FALSE(no_title.value->modified_plan);
  // A plan round-trips through its stored form.
  auto stored = plan_from_json(plan_json(*d.value->modified_plan));
  REQUIRE(stored);
  CHECK(stored->title == "Easy");
}

TEST_CASE("read_decision: Advice only for advice, never a plan, the "
          "evening's texts read, blank ones none") {
  auto text = std::string{R"({"decision":"Advice","reason":"Sleep earlier.",)"
                          R"("modified_plan":{"title":"Run","start_date":)"
                          R"("2026-12-01"},"evening_tips":"Soup and bed by )"
                          R"(22:00.","plan_tomorrow":"  ",)"
                          R"("suggestions_next_days":null})"};
  CHECK_FALSE(read_decision(text, false).value);
  auto advice = read_decision(text, true);
  REQUIRE(advice.value);
  CHECK(advice.value->decision == "Advice");
  CHECK_FALSE(advice.value->modified_plan);
  CHECK(*advice.value->evening_tips == "Soup and bed by 22:00.");
  CHECK_FALSE(advice.value->plan_tomorrow);
  CHECK_FALSE(read_decision(R"({"decision":"Go","reason":"x"})", true).value);
  auto evening =
    read_decision(R"({"decision":"Go","reason":"Fresh.","plan_tomorrow":")" +
                    std::string(1200, 't') + R"(","evening_tips":7})",
                  false);
  CHECK_FALSE(evening.value); // a tip that is not text
  auto long_plan =
    read_decision(R"({"decision":"Go","reason":"Fresh.","plan_tomorrow":")" +
                    std::string(1200, 't') + R"("})",
                  false);
  REQUIRE(long_plan.value);
  CHECK(long_plan.value->plan_tomorrow->size() == 1000);
}

TEST_CASE("the decision's message: the reference's paragraphs, written for "
          "a verdict other than Go or for the evening's texts") {
  daily_decision d;
  d.decision = "Go";
  d.reason = "Fresh.";
  CHECK_FALSE(leaves_message(d));
  d.plan_tomorrow = std::string{"Intervals 5x4 min."};
  REQUIRE(leaves_message(d));
  d.evening_tips = std::string{"Rice and fish."};
  d.suggestions_next_days = std::string{"Easy Friday."};
  CHECK(decision_message(d) ==
        "Decision: Go. Fresh.\n\nNext days: Easy Friday.\n\nEvening: Rice "
        "and fish.\n\nTomorrow: Intervals 5x4 min.");
  daily_decision advice;
  advice.decision = "Advice";
  advice.reason = "Sleep earlier.";
  CHECK(leaves_message(advice));
  CHECK(decision_message(advice) == "Decision: Advice. Sleep earlier.");
}

TEST_CASE("the part of the day: morning up to its hour, evening from its "
          "hour") {
  CHECK(day_part_at(0, 10, 18) == day_part::morning);
  CHECK(day_part_at(10, 10, 18) == day_part::morning);
  CHECK(day_part_at(11, 10, 18) == day_part::daytime);
  CHECK(day_part_at(17, 10, 18) == day_part::daytime);
  CHECK(day_part_at(18, 10, 18) == day_part::evening);
  CHECK(day_part_at(23, 6, 20) == day_part::evening);
  CHECK(day_part_at(7, 6, 20) == day_part::daytime);
}

namespace {

athlete_day sample() {
  athlete_day x;
  x.day = *parse_date("2026-12-01");
  x.email = "a@example.com";
  x.profile.weight_kg = 70.0;
  x.profile.weight_source = std::string{"strava"};
  x.profile.strava_firstname = std::string{"Ann"};
  x.profile.strava_sex = std::string{"F"};
  x.profile.birth_year = 1990;
  return x;
}

} // namespace

TEST_CASE("contexts keep Strava's data out unless allowed") {
  auto x = sample();
  auto context = decision_context(x);
  CHECK(context.find("Ann") == std::string::npos);
  CHECK(context.find("\"weight_kg\"") == std::string::npos);
  CHECK(context.find("\"sex\"") == std::string::npos);
  CHECK(context.find("\"display_name\":\"a@example.com\"") !=
        std::string::npos);
  CHECK(context.find("\"age_years\":36") != std::string::npos);
  CHECK(context.find("Recent Strava activities") == std::string::npos);
  x.strava_allowed = true;
  context = decision_context(x);
  CHECK(context.find("\"display_name\":\"Ann\"") != std::string::npos);
  CHECK(context.find("\"weight_kg\":70") != std::string::npos);
  CHECK(context.find("## Recent Strava activities") != std::string::npos);
}

TEST_CASE("the chat context caps each section at 1200 characters") {
  auto x = sample();
  for (int i = 0; i < 100; ++i)
    x.food.entries.push_back(food_entry{i,
                                        "dish " + std::to_string(i),
                                        100,
                                        200,
                                        10,
                                        5,
                                        20,
                                        "lunch",
                                        "2026-12-01T12:00:00+00:00",
                                        {}});
  auto context = chat_context(x);
  auto start = context.find("## Food today (entries)\n");
  REQUIRE(start != std::string::npos);
  auto body =
    context.substr(start + 24, context.find('\n', start + 24) - (start + 24));
  CHECK(body.size() == 1200);
  CHECK(body.substr(1197) == "...");
  CHECK(context.find("No sleep data from photos.") != std::string::npos);
}

TEST_CASE("chat prompts give the recent history as alternating turns") {
  auto x = sample();
  x.history = {{"user", "one", caf::none},
               {"user", "two", caf::none},
               {"assistant", "reply", caf::none}};
  auto p = chat_prompt(x, "three");
  REQUIRE(p.contents.size() == 3);
  CHECK(p.contents[0].role == "user");
  CHECK(p.contents[0].parts.size() == 2);
  CHECK(p.contents[1].role == "model");
  CHECK(p.contents[2].parts[0].text.find("User message: three") !=
        std::string::npos);
  // In the athlete's language: Russian unless told otherwise.
  CHECK(p.system_instruction.find("Answer in Russian.") != std::string::npos);
  x.locale = "th";
  CHECK(chat_prompt(x, "three").system_instruction.find("Answer in Thai.") !=
        std::string::npos);
  CHECK(decision_prompt(x).system_instruction.find(
          "Write every text value for the athlete in Thai;") !=
        std::string::npos);
}

TEST_CASE("chat bodies and events") {
  std::vector<validation_error> errors;
  auto x =
    parse_chat_message(R"({"message":"hi","run_orchestrator":"yes"})", errors);
  REQUIRE(x);
  CHECK(x->run_orchestrator);
  CHECK_FALSE(parse_chat_message(
    R"({"message":")" + std::string(4001, 'm') + "\"}", errors));
  CHECK(errors.back().type == "string_too_long");
  CHECK(sse_delta("a\"b") == "data: {\"delta\":\"a\\\"b\"}\n\n");
  CHECK(sse_done("ok") == "event: done\ndata: {\"reply\":\"ok\"}\n\n");
  CHECK(sse_error("bad") == "event: error\ndata: {\"detail\":\"bad\"}\n\n");
}

TEST_CASE("readiness signals as JSON: three decimals, open band ends and no "
          "flag as null, and back") {
  readiness_signal hrv{"hrv_7d",  "ln_rmssd", 4.0173450, 4.0908602,
                       4.0487045, 4.1330159,  "modify",  caf::none};
  readiness_signal tsb{"tsb", "tsb",     -42.0, caf::none,
                       -20.0, caf::none, "",    std::string{"a note"}};
  auto text = readiness_json({hrv, tsb});
  CHECK(text ==
        R"([{"signal":"hrv_7d","unit":"ln_rmssd","value":4.017,)"
        R"("baseline":4.091,"band":[4.049,4.133],"flag":"modify","note":null},)"
        R"({"signal":"tsb","unit":"tsb","value":-42.0,"baseline":null,)"
        R"("band":[-20.0,null],"flag":null,"note":"a note"}])");
  auto back = readiness_from_json(text);
  REQUIRE(back.size() == 2);
  CHECK(back[0].signal == "hrv_7d");
  CHECK(*back[0].value == Approx(4.017));
  CHECK(back[0].flag == "modify");
  CHECK_FALSE(back[0].note);
  CHECK_FALSE(back[1].baseline);
  CHECK(*back[1].band_low == Approx(-20.0));
  CHECK_FALSE(back[1].band_high);
  CHECK(back[1].flag.empty());
  CHECK(*back[1].note == "a note");
  CHECK(readiness_from_json("not json").empty());
  CHECK(readiness_from_json(R"({"signal":"x"})").empty());
}
