#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace st {

/// Signing parameters of access tokens (HS256/384/512 with SECRET_KEY).
struct jwt_settings {
  std::string secret;
  std::string algorithm = "HS256";
  int64_t lifetime_s = 604800;
};

/// The claims of an access token (http-api.md §2.2): exactly these three.
struct access_claims {
  int32_t user_id = 0;
  std::string email;
  int64_t exp = 0;
};

/// Why a token was refused; each maps to one `detail` of http-api.md §2.1.
enum class token_fault {
  invalid_or_expired, ///< signature, shape or `exp` → "Invalid or expired
                      ///< token"
  bad_subject,        ///< no or non-integer `sub` → "Invalid token"
};

/// Signs an arbitrary JSON payload under the configured key and algorithm.
[[nodiscard]] std::string sign_token(const jwt_settings& cfg,
                                     std::string_view payload_json);

/// Signs `{"sub": "<id>", "email": ..., "exp": now + lifetime}`.
[[nodiscard]] std::string mint_access_token(const jwt_settings& cfg,
                                            int32_t user_id,
                                            const std::string& email,
                                            int64_t now);

/// Checks signature, algorithm and expiry (no leeway) the way PyJWT does,
/// so tokens flow both ways between the reference and this service.
[[nodiscard]] std::optional<token_fault>
verify_access_token(const jwt_settings& cfg, std::string_view token,
                    int64_t now, access_claims& out);

/// 32 random bytes as URL-safe base64 without padding (43 characters).
[[nodiscard]] std::string new_refresh_token();

/// Lower-case hex SHA-256, the stored form of a refresh token.
[[nodiscard]] std::string sha256_hex(std::string_view x);

/// Standard base64 with padding (RFC 4648 §4).
[[nodiscard]] std::string base64_encode(std::string_view x);

/// URL-safe base64 without padding.
[[nodiscard]] std::string base64url_encode(std::string_view x);

/// Inverse of base64url_encode and base64_encode (either alphabet, padding
/// tolerated); nullopt when invalid.
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view x);

/// HMAC-SHA256 of `data` under `key` (raw bytes).
[[nodiscard]] std::string hmac_sha256(std::string_view key,
                                      std::string_view data);

/// Compares two secrets in time independent of where they differ.
[[nodiscard]] bool same_secret(std::string_view a, std::string_view b);

/// `n` random bytes from the OS CSPRNG, as lower-case hex.
[[nodiscard]] std::string random_hex(size_t n);

} // namespace st
