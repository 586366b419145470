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

/// "running" → "Running"; none → "Workout".
[[nodiscard]] std::string workout_name_of(const opt_string& sport);

/// Collapses workouts sharing start, name, duration and TSS, keeping the
/// first in the given order (http-api.md §3.8.1).
[[nodiscard]] std::vector<workout> collapse_duplicates(std::vector<workout> xs);

} // namespace st
