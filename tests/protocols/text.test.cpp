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
