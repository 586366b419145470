#pragma once

#include <string>
#include <string_view>

namespace st {

/// Which default title a thread gets (http-api-head.md §3.9): the thread
/// made for an athlete who has none, a new one without a title, a rename
/// to a blank title.
enum class thread_title_kind { main, fresh, renamed };

/// That default title in a supported locale (the reference wrote Russian
/// whatever the language, §3.9.2 defect); Russian for anything else.
[[nodiscard]] std::string default_thread_title(thread_title_kind kind,
                                               std::string_view locale);

/// A title as stored: trimmed, blank = the default of `kind`, cut to
/// limits::max_thread_title_chars characters (not bytes: never inside one).
[[nodiscard]] std::string thread_title_of(std::string_view title,
                                          thread_title_kind kind,
                                          std::string_view locale);

/// The athlete's message for the model and the chat when they attached a
/// file and wrote nothing (the reference stored Russian whatever the
/// language, §3.9.9 defect): a FIT file (with its summary, at most 300
/// characters of it), a photo.
[[nodiscard]] std::string attached_fit_message(std::string_view locale,
                                               std::string_view summary);
[[nodiscard]] std::string attached_photo_message(std::string_view locale);

} // namespace st
