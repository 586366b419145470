#include "protocols/sql/statements.hpp"

#include <catch2/catch.hpp>

#include <set>

namespace st {

TEST_CASE("the statement catalog is in enum order, names unique") {
  // statement(id) indexes the catalog by the enum's value.
  std::set<std::string> names;
  auto& catalog = statement_catalog();
  for (size_t i = 0; i < catalog.size(); ++i) {
    INFO(catalog[i].name);
    CHECK(static_cast<size_t>(catalog[i].id) == i);
    CHECK(names.insert(catalog[i].name).second);
  }
  CHECK(std::string{statement(stmt::reminders_outlook).name} ==
        "reminders_outlook");
}

} // namespace st
