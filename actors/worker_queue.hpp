#pragma once

#include <caf/error.hpp>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <vector>

namespace st {

/// The bookkeeping of a pool actor: a fixed set of workers, each doing one
/// job at a time, and a bounded FIFO of jobs waiting for one. CAF 0.17
/// mailboxes are unbounded, so this queue is where overload is refused.
/// Not an actor: the owning pool actor calls it from its handlers.
template<class Worker>
class worker_queue {
public:
  /// A unit of work: `run` starts it on a worker (and must lead to
  /// `release(worker)` once done); `fail` answers it without running.
  struct job {
    std::function<void(const Worker&)> run;
    std::function<void(caf::error)> fail;
  };

  worker_queue(std::vector<Worker> workers, size_t limit)
    : idle_(std::move(workers)), limit_(limit) {
    size_ = idle_.size();
  }

  /// Runs `x` now on an idle worker, or queues it; false when the queue is
  /// full (the caller refuses the work).
  [[nodiscard]] bool submit(job x) {
    if (!idle_.empty()) {
      start(std::move(x));
      return true;
    }
    if (waiting_.size() >= limit_)
      return false;
    waiting_.push_back(std::move(x));
    return true;
  }

  /// Marks `w` idle again and starts the next waiting job on it.
  void release(const Worker& w) {
    idle_.push_back(w);
    if (!waiting_.empty()) {
      auto next = std::move(waiting_.front());
      waiting_.pop_front();
      start(std::move(next));
    }
  }

  /// Answers every waiting job with `err` (e.g. the backend went away).
  void fail_waiting(const caf::error& err) {
    auto jobs = std::move(waiting_);
    waiting_.clear();
    for (auto& x : jobs)
      x.fail(err);
  }

  [[nodiscard]] size_t num_waiting() const {
    return waiting_.size();
  }

  [[nodiscard]] size_t num_busy() const {
    return size_ - idle_.size();
  }

  [[nodiscard]] size_t max_busy() const {
    return max_busy_;
  }

private:
  void start(job x) {
    auto w = idle_.back();
    idle_.pop_back();
    max_busy_ = std::max(max_busy_, num_busy());
    x.run(w);
  }

  std::vector<Worker> idle_;
  std::deque<job> waiting_;
  size_t limit_;
  size_t size_ = 0;
  size_t max_busy_ = 0;
};

} // namespace st
