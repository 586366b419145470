#include "tests/support/http_client.hpp"

#include "runtime/openapi.hpp"
#include "tests/support/gunzip.hpp"
#include "tests/support/openapi_check.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <atomic>
#include <cctype>
#include <fstream>
#include <mutex>
#include <regex>
#include <unistd.h>

namespace st::test {

namespace {

/// Notes every secret a request or an answer carried (passwords, tokens,
/// API keys) for the suite's log scan, while ctest keeps server logs.
void note_secrets(const std::string& text) {
  static const std::string folder = ST_SERVER_LOG_DIR;
  // Secrets travel in small JSON bodies; uploads are skipped.
  if (text.size() > 65536 || text.find('"') == std::string::npos ||
      access(folder.c_str(), W_OK) != 0)
    return;
  static const std::regex secret{
    R"re("(password|refresh_token|access_token|api_key|code)"\s*:\s*"([^"]{6,})")re"};
  std::string found;
  for (std::sregex_iterator i{text.begin(), text.end(), secret}, end; i != end;
       ++i)
    found += (*i)[2].str() + '\n';
  if (found.empty())
    return;
  static std::mutex mtx;
  std::lock_guard<std::mutex> guard{mtx};
  std::ofstream{folder + "/secrets-" + std::to_string(getpid()) + ".txt",
                std::ios::app}
    << found;
}

/// Holds every answer of our server to the OpenAPI document, as a
/// validating proxy between the suite and the server would: each mismatch
/// is noted with its test for `openapi:every-answer-fits-the-document`.
void note_conformance(const std::string& method, const std::string& target,
                      const http_reply& reply) {
  static const std::string folder = ST_SERVER_LOG_DIR;
  static const rapidjson::Document doc = [] {
    rapidjson::Document result;
    result.Parse(openapi_json().c_str());
    return result;
  }();
  // How many answers were held to the document, written at exit: the
  // check fails when too few were (a check of nothing proves nothing).
  static struct tally {
    std::atomic<uint64_t> answers{0};
    ~tally() {
      if (answers.load() > 0)
        std::ofstream{folder + "/openapi-checked-" + std::to_string(getpid()) +
                      ".txt"}
          << answers.load() << '\n';
    }
  } checked;
  // Only our server's API: not the fakes' control paths, not the test
  // build's own hooks.
  if (access(folder.c_str(), W_OK) != 0 || target.rfind("/_fake/", 0) == 0 ||
      target.rfind("/api/v1/test/", 0) == 0)
    return;
  // As a proxy would: the body the client reads, decompressed.
  bool gzipped = reply.header("content-encoding") == "gzip";
  auto why = answer_mismatch(doc, method, target, reply.status,
                             reply.header("content-type"),
                             gzipped ? gunzip(reply.body) : reply.body);
  ++checked.answers;
  if (why.empty())
    return;
  static std::mutex mtx;
  std::lock_guard<std::mutex> guard{mtx};
  std::ofstream{folder + "/openapi-violations-" + std::to_string(getpid()) +
                  ".txt",
                std::ios::app}
    << method << ' ' << target.substr(0, target.find('?')) << " | " << why
    << " | " << Catch::getResultCapture().getCurrentTestName() << '\n';
}

} // namespace

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
  note_secrets(body);
  auto reply = read_reply();
  note_secrets(reply.body);
  note_conformance(method, target, reply);
  return reply;
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
