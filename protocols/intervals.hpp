#pragma once

#include "protocols/messages.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Intervals.icu's wire format (external-apis.md §3) and its mapping onto
/// our rows (domain.md §4.3–4.8, with the reference's defects fixed).
namespace st::intervals {

/// Most activities a sync asks for (domain.md §4.7).
constexpr int sync_activity_limit = 500;

/// Most activities the live list asks for (domain.md §4.8).
constexpr int list_activity_limit = 100;

/// Days before today that a sync covers (today included: 91 days).
constexpr int64_t sync_days = 90;

/// Longest event name Intervals.icu accepts.
constexpr size_t max_event_name = 80;

/// `Authorization: Basic base64("API_KEY:<key>")`.
[[nodiscard]] std::string auth_header(std::string_view api_key);

/// `GET /athlete/{id}`: the athlete the key belongs to (link check).
[[nodiscard]] std::string athlete_url(const std::string& base,
                                      const std::string& athlete_id);

/// `GET /athlete/{id}/wellness?oldest&newest`.
[[nodiscard]] std::string wellness_url(const std::string& base,
                                       const std::string& athlete_id,
                                       const std::string& oldest,
                                       const std::string& newest);

/// `GET /athlete/{id}/activities?oldest&newest&limit&fields`. `fields`
/// includes `start_date` (UTC), so a start is never local time taken for
/// UTC (a reference defect).
[[nodiscard]] std::string activities_url(const std::string& base,
                                         const std::string& athlete_id,
                                         const std::string& oldest,
                                         const std::string& newest, int limit);

/// `GET /activity/{id}`.
[[nodiscard]] std::string activity_url(const std::string& base,
                                       const std::string& activity_id);

/// `GET /athlete/{id}/events?oldest&newest` (both empty: the POST target).
[[nodiscard]] std::string events_url(const std::string& base,
                                     const std::string& athlete_id,
                                     const std::string& oldest = {},
                                     const std::string& newest = {});

/// A `workouts` row of a synced activity (domain.md §4.7 step 4).
struct activity_row {
  std::string external_id;
  std::string start_date; ///< ISO instant, UTC
  opt_string name;        ///< at most 512 characters
  opt_string type;        ///< at most 64 characters
  opt_int duration_sec;
  opt_double distance_m;
  opt_double tss;
  std::string raw; ///< the upstream object as JSON text
};

/// Rows of one upstream list: one per key (the last occurrence wins), and
/// how many items could not become a row.
template<class Row>
struct rows_of {
  std::vector<Row> rows;
  int64_t skipped = 0;
};

/// Activities of a sync; skipped: no id, an id longer than the column, or
/// no readable start date. None when the body is not JSON.
[[nodiscard]] std::optional<rows_of<activity_row>>
parse_activity_rows(std::string_view body);

/// Wellness days of a sync; skipped: no readable date. None when the body
/// is not JSON.
[[nodiscard]] std::optional<rows_of<wellness_day>>
parse_wellness_rows(std::string_view body);

/// Planned events as http-api.md §3.9.5 shows them. None when not JSON.
[[nodiscard]] std::optional<std::vector<intervals_event>>
parse_events(std::string_view body);

/// One event object (the answer to a create). None when not an object.
[[nodiscard]] std::optional<intervals_event> parse_event(std::string_view body);

/// The create body with Intervals.icu's field names (`name`,
/// `start_date_local`, `category`, ...): the reference sent `title` and
/// unserialisable dates, so its push never arrived.
[[nodiscard]] std::string event_json(const planned_event& x);

/// A listed activity as JSON text and, when it came without its details
/// (no name, no moving time, not a Strava stub), the id to fetch them
/// with `GET /activity/{id}`.
struct listed_activity {
  std::string object;
  std::optional<std::string> detail_id;
};

/// The objects of an activity list, read once. None when not JSON.
[[nodiscard]] std::optional<std::vector<listed_activity>>
parse_activity_list(std::string_view body);

/// `detail`'s members laid over `summary` (both JSON object text); the
/// summary unchanged when the detail is not an object.
[[nodiscard]] std::string merge_detail(const std::string& summary,
                                       std::string_view detail);

/// A listed activity as http-api.md §3.9.6 shows it.
[[nodiscard]] intervals_activity activity_of(const std::string& object);

} // namespace st::intervals
