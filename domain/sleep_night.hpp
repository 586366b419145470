#pragma once

#include "protocols/messages.hpp"

#include <string_view>

namespace st {

/// What a stored sleep reading says about its night (http-api-head.md
/// §3.5, "Saving a sleep reading"): the day it is for, the sleep actually
/// slept, resting HR and HRV. The day wellness shows them on.
struct sleep_night {
  int64_t day = 0; ///< days since 1970-01-01
  opt_double sleep_hours;
  opt_double rhr;
  opt_double hrv;
};

/// Reads `extracted_data` (the stored JSON). The day: the month and day of
/// an ISO date or of a `D/M[/YYYY]` (day first), in `today`'s year (a
/// tracker's own year is often wrong), or last year's when that would be
/// in the future; anything else `today`. The sleep:
/// the actual sleep (hours, else minutes), else deep + light + REM when
/// that is 1-10 h, else the total less the time awake, else the total
/// (hours with their minutes, 7 h + 54 min = 7.9). RHR and HRV: numbers or
/// numeric strings.
[[nodiscard]] sleep_night night_of(std::string_view extracted_data,
                                   int64_t today);

} // namespace st
