#pragma once

#include "actors/user_facet.hpp"

#include <cstddef>

namespace st {

/// The photo facet: images converted on the upload pool, read by Gemini
/// through the broker, saved as diary rows. The actor keeps serving the
/// user's other requests while a photo is with the model (seconds).
struct user_photo_part : user_facet {
  using facet = user_photo_facet;
  [[nodiscard]] static facet::behavior_type behavior();

  /// Photos between arrival and answer: the actor is not passivated
  /// while any is.
  size_t in_flight = 0;
  [[nodiscard]] bool busy() const {
    return in_flight > 0;
  }

  [[nodiscard]] caf::result<food_analysis> analyze_meal(user_self self,
                                                        meal_photo x);

  [[nodiscard]] caf::result<photo_analysis> analyze_photo(user_self self,
                                                          photo_upload x);

  [[nodiscard]] caf::result<sleep_record> analyze_sleep(user_self self,
                                                        sleep_photo x);

  [[nodiscard]] caf::result<food_analysis> analyze_text(user_self self,
                                                        meal_text x);

  [[nodiscard]] caf::result<food_entry> add_text(user_self self,
                                                 meal_text_entry x);

  [[nodiscard]] caf::result<food_entry> reanalyze_food(user_self self,
                                                       food_reanalysis x);

  /// The kept screenshot of a sleep reading read again (premium).
  [[nodiscard]] caf::result<sleep_record> reanalyze_sleep(user_self self,
                                                          sleep_reanalysis x);
};

} // namespace st
