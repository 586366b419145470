#include "actors/worker_queue.hpp"

#include <caf/sec.hpp>
#include <catch2/catch.hpp>

#include <string>

using st::worker_queue;

TEST_CASE("worker_queue runs on idle workers, queues FIFO, refuses past cap") {
  worker_queue<int> q{{1, 2}, 2};
  std::vector<std::string> log;
  auto job = [&](std::string name) {
    return worker_queue<int>::job{[&log, name](const int& w) {
                                    log.push_back(name + "@" +
                                                  std::to_string(w));
                                  },
                                  [&log, name](caf::error) {
                                    log.push_back(name + " failed");
                                  }};
  };
  CHECK(q.submit(job("a")));
  CHECK(q.submit(job("b")));
  CHECK(q.num_busy() == 2);
  CHECK(q.submit(job("c")));
  CHECK(q.submit(job("d")));
  CHECK_FALSE(q.submit(job("e")));
  CHECK(q.num_waiting() == 2);
  q.release(2);
  CHECK(log == std::vector<std::string>{"a@2", "b@1", "c@2"});
  q.fail_waiting(caf::make_error(caf::sec::request_timeout));
  CHECK(log.back() == "d failed");
  CHECK(q.num_waiting() == 0);
  CHECK(q.max_busy() == 2);
}

TEST_CASE("worker_queue serves the interactive lane before the bulk lane") {
  worker_queue<int> q{{1}, 1, 2};
  std::vector<std::string> log;
  auto job = [&log](std::string name) {
    return worker_queue<int>::job{[&log, name](const int&) {
                                    log.push_back(name);
                                  },
                                  [&log, name](caf::error) {
                                    log.push_back(name + " refused");
                                  }};
  };
  CHECK(q.submit(job("bulk-1"), true)); // runs at once: a worker is idle
  CHECK(q.submit(job("bulk-2"), true));
  CHECK(q.submit(job("bulk-3"), true));
  CHECK_FALSE(q.submit(job("bulk-4"), true)); // bulk lane full
  CHECK(q.submit(job("ask-1")));              // its own lane has room
  CHECK_FALSE(q.submit(job("ask-2")));
  CHECK(q.num_waiting() == 3);
  q.release(1);
  q.release(1);
  q.release(1);
  CHECK(log == std::vector<std::string>{"bulk-1", "ask-1", "bulk-2", "bulk-3"});
  CHECK(q.submit(job("bulk-5"), true));
  q.fail_waiting(caf::make_error(caf::sec::runtime_error));
  CHECK(log.back() == "bulk-5 refused");
}
