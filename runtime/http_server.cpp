#include "runtime/http_server.hpp"

#include "config/defaults.hpp"
#include "protocols/http/json.hpp"
#include "runtime/fatal_signals.hpp"
#include "runtime/http_metrics.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <deque>
#include <mutex>
#include <sys/resource.h>
#include <unordered_map>

#include "util/locales.hpp"
#include "util/log.hpp"

namespace st {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class http_session;

} // namespace

/// Shared by the connections. Members are ordered so that destroying the
/// io_context (and with it every connection) happens before the counters
/// the connections touch on their way out.
struct http_server::core {
  http_server_settings cfg;
  router routes;
  rate_limiter limiter;
  std::atomic<bool> stopping{false};
  /// Open connections and requests in flight are counted here.
  http_metrics& metrics;
  std::mutex sessions_mtx;
  std::vector<std::weak_ptr<http_session>> sessions;
  std::mutex clients_mtx;
  std::unordered_map<std::string, size_t> per_client; ///< open, by address
  size_t max_connections = 0; ///< the setting, within the descriptor limit
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_pause{ioc};

  core(http_server_settings c, router r)
    : cfg(std::move(c)), routes(std::move(r)), limiter(cfg.rate_limit),
      metrics(*cfg.metrics), ioc(static_cast<int>(cfg.threads)) {}

  void accept();

  /// Counts a new connection from `client` (empty: exempt from the
  /// per-client cap); returns why it is refused, or empty.
  std::string admit(const std::string& client) {
    if (metrics.open_connections > max_connections)
      return "Server has too many open connections, please retry shortly";
    if (client.empty())
      return {};
    std::lock_guard<std::mutex> guard{clients_mtx};
    auto& n = per_client[client];
    if (n >= cfg.max_connections_per_client)
      return "Too many open connections from your address";
    ++n;
    return {};
  }

  void release(const std::string& client) {
    std::lock_guard<std::mutex> guard{clients_mtx};
    if (auto i = per_client.find(client);
        i != per_client.end() && --i->second == 0)
      per_client.erase(i);
  }
};

namespace {

/// The anonymous routes that check credentials: limited per address only,
/// whatever token rides along (else one valid token would lift the limit
/// on password guessing).
bool anonymous_auth_route(const std::string& path) {
  return path == "/api/v1/auth/login" || path == "/api/v1/auth/register" ||
         path == "/api/v1/auth/refresh";
}

/// Verifies the Bearer token once: the rate limiter and the routes both
/// read the outcome.
bearer_check check_bearer(const jwt_settings& jwt,
                          const std::string& authorization) {
  bearer_check result;
  auto token = bearer_token(authorization);
  if (token.empty())
    return result;
  access_claims claims;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  auto fault = verify_access_token(jwt, token, now, claims);
  using outcome = bearer_check::outcome;
  if (!fault) {
    result.state = outcome::valid;
    result.user_id = claims.user_id;
  } else {
    result.state = *fault == token_fault::bad_subject ? outcome::bad_subject
                                                      : outcome::invalid;
  }
  return result;
}

/// Rate-limit key: the user of a correctly signed token, else the address.
std::string client_key(const std::string& path, const bearer_check& caller,
                       const std::string& client_ip) {
  if (!anonymous_auth_route(path) &&
      caller.state == bearer_check::outcome::valid)
    return "u:" + std::to_string(caller.user_id);
  return "ip:" + client_ip;
}

std::string allow_header(const std::vector<http::verb>& methods) {
  std::string result;
  for (auto m : methods) {
    auto name = std::string{http::to_string(m)};
    if (result.find(name) != std::string::npos)
      continue;
    if (!result.empty())
      result += ", ";
    result += name;
  }
  return result;
}

/// One connection: reads requests (pipelined up to a bound), answers them
/// strictly in order, all on its own strand.
class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(tcp::socket&& socket, http_server::core* core)
    : stream_(std::move(socket)), core_(core) {
    ++core_->metrics.open_connections;
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec)
      peer_ = ep.address();
  }

  ~http_session() {
    release();
  }

  /// Admits the connection under the caps and starts reading, or answers
  /// 503 and closes.
  void start() {
    auto client = address_in(peer_, core_->cfg.policies.trusted_proxies)
                    ? std::string{}
                    : peer_.to_string();
    auto refusal = core_->admit(client);
    counted_client_ = refusal.empty() && !client.empty();
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this(), refusal = std::move(refusal)] {
                    if (refusal.empty())
                      self->do_read();
                    else
                      self->reject(http::status::service_unavailable, refusal);
                  });
  }

  /// The connection no longer counts as open (once): at its close, or when
  /// the server stops, not when the last handle to the session goes, which
  /// a request still owed an answer may hold until its deadline.
  void release() {
    if (released_)
      return;
    released_ = true;
    if (counted_client_)
      core_->release(peer_.to_string());
    --core_->metrics.open_connections;
  }

  /// Called at shutdown: finish what was received, then close.
  void shutdown_when_idle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (self->slots_.empty() && !self->writing_)
        self->close();
    });
  }

private:
  /// One request, from its last byte read to its answer written (or the
  /// connection's end): counted in flight while it lives.
  /// It holds the metrics: a responder kept by an actor may outlive the
  /// server.
  struct slot {
    explicit slot(std::shared_ptr<http_metrics> m) : metrics(std::move(m)) {
      ++metrics->in_flight;
    }
    ~slot() {
      --metrics->in_flight;
    }
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;

    std::shared_ptr<http_metrics> metrics;
    const std::string* route = nullptr; ///< the matched template
    int32_t user_id = 0;                ///< of a valid bearer token
    bool ready = false;
    bool keep_alive = true;
    bool head = false;
    http::response<http::string_body> res;
    std::string method;
    std::string path;
    std::string request_id;
    std::chrono::steady_clock::time_point started;
    /// A streamed body, and whether its writer waits for more of it.
    std::shared_ptr<response_stream> stream;
    bool stream_waiting = false;
    size_t streamed_bytes = 0;
  };

  void do_read() {
    if (reading_ || closed_ || closing_ ||
        slots_.size() >= defaults::http_pipeline_depth ||
        queued_bytes_ >= defaults::http_max_queued_bytes)
      return;
    reading_ = true;
    parser_.emplace();
    parser_->header_limit(defaults::max_header_bytes);
    parser_->body_limit(defaults::max_upload_body_bytes);
    // Idle, the client has the idle time to send its next request; owed
    // answers, it may wait for them first (then the idle time runs).
    stream_.expires_after(
      slots_.empty() ? std::chrono::milliseconds{defaults::http_idle_timeout}
                     : core_->cfg.answer_wait);
    http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        self->on_header(ec);
      });
  }

  void on_header(beast::error_code ec) {
    if (ec)
      return on_read_error(ec);
    auto& req = parser_->get();
    auto target = std::string{req.target()};
    auto limit = core_->routes.body_limit(target.substr(0, target.find('?')));
    auto length = parser_->content_length();
    if (auto refusal = refuse_head(
          req, length ? std::optional<uint64_t>{*length} : std::nullopt, limit))
      return reject(refusal->status, refusal->detail);
    parser_->body_limit(limit);
    if (beast::iequals(req[http::field::expect], "100-continue"))
      send_continue();
    stream_.expires_after(defaults::http_read_timeout);
    // Beast reads as much as the buffer holds (at least 512 bytes): a
    // large body is read through a large buffer, not 512 bytes a call
    // (a 4 MB photo took 8,000 reads), and the buffer shrinks after it.
    if (length && *length > defaults::http_body_read_chunk)
      buffer_.reserve(defaults::http_body_read_chunk);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->on_body(ec);
                     });
  }

  /// Tells a client waiting with `Expect: 100-continue` to send its body.
  /// Behind unwritten answers it is skipped (the client sends after its
  /// own short wait).
  void send_continue() {
    if (writing_ || !slots_.empty() || closed_)
      return;
    static constexpr std::string_view line = "HTTP/1.1 100 Continue\r\n\r\n";
    writing_ = true;
    net::async_write(stream_, net::buffer(line.data(), line.size()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->writing_ = false;
                       if (ec)
                         return self->close();
                       self->do_write();
                     });
  }

  void on_body(beast::error_code ec) {
    if (ec)
      return on_read_error(ec);
    reading_ = false;
    auto req = parser_->release();
    parser_.reset();
    if (buffer_.capacity() > defaults::max_header_bytes)
      buffer_.shrink_to_fit();
    bool keep_alive = req.keep_alive();
    dispatch(std::move(req));
    if (keep_alive)
      do_read();
    else
      closing_ = true;
  }

  void on_read_error(beast::error_code ec) {
    reading_ = false;
    if (ec == http::error::body_limit)
      return reject(http::status::payload_too_large, "Request body too large");
    if (ec == http::error::header_limit)
      return reject(http::status::request_header_fields_too_large,
                    "Request headers too large (max 16 KB)");
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset ||
        ec == http::error::partial_message) {
      // The client left (or idled out): finish what is owed, then close.
      closing_ = true;
      if (slots_.empty() && !writing_)
        close();
      return;
    }
    reject(http::status::bad_request, "Malformed HTTP request");
  }

  /// Answers a request that cannot be read further, then closes (reading
  /// and dropping what the client still sends, so it sees the answer).
  void reject(http::status status, const std::string& detail) {
    reading_ = false;
    closing_ = true;
    linger_ = true;
    auto s = std::make_shared<slot>(core_->cfg.metrics);
    s->method = "-";
    s->path = "-";
    s->request_id = request_id_for({});
    s->started = std::chrono::steady_clock::now();
    s->keep_alive = false;
    if (parser_ && parser_->is_header_done()) {
      s->method = std::string{parser_->get().method_string()};
      s->path = std::string{parser_->get().target()};
    }
    slots_.push_back(s);
    request_meta meta;
    meta.request_id = s->request_id;
    finish(s, detail_response(status, detail), meta);
  }

  void dispatch(http::request<http::string_body>&& req) {
    auto s = std::make_shared<slot>(core_->cfg.metrics);
    s->started = std::chrono::steady_clock::now();
    s->method = std::string{req.method_string()};
    auto target = std::string{req.target()};
    auto qpos = target.find('?');
    s->path = target.substr(0, qpos);
    s->keep_alive = req.keep_alive() && !closing_;
    s->head = req.method() == http::verb::head;
    request_meta meta;
    meta.origin = std::string{req[http::field::origin]};
    meta.accept_encoding = std::string{req[http::field::accept_encoding]};
    meta.has_cookie = req.count(http::field::cookie) > 0;
    meta.request_id = request_id_for(req["X-Request-Id"]);
    s->request_id = meta.request_id;
    slots_.push_back(s);

    auto& cfg = core_->cfg;
    if (req.method() == http::verb::options && !meta.origin.empty() &&
        req.count(http::field::access_control_request_method) > 0) {
      auto res = preflight_response(
        cfg.policies, meta.origin,
        std::string{req[http::field::access_control_request_method]},
        std::string{req[http::field::access_control_request_headers]});
      res.headers.emplace_back("X-Request-Id", meta.request_id);
      return write_slot(s, std::move(res));
    }
    api_request areq;
    areq.method = req.method();
    areq.path = s->path;
    areq.query = qpos == std::string::npos ? "" : target.substr(qpos + 1);
    areq.content_type = std::string{req[http::field::content_type]};
    areq.authorization = std::string{req[http::field::authorization]};
    areq.accept = std::string{req[http::field::accept]};
    areq.idempotency_key = std::string{req["Idempotency-Key"]};
    areq.client_ip =
      client_address(cfg.policies, peer_, req["X-Forwarded-For"]);
    areq.request_id = meta.request_id;
    auto app_language = req["X-App-Language"];
    areq.newer_app = req.find("X-App-Language") != req.end();
    areq.language = primary_language(
      app_language.empty() ? req[http::field::accept_language] : app_language);
    areq.body = std::move(req.body());
    areq.caller = check_bearer(cfg.jwt, areq.authorization);

    if (areq.path != "/health" && areq.path != "/ready") {
      auto key = client_key(areq.path, areq.caller, areq.client_ip);
      if (auto wait =
            core_->limiter.admit(key, std::chrono::system_clock::now())) {
        auto text = "Rate limit exceeded: " +
                    std::to_string(core_->limiter.per_minute()) +
                    " per 1 minute";
        auto res = json_response(http::status::too_many_requests,
                                 "{\"error\":" + json_string(text) +
                                   ",\"detail\":" + json_string(text) + "}");
        res.headers.emplace_back("Retry-After", std::to_string(*wait));
        return finish(s, std::move(res), meta);
      }
    }
    auto found = core_->routes.match(areq.method, areq.path);
    if (found.handler == nullptr) {
      if (!found.redirect.empty()) {
        auto res = api_response{};
        res.status = http::status::temporary_redirect;
        res.headers.emplace_back(
          "Location", found.redirect +
                        (qpos == std::string::npos ? "" : target.substr(qpos)));
        return finish(s, std::move(res), meta);
      }
      if (found.allowed.empty())
        return finish(s, detail_response(http::status::not_found, "Not Found"),
                      meta);
      auto res =
        detail_response(http::status::method_not_allowed, "Method Not Allowed");
      res.headers.emplace_back("Allow", allow_header(found.allowed));
      return finish(s, std::move(res), meta);
    }
    areq.path_params = std::move(found.params);
    s->route = found.pattern;
    if (areq.caller.state == bearer_check::outcome::valid)
      s->user_id = areq.caller.user_id;
    responder reply{[self = shared_from_this(), s,
                     meta](std::function<api_response()> make) mutable {
      net::post(self->stream_.get_executor(),
                [self, s, meta = std::move(meta), make = std::move(make)] {
                  self->finish(s, self->made(make), meta);
                });
    }};
    try {
      log_scope scope{{s->request_id, s->user_id, nullptr}};
      (*found.handler)(areq, std::move(reply));
    } catch (const std::exception& e) {
      log_error("http", s->request_id + " handler failed: " + e.what());
      finish(s,
             detail_response(http::status::internal_server_error,
                             "Internal Server Error"),
             meta);
    }
  }

  /// The answer a route left to be made here; a failure to make it is a
  /// 500, never an exception on the strand.
  api_response made(const std::function<api_response()>& make) {
    try {
      return make();
    } catch (const std::exception& e) {
      log_error("http", std::string{"rendering an answer failed: "} + e.what());
      return detail_response(http::status::internal_server_error,
                             "Internal Server Error");
    }
  }

  /// Applies the response policies and queues the response for writing.
  void finish(const std::shared_ptr<slot>& s, api_response res,
              const request_meta& meta) {
    if (s->ready)
      return; // answered already (a handler must answer once)
    apply_policies(core_->cfg.policies, meta, res);
    write_slot(s, std::move(res));
  }

  void write_slot(const std::shared_ptr<slot>& s, api_response res) {
    if (closed_)
      return; // cut off: nothing more is written
    auto& out = s->res;
    out.version(11);
    out.result(res.status);
    if (!res.body.empty() || res.status != http::status::no_content)
      out.set(http::field::content_type, res.content_type);
    for (auto& [name, value] : res.headers)
      out.insert(name, value);
    out.body() = std::move(res.body);
    out.keep_alive(s->keep_alive && !closing_);
    if (res.stream && !s->head) {
      s->stream = std::move(res.stream);
      out.chunked(true);
    } else {
      out.prepare_payload();
    }
    if (s->head)
      out.body().clear(); // Content-Length still tells the GET size
    s->ready = true;
    queued_bytes_ += out.body().size();
    // One large answer alone is fine; answers piling up behind it are not.
    if (queued_bytes_ > defaults::http_max_queued_bytes_hard &&
        queued_bytes_ > out.body().size()) {
      log_warn("http", s->request_id + " " + peer_.to_string() +
                         " does not read its answers; closing");
      // A reset, not a close: the kernel would otherwise keep trickling
      // what is queued to a reader that does not read.
      beast::error_code ec;
      stream_.socket().set_option(tcp::socket::linger(true, 0), ec);
      return close();
    }
    do_write();
  }

  void do_write() {
    if (writing_ || closed_ || slots_.empty() || !slots_.front()->ready)
      return;
    writing_ = true;
    auto s = slots_.front();
    stream_.expires_after(defaults::http_write_timeout);
    if (s->stream)
      return write_stream_head(s);
    if (s->head) {
      auto sr =
        std::make_shared<http::response_serializer<http::string_body>>(s->res);
      sr->split(true);
      http::async_write_header(
        stream_, *sr,
        [self = shared_from_this(), s, sr](beast::error_code ec, size_t n) {
          self->on_write(ec, n);
        });
      return;
    }
    http::async_write(
      stream_, s->res,
      [self = shared_from_this(), s](beast::error_code ec, size_t n) {
        self->on_write(ec, n);
      });
  }

  /// A streamed answer: its head, then each piece as a chunk as it comes,
  /// then the last chunk.
  void write_stream_head(const std::shared_ptr<slot>& s) {
    auto sr =
      std::make_shared<http::response_serializer<http::string_body>>(s->res);
    sr->split(true);
    // Weak both: the stream outlives neither its session nor its slot
    // (the slot holds the stream).
    std::weak_ptr<http_session> weak = shared_from_this();
    std::weak_ptr<slot> weak_slot = s;
    s->stream->on_ready([weak, weak_slot] {
      auto self = weak.lock();
      auto s = weak_slot.lock();
      if (!self || !s)
        return;
      net::post(self->stream_.get_executor(), [self, s] {
        if (s->stream_waiting && !self->closed_) {
          s->stream_waiting = false;
          self->write_stream(s);
        }
      });
    });
    http::async_write_header(
      stream_, *sr,
      [self = shared_from_this(), s, sr](beast::error_code ec, size_t n) {
        if (ec)
          return self->on_write(ec, n);
        s->streamed_bytes += n;
        self->write_stream(s);
      });
  }

  void write_stream(const std::shared_ptr<slot>& s) {
    auto piece = std::make_shared<std::string>();
    bool ended = s->stream->take(*piece);
    stream_.expires_after(defaults::http_write_timeout);
    if (!piece->empty()) {
      net::async_write(
        stream_, http::make_chunk(net::buffer(*piece)),
        [self = shared_from_this(), s, piece](beast::error_code ec, size_t n) {
          s->streamed_bytes += n;
          if (ec)
            return self->on_write(ec, s->streamed_bytes);
          self->write_stream(s);
        });
      return;
    }
    if (!ended) {
      s->stream_waiting = true; // woken by the stream's producer
      return;
    }
    net::async_write(
      stream_, http::make_chunk_last(),
      [self = shared_from_this(), s](beast::error_code ec, size_t n) {
        s->streamed_bytes += n;
        self->on_write(ec, s->streamed_bytes);
      });
  }

  void on_write(beast::error_code ec, size_t bytes) {
    writing_ = false;
    auto s = slots_.front();
    slots_.pop_front();
    queued_bytes_ -= std::min(queued_bytes_, s->res.body().size());
    auto took = std::chrono::steady_clock::now() - s->started;
    auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(took).count();
    core_->metrics.record(s->route, s->method, s->res.result_int(), took);
    // A path that carries a secret (the Strava webhook's callback) is
    // logged as its template.
    bool secret_path =
      s->route != nullptr && s->route->find("{secret}") != std::string::npos;
    log_access({s->request_id, peer_.to_string(), s->method,
                secret_path ? *s->route : s->path,
                s->route != nullptr ? *s->route : std::string{},
                s->res.result_int(), bytes, micros, s->user_id});
    if (ec || !s->res.keep_alive()) {
      closing_ = true;
      if (ec || slots_.empty())
        return close();
    }
    if (closing_ && slots_.empty())
      return close();
    do_write();
    do_read();
  }

  void close() {
    if (closed_)
      return;
    closed_ = true;
    release();
    for (auto& s : slots_)
      if (s->stream)
        s->stream->cancel(); // the producer goes on; nobody reads it

    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!linger_) {
      stream_.socket().close(ec);
      return;
    }
    // Closing with unread bytes would send a reset that can destroy the
    // answer before the client reads it: drain (bounded) until it stops.
    stream_.expires_after(defaults::http_linger_time);
    drain(0);
  }

  void drain(size_t dropped) {
    auto scratch = std::make_shared<std::array<char, 16384>>();
    stream_.async_read_some(
      net::buffer(*scratch), [self = shared_from_this(), scratch,
                              dropped](beast::error_code ec, size_t n) {
        if (ec || dropped + n > defaults::http_linger_bytes) {
          beast::error_code ignored;
          self->stream_.socket().close(ignored);
          return;
        }
        self->drain(dropped + n);
      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http_server::core* core_;
  net::ip::address peer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::deque<std::shared_ptr<slot>> slots_;
  size_t queued_bytes_ = 0; ///< bodies of answers not yet written
  bool counted_client_ = false;
  bool linger_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool released_ = false;
};

} // namespace

void http_server::core::accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec,
                                                      tcp::socket socket) {
    if (stopping || ec == net::error::operation_aborted)
      return;
    if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
        ec == net::error::no_memory || ec.value() == ENFILE) {
      // The connection stays in the backlog; retrying at once would
      // spin. Pause, so the descriptors in use can be given back.
      log_warn("http", "accept: " + ec.message() + "; pausing");
      accept_pause.expires_after(defaults::accept_backoff);
      accept_pause.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !stopping)
          accept();
      });
      return;
    }
    if (!ec) {
      auto session = std::make_shared<http_session>(std::move(socket), this);
      bool late = false;
      {
        std::lock_guard<std::mutex> guard{sessions_mtx};
        // Accepted while stop() ran: it did not see this one.
        late = stopping;
        sessions.erase(std::remove_if(sessions.begin(), sessions.end(),
                                      [](auto& w) {
                                        return w.expired();
                                      }),
                       sessions.end());
        sessions.push_back(session);
      }
      session->start();
      if (late)
        session->shutdown_when_idle();
    }
    accept();
  });
}

} // namespace st

namespace st {

http_server::http_server(http_server_settings cfg, router routes)
  : core_(std::make_unique<core>(std::move(cfg), std::move(routes))) {}

http_server::~http_server() {
  stop(std::chrono::milliseconds{0});
}

namespace {

/// Raises the soft descriptor limit to the hard one; answers the limit.
size_t raise_descriptor_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur == RLIM_INFINITY ? SIZE_MAX
                                       : static_cast<size_t>(lim.rlim_cur);
}

} // namespace

uint16_t http_server::start() {
  auto& c = *core_;
  auto descriptors = raise_descriptor_limit();
  auto room = descriptors > 2 * defaults::reserved_descriptors
                ? descriptors - defaults::reserved_descriptors
                : descriptors / 2;
  c.max_connections = std::min(c.cfg.max_connections, room);
  if (c.max_connections < c.cfg.max_connections)
    log_warn("http", "descriptor limit " + std::to_string(descriptors) +
                       ": at most " + std::to_string(c.max_connections) +
                       " connections");
  tcp::endpoint ep{net::ip::make_address(c.cfg.host), c.cfg.port};
  c.acceptor.open(ep.protocol());
  c.acceptor.set_option(net::socket_base::reuse_address(true));
  c.acceptor.bind(ep);
  c.acceptor.listen(net::socket_base::max_listen_connections);
  c.accept();
  for (size_t i = 0; i < c.cfg.threads; ++i)
    threads_.emplace_back([&c] {
      give_thread_signal_stack();
      c.ioc.run();
    });
  return c.acceptor.local_endpoint().port();
}

void http_server::stop(std::chrono::milliseconds grace) {
  if (threads_.empty())
    return;
  auto& c = *core_;
  net::post(c.ioc, [&c] {
    beast::error_code ec;
    c.acceptor.close(ec);
    c.accept_pause.cancel();
  });
  {
    // Under the lock: a connection accepted from now on sees `stopping`.
    std::lock_guard<std::mutex> guard{c.sessions_mtx};
    c.stopping = true;
    for (auto& w : c.sessions)
      if (auto session = w.lock())
        session->shutdown_when_idle();
  }
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (c.metrics.open_connections > 0 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  if (c.metrics.open_connections > 0)
    log_warn("http", std::to_string(c.metrics.open_connections.load()) +
                       " connections still open after the grace period");
  c.ioc.stop();
  for (auto& t : threads_)
    t.join();
  threads_.clear();
  // A session an actor still holds (through a responder) may outlive the
  // server: it must not count itself out of a core that is gone.
  std::lock_guard<std::mutex> guard{c.sessions_mtx};
  for (auto& w : c.sessions)
    if (auto session = w.lock())
      session->release();
  c.sessions.clear();
}

std::string http_server::bound_address() const {
  beast::error_code ec;
  auto ep = core_->acceptor.local_endpoint(ec);
  if (ec)
    return core_->cfg.host;
  auto text = ep.address().to_string();
  return ep.address().is_v6() ? "[" + text + "]" : text;
}

size_t http_server::num_connections() const {
  return core_->metrics.open_connections;
}

} // namespace st
