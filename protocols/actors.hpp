#pragma once

#include "protocols/atoms.hpp"
#include "protocols/messages.hpp"

#include <caf/typed_actor.hpp>

namespace st {

/// Shared protocol: counters of a database component.
using db_status_actor =
  caf::typed_actor<caf::replies_to<atom::status>::with<db_stats>>;

/// A DB connection actor, and the pool in front of them (same protocol, so
/// callers cannot tell one connection from the pool).
using db_actor = db_status_actor::extend<
  /// Runs a batch in one round trip; answers its rows or a db_ec error.
  caf::replies_to<atom::exec, db_batch>::with<db_reply>>;

/// A bcrypt worker, and the pool in front of them.
using password_hasher_actor = caf::typed_actor<
  /// Hashes a password with a fresh salt; answers the `$2b$` string.
  caf::replies_to<atom::hash, std::string>::with<std::string>,
  /// Checks a password against a stored hash; answers whether it matches.
  caf::replies_to<atom::verify, std::string, std::string>::with<bool>>;

/// Accounts and tokens (http-api.md §2.2, §3.2).
using auth_actor = caf::typed_actor<
  /// Creates an account; answers a token pair or api_ec::bad_request.
  caf::replies_to<atom::signup, credentials>::with<token_pair>,
  /// Checks credentials; answers a token pair or api_ec::unauthorized.
  caf::replies_to<atom::login, credentials>::with<token_pair>,
  /// Rotates a refresh token; answers a new pair or api_ec::unauthorized.
  caf::replies_to<atom::refresh, std::string>::with<token_pair>,
  /// Revokes a refresh token; answers whether a row was removed.
  caf::replies_to<atom::logout, std::string>::with<bool>,
  /// Resolves an access token to its live account, or api_ec::unauthorized.
  caf::replies_to<atom::identify, std::string>::with<user_identity>,
  /// INTERNAL: purges expired refresh tokens, then re-arms the timer.
  caf::reacts_to<atom::internal, atom::purge>>;

} // namespace st
