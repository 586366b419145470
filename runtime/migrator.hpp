#pragma once

#include <string>
#include <vector>

namespace st {

/// One schema revision: its id in alembic_version ("NNN" for the
/// reference's revisions, "cpp-NNN" for this service's own) and its SQL.
struct migration {
  const char* version;
  const char* sql;
};

/// Every revision in order (the reference's 001-032, then this service's),
/// compiled in from protocols/sql/migrations.
[[nodiscard]] const std::vector<migration>& migrations();

/// The outcome of a migrate run.
struct migrate_report {
  std::string from; ///< version found ("" = empty database)
  std::string to;   ///< version left behind
  std::vector<std::string> applied;
};

/// Brings the database at `conninfo` to the newest revision, recording it
/// in the reference's `alembic_version` table. A database at any of the
/// reference's revisions (001-032, its two ambiguous past states included)
/// or of this service's (including its old ids 013-017, told apart by
/// marker objects) gets exactly the revisions it lacks. Runs in one
/// transaction under an advisory lock: concurrent runs wait for each other.
/// Blocking; call it before the actors start or from the `migrate` command.
/// @throws std::runtime_error with the server's message on failure, or when
/// the stamp is unknown or contradicted by the schema.
migrate_report migrate_database(const std::string& conninfo);

} // namespace st
