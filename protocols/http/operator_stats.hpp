#pragma once

#include "protocols/messages.hpp"

#include <prometheus/registry.h>
#include <string>
#include <vector>

namespace st {

/// The HTTP front right now.
struct http_figures {
  uint64_t open_connections = 0;
  uint64_t in_flight = 0;
  uint64_t num_requests = 0; ///< answered since start
};

/// The process as the kernel sees it.
struct process_figures {
  uint64_t rss_bytes = 0;
  uint64_t threads = 0;
  uint64_t open_files = 0;
  uint64_t uptime_seconds = 0;
  // The standard process series of Prometheus client libraries.
  uint64_t virtual_bytes = 0;
  uint64_t max_files = 0; ///< the soft limit of open descriptors
  double cpu_seconds = 0; ///< user and system time
  double start_time = 0;  ///< Unix seconds
};

/// Everything the operator's endpoints show, gathered from every actor.
struct system_stats {
  user_registry_stats users;
  uint64_t user_cache_bytes = 0;
  db_stats db;
  upstream_stats upstream;
  gemini_stats gemini;
  strava_stats strava;
  reminder_stats reminders;
  http_figures http;
  process_figures process;
};

/// `GET /api/v1/admin/actors`: one object per component.
[[nodiscard]] std::string system_stats_json(const system_stats& x);

/// `GET /metrics`: the same figures as gauges and counters
/// (`smart_trainer_<component>_<figure>`, mailboxes by `kind`), after the
/// families of `registry` (the HTTP requests), in Prometheus text format.
[[nodiscard]] std::string
system_stats_prometheus(const system_stats& x,
                        const prometheus::Registry& registry);

} // namespace st
