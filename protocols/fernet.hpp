#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace st {

/// A Fernet key: 32 bytes, URL-safe base64 (the `cryptography` library's
/// format, domain.md §2): the first half signs, the second half encrypts.
struct fernet_key {
  std::array<unsigned char, 16> signing{};
  std::array<unsigned char, 16> encryption{};
};

/// Parses `ENCRYPTION_KEY`; none unless it is base64url of exactly 32 bytes.
[[nodiscard]] std::optional<fernet_key> parse_fernet_key(std::string_view text);

/// A Fernet token of `plain` made at `now` (Unix seconds) with this 16-byte
/// IV: `0x80 ‖ time ‖ IV ‖ AES-128-CBC(PKCS#7) ‖ HMAC-SHA256`, base64url
/// with padding. Deterministic; tests use the specification's vectors.
[[nodiscard]] std::string fernet_encrypt(const fernet_key& key,
                                         std::string_view plain, uint64_t now,
                                         std::string_view iv);

/// As above with the current time and a random IV.
[[nodiscard]] std::string fernet_encrypt(const fernet_key& key,
                                         std::string_view plain);

/// The plaintext of a token, or none when its shape, HMAC or padding is
/// wrong. No TTL is applied (the reference applies none).
[[nodiscard]] std::optional<std::string> fernet_decrypt(const fernet_key& key,
                                                        std::string_view token);

/// A credential as stored: encrypted under `key` when there is one.
[[nodiscard]] std::string seal_secret(const std::optional<fernet_key>& key,
                                      std::string_view plain);

/// A stored credential in clear; empty when it cannot be read. Rows
/// written while no key was configured hold the value as sent (the
/// reference made users relink); a Fernet token starts with "gA".
[[nodiscard]] std::string reveal_secret(const std::optional<fernet_key>& key,
                                        const std::string& stored);

} // namespace st
