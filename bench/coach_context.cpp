// What gathering a decision's context costs against one query, through a
// real user actor and DB pool on PostgreSQL (no Gemini: the rules decide):
//   bench_coach_context DSN USER_ID ITERATIONS
// prints µs per request for a one-statement read (chat history) and for a
// whole rule-made decision (the gathering batch, the rules, the store).
#include "actors/db_pool.hpp"
#include "actors/user_registry.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

/// Median and mean of `n` runs of `once()`, in µs.
template<class F>
void measure(const char* what, int n, F once) {
  std::vector<double> us;
  for (int i = 0; i < n; ++i) {
    auto t = clock_type::now();
    once();
    us.push_back(
      std::chrono::duration<double, std::micro>(clock_type::now() - t).count());
  }
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (auto x : us)
    sum += x;
  std::printf("%-44s median %8.1f µs   mean %8.1f µs   (n=%d)\n", what,
              us[us.size() / 2], sum / n, n);
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s DSN USER_ID ITERATIONS\n", argv[0]);
    return 2;
  }
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  st::db_pool_settings pool;
  pool.connection.conninfo = argv[1];
  pool.size = 2;
  auto db = sys.spawn(st::db_pool, pool);
  auto registry = sys.spawn(st::user_registry, db, st::user_settings{});
  caf::scoped_actor self{sys};
  auto id = std::stoi(argv[2]);
  auto n = std::stoi(argv[3]);
  st::user_actor user;
  self->request(registry, std::chrono::seconds(10), st::atom::get_v, id)
    .receive(
      [&](st::user_actor& x) {
        user = x;
      },
      [](caf::error&) {
        std::exit(1);
      });
  auto until = [] {
    return st::deadline::in(std::chrono::seconds(10));
  };
  auto history = [](int64_t limit) {
    st::chat_history_query q;
    q.limit = limit;
    return q;
  };
  // The first requests load the account (and answer 503 until it is in).
  for (int i = 0; i < 50; ++i) {
    bool ok = false;
    self
      ->request(user, std::chrono::seconds(10), until(), st::atom::get_v,
                history(1))
      .receive(
        [&](std::vector<st::chat_line>&) {
          ok = true;
        },
        [](caf::error&) {});
    if (ok)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  measure("one query (chat history, 1 statement)", n, [&] {
    self
      ->request(user, std::chrono::seconds(10), until(), st::atom::get_v,
                history(20))
      .receive([](std::vector<st::chat_line>&) {}, [](caf::error&) {});
  });
  measure("decision by the rules (gather + store)", n, [&] {
    self
      ->request(user, std::chrono::seconds(10), until(), st::atom::decide_v,
                st::decision_request{})
      .receive([](st::daily_decision&) {},
               [](caf::error& e) {
                 std::fprintf(stderr, "%s\n", caf::to_string(e).c_str());
               });
  });
  self->send_exit(registry, caf::exit_reason::user_shutdown);
  self->send_exit(db, caf::exit_reason::user_shutdown);
}
