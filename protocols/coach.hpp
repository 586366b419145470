#pragma once

#include "protocols/messages.hpp"

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The coach's stored and sent forms: the decision's plan, its readiness
/// signals, and a plan as an Intervals.icu event.
namespace st {

/// A plan object as the model or the database writes it (`title` and
/// `start_date` required, scalars coerced to text); none otherwise.
[[nodiscard]] std::optional<plan_item> read_plan(const rapidjson::Value& v);

/// A Modify plan as an Intervals.icu calendar event (on the athlete's
/// clock); none when its start is not a date or date-time.
[[nodiscard]] std::optional<planned_event> plan_event(const plan_item& x);

/// The readiness signals as JSON (stored and answered alike): `[{signal,
/// unit, value, baseline, band: [low, high], flag, note}]`, values to three
/// decimals, an open band end, no flag or no note as null; and back (an
/// unreadable text: none).
[[nodiscard]] std::string
readiness_json(const std::vector<readiness_signal>& xs);
[[nodiscard]] std::vector<readiness_signal>
readiness_from_json(std::string_view text);

/// The plan's stored JSON (`{title, start_date, end_date, description,
/// type, raw}`) and back.
[[nodiscard]] std::string plan_json(const plan_item& x);
[[nodiscard]] std::optional<plan_item> plan_from_json(std::string_view text);

} // namespace st
