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

http_metrics::http_metrics()
  : registry_(std::make_shared<prometheus::Registry>()),
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

http_metrics::series& http_metrics::series_of(const std::string* route,
                                              const std::string& method,
                                              unsigned status) {
  const std::string& name = route != nullptr ? *route : "unmatched";
  auto key = name + ' ' + method + ' ' + std::to_string(status);
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = series_.find(key);
  if (i != series_.end())
    return i->second;
  prometheus::Labels labels{
    {"route", name}, {"method", method}, {"status", std::to_string(status)}};
  series s{
    &requests_->Add(labels),
    &durations_->Add({{"route", name}, {"method", method}}, latency_buckets())};
  return series_.emplace(std::move(key), s).first->second;
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
