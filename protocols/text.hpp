#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace st {

/// `x` without leading and trailing ASCII white space.
[[nodiscard]] std::string trim(std::string_view x);

/// `x` with ASCII letters lower-cased.
[[nodiscard]] std::string to_lower(std::string_view x);

/// `x` with ASCII letters upper-cased.
[[nodiscard]] std::string to_upper(std::string_view x);

/// The whole of `x` as a finite number (strtod syntax); none otherwise.
[[nodiscard]] std::optional<double> parse_finite(std::string_view x);

/// Length of UTF-8 text in code points (how the reference's validators and
/// PostgreSQL's varchar(n) count).
[[nodiscard]] size_t utf8_length(std::string_view x);

/// The first `n` code points of UTF-8 text.
[[nodiscard]] std::string utf8_prefix(std::string_view x, size_t n);

} // namespace st
