// Memory of idle user actors: spawns N through the registry (as first
// requests do) and prints the RSS growth per actor.
//   bench_user_actors 10000 100000
#include "actors/db_pool.hpp"
#include "actors/user_registry.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

long rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string key;
  long value = 0;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  st::db_pool_settings pool;
  pool.connection.conninfo = "postgresql://unused@127.0.0.1:1/none";
  pool.size = 1;
  auto db = sys.spawn(st::db_pool, pool);
  auto registry = sys.spawn(st::user_registry, db, st::user_settings{});
  caf::scoped_actor self{sys};
  int32_t next_id = 1;
  std::printf("user actors   RSS growth   bytes/actor   spawn µs/actor\n");
  for (int i = 1; i < argc; ++i) {
    auto target = std::stoi(argv[i]);
    auto before = rss_kib();
    auto start = std::chrono::steady_clock::now();
    auto first = next_id;
    for (; next_id < first + target; ++next_id)
      self
        ->request(registry, std::chrono::seconds(10), st::atom::get_v, next_id)
        .receive([](const st::user_actor&) {}, [](caf::error&) {});
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
    auto grown = rss_kib() - before;
    std::printf("%11d   %7ld KiB   %11.0f   %14.2f\n", target, grown,
                grown * 1024.0 / target, static_cast<double>(micros) / target);
  }
  self->send_exit(registry, caf::exit_reason::user_shutdown);
  self->send_exit(db, caf::exit_reason::user_shutdown);
}
