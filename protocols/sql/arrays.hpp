#pragma once

#include "protocols/messages.hpp"

#include <string>
#include <vector>

namespace st {

/// A PostgreSQL array literal (`{"a",NULL,"b"}`) of text values, the
/// parameter form of one column for `unnest`: every element quoted and
/// escaped, none = NULL.
[[nodiscard]] std::string sql_array(const std::vector<db_value>& xs);

/// The same of integers (`{"7","16"}`, which any integer array takes).
[[nodiscard]] std::string sql_int_array(const std::vector<int64_t>& xs);

} // namespace st
