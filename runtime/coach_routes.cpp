#include "protocols/http/coach_json.hpp"
#include "protocols/http/user_json.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/route_support.hpp"

#include <algorithm>
#include <limits>
#include <mutex>

#include "util/dates.hpp"

namespace st {

namespace {

/// A streamed chat reply: the coach writes into it (reply_sink), the HTTP
/// session reads server-sent events out of it (response_stream).
class sse_reply : public reply_sink, public response_stream {
public:
  void delta(std::string_view text) override {
    produce(sse_delta(text), false);
  }

  void done(const std::string& reply) override {
    produce(sse_done(reply), true);
  }

  void failed(const std::string& detail) override {
    produce(sse_error(detail), true);
  }

  bool take(std::string& out) override {
    std::lock_guard<std::mutex> guard{mtx_};
    out.swap(pending_);
    pending_.clear();
    return ended_;
  }

  void on_ready(std::function<void()> wake) override {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      wake_ = std::move(wake);
    }
    wake_up();
  }

  void cancel() override {
    std::lock_guard<std::mutex> guard{mtx_};
    cancelled_ = true;
    pending_.clear();
    wake_ = nullptr;
  }

private:
  void produce(std::string event, bool last) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (cancelled_ || ended_)
        return;
      pending_ += event;
      ended_ = last;
    }
    wake_up();
  }

  void wake_up() {
    std::function<void()> wake;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      wake = wake_;
    }
    if (wake)
      wake();
  }

  std::mutex mtx_;
  std::string pending_;
  bool ended_ = false;
  bool cancelled_ = false;
  std::function<void()> wake_;
};

bool wants_events(const api_request& req) {
  return req.accept.find("text/event-stream") != std::string::npos;
}

api_response event_stream_response(std::shared_ptr<sse_reply> stream) {
  api_response res;
  res.content_type = "text/event-stream; charset=utf-8";
  res.headers.emplace_back("Cache-Control", "no-cache");
  res.headers.emplace_back("X-Accel-Buffering", "no"); // proxies: no buffer
  res.stream = std::move(stream);
  return res;
}

/// The history's `limit` (http-api.md §3.10.1): default 50, clamped into
/// 0…500; a non-integer is a 422.
std::optional<int64_t> history_limit(const api_request& req,
                                     std::vector<validation_error>& errors) {
  constexpr int64_t most = 500;
  auto limit = query_int(parse_query(req.query), "limit",
                         std::numeric_limits<int64_t>::min(),
                         std::numeric_limits<int64_t>::max(), errors);
  if (!errors.empty())
    return std::nullopt;
  return std::clamp<int64_t>(limit.value_or(50), 0, most);
}

} // namespace

void add_coach_routes(router& r, const api_context& ctx) {
  user_route(r, http::verb::get, "/api/v1/chat/history", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto limit = history_limit(req, errors);
               if (!limit)
                 return reply(unprocessable(errors));
               ask_user<std::vector<chat_line>>(
                 ctx, user,
                 answer<std::vector<chat_line>>(reply, chat_history_json),
                 atom::get_v, chat_history_query{*limit});
             });
  user_route(r, http::verb::post, "/api/v1/chat/send", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto x = parse_chat_message(req.body, errors);
               if (!x)
                 return reply(unprocessable(errors));
               x->language = req.language;
               // A decision needs no model (the rules decide without one); a
               // reply does.
               if (!x->run_orchestrator && !ctx.ai_configured)
                 return reply(unavailable("AI is not configured"));
               if (!wants_events(req))
                 return ask_user_within<chat_reply>(
                   ctx, ctx.ai_request_timeout, user,
                   answer<chat_reply>(reply, chat_reply_json), atom::chat_v,
                   std::move(*x));
               auto stream = std::make_shared<sse_reply>();
               x->sink = stream;
               std::function<void(caf::expected<chat_reply>)> started =
                 [reply, stream](caf::expected<chat_reply> accepted) {
                   if (!accepted)
                     return reply(error_response(accepted.error()));
                   reply(event_stream_response(stream));
                 };
               ask_user_within<chat_reply>(ctx, ctx.ai_request_timeout, user,
                                           started, atom::chat_v,
                                           std::move(*x));
             });
  user_route(r, http::verb::post, "/api/v1/chat/orchestrator/run", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto day =
                 query_date(parse_query(req.query), "for_date", errors);
               if (!errors.empty())
                 return reply(unprocessable(errors));
               ask_user_within<daily_decision>(
                 ctx, ctx.ai_request_timeout, user,
                 answer<daily_decision>(reply, decision_json), atom::decide_v,
                 decision_request{day ? format_date(*day) : "", req.language});
             });
  user_route(
    r, http::verb::get, "/api/v1/decisions", ctx,
    [](const api_context& ctx, const api_request& req, int32_t user,
       responder reply) {
      std::vector<validation_error> errors;
      auto days = query_int(parse_query(req.query), "days", 1, 366, errors);
      if (!errors.empty())
        return reply(unprocessable(errors));
      ask_user<std::vector<daily_decision>>(
        ctx, user, answer<std::vector<daily_decision>>(reply, decisions_json),
        atom::get_v, decision_query{days.value_or(14)});
    });
}

} // namespace st
