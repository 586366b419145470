#pragma once

#include <string>
#include <vector>

namespace st {

/// One schema revision: the reference's alembic revision id and its DDL.
struct migration {
  const char* version;
  const char* sql;
};

/// Every revision in order, compiled in from protocols/sql/migrations.
[[nodiscard]] const std::vector<migration>& migrations();

/// The outcome of a migrate run.
struct migrate_report {
  std::string from; ///< version found ("" = empty database)
  std::string to;   ///< version left behind
  std::vector<std::string> applied;
};

/// Brings the database at `conninfo` to the newest revision, recording it
/// in the reference's `alembic_version` table, so a database the reference
/// created is recognised and left untouched. Runs in one transaction under
/// an advisory lock: concurrent runs wait for each other. Blocking; call it
/// before the actors start or from the `migrate` command.
/// @throws std::runtime_error with the server's message on failure.
migrate_report migrate_database(const std::string& conninfo);

} // namespace st
