#pragma once

#include "protocols/messages.hpp"
#include "protocols/tokens.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility> // Boost 1.74's Asio needs it first.
#include <vector>

namespace st {

namespace http = boost::beast::http;

/// What the Bearer token of a request says, checked once on arrival.
struct bearer_check {
  enum class outcome : uint8_t { absent, valid, invalid, bad_subject };
  outcome state = outcome::absent;
  int32_t user_id = 0; ///< when valid
};

/// The token of `Authorization: Bearer <token>` (http-api.md §2.1), or
/// empty when the header does not carry one.
[[nodiscard]] std::string bearer_token(const std::string& authorization);

/// A request as route handlers see it: parsed, size-checked, identified.
struct api_request {
  http::verb method = http::verb::get;
  std::string path;  ///< without the query string
  std::string query; ///< raw, without '?'
  std::map<std::string, std::string> path_params;
  std::string body;
  std::string content_type;
  std::string authorization;
  std::string accept;
  std::string client_ip;
  std::string request_id;
  /// The language the request names (`X-App-Language`, else
  /// `Accept-Language`): its primary subtag, lower-cased; may be empty or
  /// unsupported (http-api-head.md §1.1).
  std::string language;
  /// The request came with `X-App-Language`, which only the newer app
  /// sends (docs/app-versions.md): where the two apps mean different
  /// things by the same request, this says which one asks.
  bool newer_app = false;
  /// `Idempotency-Key` (empty: none).
  std::string idempotency_key;
  /// The Bearer token, verified once by the HTTP front.
  bearer_check caller;
};

/// A response body written while it is produced (chunked): the events of
/// a streamed reply. Thread-safe.
class response_stream {
public:
  virtual ~response_stream() = default;
  /// Moves what was produced since into `out`; true once nothing more
  /// will come.
  virtual bool take(std::string& out) = 0;
  /// `wake` runs (on any thread) whenever more was produced or it ended.
  virtual void on_ready(std::function<void()> wake) = 0;
  /// The client is gone: what comes from now on is dropped.
  virtual void cancel() = 0;
};

/// A stream whose producer appends text from any thread: what it produced
/// waits in a buffer until the connection takes it. `taken()` runs after
/// each take, outside the lock (a producer that paused for the
/// connection resumes there).
class buffered_stream : public response_stream {
public:
  bool take(std::string& out) override;
  void on_ready(std::function<void()> wake) override;
  void cancel() override;

protected:
  /// Appends `text`; `last` ends the stream. Dropped once cancelled.
  void produce(std::string text, bool last);
  /// How much waits for the connection; whether it is gone.
  [[nodiscard]] size_t pending_bytes();
  [[nodiscard]] bool cancelled();
  virtual void taken() {}

private:
  void wake_up();

  std::mutex mtx_;
  std::string pending_;
  bool ended_ = false;
  bool cancelled_ = false;
  std::function<void()> wake_;
};

/// A response before the cross-cutting policies (CORS, security headers,
/// gzip, request id) are applied.
struct api_response {
  http::status status = http::status::ok;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  /// A cached body, shared rather than copied into `body` (which it
  /// replaces), and its forms: its gzip is made once and kept there.
  std::shared_ptr<const std::string> cached_body;
  std::shared_ptr<render_memo> rendered;
  /// Set: the body is this stream (`body` stays empty).
  std::shared_ptr<response_stream> stream;
};

/// A route's answer, given exactly once, from any thread: made (`reply(x)`)
/// or to be made (`reply.later(f)`): `f` then runs on the connection's
/// strand, so a bridge actor, which every answer passes through, only
/// hands typed results on and never renders.
class responder {
public:
  using deliver_fn = std::function<void(std::function<api_response()>)>;

  responder() = default;
  explicit responder(deliver_fn deliver) : deliver_(std::move(deliver)) {}

  void operator()(api_response res) const {
    deliver_([res = std::move(res)]() mutable {
      return std::move(res);
    });
  }

  void later(std::function<api_response()> make) const {
    deliver_(std::move(make));
  }

private:
  deliver_fn deliver_;
};

/// A route's behaviour: hands work to actors and answers through `reply`.
using route_handler = std::function<void(api_request&, responder reply)>;

/// Why a request is answered from its head alone, before any body is read.
struct head_refusal {
  http::status status;
  std::string detail;
};

/// Checks a parsed request head: only Content-Length or a plain `chunked`
/// may frame a body (anything else lets a proxy and this server disagree
/// on where a request ends: smuggling), and a declared length must fit
/// `body_limit`.
[[nodiscard]] std::optional<head_refusal>
refuse_head(const http::request_header<>& head,
            std::optional<uint64_t> content_length, size_t body_limit);

/// `{"detail": "<text>"}` with `status`.
[[nodiscard]] api_response detail_response(http::status status,
                                           std::string_view detail);

/// A JSON body with `status`.
[[nodiscard]] api_response json_response(http::status status, std::string body);

/// A 200 with `body` of `content_type` (pages, documents, metrics).
[[nodiscard]] api_response content_response(std::string content_type,
                                            std::string body);

/// The cross-cutting HTTP behaviour of http-api.md §2.4, configured once.
struct http_policies {
  std::vector<std::string> cors_origins; ///< empty = every origin
  bool enable_hsts = false;
  std::vector<std::string> trusted_proxies; ///< addresses or CIDR blocks
};

/// Request headers the policies read.
struct request_meta {
  std::string origin;
  std::string accept_encoding;
  std::string request_id;
  bool has_cookie = false;
};

/// Answers a CORS preflight (`OPTIONS` + `Access-Control-Request-Method`).
[[nodiscard]] api_response preflight_response(const http_policies& cfg,
                                              const std::string& origin,
                                              const std::string& method,
                                              const std::string& headers);

/// Adds CORS and security headers, compresses with gzip when accepted and
/// large enough, and echoes the request id.
void apply_policies(const http_policies& cfg, const request_meta& meta,
                    api_response& res);

/// gzip (RFC 1952) of `x`.
[[nodiscard]] std::string gzip(std::string_view x);

/// The request id to use: the client's when it is sane, else a fresh one.
[[nodiscard]] std::string request_id_for(std::string_view from_client);

/// The client's address: the peer, or — when the peer is a trusted proxy —
/// the right-most untrusted address of `X-Forwarded-For`.
[[nodiscard]] std::string client_address(const http_policies& cfg,
                                         const boost::asio::ip::address& peer,
                                         std::string_view forwarded_for);

/// Whether `addr` lies in one of the `blocks` (addresses or CIDR).
[[nodiscard]] bool address_in(const boost::asio::ip::address& addr,
                              const std::vector<std::string>& blocks);

} // namespace st
