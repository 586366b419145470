#pragma once

#include "protocols/strava.hpp"

#include <cstdint>
#include <optional>
#include <utility>

namespace st {

/// Strava's application-wide request budget as Strava counts it: fixed
/// 15-minute windows starting at :00/:15/:30/:45 and a day that resets at
/// 00:00 UTC, for the overall and the read limits (every call of ours is
/// a read, so both count it). Limits and usage come from the headers of
/// every answer (which include other processes' requests); until one
/// arrives, Strava's published defaults. A safety margin of each window
/// is never spent. Times are Strava's clock in ms since the epoch.
class strava_budget {
public:
  /// @param margin the share of each limit kept back (at least one).
  explicit strava_budget(double margin);

  /// Requests that may still start in the window of `now`.
  [[nodiscard]] int64_t available(int64_t now);

  /// Counts `n` requests started at `now`.
  void spend(int64_t now, int64_t n = 1);

  /// The headers of an answer to a request started at `sent`: usage only
  /// grows within a window (an answer may overtake a later one).
  void observe(int64_t sent, const rate_reading& x);

  /// Strava refused a request started at `sent` (429): nothing more in its
  /// window, or in its day when the daily usage is at its limit.
  void refused(int64_t sent, const rate_reading& x);

  /// When the budget next grows: the next quarter hour, or the next UTC
  /// midnight when the day is spent.
  [[nodiscard]] int64_t next_opening(int64_t now);

  /// Whether any answer's headers were seen (before that, the usage of
  /// other processes is unknown).
  [[nodiscard]] bool confirmed() const {
    return confirmed_;
  }

  /// Requests counted in the window and the day of `now`, and their limits
  /// (the lower of overall and read).
  [[nodiscard]] rate_pair used(int64_t now);
  [[nodiscard]] rate_pair limits() const;

  static constexpr int64_t window_ms = 15 * 60 * 1000;
  static constexpr int64_t day_ms = 24 * 60 * 60 * 1000;

private:
  struct tier {
    rate_pair limit;
    rate_pair used{0, 0};
  };

  void roll(int64_t now);

  double margin_;
  tier overall_;
  tier read_;
  int64_t window_ = 0; ///< index of the current 15-minute window
  int64_t day_ = 0;    ///< index of the current UTC day
  bool confirmed_ = false;
};

} // namespace st
