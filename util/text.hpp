#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace st {

/// `x` without leading and trailing ASCII white space.
[[nodiscard]] std::string trim(std::string_view x);

/// `x` with ASCII letters lower-cased.
[[nodiscard]] std::string to_lower(std::string_view x);

/// `x` with every byte but RFC 3986's unreserved ones as `%XX`: safe in a
/// path segment, a query value or a form field.
[[nodiscard]] std::string percent_encode(std::string_view x);

/// The pieces of `x` between the separators (empty ones included).
[[nodiscard]] std::vector<std::string_view> split(std::string_view x,
                                                  char separator);

/// `x` with ASCII letters upper-cased.
[[nodiscard]] std::string to_upper(std::string_view x);

/// The whole of `x` (surrounding ASCII white space allowed) as a finite
/// decimal number: sign, digits, fraction, exponent. Hex, `inf`, `nan`
/// and anything else are none.
[[nodiscard]] std::optional<double> parse_finite(std::string_view x);

/// A decimal integer written whole (an optional `-`, digits, nothing
/// else) that fits in 64 bits; none otherwise.
[[nodiscard]] std::optional<int64_t> parse_integer(std::string_view x);

/// Length of UTF-8 text in code points (how the reference's validators and
/// PostgreSQL's varchar(n) count).
[[nodiscard]] size_t utf8_length(std::string_view x);

/// The first `n` code points of UTF-8 text.
[[nodiscard]] std::string utf8_prefix(std::string_view x, size_t n);

/// `x` with `%XX` escapes decoded (and `+` as a space when
/// `plus_as_space`, as in query strings); a stray `%` stays as it is.
[[nodiscard]] std::string percent_decode(std::string_view x,
                                         bool plus_as_space);

/// Whether `x` is well-formed UTF-8 (RFC 3629: no overlong forms, no
/// surrogates, nothing past U+10FFFF).
[[nodiscard]] bool valid_utf8(std::string_view x);

/// `x` with every ill-formed UTF-8 sequence replaced by U+FFFD.
[[nodiscard]] std::string sanitize_utf8(std::string_view x);

} // namespace st
