#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace st {

/// Fixed one-minute windows per client key ("u:<id>" for an authenticated
/// user, "ip:<address>" otherwise). Called from the HTTP threads; sharded
/// locks keep them from contending. Memory is bounded by the clients seen
/// in the current minute: a shard forgets everything when its window rolls.
class rate_limiter {
public:
  explicit rate_limiter(uint32_t per_minute) : per_minute_(per_minute) {}

  /// Counts one request of `key` at `now`; returns the seconds until the
  /// window resets when the request is over the limit.
  [[nodiscard]] std::optional<int>
  admit(const std::string& key, std::chrono::system_clock::time_point now);

  [[nodiscard]] uint32_t per_minute() const {
    return per_minute_;
  }

private:
  struct shard {
    std::mutex mtx;
    int64_t window = -1;
    std::unordered_map<std::string, uint32_t> counts;
  };

  uint32_t per_minute_;
  std::array<shard, 16> shards_;
};

} // namespace st
