#include "actors/user_registry.hpp"

#include "actors/user_db.hpp"
#include "util/log.hpp"

namespace st {

user_actor user_registry_state::actor_of(int32_t id) {
  auto i = actors.find(id);
  if (i != actors.end())
    return i->second;
  auto result =
    self->spawn<caf::monitored>(user, id, db, user_registry_actor{self}, cfg);
  actors.emplace(id, result);
  return result;
}

user_registry_actor::behavior_type
user_registry(user_registry_actor::stateful_pointer<user_registry_state> self,
              db_actor db, user_settings cfg) {
  self->state.self = self;
  self->state.db = std::move(db);
  self->state.cfg = cfg;
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
      auto id = i->first;
      actors.erase(i);
      if (dm.reason && self->state.pinned.count(id) > 0)
        self->send(self->state.actor_of(id), atom::internal_v, atom::wake_v);
      return;
    }
  });
  if (cfg.intervals && cfg.intervals->refresh_period.count() > 0) {
    // Every linked user gets an actor with its refresh timer.
    self
      ->request(self->state.db, user_db::timeout, atom::exec_v,
                user_db::batch_of(
                  {user_db::statement_of(stmt::intervals_linked_users, {})}))
      .then(
        [=](db_reply& r) {
          for (auto& row : r.results[0].rows) {
            auto id = static_cast<int32_t>(*user_db::integer(row[0]));
            self->state.pinned.insert(id);
            self->send(self->state.actor_of(id), atom::internal_v,
                       atom::wake_v);
          }
          log_info("users", "background refresh armed for " +
                              std::to_string(r.results[0].rows.size()) +
                              " linked users");
        },
        [=](caf::error& err) {
          log_warn("users", "cannot list linked users; a user's background "
                            "refresh starts once their actor loads the link: " +
                              to_string(err));
        });
  }
  return {
    [=](atom::get, int32_t id) -> user_actor {
      return self->state.actor_of(id);
    },
    [=](atom::internal, atom::pin, int32_t id, bool keep) {
      if (keep)
        self->state.pinned.insert(id);
      else
        self->state.pinned.erase(id);
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
      self->demonitor(idle.address());
      // Everything routed to it so far is ahead of this in its mailbox.
      self->send(idle, atom::internal_v, atom::passivate_v);
    },
    [=](atom::status) -> uint64_t {
      return self->state.actors.size();
    },
  };
}

} // namespace st
