#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace st {

/// Failed logins per target account: past `max_failures` within a window
/// the account is refused (429) until the window ends. Addresses that
/// have logged into the account before are exempt, so an attacker
/// elsewhere can slow guessing without locking the real user out. Lives in
/// the auth actor (one per process; each process counts its own).
class login_guard {
public:
  using clock = std::chrono::steady_clock;

  login_guard(uint32_t max_failures, std::chrono::seconds window)
    : max_failures_(max_failures), window_(window) {}

  /// Seconds `client` must wait before trying `email` again; 0 = go on.
  [[nodiscard]] int64_t wait(const std::string& email,
                             const std::string& client, clock::time_point now);

  /// Counts a failed login for `email`.
  void failed(const std::string& email, clock::time_point now);

  /// Remembers that `client` logged into `email`.
  void succeeded(const std::string& email, const std::string& client);

private:
  struct window_count {
    clock::time_point ends;
    uint32_t failures = 0;
  };

  /// Drops finished windows once the table grows (bounded memory).
  void sweep(clock::time_point now);

  uint32_t max_failures_;
  std::chrono::seconds window_;
  std::unordered_map<std::string, window_count> failures_;
  clock::time_point next_sweep_{};
  std::unordered_map<std::string, std::vector<std::string>> known_clients_;
};

} // namespace st
