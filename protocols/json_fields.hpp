#pragma once

#include "protocols/messages.hpp"

#include <rapidjson/document.h>

#include <initializer_list>
#include <string>
#include <string_view>

/// Reading fields of upstream JSON objects the way the reference's Python
/// did (truthiness, numeric strings, clipped text): shared by the
/// Intervals.icu and Strava mappings.
namespace st::json_fields {

/// Python truthiness, which the reference's `a or b` chains rely on.
[[nodiscard]] bool truthy(const rapidjson::Value& x);

/// The member `name` of an object, or null.
[[nodiscard]] const rapidjson::Value* member(const rapidjson::Value& obj,
                                             const char* name);

/// The first truthy member among `names` (the reference's `a or b or c`).
[[nodiscard]] const rapidjson::Value*
first_truthy(const rapidjson::Value& obj,
             std::initializer_list<const char*> names);

/// The first non-null member among `names`. Used for measurements, where
/// the reference's truthy chain turned a real 0 (a new athlete's CTL)
/// into "absent".
[[nodiscard]] const rapidjson::Value*
first_present(const rapidjson::Value& obj,
              std::initializer_list<const char*> names);

/// A finite number, or a string holding one (pydantic's coercion); else
/// none.
[[nodiscard]] opt_double number(const rapidjson::Value* x);

/// At most `n` characters of UTF-8 text, without NULs (PostgreSQL text
/// cannot hold them).
[[nodiscard]] std::string clip(std::string_view x, size_t n);

/// A string member clipped to `max_chars`; none when absent or no string.
[[nodiscard]] opt_string text_of(const rapidjson::Value* x, size_t max_chars);

/// An id as text: integral numbers without `.0`, strings trimmed.
[[nodiscard]] std::string id_of(const rapidjson::Value* x);

/// A value truncated to an integer within int32; none otherwise.
[[nodiscard]] opt_int whole(opt_double x);

/// A string member into `out`: none when absent or null; false when of
/// another type.
[[nodiscard]] bool optional_text(const rapidjson::Value& obj, const char* name,
                                 opt_string& out);

} // namespace st::json_fields
