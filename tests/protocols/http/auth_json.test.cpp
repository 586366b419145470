#include "protocols/http/auth_json.hpp"

#include <catch2/catch.hpp>

using namespace st;

namespace {

std::string rejection(const std::string& body, credential_rules rules) {
  std::vector<validation_error> errors;
  auto creds = parse_credentials(body, rules, errors);
  CHECK_FALSE(creds);
  return validation_json(errors);
}

} // namespace

TEST_CASE("credentials: 422 entries in the reference's list form") {
  auto login = credential_rules::login;
  CHECK(
    rejection("", login) ==
    R"({"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]})");
  CHECK(
    rejection("{\"email\":\"a@b\"}", login) ==
    R"({"detail":[{"type":"missing","loc":["body","password"],"msg":"Field required","input":{"email":"a@b"}}]})");
  CHECK(
    rejection("{\"email\":1,\"password\":\"x\"}", login) ==
    R"({"detail":[{"type":"string_type","loc":["body","email"],"msg":"Input should be a valid string","input":1}]})");
  CHECK(rejection("{\"email\":", login)
          .find(R"("type":"json_invalid","loc":["body",9])") !=
        std::string::npos);
  CHECK(rejection("[]", login).find("model_attributes_type") !=
        std::string::npos);
}

TEST_CASE("registration rules: '@', 254 characters, 8-character password") {
  auto reg = credential_rules::registration;
  CHECK(rejection(R"({"email":"runner","password":"longenough"})", reg)
          .find(R"("type":"value_error","loc":["body","email"])") !=
        std::string::npos);
  CHECK(
    rejection(R"({"email":"a@b.c","password":"short"})", reg) ==
    R"({"detail":[{"type":"string_too_short","loc":["body","password"],"msg":"String should have at least 8 characters","input":"short","ctx":{"min_length":8}}]})");
  auto long_email = std::string(250, 'a') + "@b.cd";
  CHECK(rejection(
          R"({"email":")" + long_email + R"(","password":"longenough"})", reg)
          .find("string_too_long") != std::string::npos);
  std::vector<validation_error> errors;
  // Exactly 254 characters, and empty values (the actor's 400) pass here.
  auto ok = parse_credentials(R"({"email":")" + std::string(249, 'a') +
                                R"(@b.cd","password":"12345678"})",
                              reg, errors);
  CHECK(ok);
  CHECK(parse_credentials(R"({"email":" ","password":""})", reg, errors));
  // Login keeps the reference's rules: anything goes.
  CHECK(parse_credentials(R"({"email":"x","password":"y"})",
                          credential_rules::login, errors));
}

TEST_CASE("token response has the reference's shape") {
  token_pair x{"a.b.c", "r", 604800, {42, "runner@example.com"}};
  CHECK(
    token_pair_json(x) ==
    R"({"access_token":"a.b.c","refresh_token":"r","token_type":"bearer","expires_in":604800,"user":{"id":42,"email":"runner@example.com"}})");
}

TEST_CASE("the reference's e-mail format rule, and the reset bodies") {
  for (auto good :
       {"a@b.co", "first.last+tag@mail.example.org", "x_y%z@a-b.io"})
    CHECK(well_formed_email(good));
  for (auto bad : {"", "a@b.c", "@b.co", "a@.co", "a@b.c0", "a b@c.de",
                   "a@b@c.de", "a@b.co.", "ä@b.co", "a@b_c.de"})
    CHECK_FALSE(well_formed_email(bad));
  std::vector<validation_error> errors;
  CHECK(parse_forgot_password(R"({"email":"  A@B.CO "})", errors) ==
        std::optional<std::string>{"a@b.co"});
  CHECK_FALSE(parse_forgot_password(R"({"email":7})", errors));
  CHECK(errors.size() == 1);
  CHECK_FALSE(parse_forgot_password("not json", errors));
  auto reset =
    parse_reset_password(R"({"token":"t","new_password":"p"})", errors);
  REQUIRE(reset);
  CHECK(reset->token == "t");
  CHECK(reset->new_password == "p");
  CHECK_FALSE(parse_reset_password(R"({"token":"t"})", errors));
  CHECK(errors.size() == 1);
}
