#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <map>
#include <string>
#include <utility>

namespace st::test {

/// A response as tests read it.
struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers; ///< lower-case names
  std::string body;

  [[nodiscard]] std::string header(const std::string& name) const {
    auto i = headers.find(name);
    return i == headers.end() ? std::string{} : i->second;
  }
};

/// A keep-alive HTTP/1.1 connection to the server under test (real TCP on
/// loopback). Blocking: tests only.
class http_client {
public:
  explicit http_client(uint16_t port);

  /// Sends one request and reads its response.
  http_reply request(const std::string& method, const std::string& target,
                     const std::string& body = {},
                     const std::map<std::string, std::string>& headers = {});

  /// Writes raw bytes (e.g. several pipelined requests) without reading.
  void send_raw(const std::string& bytes);

  /// Reads the next response from the connection.
  http_reply read_reply();

  /// Whether the server closed the connection.
  [[nodiscard]] bool closed_by_peer();

private:
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_{ioc_};
  boost::beast::flat_buffer buffer_;
};

/// One request on a fresh connection.
http_reply http_call(uint16_t port, const std::string& method,
                     const std::string& target, const std::string& body = {},
                     const std::map<std::string, std::string>& headers = {});

/// `Authorization: Bearer <token>` as a header map.
std::map<std::string, std::string> bearer(const std::string& token);

} // namespace st::test
