// Password reset by e-mail (http-api-head.md §3.1.5–3.1.6, §5.2, §6 items
// 6–7): the real binary, PostgreSQL and the fake Resend server.
#include "protocols/tokens.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>

using namespace st;
using namespace st::test;

namespace {

using rows = std::vector<std::vector<std::string>>;

constexpr const char* frontend = "https://app.example.com";
constexpr const char* asked =
  R"({"message":"If an account exists with this email, you will receive a reset link."})";

struct reset_fixture {
  scratch_database db;
  fake_resend resend;
  std::map<std::string, std::string> env;

  reset_fixture() {
    env = resend.settings();
    env["DATABASE_URL"] = db.dsn();
    env["FRONTEND_BASE_URL"] = std::string{frontend} + "/";
  }

  /// The mails the fake has sent.
  [[nodiscard]] rapidjson::Document mails() const {
    return parse(resend.sent());
  }
};

http_reply forgot(uint16_t port, const std::string& email) {
  return http_call(port, "POST", "/api/v1/auth/forgot-password",
                   R"({"email":")" + email + "\"}");
}

http_reply reset(uint16_t port, const std::string& token,
                 const std::string& password) {
  return http_call(port, "POST", "/api/v1/auth/reset-password",
                   R"({"token":")" + token + R"(","new_password":")" +
                     password + "\"}");
}

http_reply login(uint16_t port, const std::string& email,
                 const std::string& password) {
  return http_call(port, "POST", "/api/v1/auth/login",
                   R"({"email":")" + email + R"(","password":")" + password +
                     "\"}");
}

/// The token of the link in the `n`th mail.
std::string token_in(const rapidjson::Document& mails, size_t n) {
  std::string text =
    mails["mails"][static_cast<rapidjson::SizeType>(n)]["text"].GetString();
  auto at = text.find("token=");
  REQUIRE(at != std::string::npos);
  return text.substr(at + 6, 43);
}

} // namespace

TEST_CASE("password reset: the link goes out once through Resend, the token "
          "is stored as a hash, works once, and revokes every session and "
          "every earlier token") {
  reset_fixture f;
  server_process server{f.env};
  auto port = server.port();
  auto who = register_athlete(port, f.db, "reset@example.com");
  auto session = json_field(login(port, "reset@example.com", "password1").body,
                            "refresh_token");
  REQUIRE_FALSE(session.empty());
  // An earlier token (one that was mailed before): the new one ends it.
  auto earlier = std::string(43, 'e');
  f.db.query("INSERT INTO password_reset_tokens (user_id, token_hash, "
             "expires_at) VALUES (" +
             std::to_string(who.id) + ", '" + sha256_hex(earlier) +
             "', now() + interval '1 hour')");

  auto r = forgot(port, "  Reset@Example.COM ");
  CHECK(r.status == 200);
  CHECK(r.body == asked);
  REQUIRE(eventually([&] {
    return f.mails()["mails"].Size() == 1;
  }));
  auto mails = f.mails();
  auto& mail = mails["mails"][0];
  CHECK(std::string{mail["to"][0].GetString()} == "reset@example.com");
  CHECK(std::string{mail["from"].GetString()} ==
        "Smart Trainer <coach@example.com>");
  CHECK(std::string{mail["subject"].GetString()} == "Reset your password");
  auto token = token_in(mails, 0);
  std::string text = mail["text"].GetString();
  CHECK(text.find(std::string{frontend} + "/reset-password?token=" + token) !=
        std::string::npos);
  CHECK(text.find("expires in 1 hour") != std::string::npos);
  CHECK(std::string{mail["html"].GetString()}.find("expires in 1 hour") !=
        std::string::npos);
  // Stored as its SHA-256 only, the earlier one gone; the mail's
  // idempotency key names the row.
  auto stored = f.db.query("SELECT id, token_hash, expires_at > now() + "
                           "interval '59 minutes' FROM password_reset_tokens");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0][1] == sha256_hex(token));
  CHECK(stored[0][2] == "t");
  CHECK(std::string{mail["idempotency_key"].GetString()} ==
        "password-reset/" + stored[0][0]);
  CHECK(reset(port, earlier, "new-password-1").body ==
        R"({"detail":"Invalid or expired token"})");

  // What a reset refuses, in the reference's order.
  CHECK(reset(port, "  ", "new-password-1").body ==
        R"({"detail":"Token required"})");
  auto short_one = reset(port, token, "short7!");
  CHECK(short_one.status == 400);
  CHECK(short_one.body ==
        R"({"detail":"Password must be at least 8 characters"})");
  CHECK(reset(port, std::string(43, 'x'), "new-password-1").status == 400);
  CHECK(
    http_call(port, "POST", "/api/v1/auth/reset-password", R"({"token":"abc"})")
      .status == 422);

  // The reset: signed in at once, the old password and every session gone.
  auto done = reset(port, token, "new-password-1");
  REQUIRE(done.status == 200);
  CHECK_FALSE(json_field(done.body, "access_token").empty());
  CHECK(login(port, "reset@example.com", "password1").status == 401);
  CHECK(login(port, "reset@example.com", "new-password-1").status == 200);
  CHECK(http_call(port, "POST", "/api/v1/auth/refresh",
                  R"({"refresh_token":")" + session + "\"}")
          .status == 401);
  auto fresh = json_field(done.body, "refresh_token");
  CHECK(http_call(port, "POST", "/api/v1/auth/refresh",
                  R"({"refresh_token":")" + fresh + "\"}")
          .status == 200);
  // Once.
  CHECK(reset(port, token, "another-password").body ==
        R"({"detail":"Invalid or expired token"})");
  CHECK(f.db.query("SELECT count(*) FROM password_reset_tokens") ==
        rows{{"0"}});
}

TEST_CASE("password reset tells nobody whether an address has an account: "
          "the same answer, the same throttle, and an expired token is "
          "refused") {
  reset_fixture f;
  server_process server{f.env};
  auto port = server.port();
  auto who = register_athlete(port, f.db, "known@example.com");
  auto known = forgot(port, "known@example.com");
  auto unknown = forgot(port, "nobody@example.com");
  CHECK(known.status == unknown.status);
  CHECK(known.body == unknown.body);
  CHECK(known.header("content-type") == unknown.header("content-type"));
  // A second request within five minutes: 429 alike, known or not.
  auto again_known = forgot(port, "known@example.com");
  auto again_unknown = forgot(port, "nobody@example.com");
  CHECK(again_known.status == 429);
  CHECK(again_known.body == again_unknown.body);
  CHECK(again_known.body ==
        R"({"detail":"Too many requests. Please try again later."})");
  CHECK(std::stoi(again_known.header("retry-after")) > 290);
  CHECK(std::stoi(again_unknown.header("retry-after")) > 290);
  REQUIRE(eventually([&] {
    return f.mails()["mails"].Size() == 1;
  }));
  CHECK(std::string{f.mails()["mails"][0]["to"][0].GetString()} ==
        "known@example.com");
  // Malformed addresses are refused before anything is counted.
  CHECK(forgot(port, "").body == R"({"detail":"Email required"})");
  CHECK(forgot(port, "a@b.c").body == R"({"detail":"Invalid email format"})");
  CHECK(forgot(port, "no-at-sign.example.com").status == 400);
  CHECK(http_call(port, "POST", "/api/v1/auth/forgot-password", "[1]").status ==
        422);
  // An expired token.
  auto old = std::string(43, 'o');
  f.db.query("INSERT INTO password_reset_tokens (user_id, token_hash, "
             "expires_at) VALUES (" +
             std::to_string(who.id) + ", '" + sha256_hex(old) +
             "', now() - interval '1 second')");
  CHECK(reset(port, old, "new-password-1").body ==
        R"({"detail":"Invalid or expired token"})");
}

TEST_CASE("password reset: an account without a password sets its first, "
          "a client asking for many addresses is throttled, a failed send "
          "is only logged, and without Resend the route says so") {
  reset_fixture f;
  server_process server{f.env};
  auto port = server.port();
  // Made by Intervals.icu sign-in: no password.
  f.db.query("INSERT INTO users (email, created_at) VALUES "
             "('intervals@example.com', now())");
  f.resend.fail(500, 1); // the first send fails, its retry goes out
  CHECK(forgot(port, "intervals@example.com").status == 200);
  REQUIRE(eventually([&] {
    return f.mails()["mails"].Size() == 1;
  }));
  CHECK(reset(port, token_in(f.mails(), 0), "first-password").status == 200);
  CHECK(login(port, "intervals@example.com", "first-password").status == 200);
  // Ten requests an hour per client (this test's client asked once).
  for (int i = 0; i < 9; ++i)
    CHECK(forgot(port, "someone" + std::to_string(i) + "@example.com").status ==
          200);
  auto refused = forgot(port, "someone-else@example.com");
  CHECK(refused.status == 429);
  CHECK(std::stoi(refused.header("retry-after")) > 3000);

  auto env = f.env;
  env.erase("RESEND_API_KEY");
  server_process unmailed{env};
  auto off = forgot(unmailed.port(), "intervals@example.com");
  CHECK(off.status == 503);
  CHECK(
    off.body ==
    R"({"detail":"Password reset by e-mail is not available on this server."})");
}
