#pragma once

#include <string>
#include <string_view>

namespace st {

/// The app's languages (http-api-head.md §1.1), in the reference's order.
inline constexpr const char* supported_locales[] = {"ru", "en", "de", "fr",
                                                    "es", "it", "pt", "th"};

/// The language a locale falls back to: the reference's default.
inline constexpr const char* fallback_locale = "ru";

/// Whether `locale` (lower case, no region) is one of the app's languages.
[[nodiscard]] bool is_supported_locale(std::string_view locale);

/// The primary language of the first tag of a language header or a locale
/// name, lower-cased: "en-US,en;q=0.9" and " EN_gb" give "en".
[[nodiscard]] std::string primary_language(std::string_view tags);

/// The locale a request's answers are in (§1.1): `asked` (the primary
/// language its `X-App-Language`, else `Accept-Language`, names) if
/// supported, else the athlete's own `users.locale` if supported, else
/// Russian.
[[nodiscard]] std::string request_locale(std::string_view asked,
                                         std::string_view user_locale);

/// The English name of a supported locale's language ("de" → "German"), as
/// the AI prompts name it; Russian for anything else.
[[nodiscard]] const char* language_name(std::string_view locale);

} // namespace st
