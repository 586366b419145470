#include "domain/chat_texts.hpp"

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

struct localized_attachment {
  const char* locale;
  const char* fit;   ///< followed by the file's summary
  const char* photo; ///< the whole message
};

constexpr localized_attachment all_attachments[] = {
  {"ru", "Приложен FIT-файл тренировки.", "Что на фото? Прокомментируй."},
  {"en", "Workout FIT file attached.", "What is in the photo? Comment on it."},
  {"de", "Trainings-FIT-Datei angehängt.",
   "Was ist auf dem Foto? Kommentiere es."},
  {"fr", "Fichier FIT d'entraînement joint.",
   "Qu'y a-t-il sur la photo ? Commente-la."},
  {"es", "Archivo FIT de entrenamiento adjunto.",
   "¿Qué hay en la foto? Coméntala."},
  {"it", "File FIT dell'allenamento allegato.",
   "Cosa c'è nella foto? Commentala."},
  {"pt", "Arquivo FIT do treino anexado.", "O que há na foto? Comente."},
  {"th", "แนบไฟล์ FIT ของการฝึกซ้อมแล้ว", "ในรูปมีอะไร? ช่วยอธิบายหน่อย"},
};

const localized_attachment& attachment_texts(std::string_view locale) {
  for (auto& x : all_attachments)
    if (locale == x.locale)
      return x;
  return all_attachments[0];
}

/// The most of a FIT file's summary an empty message carries.
constexpr size_t most_summary_chars = 300;

} // namespace

std::string attached_fit_message(std::string_view locale,
                                 std::string_view summary) {
  return std::string{attachment_texts(locale).fit} + " " +
         utf8_prefix(summary, most_summary_chars);
}

std::string attached_photo_message(std::string_view locale) {
  return attachment_texts(locale).photo;
}

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
