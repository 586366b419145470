#include "actors/request_throttle.hpp"

#include <catch2/catch.hpp>

using namespace st;
using namespace std::chrono;

TEST_CASE("request_throttle: at most n per key in a window from the key's "
          "first request, the wait told, keys apart") {
  request_throttle t{2, seconds{300}};
  auto start = request_throttle::clock::time_point{} + hours{1};
  CHECK(t.admit("a", start) == 0);
  CHECK(t.admit("a", start + seconds{10}) == 0);
  CHECK(t.admit("a", start + seconds{20}) == 280);
  CHECK(t.admit("b", start + seconds{20}) == 0);
  // A refused request is not counted: the window still ends at 300 s.
  CHECK(t.admit("a", start + seconds{299}) == 1);
  CHECK(t.admit("a", start + seconds{300}) == 0);
  // Thousands of keys: finished windows are swept, live ones kept.
  for (int i = 0; i < 5000; ++i)
    CHECK(t.admit("k" + std::to_string(i), start + seconds{301}) == 0);
  CHECK(t.admit("a", start + seconds{400}) == 0);
  CHECK(t.admit("a", start + seconds{401}) == 199);
}
