#pragma once

#include <caf/optional.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace st {

/// What the FIT import needs from an activity file (domain.md §7.1).
struct fit_summary {
  int64_t start_unix = 0;   ///< start, Unix seconds (UTC)
  int64_t duration_sec = 0; ///< total_elapsed_time, else total_timer_time
  caf::optional<double> distance_m;
  caf::optional<int64_t> avg_heart_rate;
  caf::optional<int64_t> max_heart_rate;
  caf::optional<int64_t> avg_power;
  caf::optional<int64_t> normalized_power;
  caf::optional<int64_t> total_calories;
  caf::optional<std::string> sport; ///< enum name ("running"), else number
  uint64_t num_records = 0;
  uint64_t num_laps = 0;
};

/// Why a file was refused (for logs; clients get one fixed detail).
struct fit_error {
  std::string reason;
};

/// Decodes the FIT binary protocol: file header (12 or 14 bytes, header
/// CRC checked when present), definition and data messages, compressed
/// timestamp headers, developer fields (skipped), and the file CRC. Reads
/// file_id, session, lap, activity and record messages. Never throws; any
/// malformed or truncated input is a fit_error.
[[nodiscard]] std::variant<fit_summary, fit_error>
decode_fit(std::string_view bytes);

/// The `raw` JSON stored with an imported workout (domain.md §7.1).
[[nodiscard]] std::string fit_raw_json(const fit_summary& x);

/// The FIT CRC-16 of `bytes`, continuing from `crc`.
[[nodiscard]] uint16_t fit_crc(std::string_view bytes, uint16_t crc = 0);

/// FIT timestamps count seconds from 1989-12-31T00:00:00Z.
constexpr int64_t fit_epoch_unix = 631065600;

} // namespace st
