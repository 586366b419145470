#pragma once

#include "actors/upstream_client.hpp"

#include <string>
#include <utility>
#include <vector>

namespace st::bench {

/// An upstream transport that answers every transfer at once (on the
/// caller's thread) with a canned 200: measures the actors, not a network.
class instant_transport final : public upstream_transport {
public:
  instant_transport(completion done, std::string body,
                    std::vector<std::string> headers = {})
    : done_(std::move(done)), body_(std::move(body)),
      headers_(std::move(headers)) {}

  void submit(upstream_transfer x) override {
    upstream_outcome out;
    out.id = x.id;
    out.status = 200;
    out.body = body_;
    out.headers = headers_;
    done_(std::move(out));
  }

private:
  completion done_;
  std::string body_;
  std::vector<std::string> headers_;
};

} // namespace st::bench
