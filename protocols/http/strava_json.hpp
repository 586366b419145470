#pragma once

#include "protocols/messages.hpp"

#include <string>
#include <vector>

namespace st {

/// GET strava/status: `{"linked": false}` (plus `unlinked_reason` when
/// Strava ended the link) or `{"linked": true, "athlete_id": "<id>" |
/// null, "sync": <the latest job> | null}`.
[[nodiscard]] std::string strava_status_json(const strava_status& x);

/// POST strava/sync: the reference's body (`{"status": "syncing"}` or the
/// `queued` body with its message) plus `job_id`.
[[nodiscard]] std::string strava_ticket_json(const strava_ticket& x);

/// GET strava/activities (the reference's fields).
[[nodiscard]] std::string
strava_activities_json(const std::vector<strava_activity>& xs);

/// The webhook handshake's answer: `{"hub.challenge": "<challenge>"}`.
[[nodiscard]] std::string strava_challenge_json(const std::string& challenge);

/// The callback's page (text/html): connected, with the sync's status.
[[nodiscard]] std::string strava_connected_html(const strava_ticket& x);

} // namespace st
