#include "protocols/sql/arrays.hpp"

namespace st {

std::string sql_array(const std::vector<db_value>& xs) {
  std::string result = "{";
  for (size_t i = 0; i < xs.size(); ++i) {
    if (i > 0)
      result += ',';
    if (!xs[i]) {
      result += "NULL";
      continue;
    }
    result += '"';
    for (char c : *xs[i]) {
      if (c == '"' || c == '\\')
        result += '\\';
      result += c;
    }
    result += '"';
  }
  result += '}';
  return result;
}

std::string sql_int_array(const std::vector<int64_t>& xs) {
  std::vector<db_value> texts;
  for (auto x : xs)
    texts.emplace_back(std::to_string(x));
  return sql_array(texts);
}

} // namespace st
