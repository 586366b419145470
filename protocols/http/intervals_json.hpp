#pragma once

#include "protocols/http/json.hpp"
#include "protocols/messages.hpp"

#include <optional>
#include <string>
#include <vector>

namespace st {

/// Longest athlete id the schema stores (intervals_credentials.athlete_id).
constexpr size_t max_athlete_id_chars = 64;

/// Longest API key accepted (Intervals.icu keys are ~30 characters).
constexpr size_t max_api_key_chars = 512;

/// POST intervals/link: both fields required; the athlete id is trimmed
/// and must fit its column (the reference answered 500 past 64).
[[nodiscard]] std::optional<intervals_link>
parse_intervals_link(const std::string& body,
                     std::vector<validation_error>& errors);

/// POST intervals/events: `name` (1–80), `start_date` (a date or a local
/// date-time), optional `category` (default WORKOUT), `type`,
/// `description`, `moving_time` (seconds).
[[nodiscard]] std::optional<planned_event>
parse_planned_event(const std::string& body,
                    std::vector<validation_error>& errors);

/// `{"linked": false}` or `{"linked": true, "athlete_id", "last_sync",
/// "next_refresh_at"}`; the key is never shown.
[[nodiscard]] std::string intervals_status_json(const intervals_status& x);

/// The reference's sync answer plus what was skipped and how long it took.
[[nodiscard]] std::string sync_report_json(int32_t user, const sync_report& x);

[[nodiscard]] std::string intervals_event_json(const intervals_event& x);
[[nodiscard]] std::string
intervals_events_json(const std::vector<intervals_event>& xs);
[[nodiscard]] std::string
intervals_activities_json(const std::vector<intervals_activity>& xs);

} // namespace st
