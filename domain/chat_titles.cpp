#include "domain/chat_titles.hpp"

#include "protocols/limits.hpp"

#include <array>

#include "util/text.hpp"

namespace st {

namespace {

struct localized_titles {
  const char* locale;
  std::array<const char*, 3> titles; ///< by thread_title_kind
};

// The reference's Russian titles first: a database moved from it keeps
// the same words for its Russian-speaking athletes.
constexpr localized_titles all_titles[] = {
  {"ru", {"Основной", "Новый чат", "Чат"}},
  {"en", {"Main", "New chat", "Chat"}},
  {"de", {"Allgemein", "Neuer Chat", "Chat"}},
  {"fr", {"Principal", "Nouvelle discussion", "Discussion"}},
  {"es", {"Principal", "Nuevo chat", "Chat"}},
  {"it", {"Principale", "Nuova chat", "Chat"}},
  {"pt", {"Principal", "Nova conversa", "Conversa"}},
  {"th", {"หลัก", "แชทใหม่", "แชท"}},
};

} // namespace

std::string default_thread_title(thread_title_kind kind,
                                 std::string_view locale) {
  auto at = static_cast<size_t>(kind);
  for (auto& x : all_titles)
    if (locale == x.locale)
      return x.titles[at];
  return all_titles[0].titles[at];
}

std::string thread_title_of(std::string_view title, thread_title_kind kind,
                            std::string_view locale) {
  auto trimmed = trim(title);
  if (trimmed.empty())
    return default_thread_title(kind, locale);
  return utf8_prefix(trimmed, limits::max_thread_title_chars);
}

} // namespace st
