#pragma once

#include "protocols/fit.hpp"
#include "protocols/gemini.hpp"
#include "protocols/messages.hpp"

#include <string>
#include <string_view>
#include <vector>

/// What the coach asks Gemini and how its answers are read (domain.md
/// §11.2–11.5, §12.2–12.3): the athlete's context as `## ` sections, the
/// decision in JSON mode, the chat with its recent history.
namespace st {

/// The part of the athlete's day a decision is made in: the model is asked
/// for a different answer in each (http-api-head.md §3.9.10).
enum class day_part { morning, daytime, evening };

/// Morning up to `morning_until` (inclusive), evening from `evening_from`
/// (ORCHESTRATOR_MORNING_UNTIL_HOUR, _EVENING_FROM_HOUR), daytime between.
[[nodiscard]] day_part day_part_at(int64_t hour, int64_t morning_until,
                                   int64_t evening_from);

/// Everything the coach knows about the athlete for one day.
struct athlete_day {
  int64_t day = 0;           ///< days since 1970-01-01, the athlete's date
  std::string locale = "ru"; ///< the language of the answer (util/locales)
  /// The decision's hour on the athlete's clock and its part of the day.
  int64_t hour = 12;
  day_part part = day_part::daytime;
  /// A workout of today is stored already.
  bool trained_today = false;
  /// Not an athlete (domain/analytics counts_as_athlete): the decision is
  /// Advice in plain words, with no load, plan or planned workouts.
  bool advice = false;
  /// What the rules flagged today (empty: nothing); the advice hears it.
  std::string readiness_flags;
  athlete_profile profile;
  std::string email;
  food_day food;
  std::vector<wellness_day> wellness; ///< ascending, up to `day`
  std::vector<workout> workouts;      ///< newest first (at most 10)
  std::vector<sleep_record> sleep;    ///< screenshots, newest first
  fitness load;                       ///< of completed training
  /// The athlete's own baselines (domain/readiness), shown to the model.
  opt_double hrv_7d;
  opt_double hrv_60d;
  opt_double rhr_baseline;
  std::vector<intervals_event> planned;
  /// Strava activities: only when STRAVA_DATA_IN_AI allows them (Strava's
  /// terms); otherwise empty and no Strava field of the profile is used.
  bool strava_allowed = false;
  std::vector<strava_activity> strava;
  std::vector<chat_line> history; ///< oldest first
  /// The newest weekly summary (premium chat only), at most
  /// max_coach_memory_chars.
  opt_string coach_memory;
};

/// Sleep hours of the newest screenshot of the 3 days up to `x.day`
/// (`actual_sleep_hours`, else `sleep_hours`), for a day whose row has none.
[[nodiscard]] opt_double photo_sleep_hours(const athlete_day& x);

/// The orchestrator's context (domain.md §11.2), uncapped.
[[nodiscard]] std::string decision_context(const athlete_day& x);

/// The chat's context (domain.md §12.3), each section capped at 1200.
[[nodiscard]] std::string chat_context(const athlete_day& x);

/// The decision request: the instruction (an athlete's verdict with what
/// the part of the day asks, or advice) in the system instruction, the
/// context as the one user turn, JSON mode with the decision's schema.
[[nodiscard]] gemini_prompt decision_prompt(const athlete_day& x);

/// The chat request: the instruction, the recent history as turns, then
/// the context (with `attached`, a section about a file sent with this
/// message, when not empty) and the athlete's message.
[[nodiscard]] gemini_prompt chat_prompt(const athlete_day& x,
                                        const std::string& message,
                                        const std::string& attached = {});

/// The section of a FIT file sent with a chat message: its start, sport,
/// duration, distance, heart rate, power and energy, as one line.
[[nodiscard]] std::string fit_attachment_section(const fit_summary& x);

/// The section of a photo sent with a chat message: what the photo
/// classifier read (none: it could not tell).
[[nodiscard]] std::string
photo_attachment_section(const std::optional<photo_analysis>& x);

/// One week of an athlete for the weekly summary (http-api-head.md
/// §4.7): Monday up to the summary's day.
struct athlete_week {
  std::string locale = "ru";
  std::vector<analytics_workout> workouts;
  std::vector<analytics_food_day> food;
  std::vector<analytics_wellness> wellness;
  std::vector<sleep_record> sleep;

  /// Nothing to summarise: no model call (§6 item 23).
  [[nodiscard]] bool empty() const {
    return workouts.empty() && food.empty() && wellness.empty() &&
           sleep.empty();
  }
};

/// The weekly summary request: one or two sentences (at most 500
/// characters) on sleep, nutrition, load and recovery, no greeting, in the
/// athlete's language; the week's data capped per part.
[[nodiscard]] gemini_prompt weekly_summary_prompt(const athlete_week& x);

/// The longest summary stored, and the most of the newest one the chat's
/// context carries as the coach's memory.
constexpr size_t max_weekly_summary_chars = 500;
constexpr size_t max_coach_memory_chars = 600;

/// The one line of a FIT file's summary (also the message of an empty
/// one).
[[nodiscard]] std::string fit_summary_line(const fit_summary& x);

/// Reads the model's decision (domain.md §11.4) with the reference's
/// defect fixed: a missing or unknown decision word makes the answer
/// invalid (never Go). The word is Go, Modify or Skip, or, for `advice`,
/// Advice alone. `source` "ai", no date or slot.
[[nodiscard]] model_reading<daily_decision> read_decision(std::string_view text,
                                                          bool advice);

/// The Skip a decision falls back to: empty answer, invalid answer.
[[nodiscard]] daily_decision no_answer_decision();
[[nodiscard]] daily_decision invalid_answer_decision();

/// Whether a decision leaves a message in the chat: a Modify, Skip or
/// Advice with its reason, or evening tips or tomorrow's session.
[[nodiscard]] bool leaves_message(const daily_decision& x);

/// That message: `Decision: <D>. <reason>`, then `Next days:`, `Evening:`
/// and `Tomorrow:` paragraphs.
[[nodiscard]] std::string decision_message(const daily_decision& x);

/// The chat reply of `chat/send` with `run_orchestrator`.
[[nodiscard]] std::string decision_reply(const daily_decision& x);

} // namespace st
