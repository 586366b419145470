#pragma once

#include "protocols/fit.hpp"
#include "protocols/messages.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace st {

/// CTL/ATL/TSB of domain.md §6 from TSS summed per UTC day (days since
/// 1970-01-01, ascending), as of `as_of`: start at the first day with
/// ctl = atl = 0, step every day through `as_of`, round to 1 decimal.
/// No days → not present.
[[nodiscard]] fitness
compute_fitness(const std::vector<std::pair<int64_t, double>>& daily_tss,
                int64_t as_of);

/// The reference's TSS estimate for an imported file (domain.md §7.2).
[[nodiscard]] double estimate_tss(const fit_summary& x,
                                  std::optional<double> ftp);

/// TSS of a Strava activity (strava-endpoints.md §9.1, defects 14 fixed):
/// a ride with power and an FTP: t·P²/(FTP²·36), P the weighted average
/// (NP-like) power, else the average; otherwise hours × the type's rate
/// (running power is not rated against the cycling FTP, and Strava's
/// suffer score is no TSS). Rounded to 1 decimal; 0 without moving time.
[[nodiscard]] double strava_tss(const opt_int& moving_time_sec,
                                const opt_string& type, opt_double power,
                                opt_double ftp);

/// "running" → "Running"; none → "Workout".
[[nodiscard]] std::string workout_name_of(const opt_string& sport);

/// Collapses workouts sharing start, name, duration and TSS, keeping the
/// first in the given order (http-api.md §3.8.1).
[[nodiscard]] std::vector<workout> collapse_duplicates(std::vector<workout> xs);

} // namespace st
