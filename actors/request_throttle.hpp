#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace st {

/// At most `most` requests per key within a window that starts with the
/// key's first request. Lives in the actor that counts (one per process:
/// each process counts its own). Memory is bounded by the keys of the
/// current windows: finished ones are swept once the table has grown.
class request_throttle {
public:
  using clock = std::chrono::steady_clock;

  request_throttle(uint32_t most, std::chrono::seconds window)
    : most_(most), window_(window) {}

  /// Counts a request of `key` at `now`: 0 when it may go on, else the
  /// seconds until its window ends (it is not counted then).
  [[nodiscard]] int64_t admit(const std::string& key, clock::time_point now);

private:
  struct window_count {
    clock::time_point ends;
    uint32_t count = 0;
  };

  uint32_t most_;
  std::chrono::seconds window_;
  std::unordered_map<std::string, window_count> windows_;
  size_t sweep_at_ = 1024;
};

} // namespace st
