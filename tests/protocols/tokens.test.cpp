#include "protocols/tokens.hpp"

#include <catch2/catch.hpp>

using namespace st;

TEST_CASE("base64url round-trips and rejects junk") {
  std::vector<std::string> samples{
    "",     "f",     "fo",     "foo",
    "foob", "fooba", "foobar", std::string("\xff\xfe\x00\x01", 4)};
  for (auto& x : samples)
    CHECK(base64url_decode(base64url_encode(x)) == x);
  CHECK(base64url_encode("\xfb\xff") == "-_8");
  CHECK_FALSE(base64url_decode("ab$d"));
  CHECK_FALSE(base64url_decode("a"));
}

TEST_CASE("a published HS256 token (jwt.io example) is signed right but "
          "refused: it has no exp and would never expire") {
  jwt_settings cfg{"your-256-bit-secret", "HS256", 60};
  access_claims claims;
  auto fault =
    verify_access_token(cfg,
                        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                        "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaW"
                        "F0IjoxNTE2MjM5MDIyfQ."
                        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
                        1'700'000'000, claims);
  CHECK(fault == token_fault::invalid_or_expired);
  // The same claims with an exp, signed under the same key, pass.
  auto with_exp = sign_token(
    cfg, R"({"sub":"1234567890","name":"John Doe","exp":1700000001})");
  CHECK_FALSE(verify_access_token(cfg, with_exp, 1'700'000'000, claims));
  CHECK(claims.user_id == 1234567890);
}

TEST_CASE("minted tokens carry exactly sub, email, exp and verify") {
  jwt_settings cfg{"k", "HS256", 600};
  auto token = mint_access_token(cfg, 42, "a@b.c", 1000);
  auto payload = base64url_decode(
    token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1));
  CHECK(*payload == R"({"sub":"42","email":"a@b.c","exp":1600})");
  access_claims claims;
  CHECK_FALSE(verify_access_token(cfg, token, 1599, claims));
  CHECK(claims.user_id == 42);
  CHECK(claims.email == "a@b.c");
  CHECK(claims.exp == 1600);
  SECTION("expiry has no leeway") {
    CHECK(verify_access_token(cfg, token, 1600, claims) ==
          token_fault::invalid_or_expired);
  }
  SECTION("another key or algorithm is refused") {
    CHECK(verify_access_token({"other", "HS256", 600}, token, 1000, claims) ==
          token_fault::invalid_or_expired);
    CHECK(verify_access_token({"k", "HS512", 600}, token, 1000, claims) ==
          token_fault::invalid_or_expired);
  }
  SECTION("tampering is refused") {
    auto forged = token;
    forged[forged.find('.') + 5] ^= 1;
    CHECK(verify_access_token(cfg, forged, 1000, claims) ==
          token_fault::invalid_or_expired);
    CHECK(verify_access_token(cfg, "a.b", 1000, claims) ==
          token_fault::invalid_or_expired);
    CHECK(verify_access_token(cfg, token + ".x", 1000, claims) ==
          token_fault::invalid_or_expired);
  }
}

TEST_CASE("signed tokens: sub must be an integer string, exp a number that "
          "is there") {
  jwt_settings cfg{"k", "HS256", 600};
  access_claims claims;
  auto check = [&](const char* payload) {
    return verify_access_token(cfg, sign_token(cfg, payload), 1000, claims);
  };
  CHECK(check(R"({"email":"a@b.c","exp":2000})") == token_fault::bad_subject);
  CHECK(check(R"({"sub":"abc","exp":2000})") == token_fault::bad_subject);
  CHECK(check(R"({"sub":"99999999999","exp":2000})") ==
        token_fault::bad_subject);
  CHECK(check(R"({"sub":"7","exp":"soon"})") ==
        token_fault::invalid_or_expired);
  CHECK(check(R"({"sub":"7","exp":999})") == token_fault::invalid_or_expired);
  CHECK(check("[1]") == token_fault::invalid_or_expired);
  // Without exp a token would never expire: refused (PyJWT takes it).
  CHECK(check(R"({"sub":"7"})") == token_fault::invalid_or_expired);
  CHECK(check(R"({"sub":"7","exp":1e300})") == token_fault::invalid_or_expired);
  CHECK_FALSE(check(R"({"sub":"7","exp":1001})"));
  CHECK(claims.user_id == 7);
  auto unsigned_token = base64url_encode(R"({"alg":"none","typ":"JWT"})") +
                        "." + base64url_encode(R"({"sub":"7"})") + ".";
  CHECK(verify_access_token(cfg, unsigned_token, 1000, claims) ==
        token_fault::invalid_or_expired);
}

TEST_CASE("refresh tokens are 43 URL-safe characters and digests are hex") {
  auto t = new_refresh_token();
  CHECK(t.size() == 43);
  CHECK(
    t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789-_") == std::string::npos);
  CHECK(new_refresh_token() != t);
  CHECK(sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
