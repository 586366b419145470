#include "protocols/fernet.hpp"

#include "protocols/tokens.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <chrono>
#include <memory>
#include <stdexcept>

namespace st {

namespace {

constexpr unsigned char fernet_version = 0x80;
constexpr size_t header_size = 1 + 8 + 16; // version, time, IV
constexpr size_t mac_size = 32;

std::string mac(const fernet_key& key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.signing.data(), static_cast<int>(key.signing.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
       &len);
  return std::string{reinterpret_cast<const char*>(out), len};
}

/// AES-128-CBC with PKCS#7 padding, in either direction.
std::optional<std::string> aes_cbc(const fernet_key& key, std::string_view iv,
                                   std::string_view in, bool encrypt) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{
    EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
  auto* iv_bytes = reinterpret_cast<const unsigned char*>(iv.data());
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr,
                        key.encryption.data(), iv_bytes, encrypt ? 1 : 0) != 1)
    return std::nullopt;
  std::string result(in.size() + 16, '\0');
  int n = 0;
  int tail = 0;
  auto* out = reinterpret_cast<unsigned char*>(result.data());
  if (EVP_CipherUpdate(ctx.get(), out, &n,
                       reinterpret_cast<const unsigned char*>(in.data()),
                       static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out + n, &tail) != 1)
    return std::nullopt;
  result.resize(static_cast<size_t>(n + tail));
  return result;
}

std::string base64url_padded(std::string_view x) {
  auto result = base64url_encode(x);
  while (result.size() % 4 != 0)
    result += '=';
  return result;
}

} // namespace

std::optional<fernet_key> parse_fernet_key(std::string_view text) {
  auto raw = base64url_decode(text);
  if (!raw || raw->size() != 32)
    return std::nullopt;
  fernet_key result;
  std::copy(raw->begin(), raw->begin() + 16, result.signing.begin());
  std::copy(raw->begin() + 16, raw->end(), result.encryption.begin());
  return result;
}

std::string fernet_encrypt(const fernet_key& key, std::string_view plain,
                           uint64_t now, std::string_view iv) {
  std::string body;
  body += static_cast<char>(fernet_version);
  for (int shift = 56; shift >= 0; shift -= 8)
    body += static_cast<char>((now >> shift) & 0xFF);
  body += iv;
  auto cipher = aes_cbc(key, iv, plain, true);
  if (!cipher)
    throw std::runtime_error("AES-128-CBC encryption failed");
  body += *cipher;
  body += mac(key, body);
  return base64url_padded(body);
}

std::string fernet_encrypt(const fernet_key& key, std::string_view plain) {
  std::string iv(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(iv.data()), 16) != 1)
    throw std::runtime_error("RAND_bytes failed");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  return fernet_encrypt(key, plain, static_cast<uint64_t>(now), iv);
}

std::optional<std::string> fernet_decrypt(const fernet_key& key,
                                          std::string_view token) {
  auto raw = base64url_decode(token);
  if (!raw || raw->size() < header_size + 16 + mac_size ||
      static_cast<unsigned char>((*raw)[0]) != fernet_version ||
      (raw->size() - header_size - mac_size) % 16 != 0)
    return std::nullopt;
  std::string_view data{*raw};
  auto signed_part = data.substr(0, data.size() - mac_size);
  auto expected = mac(key, signed_part);
  if (CRYPTO_memcmp(expected.data(), data.data() + signed_part.size(),
                    mac_size) != 0)
    return std::nullopt;
  return aes_cbc(key, data.substr(9, 16), signed_part.substr(header_size),
                 false);
}

std::string seal_secret(const std::optional<fernet_key>& key,
                        std::string_view plain) {
  return key ? fernet_encrypt(*key, plain) : std::string{plain};
}

std::string reveal_secret(const std::optional<fernet_key>& key,
                          const std::string& stored) {
  if (stored.empty() || !key)
    return stored;
  if (auto plain = fernet_decrypt(*key, stored))
    return *plain;
  if (stored.rfind("gA", 0) != 0)
    return stored;
  return {};
}

} // namespace st
