#pragma once

#include "protocols/actors.hpp"

#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

namespace st {

struct bridge_state;

/// Work an HTTP thread hands to its bridge actor: runs inside the actor,
/// where it sends requests and receives their replies.
struct bridge_job {
  std::function<void(caf::stateful_actor<bridge_state>*)> run;
};

} // namespace st

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::bridge_job)

namespace st {

/// Asio → CAF without a spawn per request: one long-lived actor per HTTP
/// thread (request_bridges) sends each request with no timeout timer
/// (deadlines travel as data) and hands the reply to the continuation,
/// which posts it back to the connection. A request whose answer never
/// comes (a lost promise) is answered by a sweep once a second, a grace
/// period after its deadline. Takes `bridge_job` and `(internal, tick)`.

/// A request in flight: answered by its reply or, failing that, the sweep.
class bridge_call {
public:
  explicit bridge_call(std::function<void()> fail) : fail_(std::move(fail)) {}

  /// The first of reply and sweep wins; false for the second. Settling
  /// lets go of the continuation (and the connection it holds).
  [[nodiscard]] bool settle() {
    if (!fail_)
      return false;
    fail_ = nullptr;
    return true;
  }

  /// The sweep: answers "timed out" unless the reply came first.
  void expire() {
    if (auto fail = std::move(fail_)) {
      fail_ = nullptr;
      fail();
    }
  }

private:
  std::function<void()> fail_;
};

/// A request in flight as the sweep sees it.
struct bridge_pending {
  int64_t give_up_ns = 0; ///< deadline plus grace (system clock)
  std::shared_ptr<bridge_call> call;

  bool operator>(const bridge_pending& other) const {
    return give_up_ns > other.give_up_ns;
  }
};

struct bridge_state {
  user_registry_actor users;
  /// User actors met so far, weakly: a passivated actor is gone from here
  /// as soon as nobody holds it (then the registry is asked again).
  std::unordered_map<int32_t, caf::weak_actor_ptr> handles;
  std::priority_queue<bridge_pending, std::vector<bridge_pending>,
                      std::greater<>>
    pending;

  static inline const char* name = "bridge";
};

using bridge_self = caf::stateful_actor<bridge_state>*;

/// The bridges, one per HTTP thread (threads pick theirs on first use).
class request_bridges {
public:
  request_bridges(caf::actor_system& sys, user_registry_actor users,
                  size_t count);

  /// Runs `job` in the calling thread's bridge.
  void post(std::function<void(bridge_self)> job);

  /// Stops them.
  void stop();

private:
  std::vector<caf::actor> bridges_;
  std::atomic<size_t> next_{0};
};

/// How long past its deadline a request waits for a reply that never
/// comes before the sweep answers it.
constexpr auto bridge_grace = std::chrono::seconds(10);

/// Tracks a request with deadline `until` for the sweep.
std::shared_ptr<bridge_call> track(bridge_self self, deadline until,
                                   std::function<void()> fail);

/// The user's actor from the bridge's handles, if still alive.
[[nodiscard]] std::optional<user_actor> known_user(bridge_self self,
                                                   int32_t user);

} // namespace st
