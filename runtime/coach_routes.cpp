#include "protocols/http/coach_json.hpp"
#include "protocols/http/multipart.hpp"
#include "protocols/http/user_json.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/route_support.hpp"

#include <algorithm>
#include <limits>

#include "util/dates.hpp"
#include "util/text.hpp"

namespace st {

namespace {

/// A streamed chat reply: the coach writes into it (reply_sink), the HTTP
/// session reads server-sent events out of it (response_stream).
class sse_reply : public reply_sink, public buffered_stream {
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

/// A form's yes: `true` or `1`, in any case (the reference's reading).
bool form_yes(const std::vector<form_part>& parts, std::string_view name) {
  auto* part = find_part(parts, name);
  if (part == nullptr)
    return false;
  auto v = to_lower(trim(part->data));
  return v == "true" || v == "1";
}

/// The message fields of send-with-image and send-with-file (the app sends
/// them as form fields): `message` (at most 4000 characters, may be
/// empty), `thread_id` (an integer: anything else is a 422, §6 item 26),
/// `client_now`; none with the 422 entries.
std::optional<chat_message> chat_form(const std::vector<form_part>& parts,
                                      const api_request& req,
                                      std::vector<validation_error>& errors) {
  chat_message x;
  x.premium_only = true;
  x.language = req.language;
  if (auto* m = find_part(parts, "message")) {
    if (!valid_utf8(m->data) || utf8_length(m->data) > max_chat_message_chars)
      errors.push_back({"string_too_long",
                        {"body", "message"},
                        "String should have at most 4000 characters",
                        echo_string(sanitize_utf8(m->data)),
                        "{\"max_length\":4000}"});
    else
      x.message = trim(m->data);
  }
  if (auto* t = find_part(parts, "thread_id")) {
    auto id = parse_integer(trim(t->data));
    if (!id)
      errors.push_back({"int_parsing",
                        {"body", "thread_id"},
                        "Input should be a valid integer, unable to parse "
                        "string as an integer",
                        echo_string(sanitize_utf8(t->data)),
                        ""});
    else
      x.thread_id = *id;
  }
  if (auto* c = find_part(parts, "client_now");
      c != nullptr && c->data.size() <= max_client_now_chars)
    x.client_now = std::string{c->data};
  if (!errors.empty())
    return std::nullopt;
  return x;
}

/// A chat route with a file: the form read into a message, then asked of
/// the user's actor like chat/send (JSON answer only).
using attachment_reader = std::function<std::optional<api_response>(
  const std::vector<form_part>&, chat_message&)>;

void attachment_route(router& r, const char* path, const api_context& ctx,
                      attachment_reader read_file) {
  user_route(
    r, http::verb::post, path, ctx,
    [read_file](const api_context& ctx, const api_request& req, int32_t user,
                responder reply) {
      if (!ctx.ai_configured)
        return reply(unavailable("AI is not configured"));
      auto parts = parse_multipart(req.content_type, req.body);
      if (!parts)
        return reply(detail_response(http::status::bad_request,
                                     "There was an error parsing the body"));
      std::vector<validation_error> errors;
      auto x = chat_form(*parts, req, errors);
      if (!x)
        return reply(unprocessable(errors));
      if (auto refused = read_file(*parts, *x))
        return reply(std::move(*refused));
      ask_user_within<chat_reply>(ctx, ctx.ai_request_timeout, user,
                                  answer<chat_reply>(reply, chat_reply_json),
                                  atom::chat_v, std::move(*x));
    },
    body_kind::upload);
}

void add_attachment_routes(router& r, const api_context& ctx) {
  using status = http::status;
  attachment_route(
    r, "/api/v1/chat/send-with-image", ctx,
    [](const std::vector<form_part>& parts,
       chat_message& x) -> std::optional<api_response> {
      auto* file = find_part(parts, "file");
      if (file == nullptr || !file->filename || file->filename->empty())
        return detail_response(status::bad_request, "No image file");
      if (auto refused = refuse_image(*file))
        return refused;
      x.attachment.type = chat_attachment::kind::image;
      x.attachment.bytes = std::make_shared<const std::string>(file->data);
      return std::nullopt;
    });
  attachment_route(
    r, "/api/v1/chat/send-with-file", ctx,
    [](const std::vector<form_part>& parts,
       chat_message& x) -> std::optional<api_response> {
      x.run_orchestrator = form_yes(parts, "run_orchestrator");
      auto* file = find_part(parts, "file");
      auto name = file && file->filename ? to_lower(*file->filename) : "";
      bool fit =
        name.size() >= 4 && name.compare(name.size() - 4, 4, ".fit") == 0;
      // Another file is ignored (the reference's way); a message then
      // needs words.
      if (!fit) {
        if (x.message.empty())
          return unprocessable({{"string_too_short",
                                 {"body", "message"},
                                 "String should have at least 1 character",
                                 "\"\"",
                                 "{\"min_length\":1}"}});
        return std::nullopt;
      }
      if (file->data.empty())
        return detail_response(status::bad_request, "Empty FIT file.");
      if (file->data.size() > 10 * 1024 * 1024)
        return detail_response(status::bad_request,
                               "File too large (max 10MB)");
      x.attachment.type = chat_attachment::kind::fit;
      x.attachment.bytes = std::make_shared<const std::string>(file->data);
      x.attachment.filename = *file->filename;
      x.attachment.save_workout = form_yes(parts, "save_workout");
      return std::nullopt;
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
  add_attachment_routes(r, ctx);
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
