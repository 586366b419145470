#include "runtime/rate_limiter.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono;

TEST_CASE("fixed one-minute windows per key") {
  st::rate_limiter limiter{3};
  system_clock::time_point t{seconds{600 * 60 + 15}};
  for (int i = 0; i < 3; ++i)
    CHECK_FALSE(limiter.admit("ip:1", t));
  CHECK(limiter.admit("ip:1", t) == 45);
  CHECK_FALSE(limiter.admit("ip:2", t));
  CHECK_FALSE(limiter.admit("u:1", t));
  CHECK(limiter.admit("ip:1", t + seconds{44}) == 1);
  CHECK_FALSE(limiter.admit("ip:1", t + seconds{45}));
}
