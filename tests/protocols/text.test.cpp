#include "protocols/text.hpp"

#include <catch2/catch.hpp>

using namespace st;

TEST_CASE("UTF-8 length and prefix count code points, not bytes") {
  CHECK(utf8_length("") == 0);
  CHECK(utf8_length("abc") == 3);
  CHECK(utf8_length("Zürich €") == 8); // ü: 2 bytes, €: 3 bytes
  CHECK(utf8_prefix("Zürich", 2) == "Zü");
  CHECK(utf8_prefix("€€€", 1) == "€");
  CHECK(utf8_prefix("abc", 10) == "abc");
  CHECK(utf8_prefix("abc", 0).empty());
}

TEST_CASE("parse_finite takes whole finite numbers only") {
  CHECK(parse_finite("7.25") == std::optional<double>{7.25});
  CHECK(parse_finite("-3e2") == std::optional<double>{-300});
  CHECK_FALSE(parse_finite(""));
  CHECK_FALSE(parse_finite("7.25 h"));
  CHECK_FALSE(parse_finite("nan"));
  CHECK_FALSE(parse_finite("inf"));
}
