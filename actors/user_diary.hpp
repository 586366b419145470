#pragma once

#include "actors/user_facet.hpp"

#include <chrono>
#include <optional>

#include "domain/sleep_night.hpp"

namespace st {

/// The diary facet: food_log and sleep_extractions. Nothing cached: the
/// rows are read where they are needed.
struct user_diary_part : user_facet {
  using facet = user_diary_facet;
  [[nodiscard]] static facet::behavior_type behavior();

  /// The last food entry added and when: the same entry sent again within
  /// seconds is a replay (the newer app's offline queue, §6.24), answered
  /// with the stored one instead of a second row.
  struct added_food {
    food_entry input;
    food_entry stored;
    std::chrono::steady_clock::time_point at;
  };
  std::optional<added_food> last_added;

  [[nodiscard]] caf::result<food_entry> add_food(user_self self, food_entry x);

  [[nodiscard]] caf::result<food_entry> food(user_self self, food_ref x);

  [[nodiscard]] caf::result<food_entry> patch_food(user_self self, food_ref ref,
                                                   food_patch x);

  [[nodiscard]] caf::result<bool> delete_food(user_self self, food_ref x);

  /// `date` empty = the user's today.
  [[nodiscard]] caf::result<food_day> day(user_self self, std::string date);

  [[nodiscard]] caf::result<sleep_record> add_sleep(user_self self,
                                                    sleep_input x);

  [[nodiscard]] caf::result<bool> delete_sleep(user_self self, sleep_ref x);

  /// Drops a deleted reading's screenshot from the store. The reading is
  /// gone either way: a store out of reach leaves an orphan, logged.
  static void forget_image(user_self self, std::string key);

  [[nodiscard]] caf::result<std::vector<sleep_record>> sleep(user_self self,
                                                             sleep_query q);

  /// The statement that stores `x` and the entry its row shows: at
  /// `at_micros` (µs since the epoch: a photo's upload), else at midnight
  /// (UTC) of its date (an empty timestamp: the user's today). The same
  /// for a sleep extraction.
  [[nodiscard]] static db_statement
  insert_food(const user_state& st, food_entry x,
              std::optional<int64_t> at_micros = std::nullopt);
  [[nodiscard]] static food_entry food_of(const std::vector<db_value>& row);
  /// `x` as the athlete sees it: micronutrients and the re-analysis only
  /// for a premium athlete (http-api-head.md §1.2).
  [[nodiscard]] static food_entry shown(const user_state& st, food_entry x);
  /// `image`: the key of its kept screenshot.
  [[nodiscard]] static db_statement insert_sleep(const user_state& st,
                                                 std::string extracted_data,
                                                 opt_string image = caf::none);
  /// The statement that replaces reading `before`'s data with a new
  /// reading of its screenshot, moving its night in wellness with it.
  [[nodiscard]] static db_statement reread_sleep(const user_state& st,
                                                 const sleep_record& before,
                                                 std::string extracted_data);
  /// A `sleep_by_id`/`sleep_range` row (the key of its screenshot, if
  /// kept, is its column 3).
  [[nodiscard]] static sleep_record sleep_of(const std::vector<db_value>& row);
  /// Its night as it was read when saved (its "today" was its upload's).
  [[nodiscard]] static sleep_night night_of_reading(const user_state& st,
                                                    const sleep_record& x);
  /// A `food_day` result as the day with its sums.
  [[nodiscard]] static food_day food_day_of(const std::string& date,
                                            const db_rows& rows);
};

} // namespace st
