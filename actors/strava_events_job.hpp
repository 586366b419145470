#pragma once

#include "actors/strava_sync_job.hpp"

#include <string>
#include <vector>

namespace st {

struct strava_events_job_state {
  /// A waiting webhook event (strava_webhook_events).
  struct event {
    int64_t id = 0;
    std::string object_type;
    int64_t object_id = 0;
    std::string updates;
  };

  strava_job_context ctx;
  std::vector<event> events; ///< the pass's, oldest first
  size_t next = 0;           ///< the next to apply
  std::vector<db_value> applied;
  /// Strava could not be reached: the rest waits for the reminder.
  bool retry_later = false;

  static inline const char* name = "strava_events_job";
};

/// The events pass of `ctx`'s athlete; quits once no event is left or
/// the rest waits for a retry.
[[nodiscard]] strava_events_job_actor::behavior_type strava_events_job(
  strava_events_job_actor::stateful_pointer<strava_events_job_state> self,
  strava_job_context ctx);

} // namespace st
