#include "protocols/tokens.hpp"

#include "protocols/http/json.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <stdexcept>

namespace st {

namespace {

constexpr char b64url_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const EVP_MD* digest_of(const std::string& algorithm) {
  if (algorithm == "HS384")
    return EVP_sha384();
  if (algorithm == "HS512")
    return EVP_sha512();
  return EVP_sha256();
}

std::string hmac(const std::string& algorithm, std::string_view key,
                 std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(digest_of(algorithm), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       out.data(), &len);
  return std::string{reinterpret_cast<const char*>(out.data()), len};
}

std::string random_bytes(size_t n) {
  std::string result(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(result.data()),
                 static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return result;
}

/// PyJWT accepts `sub` as a string; the reference then needs an integer.
std::optional<int32_t> parse_subject(const rapidjson::Value& sub) {
  if (!sub.IsString() || sub.GetStringLength() == 0 ||
      sub.GetStringLength() > 10)
    return std::nullopt;
  int64_t result = 0;
  std::string_view s{sub.GetString(), sub.GetStringLength()};
  size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
  if (i == s.size())
    return std::nullopt;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9')
      return std::nullopt;
    result = result * 10 + (s[i] - '0');
  }
  if (s[0] == '-')
    result = -result;
  if (result < INT32_MIN || result > INT32_MAX)
    return std::nullopt;
  return static_cast<int32_t>(result);
}

} // namespace

std::string base64_encode(std::string_view x) {
  std::string result(4 * ((x.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(result.data()),
                           reinterpret_cast<const unsigned char*>(x.data()),
                           static_cast<int>(x.size()));
  result.resize(static_cast<size_t>(n));
  return result;
}

std::string base64url_encode(std::string_view x) {
  std::string result;
  result.reserve((x.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) {
    return static_cast<unsigned char>(x[k]);
  };
  for (; i + 2 < x.size(); i += 3) {
    uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int s = 18; s >= 0; s -= 6)
      result += b64url_alphabet[(n >> s) & 63];
  }
  if (i + 1 == x.size()) {
    uint32_t n = byte(i) << 16;
    result += b64url_alphabet[(n >> 18) & 63];
    result += b64url_alphabet[(n >> 12) & 63];
  } else if (i + 2 == x.size()) {
    uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8);
    result += b64url_alphabet[(n >> 18) & 63];
    result += b64url_alphabet[(n >> 12) & 63];
    result += b64url_alphabet[(n >> 6) & 63];
  }
  return result;
}

std::optional<std::string> base64url_decode(std::string_view x) {
  while (!x.empty() && x.back() == '=')
    x.remove_suffix(1);
  if (x.size() % 4 == 1)
    return std::nullopt;
  std::string result;
  result.reserve(x.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : x) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-' || c == '+')
      v = 62;
    else if (c == '_' || c == '/')
      v = 63;
    else
      return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      result += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return result;
}

std::string sign_token(const jwt_settings& cfg, std::string_view payload_json) {
  rapidjson::StringBuffer header;
  {
    rapidjson::Writer<rapidjson::StringBuffer> w{header};
    w.StartObject();
    w.Key("alg");
    w.String(cfg.algorithm.c_str());
    w.Key("typ");
    w.String("JWT");
    w.EndObject();
  }
  auto signing_input =
    base64url_encode(header.GetString()) + '.' + base64url_encode(payload_json);
  return signing_input + '.' +
         base64url_encode(hmac(cfg.algorithm, cfg.secret, signing_input));
}

std::string mint_access_token(const jwt_settings& cfg, int32_t user_id,
                              const std::string& email, int64_t now) {
  rapidjson::StringBuffer payload;
  rapidjson::Writer<rapidjson::StringBuffer> w{payload};
  w.StartObject();
  w.Key("sub");
  w.String(std::to_string(user_id).c_str());
  w.Key("email");
  w.String(email.c_str(), static_cast<rapidjson::SizeType>(email.size()));
  w.Key("exp");
  w.Int64(now + cfg.lifetime_s);
  w.EndObject();
  return sign_token(cfg, {payload.GetString(), payload.GetSize()});
}

std::optional<token_fault> verify_access_token(const jwt_settings& cfg,
                                               std::string_view token,
                                               int64_t now,
                                               access_claims& out) {
  constexpr auto invalid = token_fault::invalid_or_expired;
  auto d1 = token.find('.');
  auto d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos ||
      token.find('.', d2 + 1) != std::string_view::npos)
    return invalid;
  auto header = base64url_decode(token.substr(0, d1));
  auto payload = base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  auto signature = base64url_decode(token.substr(d2 + 1));
  if (!header || !payload || !signature)
    return invalid;
  json_document h;
  if (parse_json(*header, h) || !h.IsObject() || !h.HasMember("alg") ||
      !h["alg"].IsString() || cfg.algorithm != h["alg"].GetString())
    return invalid;
  auto expected = hmac(cfg.algorithm, cfg.secret, token.substr(0, d2));
  if (expected.size() != signature->size() ||
      CRYPTO_memcmp(expected.data(), signature->data(), expected.size()) != 0)
    return invalid;
  json_document p;
  if (parse_json(*payload, p) || !p.IsObject())
    return invalid;
  // A token without `exp` would never expire: refused (PyJWT accepts one).
  auto exp = p.FindMember("exp");
  if (exp == p.MemberEnd() || !exp->value.IsNumber())
    return invalid;
  // Past ~31 million years an expiry is no expiry (and not an int64).
  constexpr double latest_exp = 1e15;
  auto value = exp->value.GetDouble();
  if (!(value > static_cast<double>(now)) || value > latest_exp)
    return invalid;
  out.exp = static_cast<int64_t>(value);
  if (!p.HasMember("sub"))
    return token_fault::bad_subject;
  auto id = parse_subject(p["sub"]);
  if (!id)
    return p["sub"].IsString() ? token_fault::bad_subject : invalid;
  out.user_id = *id;
  if (p.HasMember("email") && p["email"].IsString())
    out.email = p["email"].GetString();
  return std::nullopt;
}

std::string new_refresh_token() {
  return base64url_encode(random_bytes(32));
}

std::string sha256_hex(std::string_view x) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(x.data()), x.size(),
         digest.data());
  static constexpr char hex[] = "0123456789abcdef";
  std::string result;
  result.reserve(digest.size() * 2);
  for (auto b : digest) {
    result += hex[b >> 4];
    result += hex[b & 15];
  }
  return result;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return hmac("HS256", key, data);
}

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_hex(size_t n) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string result;
  for (unsigned char b : random_bytes(n)) {
    result += hex[b >> 4];
    result += hex[b & 15];
  }
  return result;
}

} // namespace st
