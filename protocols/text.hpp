#pragma once

#include <string>
#include <string_view>

namespace st {

/// `x` without leading and trailing ASCII white space.
[[nodiscard]] std::string trim(std::string_view x);

/// `x` with ASCII letters lower-cased.
[[nodiscard]] std::string to_lower(std::string_view x);

/// `x` with ASCII letters upper-cased.
[[nodiscard]] std::string to_upper(std::string_view x);

} // namespace st
