#include "runtime/http_support.hpp"

#include "tests/support/gunzip.hpp"

#include <catch2/catch.hpp>

using namespace st;
using st::test::gunzip;

namespace {

std::string header(const api_response& res, const std::string& name) {
  std::string result;
  for (auto& [k, v] : res.headers)
    if (k == name)
      result += (result.empty() ? "" : ", ") + v;
  return result;
}

} // namespace

TEST_CASE("gzip output inflates back") {
  std::string text(5000, 'x');
  CHECK(gunzip(gzip(text)) == text);
}

TEST_CASE("policies: gzip from 500 bytes when accepted, q=0 refuses") {
  http_policies cfg;
  request_meta meta{"", "deflate, gzip;q=0.5", "rid", false};
  api_response big = json_response(http::status::ok, std::string(500, 'a'));
  apply_policies(cfg, meta, big);
  CHECK(header(big, "Content-Encoding") == "gzip");
  CHECK(header(big, "Vary") == "Accept-Encoding");
  CHECK(gunzip(big.body) == std::string(500, 'a'));
  api_response small = json_response(http::status::ok, std::string(499, 'a'));
  apply_policies(cfg, meta, small);
  CHECK(header(small, "Content-Encoding").empty());
  meta.accept_encoding = "gzip;q=0";
  api_response refused = json_response(http::status::ok, std::string(900, 'a'));
  apply_policies(cfg, meta, refused);
  CHECK(header(refused, "Content-Encoding").empty());
  CHECK(header(refused, "X-Request-Id") == "rid");
  CHECK(header(refused, "X-Frame-Options") == "DENY");
  CHECK(header(refused, "Strict-Transport-Security").empty());
}

TEST_CASE(
  "CORS: echo for listed origins, '*' in wildcard mode unless cookies") {
  http_policies listed{{"http://localhost:8081"}, false, {}};
  api_response res;
  apply_policies(listed, {"http://localhost:8081", "", "r", false}, res);
  CHECK(header(res, "Access-Control-Allow-Origin") == "http://localhost:8081");
  CHECK(header(res, "Vary") == "Origin");
  api_response other;
  apply_policies(listed, {"http://evil.example", "", "r", false}, other);
  CHECK(header(other, "Access-Control-Allow-Origin").empty());
  http_policies any{{}, true, {}};
  api_response star;
  apply_policies(any, {"http://x", "", "r", false}, star);
  CHECK(header(star, "Access-Control-Allow-Origin") == "*");
  CHECK(header(star, "Strict-Transport-Security") ==
        "max-age=31536000; includeSubDomains");
  api_response cookie;
  apply_policies(any, {"http://x", "", "r", true}, cookie);
  CHECK(header(cookie, "Access-Control-Allow-Origin") == "http://x");
}

TEST_CASE("CORS preflight") {
  http_policies cfg{{"http://a"}, false, {}};
  auto ok =
    preflight_response(cfg, "http://a", "PATCH", "authorization,content-type");
  CHECK(ok.status == http::status::ok);
  CHECK(ok.body == "OK");
  CHECK(header(ok, "Access-Control-Allow-Origin") == "http://a");
  CHECK(header(ok, "Access-Control-Allow-Headers") ==
        "authorization,content-type");
  CHECK(header(ok, "Access-Control-Max-Age") == "600");
  auto bad = preflight_response(cfg, "http://b", "GET", "");
  CHECK(bad.status == http::status::bad_request);
  CHECK(bad.body == "Disallowed CORS origin");
  CHECK(preflight_response(cfg, "http://b", "TRACE", "").body ==
        "Disallowed CORS origin, method");
}

TEST_CASE("client address: X-Forwarded-For only through trusted proxies") {
  auto peer = boost::asio::ip::make_address("10.0.0.5");
  http_policies none;
  CHECK(client_address(none, peer, "203.0.113.7") == "10.0.0.5");
  http_policies trusted{{}, false, {"10.0.0.0/8", "192.168.1.1"}};
  CHECK(client_address(trusted, peer, "203.0.113.7") == "203.0.113.7");
  CHECK(client_address(trusted, peer, "1.1.1.1, 203.0.113.7, 192.168.1.1") ==
        "203.0.113.7");
  CHECK(client_address(trusted, peer, "") == "10.0.0.5");
  CHECK(client_address(trusted, peer, "garbage") == "10.0.0.5");
  CHECK(address_in(boost::asio::ip::make_address("::ffff:10.1.2.3"),
                   {"10.0.0.0/8"}));
  CHECK_FALSE(
    address_in(boost::asio::ip::make_address("11.0.0.1"), {"10.0.0.0/8"}));
}

TEST_CASE("request ids: sane client ids are kept, others replaced") {
  CHECK(request_id_for("abc-123") == "abc-123");
  auto fresh = request_id_for("has space");
  CHECK(fresh.size() == 32);
  CHECK(request_id_for(std::string(200, 'a')).size() == 32);
}
