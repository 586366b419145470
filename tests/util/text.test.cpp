#include "util/text.hpp"

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
  CHECK_FALSE(parse_finite("0x10")); // strtod would read 16
  CHECK_FALSE(parse_finite("1e400"));
  CHECK_FALSE(parse_finite("."));
  CHECK_FALSE(parse_finite("1e"));
  CHECK(parse_finite(" 71.5 ") == std::optional<double>{71.5});
  CHECK(parse_finite(".5") == std::optional<double>{0.5});
  CHECK(parse_finite("+2.") == std::optional<double>{2});
}

TEST_CASE("UTF-8 validation follows RFC 3629") {
  CHECK(valid_utf8("caf\xC3\xA9 \xF0\x9F\x98\x80"));
  CHECK_FALSE(valid_utf8("\xC0\xAF"));         // overlong
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));     // a surrogate
  CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80")); // past U+10FFFF
  CHECK_FALSE(valid_utf8("\xE2\x82"));         // cut short
  CHECK(sanitize_utf8("a\xE2\x82") == "a\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("percent-decoding of paths and queries") {
  CHECK(percent_decode("%31%2f+x", false) == "1/+x");
  CHECK(percent_decode("%31%2f+x", true) == "1/ x");
  CHECK(percent_decode("100%", false) == "100%");
  CHECK(percent_decode("%zz%4", false) == "%zz%4");
}
