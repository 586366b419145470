#pragma once

#include <string>
#include <string_view>

/// The language of what the model writes for the athlete (http-api-head.md
/// §1.1): one sentence added to each system instruction.
namespace st {

/// For JSON answers: text values in the locale's language, keys and enum
/// words (Go, food, ...) in English, as the readers expect.
[[nodiscard]] std::string text_values_in(std::string_view locale);

/// For free-text answers (the chat).
[[nodiscard]] std::string answers_in(std::string_view locale);

} // namespace st
