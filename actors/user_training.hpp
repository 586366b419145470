#pragma once

#include "actors/cache_budget.hpp"
#include "actors/user_facet.hpp"

#include <optional>

namespace st {

/// The training facet: wellness_cache, workouts, the fitness figures and
/// FIT imports. Caches pages and the fitness of the day; drops them when
/// the core says their rows changed.
struct user_training_part : user_facet {
  using facet = user_training_facet;
  [[nodiscard]] static facet::behavior_type behavior();

  page_cache<page_ptr<wellness_day>> wellness_pages;
  page_cache<page_ptr<workout>> workout_pages;
  std::optional<fitness> load;

  void rows_changed(user_self self, user_table t);

  /// A `wellness_range` row, a `workout_range` row.
  [[nodiscard]] static wellness_day wellness_of(const std::vector<db_value>& r);
  [[nodiscard]] static workout workout_of(const std::vector<db_value>& r);

  [[nodiscard]] caf::result<wellness_day> put_wellness(user_self self,
                                                       wellness_input x);

  [[nodiscard]] caf::result<bool> clear_wellness(user_self self,
                                                 wellness_clear x);

  [[nodiscard]] caf::result<page_ptr<wellness_day>> wellness(user_self self,
                                                             list_query q);

  [[nodiscard]] caf::result<workout> add_workout(user_self self,
                                                 workout_input x);

  [[nodiscard]] caf::result<workout>
  patch_workout(user_self self, workout_ref ref, workout_input x);

  [[nodiscard]] caf::result<bool> delete_workout(user_self self, workout_ref x);

  [[nodiscard]] caf::result<page_ptr<workout>> workouts(user_self self,
                                                        list_query q);

  [[nodiscard]] caf::result<fitness> fitness_of(user_self self,
                                                fitness_query q);

  /// Decodes the file on the upload pool, then stores it.
  [[nodiscard]] caf::result<workout> import_fit(user_self self, fit_upload x);

  [[nodiscard]] caf::result<fit_preview> preview_fit(user_self self,
                                                     fit_upload x);

  /// The database part of an import (awaited: per-user write order).
  void store_fit(user_self self, fit_reading file, deadline until,
                 caf::typed_response_promise<workout> rp);
};

} // namespace st
