#pragma once

#include <chrono>
#include <cstdint>

namespace st {

/// A clock that may run faster than the system's (tests and benchmarks:
/// an hour of an upstream's windows, or of the athletes' day, in seconds).
/// At scale 1 it is the system clock.
struct scaled_clock {
  double scale = 1;
  int64_t origin_ms = 0; ///< where both clocks agree (ms since the epoch)

  /// This clock's time now, ms since the epoch.
  [[nodiscard]] int64_t now() const;

  /// How long on the system clock until this clock shows `t`.
  [[nodiscard]] std::chrono::milliseconds until(int64_t t) const;
};

} // namespace st
