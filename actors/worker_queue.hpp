#pragma once

#include "protocols/errors.hpp"
#include "protocols/messages.hpp"

#include <caf/error.hpp>
#include <caf/typed_response_promise.hpp>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <vector>

namespace st {

/// The bookkeeping of a pool actor: a fixed set of workers, each doing one
/// job at a time, and two bounded FIFOs of jobs waiting for one: an
/// interactive lane, always served first, and a bulk lane (syncs) that
/// may wait longer but never delays a request someone is waiting on.
/// CAF 0.17 mailboxes are unbounded, so these queues are where overload is
/// refused. Not an actor: the owning pool actor calls it from its handlers.
template<class Worker>
class worker_queue {
public:
  /// A unit of work: `run` starts it on a worker (and must lead to
  /// `release(worker)` once done); `fail` answers it without running.
  struct job {
    std::function<void(const Worker&)> run;
    std::function<void(caf::error)> fail;
    /// Past it, a waiting job is failed instead of started (0 = never).
    int64_t until_ns = 0;
  };

  worker_queue(std::vector<Worker> workers, size_t limit, size_t bulk_limit = 0)
    : idle_(std::move(workers)), limit_(limit), bulk_limit_(bulk_limit) {
    size_ = idle_.size();
  }

  /// Runs `x` now on an idle worker, or queues it in its lane; false when
  /// that lane is full (the caller refuses the work).
  [[nodiscard]] bool submit(job x, bool bulk = false) {
    if (!idle_.empty()) {
      start(std::move(x));
      return true;
    }
    auto& lane = bulk ? bulk_waiting_ : waiting_;
    if (lane.size() >= (bulk ? bulk_limit_ : limit_))
      return false;
    lane.push_back(std::move(x));
    return true;
  }

  /// Marks `w` idle again and starts the next waiting job on it,
  /// interactive ones first.
  void release(const Worker& w) {
    idle_.push_back(w);
    auto& lane = waiting_.empty() ? bulk_waiting_ : waiting_;
    if (!lane.empty()) {
      auto next = std::move(lane.front());
      lane.pop_front();
      start(std::move(next));
    }
  }

  /// Answers every waiting job with `err` (e.g. the backend went away).
  void fail_waiting(const caf::error& err) {
    auto jobs = std::move(waiting_);
    waiting_.clear();
    for (auto& x : bulk_waiting_)
      jobs.push_back(std::move(x));
    bulk_waiting_.clear();
    for (auto& x : jobs)
      x.fail(err);
  }

  /// Fails every waiting job whose deadline is at or before `now_ns` with
  /// `err` (their callers have given up: they never run); answers how many.
  size_t fail_expired(int64_t now_ns, const caf::error& err) {
    size_t result = 0;
    for (auto* lane : {&waiting_, &bulk_waiting_}) {
      auto keep = std::stable_partition(
        lane->begin(), lane->end(), [now_ns](const job& x) {
          return x.until_ns == 0 || x.until_ns > now_ns;
        });
      for (auto i = keep; i != lane->end(); ++i) {
        i->fail(err);
        ++result;
      }
      lane->erase(keep, lane->end());
    }
    return result;
  }

  [[nodiscard]] size_t num_waiting() const {
    return waiting_.size() + bulk_waiting_.size();
  }

  [[nodiscard]] size_t num_waiting_bulk() const {
    return bulk_waiting_.size();
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
  std::deque<job> bulk_waiting_;
  size_t limit_;
  size_t bulk_limit_;
  size_t size_ = 0;
  size_t max_busy_ = 0;
};

/// Hands one request of a pool actor (`self`) to an idle worker of
/// `queue`, or queues it; answers through a promise. A job whose deadline
/// passed while it waited is answered call_ec::expired and not run; a
/// full queue is answered `refused`.
template<class Result, class Self, class Worker, class... Ts>
caf::typed_response_promise<Result>
forward_to_worker(Self self, worker_queue<Worker>* queue, deadline until,
                  caf::error refused, Ts... xs) {
  auto rp = self->template make_response_promise<Result>();
  typename worker_queue<Worker>::job job{
    [=](const Worker& w) mutable {
      if (until.passed()) {
        rp.deliver(make_error(call_ec::expired, "the caller gave up"));
        queue->release(w);
        return;
      }
      // No timer: a worker answers every job it takes.
      self->request(w, caf::infinite, xs...)
        .then(
          [=](Result& result) mutable {
            rp.deliver(std::move(result));
            queue->release(w);
          },
          [=](caf::error& err) mutable {
            rp.deliver(std::move(err));
            queue->release(w);
          });
    },
    [=](caf::error err) mutable {
      rp.deliver(std::move(err));
    },
    until.unix_ns,
  };
  if (!queue->submit(std::move(job)))
    rp.deliver(std::move(refused));
  return rp;
}

} // namespace st
