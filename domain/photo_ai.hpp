#pragma once

#include "protocols/gemini.hpp"
#include "protocols/messages.hpp"

#include <optional>
#include <string>
#include <string_view>

/// What the photo features ask Gemini and how its answers are read
/// (domain.md §9.2–9.5): fixed instructions in the system instruction,
/// the image and the athlete's note last; JSON mode with a schema; the
/// answer mended into the documented bounds instead of refused.
namespace st {

/// The longest note an athlete may add to a meal photo.
constexpr size_t max_meal_note_chars = 500;

/// The prompts of the photo features; the names and labels the model
/// writes come back in `locale`'s language.
[[nodiscard]] gemini_prompt meal_prompt(const model_image& image,
                                        const std::string& note,
                                        std::string_view locale);
/// A dish described in words (no image): name, portion, correction.
[[nodiscard]] gemini_prompt meal_text_prompt(const meal_text& dish,
                                             std::string_view locale);
[[nodiscard]] gemini_prompt photo_prompt(const model_image& image,
                                         std::string_view locale,
                                         bool workouts = false);
/// `correction`: what the athlete says an earlier reading got wrong.
[[nodiscard]] gemini_prompt sleep_prompt(const model_image& image, bool full,
                                         std::string_view locale,
                                         std::string_view correction = {});

/// A dish estimate (`id` 0).
[[nodiscard]] model_reading<food_analysis> read_meal(std::string_view text);

/// The photo classification: `type` food, sleep or wellness, and its part.
struct photo_reading {
  std::string type;
  food_analysis food;
  std::string sleep_data; ///< stored form (user_json's sleep object)
  opt_int rhr;
  opt_double hrv;
  photo_workout workout;
};

/// Reads the classification; `workouts`: a fourth kind was offered, and an
/// unknown kind is unusable (else it is read as food, as the reference's
/// older version did).
[[nodiscard]] model_reading<photo_reading> read_photo(std::string_view text,
                                                      bool workouts = false);

/// A sleep extraction in its stored form.
[[nodiscard]] model_reading<std::string> read_sleep(std::string_view text);

} // namespace st
