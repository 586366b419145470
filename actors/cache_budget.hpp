#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <string>

namespace st {

/// Bytes that every user actor's caches may hold together (one instance,
/// shared): a cache that cannot reserve its bytes does not keep the entry.
class cache_budget {
public:
  explicit cache_budget(size_t limit) : limit_(limit) {}

  /// Takes `n` bytes when they fit; answers whether they did.
  bool reserve(size_t n) {
    auto used = used_.load(std::memory_order_relaxed);
    do {
      if (n > limit_ || used > limit_ - n)
        return false;
    } while (
      !used_.compare_exchange_weak(used, used + n, std::memory_order_relaxed));
    return true;
  }

  void release(size_t n) {
    used_.fetch_sub(n, std::memory_order_relaxed);
  }

  [[nodiscard]] size_t used() const {
    return used_.load(std::memory_order_relaxed);
  }

  [[nodiscard]] size_t limit() const {
    return limit_;
  }

private:
  size_t limit_;
  std::atomic<size_t> used_{0};
};

/// One user actor's cached pages by query key, within a byte budget of its
/// own and the shared one. Past either budget its oldest entries go; a page
/// that still does not fit is simply not kept.
template<class Page>
class page_cache {
public:
  /// Keeps nothing until bound to its budgets.
  page_cache() = default;

  ~page_cache() {
    clear();
  }

  page_cache(const page_cache&) = delete;
  page_cache& operator=(const page_cache&) = delete;

  void bind(std::shared_ptr<cache_budget> shared, size_t own_limit) {
    clear();
    shared_ = std::move(shared);
    own_limit_ = own_limit;
  }

  [[nodiscard]] const Page* find(const std::string& key) const {
    auto i = entries_.find(key);
    return i == entries_.end() ? nullptr : &i->second.page;
  }

  /// Keeps `page` (of about `bytes`) under `key` if the budgets allow.
  void put(const std::string& key, const Page& page, size_t bytes) {
    erase(key);
    if (bytes > own_limit_)
      return;
    while (!entries_.empty() && bytes_ + bytes > own_limit_)
      erase(oldest());
    // The shared budget spent: this actor's older pages make room first.
    while (shared_ && !shared_->reserve(bytes)) {
      if (entries_.empty())
        return;
      erase(oldest());
    }
    entries_.emplace(key, entry{page, bytes, ++stamp_});
    bytes_ += bytes;
  }

  void clear() {
    if (shared_)
      shared_->release(bytes_);
    entries_.clear();
    bytes_ = 0;
  }

  [[nodiscard]] size_t bytes() const {
    return bytes_;
  }

private:
  struct entry {
    Page page;
    size_t bytes;
    uint64_t stamp; ///< insertion order
  };

  std::string oldest() const {
    auto result = entries_.begin();
    for (auto i = entries_.begin(); i != entries_.end(); ++i)
      if (i->second.stamp < result->second.stamp)
        result = i;
    return result->first;
  }

  void erase(const std::string& key) {
    auto i = entries_.find(key);
    if (i == entries_.end())
      return;
    bytes_ -= i->second.bytes;
    if (shared_)
      shared_->release(i->second.bytes);
    entries_.erase(i);
  }

  std::shared_ptr<cache_budget> shared_;
  size_t own_limit_ = 0;
  size_t bytes_ = 0;
  uint64_t stamp_ = 0;
  std::map<std::string, entry> entries_;
};

} // namespace st
