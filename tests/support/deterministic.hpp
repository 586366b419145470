#pragma once

#include "protocols/actors.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

/// CAF 0.17's deterministic scheduler for actor tests: actors run only
/// inside run(), timers fire only on fire_timers(), and the parts an actor
/// talks to are fakes speaking the same typed interfaces.
namespace st::test {

/// What a fake DB actor answers (`answer`) and what it was sent.
struct fake_db_script {
  std::function<caf::expected<db_reply>(const db_batch&)> answer;
  std::vector<db_batch> batches;
};

/// What a fake upstream was asked; it holds every call until the test
/// answers it (`answer_next`).
struct fake_upstream_log {
  std::vector<upstream_request> asked;
  std::vector<caf::typed_response_promise<upstream_response>> held;
};

/// Who a fake registry woke for which reminder kind. With `hold`, the
/// wakes are answered only when the test releases them.
struct fake_registry_log {
  bool hold = false;
  std::vector<std::pair<int, std::string>> woken;
  std::vector<caf::typed_response_promise<bool>> held;
};

/// What a fake athlete's actor answers its Strava jobs, in order (an
/// empty queue answers 500), and what they asked of it.
struct fake_strava_user_log {
  std::vector<caf::expected<upstream_response>> pages;
  std::vector<std::string> fetched;
  caf::expected<bool> grant = true;
  int grant_checks = 0;
};

class deterministic_system {
public:
  deterministic_system() {
    cfg_.set("scheduler.policy", caf::atom("testing"));
    sys_ = std::make_unique<caf::actor_system>(cfg_);
  }

  ~deterministic_system() {
    // Actors holding their own promises stay reachable: ended by hand.
    for (auto& x : fakes_)
      caf::anon_send_exit(x, caf::exit_reason::user_shutdown);
    run();
  }

  caf::actor_system& system() {
    return *sys_;
  }

  caf::scheduler::test_coordinator& sched() {
    return dynamic_cast<caf::scheduler::test_coordinator&>(sys_->scheduler());
  }

  template<class... Ts>
  auto spawn(Ts&&... xs) {
    return sys_->spawn(std::forward<Ts>(xs)...);
  }

  /// An actor of class `T` (e.g. user_actor_impl).
  template<class T, class... Ts>
  auto spawn_class(Ts&&... xs) {
    return sys_->spawn<T>(std::forward<Ts>(xs)...);
  }

  /// Runs every actor until no message is left.
  void run() {
    sched().run();
  }

  /// Fires every armed timer (the clock jumps), then runs.
  void fire_timers() {
    sched().trigger_timeouts();
    run();
  }

  db_actor fake_db(std::shared_ptr<fake_db_script> script) {
    auto result = sys_->spawn(fake_db_behavior, std::move(script));
    fakes_.push_back(caf::actor_cast<caf::actor>(result));
    return result;
  }

  user_registry_actor fake_registry(std::shared_ptr<fake_registry_log> log) {
    auto result = sys_->spawn(fake_registry_behavior, std::move(log));
    fakes_.push_back(caf::actor_cast<caf::actor>(result));
    return result;
  }

  // CAF 0.17 dereferences a null argument tuple when a lambda without
  // arguments is spawned (UBSan sees it): the fakes are functions taking
  // their log as an argument.
  static db_actor::behavior_type
  fake_db_behavior(db_actor::pointer, std::shared_ptr<fake_db_script> script) {
    return {
      [](atom::status) {
        return db_stats{};
      },
      [script](atom::exec, db_batch& b) -> caf::result<db_reply> {
        script->batches.push_back(b);
        auto r = script->answer(b);
        if (!r)
          return r.error();
        return std::move(*r);
      },
    };
  }

  static user_registry_actor::behavior_type
  fake_registry_behavior(user_registry_actor::pointer self,
                         std::shared_ptr<fake_registry_log> log) {
    return {
      [](atom::get, int32_t) {
        return user_actor{};
      },
      [](atom::internal, atom::passivate, int32_t) {},
      [self, log](atom::internal, atom::remind, int32_t user,
                  std::string& kind) -> caf::result<bool> {
        log->woken.emplace_back(user, kind);
        if (!log->hold)
          return true;
        log->held.push_back(self->make_response_promise<bool>());
        return log->held.back();
      },
      [](deadline, atom::webhook, strava_webhook_event&) {
        return true;
      },
      // The test's release: every held wake is answered "taken".
      [log](atom::internal, atom::tick) {
        auto held = std::move(log->held);
        log->held.clear();
        for (auto& x : held)
          x.deliver(true);
      },
      [](atom::status) {
        return user_registry_stats{};
      },
    };
  }

  upstream_actor fake_upstream(std::shared_ptr<fake_upstream_log> log) {
    auto result = sys_->spawn(fake_upstream_behavior, std::move(log));
    fakes_.push_back(caf::actor_cast<caf::actor>(result));
    return result;
  }

  static upstream_actor::behavior_type
  fake_upstream_behavior(upstream_actor::pointer self,
                         std::shared_ptr<fake_upstream_log> log) {
    return {
      [self, log](atom::fetch,
                  upstream_request& x) -> caf::result<upstream_response> {
        log->asked.push_back(x);
        log->held.push_back(self->make_response_promise<upstream_response>());
        return log->held.back();
      },
      [](atom::status) {
        return upstream_stats{};
      },
      [](atom::internal, atom::done, upstream_outcome&) {},
      [](atom::internal, atom::retry, uint64_t) {},
      // The test's answer: the oldest held call gets `status, body`
      // (sent as `(internal, tick, "<status> <body>")`).
      [log](atom::internal, atom::tick, std::string& answer) {
        if (log->held.empty())
          return;
        auto space = answer.find(' ');
        upstream_response r;
        r.status = std::stoi(answer.substr(0, space));
        r.body = answer.substr(space + 1);
        auto promise = log->held.front();
        log->held.erase(log->held.begin());
        promise.deliver(std::move(r));
      },
    };
  }

  /// A stand-in for the athlete's actor with only the two messages its
  /// Strava jobs send (a dynamically typed actor behind the handle).
  user_actor fake_strava_user(std::shared_ptr<fake_strava_user_log> log) {
    auto result = sys_->spawn(fake_strava_user_behavior, std::move(log));
    fakes_.push_back(result);
    return caf::actor_cast<user_actor>(result);
  }

  static caf::behavior
  fake_strava_user_behavior(caf::event_based_actor*,
                            std::shared_ptr<fake_strava_user_log> log) {
    return {
      [log](deadline, atom::fetch, atom::strava,
            std::string& url) -> caf::result<upstream_response> {
        log->fetched.push_back(url);
        if (log->pages.empty()) {
          upstream_response failed;
          failed.status = 500;
          return failed;
        }
        auto x = std::move(log->pages.front());
        log->pages.erase(log->pages.begin());
        if (!x)
          return std::move(x.error());
        return std::move(*x);
      },
      [log](deadline, atom::refresh, atom::strava,
            atom::link) -> caf::result<bool> {
        ++log->grant_checks;
        if (!log->grant)
          return log->grant.error();
        return *log->grant;
      },
    };
  }

  /// Answers the oldest call a fake upstream holds, then runs.
  void answer_next(const upstream_actor& upstream, int status,
                   const std::string& body) {
    caf::anon_send(upstream, atom::internal_v, atom::tick_v,
                   std::to_string(status) + " " + body);
    run();
  }

  /// Answers the wakes a holding fake registry keeps, then runs.
  void release(const user_registry_actor& registry) {
    caf::anon_send(registry, atom::internal_v, atom::tick_v);
    run();
  }

  /// Sends `xs...` to `dest`, runs, and answers its reply.
  template<class Result, class Handle, class... Ts>
  Result ask(const Handle& dest, Ts... xs) {
    caf::scoped_actor self{*sys_};
    self->send(dest, std::move(xs)...);
    run();
    Result result;
    bool answered = false;
    self->receive(
      [&](Result& x) {
        result = std::move(x);
        answered = true;
      },
      caf::after(std::chrono::seconds(0)) >> [] {});
    REQUIRE(answered);
    return result;
  }

  template<class Handle>
  void stop(const Handle& x) {
    caf::anon_send_exit(x, caf::exit_reason::user_shutdown);
    run();
  }

private:
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::vector<caf::actor> fakes_;
};

} // namespace st::test
