#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace st {

/// Days since 1970-01-01 of a strict `YYYY-MM-DD` (also accepts a
/// date-time, using its date part when `allow_time`).
[[nodiscard]] std::optional<int64_t> parse_date(std::string_view x);

/// Days since 1970-01-01 of 0001-01-01 and 9999-12-31: the dates that
/// four-digit years, PostgreSQL and Python all represent.
constexpr int64_t first_day = -719162;
constexpr int64_t last_day = 2932896;

/// Whether `days` lies in [first_day, last_day].
[[nodiscard]] constexpr bool representable_day(int64_t days) {
  return days >= first_day && days <= last_day;
}

/// `YYYY-MM-DD` of days since 1970-01-01 (within representable_day).
[[nodiscard]] std::string format_date(int64_t days);

/// An ISO-8601 date-time (or date) as a UTC instant in the reference's
/// output form `YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`. No offset = UTC.
/// None when the instant falls outside representable days.
[[nodiscard]] std::optional<std::string> normalize_datetime(std::string_view x);

/// Unix seconds of an ISO-8601 date-time (or date; no offset = UTC).
[[nodiscard]] std::optional<int64_t> parse_unix(std::string_view x);

/// The UTC offset (seconds) an ISO-8601 date-time is written in; 0 for
/// none, `Z` or a plain date.
[[nodiscard]] std::optional<int64_t> utc_offset_of(std::string_view x);

/// `YYYY-MM-DDTHH:MM:SS±hh:mm`: the instant `secs` on a clock `offset_secs`
/// ahead of UTC.
[[nodiscard]] std::string format_with_offset(int64_t secs, int64_t offset_secs);

/// `YYYY-MM-DDTHH:MM:SS+00:00` of Unix seconds.
[[nodiscard]] std::string format_unix(int64_t secs);

/// Rounds like Python's `round(x, digits)` on doubles (exact value, ties to
/// even).
[[nodiscard]] double round_to(double x, int digits);

} // namespace st
