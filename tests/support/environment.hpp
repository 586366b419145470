#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace st::test {

/// The admin DSN of the throwaway PostgreSQL (TEST_DATABASE_URL), or empty
/// when the suite runs without one.
std::string admin_dsn();

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
/// process's environment) and `PORT=0`; stopped (SIGTERM) on destruction.
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

  /// Everything the process wrote so far.
  [[nodiscard]] std::string output() const;

private:
  int pid_ = -1;
  uint16_t port_ = 0;
  std::string log_path_;
};

/// Runs the binary to completion; returns (exit code, output).
std::pair<int, std::string>
run_binary(const std::vector<std::string>& args,
           const std::map<std::string, std::string>& env);

/// Runs a shell command; returns (exit code, stdout+stderr).
std::pair<int, std::string> run_shell(const std::string& command);

/// The value of `key` in a flat JSON object body ("" when absent).
std::string json_field(const std::string& body, const std::string& key);

} // namespace st::test
