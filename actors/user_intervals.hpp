#pragma once

#include "actors/user.hpp"

/// The Intervals.icu part of the user actor (http-api.md §3.9, domain.md
/// §4): link, unlink, the single-flight sync, live reads, calendar pushes
/// and the background refresh timer. Each function is one handler of the
/// user's behaviour and runs inside the user's actor.
namespace st::user_intervals {

[[nodiscard]] caf::result<intervals_status> status(user_self self);

[[nodiscard]] caf::result<intervals_status> link(user_self self,
                                                 intervals_link x);

[[nodiscard]] caf::result<bool> unlink(user_self self);

/// Starts a sync, or joins the one in flight (single flight: one upstream
/// fetch, every caller gets its result).
[[nodiscard]] caf::result<sync_report> sync(user_self self);

[[nodiscard]] caf::result<std::vector<intervals_event>> events(user_self self,
                                                               list_query q);

[[nodiscard]] caf::result<std::vector<intervals_activity>>
activities(user_self self, list_query q);

[[nodiscard]] caf::result<intervals_event> push_event(user_self self,
                                                      planned_event x);

/// The registry says the user is linked: arm the first background refresh
/// at the user's own offset into the period (the link itself is read when
/// it fires).
void wake(user_self self);

/// The refresh timer fired (ignored unless `generation` is current).
void on_refresh(user_self self, uint64_t generation);

/// Offset of a user's first background refresh into `period`: spread
/// evenly by a hash of the id, so users do not all fire at once.
[[nodiscard]] std::chrono::milliseconds
refresh_offset(int32_t user, std::chrono::seconds period);

} // namespace st::user_intervals
