#pragma once

#include "protocols/http/json.hpp"
#include "protocols/messages.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The coach's JSON bodies (http-api.md §3.10) and the server-sent events
/// of a streamed reply.
namespace st {

/// The longest chat message (the reference had none).
constexpr size_t max_chat_message_chars = 4000;

/// The longest `client_now` read (an ISO-8601 instant is ~30).
constexpr size_t max_client_now_chars = 64;

/// POST chat/send: `message` (1–4000 characters), `run_orchestrator`,
/// `thread_id`, `client_now`.
[[nodiscard]] std::optional<chat_message>
parse_chat_message(const std::string& body,
                   std::vector<validation_error>& errors);

/// POST chat/orchestrator/run's optional body (http-api-head.md
/// §3.9.10): `locale` (its primary language), `client_now`; `for_date`
/// and `client_local_hour` are checked and ignored.
[[nodiscard]] std::optional<decision_request>
parse_decision_request(const std::string& body,
                       std::vector<validation_error>& errors);

/// POST chat/threads (`required` false: a title over 128 characters is
/// refused) and PATCH chat/threads/{id} (`required`: any length, cut).
[[nodiscard]] std::optional<thread_title>
parse_thread_title(const std::string& body, bool required,
                   std::vector<validation_error>& errors);

/// A ThreadItem `{id, title, created_at}`, and a page of them.
[[nodiscard]] std::string thread_json(const chat_thread& x);
[[nodiscard]] std::string thread_page_json(const chat_thread_page& x);

/// The OrchestratorResult's four keys plus `source`.
[[nodiscard]] std::string decision_json(const daily_decision& x);

/// GET decisions: each with its date, slot (`"07:00"` or null) and time.
[[nodiscard]] std::string decisions_json(const std::vector<daily_decision>& xs);

/// GET chat/history.
[[nodiscard]] std::string chat_history_json(const std::vector<chat_line>& xs);

/// `{"reply": "…"}`.
[[nodiscard]] std::string chat_reply_json(const chat_reply& x);

/// A streamed reply's events: `data: {"delta": …}`, then `event: done`
/// with the whole reply, or `event: error` with a detail.
[[nodiscard]] std::string sse_delta(std::string_view text);
[[nodiscard]] std::string sse_done(const std::string& reply);
[[nodiscard]] std::string sse_error(const std::string& detail);

} // namespace st
