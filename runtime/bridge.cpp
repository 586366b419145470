#include "runtime/bridge.hpp"

#include "protocols/errors.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>

namespace st {

namespace {

constexpr auto sweep_period = std::chrono::seconds(1);

caf::behavior bridge(bridge_self self, user_registry_actor users) {
  self->state.users = std::move(users);
  self->delayed_send(self, sweep_period, atom::internal_v, atom::tick_v);
  return {
    [=](bridge_job& job) {
      job.run(self);
    },
    [=](atom::internal, atom::tick) {
      auto& pending = self->state.pending;
      auto now = deadline::now_ns();
      while (!pending.empty() && pending.top().give_up_ns <= now) {
        auto call = pending.top().call;
        pending.pop();
        call->expire();
      }
      // Handles of actors that are gone would pile up otherwise.
      auto& handles = self->state.handles;
      for (auto i = handles.begin(); i != handles.end();)
        i = i->second.lock() ? std::next(i) : handles.erase(i);
      self->delayed_send(self, sweep_period, atom::internal_v, atom::tick_v);
    },
  };
}

thread_local size_t bridge_index = SIZE_MAX;

} // namespace

request_bridges::request_bridges(caf::actor_system& sys,
                                 user_registry_actor users, size_t count) {
  for (size_t i = 0; i < std::max<size_t>(count, 1); ++i)
    bridges_.push_back(sys.spawn(bridge, users));
}

void request_bridges::post(std::function<void(bridge_self)> job) {
  if (bridge_index == SIZE_MAX)
    bridge_index = next_++;
  caf::anon_send(bridges_[bridge_index % bridges_.size()],
                 bridge_job{std::move(job)});
}

void request_bridges::stop() {
  for (auto& x : bridges_)
    caf::anon_send_exit(x, caf::exit_reason::user_shutdown);
  bridges_.clear();
}

std::shared_ptr<bridge_call> track(bridge_self self, deadline until,
                                   std::function<void()> fail) {
  auto call = std::make_shared<bridge_call>(std::move(fail));
  auto give_up =
    until.unix_ns == 0
      ? INT64_MAX
      : until.unix_ns +
          std::chrono::duration_cast<std::chrono::nanoseconds>(bridge_grace)
            .count();
  self->state.pending.push({give_up, call});
  return call;
}

std::optional<user_actor> known_user(bridge_self self, int32_t user) {
  auto& handles = self->state.handles;
  auto i = handles.find(user);
  if (i == handles.end())
    return std::nullopt;
  if (auto strong = i->second.lock())
    return caf::actor_cast<user_actor>(strong);
  handles.erase(i);
  return std::nullopt;
}

} // namespace st
