#include "util/dates.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace st {

namespace {

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool digits(std::string_view x, size_t pos, size_t n, int64_t& out) {
  if (pos + n > x.size())
    return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (x[i] < '0' || x[i] > '9')
      return false;
    out = out * 10 + (x[i] - '0');
  }
  return true;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned dim[] = {31, 28, 31, 30, 31, 30,
                                     31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : dim[m - 1];
}

std::optional<int64_t> date_prefix(std::string_view x) {
  int64_t y, m, d;
  if (x.size() < 10 || !digits(x, 0, 4, y) || x[4] != '-' ||
      !digits(x, 5, 2, m) || x[7] != '-' || !digits(x, 8, 2, d))
    return std::nullopt;
  if (y < 1 || m < 1 || m > 12 || d < 1 ||
      d > days_in_month(y, static_cast<unsigned>(m)))
    return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

} // namespace

std::optional<int64_t> parse_date(std::string_view x) {
  if (x.size() != 10)
    return std::nullopt;
  return date_prefix(x);
}

std::string format_date(int64_t days) {
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  // Four digits even for a day outside the representable range (clamped):
  // no answer ever prints a five-digit year.
  y = std::clamp<int64_t>(y, 0, 9999);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(y), m, d);
  return buf;
}

namespace {

/// An ISO-8601 date-time (or date) as Unix seconds and microseconds; no
/// offset = UTC.
struct instant {
  int64_t secs = 0;
  int64_t micros = 0;
  int64_t offset = 0; ///< seconds the written clock is ahead of UTC
};

std::optional<instant> parse_instant(std::string_view x) {
  auto day = date_prefix(x);
  if (!day)
    return std::nullopt;
  if (x.size() == 10)
    return instant{*day * 86400, 0, 0};
  if (x[10] != 'T' && x[10] != 't' && x[10] != ' ')
    return std::nullopt;
  int64_t hh, mm, ss = 0;
  if (!digits(x, 11, 2, hh) || x.size() < 16 || x[13] != ':' ||
      !digits(x, 14, 2, mm) || hh > 23 || mm > 59)
    return std::nullopt;
  size_t pos = 16;
  int64_t micros = 0;
  if (pos < x.size() && x[pos] == ':') {
    if (!digits(x, pos + 1, 2, ss) || ss > 59)
      return std::nullopt;
    pos += 3;
    if (pos < x.size() && (x[pos] == '.' || x[pos] == ',')) {
      ++pos;
      size_t n = 0;
      while (pos < x.size() && x[pos] >= '0' && x[pos] <= '9') {
        if (n < 6)
          micros = micros * 10 + (x[pos] - '0');
        ++n;
        ++pos;
      }
      if (n == 0)
        return std::nullopt;
      for (; n < 6; ++n)
        micros *= 10;
    }
  }
  int64_t offset = 0;
  if (pos < x.size()) {
    auto rest = x.substr(pos);
    if (rest == "Z" || rest == "z") {
      offset = 0;
    } else if ((rest[0] == '+' || rest[0] == '-') && rest.size() >= 3) {
      int64_t oh = 0, om = 0;
      if (!digits(rest, 1, 2, oh))
        return std::nullopt;
      size_t p = 3;
      if (p < rest.size() && rest[p] == ':')
        ++p;
      if (p < rest.size() && (!digits(rest, p, 2, om) || p + 2 != rest.size()))
        return std::nullopt;
      if (oh > 23 || om > 59)
        return std::nullopt;
      offset = (rest[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return std::nullopt;
    }
  }
  auto secs = *day * 86400 + hh * 3600 + mm * 60 + ss - offset;
  auto utc_day = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  if (!representable_day(utc_day))
    return std::nullopt;
  return instant{secs, micros, offset};
}

} // namespace

std::optional<std::string> normalize_datetime(std::string_view x) {
  auto t = parse_instant(x);
  if (!t)
    return std::nullopt;
  auto result = format_unix(t->secs);
  if (t->micros != 0) {
    char frac[32];
    std::snprintf(frac, sizeof(frac), ".%06lld",
                  static_cast<long long>(t->micros));
    result.insert(19, frac);
  }
  return result;
}

std::optional<int64_t> parse_unix(std::string_view x) {
  auto t = parse_instant(x);
  if (!t)
    return std::nullopt;
  return t->secs;
}

std::optional<int64_t> utc_offset_of(std::string_view x) {
  auto t = parse_instant(x);
  if (!t)
    return std::nullopt;
  return t->offset;
}

std::string format_with_offset(int64_t secs, int64_t offset_secs) {
  auto text = format_unix(secs + offset_secs);
  auto magnitude = offset_secs < 0 ? -offset_secs : offset_secs;
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%c%02lld:%02lld",
                offset_secs < 0 ? '-' : '+',
                static_cast<long long>(magnitude / 3600),
                static_cast<long long>(magnitude % 3600 / 60));
  return text.substr(0, text.size() - 6) + buf;
}

std::string format_unix(int64_t secs) {
  auto days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  auto rem = secs - days * 86400;
  char buf[48];
  std::snprintf(buf, sizeof(buf), "T%02lld:%02lld:%02lld+00:00",
                static_cast<long long>(rem / 3600),
                static_cast<long long>(rem % 3600 / 60),
                static_cast<long long>(rem % 60));
  return format_date(days) + buf;
}

double round_to(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, x);
  auto result = std::strtod(buf, nullptr);
  return result == 0 ? 0.0 : result; // no "-0.0"
}

} // namespace st
