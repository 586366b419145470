#include "runtime/http_support.hpp"

#include "config/defaults.hpp"
#include "protocols/http/json.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "util/text.hpp"

namespace st {

namespace {

constexpr const char* cors_methods =
  "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT";

bool origin_allowed(const http_policies& cfg, const std::string& origin) {
  return cfg.cors_origins.empty() ||
         std::find(cfg.cors_origins.begin(), cfg.cors_origins.end(), origin) !=
           cfg.cors_origins.end();
}

/// Whether `Accept-Encoding` admits gzip (a `q=0` refuses it).
bool accepts_gzip(std::string_view header) {
  auto h = to_lower(header);
  size_t pos = 0;
  while (pos <= h.size()) {
    auto end = h.find(',', pos);
    auto item = trim(std::string_view{h}.substr(
      pos, end == std::string::npos ? std::string::npos : end - pos));
    auto semi = item.find(';');
    auto coding = trim(item.substr(0, semi));
    if (coding == "gzip" || coding == "*") {
      auto params = semi == std::string::npos ? "" : item.substr(semi + 1);
      auto q = params.find("q=");
      return q == std::string::npos ||
             std::stod("0" + params.substr(q + 2)) > 0;
    }
    if (end == std::string::npos)
      break;
    pos = end + 1;
  }
  return false;
}

} // namespace

api_response detail_response(http::status status, std::string_view detail) {
  return json_response(status, detail_json(detail));
}

api_response json_response(http::status status, std::string body) {
  api_response result;
  result.status = status;
  result.body = std::move(body);
  return result;
}

api_response content_response(std::string content_type, std::string body) {
  api_response result;
  result.body = std::move(body);
  result.content_type = std::move(content_type);
  return result;
}

api_response preflight_response(const http_policies& cfg,
                                const std::string& origin,
                                const std::string& method,
                                const std::string& headers) {
  api_response result;
  result.content_type = "text/plain; charset=utf-8";
  result.headers = {{"Access-Control-Allow-Methods", cors_methods},
                    {"Access-Control-Max-Age", "600"},
                    {"Access-Control-Allow-Credentials", "true"},
                    {"Vary", "Origin"}};
  if (!headers.empty())
    result.headers.emplace_back("Access-Control-Allow-Headers", headers);
  std::string upper_method = method;
  for (auto& c : upper_method)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::vector<std::string> failures;
  if (origin_allowed(cfg, origin))
    result.headers.emplace_back("Access-Control-Allow-Origin", origin);
  else
    failures.emplace_back("origin");
  if (std::string_view{cors_methods}.find(upper_method) == std::string::npos ||
      upper_method.empty())
    failures.emplace_back("method");
  if (failures.empty()) {
    result.body = "OK";
    return result;
  }
  result.status = http::status::bad_request;
  result.body = "Disallowed CORS " + failures[0];
  for (size_t i = 1; i < failures.size(); ++i)
    result.body += ", " + failures[i];
  return result;
}

void apply_policies(const http_policies& cfg, const request_meta& meta,
                    api_response& res) {
  if (!meta.origin.empty() && origin_allowed(cfg, meta.origin)) {
    bool echo = !cfg.cors_origins.empty() || meta.has_cookie;
    res.headers.emplace_back("Access-Control-Allow-Origin",
                             echo ? meta.origin : "*");
    res.headers.emplace_back("Access-Control-Allow-Credentials", "true");
    if (echo)
      res.headers.emplace_back("Vary", "Origin");
  }
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("Referrer-Policy",
                           "strict-origin-when-cross-origin");
  if (cfg.enable_hsts)
    res.headers.emplace_back("Strict-Transport-Security",
                             "max-age=31536000; includeSubDomains");
  const auto& identity = res.cached_body ? *res.cached_body : res.body;
  if (identity.size() >= defaults::gzip_min_bytes &&
      accepts_gzip(meta.accept_encoding)) {
    if (res.rendered)
      res.body = *res.rendered->get(render_memo::gzip, [&] {
        return gzip(identity);
      });
    else
      res.body = gzip(identity);
    res.headers.emplace_back("Content-Encoding", "gzip");
    res.headers.emplace_back("Vary", "Accept-Encoding");
  } else if (res.cached_body) {
    res.body = *res.cached_body;
  }
  res.cached_body = nullptr;
  res.headers.emplace_back("X-Request-Id", meta.request_id);
}

std::string gzip(std::string_view x) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string result(deflateBound(&zs, static_cast<uLong>(x.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(x.data()));
  zs.avail_in = static_cast<uInt>(x.size());
  zs.next_out = reinterpret_cast<Bytef*>(result.data());
  zs.avail_out = static_cast<uInt>(result.size());
  auto rc = deflate(&zs, Z_FINISH);
  result.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END)
    throw std::runtime_error("deflate failed");
  return result;
}

std::string request_id_for(std::string_view from_client) {
  bool sane = !from_client.empty() && from_client.size() <= 128 &&
              std::all_of(from_client.begin(), from_client.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) ||
                       c == '-' || c == '_' || c == '.' || c == ':';
              });
  return sane ? std::string{from_client} : random_hex(16);
}

bool address_in(const boost::asio::ip::address& addr,
                const std::vector<std::string>& blocks) {
  namespace ip = boost::asio::ip;
  auto a = addr.is_v6() && addr.to_v6().is_v4_mapped()
             ? ip::address{ip::make_address_v4(ip::v4_mapped, addr.to_v6())}
             : addr;
  for (auto& block : blocks) {
    auto slash = block.find('/');
    boost::system::error_code ec;
    auto base = ip::make_address(block.substr(0, slash), ec);
    if (ec || base.is_v4() != a.is_v4())
      continue;
    int bits = a.is_v4() ? 32 : 128;
    if (slash != std::string::npos)
      bits = std::stoi(block.substr(slash + 1));
    auto bytes_of = [](const ip::address& x) {
      std::vector<unsigned char> result;
      if (x.is_v4()) {
        auto b = x.to_v4().to_bytes();
        result.assign(b.begin(), b.end());
      } else {
        auto b = x.to_v6().to_bytes();
        result.assign(b.begin(), b.end());
      }
      return result;
    };
    auto x = bytes_of(a);
    auto y = bytes_of(base);
    bool match = true;
    for (int i = 0; i < bits && match; ++i) {
      auto mask = static_cast<unsigned char>(0x80 >> (i % 8));
      match = (x[static_cast<size_t>(i / 8)] & mask) ==
              (y[static_cast<size_t>(i / 8)] & mask);
    }
    if (match)
      return true;
  }
  return false;
}

std::string client_address(const http_policies& cfg,
                           const boost::asio::ip::address& peer,
                           std::string_view forwarded_for) {
  if (forwarded_for.empty() || !address_in(peer, cfg.trusted_proxies))
    return peer.to_string();
  // Walk from the nearest hop outwards; the first untrusted one is the
  // client (anything further left could be forged by it).
  std::string result = peer.to_string();
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    auto comma = rest.rfind(',');
    auto hop =
      trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{}
                                           : rest.substr(0, comma);
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address(hop, ec);
    if (ec)
      return result;
    result = addr.to_string();
    if (!address_in(addr, cfg.trusted_proxies))
      return result;
  }
  return result;
}

std::optional<head_refusal> refuse_head(const http::request_header<>& head,
                                        std::optional<uint64_t> content_length,
                                        size_t body_limit) {
  auto encodings = head.count(http::field::transfer_encoding);
  if (encodings > 0 &&
      (encodings > 1 ||
       !boost::beast::iequals(trim(head[http::field::transfer_encoding]),
                              "chunked") ||
       head.count(http::field::content_length) > 0))
    return head_refusal{http::status::bad_request,
                        "Unsupported Transfer-Encoding (only chunked)"};
  if (content_length && *content_length > body_limit)
    return head_refusal{http::status::payload_too_large,
                        "Request body too large (max " +
                          std::to_string(body_limit / 1024) + " KB)"};
  return std::nullopt;
}

std::string bearer_token(const std::string& authorization) {
  constexpr std::string_view prefix = "Bearer ";
  if (authorization.compare(0, prefix.size(), prefix) != 0)
    return {};
  auto rest = authorization.substr(prefix.size());
  auto b = rest.find_first_not_of(" \t");
  if (b == std::string::npos)
    return {};
  auto e = rest.find_last_not_of(" \t");
  return rest.substr(b, e - b + 1);
}

bool buffered_stream::take(std::string& out) {
  bool ended = false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    out.swap(pending_);
    pending_.clear();
    ended = ended_;
  }
  if (!ended)
    taken();
  return ended;
}

void buffered_stream::on_ready(std::function<void()> wake) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    wake_ = std::move(wake);
  }
  wake_up();
}

void buffered_stream::cancel() {
  std::lock_guard<std::mutex> guard{mtx_};
  cancelled_ = true;
  pending_.clear();
  wake_ = nullptr;
}

void buffered_stream::produce(std::string text, bool last) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (cancelled_ || ended_)
      return;
    pending_ += text;
    ended_ = last;
  }
  wake_up();
}

size_t buffered_stream::pending_bytes() {
  std::lock_guard<std::mutex> guard{mtx_};
  return pending_.size();
}

bool buffered_stream::cancelled() {
  std::lock_guard<std::mutex> guard{mtx_};
  return cancelled_;
}

void buffered_stream::wake_up() {
  std::function<void()> wake;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    wake = wake_;
  }
  if (wake)
    wake();
}

} // namespace st
