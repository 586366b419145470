#include "domain/account_mail.hpp"

#include "protocols/mail.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

using namespace st;

TEST_CASE("the reset mail: the link on the frontend, its lifetime in words, "
          "HTML escaped, one idempotency key per token row") {
  auto m = password_reset_mail("a@example.com", "https://app.example.com/",
                               "tok_EN-x", 90, 41);
  CHECK(m.to == "a@example.com");
  CHECK(m.subject == "Reset your password");
  CHECK(m.text.find("https://app.example.com/reset-password?token=tok_EN-x") !=
        std::string::npos);
  CHECK(m.text.find("expires in 90 minutes") != std::string::npos);
  CHECK(m.idempotency_key == "password-reset/41");
  auto odd = password_reset_mail("a@example.com", "https://x.example/?a=1&b=\"",
                                 "t", 120, 1);
  CHECK(odd.html.find("?a=1&amp;b=&quot;/reset-password?token=t") !=
        std::string::npos);
  CHECK(odd.html.find("expires in 2 hours") != std::string::npos);
}

TEST_CASE("Resend's request: POST /emails with the key, the key for once, "
          "the sender and one recipient in an array") {
  mail_settings s{"re_key", "https://api.resend.com", "Coach <c@example.com>"};
  outgoing_mail m{"a@example.com", "Hi", "<p>x</p>", "x", "password-reset/7"};
  auto r = resend_request(s, m);
  CHECK(r.method == "POST");
  CHECK(r.url == "https://api.resend.com/emails");
  CHECK(r.headers ==
        std::vector<std::string>{"Authorization: Bearer re_key",
                                 "Content-Type: application/json",
                                 "Idempotency-Key: password-reset/7"});
  rapidjson::Document doc;
  doc.Parse(r.body.c_str());
  REQUIRE(doc.IsObject());
  CHECK(std::string{doc["from"].GetString()} == "Coach <c@example.com>");
  CHECK(doc["to"].Size() == 1);
  CHECK(std::string{doc["to"][0].GetString()} == "a@example.com");
  CHECK(std::string{doc["html"].GetString()} == "<p>x</p>");
  CHECK_FALSE(mail_settings{}.configured());
}
