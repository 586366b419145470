#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <string>
#include <unordered_map>

namespace st {

/// The HTTP front's figures: Prometheus counters and latency histograms
/// by route template, method and status (registry of prometheus-cpp's
/// core), plus the open connections and requests in flight. Shared by the
/// server, which records, and the admin routes, which read.
class http_metrics {
public:
  http_metrics();

  /// One answered request. `route` is the matched template, or null when
  /// no route matched (counted under one label, so unknown paths cannot
  /// grow the series without bound).
  void record(const std::string* route, const std::string& method,
              unsigned status, std::chrono::steady_clock::duration took);

  std::atomic<size_t> open_connections{0};
  std::atomic<size_t> in_flight{0}; ///< read, not yet fully written

  [[nodiscard]] uint64_t num_requests() const {
    return num_requests_.load(std::memory_order_relaxed);
  }

  /// The registry to collect for `/metrics`.
  [[nodiscard]] const prometheus::Registry& registry() const {
    return *registry_;
  }

private:
  struct series {
    prometheus::Counter* requests;
    prometheus::Histogram* duration;
  };

  series& series_of(const std::string* route, const std::string& method,
                    unsigned status);

  const uint64_t id_; ///< keys the HTTP threads' caches of series
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* durations_;
  std::atomic<uint64_t> num_requests_{0};
  std::mutex mtx_;
  /// Keyed by template, method and status: the label maps are built once
  /// per series, not per request (node-based: the threads' caches keep
  /// pointers to its values).
  std::unordered_map<std::string, series> series_;
};

} // namespace st
