#include "runtime/http_metrics.hpp"

namespace st {

namespace {

const prometheus::Histogram::BucketBoundaries& latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries bounds{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25,   0.5,   1,      2.5,   5,    10,    30};
  return bounds;
}

} // namespace

namespace {

std::atomic<uint64_t> next_metrics_id{1};

} // namespace

http_metrics::http_metrics()
  : id_(next_metrics_id++), registry_(std::make_shared<prometheus::Registry>()),
    requests_(&prometheus::BuildCounter()
                 .Name("http_requests_total")
                 .Help("HTTP requests answered, by route template, method "
                       "and status")
                 .Register(*registry_)),
    durations_(&prometheus::BuildHistogram()
                  .Name("http_request_duration_seconds")
                  .Help("From a request's last byte read to its answer's "
                        "last byte written")
                  .Register(*registry_)) {}

namespace {

/// A method name packed into an integer (methods are at most 7 letters).
uint64_t method_key(const std::string& method) {
  uint64_t key = 0;
  for (size_t i = 0; i < method.size() && i < 8; ++i)
    key = key << 8 | static_cast<unsigned char>(method[i]);
  return key;
}

struct series_key {
  uint64_t owner; ///< the instance's id: addresses may be reused
  const std::string* route;
  uint64_t method;
  unsigned status;

  bool operator==(const series_key& x) const {
    return owner == x.owner && route == x.route && method == x.method &&
           status == x.status;
  }
};

struct series_key_hash {
  size_t operator()(const series_key& k) const {
    auto h =
      std::hash<uint64_t>{}(k.owner) ^ (std::hash<const void*>{}(k.route) << 1);
    return h ^ (k.method * 31 + k.status);
  }
};

} // namespace

http_metrics::series& http_metrics::series_of(const std::string* route,
                                              const std::string& method,
                                              unsigned status) {
  // Each HTTP thread keeps the series it met: no lock, no string built
  // per request (the registry's families are locked on first use only).
  thread_local std::unordered_map<series_key, series*, series_key_hash> seen;
  series_key key{id_, route, method_key(method), status};
  if (auto i = seen.find(key); i != seen.end())
    return *i->second;
  const std::string& name = route != nullptr ? *route : "unmatched";
  auto text = name + ' ' + method + ' ' + std::to_string(status);
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = series_.find(text);
  if (i == series_.end()) {
    prometheus::Labels labels{
      {"route", name}, {"method", method}, {"status", std::to_string(status)}};
    series s{&requests_->Add(labels),
             &durations_->Add({{"route", name}, {"method", method}},
                              latency_buckets())};
    i = series_.emplace(std::move(text), s).first;
  }
  seen.emplace(key, &i->second);
  return i->second;
}

void http_metrics::record(const std::string* route, const std::string& method,
                          unsigned status,
                          std::chrono::steady_clock::duration took) {
  auto& s = series_of(route, method, status);
  s.requests->Increment();
  s.duration->Observe(std::chrono::duration<double>(took).count());
  num_requests_.fetch_add(1, std::memory_order_relaxed);
}

} // namespace st
