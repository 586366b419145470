#pragma once

#include "tests/support/fit_encoder.hpp"

namespace st::test {

/// 2026-11-20T07:00:00Z.
constexpr int64_t sample_start = 1795158000;

/// A one-hour ride with a power meter: file_id, records with compressed
/// timestamps and developer fields, a lap, a big-endian session (NP 220 W,
/// avg 200 W, 30 km, HR 140/170, 800 kcal) and an activity.
inline std::string cycling_with_power() {
  fit_encoder e;
  e.define(0, 0, {{0, 1, 4}, {4, 4, 0}});
  e.data(0, {{0, 1, 4}, {4, 4, fit_time(sample_start)}});
  e.define(1, 20, {{253, 4, 0}, {3, 1, 0}, {7, 2, 0}}, false, 2);
  e.data(1, {{253, 4, fit_time(sample_start)}, {3, 1, 120}, {7, 2, 180}});
  // Compressed-timestamp records use a layout without the timestamp field.
  e.define(2, 20, {{3, 1, 0}, {7, 2, 0}}, false, 2);
  for (uint8_t i = 1; i <= 20; ++i)
    e.compressed(2, static_cast<uint8_t>((fit_time(sample_start) + i) & 0x1F),
                 {{3, 1, static_cast<uint32_t>(120 + i)}, {7, 2, 200}});
  e.define(2, 19, {{253, 4, 0}, {2, 4, 0}, {7, 4, 0}});
  e.data(2, {{253, 4, fit_time(sample_start + 3600)},
             {2, 4, fit_time(sample_start)},
             {7, 4, 3600000}});
  e.define(3, 18,
           {{253, 4, 0},
            {2, 4, 0},
            {7, 4, 0},
            {8, 4, 0},
            {9, 4, 0},
            {5, 1, 0},
            {11, 2, 0},
            {16, 1, 0},
            {17, 1, 0},
            {20, 2, 0},
            {34, 2, 0}},
           true);
  e.data(3, {{253, 4, fit_time(sample_start + 3600)},
             {2, 4, fit_time(sample_start)},
             {7, 4, 3600000},
             {8, 4, 3500000},
             {9, 4, 3000000},
             {5, 1, 2},
             {11, 2, 800},
             {16, 1, 140},
             {17, 1, 170},
             {20, 2, 200},
             {34, 2, 220}});
  e.define(4, 34, {{253, 4, 0}, {5, 4, 0}});
  e.data(4, {{253, 4, fit_time(sample_start + 3600)},
             {5, 4, fit_time(sample_start + 3600)}});
  return e.file();
}

/// A 45-minute run with heart rate only: no power fields, invalid (0xFFFF)
/// calories, session without start_time (its timestamp is used).
inline std::string running_heart_rate_only() {
  fit_encoder e;
  e.define(0, 20, {{253, 4, 0}, {3, 1, 0}});
  for (uint32_t i = 0; i < 5; ++i)
    e.data(0, {{253, 4, fit_time(sample_start + 86400 + i)}, {3, 1, 150}});
  e.define(
    1, 18,
    {{253, 4, 0}, {8, 4, 0}, {9, 4, 0}, {5, 1, 0}, {11, 2, 0}, {16, 1, 0}});
  e.data(1, {{253, 4, fit_time(sample_start + 86400)},
             {8, 4, 2700000},
             {9, 4, 1000000},
             {5, 1, 1},
             {11, 2, 0xFFFF},
             {16, 1, 155}});
  return e.file();
}

} // namespace st::test
