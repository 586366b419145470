#include "protocols/fernet.hpp"

#include <catch2/catch.hpp>

using namespace st;

namespace {

// The Fernet specification's published vectors (generate.json/verify.json):
// "hello" at 1985-10-26T01:20:00-07:00 with IV 00 01 … 0f.
constexpr const char* spec_secret =
  "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
constexpr const char* spec_token =
  "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPg"
  "JobwOz7JcbmrR64jVmpU4IwqDA==";
constexpr uint64_t spec_time = 499162800;

std::string spec_iv() {
  std::string result;
  for (int i = 0; i < 16; ++i)
    result += static_cast<char>(i);
  return result;
}

} // namespace

TEST_CASE("Fernet: the specification's token, both ways") {
  auto key = parse_fernet_key(spec_secret);
  REQUIRE(key);
  CHECK(fernet_encrypt(*key, "hello", spec_time, spec_iv()) == spec_token);
  CHECK(fernet_decrypt(*key, spec_token) == std::string{"hello"});
}

TEST_CASE("Fernet: round trip, tampering and wrong keys") {
  auto key = parse_fernet_key(spec_secret);
  REQUIRE(key);
  auto token = fernet_encrypt(*key, "api-key-42 with ünïcode");
  CHECK(fernet_decrypt(*key, token) == std::string{"api-key-42 with ünïcode"});
  CHECK(fernet_encrypt(*key, "x") != fernet_encrypt(*key, "x")); // random IV
  auto other = parse_fernet_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  REQUIRE(other);
  CHECK_FALSE(fernet_decrypt(*other, token));
  auto forged = std::string{spec_token};
  forged[20] = forged[20] == 'A' ? 'B' : 'A';
  CHECK_FALSE(fernet_decrypt(*key, forged));
  CHECK_FALSE(fernet_decrypt(*key, "not a token"));
  CHECK_FALSE(fernet_decrypt(*key, ""));
  CHECK_FALSE(parse_fernet_key("too-short"));
  CHECK_FALSE(parse_fernet_key(""));
}
