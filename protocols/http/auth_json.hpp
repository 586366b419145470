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

/// The TokenResponse of http-api.md §2.2.
[[nodiscard]] std::string token_pair_json(const token_pair& x);

/// `{"id": ..., "email": ...}`.
[[nodiscard]] std::string identity_json(const user_identity& x);

} // namespace st
