#include "tests/support/http_client.hpp"

#include <cctype>

namespace st::test {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

http_client::http_client(uint16_t port) {
  stream_.connect(
    tcp::endpoint{boost::asio::ip::make_address("127.0.0.1"), port});
}

http_reply
http_client::request(const std::string& method, const std::string& target,
                     const std::string& body,
                     const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target,
                                       11};
  req.set(http::field::host, "127.0.0.1");
  for (auto& [name, value] : headers)
    req.set(name, value);
  if (!body.empty() || method == "POST" || method == "PUT" ||
      method == "PATCH") {
    if (headers.count("Content-Type") == 0)
      req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
  }
  stream_.expires_after(std::chrono::seconds(30));
  http::write(stream_, req);
  return read_reply();
}

void http_client::send_raw(const std::string& bytes) {
  boost::asio::write(stream_.socket(), boost::asio::buffer(bytes));
}

http_reply http_client::read_reply() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  stream_.expires_after(std::chrono::seconds(30));
  http::read(stream_, buffer_, parser);
  auto res = parser.release();
  http_reply result;
  result.status = res.result_int();
  for (auto& f : res) {
    std::string name{f.name_string()};
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& slot = result.headers[name];
    slot = slot.empty() ? std::string{f.value()}
                        : slot + ", " + std::string{f.value()};
  }
  result.body = std::move(res.body());
  return result;
}

bool http_client::closed_by_peer() {
  char c;
  beast::error_code ec;
  stream_.expires_after(std::chrono::seconds(5));
  stream_.socket().read_some(boost::asio::buffer(&c, 1), ec);
  return ec == boost::asio::error::eof ||
         ec == boost::asio::error::connection_reset;
}

http_reply http_call(uint16_t port, const std::string& method,
                     const std::string& target, const std::string& body,
                     const std::map<std::string, std::string>& headers) {
  http_client client{port};
  return client.request(method, target, body, headers);
}

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

} // namespace st::test
