#include "actors/request_throttle.hpp"

namespace st {

int64_t request_throttle::admit(const std::string& key, clock::time_point now) {
  if (windows_.size() >= sweep_at_) {
    for (auto i = windows_.begin(); i != windows_.end();)
      i = i->second.ends <= now ? windows_.erase(i) : std::next(i);
    sweep_at_ = std::max<size_t>(1024, windows_.size() * 2);
  }
  auto& w = windows_[key];
  if (w.ends <= now)
    w = window_count{now + window_, 0};
  if (w.count >= most_) {
    auto left = std::chrono::ceil<std::chrono::seconds>(w.ends - now);
    return std::max<int64_t>(1, left.count());
  }
  ++w.count;
  return 0;
}

} // namespace st
