#include "tests/support/environment.hpp"

#include "protocols/http/json.hpp"
#include "protocols/tokens.hpp"
#include "tests/support/http_client.hpp"

#include <libpq-fe.h>
#include <rapidjson/document.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace st::test {

namespace {

std::string binary_path() {
  auto* p = std::getenv("SMART_TRAINER_BIN");
  if (p == nullptr)
    throw std::runtime_error("SMART_TRAINER_BIN is not set");
  return p;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// fork + exec of `program` with extra environment and output into
/// `log_path`.
int spawn(const std::string& program, const std::vector<std::string>& args,
          const std::map<std::string, std::string>& env,
          const std::string& log_path) {
  auto pid = fork();
  if (pid != 0)
    return pid;
  for (auto& [k, v] : env)
    setenv(k.c_str(), v.c_str(), 1);
  auto fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, 1);
  dup2(fd, 2);
  close(fd);
  auto bin = program;
  std::vector<char*> argv;
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(bin.c_str(), argv.data());
  _exit(127);
}

std::string temp_log() {
  return "/tmp/st-test-" + random_hex(8) + ".log";
}

/// Waits until the process writes `marker` followed by a port number.
uint16_t await_port(int pid, const std::string& log_path,
                    std::string_view marker) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto out = read_file(log_path);
    if (auto i = out.find(marker); i != std::string::npos)
      return static_cast<uint16_t>(std::stoi(out.substr(i + marker.size())));
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid)
      throw std::runtime_error("process exited at start:\n" + out);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("process did not start:\n" + read_file(log_path));
}

void stop(int& pid) {
  if (pid <= 0)
    return;
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  pid = -1;
}

} // namespace

int64_t utc_today() {
  return std::chrono::floor<std::chrono::duration<int64_t, std::ratio<86400>>>(
           std::chrono::system_clock::now())
    .time_since_epoch()
    .count();
}

void within_one_minute(int needed) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  if (secs % 60 > 60 - needed)
    std::this_thread::sleep_for(std::chrono::seconds(61 - secs % 60));
}

std::string admin_dsn() {
  auto* p = std::getenv("TEST_DATABASE_URL");
  return p == nullptr ? std::string{} : std::string{p};
}

std::vector<std::vector<std::string>> run_sql(const std::string& dsn,
                                              const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn{PQconnectdb(dsn.c_str()),
                                                    &PQfinish};
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error(PQerrorMessage(conn.get()));
  std::unique_ptr<PGresult, decltype(&PQclear)> res{
    PQexec(conn.get(), sql.c_str()), &PQclear};
  auto status = PQresultStatus(res.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    throw std::runtime_error(PQresultErrorMessage(res.get()));
  std::vector<std::vector<std::string>> result;
  for (int i = 0; i < PQntuples(res.get()); ++i) {
    std::vector<std::string> row;
    for (int j = 0; j < PQnfields(res.get()); ++j)
      row.emplace_back(PQgetvalue(res.get(), i, j));
    result.push_back(std::move(row));
  }
  return result;
}

scratch_database::scratch_database() : name_("st_test_" + random_hex(6)) {
  auto admin = admin_dsn();
  if (admin.empty())
    throw std::runtime_error("TEST_DATABASE_URL is not set (run scripts/test)");
  run_sql(admin, "CREATE DATABASE " + name_);
  dsn_ = admin.substr(0, admin.rfind('/') + 1) + name_;
}

scratch_database::~scratch_database() {
  try {
    run_sql(admin_dsn(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // The cluster may be gone already (outage tests); nothing to clean.
  }
}

std::vector<std::vector<std::string>>
scratch_database::query(const std::string& sql) const {
  return run_sql(dsn_, sql);
}

server_process::server_process(std::map<std::string, std::string> env,
                               std::vector<std::string> args)
  : log_path_(temp_log()) {
  env.emplace("PORT", "0");
  env.emplace("HOST", "127.0.0.1");
  env.emplace("BCRYPT_COST", "4");
  // Tokens must outlive a restart in tests that restart the server.
  env.emplace("SECRET_KEY", "integration-test-secret");
  // The start-up listing of linked users would race with tests that count
  // database round trips; the refresh tests turn it on.
  env.emplace("INTERVALS_SYNC_HOURS", "0");
  pid_ = spawn(binary_path(), args, env, log_path_);
  try {
    port_ = await_port(pid_, log_path_, "listening on http://127.0.0.1:");
  } catch (...) {
    stop(pid_);
    throw;
  }
}

server_process::~server_process() {
  if (pid_ > 0)
    terminate();
  // The suite's log scan reads every server's whole log afterwards (the
  // folder exists while ctest runs the suite).
  std::string keep = ST_SERVER_LOG_DIR;
  if (access(keep.c_str(), W_OK) == 0) {
    auto name = log_path_.substr(log_path_.rfind('/') + 1);
    std::ofstream{keep + "/" + name} << read_file(log_path_);
  }
  std::remove(log_path_.c_str());
}

int server_process::terminate() {
  if (pid_ <= 0)
    return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void server_process::signal(int sig) const {
  if (pid_ > 0)
    kill(pid_, sig);
}

int server_process::wait_exit(std::chrono::milliseconds within) {
  auto until = std::chrono::steady_clock::now() + within;
  while (pid_ > 0 && std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

std::string server_process::output() const {
  return read_file(log_path_);
}

std::pair<int, std::string>
run_binary(const std::vector<std::string>& args,
           const std::map<std::string, std::string>& env) {
  auto log = temp_log();
  auto pid = spawn(binary_path(), args, env, log);
  int status = 0;
  waitpid(pid, &status, 0);
  auto out = read_file(log);
  std::remove(log.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
          out};
}

std::pair<int, std::string> run_shell(const std::string& command) {
  auto log = temp_log();
  auto rc = std::system(("( " + command + " ) >" + log + " 2>&1").c_str());
  auto out = read_file(log);
  std::remove(log.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
}

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  if (doc.HasParseError())
    throw std::runtime_error("not JSON: " + body.substr(0, 200));
  return doc;
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

std::string json_field(const std::string& body, const std::string& key) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember(key.c_str()))
    return {};
  auto& v = doc[key.c_str()];
  if (v.IsString())
    return v.GetString();
  if (v.IsInt64())
    return std::to_string(v.GetInt64());
  return {};
}

athlete register_athlete(uint16_t port, const scratch_database& db,
                         const std::string& email) {
  auto r = http_call(port, "POST", "/api/v1/auth/register",
                     R"({"email":")" + email + R"(","password":"password1"})");
  if (r.status != 200)
    throw std::runtime_error("register failed: " + r.body);
  return {std::stoi(db.query("SELECT id FROM users WHERE email = '" + email +
                             "'")[0][0]),
          json_field(r.body, "access_token")};
}

athlete declare_athlete(uint16_t port, athlete who) {
  auto r = http_call(port, "PATCH", "/api/v1/athlete-profile",
                     R"({"is_athlete":true})",
                     {{"Authorization", "Bearer " + who.token}});
  if (r.status != 200)
    throw std::runtime_error("is_athlete not set: " + r.body);
  return who;
}

fake_server::fake_server(const std::string& script) : log_path_(temp_log()) {
  pid_ = spawn("/usr/bin/python3",
               {std::string{ST_SOURCE_DIR} + "/tests/fakes/" + script}, {},
               log_path_);
  try {
    port_ = await_port(pid_, log_path_, "listening on http://127.0.0.1:");
  } catch (...) {
    stop(pid_);
    throw;
  }
}

fake_server::~fake_server() {
  stop(pid_);
  std::remove(log_path_.c_str());
}

std::string fake_server::control(const std::string& method,
                                 const std::string& path,
                                 const std::string& body) const {
  auto r = http_call(port_, method, "/_fake/" + path, body);
  if (r.status != 200)
    throw std::runtime_error("fake control " + path + " -> " +
                             std::to_string(r.status) + ": " + r.body);
  return r.body;
}

void fake_server::reset() const {
  control("POST", "reset", "");
}

std::map<std::string, std::string> fake_s3::settings() const {
  return {{"S3_ENDPOINT_URL", "http://127.0.0.1:" + std::to_string(port())},
          {"S3_ACCESS_KEY", "test-access"},
          {"S3_SECRET_KEY", "test-secret-key"},
          {"S3_BUCKET", "sleep-shots"}};
}

std::string fake_s3::stats() const {
  return control("GET", "stats", "");
}

std::string fake_s3::object(const std::string& key) const {
  return control("GET", "object?key=" + key, "");
}

void fake_s3::fail(int status, int count) const {
  control("POST", "fail",
          "{\"status\":" + std::to_string(status) +
            ",\"count\":" + std::to_string(count) + "}");
}

std::map<std::string, std::string> fake_resend::settings() const {
  return {{"RESEND_API_BASE_URL", "http://127.0.0.1:" + std::to_string(port())},
          {"RESEND_API_KEY", "re_test_key"},
          {"MAIL_FROM", "Smart Trainer <coach@example.com>"}};
}

std::string fake_resend::sent() const {
  return control("GET", "sent", "");
}

void fake_resend::fail(int status, int count) const {
  control("POST", "fail",
          "{\"status\":" + std::to_string(status) +
            ",\"count\":" + std::to_string(count) + "}");
}

std::string fake_intervals::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/api/v1";
}

void fake_intervals::put_athlete(const std::string& id,
                                 const std::string& json) const {
  control("PUT", "athletes/" + id, json);
}

void fake_intervals::fail(int status, int count,
                          const std::string& path_contains,
                          const std::string& retry_after,
                          const std::string& body) const {
  auto json = "{\"status\":" + std::to_string(status) +
              ",\"count\":" + std::to_string(count) +
              ",\"path_contains\":" + json_string(path_contains);
  if (!retry_after.empty())
    json += ",\"retry_after\":" + json_string(retry_after);
  if (!body.empty())
    json += ",\"body\":" + json_string(body);
  control("POST", "fail", json + "}");
}

void fake_intervals::delay(int ms) const {
  control("POST", "delay", "{\"ms\":" + std::to_string(ms) + "}");
}

void fake_intervals::throttle(int per_second) const {
  control("POST", "throttle",
          "{\"per_second\":" + std::to_string(per_second) + "}");
}

std::vector<fake_call> fake_intervals::calls() const {
  rapidjson::Document doc;
  doc.Parse(control("GET", "stats", "").c_str());
  std::vector<fake_call> result;
  for (auto& c : doc["calls"].GetArray())
    result.push_back({c["method"].GetString(), c["path"].GetString(),
                      c["query"].GetString(), c["status"].GetInt(),
                      c["at"].GetDouble()});
  return result;
}

std::string fake_intervals::created_events() const {
  rapidjson::Document doc;
  doc.Parse(control("GET", "stats", "").c_str());
  return to_json(doc["created_events"]);
}

std::string fake_gemini::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/v1beta";
}

void fake_gemini::script(const std::string& outcomes) const {
  control("POST", "script", "{\"outcomes\":" + outcomes + "}");
}

void fake_gemini::answer_by_default(const std::string& json) const {
  control("POST", "default", json);
}

void fake_gemini::models(const std::string& known,
                         const std::string& overloaded) const {
  control("POST", "models",
          "{\"known\":" + known + ",\"overloaded\":" + overloaded + "}");
}

std::string fake_gemini::stats() const {
  return control("GET", "stats", "");
}

std::string fake_gemini::image(int n) const {
  return control("GET", "image?n=" + std::to_string(n), "");
}

std::string fake_strava::api_url() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/api/v3";
}

std::string fake_strava::oauth_url() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/oauth";
}

std::map<std::string, std::string> fake_strava::settings() const {
  return {
    {"STRAVA_CLIENT_ID", "4242"},
    {"STRAVA_CLIENT_SECRET", "strava-secret"},
    {"STRAVA_REDIRECT_URI", "http://localhost:8000/api/v1/strava/callback"},
    {"STRAVA_API_BASE_URL", api_url()},
    {"STRAVA_OAUTH_BASE_URL", oauth_url()}};
}

void fake_strava::post(const std::string& what, const std::string& json) const {
  control("POST", what, json);
}

std::vector<strava_call_seen> fake_strava::calls() const {
  rapidjson::Document doc;
  doc.Parse(control("GET", "stats", "").c_str());
  std::vector<strava_call_seen> result;
  for (auto& c : doc["calls"].GetArray())
    result.push_back({c["method"].GetString(), c["path"].GetString(),
                      c["query"].GetString(), c["status"].GetInt(),
                      c["athlete"].IsNull() ? 0 : c["athlete"].GetInt64()});
  return result;
}

int64_t fake_strava::throttled() const {
  rapidjson::Document doc;
  doc.Parse(control("GET", "stats", "").c_str());
  return doc["throttled"].GetInt64();
}

std::vector<int64_t> fake_strava::deauthorized() const {
  rapidjson::Document doc;
  doc.Parse(control("GET", "stats", "").c_str());
  std::vector<int64_t> result;
  for (auto& x : doc["deauthorized"].GetArray())
    result.push_back(x.GetInt64());
  return result;
}

uint64_t admin_stat(uint16_t port, std::initializer_list<const char*> path) {
  auto stats = http_call(port, "GET", "/api/v1/admin/actors", "",
                         bearer(test_admin_token));
  rapidjson::Document doc;
  doc.Parse(stats.body.c_str());
  const rapidjson::Value* x = &doc;
  for (auto* key : path) {
    if (!x->IsObject() || !x->HasMember(key))
      return UINT64_MAX;
    x = &(*x)[key];
  }
  return x->IsUint64() ? x->GetUint64() : UINT64_MAX;
}

table_lock::table_lock(const std::string& dsn, const std::string& table)
  : conn_(PQconnectdb(dsn.c_str())) {
  auto* c = static_cast<PGconn*>(conn_);
  if (PQstatus(c) != CONNECTION_OK)
    throw std::runtime_error(PQerrorMessage(c));
  PQclear(PQexec(c, "BEGIN"));
  auto* r =
    PQexec(c, ("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE").c_str());
  auto ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok)
    throw std::runtime_error("cannot lock " + table);
}

table_lock::~table_lock() {
  PQfinish(static_cast<PGconn*>(conn_));
}

void table_lock::release() {
  PQclear(PQexec(static_cast<PGconn*>(conn_), "COMMIT"));
}

} // namespace st::test
