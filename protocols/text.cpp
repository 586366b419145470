#include "protocols/text.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace st {

std::string trim(std::string_view x) {
  constexpr std::string_view space = " \t\r\n\f\v";
  auto b = x.find_first_not_of(space);
  if (b == std::string_view::npos)
    return {};
  auto e = x.find_last_not_of(space);
  return std::string{x.substr(b, e - b + 1)};
}

std::string to_lower(std::string_view x) {
  std::string result{x};
  for (auto& c : result)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

std::string to_upper(std::string_view x) {
  std::string result{x};
  for (auto& c : result)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

namespace {

bool starts_code_point(unsigned char c) {
  return (c & 0xC0) != 0x80;
}

} // namespace

std::optional<double> parse_finite(std::string_view x) {
  std::string text{x}; // strtod needs a terminated string
  char* end = nullptr;
  auto result = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(result))
    return std::nullopt;
  return result;
}

size_t utf8_length(std::string_view x) {
  size_t result = 0;
  for (unsigned char c : x)
    result += starts_code_point(c);
  return result;
}

std::string utf8_prefix(std::string_view x, size_t n) {
  size_t chars = 0;
  for (size_t i = 0; i < x.size(); ++i)
    if (starts_code_point(static_cast<unsigned char>(x[i])) && chars++ == n)
      return std::string{x.substr(0, i)};
  return std::string{x};
}

} // namespace st
