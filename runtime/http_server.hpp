#pragma once

#include "runtime/http_metrics.hpp"
#include "runtime/http_support.hpp"
#include "runtime/rate_limiter.hpp"
#include "runtime/router.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace st {

/// How the HTTP front listens and behaves.
struct http_server_settings {
  std::string host = "0.0.0.0";
  uint16_t port = 8000;
  size_t threads = 2;
  http_policies policies;
  jwt_settings jwt;                        ///< to key the rate limit by user
  uint32_t rate_limit = 200;               ///< requests per minute per client
  size_t max_connections = 20'000;         ///< open at once, all clients
  size_t max_connections_per_client = 256; ///< per address, proxies exempt
  /// How long a connection that is still owed answers waits for the
  /// client's next request: beyond the longest deadline of any route, so
  /// the read-ahead's timer never cuts a slow answer (an AI call retried
  /// for minutes) off before it is written.
  std::chrono::milliseconds answer_wait{std::chrono::minutes(10)};
  /// Where requests and connections are counted (shared with /metrics).
  std::shared_ptr<http_metrics> metrics = std::make_shared<http_metrics>();
};

/// The Beast front: accepts connections on its own Asio threads, parses
/// requests, applies the cross-cutting policies and hands each request to
/// its route handler, which asks actors and answers through a callback
/// posted back to the connection. HTTP threads never wait on anything.
class http_server {
public:
  http_server(http_server_settings cfg, router routes);
  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds, listens and starts the threads; returns the bound port.
  /// @throws boost::system::system_error when the address is unusable.
  uint16_t start();

  /// Stops accepting, lets in-flight requests finish (each connection
  /// closes after its last response), and ends after `grace` at the latest.
  void stop(std::chrono::milliseconds grace);

  /// The address the acceptor is bound to, as text (after start).
  [[nodiscard]] std::string bound_address() const;

  /// Connections open right now.
  [[nodiscard]] size_t num_connections() const;

  struct core; ///< shared with the connections (defined in the .cpp)

private:
  std::unique_ptr<core> core_;
  std::vector<std::thread> threads_;
};

} // namespace st
