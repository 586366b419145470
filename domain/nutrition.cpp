#include "domain/nutrition.hpp"

#include "util/text.hpp"

namespace st {

std::string normalize_meal_type(const opt_string& x) {
  if (!x)
    return "other";
  auto result = to_lower(*x);
  for (auto* known : {"breakfast", "lunch", "dinner", "snack", "other"})
    if (result == known)
      return result;
  return "other";
}

} // namespace st
