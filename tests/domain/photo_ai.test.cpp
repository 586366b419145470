#include "domain/photo_ai.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

using namespace st;

TEST_CASE("meal answers: clamped into the bounds, strings coerced, a "
          "missing value is a problem") {
  auto x = read_meal(R"(```json
{"name": "  Pasta  ", "portion_grams": 12000, "calories": "650",
 "protein_g": -3, "fat_g": 20.5, "carbs_g": 1500, "extra": true}
```)");
  REQUIRE(x.value);
  CHECK(x.value->name == "Pasta");
  CHECK(x.value->portion_grams == 10000);
  CHECK(x.value->calories == 650);
  CHECK(x.value->protein_g == 0);
  CHECK(x.value->fat_g == 20.5);
  CHECK(x.value->carbs_g == 1000);
  CHECK(x.value->id == 0);
  CHECK(read_meal(R"({"portion_grams": 1})").problem.find("dish") !=
        std::string::npos);
  CHECK(read_meal(R"({"name": "Tea", "portion_grams": 200})")
          .problem.find("calories") != std::string::npos);
  CHECK(read_meal("").problem == "Empty response from Gemini");
  CHECK(!read_meal("[1]").value);
  CHECK(!read_meal("{\"name\": \"x\",").value); // meals parse strictly
}

TEST_CASE("photo answers: the class decides the payload") {
  auto unknown = read_photo(
    R"({"type": "selfie", "food": {"name": "Apple", "portion_grams": 150,
        "calories": 80, "protein_g": 0.4, "fat_g": 0.2, "carbs_g": 21}})");
  REQUIRE(unknown.value);
  CHECK(unknown.value->type == "food");
  CHECK(unknown.value->food.name == "Apple");
  auto wellness = read_photo(
    R"({"type": " Wellness ", "wellness": {"rhr": "52", "hrv": 900000}})");
  REQUIRE(wellness.value);
  CHECK(wellness.value->type == "wellness");
  CHECK(!wellness.value->rhr); // numeric strings become null
  CHECK(*wellness.value->hrv == 1000);
  auto sleep = read_photo(R"({"type": "sleep", "sleep": {"deep_sleep_min":
        700, "sleep_periods": ["22:47 - 04:23", 5], "factor_ratings":
        {"deep_sleep": "Good", "rest": 3}, "source_app": 17},})");
  REQUIRE(sleep.value);
  rapidjson::Document doc;
  doc.Parse(sleep.value->sleep_data.c_str());
  CHECK(doc.MemberCount() == 28);
  CHECK(doc["deep_sleep_min"].GetInt() == 600);
  CHECK(doc["sleep_periods"].Size() == 1);
  CHECK(doc["factor_ratings"].MemberCount() == 1);
  CHECK(doc["source_app"].IsNull());
  auto missing = read_photo(R"({"type": "wellness", "food": {}})");
  CHECK(missing.problem.find("wellness object is missing") !=
        std::string::npos);
}

TEST_CASE("sleep answers: every key in stored order, truncated JSON mended") {
  auto x = read_sleep(R"({"raw_notes": "Глубокий сон", "sleep_hours": 25,
                          "score_delta": -3.6, "latency_min":)");
  REQUIRE(x.value);
  rapidjson::Document doc;
  doc.Parse(x.value->c_str());
  REQUIRE(doc.IsObject());
  CHECK(doc.MemberBegin()->name == "date");
  CHECK(doc["sleep_hours"].GetDouble() == 24);
  CHECK(doc["score_delta"].GetInt() == -4);
  CHECK(std::string{doc["raw_notes"].GetString()} == "Глубокий сон");
  CHECK(!read_sleep("no json here").value);
}

TEST_CASE("prompts: instructions in the system part, the image then the "
          "note last, JSON mode") {
  model_image image{"image/jpeg", "QUJD", 10, 10};
  auto p = meal_prompt(image, "no oil", "de");
  CHECK(p.system_instruction.find("nutrition analysis") != std::string::npos);
  REQUIRE(p.contents.size() == 1);
  REQUIRE(p.contents[0].parts.size() == 2);
  CHECK(p.contents[0].parts[0].mime_type == "image/jpeg");
  CHECK(p.contents[0].parts[1].text == "Note from the athlete: \"no oil\"");
  CHECK(!p.response_schema.empty());
  rapidjson::Document schema;
  for (auto& prompt :
       {photo_prompt(image, "de"), sleep_prompt(image, false, "de"),
        sleep_prompt(image, true, "de"), p}) {
    schema.Parse(prompt.response_schema.c_str());
    CHECK(!schema.HasParseError());
    CHECK(prompt.temperature == 0.2);
    // Text values in the athlete's language, keys in English.
    CHECK(prompt.system_instruction.find(
            "Write every text value for the athlete in German; JSON keys "
            "and the listed enum values stay in English.") !=
          std::string::npos);
  }
  CHECK(photo_prompt(image, "xx")
          .system_instruction.find("for the athlete in Russian;") !=
        std::string::npos);
}
