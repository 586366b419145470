#pragma once

#include "protocols/messages.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace st {

/// Two integers of a Strava rate header: the 15-minute figure, then the
/// daily one (`200,2000`).
using rate_pair = std::pair<int64_t, int64_t>;

/// The four rate headers of one Strava answer (external-apis.md §2.6);
/// none where a header was missing or unreadable.
struct rate_reading {
  std::optional<rate_pair> limit;
  std::optional<rate_pair> usage;
  std::optional<rate_pair> read_limit;
  std::optional<rate_pair> read_usage;
};

} // namespace st

/// Strava's wire format (external-apis.md §2) and its mapping onto our
/// rows (strava-endpoints.md §2, §7, with the reference's defects fixed).
namespace st::strava {

/// The scopes asked for; a grant without activity access cannot sync.
constexpr const char* requested_scope = "read,activity:read_all";

/// The browser's consent page (`<oauth base>/authorize?…`), every value
/// URL-encoded.
[[nodiscard]] std::string authorize_url(const std::string& oauth_base,
                                        const std::string& client_id,
                                        const std::string& redirect_uri,
                                        const std::string& state);

/// Whether a granted `scope` list lets us read activities.
[[nodiscard]] bool grants_activities(std::string_view scope);

/// Form bodies of `POST /oauth/token` and `/oauth/deauthorize`.
[[nodiscard]] std::string exchange_form(const std::string& client_id,
                                        const std::string& client_secret,
                                        const std::string& code,
                                        const std::string& redirect_uri);
[[nodiscard]] std::string refresh_form(const std::string& client_id,
                                       const std::string& client_secret,
                                       const std::string& refresh_token);
[[nodiscard]] std::string deauthorize_form(const std::string& access_token);

/// `GET /athlete/activities?before&after&page&per_page` (after 0 = none).
[[nodiscard]] std::string activities_url(const std::string& api_base,
                                         int64_t after, int64_t before,
                                         int64_t page, int64_t per_page);

/// `GET /activities/{id}`, `GET /athlete`.
[[nodiscard]] std::string activity_url(const std::string& api_base, int64_t id);
[[nodiscard]] std::string athlete_url(const std::string& api_base);

/// `Authorization: Bearer <token>`.
[[nodiscard]] std::string bearer(const std::string& access_token);

/// The athlete's profile fields we keep (`strava_*` of athlete_profiles).
struct athlete_fields {
  opt_double weight_kg;
  opt_int ftp;
  opt_string firstname;
  opt_string lastname;
  opt_string profile_url; ///< `profile`, else `profile_medium`
  opt_string sex;
};

/// A `/oauth/token` answer.
struct token_grant {
  std::string access_token;
  std::string refresh_token; ///< empty: keep the current one
  int64_t expires_at = 0;    ///< Unix s
  std::optional<int64_t> athlete_id;
  /// The summary athlete of an exchange (its profile fields), if any.
  std::optional<athlete_fields> athlete;
};

/// None when the body is no token answer (no access token or expiry).
[[nodiscard]] std::optional<token_grant> parse_token_grant(std::string_view);

/// `GET /athlete`: none when the body is no object; an empty object is an
/// athlete without fields (the route answers 502 for it).
[[nodiscard]] std::optional<athlete_fields> parse_athlete(std::string_view);

/// A `strava_activities` row (strava-endpoints.md §2.2). `start_date` is
/// the true UTC instant (the reference stored local time labelled UTC);
/// the local wall time stays as received in `start_date_local`.
struct activity_row {
  int64_t strava_id = 0;
  int64_t start_unix = 0;
  opt_string start_date_local;
  opt_string timezone;
  opt_string name;
  opt_string description;
  opt_string type;
  opt_string sport_type;
  opt_int workout_type;
  opt_int moving_time_sec;
  opt_int elapsed_time_sec;
  opt_double distance_m;
  opt_double total_elevation_gain_m;
  opt_double elev_high_m;
  opt_double elev_low_m;
  opt_double average_speed_m_s;
  opt_double max_speed_m_s;
  opt_double average_heartrate;
  opt_double max_heartrate;
  opt_double average_watts;
  opt_double kilojoules;
  opt_double suffer_score;
  std::optional<bool> trainer;
  std::optional<bool> commute;
  std::optional<bool> manual;
  std::optional<bool> is_private;
  std::string raw; ///< the object as Strava sent it
};

/// One page of `GET /athlete/activities`: the mapped rows, how many
/// items the page listed (paging ends below `per_page`) and how many had
/// no id or no readable start.
struct activity_page {
  std::vector<activity_row> rows;
  size_t listed = 0;
  int64_t skipped = 0;
};

/// None when the body is no JSON array.
[[nodiscard]] std::optional<activity_page>
  parse_activity_page(std::string_view);

/// `GET /activities/{id}`: none when it is no activity object.
[[nodiscard]] std::optional<activity_row> parse_activity(std::string_view);

/// The four rate headers among an answer's header lines.
[[nodiscard]] rate_reading
read_rate_headers(const std::vector<std::string>& header_lines);

/// Strava's fault body (§2.7), the parts we act on.
struct fault {
  std::string message;
  std::vector<std::string> resources; ///< `errors[].resource`
};

[[nodiscard]] fault parse_fault(std::string_view body);

/// Whether a `/oauth/token` refusal means the grant is gone: 401, or 400
/// naming the refresh token (external-apis.md §2.3).
[[nodiscard]] bool grant_revoked(int status, std::string_view body);

/// Whether an athlete event's `updates` object ends the grant
/// (`{"authorized": "false"}`).
[[nodiscard]] bool deauthorizes(std::string_view updates_json);

/// None (with why in `why`) unless the body is an event we understand.
[[nodiscard]] std::optional<strava_webhook_event>
parse_webhook_event(std::string_view body, std::string& why);

// -- OAuth state
// ---------------------------------------------------------------

/// What a valid `state` names: the user who asked for the URL and the
/// single-use nonce stored for it.
struct oauth_state {
  int32_t user_id = 0;
  std::string nonce;
  int64_t expires_at = 0; ///< Unix s
};

/// `<user>.<nonce>.<expires>.<HMAC-SHA256 base64url>`.
[[nodiscard]] std::string sign_state(std::string_view key,
                                     const oauth_state& x);

enum class state_fault { malformed, forged, expired };

/// The state's fields, or why it is refused (the nonce's single use is
/// checked against the database by the user's actor).
[[nodiscard]] std::variant<oauth_state, state_fault>
verify_state(std::string_view key, std::string_view text, int64_t now);

} // namespace st::strava
