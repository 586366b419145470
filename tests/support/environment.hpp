#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace st::test {

/// ADMIN_TOKEN of the test servers: distinctive, so that the log scan
/// (tests/check_log_secrets.sh) finds it wherever it leaked.
inline constexpr const char* test_admin_token = "adm-7c2e9f41b3d8";

/// The admin DSN of the throwaway PostgreSQL (TEST_DATABASE_URL), or empty
/// when the suite runs without one.
std::string admin_dsn();

/// Today's date in UTC as days since 1970-01-01 (the suite's days of
/// data are written around it).
int64_t utc_today();

/// The rate limiters count in the wall clock's minutes: a test that
/// counts its own requests against a limit waits for the next minute when
/// fewer than `needed` seconds of this one are left.
void within_one_minute(int needed);

/// A fresh database for one test, dropped when this goes out of scope.
class scratch_database {
public:
  scratch_database();
  ~scratch_database();
  scratch_database(const scratch_database&) = delete;
  scratch_database& operator=(const scratch_database&) = delete;

  /// libpq URL of the database.
  [[nodiscard]] const std::string& dsn() const {
    return dsn_;
  }

  /// Runs SQL and returns the rows, cells as text ("" for NULL).
  std::vector<std::vector<std::string>> query(const std::string& sql) const;

private:
  std::string name_;
  std::string dsn_;
};

/// Runs SQL on `dsn`; rows as text.
std::vector<std::vector<std::string>> run_sql(const std::string& dsn,
                                              const std::string& sql);

/// The server binary under test, started with `env` (added to this
/// process's environment), `PORT=0` and, unless `env` says otherwise,
/// `BCRYPT_COST=4` and `INTERVALS_SYNC_HOURS=0`; stopped (SIGTERM) on
/// destruction.
class server_process {
public:
  explicit server_process(std::map<std::string, std::string> env,
                          std::vector<std::string> args = {"serve"});
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  [[nodiscard]] uint16_t port() const {
    return port_;
  }

  /// Sends SIGTERM and waits; returns the exit code.
  int terminate();

  /// Sends `sig` without waiting.
  void signal(int sig) const;

  /// Waits up to `within` for the process to end by itself; returns its
  /// exit code (128 + signal when a signal ended it), or -1 if it lives.
  int wait_exit(std::chrono::milliseconds within);

  /// Everything the process wrote so far.
  [[nodiscard]] std::string output() const;

private:
  int pid_ = -1;
  uint16_t port_ = 0;
  std::string log_path_;
};

/// A registered account as the tests use it.
struct athlete {
  int32_t id = 0;
  std::string token;
};

/// Registers `email` (password `password1`) on the server at `port`.
athlete register_athlete(uint16_t port, const scratch_database& db,
                         const std::string& email);

/// `who` with `is_athlete` set in their profile: their decision is an
/// athlete's verdict (Go, Modify, Skip), not Advice, whatever else they
/// have.
athlete declare_athlete(uint16_t port, athlete who);

/// One API call the fake Intervals.icu server saw.
struct fake_call {
  std::string method;
  std::string path;
  std::string query;
  int status = 0;
  double at = 0; ///< Unix time (s)
};

/// A fake upstream (a script under tests/fakes) on a free loopback port;
/// stopped on destruction.
class fake_server {
public:
  /// @param script the file name under tests/fakes.
  explicit fake_server(const std::string& script);
  ~fake_server();
  fake_server(const fake_server&) = delete;
  fake_server& operator=(const fake_server&) = delete;

  [[nodiscard]] uint16_t port() const {
    return port_;
  }

  /// A test-control call under /_fake/; throws unless it answers 200.
  std::string control(const std::string& method, const std::string& path,
                      const std::string& body) const;

  /// Forgets what the fake saw and was told.
  void reset() const;

private:
  int pid_ = -1;
  uint16_t port_ = 0;
  std::string log_path_;
};

/// The fake Intervals.icu server (tests/fakes/intervals_fake.py).
class fake_intervals : public fake_server {
public:
  fake_intervals() : fake_server("intervals_fake.py") {}

  /// The value for INTERVALS_ICU_BASE_URL.
  [[nodiscard]] std::string base_url() const;

  /// Configures athlete `id` (body: see the script's docstring).
  void put_athlete(const std::string& id, const std::string& json) const;

  /// The next `count` API calls whose path contains `path_contains`
  /// answer `status` (with `Retry-After` and a raw `body` when given).
  void fail(int status, int count, const std::string& path_contains = {},
            const std::string& retry_after = {},
            const std::string& body = {}) const;

  /// Every API call waits `ms` first.
  void delay(int ms) const;

  /// Calls beyond `per_second` in a one-second window answer 429.
  void throttle(int per_second) const;

  /// The API calls seen so far, in order.
  [[nodiscard]] std::vector<fake_call> calls() const;

  /// The bodies of every event created so far, as a JSON array.
  [[nodiscard]] std::string created_events() const;
};

/// The fake Gemini server (tests/fakes/gemini_fake.py): key
/// `test-gemini-key`; outcomes scripted as its docstring says.
class fake_gemini : public fake_server {
public:
  fake_gemini() : fake_server("gemini_fake.py") {}

  /// The value for GEMINI_API_BASE_URL.
  [[nodiscard]] std::string base_url() const;

  /// Appends outcomes (a JSON array) for the next calls.
  void script(const std::string& outcomes) const;

  /// The answer of calls without a scripted outcome (a JSON object).
  void answer_by_default(const std::string& json) const;

  /// The models that exist and those that are overloaded (JSON arrays).
  void models(const std::string& known, const std::string& overloaded) const;

  /// The calls seen so far and the most in flight at once (JSON).
  [[nodiscard]] std::string stats() const;

  /// The inline image of call `n` (-1 = the last), raw bytes.
  [[nodiscard]] std::string image(int n = -1) const;
};

/// The fake S3-compatible store (tests/fakes/s3_fake.py): keys
/// `test-access` / `test-secret-key`, region us-east-1, every request's
/// SigV4 signature checked.
class fake_s3 : public fake_server {
public:
  fake_s3() : fake_server("s3_fake.py") {}

  /// The settings that point the server at it (S3_*).
  [[nodiscard]] std::map<std::string, std::string> settings() const;

  /// `{"calls": [{method, path, status}], "objects": {key: {content_type,
  /// size}}}`.
  [[nodiscard]] std::string stats() const;

  /// The bytes stored under `bucket/key`.
  [[nodiscard]] std::string object(const std::string& key) const;

  /// The next `count` calls answer `status` (0: failures end).
  void fail(int status, int count) const;
};

/// The fake Resend server (tests/fakes/resend_fake.py).
class fake_resend : public fake_server {
public:
  fake_resend() : fake_server("resend_fake.py") {}

  /// The settings that point the server at it (RESEND_*, MAIL_FROM).
  [[nodiscard]] std::map<std::string, std::string> settings() const;

  /// `{"mails": [{id, from, to, subject, html, text, idempotency_key}],
  /// "calls": n}`.
  [[nodiscard]] std::string sent() const;

  /// The next `count` sends answer `status`.
  void fail(int status, int count) const;
};

/// One API call the fake Strava server saw.
struct strava_call_seen {
  std::string method;
  std::string path;
  std::string query;
  int status = 0;
  int64_t athlete = 0; ///< 0 = no valid token
};

/// The fake Strava server (tests/fakes/strava_fake.py): client id `4242`,
/// athletes and limits as its docstring says.
class fake_strava : public fake_server {
public:
  fake_strava() : fake_server("strava_fake.py") {}

  /// The values for STRAVA_API_BASE_URL and STRAVA_OAUTH_BASE_URL.
  [[nodiscard]] std::string api_url() const;
  [[nodiscard]] std::string oauth_url() const;

  /// The server settings that point at this fake (client id and secret,
  /// base URLs).
  [[nodiscard]] std::map<std::string, std::string> settings() const;

  /// A control call with a JSON body (see the fake's docstring).
  void post(const std::string& what, const std::string& json) const;

  /// The calls seen so far.
  [[nodiscard]] std::vector<strava_call_seen> calls() const;

  /// 429s it answered.
  [[nodiscard]] int64_t throttled() const;

  /// Athletes whose app access was deauthorized.
  [[nodiscard]] std::vector<int64_t> deauthorized() const;
};

/// Runs the binary to completion; returns (exit code, output).
std::pair<int, std::string>
run_binary(const std::vector<std::string>& args,
           const std::map<std::string, std::string>& env);

/// Runs a shell command; returns (exit code, stdout+stderr).
std::pair<int, std::string> run_shell(const std::string& command);

/// Another client holding `table` locked (ACCESS EXCLUSIVE, in an open
/// transaction) until release() or destruction.
class table_lock {
public:
  table_lock(const std::string& dsn, const std::string& table);
  ~table_lock();
  table_lock(const table_lock&) = delete;
  table_lock& operator=(const table_lock&) = delete;

  /// Commits: the table is free again.
  void release();

private:
  void* conn_ = nullptr; ///< PGconn
};

/// A number from the admin stats (ADMIN_TOKEN=adm) at `path`
/// (UINT64_MAX when absent).
uint64_t admin_stat(uint16_t port, std::initializer_list<const char*> path);

/// The value of `key` in a flat JSON object body ("" when absent).
std::string json_field(const std::string& body, const std::string& key);

/// A JSON body as a document (a body that is not JSON throws).
rapidjson::Document parse(const std::string& body);

/// The system clock's Unix seconds.
int64_t unix_now();

/// Waits until `done()` holds (polling), at most `within`.
template<class F>
bool eventually(F done,
                std::chrono::milliseconds within = std::chrono::seconds(60)) {
  auto until = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < until) {
    if (done())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

} // namespace st::test
