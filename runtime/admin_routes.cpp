#include "protocols/http/operator_stats.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/ask.hpp"
#include "runtime/embedded.hpp"
#include "runtime/route_support.hpp"

#include <openssl/crypto.h>

#include <atomic>
#include <dirent.h>
#include <fstream>
#include <sys/resource.h>
#include <unistd.h>

namespace st {

namespace {

using status = http::status;

/// The admin routes' gate: 404 while no ADMIN_TOKEN is set (the routes do
/// not exist), 401 without a bearer token, 403 with a wrong one.
std::optional<api_response> refuse_operator(const api_context& ctx,
                                            const api_request& req) {
  if (ctx.admin_token.empty())
    return detail_response(status::not_found, "Not Found");
  auto token = bearer_token(req.authorization);
  if (token.empty()) {
    auto res = detail_response(status::unauthorized, "Not authenticated");
    res.headers.emplace_back("WWW-Authenticate", "Bearer");
    return res;
  }
  if (token.size() != ctx.admin_token.size() ||
      CRYPTO_memcmp(token.data(), ctx.admin_token.data(), token.size()) != 0)
    return detail_response(status::forbidden, "Not authorized");
  return std::nullopt;
}

process_figures read_process(std::chrono::steady_clock::time_point started) {
  process_figures result;
  std::ifstream statm{"/proc/self/statm"};
  uint64_t pages = 0;
  uint64_t resident = 0;
  auto page_size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  if (statm >> pages >> resident) {
    result.rss_bytes = resident * page_size;
    result.virtual_bytes = pages * page_size;
  }
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0)
    result.cpu_seconds =
      static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
      static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) /
        1e6;
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0)
    result.max_files = static_cast<uint64_t>(files.rlim_cur);
  std::ifstream status_file{"/proc/self/status"};
  for (std::string line; std::getline(status_file, line);)
    if (line.rfind("Threads:", 0) == 0)
      result.threads = std::stoull(line.substr(8));
  if (auto* dir = opendir("/proc/self/fd")) {
    while (auto* entry = readdir(dir))
      if (entry->d_name[0] != '.')
        ++result.open_files;
    closedir(dir);
    --result.open_files; // the directory's own descriptor
  }
  auto up =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  result.uptime_seconds = static_cast<uint64_t>(up.count());
  result.start_time = std::chrono::duration<double>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count() -
                      up.count();
  return result;
}

/// Asks every component for its figures at once; answers when all are in
/// (the first failure answers instead). Each answer fills its own member.
class stats_collector {
public:
  using callback = std::function<void(caf::expected<system_stats>)>;

  stats_collector(const api_context& ctx, callback done)
    : started_(ctx.started), http_(ctx.http), done_(std::move(done)) {}

  /// Asks `dest` for its `Stats` and keeps the answer in `member`.
  template<class Stats, class Handle>
  static void ask_for(const std::shared_ptr<stats_collector>& self,
                      const api_context& ctx, const Handle& dest,
                      Stats system_stats::*member) {
    self->expect();
    ask<Stats>(
      ctx, dest,
      [self, member](caf::expected<Stats> x) {
        if (!x)
          return self->fail(x.error());
        self->stats_.*member = std::move(*x);
        self->part_done();
      },
      atom::status_v);
  }

  /// Every part is asked for: answer once they are in.
  void seal(uint64_t user_cache_bytes) {
    stats_.user_cache_bytes = user_cache_bytes;
    part_done();
  }

private:
  void expect() {
    remaining_.fetch_add(1);
  }

  void part_done() {
    if (remaining_.fetch_sub(1) != 1 || failed_.load())
      return;
    stats_.http.open_connections = http_->open_connections.load();
    stats_.http.in_flight = http_->in_flight.load();
    stats_.http.num_requests = http_->num_requests();
    stats_.process = read_process(started_);
    done_(std::move(stats_));
  }

  void fail(const caf::error& err) {
    if (!failed_.exchange(true))
      done_(err);
  }

  std::chrono::steady_clock::time_point started_;
  std::shared_ptr<const http_metrics> http_;
  callback done_;
  system_stats stats_;
  std::atomic<int> remaining_{1}; ///< the seal counts as one part
  std::atomic<bool> failed_{false};
};

/// Gathers every component's figures and hands them to `done`.
void collect_stats(const api_context& ctx, stats_collector::callback done) {
  auto c = std::make_shared<stats_collector>(ctx, std::move(done));
  stats_collector::ask_for(c, ctx, ctx.users, &system_stats::users);
  stats_collector::ask_for(c, ctx, ctx.db, &system_stats::db);
  stats_collector::ask_for(c, ctx, ctx.upstream, &system_stats::upstream);
  stats_collector::ask_for(c, ctx, ctx.gemini, &system_stats::gemini);
  stats_collector::ask_for(c, ctx, ctx.strava, &system_stats::strava);
  stats_collector::ask_for(c, ctx, ctx.reminders, &system_stats::reminders);
  c->seal(ctx.user_caches ? ctx.user_caches->used() : 0);
}

/// Live figures and files built in: never served from a cache.
api_response uncached(api_response res) {
  res.headers.emplace_back("Cache-Control", "no-cache");
  return res;
}

} // namespace

void add_admin_routes(router& r, const api_context& ctx) {
  auto actors = [ctx](api_request& req, responder reply) {
    if (auto refusal = refuse_operator(ctx, req))
      return reply(std::move(*refusal));
    collect_stats(ctx, [reply](caf::expected<system_stats> x) {
      if (!x)
        return reply(error_response(x.error()));
      reply.later([stats = std::make_shared<system_stats>(std::move(*x))] {
        return json_response(status::ok, system_stats_json(*stats));
      });
    });
  };
  r.add(http::verb::get, "/api/v1/admin/actors", actors);
  // The name of earlier releases.
  r.add(http::verb::get, "/api/v1/admin/stats", actors);
  r.add(http::verb::get, "/metrics", [ctx](api_request& req, responder reply) {
    if (auto refusal = refuse_operator(ctx, req))
      return reply(std::move(*refusal));
    collect_stats(ctx, [ctx, reply](caf::expected<system_stats> x) {
      if (!x)
        return reply(error_response(x.error()));
      reply(uncached(
        content_response("text/plain; version=0.0.4; charset=utf-8",
                         system_stats_prometheus(*x, ctx.http->registry()))));
    });
  });
  // The page asks for the token itself; without one it shows nothing.
  r.add(http::verb::get, "/admin", [](api_request&, responder reply) {
    reply(uncached(
      content_response("text/html; charset=utf-8", embedded::admin_page)));
  });
  r.add(http::verb::get, "/openapi.json",
        [doc = ctx.openapi_json](api_request&, responder reply) {
          reply(uncached(content_response("application/json", *doc)));
        });
  // FastAPI's interactive page over the document, Swagger UI built in.
  auto served = [&r](const char* path, const char* type, const char* text,
                     const char* cache) {
    r.add(http::verb::get, path, [=](api_request&, responder reply) {
      auto res = content_response(type, text);
      res.headers.emplace_back("Cache-Control", cache);
      reply(std::move(res));
    });
  };
  served("/docs", "text/html; charset=utf-8", embedded::docs_page, "no-cache");
  served("/docs/swagger-ui-bundle.js", "application/javascript; charset=utf-8",
         embedded::swagger_ui_js, "public, max-age=86400");
  served("/docs/swagger-ui.css", "text/css; charset=utf-8",
         embedded::swagger_ui_css, "public, max-age=86400");
}

} // namespace st
