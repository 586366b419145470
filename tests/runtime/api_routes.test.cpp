// Auth routes end to end: the real binary, real HTTP, real PostgreSQL.
#include "protocols/tokens.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace st;
using namespace st::test;

namespace {

const std::string secret = "test-secret-key";

struct auth_fixture {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()}, {"SECRET_KEY", secret}}};

  http_reply post(const std::string& path, const std::string& body) {
    return http_call(server.port(), "POST", path, body);
  }

  http_reply me(const std::string& authorization) {
    return http_call(server.port(), "GET", "/api/v1/auth/me", "",
                     {{"Authorization", authorization}});
  }
};

std::string detail(const http_reply& r) {
  return json_field(r.body, "detail");
}

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// A token signed by Python's standard library: an implementation that
/// shares no code with ours.
std::string python_jwt(const std::string& key, const std::string& payload) {
  auto [rc, out] = run_shell(
    "python3 -c 'import sys,hmac,hashlib,base64\n"
    "b=lambda x: base64.urlsafe_b64encode(x).rstrip(b\"=\").decode()\n"
    "i=b(b\"{\\\"alg\\\":\\\"HS256\\\",\\\"typ\\\":\\\"JWT\\\"}\")+\".\"+b(sys."
    "argv[2].encode())\n"
    "print(i+\".\"+b(hmac.new(sys.argv[1].encode(),i.encode(),hashlib.sha256)."
    "digest()),end=\"\")' '" +
    key + "' '" + payload + "'");
  REQUIRE(rc == 0);
  return out;
}

} // namespace

TEST_CASE_METHOD(auth_fixture,
                 "register, me, login, refresh rotation, logout") {
  auto reg =
    post("/api/v1/auth/register",
         R"({"email":"  Runner@Example.COM ","password":"correct horse"})");
  REQUIRE(reg.status == 200);
  CHECK(json_field(reg.body, "token_type") == "bearer");
  CHECK(reg.body.find("\"expires_in\":604800") != std::string::npos);
  CHECK(reg.body.find("\"email\":\"runner@example.com\"") != std::string::npos);
  auto access = json_field(reg.body, "access_token");
  auto refresh1 = json_field(reg.body, "refresh_token");
  CHECK(refresh1.size() == 43);
  auto users =
    db.query("SELECT id, email, password_hash, created_at IS NOT NULL "
             "FROM users");
  REQUIRE(users.size() == 1);
  CHECK(users[0][1] == "runner@example.com");
  CHECK(users[0][2].rfind("$2b$04$", 0) == 0);
  CHECK(users[0][3] == "t");
  CHECK(db.query("SELECT token_hash FROM user_refresh_tokens") ==
        std::vector<std::vector<std::string>>{{sha256_hex(refresh1)}});

  auto who = me("Bearer " + access);
  CHECK(who.status == 200);
  CHECK(who.body ==
        R"({"id":)" + users[0][0] + R"(,"email":"runner@example.com"})");

  auto again =
    post("/api/v1/auth/register",
         R"({"email":"RUNNER@example.com","password":"another one"})");
  CHECK(again.status == 400);
  CHECK(detail(again) == "Email already registered");

  auto wrong =
    post("/api/v1/auth/login",
         R"({"email":"runner@example.com","password":"wrong pass"})");
  CHECK(wrong.status == 401);
  CHECK(detail(wrong) == "Invalid email or password");
  auto unknown = post("/api/v1/auth/login",
                      R"({"email":"nobody@example.com","password":"x"})");
  CHECK(unknown.status == 401);
  CHECK(detail(unknown) == "Invalid email or password");
  auto empty = post("/api/v1/auth/login", R"({"email":" ","password":"x"})");
  CHECK(empty.status == 401);
  CHECK(detail(empty) == "Email and password required");

  auto login =
    post("/api/v1/auth/login",
         R"({"email":" RUNNER@example.com","password":"correct horse"})");
  REQUIRE(login.status == 200);
  CHECK(db.query("SELECT count(*) FROM user_refresh_tokens")[0][0] == "2");

  auto rotated = post("/api/v1/auth/refresh",
                      R"({"refresh_token":"  )" + refresh1 + R"(  "})");
  REQUIRE(rotated.status == 200);
  auto refresh2 = json_field(rotated.body, "refresh_token");
  CHECK(refresh2 != refresh1);
  CHECK(me("Bearer " + json_field(rotated.body, "access_token")).status == 200);
  auto reuse =
    post("/api/v1/auth/refresh", R"({"refresh_token":")" + refresh1 + "\"}");
  CHECK(reuse.status == 401);
  CHECK(detail(reuse) == "Invalid or expired refresh token");
  auto blank = post("/api/v1/auth/refresh", R"({"refresh_token":"   "})");
  CHECK(blank.status == 401);
  CHECK(detail(blank) == "Refresh token required");

  auto out =
    post("/api/v1/auth/logout", R"({"refresh_token":")" + refresh2 + "\"}");
  CHECK(out.status == 204);
  CHECK(out.body.empty());
  CHECK(
    db.query("SELECT count(*) FROM user_refresh_tokens WHERE token_hash = '" +
             sha256_hex(refresh2) + "'")[0][0] == "0");
  auto after =
    post("/api/v1/auth/refresh", R"({"refresh_token":")" + refresh2 + "\"}");
  CHECK(after.status == 401);

  auto refresh3 = json_field(login.body, "refresh_token");
  db.query(
    "UPDATE user_refresh_tokens SET expires_at = now() - interval '1 s'");
  auto expired =
    post("/api/v1/auth/refresh", R"({"refresh_token":")" + refresh3 + "\"}");
  CHECK(expired.status == 401);
  CHECK(detail(expired) == "Invalid or expired refresh token");
}

TEST_CASE_METHOD(auth_fixture, "register and login validation") {
  auto missing = post("/api/v1/auth/register", R"({"email":"a@b.c"})");
  CHECK(missing.status == 422);
  CHECK(missing.body.find(R"({"type":"missing","loc":["body","password"])") !=
        std::string::npos);
  auto no_at = post("/api/v1/auth/register",
                    R"({"email":"runner","password":"longenough"})");
  CHECK(no_at.status == 422);
  CHECK(no_at.body.find(R"("loc":["body","email"])") != std::string::npos);
  auto short_pw =
    post("/api/v1/auth/register", R"({"email":"a@b.c","password":"1234567"})");
  CHECK(short_pw.status == 422);
  CHECK(short_pw.body.find("string_too_short") != std::string::npos);
  auto long_email =
    post("/api/v1/auth/register", R"({"email":")" + std::string(251, 'a') +
                                    R"(@b.c","password":"longenough"})");
  CHECK(long_email.status == 422);
  CHECK(long_email.body.find("string_too_long") != std::string::npos);
  auto empty = post("/api/v1/auth/register", R"({"email":"  ","password":""})");
  CHECK(empty.status == 400);
  CHECK(detail(empty) == "Email and password required");
  auto broken = post("/api/v1/auth/login", R"({"email": "a@b.c",)");
  CHECK(broken.status == 422);
  CHECK(broken.body.find("json_invalid") != std::string::npos);
  CHECK(db.query("SELECT count(*) FROM users")[0][0] == "0");
}

TEST_CASE_METHOD(auth_fixture, "bearer parsing and token errors") {
  auto reg = post("/api/v1/auth/register",
                  R"({"email":"t@example.com","password":"password1"})");
  REQUIRE(reg.status == 200);
  auto id = db.query("SELECT id FROM users")[0][0];
  auto check = [&](const std::string& authorization, const std::string& want) {
    auto r = me(authorization);
    INFO(authorization);
    CHECK(r.status == 401);
    CHECK(detail(r) == want);
    CHECK(r.header("www-authenticate").empty());
  };
  check("", "Not authenticated");
  check("bearer " + json_field(reg.body, "access_token"), "Not authenticated");
  check("Bearer    ", "Not authenticated");
  check("Bearer garbage", "Invalid or expired token");
  auto exp = std::to_string(now_s() + 600);
  check("Bearer " + python_jwt("wrong-key",
                               R"({"sub":")" + id + R"(","exp":)" + exp + "}"),
        "Invalid or expired token");
  check("Bearer " + python_jwt(secret, R"({"sub":")" + id + R"(","exp":)" +
                                         std::to_string(now_s() - 5) + "}"),
        "Invalid or expired token");
  check("Bearer " +
          python_jwt(secret, R"({"email":"t@example.com","exp":)" + exp + "}"),
        "Invalid token");
  check("Bearer " + python_jwt(secret, R"({"sub":"abc","exp":)" + exp + "}"),
        "Invalid token");
  check("Bearer " + python_jwt(secret, R"({"sub":"999999","exp":)" + exp + "}"),
        "User not found");
}

TEST_CASE_METHOD(auth_fixture,
                 "tokens interoperate with an independent JWT implementation") {
  auto reg = post("/api/v1/auth/register",
                  R"({"email":"py@example.com","password":"password1"})");
  REQUIRE(reg.status == 200);
  auto id = db.query("SELECT id FROM users")[0][0];
  auto theirs = python_jwt(secret, R"({"sub":")" + id +
                                     R"(","email":"py@example.com","exp":)" +
                                     std::to_string(now_s() + 600) + "}");
  auto r = me("Bearer " + theirs);
  CHECK(r.status == 200);
  CHECK(json_field(r.body, "email") == "py@example.com");
  // Ours, checked by Python: signature and the exact claim set.
  auto [rc, out] =
    run_shell("python3 -c 'import sys,hmac,hashlib,base64,json\n"
              "h,p,s=sys.argv[1].split(\".\")\n"
              "d=lambda x: base64.urlsafe_b64decode(x+\"=\"*(-len(x)%4))\n"
              "ok=hmac.compare_digest(d(s),hmac.new(sys.argv[2].encode(),(h+\"."
              "\"+p).encode(),hashlib.sha256).digest())\n"
              "c=json.loads(d(p)); print(ok, json.loads(d(h))[\"alg\"], "
              "sorted(c), c[\"sub\"], c[\"email\"])' '" +
              json_field(reg.body, "access_token") + "' '" + secret + "'");
  REQUIRE(rc == 0);
  CHECK(out ==
        "True HS256 ['email', 'exp', 'sub'] " + id + " py@example.com\n");
}

TEST_CASE_METHOD(
  auth_fixture,
  "bcrypt hashes made elsewhere verify and passwords cut at 72 bytes") {
  // OpenWall's published crypt_blowfish test vector for the password "U*U".
  db.query(
    "INSERT INTO users (email, password_hash) VALUES ('legacy@example.com', "
    "'$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW')");
  auto ok = post("/api/v1/auth/login",
                 R"({"email":"legacy@example.com","password":"U*U"})");
  CHECK(ok.status == 200);
  auto bad = post("/api/v1/auth/login",
                  R"({"email":"legacy@example.com","password":"U*U*"})");
  CHECK(bad.status == 401);
  db.query("INSERT INTO users (email) VALUES ('nohash@example.com')");
  auto nohash = post("/api/v1/auth/login",
                     R"({"email":"nohash@example.com","password":"x"})");
  CHECK(nohash.status == 401);
  CHECK(detail(nohash) == "Invalid email or password");

  std::string first72(72, 'p');
  auto reg = post("/api/v1/auth/register",
                  R"({"email":"long@example.com","password":")" + first72 +
                    "tail-one\"}");
  REQUIRE(reg.status == 200);
  auto other_tail =
    post("/api/v1/auth/login", R"({"email":"long@example.com","password":")" +
                                 first72 + "different\"}");
  CHECK(other_tail.status == 200);
}

TEST_CASE("the default bcrypt cost is the reference's 12") {
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()}, {"BCRYPT_COST", "12"}}};
  auto reg =
    http_call(server.port(), "POST", "/api/v1/auth/register",
              R"({"email":"cost@example.com","password":"password1"})");
  REQUIRE(reg.status == 200);
  CHECK(db.query("SELECT password_hash FROM users")[0][0].rfind("$2b$12$", 0) ==
        0);
}

TEST_CASE("a known account is identified without a database round trip") {
  scratch_database db;
  server_process server{
    {{"DATABASE_URL", db.dsn()}, {"ADMIN_TOKEN", test_admin_token}}};
  auto reg =
    http_call(server.port(), "POST", "/api/v1/auth/register",
              R"({"email":"cached@example.com","password":"password1"})");
  REQUIRE(reg.status == 200);
  auto token = json_field(reg.body, "access_token");
  auto round_trips = [&] {
    auto stats = http_call(server.port(), "GET", "/api/v1/admin/stats", "",
                           bearer(test_admin_token));
    auto key = std::string{"\"num_round_trips\":"};
    return std::stoi(stats.body.substr(stats.body.find(key) + key.size()));
  };
  CHECK(http_call(server.port(), "GET", "/api/v1/auth/me", "", bearer(token))
          .status == 200);
  // Start-up work of its own (the reminder scheduler's first claim) may
  // still be under way on a loaded machine: measure once the count rests.
  auto before = round_trips();
  for (int settled = 0; settled < 50; ++settled) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto now = round_trips();
    if (now == before)
      break;
    before = now;
  }
  for (int i = 0; i < 5; ++i)
    CHECK(http_call(server.port(), "GET", "/api/v1/auth/me", "", bearer(token))
            .body == R"({"id":)" + db.query("SELECT id FROM users")[0][0] +
                       R"(,"email":"cached@example.com"})");
  CHECK(round_trips() == before);
}
