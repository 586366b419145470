#include "runtime/core_watch.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>

#include "util/log.hpp"

namespace st {

caf::actor watch_core(caf::actor_system& sys, std::vector<named_actor> actors,
                      std::shared_ptr<core_health> health,
                      std::function<void()> on_down) {
  return sys.spawn(
    [](caf::event_based_actor* self, std::vector<named_actor> watched,
       std::shared_ptr<core_health> state,
       std::function<void()> stop) -> caf::behavior {
      for (auto& [name, actor] : watched)
        self->monitor(actor);
      self->set_down_handler([=](caf::down_msg& msg) {
        std::string name = "a core actor";
        for (auto& [n, actor] : watched)
          if (actor.address() == msg.source)
            name = n;
        log_error("service", name + " stopped (" + caf::to_string(msg.reason) +
                               "); shutting down");
        if (state->mark_down(name))
          stop();
      });
      return {[](caf::unit_t) {}};
    },
    std::move(actors), std::move(health), std::move(on_down));
}

} // namespace st
