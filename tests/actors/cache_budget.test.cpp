#include "actors/cache_budget.hpp"

#include "actors/login_guard.hpp"

#include <catch2/catch.hpp>

using namespace st;

TEST_CASE("page caches keep within their own and the shared byte budget") {
  auto shared = std::make_shared<cache_budget>(1000);
  page_cache<int> a;
  page_cache<int> b;
  a.bind(shared, 600);
  b.bind(shared, 600);
  a.put("x", 1, 300);
  a.put("y", 2, 300);
  CHECK(a.bytes() == 600);
  a.put("z", 3, 200); // past its own budget: the oldest goes
  CHECK(a.find("x") == nullptr);
  CHECK(*a.find("y") == 2);
  CHECK(*a.find("z") == 3);
  CHECK(shared->used() == 500);
  b.put("p", 4, 500);
  CHECK(shared->used() == 1000);
  b.put("q", 5, 100); // evicts its own oldest first, then still fits
  CHECK(b.find("p") == nullptr);
  CHECK(*b.find("q") == 5);
  a.put("huge", 6, 700); // more than one actor may hold: never kept
  CHECK(a.find("huge") == nullptr);
  a.put("w", 7, 500); // its own room, but the shared budget is spent
  CHECK(shared->used() <= 1000);
  a.put("y", 8, 100); // replacing releases the old entry's bytes
  CHECK(*a.find("y") == 8);
  {
    page_cache<int> gone;
    gone.bind(shared, 600);
    gone.put("k", 9, 100);
  }
  auto used = shared->used();
  a.clear();
  b.clear();
  CHECK(shared->used() == 0);
  CHECK(used > 0);
}

TEST_CASE("failed logins lock an account for the rest of the window, "
          "except for addresses that got in before") {
  using namespace std::chrono_literals;
  login_guard guard{3, std::chrono::seconds(900)};
  auto t0 = login_guard::clock::now();
  guard.succeeded("a@x", "10.0.0.1");
  for (int i = 0; i < 3; ++i) {
    CHECK(guard.wait("a@x", "10.9.9.9", t0) == 0);
    guard.failed("a@x", t0 + std::chrono::seconds(i));
  }
  CHECK(guard.wait("a@x", "10.9.9.9", t0 + 10s) == 890);
  CHECK(guard.wait("a@x", "10.0.0.1", t0 + 10s) == 0);
  CHECK(guard.wait("b@x", "10.9.9.9", t0 + 10s) == 0);
  CHECK(guard.wait("a@x", "10.9.9.9", t0 + 900s) == 0); // window over
  guard.failed("a@x", t0 + 901s); // a new window starts at one
  CHECK(guard.wait("a@x", "10.9.9.9", t0 + 902s) == 0);
}
