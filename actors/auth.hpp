#pragma once

#include "protocols/actors.hpp"
#include "protocols/tokens.hpp"

#include <chrono>

namespace st {

/// What the auth actor needs from the configuration.
struct auth_settings {
  jwt_settings jwt;
  int64_t refresh_lifetime_s = 7 * 86400;
  std::chrono::seconds purge_interval{3600};
};

/// Accounts, passwords and tokens. Stateless apart from its collaborators:
/// every fact lives in PostgreSQL, so any number of requests interleave.
struct auth_state {
  auth_actor::pointer self = nullptr;
  auth_settings cfg;
  db_actor db;
  password_hasher_actor hasher;

  /// Mints an access token and stores a new refresh token for `user`.
  void issue_tokens(user_identity user,
                    caf::typed_response_promise<token_pair> rp);

  static inline const char* name = "auth";
};

/// @param db the DB pool.
/// @param hasher the password hasher pool.
/// @param cfg token lifetimes and signing key.
auth_actor::behavior_type auth(auth_actor::stateful_pointer<auth_state> self,
                               db_actor db, password_hasher_actor hasher,
                               auth_settings cfg);

/// E-mail as stored: trimmed and lower-cased (ASCII).
[[nodiscard]] std::string normalize_email(const std::string& email);

} // namespace st
