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

/// POST chat/send: `message` (1–4000 characters), `run_orchestrator`.
[[nodiscard]] std::optional<chat_message>
parse_chat_message(const std::string& body,
                   std::vector<validation_error>& errors);

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
