#include "util/locales.hpp"

#include <algorithm>
#include <cctype>

namespace st {

namespace {

constexpr const char* language_names[] = {"Russian",    "English", "German",
                                          "French",     "Spanish", "Italian",
                                          "Portuguese", "Thai"};

/// Index of `locale` in supported_locales, or -1.
int index_of(std::string_view locale) {
  for (size_t i = 0; i < std::size(supported_locales); ++i)
    if (locale == supported_locales[i])
      return static_cast<int>(i);
  return -1;
}

} // namespace

bool is_supported_locale(std::string_view locale) {
  return index_of(locale) >= 0;
}

std::string primary_language(std::string_view tags) {
  auto first = tags.substr(0, tags.find(','));
  std::string result;
  for (char c : first) {
    if (c == '-' || c == '_' || c == ';')
      break;
    if (!std::isspace(static_cast<unsigned char>(c)))
      result += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return result;
}

std::string request_locale(std::string_view asked,
                           std::string_view user_locale) {
  if (is_supported_locale(asked))
    return std::string{asked};
  if (is_supported_locale(user_locale))
    return std::string{user_locale};
  return fallback_locale;
}

const char* language_name(std::string_view locale) {
  auto i = index_of(locale);
  return language_names[std::max(i, 0)];
}

} // namespace st
