#pragma once

#include "protocols/http/json.hpp"
#include "protocols/messages.hpp"

#include <optional>
#include <string>
#include <vector>

/// The analytics tab's JSON bodies (http-api-head.md §3.10).
namespace st {

/// The longest `question` and `chart_type` of an insight.
constexpr size_t max_insight_question_chars = 1000;
constexpr size_t max_chart_type_chars = 64;

/// POST analytics/insight: `chart_type` (string), `data` (an object, kept
/// as compact JSON), `question` (optional).
[[nodiscard]] std::optional<insight_request>
parse_insight_request(const std::string& body,
                      std::vector<validation_error>& errors);

/// A chart's answer: `{from_date, to_date, …}` with the chart's own keys.
[[nodiscard]] std::string analytics_json(const analytics_report& x);

/// `{"insight": …}`, with `"is_teaser": true` for a free athlete's.
[[nodiscard]] std::string insight_json(const insight_reply& x);

} // namespace st
