#include "domain/scaled_clock.hpp"

#include <algorithm>
#include <cmath>

namespace st {

int64_t scaled_clock::now() const {
  auto real = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  if (scale == 1)
    return real;
  return origin_ms + static_cast<int64_t>((real - origin_ms) * scale);
}

std::chrono::milliseconds scaled_clock::until(int64_t t) const {
  auto ahead = std::max<int64_t>(0, t - now());
  return std::chrono::milliseconds{
    static_cast<int64_t>(std::ceil(static_cast<double>(ahead) / scale))};
}

} // namespace st
