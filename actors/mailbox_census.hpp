#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace st {

/// Mailbox depths of every actor of one kind, readable at any moment in
/// O(buckets) however many actors there are: each actor files itself under
/// the bucket of the depth it last saw (after each message it handles), so
/// reading needs no message to any of them.
class mailbox_census {
public:
  /// Depths 0–15 exactly, then powers of two up to 2^31.
  static constexpr size_t num_buckets = 16 + 28;

  /// What a reader sees (depths are bucket upper bounds above 15).
  struct summary {
    uint64_t actors = 0;
    uint64_t max = 0;
    uint64_t p95 = 0;
  };

  /// An actor joins at depth 0; `bucket` is its own slot for `file`.
  void join(uint8_t& bucket) {
    bucket = 0;
    counts_[0].fetch_add(1, std::memory_order_relaxed);
  }

  /// Files the actor under `depth`.
  void file(uint8_t& bucket, size_t depth) {
    auto b = bucket_of(depth);
    if (b == bucket)
      return;
    counts_[b].fetch_add(1, std::memory_order_relaxed);
    counts_[bucket].fetch_sub(1, std::memory_order_relaxed);
    bucket = b;
  }

  void leave(uint8_t bucket) {
    counts_[bucket].fetch_sub(1, std::memory_order_relaxed);
  }

  [[nodiscard]] summary read() const {
    std::array<int64_t, num_buckets> n{};
    int64_t total = 0;
    for (size_t i = 0; i < num_buckets; ++i) {
      // Moves between buckets are two steps: a reader may see one.
      n[i] = std::max<int64_t>(0, counts_[i].load(std::memory_order_relaxed));
      total += n[i];
    }
    summary result;
    result.actors = static_cast<uint64_t>(total);
    int64_t seen = 0;
    bool p95_found = false;
    for (size_t i = 0; i < num_buckets; ++i) {
      if (n[i] == 0)
        continue;
      seen += n[i];
      result.max = upper_bound(i);
      if (!p95_found && seen * 100 >= total * 95) {
        result.p95 = upper_bound(i);
        p95_found = true;
      }
    }
    return result;
  }

  static uint8_t bucket_of(size_t depth) {
    if (depth < 16)
      return static_cast<uint8_t>(depth);
    size_t b = 16;
    for (size_t bound = 32; bound < depth && b + 1 < num_buckets; bound *= 2)
      ++b;
    return static_cast<uint8_t>(b);
  }

  static uint64_t upper_bound(size_t bucket) {
    return bucket < 16 ? bucket : uint64_t{32} << (bucket - 16);
  }

private:
  std::array<std::atomic<int64_t>, num_buckets> counts_{};
};

/// The messages `self` has taken from its inbox and not yet handled (CAF
/// moves what arrived into its queue at each round of work), read from the
/// actor's own thread. Not `mailbox().size()`: that fetches the inbox
/// itself, through a cast of a sentinel node that UBSan rejects once CAF
/// 0.17's header code is compiled into ours.
template<class Self>
size_t mailbox_depth(Self* self) {
  return self->mailbox().queue().total_task_size();
}

/// One actor's place in a census, from `enter` until it is destroyed.
class mailbox_census_entry {
public:
  mailbox_census_entry() = default;
  mailbox_census_entry(const mailbox_census_entry&) = delete;
  mailbox_census_entry& operator=(const mailbox_census_entry&) = delete;

  ~mailbox_census_entry() {
    if (census_)
      census_->leave(bucket_);
  }

  void enter(std::shared_ptr<mailbox_census> census) {
    census_ = std::move(census);
    census_->join(bucket_);
  }

  void file(size_t depth) {
    if (census_)
      census_->file(bucket_, depth);
  }

private:
  std::shared_ptr<mailbox_census> census_;
  uint8_t bucket_ = 0;
};

} // namespace st
