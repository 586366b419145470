#pragma once

#include "protocols/messages.hpp"

#include <optional>
#include <string>
#include <vector>

/// The rule-made daily decision (docs/decisions.md): readiness from sleep,
/// HRV against the athlete's own 7-day and 60-day baselines and resting HR
/// against its baseline, then load (TSB). It decides when the model cannot
/// (unavailable, quota spent) and for athletes without data or links.
namespace st {

/// What the rules look at for day `today` (days since 1970-01-01).
struct readiness_input {
  int64_t today = 0;
  /// Wellness rows up to and including today (any order, any span; the
  /// baselines use the 60 days before today).
  std::vector<wellness_day> history;
  /// Today's sleep when it came from a screenshot rather than the row.
  opt_double photo_sleep_hours;
  /// CTL/ATL/TSB of completed training.
  fitness load;
};

/// Baselines and today's values the rules compared.
struct readiness_reading {
  opt_double sleep_hours;
  opt_double hrv;
  opt_double hrv_7d;  ///< mean of the 7 days before today (≥ 3 values)
  opt_double hrv_60d; ///< mean of the 60 days before today (≥ 14 values)
  opt_double rhr;
  opt_double rhr_baseline; ///< 60-day mean (≥ 7 values), else 7-day (≥ 3)
  opt_double tsb;
};

[[nodiscard]] readiness_reading read_readiness(const readiness_input& x);

/// A rule-made decision: Go, Modify or Skip with the reasons that made it.
struct rule_decision {
  std::string decision;
  std::string reason;
};

/// Decides by the rules; too little data is never Go.
[[nodiscard]] rule_decision decide_by_rules(const readiness_input& x);

} // namespace st
