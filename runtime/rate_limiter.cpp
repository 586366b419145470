#include "runtime/rate_limiter.hpp"

#include <functional>

namespace st {

std::optional<int>
rate_limiter::admit(const std::string& key,
                    std::chrono::system_clock::time_point now) {
  auto secs =
    std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch())
      .count();
  auto window = secs / 60;
  auto& s = shards_[std::hash<std::string>{}(key) % shards_.size()];
  std::lock_guard<std::mutex> guard{s.mtx};
  if (s.window != window) {
    s.window = window;
    s.counts.clear();
  }
  auto& n = s.counts[key];
  if (n >= per_minute_)
    return static_cast<int>(60 - secs % 60);
  ++n;
  return std::nullopt;
}

} // namespace st
