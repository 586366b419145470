#pragma once

#include "protocols/http/json.hpp"
#include "protocols/messages.hpp"

#include <optional>
#include <string>
#include <vector>

namespace st {

/// Which account rules a credentials body is held to.
enum class credential_rules {
  login,        ///< the reference's: any strings
  registration, ///< plus: e-mail with '@' and ≤ 254 chars, password ≥ 8
};

/// Reads `{"email", "password"}`; on failure fills `errors` (422 entries).
/// Empty values pass here: the auth actor answers them with the reference's
/// own 400/401 detail.
[[nodiscard]] std::optional<credentials>
parse_credentials(const std::string& body, credential_rules rules,
                  std::vector<validation_error>& errors);

/// Reads `{"refresh_token"}` (trimmed); on failure fills `errors`.
[[nodiscard]] std::optional<std::string>
parse_refresh_token(const std::string& body,
                    std::vector<validation_error>& errors);

/// Whether `email` (trimmed, lower-cased) follows the reference's format
/// rule (http-api-head.md §3.1): `local@domain.tld`, the local part of
/// `A–Z a–z 0–9 . _ % + -`, the domain of `A–Z a–z 0–9 . -`, a TLD of two
/// or more letters.
[[nodiscard]] bool well_formed_email(std::string_view email);

/// Reads `{"email"}` of forgot-password, trimmed and lower-cased (empty
/// or malformed values pass here: the route answers them 400); on failure
/// fills `errors`.
[[nodiscard]] std::optional<std::string>
parse_forgot_password(const std::string& body,
                      std::vector<validation_error>& errors);

/// Reads `{"token", "new_password"}` of reset-password; on failure fills
/// `errors`.
[[nodiscard]] std::optional<password_reset>
parse_reset_password(const std::string& body,
                     std::vector<validation_error>& errors);

/// Reads `{"password"}` of an account's deletion; on failure fills
/// `errors`.
[[nodiscard]] std::optional<std::string>
parse_account_deletion(const std::string& body,
                       std::vector<validation_error>& errors);

/// The TokenResponse of http-api.md §2.2.
[[nodiscard]] std::string token_pair_json(const token_pair& x);

/// `{"id": ..., "email": ...}`.
[[nodiscard]] std::string identity_json(const user_identity& x);

} // namespace st
