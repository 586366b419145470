#pragma once

#include <caf/optional.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace st {

/// One point of an activity's series: the record at `elapsed_sec` after
/// the start (speed in m/s).
struct fit_sample {
  int64_t elapsed_sec = 0;
  caf::optional<int64_t> power;
  caf::optional<double> speed;
  caf::optional<int64_t> heart_rate;
};

/// At most this many samples, at least `min_sample_gap_sec` apart
/// (http-api-head.md §3.7).
constexpr size_t max_fit_samples = 3600;
constexpr int64_t min_sample_gap_sec = 2;

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
  /// The records thinned evenly to max_fit_samples.
  std::vector<fit_sample> series;
};

/// Why a file was refused (for logs; clients get one fixed detail).
struct fit_error {
  std::string reason;
};

/// Decodes the FIT binary protocol: file header (12 or 14 bytes, header
/// CRC checked when present), definition and data messages, compressed
/// timestamp headers, developer fields (skipped), and the file CRC. Reads
/// file_id, session, lap, activity and record messages (the series from
/// the records' timestamp, heart rate, speed and power). Never throws; any
/// malformed or truncated input is a fit_error.
[[nodiscard]] std::variant<fit_summary, fit_error>
decode_fit(std::string_view bytes);

/// The `raw` JSON stored with an imported workout (domain.md §7.1), with
/// its `series` when the file has records.
[[nodiscard]] std::string fit_raw_json(const fit_summary& x);

/// The FIT CRC-16 of `bytes`, continuing from `crc`.
[[nodiscard]] uint16_t fit_crc(std::string_view bytes, uint16_t crc = 0);

/// FIT timestamps count seconds from 1989-12-31T00:00:00Z.
constexpr int64_t fit_epoch_unix = 631065600;

} // namespace st
