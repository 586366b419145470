#pragma once

#include <cstddef>
#include <cstdint>

/// Sane bounds of the athlete's own values: the reference took any
/// number, so one absurd value (a TSS of 1.7e308) broke every sum built
/// on it. Far beyond any real athlete, far inside what arithmetic and the
/// columns take.
namespace st::limits {

constexpr double max_weight_kg = 500;
constexpr double max_height_cm = 300;
constexpr double max_heart_rate = 300;
constexpr double max_hrv_ms = 1000;

/// Ten days: longer than any single activity.
constexpr int64_t max_workout_seconds = 10 * 86400;

/// 10,000 km.
constexpr double max_distance_m = 1e7;

/// Per workout; a hard day is 200–400.
constexpr double max_tss = 5000;

/// `workouts.notes` (text without a limit in the schema).
constexpr size_t max_notes_chars = 10000;

/// Longest e-mail accepted at registration (RFC 5321 path limit).
constexpr size_t max_email_length = 254;

/// Shortest password accepted at registration.
constexpr size_t min_password_length = 8;

/// A chat thread's title (chat_threads.title is VARCHAR(128)).
constexpr size_t max_thread_title_chars = 128;

} // namespace st::limits
