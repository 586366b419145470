#include "protocols/http/json.hpp"

#include <catch2/catch.hpp>

using namespace st;

namespace {

std::string nested(size_t n) {
  return std::string(n, '[') + std::string(n, ']');
}

} // namespace

TEST_CASE("parse_json: nesting up to 64 levels, never recursion on the "
          "stack") {
  rapidjson::Document doc;
  CHECK_FALSE(parse_json(nested(64), doc));
  CHECK(doc.IsArray());
  auto deep = parse_json(nested(65), doc);
  REQUIRE(deep);
  CHECK(deep->reason == "Nesting deeper than 64 levels");
  CHECK(deep->offset == 64);
  CHECK(doc.IsNull()); // nothing half-built is left behind
  // Far deeper than any stack could recurse: a plain fault.
  CHECK(check_json(nested(5'000'000)));
  CHECK(parse_json(std::string(5'000'000, '['), doc));
}

TEST_CASE("parse_json: client strings are UTF-8 without NUL, upstream "
          "strings are mended") {
  rapidjson::Document doc;
  CHECK(parse_json("\"a\\u0000b\"", doc)->reason ==
        "NUL character in a string");
  CHECK(parse_json("{\"a\\u0000\":1}", doc));
  CHECK_FALSE(parse_json("\"a\\u0000b\"", doc, json_strings::any));
  CHECK(doc.GetStringLength() == 3);
  CHECK(parse_json("\"\xff\"", doc, json_strings::any)); // raw bytes: never
  // Found by the json_bodies fuzzer: RapidJSON takes a lone low surrogate
  // escape and writes it as a three-byte surrogate, which PostgreSQL
  // refuses and a 422 echoed raw.
  auto lone = R"({"name":"caf\u00e9 \ub83d\ude00","start_date":"2026-03-01"})";
  CHECK(parse_json(lone, doc)->reason ==
        "Invalid \\u escape: a lone UTF-16 surrogate");
  REQUIRE_FALSE(parse_json(lone, doc, json_strings::any));
  // One U+FFFD per byte of the surrogate's three.
  CHECK(std::string{doc["name"].GetString()} ==
        "caf\xC3\xA9 \xEB\xA0\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK_FALSE(parse_json(R"("\ud83d\ude00")", doc)); // a real pair is fine
  CHECK(std::string{doc.GetString()} == "\xF0\x9F\x98\x80");
}

TEST_CASE("echoes are valid JSON and bounded") {
  CHECK(json_string("a\xff"
                    "b") == "\"a\xEF\xBF\xBD"
                            "b\"");
  CHECK(json_string("\xED\xA0\x80") ==
        "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK(echo_string("short") == "\"short\"");
  auto cut = echo_string(std::string(5000, 'x'));
  CHECK(cut == "\"" + std::string(max_json_echo_chars, 'x') + "…\"");
  rapidjson::Document doc;
  std::string many = "[1";
  for (int i = 0; i < 3000; ++i)
    many += ",1";
  REQUIRE_FALSE(parse_json(many + "]", doc));
  auto echoed = echo_json(doc);
  CHECK(echoed.size() < max_json_echo_bytes);
  CHECK(echoed.rfind("\"[1,1,1", 0) == 0);
  rapidjson::Document text;
  REQUIRE_FALSE(parse_json("\"" + std::string(3000, 'n') + "\"", text));
  CHECK(echo_json(text) ==
        "\"" + std::string(max_json_echo_chars, 'n') + "…\"");
}
