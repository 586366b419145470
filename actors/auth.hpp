#pragma once

#include "actors/login_guard.hpp"
#include "actors/request_throttle.hpp"
#include "protocols/actors.hpp"
#include "protocols/mail.hpp"
#include "protocols/tokens.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <unordered_map>

namespace st {

/// What the auth actor needs from the configuration.
struct auth_settings {
  jwt_settings jwt;
  int64_t refresh_lifetime_s = 7 * 86400;
  std::chrono::seconds purge_interval{3600};
  uint32_t login_failures_per_account = 10; ///< within login_failure_window
  std::chrono::seconds login_failure_window{15 * 60};
  /// Accounts remembered as live (a Bearer request costs no round trip),
  /// for how long, and how many at most.
  std::chrono::seconds identity_cache_ttl{30};
  size_t identity_cache_max = 200'000;
  /// Password reset: the mail's sender, the app's origin its link points
  /// at, the link's lifetime, and how often it may be asked for (one mail
  /// per address per window, a client's requests per hour).
  mail_settings mail;
  std::string frontend_base_url;
  int64_t reset_token_minutes = 60;
  std::chrono::seconds reset_address_window{300};
  uint32_t resets_per_client_hour = 10;
};

/// Accounts, passwords and tokens. Stateless apart from its collaborators:
/// every fact lives in PostgreSQL, so any number of requests interleave.
struct auth_state {
  auth_actor::pointer self = nullptr;
  auth_settings cfg;
  db_actor db;
  password_hasher_actor hasher;
  upstream_actor upstream;

  /// Accounts recently seen in the database, so that a Bearer request does
  /// not cost a round trip each time. Short-lived: a row deleted behind the
  /// service's back stops authenticating within the TTL.
  struct known_user {
    std::string email;
    std::chrono::steady_clock::time_point until;
  };
  std::unordered_map<int32_t, known_user> known;

  /// Failed logins per account (created from cfg when the actor starts).
  std::optional<login_guard> logins;

  /// Password-reset requests per address and per client.
  std::optional<request_throttle> resets_by_address;
  std::optional<request_throttle> resets_by_client;

  /// Mails a reset link to `email` when it has an account (the caller was
  /// answered already: every outcome looks alike from outside).
  void mail_reset_link(const std::string& email);

  /// Remembers `user` for the identity-cache TTL.
  void remember(const user_identity& user);

  /// Mints an access token and stores a new refresh token for `user`.
  void issue_tokens(user_identity user,
                    caf::typed_response_promise<token_pair> rp);

  /// When `presented` is a spent refresh token (a copy replayed after it
  /// rotated), revokes every live token of its chain (RFC 9700 §4.14);
  /// then runs `then`.
  void revoke_if_reused(const std::string& presented,
                        std::function<void()> then);

  static inline const char* name = "auth";
};

/// @param db the DB pool.
/// @param hasher the password hasher pool.
/// @param upstream the way out to Resend.
/// @param cfg token lifetimes, signing key, mail.
auth_actor::behavior_type auth(auth_actor::stateful_pointer<auth_state> self,
                               db_actor db, password_hasher_actor hasher,
                               upstream_actor upstream, auth_settings cfg);

/// E-mail as stored: trimmed and lower-cased (ASCII).
[[nodiscard]] std::string normalize_email(const std::string& email);

} // namespace st
