#pragma once

#include "protocols/messages.hpp"

#include <optional>
#include <string>
#include <vector>

/// The rules of the daily decision (docs/decisions.md): readiness from
/// sleep, HRV as HRV-guided training reads it (ln RMSSD, a 7-day rolling
/// mean against the athlete's own baseline and its smallest worthwhile
/// change), resting HR against its baseline, and load (TSB). They judge
/// every decision: alone when the model cannot answer or there is nothing
/// to ask about, and as a veto over the model's word otherwise.
namespace st {

/// What the rules look at for day `today` (days since 1970-01-01).
struct readiness_input {
  int64_t today = 0;
  /// Wellness rows up to and including today (any order, any span; the
  /// rules use the 60 days before today).
  std::vector<wellness_day> history;
  /// Today's sleep when it came from a screenshot rather than the row.
  opt_double photo_sleep_hours;
  /// CTL/ATL/TSB of completed training.
  fitness load;
};

/// Plain means shown to the model as the athlete's baselines.
struct readiness_reading {
  opt_double hrv_7d;       ///< mean of the 7 days before today (≥ 3 values)
  opt_double hrv_60d;      ///< mean of the 60 days before today (≥ 14 values)
  opt_double rhr_baseline; ///< 60-day mean (≥ 7 values), else 7-day (≥ 3)
};

[[nodiscard]] readiness_reading read_readiness(const readiness_input& x);

/// What the rules made of a day: each signal read, the word they allow at
/// most (Go, Modify or Skip) and their reason naming every flag.
struct readiness_assessment {
  std::vector<readiness_signal> signals;
  std::string decision;
  std::string reason;
  /// The reason without its "Rule-based decision: " head.
  std::string findings;
  /// Sleep, an HRV with its baseline, or load: something the model could
  /// judge. Without it the model is not asked and the word is never Go.
  bool judgeable = false;
};

/// Reads every signal of `x` and the word the rules give.
[[nodiscard]] readiness_assessment assess_readiness(const readiness_input& x);

/// How cautious a decision word is: Go 0, Modify 1, Skip 2 (an unknown
/// word counts as Skip).
[[nodiscard]] int caution_of(const std::string& decision);

/// The rules' decision alone (the model was not asked or could not
/// answer): source "rules".
[[nodiscard]] daily_decision rules_decision(const readiness_assessment& rules);

/// The rules' advice alone for someone who is not an athlete: Advice
/// with their findings as the reason, source "rules".
[[nodiscard]] daily_decision rules_advice(const readiness_assessment& rules);

/// The model's decision judged by the rules: the more cautious word of
/// the two. When the rules are more cautious their word and reason replace
/// the model's (its plan, suggestions and tomorrow's session go with it;
/// its evening tips stay) and the source is
/// "ai+rules"; when both flag the same word the model's text stands, also
/// "ai+rules"; otherwise the model's decision stands as "ai". The model's
/// own word is kept in `model_decision`, the signals in `readiness`.
[[nodiscard]] daily_decision overseen(daily_decision model,
                                      const readiness_assessment& rules);

/// The model's Advice with the signals the rules read: no verdict for the
/// rules to judge (the advice was given their findings), never a plan;
/// source "ai".
[[nodiscard]] daily_decision advised(daily_decision model,
                                     const readiness_assessment& rules);

} // namespace st
