#include "protocols/http/coach_json.hpp"
#include "protocols/http/user_json.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/route_support.hpp"

#include <algorithm>
#include <limits>
#include <mutex>

#include "util/dates.hpp"
#include "util/text.hpp"

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

/// The history's query (http-api.md §3.10.1, http-api-head.md §3.9.6):
/// `limit` default 50, clamped into 0…500; `thread_id` optional; a
/// non-integer is a 422.
std::optional<chat_history_query>
history_query(const api_request& req, std::vector<validation_error>& errors) {
  constexpr int64_t most = 500;
  auto q = parse_query(req.query);
  auto limit = query_int(q, "limit", std::numeric_limits<int64_t>::min(),
                         std::numeric_limits<int64_t>::max(), errors);
  auto thread = query_int(q, "thread_id", std::numeric_limits<int64_t>::min(),
                          std::numeric_limits<int64_t>::max(), errors);
  if (!errors.empty())
    return std::nullopt;
  chat_history_query result;
  result.limit = std::clamp<int64_t>(limit.value_or(50), 0, most);
  if (thread)
    result.thread_id = *thread;
  result.language = req.language;
  return result;
}

/// A route on one of the athlete's threads (`{thread_id}`): the handler
/// gets its reference; a non-integer id is a 422.
using thread_handler = std::function<void(
  const api_context&, const api_request&, int32_t, thread_ref, responder)>;

void thread_route(router& r, http::verb method, const char* path,
                  const api_context& ctx, thread_handler handle) {
  user_route(r, method, path, ctx,
             [handle](const api_context& ctx, const api_request& req,
                      int32_t user, responder reply) {
               std::vector<validation_error> errors;
               auto id = path_id(req, "thread_id", errors);
               if (!id)
                 return reply(unprocessable(errors));
               handle(ctx, req, user, thread_ref{*id}, std::move(reply));
             });
}

void add_thread_routes(router& r, const api_context& ctx) {
  user_route(
    r, http::verb::get, "/api/v1/chat/threads", ctx,
    [](const api_context& ctx, const api_request& req, int32_t user,
       responder reply) {
      std::vector<validation_error> errors;
      auto q = parse_query(req.query);
      list_query x;
      x.limit = query_int(q, "limit", 1, 200, errors).value_or(50);
      x.offset = query_int(q, "offset", 0, INT32_MAX, errors).value_or(0);
      if (!errors.empty())
        return reply(unprocessable(errors));
      ask_user<page_ptr<chat_thread>>(
        ctx, user, answer_page<chat_thread>(std::move(reply), thread_page_json),
        atom::get_v, atom::chat_v, x);
    });
  user_route(r, http::verb::post, "/api/v1/chat/threads", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               // The body is optional: none is a thread with the default
               // title.
               auto x = trim(req.body).empty()
                          ? std::optional<thread_title>{thread_title{}}
                          : parse_thread_title(req.body, false, errors);
               if (!x)
                 return reply(unprocessable(errors));
               x->language = req.language;
               ask_user<chat_thread>(ctx, user,
                                     answer<chat_thread>(reply, thread_json),
                                     atom::add_v, std::move(*x));
             });
  thread_route(r, http::verb::patch, "/api/v1/chat/threads/{thread_id}", ctx,
               [](const api_context& ctx, const api_request& req, int32_t user,
                  thread_ref ref, responder reply) {
                 std::vector<validation_error> errors;
                 auto x = parse_thread_title(req.body, true, errors);
                 if (!x)
                   return reply(unprocessable(errors));
                 x->language = req.language;
                 ask_user<chat_thread>(ctx, user,
                                       answer<chat_thread>(reply, thread_json),
                                       atom::patch_v, ref, std::move(*x));
               });
  thread_route(r, http::verb::delete_, "/api/v1/chat/threads/{thread_id}", ctx,
               [](const api_context& ctx, const api_request&, int32_t user,
                  thread_ref ref, responder reply) {
                 ask_user<bool>(ctx, user, answer_no_content<bool>(reply),
                                atom::del_v, ref);
               });
  thread_route(
    r, http::verb::post, "/api/v1/chat/threads/{thread_id}/clear", ctx,
    [](const api_context& ctx, const api_request&, int32_t user, thread_ref ref,
       responder reply) {
      ask_user<bool>(ctx, user,
                     answer<bool>(reply,
                                  [](bool) {
                                    return std::string{R"({"ok":true})"};
                                  }),
                     atom::purge_v, ref);
    });
}

} // namespace

void add_coach_routes(router& r, const api_context& ctx) {
  add_thread_routes(r, ctx);
  user_route(r, http::verb::get, "/api/v1/chat/history", ctx,
             [](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
               std::vector<validation_error> errors;
               auto q = history_query(req, errors);
               if (!q)
                 return reply(unprocessable(errors));
               ask_user<std::vector<chat_line>>(
                 ctx, user,
                 answer<std::vector<chat_line>>(reply, chat_history_json),
                 atom::get_v, std::move(*q));
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
               // The newer app's optional body: its `locale` names the
               // decision's language over the headers (§3.9.10).
               auto x = trim(req.body).empty()
                          ? std::optional<decision_request>{decision_request{}}
                          : parse_decision_request(req.body, errors);
               if (!x || !errors.empty())
                 return reply(unprocessable(errors));
               if (day)
                 x->for_date = format_date(*day);
               if (x->language.empty())
                 x->language = req.language;
               ask_user_within<daily_decision>(
                 ctx, ctx.ai_request_timeout, user,
                 answer<daily_decision>(reply, decision_json), atom::decide_v,
                 std::move(*x));
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
