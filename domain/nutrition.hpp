#pragma once

#include "protocols/messages.hpp"

#include <string>

/// Nutrition rules shared by the routes and the user actors (domain.md
/// §1.2 `food_log`).
namespace st {

/// breakfast, lunch, dinner, snack or other (absent/unknown → other).
[[nodiscard]] std::string normalize_meal_type(const opt_string& x);

} // namespace st
