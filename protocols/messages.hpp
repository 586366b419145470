#pragma once

#include "protocols/sql/statements.hpp"

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace st {

// -- database -----------------------------------------------------------------

/// A text-format SQL value; none = NULL.
using db_value = caf::optional<std::string>;

/// One execution of a catalog statement with its parameters.
struct db_statement {
  stmt id = stmt::ping;
  std::vector<db_value> params;
};

/// Statements sent to the server in one round trip. With `transaction`
/// they commit or roll back together; otherwise each stands alone.
struct db_batch {
  std::vector<db_statement> statements;
  bool transaction = false;
};

/// The rows of one statement (text format) and its affected-row count.
struct db_rows {
  std::vector<std::vector<db_value>> rows;
  int64_t affected = 0;
};

/// The results of a batch, one per statement, in order.
struct db_reply {
  std::vector<db_rows> results;
  uint32_t num_round_trips = 0; ///< network round trips the batch took
};

/// Counters of a DB actor or the pool (sums over its connections).
struct db_stats {
  uint64_t num_round_trips = 0;
  uint64_t num_statements = 0;
  uint64_t num_batches = 0;
  uint64_t num_failed = 0;  ///< batches answered with an error
  uint64_t num_refused = 0; ///< refused because the queue was full
  uint64_t num_queued = 0;  ///< waiting right now
  uint64_t num_busy = 0;    ///< connections working right now
  uint64_t max_busy = 0;    ///< most connections ever busy at once
  uint64_t num_connections = 0;
};

// -- auth ---------------------------------------------------------------------

/// An authenticated account.
struct user_identity {
  int32_t id = 0;
  std::string email;
};

/// E-mail and password as the client sent them (validated, not normalised).
struct credentials {
  std::string email;
  std::string password;
};

/// What register, login and refresh hand out.
struct token_pair {
  std::string access_token;
  std::string refresh_token;
  int64_t expires_in = 0;
  user_identity user;
};

// -- inspection ---------------------------------------------------------------

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_statement& x) {
  return f(caf::meta::type_name("st::db_statement"), x.id, x.params);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_batch& x) {
  return f(caf::meta::type_name("st::db_batch"), x.statements, x.transaction);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_rows& x) {
  return f(caf::meta::type_name("st::db_rows"), x.rows, x.affected);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_reply& x) {
  return f(caf::meta::type_name("st::db_reply"), x.results, x.num_round_trips);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_stats& x) {
  return f(caf::meta::type_name("st::db_stats"), x.num_round_trips,
           x.num_statements, x.num_batches, x.num_failed, x.num_refused,
           x.num_queued, x.num_busy, x.max_busy, x.num_connections);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_identity& x) {
  return f(caf::meta::type_name("st::user_identity"), x.id, x.email);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, credentials& x) {
  return f(caf::meta::type_name("st::credentials"), x.email, x.password);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, token_pair& x) {
  return f(caf::meta::type_name("st::token_pair"), x.access_token,
           x.refresh_token, x.expires_in, x.user);
}

} // namespace st
