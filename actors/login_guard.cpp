#include "actors/login_guard.hpp"

#include <algorithm>

namespace st {

namespace {

/// Accounts tracked before finished windows are swept, and addresses
/// remembered per account and overall.
constexpr size_t sweep_above = 100'000;
constexpr size_t clients_per_account = 8;
constexpr size_t accounts_with_clients = 200'000;

} // namespace

int64_t login_guard::wait(const std::string& email, const std::string& client,
                          clock::time_point now) {
  auto i = failures_.find(email);
  if (i == failures_.end() || i->second.ends <= now ||
      i->second.failures < max_failures_)
    return 0;
  if (auto k = known_clients_.find(email);
      k != known_clients_.end() &&
      std::find(k->second.begin(), k->second.end(), client) != k->second.end())
    return 0;
  auto left =
    std::chrono::duration_cast<std::chrono::seconds>(i->second.ends - now);
  return std::max<int64_t>(1, left.count());
}

void login_guard::failed(const std::string& email, clock::time_point now) {
  sweep(now);
  auto& w = failures_[email];
  if (w.ends <= now)
    w = window_count{now + window_, 0};
  ++w.failures;
}

void login_guard::succeeded(const std::string& email,
                            const std::string& client) {
  if (known_clients_.size() >= accounts_with_clients)
    known_clients_.clear();
  auto& clients = known_clients_[email];
  if (std::find(clients.begin(), clients.end(), client) != clients.end())
    return;
  if (clients.size() >= clients_per_account)
    clients.erase(clients.begin());
  clients.push_back(client);
}

void login_guard::sweep(clock::time_point now) {
  // At most one pass a minute, so a spray of distinct accounts cannot make
  // every failure cost a scan; past twice the bound the table starts over
  // (failing open beats growing without end).
  if (failures_.size() < sweep_above || now < next_sweep_)
    return;
  next_sweep_ = now + std::chrono::minutes(1);
  for (auto i = failures_.begin(); i != failures_.end();)
    i = i->second.ends <= now ? failures_.erase(i) : std::next(i);
  if (failures_.size() >= 2 * sweep_above)
    failures_.clear();
}

} // namespace st
