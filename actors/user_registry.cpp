#include "actors/user_registry.hpp"

#include "actors/user_db.hpp"
#include "actors/user_strava.hpp"

#include "util/log.hpp"

namespace st {

user_actor user_registry_state::actor_of(int32_t id) {
  auto i = actors.find(id);
  if (i != actors.end())
    return i->second;
  auto result = self->spawn<user_actor_impl, caf::monitored>(
    id, db, user_registry_actor{self}, cfg);
  actors.emplace(id, result);
  ++num_spawned;
  return result;
}

user_registry_actor::behavior_type
user_registry(user_registry_actor::stateful_pointer<user_registry_state> self,
              db_actor db, user_settings cfg) {
  self->state.self = self;
  self->state.db = std::move(db);
  // One copy for every user actor: an idle actor holds a pointer only.
  self->state.cfg = std::make_shared<const user_settings>(std::move(cfg));
  // Shutdown: user actors are monitored, not linked, so take them along.
  self->set_exit_handler([=](caf::exit_msg& em) {
    for (auto& [id, actor] : self->state.actors)
      self->send_exit(actor, em.reason);
    self->state.actors.clear();
    self->quit(em.reason);
  });
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& actors = self->state.actors;
    for (auto i = actors.begin(); i != actors.end(); ++i) {
      if (i->second.address() != dm.source)
        continue;
      if (dm.reason && dm.reason != caf::exit_reason::user_shutdown) {
        ++self->state.num_crashes;
        log_warn("users", "actor of user " + std::to_string(i->first) +
                            " failed: " + to_string(dm.reason));
      }
      actors.erase(i);
      return;
    }
  });
  // Idle detection without a timer per actor: every live actor is asked
  // twice per idle period whether it has been idle that long.
  auto sweep = self->state.cfg->idle_timeout / 2;
  self->delayed_send(self, sweep, atom::internal_v, atom::tick_v);
  return {
    [=](atom::internal, atom::tick) {
      for (auto& [id, actor] : self->state.actors)
        self->send(actor, atom::internal_v, atom::tick_v);
      self->delayed_send(self, sweep, atom::internal_v, atom::tick_v);
    },
    [=](atom::get, int32_t id) -> user_actor {
      return self->state.actor_of(id);
    },
    [=](atom::internal, atom::remind, int32_t id, std::string& kind) {
      return self->delegate(self->state.actor_of(id), atom::internal_v,
                            atom::remind_v, std::move(kind));
    },
    [=](deadline d, atom::webhook,
        strava_webhook_event& e) -> caf::result<bool> {
      // The insert also leaves each athlete a due reminder: should a wake
      // below be lost, the scheduler fires it.
      db_batch batch;
      batch.statements.push_back({stmt::strava_event_insert,
                                  {std::to_string(e.owner_id), e.object_type,
                                   std::to_string(e.object_id), e.aspect_type,
                                   e.updates, std::to_string(e.event_time)}});
      batch.until = d;
      auto rp = self->make_response_promise<bool>();
      self
        ->request(self->state.db, caf::infinite, atom::exec_v, std::move(batch))
        .then(
          [=](db_reply& r) mutable {
            for (auto& row : r.results[0].rows)
              if (auto id = user_db::integer(row[0]))
                self
                  ->request(self->state.actor_of(static_cast<int32_t>(*id)),
                            caf::infinite, atom::internal_v, atom::remind_v,
                            std::string{user_strava_part::events_reminder})
                  .then([](bool) {}, [](caf::error&) {});
            rp.deliver(true);
          },
          [=](caf::error& err) mutable {
            rp.deliver(std::move(err));
          });
      return rp;
    },
    [=](atom::internal, atom::passivate, int32_t id) {
      auto& actors = self->state.actors;
      auto i = actors.find(id);
      if (i == actors.end() ||
          i->second.address() !=
            caf::actor_cast<caf::actor_addr>(self->current_sender()))
        return;
      auto idle = i->second;
      actors.erase(i);
      ++self->state.num_passivated;
      self->demonitor(idle.address());
      // Everything routed to it so far is ahead of this in its mailbox.
      self->send(idle, atom::internal_v, atom::passivate_v);
    },
    [=](atom::status) {
      auto& st = self->state;
      user_registry_stats result;
      result.num_resident = st.actors.size();
      result.num_spawned = st.num_spawned;
      result.num_passivated = st.num_passivated;
      result.num_restarted = st.num_crashes;
      result.mailbox_depth = mailbox_depth(self);
      auto census = st.cfg->mailboxes->read();
      result.user_mailbox_max = census.max;
      result.user_mailbox_p95 = census.p95;
      return result;
    },
  };
}

} // namespace st
