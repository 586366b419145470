#pragma once

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/typed_response_promise.hpp>

#include <optional>
#include <utility>
#include <vector>

namespace st {

/// One run of some work at a time, however many ask for it: the first
/// caller starts it, later ones join, and every waiter gets the outcome,
/// success or error. Lives in an actor's state; not thread-safe.
template<class T>
class single_flight {
public:
  using promise = caf::typed_response_promise<T>;

  [[nodiscard]] bool running() const {
    return running_;
  }

  /// Adds `waiter` (if any) to the run in flight; when none is, starts one
  /// with `start()`, which must lead to exactly one `finish`.
  template<class Start>
  void join(std::optional<promise> waiter, Start start) {
    if (waiter)
      waiting_.push_back(std::move(*waiter));
    if (running_)
      return;
    running_ = true;
    start();
  }

  /// Ends the run: answers every waiter with `outcome`.
  void finish(const caf::expected<T>& outcome) {
    auto waiting = std::move(waiting_);
    waiting_.clear();
    running_ = false;
    for (auto& rp : waiting) {
      if (outcome)
        rp.deliver(*outcome);
      else
        rp.deliver(outcome.error());
    }
  }

private:
  bool running_ = false;
  std::vector<promise> waiting_;
};

} // namespace st
