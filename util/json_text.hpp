#pragma once

#include <string>
#include <string_view>

/// JSON text the lowest layer writes (the log lines among them).
namespace st {

/// A JSON string literal (quotes included) of `x`; ill-formed UTF-8 is
/// written as U+FFFD, so the result is always valid JSON.
[[nodiscard]] std::string json_string(std::string_view x);

} // namespace st
