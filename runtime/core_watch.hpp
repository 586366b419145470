#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace st {

/// Whether every core actor (database pool, auth, password hasher,
/// upstream client, user registry) is alive: read by `/ready`, set by the
/// watcher.
class core_health {
public:
  [[nodiscard]] bool up() const {
    return up_;
  }

  /// The core actor that stopped first (empty while all are up).
  [[nodiscard]] std::string down() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return down_;
  }

  /// Records that `name` stopped; answers whether it was the first.
  bool mark_down(const std::string& name) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!up_)
      return false;
    up_ = false;
    down_ = name;
    return true;
  }

private:
  std::atomic<bool> up_{true};
  mutable std::mutex mtx_;
  std::string down_;
};

/// A core actor and the name it is logged under.
using named_actor = std::pair<std::string, caf::actor>;

/// Monitors the core actors. The first one to stop is logged with its
/// exit reason, marks `health` down (so `/ready` answers 503 from then on)
/// and runs `on_down` once, which ends the process in order: a core actor
/// holds state (pool, queues, caches) that nothing else can rebuild while
/// the others keep its handle. Stop the watcher first at shutdown.
[[nodiscard]] caf::actor watch_core(caf::actor_system& sys,
                                    std::vector<named_actor> actors,
                                    std::shared_ptr<core_health> health,
                                    std::function<void()> on_down);

} // namespace st
