#pragma once

#include "protocols/messages.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace st {

/// One HTTP transfer the upstream actor hands to its transport.
struct upstream_transfer {
  uint64_t id = 0;
  std::string method;
  std::string url;
  std::vector<std::string> headers; ///< `Name: value` lines
  std::string body;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{30000};
  std::shared_ptr<const body_tap> tap; ///< sees a 2xx body as it arrives
  std::string aws_sigv4;               ///< as upstream_request's
  std::string aws_credentials;
};

/// How the upstream actor moves bytes: `runtime/` hands it libcurl's
/// multi interface; a test may hand it anything else. `submit` never
/// blocks; each transfer is reported once through the completion the
/// transport was made with (on any thread: it must only pass it on).
class upstream_transport {
public:
  using completion = std::function<void(upstream_outcome)>;

  virtual ~upstream_transport() = default;

  /// Queues a transfer. Thread-safe.
  virtual void submit(upstream_transfer x) = 0;
};

/// Makes the transport of one upstream actor, reporting to `on_done`.
using transport_factory = std::function<std::unique_ptr<upstream_transport>(
  upstream_transport::completion on_done)>;

} // namespace st
