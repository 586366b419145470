#include "domain/answer_language.hpp"

#include "util/locales.hpp"

namespace st {

std::string text_values_in(std::string_view locale) {
  return std::string{" Write every text value for the athlete in "} +
         language_name(locale) +
         "; JSON keys and the listed enum values stay in English.";
}

std::string answers_in(std::string_view locale) {
  return std::string{" Answer in "} + language_name(locale) + ".";
}

} // namespace st
