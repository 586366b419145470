#pragma once

#include "protocols/transport.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace st {

/// libcurl's multi interface on a thread of its own: many transfers at
/// once, connections kept alive and reused per host. Nothing here blocks
/// the caller; `on_done` runs on the curl thread and must only hand the
/// outcome on (e.g. send it to an actor).
class curl_multi final : public upstream_transport {
public:
  /// @param max_host_connections parallel connections per host (more
  ///        transfers wait inside libcurl for a free one).
  /// @param max_body_bytes answers beyond this fail with `too_large`.
  curl_multi(completion on_done, long max_host_connections,
             size_t max_body_bytes);

  /// Stops the thread; transfers still running are abandoned.
  ~curl_multi() override;

  curl_multi(const curl_multi&) = delete;
  curl_multi& operator=(const curl_multi&) = delete;

  /// Queues a transfer and wakes the thread. Thread-safe.
  void submit(upstream_transfer x) override;

private:
  struct impl;
  void run();

  std::unique_ptr<impl> impl_;
  completion on_done_;
  size_t max_body_bytes_;
  std::mutex mtx_;
  std::vector<upstream_transfer> submitted_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

} // namespace st
