#include "util/locales.hpp"

#include <catch2/catch.hpp>

using namespace st;

TEST_CASE("a request's locale: the header's language if the app supports "
          "it, else the athlete's own, else Russian") {
  CHECK(primary_language("en-US,en;q=0.9") == "en");
  CHECK(primary_language(" DE_ch") == "de");
  CHECK(primary_language("fr;q=0.8, en") == "fr");
  CHECK(primary_language("") == "");
  CHECK(request_locale("en", "de") == "en");
  CHECK(request_locale("zh", "de") == "de");
  CHECK(request_locale("", "pt") == "pt");
  CHECK(request_locale("", "xx") == "ru");
  CHECK(request_locale("", "") == "ru");
  for (auto* locale : supported_locales)
    CHECK(is_supported_locale(locale));
  CHECK_FALSE(is_supported_locale("EN"));
  CHECK(std::string{language_name("pt")} == "Portuguese");
  CHECK(std::string{language_name("th")} == "Thai");
  CHECK(std::string{language_name("zz")} == "Russian");
}
