#include "util/text.hpp"

#include <cctype>
#include <charconv>
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

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/// Whether `x` is `[+-]digits[.digits][(e|E)[+-]digits]` (either side of
/// the point may be empty, not both).
bool decimal_syntax(std::string_view x) {
  size_t i = 0;
  auto run = [&] {
    auto from = i;
    while (i < x.size() && is_digit(x[i]))
      ++i;
    return i - from;
  };
  if (i < x.size() && (x[i] == '+' || x[i] == '-'))
    ++i;
  auto whole = run();
  size_t fraction = 0;
  if (i < x.size() && x[i] == '.') {
    ++i;
    fraction = run();
  }
  if (whole + fraction == 0)
    return false;
  if (i < x.size() && (x[i] == 'e' || x[i] == 'E')) {
    ++i;
    if (i < x.size() && (x[i] == '+' || x[i] == '-'))
      ++i;
    if (run() == 0)
      return false;
  }
  return i == x.size();
}

/// Length of the well-formed UTF-8 sequence at `x[i]`, or 0.
size_t utf8_sequence(std::string_view x, size_t i) {
  auto c = static_cast<unsigned char>(x[i]);
  if (c < 0x80)
    return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF; // bounds of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0; // no overlong forms
    if (c == 0xED)
      hi = 0x9F; // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;
    if (c == 0xF4)
      hi = 0x8F; // nothing past U+10FFFF
  } else {
    return 0;
  }
  if (i + n > x.size())
    return 0;
  auto second = static_cast<unsigned char>(x[i + 1]);
  if (second < lo || second > hi)
    return 0;
  for (size_t k = 2; k < n; ++k)
    if ((static_cast<unsigned char>(x[i + k]) & 0xC0) != 0x80)
      return 0;
  return n;
}

} // namespace

std::optional<int64_t> parse_integer(std::string_view x) {
  int64_t result = 0;
  auto end = x.data() + x.size();
  auto [at, ec] = std::from_chars(x.data(), end, result);
  if (x.empty() || ec != std::errc{} || at != end)
    return std::nullopt;
  return result;
}

std::optional<double> parse_finite(std::string_view x) {
  auto text = trim(x);
  if (!decimal_syntax(text))
    return std::nullopt;
  auto result = std::strtod(text.c_str(), nullptr);
  if (!std::isfinite(result))
    return std::nullopt;
  return result;
}

std::string percent_decode(std::string_view x, bool plus_as_space) {
  auto hex = [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  };
  auto value = [](char c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
  };
  std::string result;
  result.reserve(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i] == '+' && plus_as_space) {
      result += ' ';
    } else if (x[i] == '%' && i + 2 < x.size() && hex(x[i + 1]) &&
               hex(x[i + 2])) {
      result += static_cast<char>(value(x[i + 1]) * 16 + value(x[i + 2]));
      i += 2;
    } else {
      result += x[i];
    }
  }
  return result;
}

bool valid_utf8(std::string_view x) {
  for (size_t i = 0; i < x.size();) {
    auto n = utf8_sequence(x, i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

std::string sanitize_utf8(std::string_view x) {
  std::string result;
  result.reserve(x.size());
  for (size_t i = 0; i < x.size();) {
    if (auto n = utf8_sequence(x, i); n > 0) {
      result.append(x.substr(i, n));
      i += n;
    } else {
      result += "\xEF\xBF\xBD";
      ++i;
    }
  }
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

std::vector<std::string_view> split(std::string_view x, char separator) {
  std::vector<std::string_view> result;
  size_t start = 0;
  for (;;) {
    auto end = x.find(separator, start);
    if (end == std::string_view::npos) {
      result.push_back(x.substr(start));
      return result;
    }
    result.push_back(x.substr(start, end - start));
    start = end + 1;
  }
}

std::string percent_encode(std::string_view x) {
  static const char* hex = "0123456789ABCDEF";
  std::string result;
  for (unsigned char c : x) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      result += static_cast<char>(c);
    } else {
      result += '%';
      result += hex[c >> 4];
      result += hex[c & 15];
    }
  }
  return result;
}

} // namespace st
